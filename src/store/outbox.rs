//! The outbox: messages to the office's work groups, written in the same
//! transaction as the change that warrants them (issue 19).
//!
//! Every change entry names the row it changed (`table:id`). Before a
//! change commits, the rows its entries name are read as they now stand
//! and each rule asks whether the row has just come to warrant a message
//! (an alert that is now critical and was not told as such, a pass now
//! suspended, …). A rule fires once per record until its condition stops
//! holding (`outbox_fired`), so an alert escalated again after being
//! lowered is told again, and an edit to an already-told critical alert is
//! not. Deriving the messages from the rows rather than from each action
//! covers every way a row changes: console, CLI, import, correction.
//!
//! The texts are written in both languages with personal data masked as on
//! screen; the sender picks the desk's language and the channels each rule
//! goes to ([`crate::notify`]).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use crate::domain::Code;
use crate::domain::alert::{ItemClass, Severity};
use crate::domain::cover;
use crate::domain::delivery::{FailReason, Group};
use crate::domain::mask;
use crate::domain::time::{from_db, to_db};
use crate::msg::Msg;

/// What a message is about; a channel names the rules it receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    CriticalAlert,
    PredictedShortage,
    DeliveryFailed,
    PassSuspended,
    PassRevoked,
    Activation,
    Handover,
}

impl Rule {
    pub const ALL: [Rule; 7] = [
        Rule::CriticalAlert,
        Rule::PredictedShortage,
        Rule::DeliveryFailed,
        Rule::PassSuspended,
        Rule::PassRevoked,
        Rule::Activation,
        Rule::Handover,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::CriticalAlert => "critical_alert",
            Rule::PredictedShortage => "predicted_shortage",
            Rule::DeliveryFailed => "delivery_failed",
            Rule::PassSuspended => "pass_suspended",
            Rule::PassRevoked => "pass_revoked",
            Rule::Activation => "activation",
            Rule::Handover => "handover",
        }
    }

    pub fn from_code(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.code() == s)
    }
}

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub log_seq: i64,
    pub rule: Rule,
    pub subject: String,
    pub community: Option<String>,
    pub failures: Option<i64>,
    pub text: Msg,
    pub created_at: DateTime<Utc>,
}

struct Draft {
    rule: Rule,
    subject: String,
    community: Option<String>,
    failures: Option<i64>,
    text: Msg,
}

