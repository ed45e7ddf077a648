//! No silent overwrite between sessions: a change acts on a record as the
//! officer saw it. Every state row points at the log entry of its last
//! change (`log_seq`), so "as seen" is the newest entry the officer's
//! screen (or form) reflected; a row whose `log_seq` is newer was changed
//! since, by another console, the CLI or an import. The check runs inside
//! the door's `BEGIN IMMEDIATE` transaction, before the change, so nothing
//! can slip between the check and the write.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::log::{COLUMNS, LogRow, row};
use super::{Result, Store, StoreError};
use crate::domain::time::from_db;
use crate::i18n::Lang;
use crate::msg;
use crate::msg::Msg;

/// A record as the officer saw it: row `id` of `table` as it stood after
/// log entry `as_of`. `table` is a state table, or `duty_log` for an
/// entry (changed only by being corrected). Id 0 stands for the table as
/// a whole (the plan's state is its newest `activation` row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub table: &'static str,
    pub id: i64,
    pub as_of: i64,
}

impl Seen {
    pub fn new(table: &'static str, id: i64, as_of: i64) -> Seen {
        Seen { table, id, as_of }
    }

    /// What the record is called in a sentence.
    fn name(&self) -> Msg {
        let id = self.id;
        match self.table {
            "alert" => msg!("预警 #{id}", "alert #{id}"),
            "pass" => msg!("通行证（编号 {id}）", "pass (id {id})"),
            "delivery" => msg!("配送 #{id}", "delivery #{id}"),
            "shift" => msg!("班次 #{id}", "shift #{id}"),
            "handover_item" => msg!("遗留事项（编号 {id}）", "carry-over item (id {id})"),
            "post" => msg!("卡点（编号 {id}）", "post (id {id})"),
            "activation" => msg!("预案状态", "the plan's state"),
            "community" => msg!("社区（编号 {id}）", "community (id {id})"),
            "duty_log" => msg!("第 {id} 号记录", "entry {id}"),
            t => msg!("{t} #{id}", "{t} #{id}"),
        }
    }
}

/// A change refused because its record changed after the officer saw it:
/// the entry that changed it (what, by whom, when).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub seen: Seen,
    /// The newest entry that changed the record.
    pub entry: LogRow,
}

impl Stale {
    pub fn at(&self) -> Option<DateTime<Utc>> {
        from_db(&self.entry.recorded_at)
    }

    /// What changed, in `lang`, with the time in `tz`: one sentence that
    /// says nothing was done.
    pub fn message_in(&self, tz: chrono_tz::Tz) -> Msg {
        let when = self
            .at()
            .map(|t| crate::domain::time::local_minute(t, tz))
            .unwrap_or_else(|| self.entry.recorded_at.clone());
        self.message_with(&when)
    }

    fn message_with(&self, when: &str) -> Msg {
        let m = self.summary_with(when);
        let (z, e) = (m.zh, m.en);
        msg!(
            "{z}请看清现状后再操作。",
            "{e} Look at it as it is now and act again."
        )
    }

    /// What changed, by whom, when, and that nothing was done.
    pub fn summary_in(&self, tz: chrono_tz::Tz) -> Msg {
        let when = self
            .at()
            .map(|t| crate::domain::time::local_minute(t, tz))
            .unwrap_or_else(|| self.entry.recorded_at.clone());
        self.summary_with(&when)
    }

    fn summary_with(&self, when: &str) -> Msg {
        let name = self.seen.name();
        let who = crate::domain::text::sanitize(&self.entry.officer).into_owned();
        let seq = self.entry.seq;
        let (wz, we) = (self.entry.line(Lang::Zh), self.entry.line(Lang::En));
        let (nz, ne) = (name.zh, name.en);
        msg!(
            "{nz} 在你看到之后已被 {who} 于 {when} 更改（记录 #{seq}：{wz}）；未做任何更改。",
            "{ne} was changed after you saw it, by {who} at {when} (entry #{seq}: {we}). Nothing was done."
        )
    }

    /// For the CLI and anything without a time zone at hand: UTC.
    pub fn message(&self) -> Msg {
        let when = self
            .at()
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| self.entry.recorded_at.clone());
        self.message_with(&when)
    }
}

/// The entry of the newest change of `seen`'s record after `seen.as_of`,
/// if there is one.
pub fn changed_since(conn: &Connection, seen: &Seen) -> Result<Option<LogRow>> {
    let last: Option<i64> = if seen.table == "duty_log" {
        conn.query_row(
            "SELECT MAX(seq) FROM duty_log WHERE corrects = ?1",
            [seen.id],
            |r| r.get(0),
        )?
    } else if seen.id == 0 {
        conn.query_row(
            &format!("SELECT MAX(log_seq) FROM {}", checked(seen.table)),
            [],
            |r| r.get(0),
        )?
    } else {
        debug_assert!(
            seen.table
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_')
        );
        conn.query_row(
            &format!("SELECT log_seq FROM {} WHERE id = ?1", seen.table),
            [seen.id],
            |r| r.get(0),
        )
        .optional()?
    };
    match last {
        Some(seq) if seq > seen.as_of => Ok(conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM duty_log WHERE seq = ?1"),
                [seq],
                row,
            )
            .optional()?),
        _ => Ok(None),
    }
}

fn checked(table: &str) -> &str {
    debug_assert!(table.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    table
}

/// Refuses when any of `seen` changed after it was seen.
pub(super) fn check(conn: &Connection, seen: &[Seen]) -> Result<()> {
    for s in seen {
        if let Some(entry) = changed_since(conn, s)? {
            return Err(StoreError::Stale(Box::new(Stale { seen: *s, entry })));
        }
    }
    Ok(())
}

impl Store {
    /// Runs `f` (one of the store's changing actions) only if none of
    /// `seen` changed after it was seen: checked first (so the refusal
    /// names the change rather than the state it led to) and again inside
    /// the first transaction `f` opens, atomically with its write.
    pub fn as_seen<T>(
        &mut self,
        seen: &[Seen],
        f: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<T> {
        check(&self.conn, seen)?;
        self.expected = seen.to_vec();
        let out = f(self);
        self.expected.clear();
        out
    }

    /// Refuses (as [`StoreError::Stale`]) when any of `seen` changed
    /// after it was seen; writes nothing.
    pub fn check_seen(&self, seen: &[Seen]) -> Result<()> {
        check(&self.conn, seen)
    }

    /// The next change made through the door is made only if none of
    /// `seen` changed after it was seen (checked inside its transaction);
    /// [`Store::forget_expected`] drops the condition when no change came.
    pub fn expect_unchanged(&mut self, seen: &[Seen]) {
        self.expected = seen.to_vec();
    }

    pub fn forget_expected(&mut self) {
        self.expected.clear();
    }
}
