//! The changes an officer makes on a row: acknowledge, dispatch, resolve,
//! cancel an alert or change its severity; issue, extend, suspend,
//! reinstate, revoke a pass; assign, send off, deliver, fail, requeue,
//! cancel a delivery; reveal a recipient; correct a log entry; the
//! directive; and going on duty, handing a shift over and acknowledging
//! its handover (found and checked in `handover`). Each comes from a key
//! on the selected row or from `:` with the row named (`#12`, a pass
//! number, a log number); it opens a form when it needs words, asks first
//! when it cannot be undone, and reaches the store in one place,
//! [`App::perform`], whose flash says what was recorded and under which
//! log number — or why nothing was.

use chrono::{DateTime, Utc};

use super::{App, Level};
use crate::domain::Code;
use crate::domain::activation::ActivationAction;
use crate::domain::alert::{self, AlertAction, AlertState, Severity};
use crate::domain::delivery::{self, DeliveryAction, DeliveryState, FailReason};
use crate::domain::pass::{self, PassAction, PassState};
use crate::domain::text::sanitize;
use crate::domain::time::{from_db, local_minute, local_short};
use crate::msg;
use crate::msg::Msg;
use crate::store::StoreError;
use crate::store::alerts::AlertRow;
use crate::store::deliveries::{Assignee, QueueRow};
use crate::store::fields::{self, NAME_MAX_CHARS, TEXT_MAX_CHARS};
use crate::store::log::LogRow;
use crate::store::pass_actions::{IssueOutcome, PassListRow};
use crate::store::places::{Ref, VolunteerRow};
use crate::store::seen::{Seen, Stale};
use crate::store::shifts::AckTarget;
use crate::tui::keys::{Cmd, PaneId};
use crate::tui::panes::Details;
use crate::tui::popups::form::{DISPATCH_TO, THEN_LEAVE};
use crate::tui::popups::{Confirm, Form, FormKind, OnYes, Popup};

/// A change, checked and ready for the store.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Directive {
        action: ActivationAction,
        reference: String,
        at: Option<DateTime<Utc>>,
    },
    AckAlert {
        id: i64,
    },
    DispatchAlert {
        id: i64,
        to: String,
    },
    ResolveAlert {
        id: i64,
        outcome: String,
    },
    CancelAlert {
        id: i64,
        reason: String,
    },
    AlertSeverity {
        id: i64,
        severity: Severity,
    },
    IssueRequested {
        id: i64,
        number: String,
        force: bool,
    },
    ExtendPass {
        id: i64,
        number: String,
        until: DateTime<Utc>,
    },
    SuspendPass {
        id: i64,
        number: String,
        reason: String,
    },
    ReinstatePass {
        id: i64,
        number: String,
    },
    RevokePass {
        id: i64,
        number: String,
        reason: String,
    },
    AssignDelivery {
        id: i64,
        to: Assignee,
        /// The volunteer's name or the plate, for the flash.
        who: String,
    },
    DepartDelivery {
        id: i64,
    },
    Deliver {
        id: i64,
        received_by: String,
    },
    FailDelivery {
        id: i64,
        reason: FailReason,
        note: Option<String>,
        /// Put it back in the queue at once, perhaps with a new due time.
        requeue: Option<Option<DateTime<Utc>>>,
    },
    RequeueDelivery {
        id: i64,
        due: Option<DateTime<Utc>>,
    },
    CancelDelivery {
        id: i64,
        reason: String,
    },
    Correct {
        seq: i64,
        text: String,
    },
    Reveal {
        delivery: i64,
        recipient: i64,
    },
    StartShift,
    /// Hand shift `shift` over to `incoming`; `items` carry-over items
    /// would go with it now, `earlier` of them unacknowledged before.
    EndShift {
        shift: i64,
        incoming: String,
        items: usize,
        earlier: usize,
    },
    /// Name `incoming` instead of `before` for shift `shift`'s handover,
    /// which nobody acknowledged; its cut-off and `items` stay.
    ReaddressHandover {
        shift: i64,
        before: String,
        incoming: String,
        items: i64,
    },
    AckHandover {
        shift: i64,
        target: AckTarget,
    },
    /// Queue a delivery for each of the `gaps` coverage gaps.
    QueueGaps {
        gaps: i64,
    },
    /// A new pass from the pass form.
    IssuePass {
        new: Box<crate::store::pass_actions::NewPass>,
    },
    /// Mark a post manned or stood down, or a community reported in.
    Mark {
        target: crate::tui::panes::activation::MarkTarget,
    },
}

impl Action {
    /// The pane that shows what it changes (besides the log).
    fn shown_in(&self) -> PaneId {
        match self {
            Action::Directive { .. } | Action::Mark { .. } => PaneId::Activation,
            Action::AckAlert { .. }
            | Action::DispatchAlert { .. }
            | Action::ResolveAlert { .. }
            | Action::CancelAlert { .. }
            | Action::AlertSeverity { .. } => PaneId::Alerts,
            Action::IssueRequested { .. }
            | Action::ExtendPass { .. }
            | Action::SuspendPass { .. }
            | Action::ReinstatePass { .. }
            | Action::RevokePass { .. }
            | Action::IssuePass { .. } => PaneId::Passes,
            Action::AssignDelivery { .. }
            | Action::DepartDelivery { .. }
            | Action::Deliver { .. }
            | Action::FailDelivery { .. }
            | Action::RequeueDelivery { .. }
            | Action::CancelDelivery { .. }
            | Action::QueueGaps { .. } => PaneId::Queue,
            Action::Correct { .. }
            | Action::Reveal { .. }
            | Action::StartShift
            | Action::EndShift { .. }
            | Action::ReaddressHandover { .. }
            | Action::AckHandover { .. } => PaneId::Log,
        }
    }

    /// The records it acts on, as the screen showed them after entry
    /// `as_of`: the store refuses it if one changed since.
    pub fn seen(&self, as_of: i64) -> Vec<Seen> {
        use crate::tui::panes::activation::MarkTarget;
        let one = |table, id| vec![Seen::new(table, id, as_of)];
        match self {
            Action::Directive { .. } => one("activation", 0),
            Action::AckAlert { id }
            | Action::DispatchAlert { id, .. }
            | Action::ResolveAlert { id, .. }
            | Action::CancelAlert { id, .. }
            | Action::AlertSeverity { id, .. } => one("alert", *id),
            Action::IssueRequested { id, .. }
            | Action::ExtendPass { id, .. }
            | Action::SuspendPass { id, .. }
            | Action::ReinstatePass { id, .. }
            | Action::RevokePass { id, .. } => one("pass", *id),
            Action::AssignDelivery { id, .. }
            | Action::DepartDelivery { id }
            | Action::Deliver { id, .. }
            | Action::FailDelivery { id, .. }
            | Action::RequeueDelivery { id, .. }
            | Action::CancelDelivery { id, .. } => one("delivery", *id),
            Action::Correct { seq, .. } => one("duty_log", *seq),
            Action::StartShift => one("shift", 0),
            Action::EndShift { shift, .. }
            | Action::ReaddressHandover { shift, .. }
            | Action::AckHandover { shift, .. } => one("shift", *shift),
            Action::Mark {
                target: MarkTarget::Post { id, .. },
            } => one("post", *id),
            Action::Mark {
                target: MarkTarget::Community { id, .. },
            } => one("community", *id),
            // A new pass: no record yet to have changed.
            Action::IssuePass { .. } | Action::Reveal { .. } | Action::QueueGaps { .. } => {
                Vec::new()
            }
        }
    }

    /// The `:` command that takes the action up again on the record as it
    /// is now (opening its form where it has one).
    fn reopen(&self) -> Option<(Cmd, String)> {
        let hash = |id: &i64| format!("#{id}");
        Some(match self {
            Action::AckAlert { id } => (Cmd::AlertAck, hash(id)),
            Action::DispatchAlert { id, .. } => (Cmd::AlertDispatch, hash(id)),
            Action::ResolveAlert { id, .. } => (Cmd::AlertResolve, hash(id)),
            Action::CancelAlert { id, .. } => (Cmd::AlertCancel, hash(id)),
            Action::AlertSeverity { id, .. } => (Cmd::AlertSeverity, hash(id)),
            Action::IssueRequested { number, .. } => (Cmd::PassIssue, number.clone()),
            Action::ExtendPass { number, .. } => (Cmd::PassExtend, number.clone()),
            Action::SuspendPass { number, .. } => (Cmd::PassSuspend, number.clone()),
            Action::ReinstatePass { number, .. } => (Cmd::PassReinstate, number.clone()),
            Action::RevokePass { number, .. } => (Cmd::PassRevoke, number.clone()),
            Action::AssignDelivery { id, .. } => (Cmd::DeliveryAssign, hash(id)),
            Action::DepartDelivery { id } => (Cmd::DeliveryDepart, hash(id)),
            Action::Deliver { id, .. } => (Cmd::DeliveryDeliver, hash(id)),
            Action::FailDelivery { id, .. } => (Cmd::DeliveryFail, hash(id)),
            Action::RequeueDelivery { id, .. } => (Cmd::DeliveryRequeue, hash(id)),
            Action::CancelDelivery { id, .. } => (Cmd::DeliveryCancel, hash(id)),
            Action::Correct { seq, .. } => (Cmd::Correct, hash(seq)),
            // A new pass has no record to take up again; a mark on a row
            // that changed is shown in the pane, and the flash says how.
            Action::IssuePass { .. } | Action::Mark { .. } => return None,
            _ => return None,
        })
    }

