//! Shifts of the duty desk and their handover (交接班).
//!
//! A shift is on duty until its officer ends it by handing over to a named
//! incoming officer, with a cut-off: what happens after the cut-off belongs
//! to the next report. The incoming officer — and nobody else — then
//! acknowledges the handover, once. The open items at the cut-off are
//! carried over one by one, and the incoming officer acknowledges them
//! item by item or all at once; items left unacknowledged are carried
//! again at the next handover.

use super::machine::{self, Forbidden};
use crate::code_enum;

code_enum! {
    pub enum ShiftState {
        OnDuty => ("on_duty", "值班中", "On duty", ["duty", "值班"]),
        HandedOver => ("handed_over", "已交班待接收", "Handed over", ["交班", "pending"]),
        Acknowledged => ("acknowledged", "已接班", "Acknowledged", ["接班", "ack"]),
    }
}

code_enum! {
    pub enum ShiftAction {
        HandOver => ("hand_over", "交班", "Hand over", ["end", "结束"]),
        Acknowledge => ("acknowledge", "接班确认", "Acknowledge", ["ack", "确认"]),
        // The outgoing officer names another incoming officer while the
        // first has not acknowledged (they could not come): the cut-off
        // and the carry-over items stay as they were.
        Readdress => ("readdress", "改交", "Re-address", ["改交接班人"]),
    }
}

use ShiftAction as A;
use ShiftState as S;

pub const TRANSITIONS: &[(ShiftState, ShiftAction, ShiftState)] = &[
    (S::OnDuty, A::HandOver, S::HandedOver),
    (S::HandedOver, A::Acknowledge, S::Acknowledged),
    (S::HandedOver, A::Readdress, S::HandedOver),
];

pub fn step(
    from: ShiftState,
    action: ShiftAction,
) -> Result<ShiftState, Forbidden<ShiftState, ShiftAction>> {
    machine::step(TRANSITIONS, from, action)
}

code_enum! {
    /// What a carry-over item is about: the table of its subject.
    pub enum CarryKind {
        Alert => ("alert", "短缺预警", "Shortage alert", ["预警"]),
        Delivery => ("delivery", "配送", "Delivery", ["配送任务"]),
        Pass => ("pass", "通行证", "Pass", ["证件"]),
        // A recipient not reached within their group's period, or due a
        // welfare check.
        Reach => ("reach", "未联系上的对象", "Recipient not reached", ["覆盖缺口"]),
        // A community whose days of cover are below the threshold.
        Cover => ("cover", "可供天数不足", "Cover below threshold", ["供需"]),
        // Free text from the outgoing officer: something to keep an eye on.
        Watch => ("watch", "关注事项", "Watch item", ["关注"]),
        // Free text from the outgoing officer: a standing instruction.
        Instruction => ("instruction", "交代事项", "Standing instruction", ["交代"]),
    }
}

code_enum! {
    /// The sections of a carry-over list, worst first: each item is in
    /// one, and a whole section can be acknowledged at once.
    pub enum ItemSection {
        Alert => ("alert", "紧急或已升级的预警", "Critical or escalated alerts", ["预警"]),
        Delivery => ("delivery", "逾期及即将到期的配送", "Deliveries overdue or due soon", ["配送"]),
        Pass => ("pass", "即将到期的通行证", "Passes ending soon", ["通行证"]),
        Reach => ("reach", "未联系上的对象与上门探视", "Recipients not reached, welfare checks", ["缺口", "探视"]),
        Cover => ("cover", "可供天数低于阈值的社区", "Communities below the cover threshold", ["供需"]),
        Carried => ("carried", "上一班未确认的事项", "Left unacknowledged by the previous handover", ["未确认"]),
        Instruction => ("instruction", "交代事项", "Standing instructions", ["交代"]),
        Watch => ("watch", "关注事项", "Watch items", ["关注"]),
    }
}

impl ItemSection {
    /// Its place in the list: worst first.
    pub fn rank(self) -> usize {
        <ItemSection as crate::domain::Code>::ALL
            .iter()
            .position(|s| *s == self)
            .unwrap_or(0)
    }

