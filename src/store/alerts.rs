//! Shortage alerts: raised for a community (and perhaps a compound),
//! acknowledged, dispatched to a supply unit or a person, resolved or
//! cancelled with an outcome; and the board that groups the open ones by
//! community with their age.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::fields::{self, Field, NAME_MAX_CHARS, TEXT_MAX_CHARS, field};
use super::places::{self, Ref};
use super::{Actor, LogDraft, Result, Store, StoreError};
use crate::domain::Code;
use crate::domain::alert::{self, AlertAction, AlertState, ItemClass, MAX_HOUSEHOLDS, Severity};
use crate::domain::cover::AlertKind;
use crate::domain::log_text::Payload;
use crate::domain::time::{from_db, to_db};
use crate::msg;
use crate::msg::Msg;

/// How old an open alert of each severity may grow before it is
/// escalated. Built from the config's thresholds by the caller, so the
/// store does not read the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalation {
    pub critical: Duration,
    pub high: Duration,
    pub medium: Duration,
    pub low: Duration,
}

impl Escalation {
    pub fn from_fn(f: impl Fn(Severity) -> Duration) -> Escalation {
        Escalation {
            critical: f(Severity::Critical),
            high: f(Severity::High),
            medium: f(Severity::Medium),
            low: f(Severity::Low),
        }
    }

    pub fn after(&self, s: Severity) -> Duration {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }
}

