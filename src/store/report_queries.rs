//! What the handover report and the carry-over list ask of the records,
//! for a window that ends at a fixed cut-off.
//!
//! The window is given twice: by time (`from` < t ≤ `cutoff`) for the
//! records' own times, and by duty-log sequence (`from_seq` < seq ≤
//! `cutoff_seq`) for what the log says happened. The log is the record:
//! passes and deliveries keep no time of each step, so their steps in the
//! window are read from the entries about them. Records changed after the
//! cut-off are shown as they stood at it, as far as the log tells.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::activation::ActivationRow;
use super::alerts::Escalation;
use super::{Head, Result, Store};
use crate::code_enum;
use crate::domain::Code;
use crate::domain::activation::ActivationState;
use crate::domain::alert::{AlertState, ItemClass, Severity};
use crate::domain::delivery::{DeliveryState, FailReason, Group, Urgency};
use crate::domain::log::LogKind;
use crate::domain::mask;
use crate::domain::pass::{PassKind, PassState};
use crate::domain::time::{from_db, to_db};

/// A report window: after `from` up to and including `cutoff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub cutoff: DateTime<Utc>,
    pub from_seq: i64,
    pub cutoff_seq: i64,
}

/// A shortage alert as it stood at the cut-off.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportAlert {
    pub id: i64,
    pub community_id: i64,
    pub community: String,
    pub compound: Option<String>,
    pub item: ItemClass,
    pub severity: Severity,
    pub households: i64,
    pub handler: Option<String>,
    pub state: AlertState,
    pub opened_at: DateTime<Utc>,
    /// Only when closed by the cut-off.
    pub closed_at: Option<DateTime<Utc>>,
    /// Open: minutes from opening to the cut-off; closed: to closing.
    pub age_minutes: i64,
    /// Open at the cut-off and older than its severity's threshold.
    pub escalated: bool,
}

code_enum! {
    /// The steps of a pass the report names.
    pub enum PassEventKind {
        Requested => ("requested", "申请", "Requested", []),
        Issued => ("issued", "发放", "Issued", []),
        Extended => ("extended", "延期", "Extended", []),
        Suspended => ("suspended", "暂停", "Suspended", []),
        Reinstated => ("reinstated", "恢复", "Reinstated", []),
        Revoked => ("revoked", "吊销", "Revoked", []),
    }
}

/// The beginnings of the pass lines written by `pass_actions.rs`; a test
/// in `tests/handover.rs` runs every action so that a change of wording
/// there cannot go unnoticed here.
const PASS_LINES: &[(&str, PassEventKind)] = &[
    ("通行证申请", PassEventKind::Requested),
    ("通行证发放", PassEventKind::Issued),
    ("通行证延期", PassEventKind::Extended),
    ("通行证暂停", PassEventKind::Suspended),
    ("通行证恢复", PassEventKind::Reinstated),
    ("通行证吊销", PassEventKind::Revoked),
    ("pass.request", PassEventKind::Requested),
    ("pass.issue", PassEventKind::Issued),
    ("pass.extend", PassEventKind::Extended),
    ("pass.suspend", PassEventKind::Suspended),
    ("pass.reinstate", PassEventKind::Reinstated),
    ("pass.revoke", PassEventKind::Revoked),
];

/// A pass, its holder masked when the holder is a person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportPass {
    pub id: i64,
    pub number: String,
    pub kind: PassKind,
    /// The plate (vehicle pass), the person masked (staff certificate) or
    /// the business (permit).
    pub holder: String,
    pub unit: Option<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub area: Option<String>,
}

/// One step of a pass in the window.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PassEvent {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub officer: String,
    pub kind: PassEventKind,
    pub reason: Option<String>,
    pub pass: ReportPass,
}

code_enum! {
    /// The ends of a delivery the report names.
    pub enum DeliveryEventKind {
        Delivered => ("delivered", "送达", "Delivered", []),
        Failed => ("failed", "未送达", "Failed", []),
        Cancelled => ("cancelled", "取消", "Cancelled", []),
    }
}

