//! Point-to-point delivery to special groups: the queue, its steps
//! (assign, en route, delivered, failed, requeued, cancelled), the
//! recipient search behind the queue form, and the logged reveal of a
//! recipient's personal data.
//!
//! Recipients are vulnerable people. What leaves this module for a screen
//! carries their names and phones masked; log lines never carry the raw
//! values; the raw record comes only from [`Store::reveal_recipient`],
//! which logs who looked.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::fields::{self, Field, NAME_MAX_CHARS, TEXT_MAX_CHARS, field};
use super::pass_actions::{VEHICLE_BY_PLATE_SQL, vehicle_may_pass};
use super::{Actor, LogDraft, Result, Store, StoreError};
use crate::domain::Code;
use crate::domain::delivery::{
    self, AssigneeKind, DeliveryAction, DeliveryState, FailReason, Group, Urgency,
};
use crate::domain::log::LogKind;
use crate::domain::log_text::Payload;
use crate::domain::mask;
use crate::domain::plate;
use crate::domain::time::{from_db, to_db};
use crate::msg;
use crate::msg::Msg;

/// How far ahead a delivery may be due.
pub const DUE_MAX_AHEAD_DAYS: i64 = 30;

#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub recipient_id: i64,
    pub items: String,
    pub urgency: Urgency,
    pub due_at: DateTime<Utc>,
}

/// Who takes a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignee {
    Volunteer(i64),
    /// A plate as typed.
    Vehicle(String),
}

/// An assignment made; the warning says the vehicle has no pass that lets
/// it through now (assigned all the same: the officer decides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub seq: i64,
    pub warning: Option<Msg>,
}

/// One line of the delivery queue; the recipient is masked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueueRow {
    pub id: i64,
    pub recipient_id: i64,
    /// Masked (institutions by their name).
    pub recipient: String,
    pub group: Group,
    pub address: String,
    pub items: String,
    pub urgency: Urgency,
    pub due_at: DateTime<Utc>,
    /// Still open and past its due time at the `now` asked for.
    pub overdue: bool,
    pub assignee_kind: Option<AssigneeKind>,
    /// The volunteer's name or the vehicle's plate.
    pub assignee: Option<String>,
    pub state: DeliveryState,
    pub attempts: i64,
    pub fail_reason: Option<FailReason>,
    pub note: Option<String>,
    pub received_by: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

/// Totals for the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct QueueCounts {
    pub open: i64,
    pub overdue: i64,
    pub urgent: i64,
    pub en_route: i64,
    pub failed: i64,
}

/// A recipient found by the queue form's search, masked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecipientMatch {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub group: Group,
    pub community: String,
    pub address: String,
    pub needs: Option<String>,
}

/// A recipient's record as stored, raw: only from
/// [`Store::reveal_recipient`]. Its `Debug` form is masked, so that a
/// panic or a log line that prints it shows nothing personal.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecipientData {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub group: Group,
    pub condition: Option<String>,
    pub community: String,
    pub compound: Option<String>,
    pub building: Option<String>,
    pub unit_no: Option<String>,
    pub room: Option<String>,
    pub needs: Option<String>,
}

impl std::fmt::Debug for RecipientData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::mask::{mask_id_number, mask_name, mask_phone};
        f.debug_struct("RecipientData")
            .field("id", &self.id)
            .field("name", &mask_name(&self.name))
            .field("phone", &self.phone.as_deref().map(mask_phone))
            .field("id_number", &self.id_number.as_deref().map(mask_id_number))
            .field("group", &self.group)
            .field("condition", &self.condition.as_ref().map(|_| "<hidden>"))
            .field("community", &self.community)
            .finish_non_exhaustive()
    }
}

const ITEMS: Field = field("配送物品", "items");
const RECEIVED_BY: Field = field("签收人", "receiver");
const NOTE: Field = field("说明", "note");
const REASON: Field = field("原因", "reason");