impl Default for Escalation {
    /// The config's defaults: 30 min, 2 h, 6 h, 24 h.
    fn default() -> Self {
        Escalation {
            critical: Duration::minutes(30),
            high: Duration::hours(2),
            medium: Duration::hours(6),
            low: Duration::hours(24),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewAlert {
    pub community: Ref,
    /// A compound of that community, by id or name.
    pub compound: Option<Ref>,
    pub item: ItemClass,
    pub severity: Severity,
    pub households: i64,
    /// Who reported it (a community's phone call, a market inspector, …).
    pub source: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AlertRow {
    pub id: i64,
    pub community_id: i64,
    pub community: String,
    pub compound_id: Option<i64>,
    pub compound: Option<String>,
    pub item: ItemClass,
    pub severity: Severity,
    pub households: i64,
    pub source: Option<String>,
    pub text: String,
    /// The officer who acknowledged or dispatched it; for a market alert,
    /// 市场监管所 throughout.
    pub handler: Option<String>,
    pub dispatched_to: Option<String>,
    pub state: AlertState,
    pub resolution: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Minutes from opening to `now` (to closing, once closed).
    pub age_minutes: i64,
    /// Open and older than its severity's threshold.
    pub escalated: bool,
    pub kind: AlertKind,
    /// Raised by the cover forecast, not by a person.
    pub predicted: bool,
}

/// One line of the alert board.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommunityAlerts {
    pub community_id: i64,
    pub community: String,
    pub open: i64,
    pub critical: i64,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
    pub oldest_opened_at: Option<DateTime<Utc>>,
    /// Minutes since the oldest open alert was raised.
    pub oldest_age_minutes: Option<i64>,
    pub escalated: i64,
}

/// Totals for the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct AlertCounts {
    pub open: i64,
    pub critical: i64,
    pub escalated: i64,
}

const SOURCE: Field = field("来源", "source");
const TEXT: Field = field("说明", "description");
const TO: Field = field("派往对象", "dispatch target");
const OUTCOME: Field = field("处理结果", "outcome");
const HOUSEHOLDS: Field = field("户数", "number of households");

/// The open alerts grouped by community, every community listed when
/// `?6` is true; exposed so that tests can check its query plan.
pub const BY_COMMUNITY_SQL: &str = "
    SELECT c.id, c.name, s.n, s.critical, s.high, s.medium, s.low, s.oldest, s.escalated
    FROM community c
    LEFT JOIN (
        SELECT community_id,
               COUNT(*) AS n,
               SUM(severity = 'critical') AS critical,
               SUM(severity = 'high') AS high,
               SUM(severity = 'medium') AS medium,
               SUM(severity = 'low') AS low,
               MIN(opened_at) AS oldest,
               SUM(opened_at < CASE severity WHEN 'critical' THEN ?1 WHEN 'high' THEN ?2
                                             WHEN 'medium' THEN ?3 ELSE ?4 END) AS escalated
        FROM alert
        WHERE state NOT IN ('resolved','cancelled')
        GROUP BY community_id
    ) s ON s.community_id = c.id
    WHERE ?5 OR s.n IS NOT NULL
    ORDER BY COALESCE(s.escalated, 0) DESC, COALESCE(s.critical, 0) DESC, COALESCE(s.n, 0) DESC,
             s.oldest IS NULL, s.oldest, c.name
    LIMIT ?6 OFFSET ?7";

/// The open alerts of one community, most severe and oldest first.
pub const OPEN_OF_COMMUNITY_SQL: &str = "
    SELECT a.id, a.community_id, c.name, a.compound_id, k.name, a.item, a.severity, a.households, a.source,
           a.text, a.handler, a.dispatched_to, a.state, a.resolution, a.opened_at, a.updated_at, a.closed_at,
           a.kind, a.predicted
    FROM alert a JOIN community c ON c.id = a.community_id LEFT JOIN compound k ON k.id = a.compound_id
    WHERE a.community_id = ?1 AND a.state NOT IN ('resolved','cancelled')
    ORDER BY a.severity_rank, a.opened_at
    LIMIT ?2 OFFSET ?3";

const ALL_OF_COMMUNITY_SQL: &str = "
    SELECT a.id, a.community_id, c.name, a.compound_id, k.name, a.item, a.severity, a.households, a.source,
           a.text, a.handler, a.dispatched_to, a.state, a.resolution, a.opened_at, a.updated_at, a.closed_at,
           a.kind, a.predicted
    FROM alert a JOIN community c ON c.id = a.community_id LEFT JOIN compound k ON k.id = a.compound_id
    WHERE a.community_id = ?1
    ORDER BY a.state IN ('resolved','cancelled'), a.severity_rank, a.closed_at DESC, a.opened_at
    LIMIT ?2 OFFSET ?3";

const ONE_SQL: &str = "
    SELECT a.id, a.community_id, c.name, a.compound_id, k.name, a.item, a.severity, a.households, a.source,
           a.text, a.handler, a.dispatched_to, a.state, a.resolution, a.opened_at, a.updated_at, a.closed_at,
           a.kind, a.predicted
    FROM alert a JOIN community c ON c.id = a.community_id LEFT JOIN compound k ON k.id = a.compound_id
    WHERE a.id = ?1";

fn alert_row(
    r: &rusqlite::Row<'_>,
    now: DateTime<Utc>,
    esc: &Escalation,
) -> rusqlite::Result<AlertRow> {
    let item: String = r.get(5)?;
    let severity: String = r.get(6)?;
    let state: String = r.get(12)?;
    let opened: String = r.get(14)?;
    let updated: String = r.get(15)?;
    let closed: Option<String> = r.get(16)?;
    let kind: String = r.get(17)?;
    let severity = Severity::from_code(&severity).unwrap_or(Severity::Critical);
    let state = AlertState::from_code(&state).unwrap_or(AlertState::Open);
    let opened_at = from_db(&opened).unwrap_or_default();
    let closed_at = closed.as_deref().and_then(from_db);
    let age = closed_at.unwrap_or(now) - opened_at;
    Ok(AlertRow {
        id: r.get(0)?,
        community_id: r.get(1)?,
        community: r.get(2)?,
        compound_id: r.get(3)?,
        compound: r.get(4)?,
        item: ItemClass::from_code(&item).unwrap_or(ItemClass::Other),
        severity,
        households: r.get(7)?,
        source: r.get(8)?,
        text: r.get(9)?,
        handler: r.get(10)?,
        dispatched_to: r.get(11)?,
        state,
        resolution: r.get(13)?,
        opened_at,
        updated_at: from_db(&updated).unwrap_or_default(),
        closed_at,
        age_minutes: age.num_minutes().max(0),
        escalated: state.is_open() && age > esc.after(severity),
        kind: AlertKind::from_code(&kind).unwrap_or(AlertKind::Shortage),
        predicted: r.get(18)?,
    })
}

fn load(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<AlertRow> {
    conn.prepare_cached(ONE_SQL)?
        .query_row([id], |r| alert_row(r, now, &Escalation::default()))
        .optional()?
        .ok_or_else(|| {
            StoreError::NotFound(msg!(
                "没有编号为 {id} 的短缺预警；请检查编号。",
                "There is no shortage alert #{id}; check the number."
            ))
        })
}

fn past(action: AlertAction) -> (&'static str, &'static str) {
    match action {
        AlertAction::Acknowledge => ("确认", "acknowledged"),
        AlertAction::Dispatch => ("派单", "dispatched"),
        AlertAction::Resolve => ("标记解决", "resolved"),
        AlertAction::Cancel => ("撤销", "cancelled"),
        AlertAction::Clear => ("自动解除", "cleared automatically"),
    }
}

/// The refusal of a transition the table does not allow, naming the
/// current state and what to do instead.
fn forbidden(id: i64, from: AlertState, action: AlertAction) -> StoreError {
    let (szh, sen) = (from.label_zh(), from.label_en().to_lowercase());
    let (azh, aen) = past(action);
    let m: Msg = if !from.is_open() {
        msg!(
            "预警 #{id} 已是“{szh}”，不能再{azh}；如短缺再次出现，请新建预警。",
            "Alert #{id} is already {sen}, so it cannot be {aen}; raise a new alert if the shortage returns."
        )
    } else if action == AlertAction::Resolve {
        msg!(
            "预警 #{id} 当前为“{szh}”，尚未确认或派单，不能{azh}；请先确认或派单，或以撤销关闭。",
            "Alert #{id} is {sen} and has not been acknowledged or dispatched, so it cannot be {aen}; acknowledge or dispatch it first, or cancel it."
        )
    } else {
        msg!(
            "预警 #{id} 当前为“{szh}”，不能{azh}。",
            "Alert #{id} is {sen}, so it cannot be {aen} again."
        )
    };
    StoreError::Refused(m)
}

fn label_pair<T: Code>(v: T) -> String {
    format!("{} {}", v.label_zh(), v.label_en())
}

impl Store {
    /// Raises a shortage alert. Returns its id and the log seq.
    pub fn raise_alert(&mut self, actor: &Actor, new: &NewAlert) -> Result<(i64, i64)> {
        let households = fields::count(HOUSEHOLDS, new.households, MAX_HOUSEHOLDS)?;
        let source = fields::optional_line(SOURCE, new.source.as_deref(), NAME_MAX_CHARS)?;
        let text =
            fields::optional_text(TEXT, Some(&new.text), TEXT_MAX_CHARS)?.unwrap_or_default();
        let community = places::find_community(&self.conn, &new.community)?;
        let compound = match &new.compound {
            Some(r) => Some(places::find_compound(&self.conn, community.id, r)?),
            None => None,
        };
        let (item, severity) = (new.item, new.severity);
        self.change(actor, |w| {
            let source = w.scrub_opt(source.as_deref())?;
            let text = w.scrub(&text)?;
            let id = w.next_id("alert")?;
            let place = match &compound {
                Some(k) => format!("{} {}", community.name, k.name),
                None => community.name.clone(),
            };
            let payload = Payload::new("alert.raise")
                .with("id", id)
                .with("place", place)
                .with("item", item.code())
                .with("severity", severity.code())
                .with("households", households)
                .with("source", source.clone())
                .with("text", Some(text.clone()).filter(|t| !t.is_empty()));
            let seq = w.log(LogDraft::event(format!("alert:{id}"), payload))?;
            let now = to_db(w.now());
            w.conn().execute(
                "INSERT INTO alert (id, community_id, compound_id, item, severity, households, source, text,
                    state, opened_at, updated_at, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?9, ?10)",
                params![
                    id,
                    community.id,
                    compound.as_ref().map(|k| k.id),
                    item.code(),
                    severity.code(),
                    households,
                    source,
                    text,
                    now,
                    seq
                ],
            )?;
            Ok(id)
        })
    }

    /// The officer takes the alert on.
    pub fn acknowledge_alert(&mut self, actor: &Actor, id: i64) -> Result<i64> {
        self.alert_step(actor, id, AlertAction::Acknowledge, None)
    }

    /// Sends the alert to a supply unit or a person (free text, e.g. a
    /// unit's name or "社区书记 李明"); dispatching again changes the target.
    pub fn dispatch_alert(&mut self, actor: &Actor, id: i64, to: &str) -> Result<i64> {
        let to = fields::required_line(TO, to, NAME_MAX_CHARS)?;
        self.alert_step(actor, id, AlertAction::Dispatch, Some(to))
    }

    /// Closes the alert as resolved, with the outcome.
    pub fn resolve_alert(&mut self, actor: &Actor, id: i64, outcome: &str) -> Result<i64> {
        let outcome = fields::required_text(OUTCOME, outcome, TEXT_MAX_CHARS)?;
        self.alert_step(actor, id, AlertAction::Resolve, Some(outcome))
    }

    /// Closes the alert as cancelled (a false or duplicate report), with
    /// the reason.
    pub fn cancel_alert(&mut self, actor: &Actor, id: i64, reason: &str) -> Result<i64> {
        let reason = fields::required_text(OUTCOME, reason, TEXT_MAX_CHARS)?;
        self.alert_step(actor, id, AlertAction::Cancel, Some(reason))
    }

    fn alert_step(
        &mut self,
        actor: &Actor,
        id: i64,
        action: AlertAction,
        text: Option<String>,
    ) -> Result<i64> {
        let (_, seq) = self.change(actor, |w| {
            let a = load(w.conn(), id, w.now())?;
            let to = alert::step(a.state, action).map_err(|_| forbidden(id, a.state, action))?;
            let officer = w.actor().officer.clone();
            // A market alert stays with 市场监管所: the officer who took it
            // up at the desk is the entry's author, not its handler.
            let handler = match (a.kind, &a.handler) {
                (AlertKind::Market, Some(h)) => h.clone(),
                _ => officer,
            };
            let now = to_db(w.now());
            let place = match &a.compound {
                Some(k) => format!("{} {}", a.community, k),
                None => a.community.clone(),
            };
            let t = w.scrub(&text.clone().unwrap_or_default())?;
            let event = match action {
                AlertAction::Acknowledge => Payload::new("alert.ack"),
                AlertAction::Dispatch => Payload::new("alert.dispatch").with("to", &t),
                AlertAction::Resolve => Payload::new("alert.resolve").with("outcome", &t),
                AlertAction::Cancel | AlertAction::Clear => {
                    Payload::new("alert.cancel").with("reason", &t)
                }
            };
            let event = event
                .with("id", id)
                .with("place", place)
                .with("item", a.item.code())
                .with("handler", handler.clone());
            let seq = w.log(LogDraft::event(format!("alert:{id}"), event))?;
            match action {
                AlertAction::Acknowledge => w.conn().execute(
                    "UPDATE alert SET state = ?1, handler = ?2, updated_at = ?3, log_seq = ?4 WHERE id = ?5",
                    params![to.code(), handler, now, seq, id],
                )?,
                AlertAction::Dispatch => w.conn().execute(
                    "UPDATE alert SET state = ?1, handler = ?2, dispatched_to = ?3, updated_at = ?4, log_seq = ?5
                     WHERE id = ?6",
                    params![to.code(), handler, t, now, seq, id],
                )?,
                AlertAction::Resolve | AlertAction::Cancel | AlertAction::Clear => w.conn().execute(
                    "UPDATE alert SET state = ?1, resolution = ?2, closed_at = ?3, updated_at = ?3, log_seq = ?4
                     WHERE id = ?5",
                    params![to.code(), t, now, seq, id],
                )?,
            };
            Ok(())
        })?;
        Ok(seq)
    }

    /// Raises or lowers an open alert's severity.
    pub fn set_alert_severity(
        &mut self,
        actor: &Actor,
        id: i64,
        severity: Severity,
    ) -> Result<i64> {
        let (_, seq) = self.change(actor, |w| {
            let a = load(w.conn(), id, w.now())?;
            if !a.state.is_open() {
                let (szh, sen) = (a.state.label_zh(), a.state.label_en().to_lowercase());
                return Err(StoreError::Refused(msg!(
                    "预警 #{id} 已是“{szh}”，不能再改紧急程度；如短缺再次出现，请新建预警。",
                    "Alert #{id} is already {sen}, so its severity cannot change; raise a new alert if the shortage returns."
                )));
            }
            if a.severity == severity {
                let s = label_pair(severity);
                return Err(StoreError::Refused(msg!(
                    "预警 #{id} 的紧急程度已是“{s}”；无需更改。",
                    "Alert #{id} is already of severity {s}; there is nothing to change."
                )));
            }
            let event = Payload::new("alert.severity")
                .with("id", id)
                .with("place", a.community.clone())
                .with("item", a.item.code())
                .with("from", a.severity.code())
                .with("to", severity.code());
            let seq = w.log(LogDraft::event(format!("alert:{id}"), event))?;
            w.conn().execute(
                "UPDATE alert SET severity = ?1, updated_at = ?2, log_seq = ?3 WHERE id = ?4",
                params![severity.code(), to_db(w.now()), seq, id],
            )?;
            Ok(())
        })?;
        Ok(seq)
    }

    /// One alert with its age at `now`.
    pub fn alert(&self, id: i64, now: DateTime<Utc>, esc: &Escalation) -> Result<AlertRow> {
        self.conn
            .prepare_cached(ONE_SQL)?
            .query_row([id], |r| alert_row(r, now, esc))
            .optional()?
            .ok_or_else(|| {
                StoreError::NotFound(msg!(
                    "没有编号为 {id} 的短缺预警；请检查编号。",
                    "There is no shortage alert #{id}; check the number."
                ))
            })
    }

    /// The alert board: communities with open alerts first (most
    /// escalated, most critical, most open, oldest), then, when
    /// `include_quiet`, the communities with none.
    pub fn open_alerts_by_community(
        &self,
        now: DateTime<Utc>,
        esc: &Escalation,
        include_quiet: bool,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<CommunityAlerts>> {
        let cut = |s| to_db(now - esc.after(s));
        let mut st = self.conn.prepare_cached(BY_COMMUNITY_SQL)?;
        let rows = st
            .query_map(
                params![
                    cut(Severity::Critical),
                    cut(Severity::High),
                    cut(Severity::Medium),
                    cut(Severity::Low),
                    include_quiet,
                    limit,
                    offset
                ],
                |r| {
                    let oldest: Option<String> = r.get(7)?;
                    let oldest = oldest.as_deref().and_then(from_db);
                    Ok(CommunityAlerts {
                        community_id: r.get(0)?,
                        community: r.get(1)?,
                        open: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                        critical: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                        high: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
                        medium: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
                        low: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
                        oldest_opened_at: oldest,
                        oldest_age_minutes: oldest.map(|t| (now - t).num_minutes().max(0)),
                        escalated: r.get::<_, Option<i64>>(8)?.unwrap_or(0),
                    })
                },
            )?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The alerts of one community: the open ones most severe and oldest
    /// first, then (with `include_closed`) the closed ones.
    pub fn alerts_of_community(
        &self,
        community_id: i64,
        include_closed: bool,
        now: DateTime<Utc>,
        esc: &Escalation,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AlertRow>> {
        let sql = if include_closed {
            ALL_OF_COMMUNITY_SQL
        } else {
            OPEN_OF_COMMUNITY_SQL
        };
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st
            .query_map(params![community_id, limit, offset], |r| {
                alert_row(r, now, esc)
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Open, critical and escalated alerts, for the header.
    pub fn alert_counts(&self, now: DateTime<Utc>, esc: &Escalation) -> Result<AlertCounts> {
        let cut = |s| to_db(now - esc.after(s));
        Ok(self.conn.prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(severity = 'critical'), 0),
                    COALESCE(SUM(opened_at < CASE severity WHEN 'critical' THEN ?1 WHEN 'high' THEN ?2
                                                           WHEN 'medium' THEN ?3 ELSE ?4 END), 0)
             FROM alert WHERE state NOT IN ('resolved','cancelled')",
        )?
        .query_row(
            params![cut(Severity::Critical), cut(Severity::High), cut(Severity::Medium), cut(Severity::Low)],
            |r| Ok(AlertCounts { open: r.get(0)?, critical: r.get(1)?, escalated: r.get(2)? }),
        )?)
    }
}
