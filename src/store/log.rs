//! The duty log: free-text entries, reading with filters, and the chain
//! check.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params_from_iter, types::Value};

use super::{Actor, LogDraft, Result, Store, StoreError};
use crate::domain::Code;
use crate::domain::grams;
use crate::domain::log::{Entry, GENESIS, LogKind, TEXT_MAX_CHARS};
use crate::domain::log_text::Payload;
use crate::domain::time::to_db;
use crate::msg;

/// One stored entry, with its hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogRow {
    pub seq: i64,
    pub kind: String,
    pub text: String,
    pub officer: String,
    pub os_user: String,
    pub ssh_client: Option<String>,
    pub recorded_at: String,
    pub occurred_at: Option<String>,
    pub subject: Option<String>,
    pub corrects: Option<i64>,
    /// The sequence number of a later entry that corrects this one.
    pub corrected_by: Option<i64>,
    pub prev_hash: String,
    pub hash: String,
    /// The event and its fields as JSON (entries since schema 7).
    pub payload: Option<String>,
}

impl LogRow {
    /// The entry in `lang` only (`domain::log_text`).
    pub fn line(&self, lang: crate::i18n::Lang) -> String {
        crate::domain::log_text::render(&self.kind, &self.text, self.payload.as_deref(), lang)
    }
}

pub(super) const COLUMNS: &str = "seq, kind, text, officer, os_user, ssh_client, recorded_at, occurred_at,
    subject, corrects, (SELECT MIN(c.seq) FROM duty_log c WHERE c.corrects = duty_log.seq), prev_hash, hash,
    payload";

/// Text another tool stored as invalid UTF-8 is read with U+FFFD in place
/// of the bad bytes, so that one such entry does not make the whole log
/// unreadable; its hash no longer matches, so `verify` names it.
fn lossy(r: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(lossy_opt(r, i)?.unwrap_or_default())
}

fn lossy_opt(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::ValueRef;
    match r.get_ref(i)? {
        ValueRef::Text(b) | ValueRef::Blob(b) => Ok(Some(String::from_utf8_lossy(b).into_owned())),
        ValueRef::Null => Ok(None),
        _ => r.get(i),
    }
}

pub(super) fn row(r: &Row<'_>) -> rusqlite::Result<LogRow> {
    Ok(LogRow {
        seq: r.get(0)?,
        kind: lossy(r, 1)?,
        text: lossy(r, 2)?,
        officer: lossy(r, 3)?,
        os_user: lossy(r, 4)?,
        ssh_client: lossy_opt(r, 5)?,
        recorded_at: lossy(r, 6)?,
        occurred_at: lossy_opt(r, 7)?,
        subject: lossy_opt(r, 8)?,
        corrects: r.get(9)?,
        corrected_by: r.get(10)?,
        prev_hash: r.get(11)?,
        hash: r.get(12)?,
        payload: lossy_opt(r, 13)?,
    })
}

/// Checks free text for a log entry: not blank, not too long.
pub fn check_text(text: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(StoreError::Refused(msg!(
            "记录内容为空；请写下发生了什么。",
            "The entry is empty; write what happened."
        )));
    }
    let n = t.chars().count();
    if n > TEXT_MAX_CHARS {
        return Err(StoreError::Refused(msg!(
            "记录过长（{n} 字），上限 {TEXT_MAX_CHARS} 字；请分成几条。",
            "The entry is {n} characters long, more than the limit of {TEXT_MAX_CHARS}; split it into several entries."
        )));
    }
    Ok(t.to_string())
}

/// Who called, for a call entry: a person, and the community or unit
/// they called from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub from: Option<String>,
}

impl Store {
    /// A free-text entry (note, call, instruction), optionally saying when
    /// it happened, optionally correcting an earlier entry.
    pub fn add_entry(
        &mut self,
        actor: &Actor,
        kind: LogKind,
        text: &str,
        occurred_at: Option<DateTime<Utc>>,
        corrects: Option<i64>,
    ) -> Result<i64> {
        self.add_entry_by(actor, kind, text, occurred_at, corrects, None)
    }

