//! What a console needs to follow other sessions' changes without reading
//! whole tables again: the entries after the last one it saw, and for the
//! rows those entries name, the few facts its counts are made of.
//!
//! The counts of a pane are sums of per-row flags. The flags are written
//! here once, as SQL, for the whole table and for single rows alike, so a
//! console that adds up the flags of the rows that changed holds exactly
//! the counts a freshly started one reads.

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

use super::alerts::{AlertCounts, CommunityAlerts, Escalation};
use super::deliveries::QueueCounts;
use super::log::{COLUMNS, LogRow, row};
use super::pass_actions::PassCounts;
use super::{Result, Store};
use crate::domain::alert::Severity;
use crate::domain::time::{from_db, to_db};

/// (In SQLite `<<` and `|` bind alike, left to right: every shift is in
/// brackets and the bits are added.)
///
/// A pass's status as a bit: requested, valid, expiring soon, not yet
/// valid, expired, suspended, revoked (the order of [`PassCounts`]); bit 7
/// for a state this program does not know (counted nowhere).
const PASS_FLAGS: &str = "1 << CASE state
        WHEN 'requested' THEN 0 WHEN 'suspended' THEN 5 WHEN 'revoked' THEN 6
        WHEN 'issued' THEN CASE WHEN valid_until <= ?1 THEN 4 WHEN valid_from > ?1 THEN 3
                                WHEN valid_until <= ?2 THEN 2 ELSE 1 END
        ELSE 7 END";

/// An open delivery: open, overdue, urgent, en route, failed (the order of
/// [`QueueCounts`]); a closed one has no flags.
const DELIVERY_FLAGS: &str = "CASE WHEN state IN ('queued','assigned','en_route','failed')
        THEN 1 + ((due_at < ?1) << 1) + ((urgency = 'urgent') << 2)
               + ((state = 'en_route') << 3) + ((state = 'failed') << 4)
        ELSE 0 END";

/// An open alert: open, critical, escalated (the order of
/// [`AlertCounts`]); a closed one has no flags.
const ALERT_FLAGS: &str = "CASE WHEN state NOT IN ('resolved','cancelled')
        THEN 1 + ((severity = 'critical') << 1)
               + ((opened_at < CASE severity WHEN 'critical' THEN ?1 WHEN 'high' THEN ?2
                                             WHEN 'medium' THEN ?3 ELSE ?4 END) << 2)
        ELSE 0 END";

/// Per-row flags, and their sums.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    of: std::collections::HashMap<i64, u8>,
    sums: [i64; 8],
}

impl Flags {
    pub fn from_rows(rows: impl IntoIterator<Item = (i64, u8)>) -> Flags {
        let mut f = Flags::default();
        for (id, bits) in rows {
            f.set(id, bits);
        }
        f
    }

    /// The row `id` now has `bits` (0: it counts nowhere).
    pub fn set(&mut self, id: i64, bits: u8) {
        let old = if bits == 0 {
            self.of.remove(&id)
        } else {
            self.of.insert(id, bits)
        }
        .unwrap_or(0);
        for (i, sum) in self.sums.iter_mut().enumerate() {
            *sum += i64::from((bits >> i) & 1) - i64::from((old >> i) & 1);
        }
    }

    /// How many rows have bit `i`.
    pub fn sum(&self, i: usize) -> i64 {
        self.sums[i]
    }

    pub fn get(&self, id: i64) -> u8 {
        self.of.get(&id).copied().unwrap_or(0)
    }

    pub fn pass_counts(&self) -> PassCounts {
        PassCounts {
            requested: self.sum(0),
            valid: self.sum(1),
            expiring: self.sum(2),
            not_yet_valid: self.sum(3),
            expired: self.sum(4),
            suspended: self.sum(5),
            revoked: self.sum(6),
        }
    }

    pub fn queue_counts(&self) -> QueueCounts {
        QueueCounts {
            open: self.sum(0),
            overdue: self.sum(1),
            urgent: self.sum(2),
            en_route: self.sum(3),
            failed: self.sum(4),
        }
    }

    pub fn alert_counts(&self) -> AlertCounts {
        AlertCounts {
            open: self.sum(0),
            critical: self.sum(1),
            escalated: self.sum(2),
        }
    }
}

/// `?, ?, ?` for `n` ids.
fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

impl Store {
    /// SQLite's schema cookie: it moves when any session changes the
    /// schema (a migration).
    pub fn schema_cookie(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA schema_version", [], |r| r.get(0))?)
    }

