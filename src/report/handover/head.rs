//! The chain head a report prints, and reading it back from a report.

use crate::store::Head;

/// The line of the Markdown that `log verify --against-report` reads.
pub const HEAD_MARKER: &str = "日志链头 Chain head:";

/// The chain head a report printed, read back from its Markdown or JSON
/// text; `None` when the text holds none.
pub fn head_in_report(text: &str) -> Option<Head> {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        let h = v.get("chain_head")?;
        let seq = h.get("seq")?.as_i64()?;
        let hash = h.get("hash")?.as_str()?.to_ascii_lowercase();
        return is_hash(&hash).then_some(Head { seq, hash });
    }
    // The last marker line wins: lines of record text never start with
    // it (they are list items), so it is the report's own.
    text.lines().rev().find_map(|l| {
        let rest = l.trim().strip_prefix(HEAD_MARKER)?.trim();
        let rest = rest.strip_prefix('#')?;
        let (seq, rest) = rest.split_once(char::is_whitespace)?;
        let seq: i64 = seq.trim().parse().ok()?;
        let hash = rest.trim().strip_prefix("sha256:")?.trim();
        let hash: String = hash.chars().take_while(char::is_ascii_hexdigit).collect();
        let hash = hash.to_ascii_lowercase();
        is_hash(&hash).then_some(Head { seq, hash })
    })
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_is_read_back_from_either_form() {
        let hash = "ab".repeat(32);
        let md_text = format!("# t\n- 1\n---\n{HEAD_MARKER} #42 sha256:{hash}\n核验\n");
        assert_eq!(
            head_in_report(&md_text),
            Some(Head {
                seq: 42,
                hash: hash.clone()
            })
        );
        let json = format!(
            "{{\"chain_head\": {{\"seq\": 7, \"hash\": \"{}\"}}}}",
            hash.to_uppercase()
        );
        assert_eq!(
            head_in_report(&json),
            Some(Head {
                seq: 7,
                hash: hash.clone()
            })
        );
        assert_eq!(head_in_report("no head here"), None);
        assert_eq!(
            head_in_report(&format!("{HEAD_MARKER} #x sha256:{hash}")),
            None
        );
        assert_eq!(
            head_in_report(&format!("{HEAD_MARKER} #3 sha256:abc")),
            None
        );
        assert_eq!(head_in_report("{\"chain_head\": {\"seq\": 1}}"), None);
    }
}
