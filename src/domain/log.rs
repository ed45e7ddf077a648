//! The duty log (值守日志): append-only, attributable, hash-chained. Each
//! entry's hash is SHA-256 over a canonical, length-prefixed encoding of its
//! fields and the previous entry's hash, so that editing, deleting,
//! reordering or inserting an entry breaks the chain at that entry.

use sha2::{Digest, Sha256};

use crate::code_enum;

code_enum! {
    pub enum LogKind {
        Change => ("change", "变更", "Change", []),
        Note => ("note", "记事", "Note", ["备注"]),
        Call => ("call", "来电", "Call", ["电话", "phone"]),
        Instruction => ("instruction", "指示", "Instruction", ["指令", "directive"]),
        Handover => ("handover", "交接班", "Handover", ["交接"]),
        Access => ("access", "查看个人信息", "Data access", ["reveal"]),
    }
}

impl LogKind {
    /// Kinds a person may write directly with `log add` or `:note`.
    pub fn is_free_text(self) -> bool {
        matches!(self, LogKind::Note | LogKind::Call | LogKind::Instruction)
    }
}

/// The hash that stands before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Longest free text of one entry, in characters.
pub const TEXT_MAX_CHARS: usize = 4000;

/// Everything that is hashed, in the order it is hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub kind: LogKind,
    pub text: String,
    pub officer: String,
    pub os_user: String,
    pub ssh_client: Option<String>,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub recorded_at: String,
    pub occurred_at: Option<String>,
    /// The record it concerns, `table:id`.
    pub subject: Option<String>,
    /// The sequence number of the entry this one corrects.
    pub corrects: Option<i64>,
    pub prev_hash: String,
    /// The event and its fields as JSON (schema 7 on; see `log_text`).
    /// An entry with one is hashed by rule v2, which covers it; an entry
    /// without keeps rule v1, so entries written before still verify.
    pub payload: Option<String>,
}

impl Entry {
    /// SHA-256 (hex) of the canonical encoding.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(match self.payload {
            None => &b"supplydesk-log-v1"[..],
            Some(_) => &b"supplydesk-log-v2"[..],
        });
        field(&mut h, Some(self.seq.to_string().as_bytes()));
        field(&mut h, Some(self.kind.code_str().as_bytes()));
        field(&mut h, Some(self.text.as_bytes()));
        field(&mut h, Some(self.officer.as_bytes()));
        field(&mut h, Some(self.os_user.as_bytes()));
        field(&mut h, self.ssh_client.as_deref().map(str::as_bytes));
        field(&mut h, Some(self.recorded_at.as_bytes()));
        field(&mut h, self.occurred_at.as_deref().map(str::as_bytes));
        field(&mut h, self.subject.as_deref().map(str::as_bytes));
        field(
            &mut h,
            self.corrects
                .map(|c| c.to_string())
                .as_deref()
                .map(str::as_bytes),
        );
        field(&mut h, Some(self.prev_hash.as_bytes()));
        if let Some(p) = &self.payload {
            field(&mut h, Some(p.as_bytes()));
        }
        hex::encode(h.finalize())
    }
}

impl LogKind {
    fn code_str(self) -> &'static str {
        crate::domain::codes::Code::code(self)
    }
}

/// A field is a presence byte, then for present fields an 8-byte big-endian
/// length and the bytes: no two different entries encode alike.
fn field(h: &mut Sha256, v: Option<&[u8]>) {
    match v {
        None => h.update([0u8]),
        Some(b) => {
            h.update([1u8]);
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            seq: 1,
            kind: LogKind::Note,
            text: "滴水岩小区蔬菜到货".into(),
            officer: "王静".into(),
            os_user: "duty".into(),
            ssh_client: Some("10.0.0.5 51234 10.0.0.1 22".into()),
            recorded_at: "2026-11-29T02:00:00.000Z".into(),
            occurred_at: None,
            subject: None,
            corrects: None,
            prev_hash: GENESIS.into(),
            payload: None,
        }
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = entry().hash();
        let mut variants = vec![];
        let mut e = entry();
        e.seq = 2;
        variants.push(e);
        let mut e = entry();
        e.kind = LogKind::Call;
        variants.push(e);
        let mut e = entry();
        e.text.push('。');
        variants.push(e);
        let mut e = entry();
        e.officer = "王".into();
        variants.push(e);
        let mut e = entry();
        e.os_user = "root".into();
        variants.push(e);
        let mut e = entry();
        e.ssh_client = None;
        variants.push(e);
        let mut e = entry();
        e.recorded_at = "2026-11-29T02:00:00.001Z".into();
        variants.push(e);
        let mut e = entry();
        e.occurred_at = Some(String::new());
        variants.push(e);
        let mut e = entry();
        e.subject = Some("alert:1".into());
        variants.push(e);
        let mut e = entry();
        e.corrects = Some(1);
        variants.push(e);
        let mut e = entry();
        e.prev_hash = "1".repeat(64);
        variants.push(e);
        let mut e = entry();
        e.payload = Some(r#"{"k":"note","text":"滴水岩小区蔬菜到货"}"#.into());
        variants.push(e);
        for v in variants {
            assert_ne!(v.hash(), base, "{v:?}");
        }
    }

    #[test]
    fn length_prefix_keeps_field_boundaries() {
        let mut a = entry();
        a.officer = "ab".into();
        a.os_user = "c".into();
        let mut b = entry();
        b.officer = "a".into();
        b.os_user = "bc".into();
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn the_payload_is_covered_and_v1_is_unchanged() {
        // The v1 rule as it was before payloads (computed independently):
        // an old entry's stored hash still matches.
        assert_eq!(
            entry().hash(),
            "5a7f2d62232e4096ec410fbdc9b6135964e914a07ad8823b926238e06dbf4420"
        );
        let mut a = entry();
        a.payload = Some(r#"{"k":"note"}"#.into());
        let mut b = entry();
        b.payload = Some(r#"{"k":"call"}"#.into());
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(entry().hash(), entry().hash());
        assert_eq!(entry().hash().len(), 64);
    }
}