    /// The entries after `seq`, oldest first, at most `limit`.
    pub fn log_after(&self, seq: i64, limit: usize) -> Result<Vec<LogRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM duty_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let rows = st
            .query_map(params![seq, limit as i64], row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Every pass's status flag at `now` (see [`Flags::pass_counts`]).
    pub fn pass_flags_all(&self, now: DateTime<Utc>, warn: Duration) -> Result<Flags> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT id, {PASS_FLAGS} FROM pass"))?;
        let rows = st
            .query_map(params![to_db(now), to_db(now + warn)], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<Vec<(i64, u8)>>>()?;
        Ok(Flags::from_rows(rows))
    }

    /// The same for the passes `ids` (those that do not exist: 0).
    pub fn pass_flags(
        &self,
        ids: &[i64],
        now: DateTime<Utc>,
        warn: Duration,
    ) -> Result<Vec<(i64, u8)>> {
        self.flags_of(
            &format!("SELECT id, {PASS_FLAGS} FROM pass WHERE id IN"),
            ids,
            vec![to_db(now), to_db(now + warn)],
        )
    }

    /// Every open delivery's flags at `now` (see [`Flags::queue_counts`]).
    pub fn delivery_flags_all(&self, now: DateTime<Utc>) -> Result<Flags> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT id, {DELIVERY_FLAGS} FROM delivery
             WHERE state IN ('queued','assigned','en_route','failed')"
        ))?;
        let rows = st
            .query_map(params![to_db(now)], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<(i64, u8)>>>()?;
        Ok(Flags::from_rows(rows))
    }

    pub fn delivery_flags(&self, ids: &[i64], now: DateTime<Utc>) -> Result<Vec<(i64, u8)>> {
        self.flags_of(
            &format!("SELECT id, {DELIVERY_FLAGS} FROM delivery WHERE id IN"),
            ids,
            vec![to_db(now)],
        )
    }

    /// Every open alert's flags at `now` (see [`Flags::alert_counts`]).
    pub fn alert_flags_all(&self, now: DateTime<Utc>, esc: &Escalation) -> Result<Flags> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT id, {ALERT_FLAGS} FROM alert WHERE state NOT IN ('resolved','cancelled')"
        ))?;
        let rows = st
            .query_map(rusqlite::params_from_iter(alert_cuts(now, esc)), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<Vec<(i64, u8)>>>()?;
        Ok(Flags::from_rows(rows))
    }

    pub fn alert_flags(
        &self,
        ids: &[i64],
        now: DateTime<Utc>,
        esc: &Escalation,
    ) -> Result<Vec<(i64, u8)>> {
        self.flags_of(
            &format!("SELECT id, {ALERT_FLAGS} FROM alert WHERE id IN"),
            ids,
            alert_cuts(now, esc),
        )
    }

    /// Whether any of the alerts `ids` is a predicted one (the cover of its
    /// cell counts it).
    pub fn any_predicted_alert(&self, ids: &[i64]) -> Result<bool> {
        if ids.is_empty() {
            return Ok(false);
        }
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM alert WHERE predicted AND id IN ({}))",
            marks(ids.len())
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(ids), |r| r.get(0))?)
    }

    /// The communities of the alerts `ids`, each once.
    pub fn alert_communities(&self, ids: &[i64]) -> Result<Vec<i64>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT DISTINCT community_id FROM alert WHERE id IN ({})",
            marks(ids.len())
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let v = st
            .query_map(rusqlite::params_from_iter(ids), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(v)
    }

    /// One community's line of the alert board (as
    /// [`Store::open_alerts_by_community`] has it), or `None` when it has
    /// no open alert.
    pub fn community_alerts(
        &self,
        community_id: i64,
        now: DateTime<Utc>,
        esc: &Escalation,
    ) -> Result<Option<CommunityAlerts>> {
        use rusqlite::OptionalExtension;
        let mut args = alert_cuts(now, esc);
        args.push(community_id.to_string());
        Ok(self
            .conn
            .prepare_cached(
                "SELECT c.id, c.name, COUNT(*), SUM(a.severity = 'critical'), SUM(a.severity = 'high'),
                        SUM(a.severity = 'medium'), SUM(a.severity = 'low'), MIN(a.opened_at),
                        SUM(a.opened_at < CASE a.severity WHEN 'critical' THEN ?1 WHEN 'high' THEN ?2
                                                          WHEN 'medium' THEN ?3 ELSE ?4 END)
                 FROM alert a JOIN community c ON c.id = a.community_id
                 WHERE a.community_id = CAST(?5 AS INTEGER) AND a.state NOT IN ('resolved','cancelled')
                 GROUP BY c.id",
            )?
            .query_row(rusqlite::params_from_iter(args), |r| {
                let oldest: Option<String> = r.get(7)?;
                let oldest = oldest.as_deref().and_then(from_db);
                Ok(CommunityAlerts {
                    community_id: r.get(0)?,
                    community: r.get(1)?,
                    open: r.get(2)?,
                    critical: r.get(3)?,
                    high: r.get(4)?,
                    medium: r.get(5)?,
                    low: r.get(6)?,
                    oldest_opened_at: oldest,
                    oldest_age_minutes: oldest.map(|t| (now - t).num_minutes().max(0)),
                    escalated: r.get(8)?,
                })
            })
            .optional()?)
    }

    /// The community of an alert.
    pub fn alert_community(&self, id: i64) -> Result<Option<i64>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached("SELECT community_id FROM alert WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    /// Where the pass `id` stands in the passes pane's order (latest
    /// ending first); `None` when there is no such pass.
    pub fn pass_position(&self, id: i64) -> Result<Option<usize>> {
        use rusqlite::OptionalExtension;
        let until: Option<String> = self
            .conn
            .prepare_cached("SELECT valid_until FROM pass WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        let Some(until) = until else { return Ok(None) };
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT (SELECT COUNT(*) FROM pass WHERE valid_until > ?1)
                      + (SELECT COUNT(*) FROM pass WHERE valid_until = ?1 AND id > ?2)",
            )?
            .query_row(params![until, id], |r| r.get(0))?;
        Ok(Some(n as usize))
    }

    /// Where the delivery `id` stands in the open queue (most urgent, then
    /// earliest due); `None` when it is not in the queue.
    pub fn delivery_position(&self, id: i64) -> Result<Option<usize>> {
        use rusqlite::OptionalExtension;
        let key: Option<(i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT urgency_rank, due_at FROM delivery
                 WHERE id = ?1 AND state IN ('queued','assigned','en_route','failed')",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((rank, due)) = key else {
            return Ok(None);
        };
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM delivery
                 WHERE state IN ('queued','assigned','en_route','failed')
                   AND (urgency_rank < ?1 OR (urgency_rank = ?1 AND (due_at < ?2
                        OR (due_at = ?2 AND id < ?3))))",
            )?
            .query_row(params![rank, due, id], |r| r.get(0))?;
        Ok(Some(n as usize))
    }

    /// `sql` ends with `WHERE id IN`; the ids follow the `args`. Ids that
    /// match no row come back with no flags.
    fn flags_of(&self, sql: &str, ids: &[i64], args: Vec<String>) -> Result<Vec<(i64, u8)>> {
        let mut out: Vec<(i64, u8)> = ids.iter().map(|id| (*id, 0)).collect();
        for chunk in ids.chunks(500) {
            let first = args.len() + 1;
            let list: Vec<String> = (0..chunk.len())
                .map(|i| format!("?{}", first + i))
                .collect();
            let sql = format!("{sql} ({})", list.join(", "));
            let mut values: Vec<rusqlite::types::Value> = args
                .iter()
                .cloned()
                .map(rusqlite::types::Value::Text)
                .collect();
            values.extend(chunk.iter().map(|id| rusqlite::types::Value::Integer(*id)));
            let mut st = self.conn.prepare(&sql)?;
            let found = st
                .query_map(rusqlite::params_from_iter(values), |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, u8>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (id, bits) in found {
                if let Some(slot) = out.iter_mut().find(|(i, _)| *i == id) {
                    slot.1 = bits;
                }
            }
        }
        Ok(out)
    }
}