/// Writes the messages the entries `seqs` warrant; called inside the
/// change's transaction, before it commits.
pub(super) fn enqueue(conn: &Connection, seqs: &[i64], now: DateTime<Utc>) -> Result<()> {
    if seqs.is_empty() {
        return Ok(());
    }
    let mut drafts: Vec<(i64, Draft)> = Vec::new();
    let mut st = conn.prepare_cached("SELECT kind, subject FROM duty_log WHERE seq = ?1")?;
    for &seq in seqs {
        let (kind, subject): (String, Option<String>) =
            st.query_row([seq], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let Some(subject) = subject else { continue };
        let Some((table, id)) = subject.split_once(':') else {
            continue;
        };
        let Ok(id) = id.parse::<i64>() else { continue };
        let found = match (kind.as_str(), table) {
            ("change", "alert") => alert(conn, id)?,
            ("change", "pass") => pass(conn, id)?,
            ("change", "delivery") => delivery(conn, id)?,
            ("change", "activation") => activation(conn, id)?,
            ("handover", "shift") => handover(conn, id)?,
            _ => Vec::new(),
        };
        drafts.extend(found.into_iter().map(|d| (seq, d)));
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO outbox (log_seq, rule, subject, community, failures, text_zh, text_en, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (seq, d) in drafts {
        ins.execute(params![
            seq,
            d.rule.code(),
            d.subject,
            d.community,
            d.failures,
            d.text.zh,
            d.text.en,
            to_db(now)
        ])?;
    }
    Ok(())
}

/// `Some` the first time `holds` is true for the record since it last was
/// false; clears the mark when it is false.
fn once(conn: &Connection, rule: Rule, subject: &str, holds: bool) -> Result<bool> {
    if holds {
        let n = conn
            .prepare_cached("INSERT OR IGNORE INTO outbox_fired (rule, subject) VALUES (?1, ?2)")?
            .execute(params![rule.code(), subject])?;
        Ok(n == 1)
    } else {
        conn.prepare_cached("DELETE FROM outbox_fired WHERE rule = ?1 AND subject = ?2")?
            .execute(params![rule.code(), subject])?;
        Ok(false)
    }
}

fn alert(conn: &Connection, id: i64) -> Result<Vec<Draft>> {
    let row = conn
        .prepare_cached(
            "SELECT a.severity, a.state, a.predicted, a.item, a.households, c.name,
                    (SELECT name FROM compound WHERE id = a.compound_id)
             FROM alert a JOIN community c ON c.id = a.community_id WHERE a.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)? == 1,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })
        .optional()?;
    let Some((severity, state, predicted, item, households, community, compound)) = row else {
        return Ok(Vec::new());
    };
    let open = !matches!(state.as_str(), "resolved" | "cancelled");
    let subject = format!("alert:{id}");
    let item = ItemClass::from_code(&item);
    let (item_zh, item_en) = item.map_or(("物资", "supplies"), |i| (i.label_zh(), i.label_en()));
    let place = match &compound {
        Some(c) => format!("{community} {c}"),
        None => community.clone(),
    };
    let mut out = Vec::new();
    let critical = open && Severity::from_code(&severity) == Some(Severity::Critical);
    if once(conn, Rule::CriticalAlert, &subject, critical)? {
        out.push(Draft {
            rule: Rule::CriticalAlert,
            subject: subject.clone(),
            community: Some(community.clone()),
            failures: None,
            text: Msg::new(
                format!("【紧急预警 #{id}】{place} {item_zh}短缺，涉及 {households} 户。"),
                format!(
                    "[Critical alert #{id}] {place}: {item_en} short, {households} households."
                ),
            ),
        });
    }
    if once(conn, Rule::PredictedShortage, &subject, open && predicted)? {
        out.push(Draft {
            rule: Rule::PredictedShortage,
            subject,
            community: Some(community),
            failures: None,
            text: Msg::new(
                format!("【预计短缺 #{id}】{place} {item_zh}库存将不足，请安排调运。"),
                format!(
                    "[Predicted shortage #{id}] {place}: {item_en} stock will run short; arrange supply."
                ),
            ),
        });
    }
    Ok(out)
}

fn pass(conn: &Connection, id: i64) -> Result<Vec<Draft>> {
    let row = conn
        .prepare_cached(
            "SELECT p.number, p.state, p.reason, p.subject, v.plate,
                    (SELECT recorded_at FROM duty_log WHERE seq = p.log_seq)
             FROM pass p LEFT JOIN vehicle v ON v.id = p.vehicle_id WHERE p.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })
        .optional()?;
    let Some((number, state, reason, holder, plate, since)) = row else {
        return Ok(Vec::new());
    };
    let subject = format!("pass:{id}");
    // A staff pass names a person: masked as on screen.
    let who = plate.unwrap_or_else(|| mask::mask_name(&holder));
    let reason = reason.unwrap_or_default();
    let since = since
        .as_deref()
        .and_then(from_db)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    let mut out = Vec::new();
    if once(conn, Rule::PassSuspended, &subject, state == "suspended")? {
        out.push(Draft {
            rule: Rule::PassSuspended,
            subject: subject.clone(),
            community: None,
            failures: None,
            text: Msg::new(
                format!("【通行证暂停】{who}（{number}）自 {since} 起暂停。原因：{reason}"),
                format!("[Pass suspended] {who} ({number}) from {since}. Reason: {reason}"),
            ),
        });
    }
    if once(conn, Rule::PassRevoked, &subject, state == "revoked")? {
        out.push(Draft {
            rule: Rule::PassRevoked,
            subject,
            community: None,
            failures: None,
            text: Msg::new(
                format!("【通行证吊销】{who}（{number}）自 {since} 起吊销。原因：{reason}"),
                format!("[Pass revoked] {who} ({number}) from {since}. Reason: {reason}"),
            ),
        });
    }
    Ok(out)
}