    /// The same, for a call with who called (stored as the payload's
    /// `caller` and `from`).
    pub fn add_entry_by(
        &mut self,
        actor: &Actor,
        kind: LogKind,
        text: &str,
        occurred_at: Option<DateTime<Utc>>,
        corrects: Option<i64>,
        caller: Option<&Caller>,
    ) -> Result<i64> {
        if !kind.is_free_text() {
            let k = kind.code();
            return Err(StoreError::Refused(msg!(
                "“{k}” 类记录由系统生成，不能手写；请用 note、call 或 instruction。",
                "Entries of kind \"{k}\" are written by the system; use note, call or instruction."
            )));
        }
        let text = check_text(text)?;
        if let Some(at) = occurred_at
            && at > self.now() + chrono::Duration::minutes(5)
        {
            return Err(StoreError::Refused(msg!(
                "发生时间在将来；请填写已经发生的时间。",
                "The time it happened is in the future; give a time that has passed."
            )));
        }
        if let Some(c) = corrects
            && self.entry(c)?.is_none()
        {
            return Err(StoreError::NotFound(msg!(
                "没有第 {c} 号记录，无法更正。",
                "There is no entry number {c} to correct."
            )));
        }
        let caller = match caller {
            Some(c) if kind == LogKind::Call => Some(Caller {
                name: super::fields::required_line(
                    super::fields::field("来电人", "caller"),
                    &c.name,
                    super::fields::NAME_MAX_CHARS,
                )?,
                from: super::fields::optional_line(
                    super::fields::field("来电单位", "calling from"),
                    c.from.as_deref(),
                    super::fields::NAME_MAX_CHARS,
                )?,
            }),
            Some(_) => {
                return Err(StoreError::Refused(msg!(
                    "只有来电记录才有来电人；请用 --kind call。",
                    "Only a call has a caller; use --kind call."
                )));
            }
            None => None,
        };
        let payload = Payload::new(kind.code())
            .with("text", &text)
            .with("caller", caller.as_ref().map(|c| c.name.clone()))
            .with("from", caller.and_then(|c| c.from));
        let (_, seq) = self.change(actor, |w| {
            w.log(LogDraft {
                kind,
                text,
                occurred_at,
                subject: None,
                corrects,
                payload: Some(payload),
            })
        })?;
        Ok(seq)
    }