const DELIVERY_LINES: &[(&str, DeliveryEventKind)] = &[
    ("配送送达", DeliveryEventKind::Delivered),
    ("配送未送达", DeliveryEventKind::Failed),
    ("配送取消", DeliveryEventKind::Cancelled),
    ("delivery.deliver", DeliveryEventKind::Delivered),
    ("delivery.fail", DeliveryEventKind::Failed),
    ("delivery.cancel", DeliveryEventKind::Cancelled),
];

/// The state a delivery line leaves the delivery in.
const DELIVERY_STATES: &[(&str, DeliveryState)] = &[
    ("配送排队", DeliveryState::Queued),
    ("配送分派", DeliveryState::Assigned),
    ("配送改派", DeliveryState::Assigned),
    ("配送出发", DeliveryState::EnRoute),
    ("配送送达", DeliveryState::Delivered),
    ("配送未送达", DeliveryState::Failed),
    ("配送重新排队", DeliveryState::Queued),
    ("配送取消", DeliveryState::Cancelled),
    ("delivery.queue", DeliveryState::Queued),
    ("delivery.assign", DeliveryState::Assigned),
    ("delivery.reassign", DeliveryState::Assigned),
    ("delivery.depart", DeliveryState::EnRoute),
    ("delivery.deliver", DeliveryState::Delivered),
    ("delivery.fail", DeliveryState::Failed),
    ("delivery.requeue", DeliveryState::Queued),
    ("delivery.cancel", DeliveryState::Cancelled),
];

/// The state an alert line leaves the alert in (a change of severity
/// leaves the state as it was).
const ALERT_STATES: &[(&str, AlertState)] = &[
    ("短缺预警", AlertState::Open),
    ("预警已确认", AlertState::Acknowledged),
    ("预警已派单", AlertState::InProgress),
    ("预警已解决", AlertState::Resolved),
    ("预警已撤销", AlertState::Cancelled),
    ("alert.raise", AlertState::Open),
    ("alert.ack", AlertState::Acknowledged),
    ("alert.dispatch", AlertState::InProgress),
    ("alert.resolve", AlertState::Resolved),
    ("alert.cancel", AlertState::Cancelled),
];

/// The state a pass line leaves the pass in.
const PASS_STATES: &[(&str, PassState)] = &[
    ("通行证申请", PassState::Requested),
    ("通行证发放", PassState::Issued),
    ("通行证暂停", PassState::Suspended),
    ("通行证恢复", PassState::Issued),
    ("通行证吊销", PassState::Revoked),
    ("pass.request", PassState::Requested),
    ("pass.issue", PassState::Issued),
    ("pass.suspend", PassState::Suspended),
    ("pass.reinstate", PassState::Issued),
    ("pass.revoke", PassState::Revoked),
];

fn classify<T: Copy>(table: &[(&str, T)], text: &str) -> Option<T> {
    table
        .iter()
        .find(|(p, _)| text.starts_with(p))
        .map(|(_, t)| *t)
}

/// A delivery as it stood at the cut-off; the recipient masked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportDelivery {
    pub id: i64,
    /// Masked (institutions by their name).
    pub recipient: String,
    pub group: Group,
    pub community: String,
    pub compound: Option<String>,
    pub items: String,
    pub urgency: Urgency,
    pub due_at: DateTime<Utc>,
    pub state: DeliveryState,
    /// The volunteer's name or the vehicle's plate.
    pub assignee: Option<String>,
    pub attempts: i64,
    pub fail_reason: Option<FailReason>,
}

/// One end of a delivery in the window.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryEvent {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub officer: String,
    pub kind: DeliveryEventKind,
    pub delivery: ReportDelivery,
}

/// A free-text entry of the window.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportEntry {
    pub seq: i64,
    pub kind: LogKind,
    pub recorded_at: DateTime<Utc>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub officer: String,
    pub text: String,
    pub corrects: Option<i64>,
    /// For a call: who called, and from where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_from: Option<String>,
}