    /// The key table's command for it.
    pub fn cmd(&self) -> Cmd {
        match self {
            Action::Directive {
                action: ActivationAction::Activate,
                ..
            } => Cmd::Activate,
            Action::Directive { .. } => Cmd::Deactivate,
            Action::AckAlert { .. } => Cmd::AlertAck,
            Action::DispatchAlert { .. } => Cmd::AlertDispatch,
            Action::ResolveAlert { .. } => Cmd::AlertResolve,
            Action::CancelAlert { .. } => Cmd::AlertCancel,
            Action::AlertSeverity { .. } => Cmd::AlertSeverity,
            Action::IssueRequested { .. } | Action::IssuePass { .. } => Cmd::PassIssue,
            Action::ExtendPass { .. } => Cmd::PassExtend,
            Action::SuspendPass { .. } => Cmd::PassSuspend,
            Action::ReinstatePass { .. } => Cmd::PassReinstate,
            Action::RevokePass { .. } => Cmd::PassRevoke,
            Action::AssignDelivery { .. } => Cmd::DeliveryAssign,
            Action::DepartDelivery { .. } => Cmd::DeliveryDepart,
            Action::Deliver { .. } => Cmd::DeliveryDeliver,
            Action::FailDelivery { .. } => Cmd::DeliveryFail,
            Action::RequeueDelivery { .. } => Cmd::DeliveryRequeue,
            Action::CancelDelivery { .. } => Cmd::DeliveryCancel,
            Action::Correct { .. } => Cmd::Correct,
            Action::Reveal { .. } => Cmd::Reveal,
            Action::StartShift => Cmd::ShiftStart,
            Action::EndShift { .. } | Action::ReaddressHandover { .. } => Cmd::ShiftEnd,
            Action::AckHandover {
                target: AckTarget::All,
                ..
            } => Cmd::HandoverAckAll,
            Action::AckHandover {
                target: AckTarget::Section(_),
                ..
            } => Cmd::HandoverAckSection,
            Action::AckHandover { .. } => Cmd::HandoverAck,
            Action::QueueGaps { .. } => Cmd::QueueGaps,
            Action::Mark { .. } => Cmd::Mark,
        }
    }

    /// Hard to undo for a driver, a resident or the record, or it
    /// exposes personal data: asked first. The key table says which
    /// (`confirm`), so help and the dispatcher agree.
    pub fn asks_first(&self) -> bool {
        crate::tui::keys::confirms(self.cmd())
    }
}

/// Why a form was not saved, under the field it is about when there is one.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub field: Option<usize>,
    pub msg: Msg,
}

impl From<Msg> for Refusal {
    fn from(msg: Msg) -> Refusal {
        Refusal { field: None, msg }
    }
}

/// Field `i` of `form`, one line, required; the refusal under it.
pub fn form_line(
    form: &Form,
    i: usize,
    zh: &'static str,
    en: &'static str,
) -> Result<String, Refusal> {
    fields::required_line(fields::field(zh, en), form.value(i), NAME_MAX_CHARS)
        .map_err(|e| at(i)(e.message()))
}

/// Field `i` of `form`, one line, may be empty.
pub fn form_optional_line(
    form: &Form,
    i: usize,
    zh: &'static str,
    en: &'static str,
) -> Result<Option<String>, Refusal> {
    fields::optional_line(fields::field(zh, en), Some(form.value(i)), NAME_MAX_CHARS)
        .map_err(|e| at(i)(e.message()))
}

/// Field `i` of `form`, text, required.
pub fn form_text(
    form: &Form,
    i: usize,
    zh: &'static str,
    en: &'static str,
) -> Result<String, Refusal> {
    fields::required_text(fields::field(zh, en), form.value(i), TEXT_MAX_CHARS)
        .map_err(|e| at(i)(e.message()))
}

/// Maps a message to a refusal of field `i`.
pub fn at(i: usize) -> impl FnOnce(Msg) -> Refusal {
    move |msg| Refusal {
        field: Some(i),
        msg,
    }
}

fn clean(s: &str) -> String {
    sanitize(s).into_owned()
}

fn store_msg(e: StoreError) -> Msg {
    e.message()
}

/// `#12 rest` → (12, rest); anything else → (none, all of it).
fn split_hash(arg: Option<&str>) -> (Option<i64>, Option<String>) {
    let Some(a) = arg.map(str::trim).filter(|a| !a.is_empty()) else {
        return (None, None);
    };
    let (first, rest) = a.split_once(char::is_whitespace).unwrap_or((a, ""));
    match first.strip_prefix('#').and_then(|n| n.parse::<i64>().ok()) {
        Some(id) => (
            Some(id),
            Some(rest.trim().to_string()).filter(|r| !r.is_empty()),
        ),
        None => (None, Some(a.to_string())),
    }
}

fn alert_about(a: &AlertRow) -> Msg {
    let place = match &a.compound {
        Some(k) => format!("{} {k}", a.community),
        None => a.community.clone(),
    };
    let place = clean(&place);
    let id = a.id;
    let (iz, ie) = (a.item.label_zh(), a.item.label_en());
    let (sz, se) = (a.severity.label_zh(), a.severity.label_en());
    let (tz, te) = (a.state.label_zh(), a.state.label_en());
    let about = msg!(
        "预警 #{id} · {place} · {iz} · {sz} · {tz}",
        "Alert #{id} · {place} · {ie} · {se} · {te}"
    );
    // Who has it now: a dispatch replaces the target and the handler.
    let by = clean(a.handler.as_deref().unwrap_or("—"));
    let (z, e) = match a.dispatched_to.as_deref().map(clean) {
        Some(to) => (
            format!("现派往 {to} · 处理人 {by}"),
            format!("now with {to} · handler {by}"),
        ),
        None if a.handler.is_some() => (format!("处理人 {by}"), format!("handler {by}")),
        None => return about,
    };
    Msg::new(format!("{} · {z}", about.zh), format!("{} · {e}", about.en))
}

fn pass_about(p: &PassListRow, tz: chrono_tz::Tz) -> Msg {
    let number = clean(&p.number);
    let who = clean(p.plate.as_deref().unwrap_or(&p.subject));
    let until = local_minute(p.valid_until, tz);
    let (sz, se) = (p.status.label_zh(), p.status.label_en());
    msg!(
        "通行证 {number} · {who} · 有效至 {until} · {sz}",
        "Pass {number} · {who} · valid until {until} · {se}"
    )
}

fn delivery_about(d: &QueueRow, tz: chrono_tz::Tz) -> Msg {
    let id = d.id;
    let who = clean(&d.recipient);
    let (gz, ge) = (d.group.label_zh(), d.group.label_en());
    let addr = clean(&d.address);
    let items = clean(&d.items);
    let due = local_short(d.due_at, tz);
    let (sz, se) = (d.state.label_zh(), d.state.label_en());
    let assignee = clean(d.assignee.as_deref().unwrap_or("—"));
    msg!(
        "配送 #{id} · {who}（{gz}）· {addr} · {items} · 时限 {due} · {sz} · 配送人 {assignee}",
        "Delivery #{id} · {who} ({ge}) · {addr} · {items} · due {due} · {se} · by {assignee}"
    )
}

fn entry_about(e: &LogRow, tz: chrono_tz::Tz) -> Msg {
    let seq = e.seq;
    let when = from_db(e.occurred_at.as_deref().unwrap_or(&e.recorded_at))
        .map(|t| local_short(t, tz))
        .unwrap_or_default();
    let officer = clean(&e.officer);
    let (tz_, te) = (
        clean(&e.line(crate::i18n::Lang::Zh)),
        clean(&e.line(crate::i18n::Lang::En)),
    );
    msg!(
        "原记录 #{seq} · {when} · {officer}：{tz_}",
        "Entry #{seq} · {when} · {officer}: {te}"
    )
}