    pub fn entry(&self, seq: i64) -> Result<Option<LogRow>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM duty_log WHERE seq = ?1"),
                [seq],
                row,
            )
            .optional()?)
    }

    /// Entries matching `filter`, newest first.
    pub fn log_list(&self, filter: &LogFilter) -> Result<Vec<LogRow>> {
        // With a text to find, the search keys drive the query newest
        // first (FTS5 walks its rowids in order), so a rare or absent text
        // costs an index probe rather than a scan of the whole log.
        let expr = filter
            .grep
            .as_deref()
            .filter(|g| !g.is_empty())
            .and_then(grams::match_expr);
        let mut args: Vec<Value> = Vec::new();
        let (mut sql, order) = match expr {
            Some(e) => {
                args.push(Value::Text(e));
                (
                    format!(
                        "SELECT {COLUMNS} FROM duty_log_keys JOIN duty_log ON duty_log.seq = duty_log_keys.rowid
                         WHERE duty_log_keys MATCH ?"
                    ),
                    " ORDER BY duty_log_keys.rowid DESC LIMIT ?",
                )
            }
            None => (
                format!("SELECT {COLUMNS} FROM duty_log WHERE 1=1"),
                " ORDER BY seq DESC LIMIT ?",
            ),
        };
        if let Some(t) = filter.since {
            sql.push_str(" AND recorded_at >= ?");
            args.push(Value::Text(to_db(t)));
        }
        if let Some(t) = filter.until {
            sql.push_str(" AND recorded_at < ?");
            args.push(Value::Text(to_db(t)));
        }
        if let Some(k) = filter.kind {
            sql.push_str(" AND kind = ?");
            args.push(Value::Text(k.code().to_string()));
        }
        if let Some(g) = filter.grep.as_deref().filter(|g| !g.is_empty()) {
            // The keys find entries that can hold the text; this checks
            // the exact substring.
            sql.push_str(" AND instr(text, ?) > 0");
            args.push(Value::Text(g.to_string()));
        }
        if let Some(o) = filter.officer.as_deref().filter(|o| !o.is_empty()) {
            sql.push_str(" AND officer = ?");
            args.push(Value::Text(o.to_string()));
        }
        if let Some(r) = &filter.community {
            let c = super::places::find_community(&self.conn, r)?;
            sql.push_str(COMMUNITY_FILTER_SQL);
            args.push(Value::Text(c.name));
            args.push(Value::Integer(c.id));
        }
        if let Some(b) = filter.before_seq {
            sql.push_str(" AND seq < ?");
            args.push(Value::Integer(b));
        }
        sql.push_str(order);
        args.push(Value::Integer(filter.limit.unwrap_or(i64::MAX)));
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map(params_from_iter(args), row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn log_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM duty_log", [], |r| r.get(0))?)
    }

    /// Walks the whole chain in order.
    pub fn verify_log(&self) -> Result<Verification> {
        verify(&self.conn)
    }
}

/// The community filter of [`Store::log_list`]: `?` the community's name,
/// then its id. The subquery is a list SQLite builds once per query.
const COMMUNITY_FILTER_SQL: &str = " AND (instr(text, ?) > 0 OR +subject IN (
        SELECT 'community:' || :community_id
        UNION ALL SELECT 'compound:' || id FROM compound WHERE community_id = :community_id
        UNION ALL SELECT 'building:' || b.id FROM building b JOIN compound k ON k.id = b.compound_id
                  WHERE k.community_id = :community_id
        UNION ALL SELECT 'alert:' || id FROM alert WHERE community_id = :community_id
        UNION ALL SELECT 'recipient:' || id FROM recipient WHERE community_id = :community_id
        UNION ALL SELECT 'delivery:' || d.id FROM delivery d JOIN recipient r ON r.id = d.recipient_id
                  WHERE r.community_id = :community_id
        UNION ALL SELECT 'volunteer:' || id FROM volunteer WHERE community_id = :community_id))";

/// Writes the search keys of one entry (inside the door's transaction).
pub(super) fn index_entry(conn: &Connection, seq: i64, text: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO duty_log_keys (rowid, keys) VALUES (?1, ?2)")?
        .execute(rusqlite::params![seq, grams::keys(text)])?;
    Ok(())
}

/// Writes the search keys of every entry (the migration that adds them).
pub(super) fn index_all(conn: &Connection) -> rusqlite::Result<()> {
    let mut st = conn.prepare("SELECT seq, text FROM duty_log ORDER BY seq")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        // Text another tool stored as invalid UTF-8 is indexed as far as it reads.
        let text = match r.get_ref(1)? {
            rusqlite::types::ValueRef::Text(b) => String::from_utf8_lossy(b).into_owned(),
            _ => String::new(),
        };
        index_entry(conn, r.get(0)?, &text)?;
    }
    Ok(())
}

/// Filters for [`Store::log_list`]; all optional.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub kind: Option<LogKind>,
    pub grep: Option<String>,
    pub officer: Option<String>,
    /// For paging newest-first: only entries older than this one.
    pub before_seq: Option<i64>,
    pub limit: Option<i64>,
    /// Entries about a record of this community (by id or name: the
    /// community, its compounds, buildings, alerts, recipients,
    /// deliveries, volunteers) or naming it in their text.
    pub community: Option<super::places::Ref>,
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verification {
    pub entries: i64,
    pub head_seq: i64,
    pub head_hash: String,
    /// The first entry found wrong, and why.
    pub first_bad: Option<(i64, String)>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.first_bad.is_none()
    }
}