/// The alert board in the order [`Store::open_alerts_by_community`] reads
/// it: most escalated, most critical, most open, oldest, then by name.
pub fn sort_board(board: &mut [CommunityAlerts]) {
    board.sort_by(|a, b| {
        b.escalated
            .cmp(&a.escalated)
            .then(b.critical.cmp(&a.critical))
            .then(b.open.cmp(&a.open))
            .then(
                a.oldest_opened_at
                    .is_none()
                    .cmp(&b.oldest_opened_at.is_none()),
            )
            .then(a.oldest_opened_at.cmp(&b.oldest_opened_at))
            .then(a.community.as_bytes().cmp(b.community.as_bytes()))
    });
}

fn alert_cuts(now: DateTime<Utc>, esc: &Escalation) -> Vec<String> {
    [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .into_iter()
    .map(|s| to_db(now - esc.after(s)))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Actor, Clock};
    use chrono::TimeZone;

    fn demo() -> Store {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap();
        let mut s = Store::open_in_memory()
            .unwrap()
            .with_clock(Clock::Fixed(t0));
        let actor = Actor {
            officer: "王静".into(),
            os_user: "duty".into(),
            ssh_client: None,
        };
        crate::demo::generate(
            &mut s,
            &actor,
            crate::demo::DemoOptions {
                scale: 1,
                seed: 2022,
            },
        )
        .unwrap();
        s.set_clock(Clock::Fixed(t0));
        s
    }

    /// The board kept line by line, and the counts kept row by row, equal
    /// what the whole-table queries read.
    #[test]
    fn lines_and_flags_add_up_to_what_the_whole_queries_read() {
        let s = demo();
        let now = s.now();
        let esc = Escalation::from_fn(|_| Duration::hours(2));
        let whole = s
            .open_alerts_by_community(now, &esc, false, 0, 1000)
            .unwrap();
        assert!(whole.len() > 3);
        let mut lines: Vec<CommunityAlerts> = s
            .communities()
            .unwrap()
            .iter()
            .filter_map(|c| s.community_alerts(c.id, now, &esc).unwrap())
            .collect();
        sort_board(&mut lines);
        assert_eq!(lines, whole);
        assert_eq!(
            s.alert_flags_all(now, &esc).unwrap().alert_counts(),
            s.alert_counts(now, &esc).unwrap()
        );
        let warn = Duration::hours(24);
        assert_eq!(
            s.pass_flags_all(now, warn).unwrap().pass_counts(),
            s.pass_counts(now, warn).unwrap()
        );
        assert_eq!(
            s.delivery_flags_all(now).unwrap().queue_counts(),
            s.delivery_counts(now).unwrap()
        );
    }
}