/// Why an alert cannot take a step now, and what to do instead.
fn alert_refusal(id: i64, from: AlertState, action: AlertAction) -> Msg {
    let (sz, se) = (from.label_zh(), from.label_en().to_lowercase());
    let (az, ae) = match action {
        AlertAction::Acknowledge => ("确认", "be acknowledged"),
        AlertAction::Dispatch => ("派单", "be dispatched"),
        AlertAction::Resolve => ("标记解决", "be resolved"),
        AlertAction::Cancel => ("撤销", "be cancelled"),
        AlertAction::Clear => ("自动解除", "be cleared automatically"),
    };
    if !from.is_open() {
        msg!(
            "预警 #{id} 已是“{sz}”，不能再{az}；如短缺再次出现，请新建预警。",
            "Alert #{id} is already {se}, so it cannot {ae}; raise a new alert if the shortage returns."
        )
    } else if action == AlertAction::Resolve {
        msg!(
            "预警 #{id} 当前为“{sz}”，不能直接{az}；请先确认（a）或派单（d）。",
            "Alert #{id} is {se}, so it cannot be resolved yet; acknowledge (a) or dispatch (d) it first."
        )
    } else {
        msg!(
            "预警 #{id} 当前为“{sz}”，不能{az}。",
            "Alert #{id} is {se}, so it cannot {ae} now."
        )
    }
}

fn pass_refusal(number: &str, from: PassState, action: PassAction) -> Msg {
    let number = clean(number);
    let (sz, se) = (from.label_zh(), from.label_en().to_lowercase());
    let (az, ae) = match action {
        PassAction::Issue => ("发放", "be issued"),
        PassAction::Suspend => ("暂停", "be suspended"),
        PassAction::Reinstate => ("恢复", "be reinstated"),
        PassAction::Revoke => ("吊销", "be revoked"),
        PassAction::Extend => ("延期", "be extended"),
    };
    let (hz, he) = match from {
        PassState::Revoked => (
            "吊销的通行证不能再用；如需要，请发放新证。",
            "a revoked pass is finished; issue a new one if needed.",
        ),
        PassState::Requested => (
            "请先发放（i）或吊销（x）。",
            "issue it (i) or refuse it (x) first.",
        ),
        PassState::Suspended => ("请先恢复（r）。", "reinstate it (r) first."),
        PassState::Issued => ("", ""),
    };
    if he.is_empty() {
        return msg!(
            "通行证 {number} 当前为“{sz}”，不能{az}。",
            "The pass {number} is {se}, so it cannot {ae}."
        );
    }
    msg!(
        "通行证 {number} 当前为“{sz}”，不能{az}；{hz}",
        "The pass {number} is {se}, so it cannot {ae}; {he}"
    )
}

fn delivery_refusal(id: i64, from: DeliveryState, action: DeliveryAction) -> Msg {
    let (sz, se) = (from.label_zh(), from.label_en().to_lowercase());
    let (az, ae) = match action {
        DeliveryAction::Assign => ("分派", "be assigned"),
        DeliveryAction::Depart => ("标记出发", "be sent on its way"),
        DeliveryAction::Deliver => ("标记送达", "be marked delivered"),
        DeliveryAction::Fail => ("标记未送达", "be marked failed"),
        DeliveryAction::Requeue => ("重新排队", "be requeued"),
        DeliveryAction::Cancel => ("取消", "be cancelled"),
    };
    let (hz, he) = match (from, action) {
        (DeliveryState::Delivered | DeliveryState::Cancelled, _) => (
            "已结束的配送不能再改；如需再送，请新建配送。",
            "a finished delivery cannot change; queue a new one if needed.",
        ),
        (DeliveryState::Queued, DeliveryAction::Requeue) => {
            ("它已在队列中。", "it is already in the queue.")
        }
        (DeliveryState::Assigned, DeliveryAction::Requeue) => (
            "如需换人，请直接重新分派（a）。",
            "to change who goes, assign it again (a).",
        ),
        (DeliveryState::Queued, _) => (
            "请先分派志愿者或车辆（a）。",
            "assign a volunteer or vehicle (a) first.",
        ),
        (DeliveryState::Assigned, _) => ("请先标记出发（e）。", "mark it en route (e) first."),
        (DeliveryState::EnRoute, _) => (
            "请标记送达（d）或未送达（f）。",
            "mark it delivered (d) or failed (f).",
        ),
        (DeliveryState::Failed, _) => ("请先重新排队（r）。", "requeue it (r) first."),
    };
    msg!(
        "配送 #{id} 当前为“{sz}”，不能{az}；{hz}",
        "Delivery #{id} is {se}, so it cannot {ae}; {he}"
    )
}

impl App {
    // ---- finding the row ----------------------------------------------

    fn alert_target(&self, id: Option<i64>, word: &str) -> Result<AlertRow, Msg> {
        let id = match id {
            Some(id) => id,
            None if self.focus == PaneId::Alerts => match self.panes.alerts.selected_alert() {
                Some(a) => a.id,
                None => {
                    return Err(msg!(
                        "请先选中一条预警：在社区行按 Enter 展开它的预警。",
                        "Select an alert first: Enter on a community opens its alerts."
                    ));
                }
            },
            None => {
                return Err(msg!(
                    "请在预警面板（2）选中一条预警，或写明编号，如 :{word} #12。",
                    "Select an alert in the alerts pane (2), or give its number, e.g. :{word} #12."
                ));
            }
        };
        let esc = crate::tui::panes::alerts::escalation(&self.cx());
        self.store.alert(id, self.now(), &esc).map_err(store_msg)
    }