/// An entry of the window that is a step of a record, found by
/// [`Records::scan_window`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<K> {
    pub seq: i64,
    pub kind: K,
    /// The pass's or delivery's id.
    pub id: i64,
}

/// What one walk over the window finds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WindowScan {
    pub counts: EntryCounts,
    /// Oldest first.
    pub pass_events: Vec<EventRef<PassEventKind>>,
    /// Oldest first.
    pub delivery_events: Vec<EventRef<DeliveryEventKind>>,
}

/// Deliveries open at a cut-off: lists (perhaps cut short) and totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenDeliveries {
    pub overdue: Vec<ReportDelivery>,
    pub overdue_total: usize,
    pub due_soon: Vec<ReportDelivery>,
    pub due_soon_total: usize,
}

/// How many entries of each kind the window holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct EntryCounts {
    pub total: i64,
    pub change: i64,
    pub note: i64,
    pub call: i64,
    pub instruction: i64,
    pub handover: i64,
    pub access: i64,
}

const ALERT_COLUMNS: &str =
    "a.id, a.community_id, c.name, k.name, a.item, a.severity, a.households, a.handler,
    a.state, a.opened_at, a.closed_at, a.log_seq";
const ALERT_FROM: &str = "FROM alert a JOIN community c ON c.id = a.community_id LEFT JOIN compound k ON k.id = a.compound_id";

/// Alerts open at `?1`: those open now (the partial index) and those
/// closed since (the `closed_at` index), opened by then.
const ALERTS_OPEN_AT_SQL: &str = "
    SELECT a.id, a.community_id, c.name, k.name, a.item, a.severity, a.households, a.handler,
           a.state, a.opened_at, a.closed_at, a.log_seq
    FROM alert a JOIN community c ON c.id = a.community_id LEFT JOIN compound k ON k.id = a.compound_id
    WHERE a.state NOT IN ('resolved','cancelled') AND a.opened_at <= ?1
    UNION ALL
    SELECT a.id, a.community_id, c.name, k.name, a.item, a.severity, a.households, a.handler,
           a.state, a.opened_at, a.closed_at, a.log_seq
    FROM alert a JOIN community c ON c.id = a.community_id LEFT JOIN compound k ON k.id = a.compound_id
    WHERE a.closed_at > ?1 AND a.opened_at <= ?1";

const DELIVERY_COLUMNS: &str =
    "d.id, r.name, r.grp, c.name, k.name, d.items, d.urgency, d.due_at, d.state,
    d.assignee_kind, vo.name, ve.plate, d.attempts, d.fail_reason";
const DELIVERY_FROM: &str = "FROM delivery d
    JOIN recipient r ON r.id = d.recipient_id
    JOIN community c ON c.id = r.community_id
    LEFT JOIN compound k ON k.id = r.compound_id
    LEFT JOIN volunteer vo ON vo.id = d.volunteer_id
    LEFT JOIN vehicle ve ON ve.id = d.vehicle_id";

const PASS_COLUMNS: &str =
    "p.id, p.number, p.kind, v.plate, p.subject, u.name, p.valid_from, p.valid_until,
    p.area, p.state, p.log_seq";
const PASS_FROM: &str = "FROM pass p LEFT JOIN vehicle v ON v.id = p.vehicle_id LEFT JOIN supply_unit u ON u.id = p.unit_id";

fn time(s: &str) -> DateTime<Utc> {
    from_db(s).unwrap_or_default()
}

struct RawAlert {
    alert: ReportAlert,
    log_seq: i64,
    stored_state: AlertState,
    closed_at: Option<DateTime<Utc>>,
}