    /// The section of an item of `kind` that is open at the cut-off.
    pub fn of_kind(kind: CarryKind) -> ItemSection {
        match kind {
            CarryKind::Alert => ItemSection::Alert,
            CarryKind::Delivery => ItemSection::Delivery,
            CarryKind::Pass => ItemSection::Pass,
            CarryKind::Reach => ItemSection::Reach,
            CarryKind::Cover => ItemSection::Cover,
            CarryKind::Watch => ItemSection::Watch,
            CarryKind::Instruction => ItemSection::Instruction,
        }
    }
}

impl CarryKind {
    /// The subject of a record, `table:id`.
    pub fn subject(self, id: i64) -> String {
        format!("{}:{id}", crate::domain::Code::code(self))
    }

    /// Reads `alert:12` and the like.
    pub fn parse_subject(subject: &str) -> Option<(CarryKind, i64)> {
        let (table, id) = subject.split_once(':')?;
        let kind = <CarryKind as crate::domain::Code>::from_code(table)?;
        let id: i64 = id.parse().ok().filter(|i| *i > 0)?;
        Some((kind, id))
    }
}

/// Longest officer name kept.
pub const OFFICER_MAX_CHARS: usize = 50;

/// Why a handover cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoverError {
    /// Only the officer on duty may hand the shift over.
    NotTheOfficer,
    /// No incoming officer named.
    NoIncoming,
    /// The incoming officer is the outgoing one.
    SameOfficer,
    TooLong,
    ControlCharacters,
    /// The shift was already handed over.
    NotOnDuty,
    /// Re-addressing a handover to the officer it is already addressed to.
    SameIncoming,
    /// Re-addressing a handover that was already acknowledged.
    NotPending,
}

/// Why an acknowledgement is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckError {
    /// The shift has not been handed over yet.
    NotHandedOver,
    /// The handover was already acknowledged (once is all).
    AlreadyAcknowledged,
    /// Only the officer named as incoming may acknowledge.
    NotTheIncoming,
    /// This carry-over item was already acknowledged.
    ItemAlreadyAcknowledged,
}

/// The same person, whatever the spacing and Latin case: `王 静` is `王静`.
pub fn same_officer(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    norm(a) == norm(b)
}

/// Checks that `who` may end the shift of `outgoing`, handing it over to
/// `incoming`; returns the incoming name as it will be stored.
pub fn hand_over(
    state: ShiftState,
    outgoing: &str,
    who: &str,
    incoming: &str,
) -> Result<(ShiftState, String), HandoverError> {
    if !same_officer(outgoing, who) {
        return Err(HandoverError::NotTheOfficer);
    }
    let name = check_handover(outgoing, incoming)?;
    let to = step(state, A::HandOver).map_err(|_| HandoverError::NotOnDuty)?;
    Ok((to, name))
}

/// Checks that `who` may re-address the pending handover of `outgoing`,
/// now addressed to `current`, to `incoming`; returns the new name as it
/// will be stored.
pub fn readdress(
    state: ShiftState,
    outgoing: &str,
    who: &str,
    current: &str,
    incoming: &str,
) -> Result<String, HandoverError> {
    if !same_officer(outgoing, who) {
        return Err(HandoverError::NotTheOfficer);
    }
    let name = check_handover(outgoing, incoming)?;
    if same_officer(current, &name) {
        return Err(HandoverError::SameIncoming);
    }
    step(state, A::Readdress).map_err(|_| HandoverError::NotPending)?;
    Ok(name)
}

/// Checks the incoming officer named at the end of a shift; returns the
/// name as it will be stored.
pub fn check_handover(outgoing: &str, incoming: &str) -> Result<String, HandoverError> {
    let inc = incoming.trim();
    if inc.is_empty() {
        return Err(HandoverError::NoIncoming);
    }
    if inc.chars().count() > OFFICER_MAX_CHARS {
        return Err(HandoverError::TooLong);
    }
    if inc.chars().any(char::is_control) {
        return Err(HandoverError::ControlCharacters);
    }
    if same_officer(outgoing, inc) {
        return Err(HandoverError::SameOfficer);
    }
    Ok(inc.to_string())
}