fn delivery(conn: &Connection, id: i64) -> Result<Vec<Draft>> {
    let row = conn
        .prepare_cached(
            "SELECT d.state, d.fail_reason, d.recipient_id, r.name, r.grp, c.name, d.items
             FROM delivery d JOIN recipient r ON r.id = d.recipient_id
             JOIN community c ON c.id = r.community_id WHERE d.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })
        .optional()?;
    let Some((state, reason, rid, name, grp, community, items)) = row else {
        return Ok(Vec::new());
    };
    let subject = format!("delivery:{id}");
    if !once(conn, Rule::DeliveryFailed, &subject, state == "failed")? {
        return Ok(Vec::new());
    }
    let failures = failures_in_a_row(conn, rid)?;
    let group = Group::from_code(&grp);
    let who = match group {
        Some(g) if g.is_institution() => name,
        _ => mask::mask_name(&name),
    };
    let (g_zh, g_en) = group.map_or(("", ""), |g| (g.label_zh(), g.label_en()));
    let reason = reason.as_deref().and_then(FailReason::from_code);
    let (r_zh, r_en) = reason.map_or(("", ""), |r| (r.label_zh(), r.label_en()));
    Ok(vec![Draft {
        rule: Rule::DeliveryFailed,
        subject,
        community: Some(community.clone()),
        failures: Some(failures),
        text: Msg::new(
            format!(
                "【配送未送达 #{id}】{community} {who}（{g_zh}）{items}：{r_zh}，已连续 {failures} 次未送达。"
            ),
            format!(
                "[Delivery failed #{id}] {community}, {who} ({g_en}), {items}: {r_en}; {failures} failed in a row."
            ),
        ),
    }])
}

/// The recipient's failed deliveries in a row since last reached, as the
/// welfare checks count them.
fn failures_in_a_row(conn: &Connection, rid: i64) -> Result<i64> {
    let reset: Option<String> = conn
        .prepare_cached(
            "SELECT MAX(t) FROM (
                SELECT MAX(done_at) AS t FROM delivery WHERE recipient_id = ?1 AND state = 'delivered'
                UNION ALL
                SELECT MAX(contacted_at) FROM contact WHERE recipient_id = ?1 AND reached = 1)",
        )?
        .query_row([rid], |r| r.get(0))?;
    let mut st = conn.prepare_cached(
        "SELECT attempts, updated_at FROM delivery
         WHERE recipient_id = ?1 AND attempts > 0 AND state <> 'delivered'
         ORDER BY updated_at",
    )?;
    let rows = st.query_map([rid], |r| {
        let at: String = r.get(1)?;
        Ok((r.get::<_, i64>(0)?, from_db(&at).unwrap_or_default(), false))
    })?;
    let deliveries = rows.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(cover::failures_in_a_row(
        reset.as_deref().and_then(from_db),
        &deliveries,
    ))
}