/// The open queue, most urgent and earliest due first, served by the
/// `delivery_queue` partial index; exposed so that tests can check its plan.
pub const QUEUE_PAGE_SQL: &str = "
    SELECT d.id, d.recipient_id, r.name, r.grp, c.name, k.name, r.building, r.unit_no, r.room,
           d.items, d.urgency, d.due_at, d.assignee_kind, vo.name, ve.plate, d.state, d.attempts,
           d.fail_reason, d.note, d.received_by, d.done_at, r.phone, r.id_number
    FROM delivery d
    JOIN recipient r ON r.id = d.recipient_id
    JOIN community c ON c.id = r.community_id
    LEFT JOIN compound k ON k.id = r.compound_id
    LEFT JOIN volunteer vo ON vo.id = d.volunteer_id
    LEFT JOIN vehicle ve ON ve.id = d.vehicle_id
    WHERE d.state IN ('queued','assigned','en_route','failed')
    ORDER BY d.urgency_rank, d.due_at, d.id
    LIMIT ?1 OFFSET ?2";

const ONE_SQL: &str = "
    SELECT d.id, d.recipient_id, r.name, r.grp, c.name, k.name, r.building, r.unit_no, r.room,
           d.items, d.urgency, d.due_at, d.assignee_kind, vo.name, ve.plate, d.state, d.attempts,
           d.fail_reason, d.note, d.received_by, d.done_at, r.phone, r.id_number
    FROM delivery d
    JOIN recipient r ON r.id = d.recipient_id
    JOIN community c ON c.id = r.community_id
    LEFT JOIN compound k ON k.id = r.compound_id
    LEFT JOIN volunteer vo ON vo.id = d.volunteer_id
    LEFT JOIN vehicle ve ON ve.id = d.vehicle_id
    WHERE d.id = ?1";

fn address(community: &str, parts: [Option<String>; 4]) -> String {
    let mut out = community.to_string();
    for p in parts.into_iter().flatten() {
        if !p.trim().is_empty() {
            out.push(' ');
            out.push_str(p.trim());
        }
    }
    out
}

/// The name to show: masked for a person, as is for an institution.
fn shown_name(name: &str, group: Group) -> String {
    if group.is_institution() {
        name.to_string()
    } else {
        mask::mask_name(name)
    }
}

/// A queue row, plus the raw secrets of its recipient for scrubbing text
/// (never returned to callers).
struct Loaded {
    row: QueueRow,
    secrets: Vec<String>,
}

fn queue_row(r: &rusqlite::Row<'_>, now: DateTime<Utc>) -> rusqlite::Result<Loaded> {
    let name: String = r.get(2)?;
    let grp: String = r.get(3)?;
    let group = Group::from_code(&grp).unwrap_or(Group::ElderlyAlone);
    let community: String = r.get(4)?;
    let urgency: String = r.get(10)?;
    let due: String = r.get(11)?;
    let akind: Option<String> = r.get(12)?;
    let volunteer: Option<String> = r.get(13)?;
    let plate: Option<String> = r.get(14)?;
    let state: String = r.get(15)?;
    let fail: Option<String> = r.get(17)?;
    let done: Option<String> = r.get(20)?;
    let phone: Option<String> = r.get(21)?;
    let id_number: Option<String> = r.get(22)?;
    let state = DeliveryState::from_code(&state).unwrap_or(DeliveryState::Queued);
    let due_at = from_db(&due).unwrap_or_default();
    let assignee_kind = akind.as_deref().and_then(AssigneeKind::from_code);
    let assignee = match assignee_kind {
        Some(AssigneeKind::Volunteer) => volunteer,
        Some(AssigneeKind::Vehicle) => plate,
        None => None,
    };
    let received_by: Option<String> = r.get(19)?;
    let mut secrets = vec![name.clone()];
    secrets.extend(phone);
    secrets.extend(id_number);
    Ok(Loaded {
        row: QueueRow {
            id: r.get(0)?,
            recipient_id: r.get(1)?,
            recipient: shown_name(&name, group),
            group,
            address: address(&community, [r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?]),
            items: r.get(9)?,
            urgency: Urgency::from_code(&urgency).unwrap_or(Urgency::Normal),
            due_at,
            overdue: state.is_open() && due_at < now,
            assignee_kind,
            assignee,
            state,
            attempts: r.get(16)?,
            fail_reason: fail.as_deref().and_then(FailReason::from_code),
            note: r.get(18)?,
            received_by: received_by.as_deref().map(|r| shown_receiver(r, &[])),
            done_at: done.as_deref().and_then(from_db),
        },
        secrets,
    })
}