fn raw_alert(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawAlert> {
    let item: String = r.get(4)?;
    let severity: String = r.get(5)?;
    let state: String = r.get(8)?;
    let opened: String = r.get(9)?;
    let closed: Option<String> = r.get(10)?;
    let state = AlertState::from_code(&state).unwrap_or(AlertState::Open);
    Ok(RawAlert {
        alert: ReportAlert {
            id: r.get(0)?,
            community_id: r.get(1)?,
            community: r.get(2)?,
            compound: r.get(3)?,
            item: ItemClass::from_code(&item).unwrap_or(ItemClass::Other),
            severity: Severity::from_code(&severity).unwrap_or(Severity::Critical),
            households: r.get(6)?,
            handler: r.get(7)?,
            state,
            opened_at: time(&opened),
            closed_at: None,
            age_minutes: 0,
            escalated: false,
        },
        log_seq: r.get(11)?,
        stored_state: state,
        closed_at: closed.as_deref().and_then(from_db),
    })
}

/// The report's reads over one connection: the store's for a report,
/// a write transaction's for the carry-over list of a handover, so that
/// the list and the cut-off agree.
#[derive(Clone, Copy)]
pub struct Records<'c> {
    conn: &'c Connection,
}

impl<'c> Records<'c> {
    pub fn new(conn: &'c Connection) -> Records<'c> {
        Records { conn }
    }
}

impl Store {
    /// The reads of the handover report.
    pub fn records(&self) -> Records<'_> {
        Records::new(&self.conn)
    }
}

