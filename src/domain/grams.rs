//! Search keys for the duty log. Chinese has no spaces between words, and
//! officers search with one or two characters (菜, 血透), so every entry is
//! indexed by its single characters and its pairs of neighbouring
//! characters. A query becomes "all of its pairs" (or its one character),
//! which finds every entry that can contain it; the caller then checks the
//! exact substring.

/// The characters that form search keys: letters and digits of any script.
fn is_key_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Lower-cased runs of key characters.
fn runs(text: &str) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for c in text.chars() {
        if is_key_char(c) {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The keys of a text, space-separated, each once: every key character and
/// every pair of neighbouring key characters.
pub fn keys(text: &str) -> String {
    let mut seen = std::collections::BTreeSet::new();
    for run in runs(text) {
        for (i, c) in run.iter().enumerate() {
            seen.insert(c.to_string());
            if let Some(n) = run.get(i + 1) {
                seen.insert(format!("{c}{n}"));
            }
        }
    }
    let mut out = String::new();
    for k in seen {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&k);
    }
    out
}

/// An FTS5 query that every entry containing `query` matches: its pairs
/// (or lone characters) joined with AND. `None` when the query has no key
/// character, so the index cannot narrow the search.
pub fn match_expr(query: &str) -> Option<String> {
    let mut terms: Vec<String> = Vec::new();
    for run in runs(query) {
        if run.len() == 1 {
            terms.push(run[0].to_string());
        } else {
            for w in run.windows(2) {
                terms.push(format!("{}{}", w[0], w[1]));
            }
        }
    }
    terms.sort();
    terms.dedup();
    if terms.is_empty() {
        return None;
    }
    Some(
        terms
            .iter()
            .map(|t| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(" AND "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_characters_and_neighbouring_pairs() {
        assert_eq!(keys("蔬菜短缺"), "短 短缺 缺 菜 菜短 蔬 蔬菜");
        assert_eq!(keys("渝F12"), "1 12 2 f f1 渝 渝f");
        assert_eq!(keys("a, b"), "a b", "punctuation breaks runs");
        assert_eq!(keys("  "), "");
    }

    #[test]
    fn every_substring_of_a_text_matches_its_keys() {
        let text = "滴水岩小区3栋反映蔬菜短缺，渝F12345送达";
        let all = keys(text);
        let k: std::collections::BTreeSet<&str> = all.split(' ').collect();
        let chars: Vec<char> = text.chars().collect();
        for i in 0..chars.len() {
            for j in i + 1..=chars.len() {
                let q: String = chars[i..j].iter().collect();
                if let Some(e) = match_expr(&q) {
                    for term in e.split(" AND ") {
                        let t = term.trim_matches('"');
                        assert!(k.contains(t), "{q:?}: {t:?} missing");
                    }
                }
            }
        }
    }

    #[test]
    fn queries() {
        assert_eq!(match_expr("菜").as_deref(), Some("\"菜\""));
        assert_eq!(match_expr("血透").as_deref(), Some("\"血透\""));
        assert_eq!(
            match_expr("血透患者").as_deref(),
            Some("\"患者\" AND \"血透\" AND \"透患\"")
        );
        assert_eq!(match_expr("F1").as_deref(), Some("\"f1\""));
        assert_eq!(match_expr("\"").as_deref(), None, "quotes never reach FTS5");
        assert_eq!(match_expr("，").as_deref(), None);
    }
}