    /// The pass named by the first word (its number), else the selected one.
    fn pass_target(
        &self,
        arg: Option<&str>,
        word: &str,
    ) -> Result<(PassListRow, Option<String>), Msg> {
        let warn = self.cfg.thresholds.pass_warn();
        let now = self.now();
        if let Some(a) = arg.map(str::trim).filter(|a| !a.is_empty()) {
            let (first, rest) = a.split_once(char::is_whitespace).unwrap_or((a, ""));
            if let Some(p) = self
                .store
                .pass_by_number(first, now, warn)
                .map_err(store_msg)?
            {
                return Ok((p, Some(rest.trim().to_string()).filter(|r| !r.is_empty())));
            }
        }
        let rest = arg
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string);
        let selected = (self.focus == PaneId::Passes)
            .then(|| self.panes.passes.selected())
            .flatten();
        let Some(sel) = selected else {
            return Err(msg!(
                "请在通行证面板（3）选中一张通行证，或写明证号，如 :{word} 证号。",
                "Select a pass in the passes pane (3), or give its number, e.g. :{word} NUMBER."
            ));
        };
        let fresh = self
            .store
            .pass_by_number(&sel.number, now, warn)
            .map_err(store_msg)?
            .unwrap_or_else(|| sel.clone());
        Ok((fresh, rest))
    }

    fn delivery_target(&self, id: Option<i64>, word: &str) -> Result<QueueRow, Msg> {
        let id = match id {
            Some(id) => id,
            None => match (self.focus == PaneId::Queue)
                .then(|| self.panes.queue.selected())
                .flatten()
            {
                Some(d) => d.id,
                None => {
                    return Err(msg!(
                        "请在配送面板（4）选中一项配送，或写明编号，如 :{word} #12。",
                        "Select a delivery in the queue pane (4), or give its number, e.g. :{word} #12."
                    ));
                }
            },
        };
        self.store.delivery(id, self.now()).map_err(store_msg)
    }

    fn entry_target(&self, arg: Option<&str>) -> Result<(LogRow, Option<String>), Msg> {
        let a = arg.map(str::trim).filter(|a| !a.is_empty());
        let (first, rest) = a
            .map(|a| a.split_once(char::is_whitespace).unwrap_or((a, "")))
            .unwrap_or(("", ""));
        let named = first.strip_prefix('#').unwrap_or(first).parse::<i64>().ok();
        let (seq, text) = match named {
            Some(seq) => (seq, Some(rest.trim().to_string())),
            None => {
                let sel = (self.focus == PaneId::Log)
                    .then(|| self.panes.log.selected())
                    .flatten();
                match sel {
                    Some(r) => (r.seq, a.map(str::to_string)),
                    None => {
                        return Err(msg!(
                            "请在日志面板（5）选中要更正的记录，或写明记录号，如 :correct 123 正确内容。",
                            "Select the entry in the log pane (5), or give its number, e.g. :correct 123 TEXT."
                        ));
                    }
                }
            }
        };
        let Some(row) = self.store.entry(seq).map_err(store_msg)? else {
            return Err(msg!(
                "没有第 {seq} 号记录，无法更正；请检查记录号。",
                "There is no entry number {seq} to correct; check the number."
            ));
        };
        Ok((row, text.filter(|t| !t.is_empty())))
    }

    // ---- keys and typed commands on a row ------------------------------

    /// A row action from a key (`arg` none) or from `:`.
    pub(super) fn row_action(&mut self, cmd: Cmd, arg: Option<String>) {
        let word = crate::tui::keys::TABLE
            .iter()
            .find(|b| b.cmd == cmd)
            .and_then(|b| b.words.first().copied())
            .unwrap_or("");
        let r = match cmd {
            Cmd::AlertAck
            | Cmd::AlertDispatch
            | Cmd::AlertResolve
            | Cmd::AlertCancel
            | Cmd::AlertSeverity => self.alert_action(cmd, arg.as_deref(), word),
            Cmd::PassIssue
            | Cmd::PassExtend
            | Cmd::PassSuspend
            | Cmd::PassReinstate
            | Cmd::PassRevoke => self.pass_action(cmd, arg.as_deref(), word),
            Cmd::Correct => self.correct_action(arg.as_deref()),
            _ => self.delivery_action(cmd, arg.as_deref(), word),
        };
        if let Err(m) = r {
            self.flash(Level::Error, m);
        }
    }

    fn alert_action(&mut self, cmd: Cmd, arg: Option<&str>, word: &str) -> Result<(), Msg> {
        let (id, rest) = split_hash(arg);
        let a = self.alert_target(id, word)?;
        let id = a.id;
        let step = match cmd {
            Cmd::AlertAck => Some(AlertAction::Acknowledge),
            Cmd::AlertDispatch => Some(AlertAction::Dispatch),
            Cmd::AlertResolve => Some(AlertAction::Resolve),
            Cmd::AlertCancel => Some(AlertAction::Cancel),
            _ => None,
        };
        if cmd == Cmd::AlertAck {
            // The store is the judge; a refusal comes back as its flash.
            return self.act(Action::AckAlert { id });
        }
        match step {
            Some(s) => {
                alert::step(a.state, s).map_err(|_| alert_refusal(id, a.state, s))?;
            }
            None if !a.state.is_open() => {
                let (sz, se) = (a.state.label_zh(), a.state.label_en().to_lowercase());
                return Err(msg!(
                    "预警 #{id} 已是“{sz}”，不能再改紧急程度；如短缺再次出现，请新建预警。",
                    "Alert #{id} is already {se}, so its severity cannot change; raise a new alert if the shortage returns."
                ));
            }
            None => {}
        }
        let about = alert_about(&a);
        match (cmd, rest) {
            (Cmd::AlertDispatch, Some(to)) => {
                let to = self.resolve_typed(DISPATCH_TO, &to)?;
                self.act(Action::DispatchAlert { id, to })
            }
            (Cmd::AlertDispatch, None) => self.open_form(Form::dispatch(id, about)),
            (Cmd::AlertResolve, Some(outcome)) => self.act(Action::ResolveAlert { id, outcome }),
            (Cmd::AlertResolve, None) => self.open_form(Form::resolve(id, about)),
            (Cmd::AlertCancel, Some(reason)) => {
                fields::required_text(fields::field("撤销原因", "reason"), &reason, TEXT_MAX_CHARS)
                    .map_err(store_msg)?;
                self.ask(Action::CancelAlert { id, reason });
                Ok(())
            }
            (Cmd::AlertCancel, None) => self.open_form(Form::cancel_alert(id, about)),
            (_, Some(s)) => {
                let severity = parse_severity(&s)?;
                self.act(Action::AlertSeverity { id, severity })
            }
            (_, None) => self.open_form(Form::severity(id, about)),
        }
    }

    fn pass_action(&mut self, cmd: Cmd, arg: Option<&str>, word: &str) -> Result<(), Msg> {
        let (p, rest) = self.pass_target(arg, word)?;
        let (id, number) = (p.id, p.number.clone());
        let step = match cmd {
            Cmd::PassIssue => PassAction::Issue,
            Cmd::PassExtend => PassAction::Extend,
            Cmd::PassSuspend => PassAction::Suspend,
            Cmd::PassReinstate => PassAction::Reinstate,
            _ => PassAction::Revoke,
        };
        // Checked before anything is asked: no question about a step
        // the pass cannot take.
        pass::step(p.state, step).map_err(|_| pass_refusal(&number, p.state, step))?;
        match cmd {
            Cmd::PassIssue => {
                return self.act(Action::IssueRequested {
                    id,
                    number,
                    force: false,
                });
            }
            Cmd::PassReinstate => return self.act(Action::ReinstatePass { id, number }),
            _ => {}
        }
        let about = pass_about(&p, self.tz);
        let mut form = match (cmd, rest) {
            (Cmd::PassExtend, Some(t)) => {
                let until = self.extend_until(&number, &t)?;
                return self.act(Action::ExtendPass { id, number, until });
            }
            (Cmd::PassSuspend, Some(reason)) => {
                return self.act(Action::SuspendPass { id, number, reason });
            }
            (Cmd::PassRevoke, Some(reason)) => {
                fields::required_text(fields::field("吊销原因", "reason"), &reason, TEXT_MAX_CHARS)
                    .map_err(store_msg)?;
                self.ask(Action::RevokePass { id, number, reason });
                return Ok(());
            }
            (Cmd::PassExtend, None) => Form::extend(id, about),
            (Cmd::PassSuspend, None) => Form::suspend(id, about),
            _ => Form::revoke(id, about),
        };
        form.target = number;
        self.open_form(form)
    }

    fn delivery_action(&mut self, cmd: Cmd, arg: Option<&str>, word: &str) -> Result<(), Msg> {
        let (id, rest) = split_hash(arg);
        let d = self.delivery_target(id, word)?;
        let id = d.id;
        let step = match cmd {
            Cmd::DeliveryAssign => DeliveryAction::Assign,
            Cmd::DeliveryDepart => DeliveryAction::Depart,
            Cmd::DeliveryDeliver => DeliveryAction::Deliver,
            Cmd::DeliveryFail => DeliveryAction::Fail,
            Cmd::DeliveryRequeue => DeliveryAction::Requeue,
            Cmd::DeliveryCancel => DeliveryAction::Cancel,
            _ => {
                self.ask(Action::Reveal {
                    delivery: id,
                    recipient: d.recipient_id,
                });
                return Ok(());
            }
        };
        if cmd == Cmd::DeliveryDepart {
            return self.act(Action::DepartDelivery { id });
        }
        delivery::step(d.state, step).map_err(|_| delivery_refusal(id, d.state, step))?;
        let about = delivery_about(&d, self.tz);
        match (cmd, rest) {
            (Cmd::DeliveryAssign, Some(who)) => {
                // A plate needs no volunteer list (thousands on a large
                // database); a name does.
                let pool = if who.chars().any(|c| c.is_ascii_digit()) {
                    Vec::new()
                } else {
                    self.volunteer_pool(&d)
                };
                let (to, who) = self.assignee(&who, &pool)?;
                self.act(Action::AssignDelivery { id, to, who })
            }
            (Cmd::DeliveryAssign, None) => {
                self.assign_pool = self.volunteer_pool(&d);
                self.open_form(Form::assign(id, about))
            }
            (Cmd::DeliveryDeliver, Some(received_by)) => {
                self.act(Action::Deliver { id, received_by })
            }
            (Cmd::DeliveryDeliver, None) => self.open_form(Form::deliver(id, about)),
            (Cmd::DeliveryFail, Some(r)) => {
                let (first, note) = r.split_once(char::is_whitespace).unwrap_or((&r, ""));
                let reason = parse_fail_reason(first)?;
                let note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
                self.act(Action::FailDelivery {
                    id,
                    reason,
                    note,
                    requeue: None,
                })
            }
            (Cmd::DeliveryFail, None) => self.open_form(Form::fail(id, about)),
            (Cmd::DeliveryRequeue, Some(t)) => {
                let due = self.parse_future(&t, msg!("新的送达时限", "new due time"))?;
                self.act(Action::RequeueDelivery { id, due: Some(due) })
            }
            (Cmd::DeliveryRequeue, None) => self.open_form(Form::requeue(id, about)),
            (_, Some(reason)) => {
                fields::required_text(fields::field("取消原因", "reason"), &reason, TEXT_MAX_CHARS)
                    .map_err(store_msg)?;
                self.ask(Action::CancelDelivery { id, reason });
                Ok(())
            }
            (_, None) => self.open_form(Form::cancel_delivery(id, about)),
        }
    }

    fn correct_action(&mut self, arg: Option<&str>) -> Result<(), Msg> {
        let (row, text) = self.entry_target(arg)?;
        let seq = row.seq;
        if let Some(by) = row.corrected_by {
            return Err(msg!(
                "第 {seq} 号记录已由第 {by} 号更正；如需再改，请更正第 {by} 号。",
                "Entry {seq} was already corrected by entry {by}; to change it again, correct entry {by}."
            ));
        }
        match text {
            Some(text) => self.act(Action::Correct { seq, text }),
            None => {
                let about = entry_about(&row, self.tz);
                self.open_form(Form::correct(seq, about, &row.text))
            }
        }
    }

    // ---- forms ----------------------------------------------------------

    pub(super) fn open_form(&mut self, form: Form) -> Result<(), Msg> {
        let mut form = form.localize(self.lang);
        form.seen = self.seen;
        let n = form.fields.len();
        self.picks.forget();
        self.popups.push(Popup::Form(form));
        self.read_picks();
        self.refresh_picks();
        for i in 0..n {
            self.refresh_note(Some(i));
        }
        Ok(())
    }

    /// The action a filled form asks for, checked field by field.
    pub(super) fn form_action(&self, form: &Form) -> Result<Action, Refusal> {
        let line = |i: usize, zh: &'static str, en: &'static str| form_line(form, i, zh, en);
        let text = |i: usize, zh: &'static str, en: &'static str| form_text(form, i, zh, en);
        let number = form.target.clone();
        Ok(match form.kind {
            FormKind::Directive(action) => {
                let reference = form.value(0).to_string();
                if reference.is_empty() {
                    return Err(at(0)(msg!(
                        "请填写指令文号；激活和解除都须注明指令（如 联控指挥部〔2022〕60号）。",
                        "Give the directive's reference; activation and deactivation both need one (e.g. 联控指挥部〔2022〕60号)."
                    )));
                }
                let at_time = self.parse_time(Some(form.value(1))).map_err(at(1))?;
                if at_time.is_some_and(|t| t > self.now()) {
                    return Err(at(1)(msg!(
                        "指令接收时间在将来；请填写已经过去的时间，或留空表示现在。",
                        "The time the directive was received is in the future; give a time that has passed, or leave it empty for now."
                    )));
                }
                Action::Directive {
                    action,
                    reference,
                    at: at_time,
                }
            }
            FormKind::Dispatch(id) => Action::DispatchAlert {
                id,
                to: line(0, "派往对象", "dispatch target")?,
            },
            FormKind::Resolve(id) => Action::ResolveAlert {
                id,
                outcome: text(0, "处理结果", "outcome")?,
            },
            FormKind::CancelAlert(id) => Action::CancelAlert {
                id,
                reason: text(0, "撤销原因", "reason")?,
            },
            FormKind::Severity(id) => Action::AlertSeverity {
                id,
                severity: parse_severity(form.value(0)).map_err(at(0))?,
            },
            FormKind::Extend(id) => Action::ExtendPass {
                id,
                until: self.extend_until(&number, form.value(0)).map_err(at(0))?,
                number,
            },
            FormKind::Suspend(id) => Action::SuspendPass {
                id,
                number,
                reason: text(0, "暂停原因", "reason")?,
            },
            FormKind::Revoke(id) => Action::RevokePass {
                id,
                number,
                reason: text(0, "吊销原因", "reason")?,
            },
            FormKind::Assign(id) => {
                let who = line(0, "志愿者或车牌", "volunteer or plate")?;
                let (to, who) = self.assignee(&who, &self.assign_pool).map_err(at(0))?;
                Action::AssignDelivery { id, to, who }
            }
            FormKind::Deliver(id) => Action::Deliver {
                id,
                received_by: line(0, "签收人", "receiver")?,
            },
            FormKind::Fail(id) => {
                let reason = parse_fail_reason(form.value(0)).map_err(at(0))?;
                let note = fields::optional_text(
                    fields::field("说明", "note"),
                    Some(form.value(1)),
                    TEXT_MAX_CHARS,
                )
                .map_err(|e| at(1)(e.message()))?;
                if reason == FailReason::Other && note.is_none() {
                    return Err(at(1)(msg!(
                        "原因为“其他”时须写明说明；请补充未送达的原因。",
                        "With the reason \"other\" a note is required; say why it was not delivered."
                    )));
                }
                let then = form.fields.get(2).and_then(|f| f.chosen().copied());
                let requeue = match then {
                    Some(c) if c == THEN_LEAVE => None,
                    Some(_) => Some(self.optional_future(form.value(3)).map_err(at(3))?),
                    None => {
                        return Err(at(2)(msg!(
                            "请选择之后是否重新排队（←/→ 选择）。",
                            "Choose whether to requeue it (←/→ to choose)."
                        )));
                    }
                };
                Action::FailDelivery {
                    id,
                    reason,
                    note,
                    requeue,
                }
            }
            FormKind::Requeue(id) => Action::RequeueDelivery {
                id,
                due: self.optional_future(form.value(0)).map_err(at(0))?,
            },
            FormKind::CancelDelivery(id) => Action::CancelDelivery {
                id,
                reason: text(0, "取消原因", "reason")?,
            },
            FormKind::Correct(seq) => {
                let t =
                    crate::store::log::check_text(form.value(0)).map_err(|e| at(0)(e.message()))?;
                if form.fields.first().is_some_and(|f| !f.changed()) {
                    return Err(at(0)(msg!(
                        "更正内容与原记录相同；请改正写错的地方。",
                        "The correction says the same as the entry; change what was wrong."
                    )));
                }
                Action::Correct { seq, text: t }
            }
            FormKind::EndShift => self.end_action(form.value(0)).map_err(at(0))?,
            FormKind::Note
            | FormKind::Officer
            | FormKind::Alert
            | FormKind::Pass
            | FormKind::Delivery
            | FormKind::Stock
            | FormKind::Market
            | FormKind::Contact(_) => {
                return Err(Refusal::from(msg!(
                    "这个表单不经此处保存。",
                    "This form is not saved here."
                )));
            }
        })
    }

    /// The new end of a pass: `+3d` is three days past its current end;
    /// anything else is a time as [`App::parse_future`] reads it.
    pub(super) fn extend_until(&self, number: &str, typed: &str) -> Result<DateTime<Utc>, Msg> {
        let folded = crate::domain::text::fold_width(typed);
        let t = folded.trim();
        if let Some(d) = t.strip_prefix('+').and_then(super::create::span) {
            let p = self
                .store
                .pass_by_number(number, self.now(), self.cfg.thresholds.pass_warn())
                .map_err(store_msg)?;
            if let Some(p) = p {
                return Ok(p.valid_until + d);
            }
        }
        self.parse_future(t, msg!("延期截止时间", "new end of the window"))
    }

    fn optional_future(&self, s: &str) -> Result<Option<DateTime<Utc>>, Msg> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        self.parse_future(s, msg!("新的送达时限", "new due time"))
            .map(Some)
    }

    // ---- asking, then doing ---------------------------------------------

    fn question(&self, a: &Action) -> Msg {
        match a {
            Action::Directive { reference, .. } => {
                let r = clean(reference);
                msg!(
                    "按指令 {r} 解除预案、恢复平时状态？",
                    "Return the plan to normal on the directive {r}?"
                )
            }
            Action::CancelAlert { id, reason } => {
                let r = clean(reason);
                msg!(
                    "撤销预警 #{id}（原因：{r}）？撤销后不能恢复。",
                    "Cancel alert #{id} (reason: {r})? A cancelled alert cannot be reopened."
                )
            }
            Action::RevokePass { number, reason, .. } => {
                let (n, r) = (clean(number), clean(reason));
                msg!(
                    "吊销通行证 {n}（原因：{r}）？吊销后不能恢复。",
                    "Revoke the pass {n} (reason: {r})? A revoked pass cannot be reinstated."
                )
            }
            Action::CancelDelivery { id, reason } => {
                let r = clean(reason);
                msg!(
                    "取消配送 #{id}（原因：{r}）？取消后不能恢复。",
                    "Cancel delivery #{id} (reason: {r})? A cancelled delivery cannot be reopened."
                )
            }
            Action::Reveal { delivery, .. } => msg!(
                "显示配送 #{delivery} 对象的个人信息（姓名、电话、身份证号、健康状况）？查看会以你的名字记入值守日志。",
                "Show the personal data (name, phone, ID number, condition) of the recipient of delivery #{delivery}? Looking is recorded in the duty log under your name."
            ),
            Action::EndShift {
                shift,
                incoming,
                items,
                earlier,
            } => {
                let who = clean(incoming);
                msg!(
                    "把班次 #{shift} 交给 {who}？截止为现在，将带出 {items} 项遗留事项（其中上一班未确认 {earlier} 项），由 {who} 逐项确认；交班后不能撤回。",
                    "Hand shift #{shift} over to {who}? The cut-off is now and {items} carry-over items go with it ({earlier} not acknowledged before), for {who} to acknowledge; a handover cannot be taken back."
                )
            }
            Action::ReaddressHandover {
                shift,
                before,
                incoming,
                items,
            } => {
                let (was, who) = (clean(before), clean(incoming));
                msg!(
                    "把班次 #{shift} 改交给 {who}（原为 {was}）？截止时间与 {items} 项遗留事项不变，由 {who} 确认；{was} 将不能再确认。",
                    "Hand shift #{shift} over to {who} instead of {was}? The cut-off and the {items} carry-over items stay, for {who} to acknowledge; {was} can no longer acknowledge it."
                )
            }
            Action::AckHandover { shift, target } => self.ack_question(*shift, *target),
            Action::QueueGaps { gaps } => msg!(
                "为 {gaps} 名未覆盖对象排队配送（已在队列中的跳过）？每条配送各记一条日志。",
                "Queue a delivery for each of the {gaps} coverage gaps (those already queued are skipped)? Each delivery is logged."
            ),
            Action::IssueRequested { number, .. } => {
                let n = clean(number);
                msg!(
                    "发放通行证 {n}？发放后车辆即可在通行范围内通过检查点。",
                    "Issue the pass {n}? Once issued, the vehicle may pass the checkpoints of its area."
                )
            }
            Action::IssuePass { new } => {
                let who = clean(match &new.vehicle {
                    Some(crate::store::pass_actions::PassVehicle::Ledger(p)) => p,
                    Some(crate::store::pass_actions::PassVehicle::New(v)) => &v.plate,
                    None => new.subject.as_deref().unwrap_or(""),
                });
                let until = local_minute(new.valid_until, self.tz);
                let issuer = clean(&new.issuer);
                msg!(
                    "为 {who} 发放通行证，有效至 {until}，发证单位 {issuer}？发放后即可通过检查点。",
                    "Issue a pass for {who}, valid until {until}, issued by {issuer}? Once issued, the vehicle may pass the checkpoints."
                )
            }
            Action::ReinstatePass { number, .. } => {
                let n = clean(number);
                msg!(
                    "恢复通行证 {n}？恢复后车辆立即可以再次通过检查点。",
                    "Reinstate the pass {n}? The vehicle may pass the checkpoints again at once."
                )
            }
            Action::Correct { seq, text } => {
                let t = clean(text);
                msg!(
                    "将第 {seq} 号记录更正为“{t}”？原记录保留并标为已更正；更正记入后不能再修改。",
                    "Correct entry {seq} to \"{t}\"? The old entry stays, marked corrected; a correction cannot be edited once recorded."
                )
            }
            Action::Mark { target } => {
                use crate::tui::panes::activation::MarkTarget;
                match target {
                    MarkTarget::Post {
                        name, manned: true, ..
                    } => {
                        let n = clean(name);
                        msg!(
                            "岗位 {n} 撤岗？各控制台将显示该岗位无人值守。",
                            "Stand the post {n} down? Every console then shows it unmanned."
                        )
                    }
                    MarkTarget::Post { name, .. } => {
                        let n = clean(name);
                        msg!("岗位 {n} 已到岗？", "Mark the post {n} manned?")
                    }
                    MarkTarget::Community { name, .. } => {
                        let n = clean(name);
                        msg!(
                            "{n} 已报到？报到记入后不能撤回。",
                            "Mark {n} reported in? A report-in cannot be taken back."
                        )
                    }
                }
            }
            _ => msg!("确定？", "Go ahead?"),
        }
    }

    /// Does `a`, or asks first when the key table says so.
    pub(super) fn act(&mut self, a: Action) -> Result<(), Msg> {
        if a.asks_first() {
            self.ask(a);
            Ok(())
        } else {
            self.perform(a)
        }
    }

    /// Asks before `a` is done (on the records as the screen shows them
    /// now, or as the form being answered showed them).
    pub(super) fn ask(&mut self, a: Action) {
        let question = self.question(&a);
        let as_of = self.as_of.take().unwrap_or(self.seen);
        self.popups.push(Popup::Confirm(Confirm {
            question,
            on_yes: OnYes::Perform(Box::new(a), as_of),
        }));
    }

    /// Writes `a` through the store, on the records as the officer saw
    /// them (`as_of`, else what the screen shows now). The flash says what
    /// was recorded and its log number; on a refusal nothing was written
    /// and the message says why. When a record changed in between,
    /// nothing is written either: a question shows the change, who made
    /// it and when, and offers to take the action up again on the record
    /// as it is now.
    pub fn perform(&mut self, a: Action) -> Result<(), Msg> {
        let as_of = self.as_of.take().unwrap_or(self.seen);
        let seen = a.seen(as_of);
        if let Err(e) = self.store.check_seen(&seen) {
            return match e {
                StoreError::Stale(stale) => {
                    self.stale(&a, &stale);
                    Ok(())
                }
                e => Err(e.message()),
            };
        }
        self.store.expect_unchanged(&seen);
        let r = self.perform_now(a);
        self.store.forget_expected();
        r
    }

    /// Shows what changed `a`'s record after the officer saw it.
    fn stale(&mut self, a: &Action, stale: &Stale) {
        // The panes catch up with the change first; a form filled in on
        // the old state is closed (the question offers it again).
        self.poll_data();
        if matches!(self.popups.last(), Some(Popup::Form(_))) {
            self.popups.pop();
        }
        match a.reopen() {
            Some((cmd, arg)) => {
                let m = stale.summary_in(self.tz);
                let (z, e) = (m.zh, m.en);
                self.popups.push(Popup::Confirm(Confirm {
                    question: msg!("{z}要按现状重新操作吗？", "{e} Act on it as it is now?"),
                    on_yes: OnYes::Reopen(cmd, arg),
                }));
            }
            None => self.flash(Level::Error, stale.message_in(self.tz)),
        }
    }

    fn perform_now(&mut self, a: Action) -> Result<(), Msg> {
        if let Action::IssuePass { new } = &a {
            // Its flash, and the question about a second pass for the
            // same route, are the pass form's own.
            return self.write_pass(new, false).map(|_| ());
        }
        let actor = self.actor().ok_or_else(|| self.no_actor())?;
        let officer = clean(&actor.officer);
        let shows = a.shown_in();
        let rules = self.carry_rules();
        let s = &mut self.store;
        let (level, m): (Level, Msg) = match a {
            Action::Directive {
                action,
                reference,
                at,
            } => {
                let seq = s
                    .set_activation(&actor, action, &reference, at)
                    .map_err(store_msg)?;
                let r = clean(&reference);
                let m = match action {
                    ActivationAction::Activate => msg!(
                        "预案已按 {r} 激活，记录 #{seq}",
                        "plan activated on {r}, recorded #{seq}"
                    ),
                    ActivationAction::Deactivate => msg!(
                        "预案已按 {r} 解除，恢复平时，记录 #{seq}",
                        "plan returned to normal on {r}, recorded #{seq}"
                    ),
                };
                (Level::Info, m)
            }
            Action::AckAlert { id } => {
                let seq = s.acknowledge_alert(&actor, id).map_err(store_msg)?;
                (
                    Level::Info,
                    msg!(
                        "预警 #{id} 已确认，处理人 {officer}，记录 #{seq}",
                        "alert #{id} acknowledged, handled by {officer}, recorded #{seq}"
                    ),
                )
            }
            Action::DispatchAlert { id, to } => {
                let seq = s.dispatch_alert(&actor, id, &to).map_err(store_msg)?;
                let to = clean(&to);
                (
                    Level::Info,
                    msg!(
                        "预警 #{id} 已派单给 {to}，记录 #{seq}",
                        "alert #{id} dispatched to {to}, recorded #{seq}"
                    ),
                )
            }
            Action::ResolveAlert { id, outcome } => {
                let seq = s.resolve_alert(&actor, id, &outcome).map_err(store_msg)?;
                (
                    Level::Info,
                    msg!(
                        "预警 #{id} 已解决，记录 #{seq}",
                        "alert #{id} resolved, recorded #{seq}"
                    ),
                )
            }
            Action::CancelAlert { id, reason } => {
                let seq = s.cancel_alert(&actor, id, &reason).map_err(store_msg)?;
                (
                    Level::Info,
                    msg!(
                        "预警 #{id} 已撤销，记录 #{seq}",
                        "alert #{id} cancelled, recorded #{seq}"
                    ),
                )
            }
            Action::AlertSeverity { id, severity } => {
                let seq = s
                    .set_alert_severity(&actor, id, severity)
                    .map_err(store_msg)?;
                let (z, e) = (severity.label_zh(), severity.label_en().to_lowercase());
                (
                    Level::Info,
                    msg!(
                        "预警 #{id} 紧急程度改为“{z}”，记录 #{seq}",
                        "alert #{id} is now of severity {e}, recorded #{seq}"
                    ),
                )
            }
            Action::IssueRequested { id, number, force } => {
                match s
                    .issue_requested_pass(&actor, id, force)
                    .map_err(store_msg)?
                {
                    IssueOutcome::Issued { seq, .. } => {
                        let n = clean(&number);
                        (
                            Level::Info,
                            msg!(
                                "通行证 {n} 已发放，记录 #{seq}",
                                "pass {n} issued, recorded #{seq}"
                            ),
                        )
                    }
                    IssueOutcome::NeedsConfirmation { message, .. } => {
                        self.popups.push(Popup::Confirm(Confirm {
                            question: Msg::new(
                                format!("{} 仍要发放？", message.zh),
                                format!("{} Issue it anyway?", message.en),
                            ),
                            on_yes: OnYes::Perform(
                                Box::new(Action::IssueRequested {
                                    id,
                                    number,
                                    force: true,
                                }),
                                self.seen,
                            ),
                        }));
                        return Ok(());
                    }
                }
            }
            Action::ExtendPass { id, number, until } => {
                let seq = s.extend_pass(&actor, id, until).map_err(store_msg)?;
                let (n, u) = (clean(&number), local_minute(until, self.tz));
                (
                    Level::Info,
                    msg!(
                        "通行证 {n} 延期至 {u}，记录 #{seq}",
                        "pass {n} extended to {u}, recorded #{seq}"
                    ),
                )
            }
            Action::SuspendPass { id, number, reason } => {
                let seq = s.suspend_pass(&actor, id, &reason).map_err(store_msg)?;
                let n = clean(&number);
                (
                    Level::Info,
                    msg!(
                        "通行证 {n} 已暂停，记录 #{seq}",
                        "pass {n} suspended, recorded #{seq}"
                    ),
                )
            }
            Action::ReinstatePass { id, number } => {
                let seq = s.reinstate_pass(&actor, id).map_err(store_msg)?;
                let n = clean(&number);
                (
                    Level::Info,
                    msg!(
                        "通行证 {n} 已恢复，记录 #{seq}",
                        "pass {n} reinstated, recorded #{seq}"
                    ),
                )
            }
            Action::RevokePass { id, number, reason } => {
                let seq = s.revoke_pass(&actor, id, &reason).map_err(store_msg)?;
                let n = clean(&number);
                (
                    Level::Info,
                    msg!(
                        "通行证 {n} 已吊销，记录 #{seq}",
                        "pass {n} revoked, recorded #{seq}"
                    ),
                )
            }
            Action::AssignDelivery { id, to, who } => {
                let done = s.assign_delivery(&actor, id, &to).map_err(store_msg)?;
                let (seq, who) = (done.seq, clean(&who));
                match done.warning {
                    None => (
                        Level::Info,
                        msg!(
                            "配送 #{id} 已分派给 {who}，记录 #{seq}",
                            "delivery #{id} assigned to {who}, recorded #{seq}"
                        ),
                    ),
                    Some(w) => {
                        let (wz, we) = (w.zh, w.en);
                        (
                            Level::Warn,
                            msg!(
                                "配送 #{id} 已分派给 {who}，记录 #{seq}；{wz}",
                                "delivery #{id} assigned to {who}, recorded #{seq}; {we}"
                            ),
                        )
                    }
                }
            }
            Action::DepartDelivery { id } => {
                let seq = s.depart_delivery(&actor, id).map_err(store_msg)?;
                (
                    Level::Info,
                    msg!(
                        "配送 #{id} 已出发，记录 #{seq}",
                        "delivery #{id} en route, recorded #{seq}"
                    ),
                )
            }
            Action::Deliver { id, received_by } => {
                let seq = s.deliver(&actor, id, &received_by).map_err(store_msg)?;
                (
                    Level::Info,
                    msg!(
                        "配送 #{id} 已送达，记录 #{seq}",
                        "delivery #{id} delivered, recorded #{seq}"
                    ),
                )
            }
            Action::FailDelivery {
                id,
                reason,
                note,
                requeue,
            } => {
                let seq = s
                    .fail_delivery(&actor, id, reason, note.as_deref())
                    .map_err(store_msg)?;
                let (rz, re) = (reason.label_zh(), reason.label_en().to_lowercase());
                match requeue {
                    None => (
                        Level::Info,
                        msg!(
                            "配送 #{id} 未送达（{rz}），记录 #{seq}",
                            "delivery #{id} failed ({re}), recorded #{seq}"
                        ),
                    ),
                    Some(due) => match s.requeue_delivery(&actor, id, due) {
                        Ok(seq2) => (
                            Level::Info,
                            msg!(
                                "配送 #{id} 未送达（{rz}），记录 #{seq}；已重新排队，记录 #{seq2}",
                                "delivery #{id} failed ({re}), recorded #{seq}; requeued, recorded #{seq2}"
                            ),
                        ),
                        Err(e) => {
                            let m = e.message();
                            let (ez, ee) = (m.zh, m.en);
                            (
                                Level::Warn,
                                msg!(
                                    "配送 #{id} 未送达（{rz}），记录 #{seq}；但未能重新排队：{ez}",
                                    "delivery #{id} failed ({re}), recorded #{seq}; it was not requeued: {ee}"
                                ),
                            )
                        }
                    },
                }
            }
            Action::RequeueDelivery { id, due } => {
                let seq = s.requeue_delivery(&actor, id, due).map_err(store_msg)?;
                (
                    Level::Info,
                    msg!(
                        "配送 #{id} 已重新排队，记录 #{seq}",
                        "delivery #{id} requeued, recorded #{seq}"
                    ),
                )
            }
            Action::CancelDelivery { id, reason } => {
                let seq = s.cancel_delivery(&actor, id, &reason).map_err(store_msg)?;
                (
                    Level::Info,
                    msg!(
                        "配送 #{id} 已取消，记录 #{seq}",
                        "delivery #{id} cancelled, recorded #{seq}"
                    ),
                )
            }
            Action::Correct { seq: old, text } => {
                let seq = s.correct_entry(&actor, old, &text).map_err(store_msg)?;
                (
                    Level::Info,
                    msg!(
                        "第 {old} 号记录已更正，更正记录 #{seq}",
                        "entry #{old} corrected, recorded #{seq}"
                    ),
                )
            }
            Action::Reveal {
                delivery,
                recipient,
            } => {
                let (data, seq) = s.reveal_recipient(&actor, recipient).map_err(store_msg)?;
                let d = self.reveal_details(delivery, seq, &data);
                self.popups.push(Popup::Details {
                    details: d,
                    scroll: 0,
                });
                (
                    Level::Info,
                    msg!(
                        "已显示配送 #{delivery} 对象的个人信息；查看已记录 #{seq}",
                        "personal data of the recipient of delivery #{delivery} shown; the access is recorded #{seq}"
                    ),
                )
            }
            Action::StartShift => {
                let (id, seq) = s.start_shift(&actor).map_err(store_msg)?;
                (
                    Level::Info,
                    msg!(
                        "班次 #{id} 开始，值班员 {officer}，记录 #{seq}",
                        "shift #{id} started, {officer} on duty, recorded #{seq}"
                    ),
                )
            }
            Action::EndShift { incoming, .. } => {
                let h = s
                    .end_shift(&actor, &incoming, None, &rules)
                    .map_err(store_msg)?;
                let (id, seq, n) = (h.shift_id, h.seq, h.items.len());
                let who = clean(&incoming);
                (
                    Level::Info,
                    msg!(
                        "班次 #{id} 已交班给 {who}，遗留事项 {n} 项待 {who} 确认，记录 #{seq}",
                        "shift #{id} handed over to {who}, {n} carry-over items for {who} to acknowledge, recorded #{seq}"
                    ),
                )
            }
            Action::ReaddressHandover { incoming, .. } => {
                // The store re-addresses when the officer's handover is
                // pending and nobody is on duty.
                let h = s
                    .end_shift(&actor, &incoming, None, &rules)
                    .map_err(store_msg)?;
                let (id, seq) = (h.shift_id, h.seq);
                let who = clean(&incoming);
                (
                    Level::Info,
                    msg!(
                        "班次 #{id} 已改交给 {who}，待 {who} 确认，记录 #{seq}",
                        "shift #{id} re-addressed to {who}, for {who} to acknowledge, recorded #{seq}"
                    ),
                )
            }
            Action::QueueGaps { .. } => {
                let norms = self.cfg.norms.norms();
                let q = s.queue_gaps(&actor, &norms).map_err(store_msg)?;
                let (n, skipped) = (q.queued.len() as i64, q.already_queued);
                let seqs = q.seq_range();
                (
                    Level::Info,
                    msg!(
                        "已为 {n} 名未覆盖对象排队配送（{skipped} 名已在队列中），记录 {seqs}",
                        "{n} coverage gaps queued for delivery ({skipped} already in the queue), recorded {seqs}"
                    ),
                )
            }
            Action::AckHandover { shift, target } => {
                let did = s
                    .acknowledge_handover(&actor, Some(shift), target)
                    .map_err(store_msg)?;
                let (id, seq, left) = (did.shift_id, did.seq, did.remaining);
                let mut m = match (target, did.items.as_slice()) {
                    (AckTarget::Item(n), _) => msg!(
                        "班次 #{id} 的遗留事项 {n} 已确认，还有 {left} 项未确认，记录 #{seq}",
                        "carry-over item {n} of shift #{id} acknowledged, {left} left, recorded #{seq}"
                    ),
                    (AckTarget::Section(sec), items) => {
                        let (k, zh, en) = (items.len(), sec.label_zh(), sec.label_en());
                        msg!(
                            "班次 #{id} 的“{zh}”一节 {k} 项已确认，还有 {left} 项未确认，记录 #{seq}",
                            "{k} items of \"{en}\" of shift #{id} acknowledged, {left} left, recorded #{seq}"
                        )
                    }
                    (_, []) => msg!(
                        "班次 #{id} 的交接已确认，记录 #{seq}",
                        "the handover of shift #{id} acknowledged, recorded #{seq}"
                    ),
                    (_, items) => {
                        let k = items.len();
                        msg!(
                            "班次 #{id} 的交接及 {k} 项遗留事项已全部确认，记录 #{seq}",
                            "the handover of shift #{id} and its {k} remaining items acknowledged, recorded #{seq}"
                        )
                    }
                };
                if did.handover && matches!(target, AckTarget::Item(_)) {
                    m = Msg::new(
                        format!("{}；交接已签收", m.zh),
                        format!("{}; the handover is signed for", m.en),
                    );
                }
                if let Some(mine) = did.started {
                    m = Msg::new(
                        format!("{}；你的班次 #{mine} 已开始", m.zh),
                        format!("{}; your shift #{mine} has started", m.en),
                    );
                }
                (Level::Info, m)
            }
            Action::Mark { target } => {
                use crate::tui::panes::activation::MarkTarget;
                let seq = match &target {
                    MarkTarget::Post { id, manned, .. } => {
                        s.mark_post_manned(&actor, Ref::Id(*id), !manned)
                    }
                    MarkTarget::Community { id, .. } => {
                        s.mark_community_reported(&actor, Ref::Id(*id))
                    }
                }
                .map_err(store_msg)?;
                let m = match &target {
                    MarkTarget::Post { name, manned, .. } => {
                        let name = clean(name);
                        if *manned {
                            msg!(
                                "岗位 {name} 已撤岗，记录 #{seq}",
                                "post {name} stood down, recorded #{seq}"
                            )
                        } else {
                            msg!(
                                "岗位 {name} 已到岗，记录 #{seq}",
                                "post {name} manned, recorded #{seq}"
                            )
                        }
                    }
                    MarkTarget::Community { name, .. } => {
                        let name = clean(name);
                        msg!(
                            "{name} 已报到，记录 #{seq}",
                            "{name} reported in, recorded #{seq}"
                        )
                    }
                };
                (Level::Info, m)
            }
            // Issued before the match, by `write_pass`.
            Action::IssuePass { .. } => return Ok(()),
        };
        self.flash(level, m);
        self.wrote(&[shows]);
        Ok(())
    }

    fn reveal_details(
        &self,
        delivery: i64,
        seq: i64,
        d: &crate::store::deliveries::RecipientData,
    ) -> Details {
        let t = |zh: &str, en: &str| self.t(zh, en).to_string();
        let dash = || "—".to_string();
        let mut address = d.community.clone();
        for p in [&d.compound, &d.building, &d.unit_no, &d.room]
            .into_iter()
            .flatten()
        {
            address.push(' ');
            address.push_str(p);
        }
        Details {
            title: format!(
                "{} #{} · {}",
                t("对象个人信息", "Personal data"),
                d.id,
                t("已记入日志", "access logged")
            ),
            lines: vec![
                (t("配送", "Delivery"), format!("#{delivery}")),
                (t("姓名", "Name"), d.name.clone()),
                (t("电话", "Phone"), d.phone.clone().unwrap_or_else(dash)),
                (
                    t("身份证号", "ID number"),
                    d.id_number.clone().unwrap_or_else(dash),
                ),
                (t("类别", "Group"), d.group.label(self.lang).to_string()),
                (
                    t("健康状况", "Condition"),
                    d.condition.clone().unwrap_or_else(dash),
                ),
                (t("地址", "Address"), address),
                (t("需求", "Needs"), d.needs.clone().unwrap_or_else(dash)),
                (t("查看记录", "Access entry"), format!("#{seq}")),
            ],
        }
    }

    // ---- who takes a delivery --------------------------------------------

    /// The active volunteers of the recipient's community, for the assign
    /// form to match names against as they are typed.
    fn volunteer_pool(&self, d: &QueueRow) -> Vec<VolunteerRow> {
        // The queue row's address starts with the community's name.
        let community = d.address.split(' ').next().unwrap_or("").to_string();
        self.store
            .volunteers(Some(&Ref::Name(community)))
            .unwrap_or_default()
    }

    /// A volunteer by name (optionally followed by part of the place, to
    /// tell two of the same name apart) from `pool`, else a plate.
    pub(super) fn assignee(
        &self,
        typed: &str,
        pool: &[VolunteerRow],
    ) -> Result<(Assignee, String), Msg> {
        let typed = typed.trim();
        let (name, place) = typed.split_once(char::is_whitespace).unwrap_or((typed, ""));
        let place = place.trim();
        let found: Vec<&VolunteerRow> = pool
            .iter()
            .filter(|v| v.name == name)
            .filter(|v| {
                place.is_empty()
                    || [&v.compound, &v.station]
                        .into_iter()
                        .flatten()
                        .any(|p| p.contains(place))
            })
            .collect();
        match found.as_slice() {
            [one] => return Ok((Assignee::Volunteer(one.id), one.name.clone())),
            [] => {}
            many => {
                let list = many
                    .iter()
                    .take(4)
                    .map(|v| {
                        format!(
                            "{} {}",
                            v.name,
                            v.compound.as_deref().or(v.station.as_deref()).unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("、");
                let list = clean(&list);
                return Err(msg!(
                    "有多位志愿者叫这个名字：{list}；请在姓名后加上小区名以区分。",
                    "Several volunteers have this name: {list}; add the compound after the name to pick one."
                ));
            }
        }
        // People's names carry no digits; plates do.
        match crate::domain::plate::normalize(typed) {
            Ok(n) if typed.chars().any(|c| c.is_ascii_digit()) => {
                let p = n.plate.as_str().to_string();
                Ok((Assignee::Vehicle(typed.to_string()), p))
            }
            _ => {
                let t = clean(typed);
                Err(msg!(
                    "“{t}”既不是本社区在岗志愿者的姓名，也不是车牌；请输入志愿者姓名或车辆台账中的车牌。",
                    "\"{t}\" is neither an active volunteer of this community nor a plate; type a volunteer's name or a plate in the vehicle ledger."
                ))
            }
        }
    }
}

fn parse_severity(s: &str) -> Result<Severity, Msg> {
    if s.trim().is_empty() {
        return Err(msg!(
            "请选择紧急程度（←/→ 选择，或直接输入）。",
            "Choose the severity (←/→, or type it)."
        ));
    }
    Severity::parse(s).ok_or_else(|| {
        let (t, list) = (clean(s), Severity::codes_list());
        msg!(
            "无法识别紧急程度“{t}”；可选：紧急、高、中、低（←/→ 选择）。",
            "\"{t}\" is not a severity; use one of {list} (←/→ to choose)."
        )
    })
}

fn parse_fail_reason(s: &str) -> Result<FailReason, Msg> {
    if s.trim().is_empty() {
        return Err(msg!(
            "请选择未送达原因（←/→ 选择，或直接输入）。",
            "Choose why it was not delivered (←/→, or type it)."
        ));
    }
    FailReason::parse(s).ok_or_else(|| {
        let (t, list) = (clean(s), FailReason::codes_list());
        msg!(
            "无法识别未送达原因“{t}”；可选：无人在家、地址错误、拒收、其他（←/→ 选择）。",
            "\"{t}\" is not a reason; use one of {list} (←/→ to choose)."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_is_checked_against_its_row_and_a_new_pass_against_nothing() {
        use crate::tui::panes::activation::MarkTarget;
        let post = Action::Mark {
            target: MarkTarget::Post {
                id: 3,
                name: "p".into(),
                manned: false,
            },
        };
        assert_eq!(post.seen(7), vec![Seen::new("post", 3, 7)]);
        assert!(post.reopen().is_none());
        let community = Action::Mark {
            target: MarkTarget::Community {
                id: 4,
                name: "c".into(),
            },
        };
        assert_eq!(community.seen(7), vec![Seen::new("community", 4, 7)]);
        assert!(community.reopen().is_none());
    }

    #[test]
    fn a_hash_names_the_row_and_the_rest_is_the_text() {
        assert_eq!(
            split_hash(Some("#12 送到了")),
            (Some(12), Some("送到了".into()))
        );
        assert_eq!(split_hash(Some("#12")), (Some(12), None));
        assert_eq!(
            split_hash(Some("12 boxes")),
            (None, Some("12 boxes".into()))
        );
        assert_eq!(split_hash(Some("  ")), (None, None));
        assert_eq!(split_hash(None), (None, None));
    }

    #[test]
    fn only_the_irreversible_and_the_private_ask_first() {
        assert!(
            Action::RevokePass {
                id: 1,
                number: "x".into(),
                reason: "r".into()
            }
            .asks_first()
        );
        assert!(!Action::AckAlert { id: 1 }.asks_first());
        assert!(
            Action::Directive {
                action: ActivationAction::Deactivate,
                reference: "r".into(),
                at: None
            }
            .asks_first()
        );
        assert!(
            !Action::Directive {
                action: ActivationAction::Activate,
                reference: "r".into(),
                at: None
            }
            .asks_first()
        );
    }
}