/// May `who` acknowledge a handover in `state` addressed to `incoming`?
/// Returns the state after it.
pub fn acknowledge(state: ShiftState, incoming: &str, who: &str) -> Result<ShiftState, AckError> {
    match state {
        S::OnDuty => Err(AckError::NotHandedOver),
        S::Acknowledged => Err(AckError::AlreadyAcknowledged),
        S::HandedOver if !same_officer(incoming, who) => Err(AckError::NotTheIncoming),
        S::HandedOver => step(state, A::Acknowledge).map_err(|_| AckError::AlreadyAcknowledged),
    }
}

/// May `who` acknowledge a carry-over item of a handover in `state`
/// addressed to `incoming`? An item can be acknowledged before or after
/// the handover itself (acknowledging an item signs for the handover too,
/// see [`item_signs_handover`]), but only once and only by the incoming
/// officer.
pub fn acknowledge_item(
    state: ShiftState,
    incoming: &str,
    who: &str,
    already: bool,
) -> Result<(), AckError> {
    if state == S::OnDuty {
        return Err(AckError::NotHandedOver);
    }
    if !same_officer(incoming, who) {
        return Err(AckError::NotTheIncoming);
    }
    if already {
        return Err(AckError::ItemAlreadyAcknowledged);
    }
    Ok(())
}

/// Acknowledging an item of a handover not yet acknowledged acknowledges
/// the handover as well: the incoming officer has plainly received it.
pub fn item_signs_handover(state: ShiftState) -> bool {
    state == S::HandedOver
}

/// What an item is about, in both languages, as it stood at the cut-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub zh: String,
    pub en: String,
}

/// An item needing action at the cut-off, as found in the records (or
/// written by the outgoing officer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    pub kind: CarryKind,
    pub subject: String,
    pub summary: Summary,
    /// What the incoming officer does about it.
    pub next: Summary,
    /// Who is working on it, when someone is.
    pub owner: Option<String>,
}

/// An item of the previous handover that nobody acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unacknowledged {
    pub item_id: i64,
    pub kind: CarryKind,
    pub subject: String,
    pub summary: Summary,
    pub next: Summary,
    pub owner: Option<String>,
}

/// A carry-over item to write, numbered from 1 in the handover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarryItem {
    pub pos: i64,
    pub kind: CarryKind,
    pub section: ItemSection,
    pub subject: String,
    pub summary: Summary,
    pub next: Summary,
    pub owner: Option<String>,
    /// The unacknowledged item of an earlier handover this one continues.
    pub carried_from: Option<i64>,
}