fn load(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<Loaded> {
    conn.prepare_cached(ONE_SQL)?
        .query_row([id], |r| queue_row(r, now))
        .optional()?
        .ok_or_else(|| {
            StoreError::NotFound(msg!(
                "没有编号为 {id} 的配送任务；请检查编号。",
                "There is no delivery #{id}; check the number."
            ))
        })
}

/// The recipient as the scrubber's subject of a text about them.
fn recipient_person(id: i64, name: &str) -> crate::domain::scrub::Person {
    crate::domain::scrub::Person {
        kind: crate::domain::scrub::PersonKind::Recipient,
        id,
        name: Some(name.to_string()),
    }
}

/// Keeps the recipient's raw name, phone and ID number out of text that
/// is logged or shown.
fn scrub(text: &str, secrets: &[String]) -> String {
    let s: Vec<&str> = secrets.iter().map(String::as_str).collect();
    mask::mask_free_text(text, &s)
}

fn past(action: DeliveryAction) -> (&'static str, &'static str) {
    match action {
        DeliveryAction::Assign => ("分派", "assigned"),
        DeliveryAction::Depart => ("标记出发", "sent on its way"),
        DeliveryAction::Deliver => ("标记送达", "marked delivered"),
        DeliveryAction::Fail => ("标记未送达", "marked failed"),
        DeliveryAction::Requeue => ("重新排队", "requeued"),
        DeliveryAction::Cancel => ("取消", "cancelled"),
    }
}

fn forbidden(id: i64, from: DeliveryState, action: DeliveryAction) -> StoreError {
    let (szh, sen) = (from.label_zh(), from.label_en().to_lowercase());
    let (azh, aen) = past(action);
    let (hzh, hen) = match (from, action) {
        (DeliveryState::Delivered | DeliveryState::Cancelled, _) => (
            "已结束的配送不能再改；如需再送，请新建配送。",
            "a finished delivery cannot change; queue a new one if needed.",
        ),
        (DeliveryState::Queued, DeliveryAction::Requeue) => {
            ("它已在队列中。", "it is already in the queue.")
        }
        (DeliveryState::Assigned, DeliveryAction::Requeue) => (
            "如需换人，请直接重新分派。",
            "to change who goes, assign it again.",
        ),
        (DeliveryState::Queued, _) => (
            "请先分派志愿者或车辆。",
            "assign a volunteer or vehicle first.",
        ),
        (DeliveryState::Assigned, _) => ("请先标记出发。", "mark it en route first."),
        (DeliveryState::EnRoute, _) => ("请标记送达或未送达。", "mark it delivered or failed."),
        (DeliveryState::Failed, _) => ("请先重新排队。", "requeue it first."),
    };
    StoreError::Refused(msg!(
        "配送 #{id} 当前为“{szh}”，不能{azh}；{hzh}",
        "Delivery #{id} is {sen}, so it cannot be {aen}; {hen}"
    ))
}

/// The recipient's fields of a log entry (the name masked).
fn recipient_fields(p: Payload, row: &QueueRow) -> Payload {
    p.with("rid", row.recipient_id)
        .with("recipient", row.recipient.clone())
        .with("group", row.group.code())
}

/// Who signed for it, for the log and the screen: a role word as is, a
/// name masked.
fn shown_receiver(received_by: &str, secrets: &[String]) -> String {
    const ROLES: &[&str] = &[
        "本人",
        "家属",
        "亲属",
        "邻居",
        "门卫",
        "物业",
        "网格员",
        "楼栋长",
        "self",
        "family",
        "neighbour",
        "neighbor",
        "guard",
    ];
    let t = received_by.trim();
    if ROLES.iter().any(|r| r.eq_ignore_ascii_case(t)) {
        t.to_string()
    } else {
        scrub(&mask::mask_name(t), secrets)
    }
}

fn check_due(due: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    if due <= now {
        let at = fields::log_time(due);
        return Err(StoreError::Refused(msg!(
            "送达期限 {at} 已过；请填写将来的时间。",
            "The due time {at} has already passed; give a time in the future."
        )));
    }
    if due > now + Duration::days(DUE_MAX_AHEAD_DAYS) {
        return Err(StoreError::Refused(msg!(
            "送达期限超过 {DUE_MAX_AHEAD_DAYS} 天；请填写更近的时间。",
            "The due time is more than {DUE_MAX_AHEAD_DAYS} days ahead; give a nearer time."
        )));
    }
    Ok(())
}

impl Store {
    /// Queues a delivery for a recipient. Returns its id and the log seq.
    pub fn queue_delivery(&mut self, actor: &Actor, new: &NewDelivery) -> Result<(i64, i64)> {
        let items = fields::required_text(ITEMS, &new.items, TEXT_MAX_CHARS)?;
        check_due(new.due_at, self.now())?;
        let rid = new.recipient_id;
        let (urgency, due_at) = (new.urgency, new.due_at);
        self.change(actor, |w| {
            let rec: Option<(String, String, Option<String>, Option<String>)> = w
                .conn()
                .query_row("SELECT name, grp, phone, id_number FROM recipient WHERE id = ?1", [rid], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            let Some((name, grp, phone, idn)) = rec else {
                return Err(StoreError::NotFound(msg!(
                    "没有编号为 {rid} 的特殊群体对象；请先搜索并选择对象。",
                    "There is no recipient #{rid}; search for the recipient and choose one."
                )));
            };
            let group = Group::from_code(&grp).unwrap_or(Group::ElderlyAlone);
            let _ = (phone, idn);
            let items = w.scrub_about(&items, recipient_person(rid, &name))?;
            let id = w.next_id("delivery")?;
            let event = Payload::new("delivery.queue")
                .with("id", id)
                .with("rid", rid)
                .with("recipient", shown_name(&name, group))
                .with("group", group.code())
                .with("items", items.clone())
                .with("urgency", urgency.code())
                .with("due", fields::log_time(due_at));
            let seq = w.log(LogDraft::event(format!("delivery:{id}"), event))?;
            let now = to_db(w.now());
            w.conn().execute(
                "INSERT INTO delivery (id, recipient_id, items, urgency, due_at, state, attempts, created_at,
                    updated_at, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'queued', 0, ?6, ?6, ?7)",
                params![id, rid, items, urgency.code(), to_db(due_at), now, seq],
            )?;
            Ok(id)
        })
    }

    /// Assigns a volunteer or a vehicle (again, to change who goes). A
    /// vehicle without a pass that lets it through now is assigned with a
    /// warning.
    pub fn assign_delivery(&mut self, actor: &Actor, id: i64, to: &Assignee) -> Result<Assigned> {
        // The plate is normalised before the write lock is taken.
        let to = match to {
            Assignee::Vehicle(typed) => Assignee::Vehicle(
                plate::normalize(typed)
                    .map_err(|e| {
                        StoreError::Refused(Msg::new(e.describe(true), e.describe(false)))
                    })?
                    .plate
                    .as_str()
                    .to_string(),
            ),
            v @ Assignee::Volunteer(_) => v.clone(),
        };
        let (warning, seq) = self.change(actor, |w| {
            let now = w.now();
            let d = load(w.conn(), id, now)?;
            delivery::step(d.row.state, DeliveryAction::Assign)
                .map_err(|_| forbidden(id, d.row.state, DeliveryAction::Assign))?;
            let (kind, volunteer_id, vehicle_id, who, warning) = match &to {
                Assignee::Volunteer(vid) => {
                    let vid = *vid;
                    let v: Option<(String, i64)> = w
                        .conn()
                        .query_row("SELECT name, active FROM volunteer WHERE id = ?1", [vid], |r| {
                            Ok((r.get(0)?, r.get(1)?))
                        })
                        .optional()?;
                    match v {
                        None => {
                            return Err(StoreError::NotFound(msg!(
                                "没有编号为 {vid} 的志愿者；请从名单中选择。",
                                "There is no volunteer #{vid}; choose one from the list."
                            )));
                        }
                        Some((name, 0)) => {
                            return Err(StoreError::Refused(msg!(
                                "志愿者 {name} 已不在岗；请选择其他志愿者。",
                                "The volunteer {name} is no longer active; choose another volunteer."
                            )));
                        }
                        Some((name, _)) => (
                            AssigneeKind::Volunteer,
                            Some(vid),
                            None,
                            name.clone(),
                            None,
                        ),
                    }
                }
                Assignee::Vehicle(p) => {
                    let found: Option<(i64, Option<i64>)> = w
                        .conn()
                        .prepare_cached(VEHICLE_BY_PLATE_SQL)?
                        .query_row([p], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()?;
                    let Some((vid, _)) = found else {
                        return Err(StoreError::NotFound(msg!(
                            "车辆台账中没有车牌 {p}；请先登记车辆，或检查车牌。",
                            "There is no vehicle {p} in the ledger; register it first or check the plate."
                        )));
                    };
                    let warning = (!vehicle_may_pass(w.conn(), vid, now)?).then(|| {
                        msg!(
                            "车辆 {p} 当前没有有效通行证；已分派，但请在出发前办妥通行证。",
                            "The vehicle {p} has no pass that lets it through now; it is assigned, but get it a pass before it sets off."
                        )
                    });
                    (AssigneeKind::Vehicle, None, Some(vid), p.clone(), warning)
                }
            };
            let again = if d.row.state == DeliveryState::Assigned {
                "delivery.reassign"
            } else {
                "delivery.assign"
            };
            let event = recipient_fields(Payload::new(again).with("id", id), &d.row)
                .with("to_kind", kind.code())
                .with("to", who)
                .with("no_pass", warning.is_some().then_some("1"));
            let seq = w.log(LogDraft::event(format!("delivery:{id}"), event))?;
            w.conn().execute(
                "UPDATE delivery SET state = 'assigned', assignee_kind = ?1, volunteer_id = ?2, vehicle_id = ?3,
                    updated_at = ?4, log_seq = ?5 WHERE id = ?6",
                params![kind.code(), volunteer_id, vehicle_id, to_db(now), seq, id],
            )?;
            Ok(warning)
        })?;
        Ok(Assigned { seq, warning })
    }

    /// The assignee has set off.
    pub fn depart_delivery(&mut self, actor: &Actor, id: i64) -> Result<i64> {
        self.delivery_step(actor, id, DeliveryAction::Depart, |_| Ok(Step::default()))
    }

    /// Delivered, signed for by `received_by` (the recipient, a family
    /// member, a guard, …).
    pub fn deliver(&mut self, actor: &Actor, id: i64, received_by: &str) -> Result<i64> {
        let received_by = fields::required_line(RECEIVED_BY, received_by, NAME_MAX_CHARS)?;
        self.delivery_step(actor, id, DeliveryAction::Deliver, |secrets| {
            Ok(Step {
                fields: vec![("received", shown_receiver(&received_by, secrets))],
                received_by: Some(received_by.clone()),
                done: true,
                ..Step::default()
            })
        })
    }

    /// Not delivered, for a reason; counts one failed attempt. A note is
    /// required when the reason is "other".
    pub fn fail_delivery(
        &mut self,
        actor: &Actor,
        id: i64,
        reason: FailReason,
        note: Option<&str>,
    ) -> Result<i64> {
        let note = fields::optional_text(NOTE, note, TEXT_MAX_CHARS)?;
        if reason == FailReason::Other && note.is_none() {
            return Err(StoreError::Refused(msg!(
                "原因为“其他”时须写明说明；请补充未送达的原因。",
                "With the reason \"other\" a note is required; say why it was not delivered."
            )));
        }
        self.delivery_step(actor, id, DeliveryAction::Fail, |secrets| {
            let note = note.as_deref().map(|n| scrub(n, secrets));
            let mut fields = vec![("reason", reason.code().to_string())];
            if let Some(n) = &note {
                fields.push(("note", n.clone()));
            }
            Ok(Step {
                fields,
                fail_reason: Some(reason),
                note,
                set_note: true,
                failed: true,
                ..Step::default()
            })
        })
    }

    /// Puts a failed delivery back in the queue, unassigned, perhaps with
    /// a new due time.
    pub fn requeue_delivery(
        &mut self,
        actor: &Actor,
        id: i64,
        new_due: Option<DateTime<Utc>>,
    ) -> Result<i64> {
        if let Some(d) = new_due {
            check_due(d, self.now())?;
        }
        self.delivery_step(actor, id, DeliveryAction::Requeue, |_| {
            Ok(Step {
                fields: new_due
                    .map(|d| vec![("due", fields::log_time(d))])
                    .unwrap_or_default(),
                new_due,
                unassign: true,
                ..Step::default()
            })
        })
    }

    /// Cancels an open delivery; the reason is required.
    pub fn cancel_delivery(&mut self, actor: &Actor, id: i64, reason: &str) -> Result<i64> {
        let reason = fields::required_text(REASON, reason, TEXT_MAX_CHARS)?;
        self.delivery_step(actor, id, DeliveryAction::Cancel, |_| {
            Ok(Step {
                fields: vec![("reason", reason.clone())],
                note: Some(reason),
                set_note: true,
                done: true,
                ..Step::default()
            })
        })
    }

    fn delivery_step(
        &mut self,
        actor: &Actor,
        id: i64,
        action: DeliveryAction,
        make: impl FnOnce(&[String]) -> Result<Step>,
    ) -> Result<i64> {
        let (_, seq) = self.change(actor, |w| {
            let now = w.now();
            let d = load(w.conn(), id, now)?;
            let to = delivery::step(d.row.state, action)
                .map_err(|_| forbidden(id, d.row.state, action))?;
            let mut step = make(&d.secrets)?;
            // The door: what is stored and logged about the recipient.
            let who = recipient_person(
                d.row.recipient_id,
                d.secrets.first().map_or("", String::as_str),
            );
            if let Some(n) = step.note.take() {
                step.note = Some(w.scrub_about(&n, who.clone())?);
            }
            if let Some(r) = step.received_by.take() {
                step.received_by = Some(w.scrub_about(&r, who)?);
            }
            let kind = match action {
                DeliveryAction::Depart => "delivery.depart",
                DeliveryAction::Deliver => "delivery.deliver",
                DeliveryAction::Fail => "delivery.fail",
                DeliveryAction::Requeue => "delivery.requeue",
                DeliveryAction::Cancel => "delivery.cancel",
                DeliveryAction::Assign => "delivery.assign",
            };
            let mut event = recipient_fields(Payload::new(kind).with("id", id), &d.row);
            if !step.unassign {
                event = event.with("assignee", d.row.assignee.clone());
            }
            for (name, v) in &step.fields {
                event = event.with(name, v.clone());
            }
            let seq = w.log(LogDraft::event(format!("delivery:{id}"), event))?;
            let n = to_db(now);
            w.conn().execute(
                "UPDATE delivery SET state = ?1,
                    received_by = COALESCE(?2, received_by),
                    fail_reason = COALESCE(?3, fail_reason),
                    note = CASE WHEN ?12 THEN ?4 ELSE note END,
                    attempts = attempts + ?5,
                    done_at = CASE WHEN ?6 THEN ?7 ELSE done_at END,
                    due_at = COALESCE(?8, due_at),
                    assignee_kind = CASE WHEN ?9 THEN NULL ELSE assignee_kind END,
                    volunteer_id = CASE WHEN ?9 THEN NULL ELSE volunteer_id END,
                    vehicle_id = CASE WHEN ?9 THEN NULL ELSE vehicle_id END,
                    updated_at = ?7, log_seq = ?10
                 WHERE id = ?11",
                params![
                    to.code(),
                    step.received_by,
                    step.fail_reason.map(|r| r.code()),
                    step.note,
                    i64::from(step.failed),
                    step.done,
                    n,
                    step.new_due.map(to_db),
                    step.unassign,
                    seq,
                    id,
                    step.set_note
                ],
            )?;
            Ok(())
        })?;
        Ok(seq)
    }

    /// One delivery, any state, recipient masked.
    pub fn delivery(&self, id: i64, now: DateTime<Utc>) -> Result<QueueRow> {
        Ok(load(&self.conn, id, now)?.row)
    }

    /// One page of the open queue: most urgent first, then earliest due.
    pub fn delivery_queue_page(
        &self,
        now: DateTime<Utc>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<QueueRow>> {
        let mut st = self.conn.prepare_cached(QUEUE_PAGE_SQL)?;
        let rows = st
            .query_map(params![limit, offset], |r| queue_row(r, now).map(|l| l.row))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Open, overdue, urgent, en-route and failed deliveries, for the
    /// header.
    pub fn delivery_counts(&self, now: DateTime<Utc>) -> Result<QueueCounts> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT COUNT(*), COALESCE(SUM(due_at < ?1), 0), COALESCE(SUM(urgency = 'urgent'), 0),
                        COALESCE(SUM(state = 'en_route'), 0), COALESCE(SUM(state = 'failed'), 0)
                 FROM delivery WHERE state IN ('queued','assigned','en_route','failed')",
            )?
            .query_row([to_db(now)], |r| {
                Ok(QueueCounts {
                    open: r.get(0)?,
                    overdue: r.get(1)?,
                    urgent: r.get(2)?,
                    en_route: r.get(3)?,
                    failed: r.get(4)?,
                })
            })?)
    }

    /// Recipients whose name contains `query`, or whose address (community,
    /// compound, building) contains it, or whose group's name does; masked.
    /// A blank query lists the first ones.
    pub fn find_recipients(&self, query: &str, limit: i64) -> Result<Vec<RecipientMatch>> {
        let q = query.trim();
        let lower = q.to_lowercase();
        let groups: String = Group::ALL
            .iter()
            .filter(|g| {
                !q.is_empty()
                    && (g.label_zh().contains(q)
                        || g.label_en().to_lowercase().contains(&lower)
                        || g.code().contains(&lower)
                        || g.aliases()
                            .iter()
                            .any(|a| a.contains(q) || a.contains(&lower)))
            })
            .map(|g| format!(",{},", g.code()))
            .collect();
        let mut st = self.conn.prepare_cached(
            "SELECT r.id, r.name, r.phone, r.grp, c.name, k.name, r.building, r.unit_no, r.room, r.needs
             FROM recipient r JOIN community c ON c.id = r.community_id LEFT JOIN compound k ON k.id = r.compound_id
             WHERE ?1 = ''
                OR instr(r.name, ?1) > 0
                OR instr(c.name, ?1) > 0
                OR instr(COALESCE(k.name, ''), ?1) > 0
                OR instr(COALESCE(r.building, '') || ' ' || COALESCE(r.unit_no, '') || ' ' || COALESCE(r.room, ''), ?1) > 0
                OR instr(?2, ',' || r.grp || ',') > 0
             ORDER BY r.id LIMIT ?3",
        )?;
        let rows = st
            .query_map(params![q, groups, limit], |r| {
                let name: String = r.get(1)?;
                let phone: Option<String> = r.get(2)?;
                let grp: String = r.get(3)?;
                let group = Group::from_code(&grp).unwrap_or(Group::ElderlyAlone);
                let community: String = r.get(4)?;
                let needs: Option<String> = r.get(9)?;
                let mut secrets = vec![name.clone()];
                secrets.extend(phone.clone());
                Ok(RecipientMatch {
                    id: r.get(0)?,
                    name: shown_name(&name, group),
                    phone: phone.as_deref().map(mask::mask_phone),
                    group,
                    address: address(&community, [r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?]),
                    community,
                    needs: needs.map(|n| scrub(&n, &secrets)),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The recipient's raw record, for an officer who must call or find
    /// them. Writes an access entry naming the officer and the recipient's
    /// number (not the data) first; returns the record and that entry's seq.
    pub fn reveal_recipient(&mut self, actor: &Actor, id: i64) -> Result<(RecipientData, i64)> {
        self.change(actor, |w| {
            let data = w
                .conn()
                .query_row(
                    "SELECT r.id, r.name, r.phone, r.id_number, r.grp, r.condition, c.name, k.name, r.building,
                            r.unit_no, r.room, r.needs
                     FROM recipient r JOIN community c ON c.id = r.community_id
                     LEFT JOIN compound k ON k.id = r.compound_id WHERE r.id = ?1",
                    [id],
                    |r| {
                        let grp: String = r.get(4)?;
                        Ok(RecipientData {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            phone: r.get(2)?,
                            id_number: r.get(3)?,
                            group: Group::from_code(&grp).unwrap_or(Group::ElderlyAlone),
                            condition: r.get(5)?,
                            community: r.get(6)?,
                            compound: r.get(7)?,
                            building: r.get(8)?,
                            unit_no: r.get(9)?,
                            room: r.get(10)?,
                            needs: r.get(11)?,
                        })
                    },
                )
                .optional()?
                .ok_or_else(|| {
                    StoreError::NotFound(msg!(
                        "没有编号为 {id} 的特殊群体对象；请检查编号。",
                        "There is no recipient #{id}; check the number."
                    ))
                })?;
            let officer = w.actor().officer.clone();
            w.log(LogDraft {
                kind: LogKind::Access,
                text: format!(
                    "查看特殊群体对象个人信息 Personal data of recipient #{id} revealed to {officer}（{} {}）",
                    data.group.label_zh(),
                    data.group.label_en()
                ),
                occurred_at: None,
                subject: Some(format!("recipient:{id}")),
                corrects: None,
                payload: None,
            })?;
            Ok(data)
        })
    }
}

/// What one step of a delivery changes besides its state.
#[derive(Debug, Default)]
struct Step {
    /// The event's own fields in the log entry.
    fields: Vec<(&'static str, String)>,
    received_by: Option<String>,
    fail_reason: Option<FailReason>,
    note: Option<String>,
    /// Replace the note (with `note`, even when that is none).
    set_note: bool,
    failed: bool,
    done: bool,
    new_due: Option<DateTime<Utc>>,
    unassign: bool,
}