impl Records<'_> {
    /// The newest entry recorded at or before `t` (seq 0 when none).
    pub fn seq_recorded_by(&self, t: DateTime<Utc>) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT seq FROM duty_log WHERE recorded_at <= ?1 ORDER BY recorded_at DESC, seq DESC LIMIT 1",
            )?
            .query_row([to_db(t)], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// The chain head at entry `seq`: its stored hash (the genesis hash
    /// for seq 0), or `None` when there is no such entry.
    pub fn head_at(&self, seq: i64) -> Result<Option<Head>> {
        if seq == 0 {
            return Ok(Some(Head {
                seq: 0,
                hash: crate::domain::log::GENESIS.to_string(),
            }));
        }
        Ok(self
            .conn
            .prepare_cached("SELECT hash FROM duty_log WHERE seq = ?1")?
            .query_row([seq], |r| r.get::<_, String>(0))
            .optional()?
            .map(|hash| Head { seq, hash }))
    }

    /// The text of the newest entry about `subject` at or before `seq`
    /// that `accept` says something of.
    fn last_line_about<T>(
        &self,
        subject: &str,
        seq: i64,
        accept: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        let mut st = self.conn.prepare_cached(
            // An entry with a payload is told by its event (`alert.dispatch`).
            "SELECT COALESCE(json_extract(payload, '$.k'), text) FROM duty_log
             WHERE subject = ?1 AND seq <= ?2 ORDER BY seq DESC",
        )?;
        let mut rows = st.query(params![subject, seq])?;
        while let Some(r) = rows.next()? {
            let text: String = r.get(0)?;
            if let Some(t) = accept(&text) {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }

    /// The activation record in force at `t`.
    pub fn activation_at(&self, t: DateTime<Utc>) -> Result<Option<ActivationRow>> {
        Ok(self
            .activation_rows(
                "SELECT state, directive, received_at, recorded_at, recorded_by FROM activation
                 WHERE recorded_at <= ?1 ORDER BY id DESC LIMIT 1",
                &[&to_db(t)],
            )?
            .pop())
    }

    /// Activations and deactivations recorded in the window, oldest first.
    pub fn activation_changes_in(&self, w: &Window) -> Result<Vec<ActivationRow>> {
        self.activation_rows(
            "SELECT state, directive, received_at, recorded_at, recorded_by FROM activation
             WHERE recorded_at > ?1 AND recorded_at <= ?2 ORDER BY id",
            &[&to_db(w.from), &to_db(w.cutoff)],
        )
    }

    fn activation_rows(
        &self,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ActivationRow>> {
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st
            .query_map(args, |r| {
                let s: String = r.get(0)?;
                let rec: Option<String> = r.get(2)?;
                let at: String = r.get(3)?;
                Ok(ActivationRow {
                    state: ActivationState::from_code(&s).unwrap_or(ActivationState::Normal),
                    directive: r.get(1)?,
                    received_at: rec.as_deref().and_then(from_db),
                    recorded_at: time(&at),
                    recorded_by: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Puts an alert as it stood at the window's cut-off.
    fn alert_at_cutoff(&self, raw: RawAlert, w: &Window, esc: &Escalation) -> Result<ReportAlert> {
        let mut a = raw.alert;
        let closed_by_cutoff = raw.closed_at.filter(|c| *c <= w.cutoff);
        a.state = if closed_by_cutoff.is_some() || raw.log_seq <= w.cutoff_seq {
            raw.stored_state
        } else {
            // Changed after the cut-off: the log says how it stood.
            let s = self
                .last_line_about(&format!("alert:{}", a.id), w.cutoff_seq, |t| {
                    classify(ALERT_STATES, t)
                })?
                .filter(|s| s.is_open())
                .unwrap_or(AlertState::Open);
            if s == AlertState::Open {
                a.handler = None;
            }
            s
        };
        a.closed_at = closed_by_cutoff;
        let age = closed_by_cutoff.unwrap_or(w.cutoff) - a.opened_at;
        a.age_minutes = age.num_minutes().max(0);
        a.escalated = closed_by_cutoff.is_none() && age > esc.after(a.severity);
        Ok(a)
    }

    fn report_alerts(
        &self,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
        w: &Window,
        esc: &Escalation,
    ) -> Result<Vec<ReportAlert>> {
        let raws: Vec<RawAlert> = {
            let mut st = self.conn.prepare_cached(sql)?;
            st.query_map(args, raw_alert)?
                .collect::<rusqlite::Result<_>>()?
        };
        raws.into_iter()
            .map(|r| self.alert_at_cutoff(r, w, esc))
            .collect()
    }

    /// Alerts raised in the window, oldest first.
    pub fn alerts_raised_in(&self, w: &Window, esc: &Escalation) -> Result<Vec<ReportAlert>> {
        self.report_alerts(
            &format!(
                "SELECT {ALERT_COLUMNS} {ALERT_FROM} WHERE a.opened_at > ?1 AND a.opened_at <= ?2
                 ORDER BY a.opened_at, a.id"
            ),
            &[&to_db(w.from), &to_db(w.cutoff)],
            w,
            esc,
        )
    }

    /// Alerts resolved or cancelled in the window, oldest first.
    pub fn alerts_closed_in(&self, w: &Window, esc: &Escalation) -> Result<Vec<ReportAlert>> {
        self.report_alerts(
            &format!(
                "SELECT {ALERT_COLUMNS} {ALERT_FROM} WHERE a.closed_at > ?1 AND a.closed_at <= ?2
                 ORDER BY a.closed_at, a.id"
            ),
            &[&to_db(w.from), &to_db(w.cutoff)],
            w,
            esc,
        )
    }

    /// Alerts open at the cut-off: escalated first, then most severe, then
    /// oldest.
    pub fn alerts_open_at_cutoff(&self, w: &Window, esc: &Escalation) -> Result<Vec<ReportAlert>> {
        let mut v = self.report_alerts(ALERTS_OPEN_AT_SQL, &[&to_db(w.cutoff)], w, esc)?;
        v.sort_by(|a, b| {
            (!a.escalated, a.severity, a.opened_at, a.id).cmp(&(
                !b.escalated,
                b.severity,
                b.opened_at,
                b.id,
            ))
        });
        Ok(v)
    }

    /// One walk over the window's entries: how many of each kind, and
    /// which entries are steps of passes and ends of deliveries (their
    /// details are read for the ones a report shows, see
    /// [`Records::pass_event`] and [`Records::delivery_event`]).
    pub fn scan_window(&self, w: &Window) -> Result<WindowScan> {
        // Only entries about passes and deliveries need their text, and
        // only its beginning.
        let mut st = self.conn.prepare_cached(
            "SELECT seq, kind, subject,
                    CASE WHEN substr(subject, 1, 5) = 'pass:' OR substr(subject, 1, 9) = 'delivery:'
                         THEN COALESCE(json_extract(payload, '$.k'), substr(text, 1, 6)) END
             FROM duty_log WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
        )?;
        let mut rows = st.query(params![w.from_seq, w.cutoff_seq])?;
        let mut scan = WindowScan::default();
        while let Some(r) = rows.next()? {
            let c = &mut scan.counts;
            c.total += 1;
            match LogKind::from_code(r.get_ref(1)?.as_str().unwrap_or_default()) {
                Some(LogKind::Change) => c.change += 1,
                Some(LogKind::Note) => c.note += 1,
                Some(LogKind::Call) => c.call += 1,
                Some(LogKind::Instruction) => c.instruction += 1,
                Some(LogKind::Handover) => c.handover += 1,
                Some(LogKind::Access) => c.access += 1,
                None => {}
            }
            let Some(head) = r.get_ref(3)?.as_str_or_null().ok().flatten() else {
                continue;
            };
            let subject = r.get_ref(2)?.as_str().unwrap_or_default();
            let seq: i64 = r.get(0)?;
            let id_after =
                |prefix: &str| -> Option<i64> { subject.strip_prefix(prefix)?.parse().ok() };
            if let (Some(id), Some(kind)) = (id_after("pass:"), classify(PASS_LINES, head)) {
                scan.pass_events.push(EventRef { seq, kind, id });
            } else if let (Some(id), Some(kind)) =
                (id_after("delivery:"), classify(DELIVERY_LINES, head))
            {
                scan.delivery_events.push(EventRef { seq, kind, id });
            }
        }
        Ok(scan)
    }

    /// A pass step found by [`Records::scan_window`], with the pass.
    pub fn pass_event(&self, e: &EventRef<PassEventKind>) -> Result<Option<PassEvent>> {
        let Some((at, officer, reason)) = self.entry_head(e.seq)? else {
            return Ok(None);
        };
        let pass = self
            .conn
            .prepare_cached(&format!(
                "SELECT {PASS_COLUMNS} {PASS_FROM} WHERE p.id = ?1"
            ))?
            .query_row([e.id], pass_row)
            .optional()?;
        Ok(pass.map(|pass| PassEvent {
            seq: e.seq,
            at,
            officer,
            kind: e.kind,
            reason: Some(reason).filter(|r| !r.is_empty()),
            pass,
        }))
    }

    /// A delivery's end found by [`Records::scan_window`], with the
    /// delivery (recipient masked).
    pub fn delivery_event(&self, e: &EventRef<DeliveryEventKind>) -> Result<Option<DeliveryEvent>> {
        let Some((at, officer, _)) = self.entry_head(e.seq)? else {
            return Ok(None);
        };
        let Some(mut d) = self.delivery_by_id(e.id)? else {
            return Ok(None);
        };
        d.state = match e.kind {
            DeliveryEventKind::Delivered => DeliveryState::Delivered,
            DeliveryEventKind::Failed => DeliveryState::Failed,
            DeliveryEventKind::Cancelled => DeliveryState::Cancelled,
        };
        Ok(Some(DeliveryEvent {
            seq: e.seq,
            at,
            officer,
            kind: e.kind,
            delivery: d,
        }))
    }

    /// When, by whom, and the reason given (empty when none).
    fn entry_head(&self, seq: i64) -> Result<Option<(DateTime<Utc>, String, String)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT recorded_at, officer, text, json_extract(payload, '$.reason') FROM duty_log
                 WHERE seq = ?1",
            )?
            .query_row([seq], |r| {
                let at: String = r.get(0)?;
                // An entry with a payload names its reason there; the
                // text of an older one after its marker.
                let text: String = r.get(2)?;
                let reason: Option<String> = r.get(3)?;
                Ok((
                    time(&at),
                    r.get(1)?,
                    reason.unwrap_or_else(|| {
                        text.split_once("; 原因 reason: ")
                            .map_or_else(String::new, |(_, r)| r.to_string())
                    }),
                ))
            })
            .optional()?)
    }

    fn delivery_by_id(&self, id: i64) -> Result<Option<ReportDelivery>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS} {DELIVERY_FROM} WHERE d.id = ?1"
            ))?
            .query_row([id], delivery_row)
            .optional()?)
    }

    /// Passes in force at the cut-off whose window ends within `warn`
    /// after it, soonest first: the first `limit` of them (all for
    /// `None`) and how many there are.
    pub fn passes_expiring_after_cutoff(
        &self,
        w: &Window,
        warn: Duration,
        limit: Option<usize>,
    ) -> Result<(Vec<ReportPass>, usize)> {
        let keys: Vec<(i64, String, i64)> = {
            let mut st = self.conn.prepare_cached(
                "SELECT p.id, p.state, p.log_seq FROM pass p
                 WHERE p.valid_until > ?1 AND p.valid_until <= ?2 AND p.valid_from <= ?1
                 ORDER BY p.valid_until, p.id",
            )?;
            st.query_map(params![to_db(w.cutoff), to_db(w.cutoff + warn)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        let mut total = 0;
        let mut out = Vec::new();
        let mut one = self.conn.prepare_cached(&format!(
            "SELECT {PASS_COLUMNS} {PASS_FROM} WHERE p.id = ?1"
        ))?;
        for (id, state, log_seq) in keys {
            let state = if log_seq <= w.cutoff_seq {
                PassState::from_code(&state)
            } else {
                // Changed after the cut-off (or made after it: no line).
                self.last_line_about(&format!("pass:{id}"), w.cutoff_seq, |t| {
                    classify(PASS_STATES, t)
                })?
            };
            if state != Some(PassState::Issued) {
                continue;
            }
            total += 1;
            if limit.is_none_or(|n| out.len() < n)
                && let Some(p) = one.query_row([id], pass_row).optional()?
            {
                out.push(p);
            }
        }
        Ok((out, total))
    }

    /// Deliveries open at the cut-off and due by `until`, most urgent and
    /// earliest due first, split into those overdue at the cut-off and
    /// those due after it: the first `limit` of each (all for `None`),
    /// and how many there are.
    pub fn deliveries_open_at_cutoff(
        &self,
        w: &Window,
        until: DateTime<Utc>,
        limit: Option<usize>,
    ) -> Result<OpenDeliveries> {
        // Open now (the queue's partial index) or finished since the
        // cut-off (the done_at index); queued by then.
        let mut keys: Vec<(i64, i64, String, String, i64)> = {
            let mut st = self.conn.prepare_cached(
                "SELECT d.id, d.urgency_rank, d.due_at, d.state, d.log_seq FROM delivery d
                 WHERE d.state IN ('queued','assigned','en_route','failed') AND d.created_at <= ?1
                   AND d.due_at <= ?2
                 UNION ALL
                 SELECT d.id, d.urgency_rank, d.due_at, d.state, d.log_seq FROM delivery d
                 WHERE d.done_at > ?1 AND d.created_at <= ?1 AND d.due_at <= ?2",
            )?;
            st.query_map(params![to_db(w.cutoff), to_db(until)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        keys.sort_by(|a, b| (a.1, &a.2, a.0).cmp(&(b.1, &b.2, b.0)));
        let cutoff = to_db(w.cutoff);
        let mut out = OpenDeliveries::default();
        for (id, _, due, state, log_seq) in keys {
            let at_cutoff = if log_seq <= w.cutoff_seq {
                DeliveryState::from_code(&state)
            } else {
                // Changed after the cut-off: the log says how it stood.
                Some(
                    self.last_line_about(&format!("delivery:{id}"), w.cutoff_seq, |t| {
                        classify(DELIVERY_STATES, t)
                    })?
                    .unwrap_or(DeliveryState::Queued),
                )
            };
            let Some(at_cutoff) = at_cutoff.filter(|s| s.is_open()) else {
                continue;
            };
            let overdue = due < cutoff;
            let (list, total) = if overdue {
                (&mut out.overdue, &mut out.overdue_total)
            } else {
                (&mut out.due_soon, &mut out.due_soon_total)
            };
            *total += 1;
            if limit.is_some_and(|n| list.len() >= n) {
                continue;
            }
            if let Some(mut d) = self.delivery_by_id(id)? {
                if d.state != at_cutoff {
                    d.state = at_cutoff;
                    if at_cutoff == DeliveryState::Queued {
                        d.assignee = None;
                    }
                }
                list.push(d);
            }
        }
        Ok(out)
    }

    /// Notes, calls and instructions (or the kinds asked for) of the
    /// window, oldest first: the first `limit` of them (all for `None`).
    pub fn entries_in(
        &self,
        w: &Window,
        kinds: &[LogKind],
        limit: Option<usize>,
    ) -> Result<Vec<ReportEntry>> {
        let mut out = Vec::new();
        let mut st = self.conn.prepare_cached(
            "SELECT seq, kind, recorded_at, occurred_at, officer, text, corrects,
                    json_extract(payload, '$.caller'), json_extract(payload, '$.from') FROM duty_log
             WHERE kind = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq LIMIT ?4",
        )?;
        let n = limit.map_or(-1, |n| n as i64);
        for &k in kinds {
            let rows = st.query_map(params![k.code(), w.from_seq, w.cutoff_seq, n], |r| {
                let at: String = r.get(2)?;
                let occ: Option<String> = r.get(3)?;
                Ok(ReportEntry {
                    seq: r.get(0)?,
                    kind: k,
                    recorded_at: time(&at),
                    occurred_at: occ.as_deref().and_then(from_db),
                    officer: r.get(4)?,
                    text: r.get(5)?,
                    corrects: r.get(6)?,
                    caller: r.get(7)?,
                    caller_from: r.get(8)?,
                })
            })?;
            for e in rows {
                out.push(e?);
            }
        }
        out.sort_by_key(|e| e.seq);
        if let Some(n) = limit {
            out.truncate(n);
        }
        Ok(out)
    }
}

/// A pass from a row of `PASS_COLUMNS`.
fn pass_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReportPass> {
    let kind: String = r.get(2)?;
    let kind = PassKind::from_code(&kind).unwrap_or(PassKind::Vehicle);
    let plate: Option<String> = r.get(3)?;
    let subject: String = r.get(4)?;
    let from: String = r.get(6)?;
    let until: String = r.get(7)?;
    Ok(ReportPass {
        id: r.get(0)?,
        number: r.get(1)?,
        kind,
        holder: match kind {
            PassKind::Vehicle => plate.unwrap_or(subject),
            PassKind::Staff => mask::mask_holder(&subject),
            PassKind::Business => subject,
        },
        unit: r.get(5)?,
        valid_from: time(&from),
        valid_until: time(&until),
        area: r.get(8)?,
    })
}

/// A delivery from a row of `DELIVERY_COLUMNS`.
fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReportDelivery> {
    let name: String = r.get(1)?;
    let grp: String = r.get(2)?;
    let group = Group::from_code(&grp).unwrap_or(Group::ElderlyAlone);
    let urgency: String = r.get(6)?;
    let due: String = r.get(7)?;
    let state: String = r.get(8)?;
    let akind: Option<String> = r.get(9)?;
    let fail: Option<String> = r.get(13)?;
    let assignee: Option<String> = match akind.as_deref() {
        Some("volunteer") => r.get(10)?,
        Some("vehicle") => r.get(11)?,
        _ => None,
    };
    Ok(ReportDelivery {
        id: r.get(0)?,
        recipient: if group.is_institution() {
            name
        } else {
            mask::mask_name(&name)
        },
        group,
        community: r.get(3)?,
        compound: r.get(4)?,
        items: r.get(5)?,
        urgency: Urgency::from_code(&urgency).unwrap_or(Urgency::Normal),
        due_at: time(&due),
        state: DeliveryState::from_code(&state).unwrap_or(DeliveryState::Queued),
        assignee,
        attempts: r.get(12)?,
        fail_reason: fail.as_deref().and_then(FailReason::from_code),
    })
}