/// Recomputes every hash and checks each link and each sequence number.
pub fn verify(conn: &Connection) -> Result<Verification> {
    walk(conn, 0, GENESIS)
}

/// Checks only the entries after `seq`, starting from an entry checked
/// before (a verified backup's head): that entry must still have `hash`,
/// and every later one must link to it and match its own hash. Entries up
/// to `seq` are not read again, so a change to them made after that check
/// goes unseen here; `entries` counts only the entries checked.
pub fn verify_after(conn: &Connection, seq: i64, hash: &str) -> Result<Verification> {
    use rusqlite::OptionalExtension;
    if seq > 0 {
        let stored: Option<String> = conn
            .query_row("SELECT hash FROM duty_log WHERE seq = ?1", [seq], |r| {
                lossy(r, 0)
            })
            .optional()?;
        if stored.as_deref() != Some(hash) {
            let why = match stored {
                None => format!("entry {seq}, verified before, is missing"),
                Some(_) => format!("entry {seq} no longer has the hash verified before"),
            };
            return Ok(Verification {
                entries: 0,
                head_seq: seq,
                head_hash: hash.to_string(),
                first_bad: Some((seq, why)),
            });
        }
    }
    walk(conn, seq, hash)
}

/// The walk of [`verify`] from the entry after `from` (whose hash is
/// `prev_hash`) to the end.
fn walk(conn: &Connection, from: i64, prev_hash: &str) -> Result<Verification> {
    // A file not yet upgraded (a read-only session does not upgrade) has
    // no payloads: every entry is of rule v1.
    let has_payload: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('duty_log') WHERE name = 'payload'",
        [],
        |r| r.get(0),
    )?;
    let payload = if has_payload { "payload" } else { "NULL" };
    let mut st = conn.prepare(&format!(
        "SELECT seq, kind, text, officer, os_user, ssh_client, recorded_at, occurred_at,
                subject, corrects, prev_hash, hash, {payload}
         FROM duty_log WHERE seq > ?1 ORDER BY seq"
    ))?;
    let mut rows = st.query([from])?;
    let mut expected_seq = from + 1;
    let mut prev = prev_hash.to_string();
    let mut n = 0i64;
    let mut first_bad = None;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let kind_code = lossy(r, 1)?;
        let stored_hash = lossy(r, 11)?;
        n += 1;
        let bad = |why: String| Some((seq, why));
        if seq != expected_seq {
            first_bad = if seq > expected_seq {
                Some((
                    expected_seq,
                    format!("entry {expected_seq} is missing (next is {seq})"),
                ))
            } else {
                bad(format!("entry {seq} is out of order"))
            };
            break;
        }
        let Some(kind) = LogKind::from_code(&kind_code) else {
            first_bad = bad(format!("unknown kind {kind_code:?}"));
            break;
        };
        let e = Entry {
            seq,
            kind,
            text: lossy(r, 2)?,
            officer: lossy(r, 3)?,
            os_user: lossy(r, 4)?,
            ssh_client: lossy_opt(r, 5)?,
            recorded_at: lossy(r, 6)?,
            occurred_at: lossy_opt(r, 7)?,
            subject: lossy_opt(r, 8)?,
            corrects: r.get(9)?,
            prev_hash: lossy(r, 10)?,
            payload: lossy_opt(r, 12)?,
        };
        if e.prev_hash != prev {
            first_bad = bad("its previous-hash does not match the entry before it".into());
            break;
        }
        if e.hash() != stored_hash {
            first_bad = bad("its content does not match its hash".into());
            break;
        }
        prev = stored_hash;
        expected_seq += 1;
    }
    Ok(Verification {
        entries: n,
        head_seq: expected_seq - 1,
        head_hash: prev,
        first_bad,
    })
}