fn activation(conn: &Connection, id: i64) -> Result<Vec<Draft>> {
    let row = conn
        .prepare_cached("SELECT state, directive FROM activation WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .optional()?;
    let Some((state, directive)) = row else {
        return Ok(Vec::new());
    };
    let text = if state == "activated" {
        Msg::new(
            format!("【预案启动】生活物资保障应急预案已启动。依据：{directive}"),
            format!(
                "[Plan activated] The emergency supplies plan is activated. Directive: {directive}"
            ),
        )
    } else {
        Msg::new(
            format!("【恢复常态】生活物资保障应急预案已终止，恢复常态。依据：{directive}"),
            format!(
                "[Back to normal] The emergency supplies plan has ended. Directive: {directive}"
            ),
        )
    };
    Ok(vec![Draft {
        rule: Rule::Activation,
        subject: format!("activation:{id}"),
        community: None,
        failures: None,
        text,
    }])
}

fn handover(conn: &Connection, id: i64) -> Result<Vec<Draft>> {
    let row = conn
        .prepare_cached("SELECT officer, state, incoming FROM shift WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()?;
    let Some((officer, state, incoming)) = row else {
        return Ok(Vec::new());
    };
    let subject = format!("shift:{id}");
    if !once(conn, Rule::Handover, &subject, state == "handed_over")? {
        return Ok(Vec::new());
    }
    let to = incoming.unwrap_or_default();
    // The sender replaces this with the shift's plain-text handover when it
    // posts; this line stands when the report cannot be built.
    Ok(vec![Draft {
        rule: Rule::Handover,
        subject,
        community: None,
        failures: None,
        text: Msg::new(
            format!("【交接班】{officer} 已交班给 {to}。"),
            format!("[Handover] {officer} handed over to {to}."),
        ),
    }])
}

fn message(r: &rusqlite::Row<'_>) -> rusqlite::Result<Message> {
    let rule: String = r.get(2)?;
    let at: String = r.get(8)?;
    Ok(Message {
        id: r.get(0)?,
        log_seq: r.get(1)?,
        rule: Rule::from_code(&rule).unwrap_or(Rule::CriticalAlert),
        subject: r.get(3)?,
        community: r.get(4)?,
        failures: r.get(5)?,
        text: Msg::new(r.get::<_, String>(6)?, r.get::<_, String>(7)?),
        created_at: from_db(&at).unwrap_or_default(),
    })
}

const MESSAGE_COLUMNS: &str =
    "id, log_seq, rule, subject, community, failures, text_zh, text_en, created_at";

/// What a channel's rules look at in a waiting message, and when it was
/// written: rule, community, failures in a row, time.
pub type Waiting = (Rule, Option<String>, Option<i64>, DateTime<Utc>);

/// A channel's progress, as the sender keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelState {
    pub name: String,
    pub done_id: i64,
    pub sending_id: Option<i64>,
    pub attempts: i64,
    pub failing_since: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub sent_count: i64,
}

impl super::Store {
    /// Messages after `after`, oldest first, at most `limit`.
    pub fn outbox_after(&self, after: i64, limit: i64) -> Result<Vec<Message>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE id > ?1 ORDER BY id LIMIT ?2"
        ))?;
        let rows = st.query_map(params![after, limit], message)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The newest message's id (0 with none).
    pub fn outbox_head(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM outbox", [], |r| r.get(0))?)
    }

    /// The channel's progress (all zero for a channel never seen).
    pub fn channel_state(&self, name: &str) -> Result<ChannelState> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT done_id, sending_id, attempts, failing_since, last_error, sent_count
                 FROM outbox_channel WHERE name = ?1",
            )?
            .query_row([name], |r| {
                let since: Option<String> = r.get(3)?;
                Ok(ChannelState {
                    name: name.to_string(),
                    done_id: r.get(0)?,
                    sending_id: r.get(1)?,
                    attempts: r.get(2)?,
                    failing_since: since.as_deref().and_then(from_db),
                    last_error: r.get(4)?,
                    sent_count: r.get(5)?,
                })
            })
            .optional()?;
        Ok(row.unwrap_or_else(|| ChannelState {
            name: name.to_string(),
            ..ChannelState::default()
        }))
    }

    /// Saves a channel's progress (the sender's bookkeeping: no log entry,
    /// no message, nothing a console follows).
    pub fn save_channel_state(&self, s: &ChannelState) -> Result<()> {
        if self.read_only {
            return Err(super::StoreError::ReadOnly);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO outbox_channel (name, done_id, sending_id, attempts, failing_since,
                                             last_error, sent_count, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (name) DO UPDATE SET done_id = excluded.done_id,
                    sending_id = excluded.sending_id, attempts = excluded.attempts,
                    failing_since = excluded.failing_since, last_error = excluded.last_error,
                    sent_count = excluded.sent_count, updated_at = excluded.updated_at",
            )?
            .execute(params![
                s.name,
                s.done_id,
                s.sending_id,
                s.attempts,
                s.failing_since.map(to_db),
                s.last_error,
                s.sent_count,
                to_db(self.now())
            ])?;
        Ok(())
    }

    /// Whether the sender has ever saved this channel's progress.
    pub fn channel_known(&self, name: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM outbox_channel WHERE name = ?1")?
            .query_row([name], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The newest message written before `at` (0 with none), and how many
    /// there are up to it.
    pub fn outbox_before(&self, at: DateTime<Utc>) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(id), 0), count(*) FROM outbox WHERE created_at < ?1",
            [to_db(at)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// Every channel's progress the sender has saved.
    pub fn channel_states(&self) -> Result<Vec<ChannelState>> {
        let names: Vec<String> = {
            let mut st = self
                .conn
                .prepare_cached("SELECT name FROM outbox_channel ORDER BY name")?;
            st.query_map([], |r| r.get(0))?
                .collect::<std::result::Result<_, _>>()?
        };
        names.iter().map(|n| self.channel_state(n)).collect()
    }

    /// Rules and failures of the messages after `after`, for counting
    /// what waits for a channel without reading the texts.
    pub fn outbox_kinds_after(&self, after: i64) -> Result<Vec<Waiting>> {
        let mut st = self.conn.prepare_cached(
            "SELECT rule, community, failures, created_at FROM outbox WHERE id > ?1 ORDER BY id",
        )?;
        let rows = st.query_map([after], |r| {
            let rule: String = r.get(0)?;
            let at: String = r.get(3)?;
            Ok((
                Rule::from_code(&rule).unwrap_or(Rule::CriticalAlert),
                r.get(1)?,
                r.get(2)?,
                from_db(&at).unwrap_or_default(),
            ))
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}