/// The carry-over list of a handover, in sections worst first (the
/// order given within a section): the open items, each linked to an
/// unacknowledged earlier item about the same thing; then the earlier
/// unacknowledged items whose record is no longer open (section
/// "carried"), which stay on the list until someone acknowledges them;
/// the outgoing officer's watch items and instructions keep their own
/// sections until acknowledged.
pub fn carry_over(open: &[OpenItem], unacknowledged: &[Unacknowledged]) -> Vec<CarryItem> {
    let mut out: Vec<CarryItem> = Vec::with_capacity(open.len() + unacknowledged.len());
    for o in open {
        if out.iter().any(|c| c.subject == o.subject) {
            continue;
        }
        let from = unacknowledged.iter().find(|u| u.subject == o.subject);
        out.push(CarryItem {
            pos: 0,
            kind: o.kind,
            section: ItemSection::of_kind(o.kind),
            subject: o.subject.clone(),
            summary: o.summary.clone(),
            next: o.next.clone(),
            owner: o.owner.clone(),
            carried_from: from.map(|u| u.item_id),
        });
    }
    for u in unacknowledged {
        if out.iter().any(|c| c.subject == u.subject) {
            continue;
        }
        let section = match u.kind {
            CarryKind::Watch | CarryKind::Instruction => ItemSection::of_kind(u.kind),
            _ => ItemSection::Carried,
        };
        out.push(CarryItem {
            pos: 0,
            kind: u.kind,
            section,
            subject: u.subject.clone(),
            summary: u.summary.clone(),
            next: u.next.clone(),
            owner: u.owner.clone(),
            carried_from: Some(u.item_id),
        });
    }
    // Stable: the order given stays within a section.
    out.sort_by_key(|c| c.section.rank());
    for (i, c) in out.iter_mut().enumerate() {
        c.pos = i as i64 + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::Code;

    fn expected(from: ShiftState, action: ShiftAction) -> Option<ShiftState> {
        match (from, action) {
            (S::OnDuty, A::HandOver) => Some(S::HandedOver),
            (S::HandedOver, A::Acknowledge) => Some(S::Acknowledged),
            (S::HandedOver, A::Readdress) => Some(S::HandedOver),
            _ => None,
        }
    }

    #[test]
    fn every_pair_of_state_and_action() {
        for &from in ShiftState::ALL {
            for &action in ShiftAction::ALL {
                assert_eq!(
                    step(from, action).ok(),
                    expected(from, action),
                    "{from:?} {action:?}"
                );
            }
        }
        assert!(machine::allowed(TRANSITIONS, S::Acknowledged).is_empty());
    }

    #[test]
    fn the_incoming_officer_is_someone_else() {
        assert_eq!(check_handover("王静", " 李明 ").as_deref(), Ok("李明"));
        assert_eq!(
            check_handover("王静", "王静"),
            Err(HandoverError::SameOfficer)
        );
        assert_eq!(
            check_handover("王静", " 王 静 "),
            Err(HandoverError::SameOfficer)
        );
        assert_eq!(
            check_handover("Wang Jing", "wang  jing"),
            Err(HandoverError::SameOfficer)
        );
        assert_eq!(check_handover("王静", "  "), Err(HandoverError::NoIncoming));
        assert_eq!(
            check_handover("王静", "李\n明"),
            Err(HandoverError::ControlCharacters)
        );
        assert_eq!(
            check_handover("王静", &"李".repeat(OFFICER_MAX_CHARS + 1)),
            Err(HandoverError::TooLong)
        );
    }

    #[test]
    fn only_the_outgoing_officer_readdresses_a_pending_handover() {
        assert_eq!(
            readdress(S::HandedOver, "王静", "王静", "李明", "张伟").as_deref(),
            Ok("张伟")
        );
        assert_eq!(
            readdress(S::HandedOver, "王静", "张伟", "李明", "张伟"),
            Err(HandoverError::NotTheOfficer)
        );
        assert_eq!(
            readdress(S::HandedOver, "王静", "王静", "李明", "李 明"),
            Err(HandoverError::SameIncoming)
        );
        assert_eq!(
            readdress(S::HandedOver, "王静", "王静", "李明", "王静"),
            Err(HandoverError::SameOfficer)
        );
        assert_eq!(
            readdress(S::Acknowledged, "王静", "王静", "李明", "张伟"),
            Err(HandoverError::NotPending)
        );
    }

    #[test]
    fn only_the_officer_on_duty_hands_over_and_only_once() {
        assert_eq!(
            hand_over(S::OnDuty, "王静", "王静", "李明"),
            Ok((S::HandedOver, "李明".to_string()))
        );
        assert_eq!(
            hand_over(S::OnDuty, "王静", "张伟", "李明"),
            Err(HandoverError::NotTheOfficer)
        );
        assert_eq!(
            hand_over(S::OnDuty, "王静", "王静", "王静"),
            Err(HandoverError::SameOfficer)
        );
        for s in [S::HandedOver, S::Acknowledged] {
            assert_eq!(
                hand_over(s, "王静", "王静", "李明"),
                Err(HandoverError::NotOnDuty)
            );
        }
    }

    #[test]
    fn a_handover_is_acknowledged_once_by_the_named_officer() {
        assert_eq!(
            acknowledge(S::HandedOver, "李明", "李明"),
            Ok(S::Acknowledged)
        );
        assert_eq!(
            acknowledge(S::HandedOver, "李明", " 李 明"),
            Ok(S::Acknowledged)
        );
        assert_eq!(
            acknowledge(S::HandedOver, "李明", "王静"),
            Err(AckError::NotTheIncoming)
        );
        assert_eq!(
            acknowledge(S::Acknowledged, "李明", "李明"),
            Err(AckError::AlreadyAcknowledged)
        );
        assert_eq!(
            acknowledge(S::OnDuty, "", "李明"),
            Err(AckError::NotHandedOver)
        );
    }

    #[test]
    fn items_are_acknowledged_once_by_the_named_officer() {
        for state in [S::HandedOver, S::Acknowledged] {
            assert_eq!(acknowledge_item(state, "李明", "李明", false), Ok(()));
            assert_eq!(
                acknowledge_item(state, "李明", "李明", true),
                Err(AckError::ItemAlreadyAcknowledged)
            );
            assert_eq!(
                acknowledge_item(state, "李明", "王静", false),
                Err(AckError::NotTheIncoming)
            );
        }
        assert_eq!(
            acknowledge_item(S::OnDuty, "李明", "李明", false),
            Err(AckError::NotHandedOver)
        );
        assert!(item_signs_handover(S::HandedOver));
        assert!(!item_signs_handover(S::Acknowledged));
        assert!(!item_signs_handover(S::OnDuty));
    }

    #[test]
    fn subjects() {
        assert_eq!(CarryKind::Alert.subject(12), "alert:12");
        assert_eq!(
            CarryKind::parse_subject("delivery:7"),
            Some((CarryKind::Delivery, 7))
        );
        assert_eq!(CarryKind::parse_subject("pass:x"), None);
        assert_eq!(CarryKind::parse_subject("pass:0"), None);
        assert_eq!(CarryKind::parse_subject("community:1"), None);
        assert_eq!(CarryKind::parse_subject("alert"), None);
    }

    #[test]
    fn carry_over_keeps_what_nobody_acknowledged() {
        let sum = |s: String| Summary {
            zh: format!("中 {s}"),
            en: s,
        };
        let kind = |s: &str| {
            CarryKind::from_code(s.split(':').next().unwrap_or_default())
                .unwrap_or(CarryKind::Alert)
        };
        let open = |s: &str| OpenItem {
            kind: kind(s),
            subject: s.into(),
            summary: sum(format!("now {s}")),
            next: sum("next".into()),
            owner: None,
        };
        let unack = |id: i64, s: &str| Unacknowledged {
            item_id: id,
            kind: kind(s),
            subject: s.into(),
            summary: sum(format!("then {s}")),
            next: sum("next".into()),
            owner: None,
        };
        let items = carry_over(
            &[
                open("delivery:2"),
                open("alert:1"),
                open("alert:1"),
                open("watch:3"),
            ],
            &[
                unack(10, "delivery:2"),
                unack(11, "alert:9"),
                unack(12, "instruction:5"),
            ],
        );
        let got: Vec<(i64, &str, &str, Option<i64>)> = items
            .iter()
            .map(|c| {
                (
                    c.pos,
                    c.subject.as_str(),
                    c.summary.en.as_str(),
                    c.carried_from,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, "alert:1", "now alert:1", None),
                (2, "delivery:2", "now delivery:2", Some(10)),
                (3, "alert:9", "then alert:9", Some(11)),
                (4, "instruction:5", "then instruction:5", Some(12)),
                (5, "watch:3", "now watch:3", None),
            ]
        );
        assert_eq!(items[2].summary.zh, "中 then alert:9");
        let sections: Vec<ItemSection> = items.iter().map(|c| c.section).collect();
        assert_eq!(
            sections,
            [
                ItemSection::Alert,
                ItemSection::Delivery,
                ItemSection::Carried,
                ItemSection::Instruction,
                ItemSection::Watch
            ]
        );
        assert!(carry_over(&[], &[]).is_empty());
    }
}
