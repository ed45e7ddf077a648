//! Shifts and the handover report through the real store and the real
//! binary: the report of a fixed scenario (insta snapshots of the
//! Markdown), the fixed cut-off, the acknowledgement rules, carry-over
//! items that stay until acknowledged, and tamper detection against the
//! chain head a report printed.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::{Connection, params};

use common::{Desk, officer, open_store, stderr, stdout, succeeds};
use supplydesk::domain::Code;
use supplydesk::domain::activation::ActivationAction;
use supplydesk::domain::alert::{AlertState, ItemClass, Severity};
use supplydesk::domain::delivery::{FailReason, Group, Urgency};
use supplydesk::domain::log::{Entry, GENESIS, LogKind};
use supplydesk::domain::pass::PassKind;
use supplydesk::domain::shift::{CarryKind, ItemSection, ShiftState};
use supplydesk::domain::unit::{Capacity, UnitCategory};
use supplydesk::i18n::Lang;
use supplydesk::report::handover::{self, Report, ReportOptions, Which};
use supplydesk::store::alerts::NewAlert;
use supplydesk::store::deliveries::{Assignee, NewDelivery};
use supplydesk::store::log::LogFilter;
use supplydesk::store::pass_actions::{IssueOutcome, NewPass, NewVehicle, PassVehicle};
use supplydesk::store::places::{
    NewCommunity, NewCompound, NewRecipient, NewSupplyUnit, NewVolunteer, Ref,
};
use supplydesk::store::report_queries::PassEventKind;
use supplydesk::store::shifts::{AckTarget, CarryRules};
use supplydesk::store::{Actor, Clock, Head, Store, StoreError};

/// 08:00 in Chongqing on the day of the scenario, plus hours and minutes.
fn t(h: i64, m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap() + Duration::hours(h) + Duration::minutes(m)
}

fn wang() -> Actor {
    officer("王静")
}

fn li() -> Actor {
    officer("李明")
}

/// The desk at a moment.
fn at(s: &mut Store, when: DateTime<Utc>) {
    s.set_clock(Clock::Fixed(when));
}

const RAW_NAME: &str = "张晓华";
const RAW_PHONE: &str = "13812345678";

struct Ids {
    alert_medicine: i64,
    alert_veg: i64,
    alert_old: i64,
    vehicle_pass: i64,
    staff_pass: i64,
    old_pass: i64,
    overdue_delivery: i64,
}

/// A sub-district at the start of a day shift, then the shift of 王静
/// from 08:00 to the 20:00 cut-off (00:00–12:00 UTC), ended at 20:05 with
/// a handover to 李明. Two things happen one second after the cut-off,
/// before the handover: they belong to the next report.
fn scenario(s: &mut Store) -> Ids {
    let a = wang();
    at(s, t(-48, 0));
    s.ensure_posts(&a, &[("经发办".into(), "经发办".into())])
        .unwrap();
    let (wanshui, _) = s
        .add_community(
            &a,
            &NewCommunity {
                name: "一碗水社区".into(),
                households: 1800,
                ..Default::default()
            },
        )
        .unwrap();
    s.add_community(
        &a,
        &NewCommunity {
            name: "龙宝村".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let (dishui, _) = s
        .add_compound(
            &a,
            &NewCompound {
                community: Ref::Id(wanshui),
                name: "滴水岩小区".into(),
                kind: None,
                households: 235,
                resident_pop: 516,
                floating_pop: 0,
                transfer_station: Some("小区东门".into()),
            },
        )
        .unwrap();
    s.add_supply_unit(
        &a,
        &NewSupplyUnit {
            name: "永辉超市双河口店".into(),
            category: UnitCategory::Retail,
            community: Some(Ref::Id(wanshui)),
            address: None,
            contact: None,
            phone: None,
            capacity: Capacity::default(),
        },
    )
    .unwrap();
    let (volunteer, _) = s
        .add_volunteer(
            &a,
            &NewVolunteer {
                name: "陈志愿".into(),
                phone: None,
                community: Ref::Id(wanshui),
                compound_id: Some(dishui),
                building_id: None,
                station: None,
                tasks: None,
            },
        )
        .unwrap();
    let (recipient, _) = s
        .add_recipient(
            &a,
            &NewRecipient {
                name: RAW_NAME.into(),
                phone: Some(RAW_PHONE.into()),
                id_number: None,
                group: Group::Dialysis,
                condition: Some("尿毒症".into()),
                community: Ref::Id(wanshui),
                compound_id: Some(dishui),
                building: Some("3栋".into()),
                unit_no: None,
                room: Some("501".into()),
                needs: None,
            },
        )
        .unwrap();
    at(s, t(-46, -48));
    s.set_activation(
        &a,
        ActivationAction::Activate,
        "联控指挥部〔2022〕60号",
        None,
    )
    .unwrap();
    at(s, t(-40, 0));
    let old_pass = issued(
        s.issue_pass(&a, &vehicle_pass("渝F00001", t(-40, 0), t(100, 0)), false)
            .unwrap(),
    );
    let (first_delivery, _) = s
        .queue_delivery(
            &a,
            &NewDelivery {
                recipient_id: recipient,
                items: "血透药、大米".into(),
                urgency: Urgency::Urgent,
                due_at: t(6, 0),
            },
        )
        .unwrap();
    at(s, t(-2, 0));
    let (alert_old, _) = s
        .raise_alert(
            &a,
            &NewAlert {
                community: Ref::Name("龙宝村".into()),
                compound: None,
                item: ItemClass::Grain,
                severity: Severity::Low,
                households: 30,
                source: None,
                text: String::new(),
            },
        )
        .unwrap();

    // The shift.
    at(s, t(0, 0));
    s.start_shift(&a).unwrap();
    at(s, t(0, 30));
    s.add_entry(
        &a,
        LogKind::Note,
        &format!("滴水岩小区蔬菜到货，联系人电话 {RAW_PHONE}"),
        None,
        None,
    )
    .unwrap();
    at(s, t(1, 0));
    let (alert_medicine, _) = s
        .raise_alert(
            &a,
            &NewAlert {
                community: Ref::Id(wanshui),
                compound: Some(Ref::Id(dishui)),
                item: ItemClass::Medicine,
                severity: Severity::Critical,
                households: 40,
                source: Some("社区电话".into()),
                text: String::new(),
            },
        )
        .unwrap();
    at(s, t(1, 10));
    s.acknowledge_alert(&a, alert_medicine).unwrap();
    at(s, t(2, 0));
    let (alert_veg, _) = s
        .raise_alert(
            &a,
            &NewAlert {
                community: Ref::Name("龙宝村".into()),
                compound: None,
                item: ItemClass::Vegetables,
                severity: Severity::High,
                households: 120,
                source: None,
                text: String::new(),
            },
        )
        .unwrap();
    at(s, t(2, 50));
    s.acknowledge_alert(&a, alert_old).unwrap();
    at(s, t(3, 0));
    s.resolve_alert(&a, alert_old, "已调拨大米 30 袋").unwrap();
    at(s, t(3, 30));
    let vehicle_pass = issued(
        s.issue_pass(
            &a,
            &NewPass {
                vehicle: Some(PassVehicle::New(NewVehicle {
                    plate: "渝F12345".into(),
                    vehicle_type: Some("厢式货车".into()),
                    ..Default::default()
                })),
                ..vehicle_pass("", t(3, 30), t(20, 0))
            },
            false,
        )
        .unwrap(),
    );
    at(s, t(4, 0));
    let staff_pass = issued(
        s.issue_pass(
            &a,
            &NewPass {
                kind: PassKind::Staff,
                vehicle: None,
                subject: Some("张伟".into()),
                unit: None,
                issuer: "经发办".into(),
                valid_from: t(4, 0),
                valid_until: t(4, 0) + Duration::days(7),
                area: None,
                number: None,
            },
            false,
        )
        .unwrap(),
    );
    at(s, t(4, 30));
    s.suspend_pass(&a, staff_pass, "证件遗失").unwrap();
    at(s, t(5, 0));
    s.revoke_pass(&a, old_pass, "车辆违规运营").unwrap();
    s.assign_delivery(&a, first_delivery, &Assignee::Volunteer(volunteer))
        .unwrap();
    at(s, t(5, 10));
    s.depart_delivery(&a, first_delivery).unwrap();
    at(s, t(5, 30));
    s.deliver(&a, first_delivery, "本人").unwrap();
    at(s, t(6, 0));
    let (overdue_delivery, _) = s
        .queue_delivery(
            &a,
            &NewDelivery {
                recipient_id: recipient,
                items: "胰岛素".into(),
                urgency: Urgency::High,
                due_at: t(8, 0),
            },
        )
        .unwrap();
    s.assign_delivery(&a, overdue_delivery, &Assignee::Volunteer(volunteer))
        .unwrap();
    at(s, t(7, 0));
    s.depart_delivery(&a, overdue_delivery).unwrap();
    at(s, t(7, 30));
    s.fail_delivery(&a, overdue_delivery, FailReason::NobodyHome, None)
        .unwrap();
    at(s, t(9, 0));
    s.queue_delivery(
        &a,
        &NewDelivery {
            recipient_id: recipient,
            items: "婴儿奶粉 2 罐".into(),
            urgency: Urgency::Normal,
            due_at: t(13, 0),
        },
    )
    .unwrap();
    at(s, t(10, 0));
    s.add_entry(
        &a,
        LogKind::Call,
        "一碗水社区来电：家属询问送药时间，已答复",
        None,
        None,
    )
    .unwrap();
    at(s, t(11, 0));
    s.add_entry(
        &a,
        LogKind::Instruction,
        "区指挥部指示：今晚加派两辆保供车",
        Some(t(10, 50)),
        None,
    )
    .unwrap();
    // Exactly at the cut-off: in the report.
    at(s, t(12, 0));
    s.add_entry(&a, LogKind::Note, "20:00 整点巡查完毕", None, None)
        .unwrap();
    // One second after the cut-off: the next report's.
    at(s, t(12, 0) + Duration::seconds(1));
    s.add_entry(&a, LogKind::Note, "截止后一秒的记事", None, None)
        .unwrap();
    s.raise_alert(
        &a,
        &NewAlert {
            community: Ref::Id(wanshui),
            compound: None,
            item: ItemClass::EggsMilk,
            severity: Severity::Medium,
            households: 5,
            source: None,
            text: String::new(),
        },
    )
    .unwrap();
    at(s, t(12, 5));
    s.end_shift(&a, "李明", Some(t(12, 0)), &CarryRules::default())
        .unwrap();
    Ids {
        alert_medicine,
        alert_veg,
        alert_old,
        vehicle_pass,
        staff_pass,
        old_pass,
        overdue_delivery,
    }
}

fn vehicle_pass(plate: &str, from: DateTime<Utc>, until: DateTime<Utc>) -> NewPass {
    NewPass {
        kind: PassKind::Vehicle,
        vehicle: Some(PassVehicle::New(NewVehicle {
            plate: plate.into(),
            ..Default::default()
        })),
        subject: None,
        unit: Some(Ref::Name("永辉超市双河口店".into())),
        issuer: "经发办".into(),
        valid_from: from,
        valid_until: until,
        area: None,
        number: None,
    }
}

fn issued(o: IssueOutcome) -> i64 {
    match o {
        IssueOutcome::Issued { id, .. } => id,
        other => panic!("not issued: {other:?}"),
    }
}

fn report(s: &Store, which: Which) -> Report {
    handover::build(s, which, &ReportOptions::default()).expect("report")
}

/// `f` is refused with a message saying `needle`, in both languages, and
/// writes nothing.
#[track_caller]
fn refused<T: std::fmt::Debug>(s: &Store, f: impl FnOnce() -> Result<T, StoreError>, needle: &str) {
    let before = s.head().unwrap();
    let e = f().expect_err("should be refused");
    let m = e.message();
    assert!(m.en.contains(needle), "{:?} should say {needle:?}", m.en);
    assert!(!m.zh.is_empty() && m.zh != m.en, "{m:?}");
    assert_eq!(s.head().unwrap(), before, "nothing written");
}

/// A second session on the same file at the same moment, so that the
/// first can look on.
fn other(s: &Store) -> Store {
    open_store(s.path()).with_clock(Clock::Fixed(s.now()))
}

fn end_by(s: &Store, a: &Actor, to: &str) -> Result<(), StoreError> {
    other(s)
        .end_shift(a, to, None, &CarryRules::default())
        .map(|_| ())
}

fn start_by(s: &Store, a: &Actor) -> Result<(i64, i64), StoreError> {
    other(s).start_shift(a)
}

// ------------------------------------------------------------ the report

#[test]
fn report_of_a_fixed_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    let ids = scenario(&mut s);
    at(&mut s, t(12, 10));
    let r = report(&s, Which::Latest);
    assert_eq!(r.shift.as_ref().map(|x| x.id), Some(1));
    assert!(!r.provisional);
    insta::assert_snapshot!("shift1_zh", r.to_markdown(Lang::Zh));

    // What the snapshot shows, checked on the data too.
    let open: Vec<i64> = r
        .alerts
        .open_by_community
        .iter()
        .flat_map(|c| c.alerts.iter().map(|a| a.id))
        .collect();
    assert_eq!(open, [ids.alert_medicine, ids.alert_veg]);
    assert_eq!(r.alerts.open_by_community[0].community, "一碗水社区");
    assert!(r.alerts.open_by_community[0].alerts[0].escalated);
    assert_eq!(r.alerts.closed.len(), 1);
    assert_eq!(r.alerts.closed[0].id, ids.alert_old);
    assert_eq!(r.alerts.closed[0].state, AlertState::Resolved);
    let kinds: Vec<PassEventKind> = r.passes.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            PassEventKind::Issued,
            PassEventKind::Issued,
            PassEventKind::Suspended,
            PassEventKind::Revoked
        ]
    );
    assert_eq!(r.passes.events[3].pass.id, ids.old_pass);
    assert_eq!(r.passes.events[1].pass.id, ids.staff_pass);
    assert_eq!(r.passes.events[1].pass.holder, "张*", "a person is masked");
    assert_eq!(
        r.passes.expiring.iter().map(|p| p.id).collect::<Vec<_>>(),
        [ids.vehicle_pass]
    );
    assert_eq!(r.deliveries.delivered.len(), 1);
    assert_eq!(r.deliveries.failed.len(), 1);
    assert_eq!(
        r.deliveries
            .overdue
            .iter()
            .map(|d| d.id)
            .collect::<Vec<_>>(),
        [ids.overdue_delivery]
    );
    assert_eq!(r.deliveries.due_soon.len(), 1);
    assert_eq!(
        r.entries.len(),
        4,
        "note, call, instruction, the note at the cut-off"
    );
    assert_eq!(
        r.carry_over.handed_over.len(),
        5,
        "2 alerts, 2 deliveries, 1 pass"
    );
    assert_eq!(r.alerts.timeline.len(), 12);
    assert_eq!(r.alerts.timeline.iter().map(|b| b.opened).sum::<usize>(), 2);

    // No recipient's raw data anywhere, in either rendering.
    for text in [
        r.to_markdown(Lang::Zh),
        r.to_markdown(Lang::En),
        r.to_json(),
    ] {
        assert!(!text.contains(RAW_NAME), "raw name leaked");
        assert!(!text.contains(RAW_PHONE), "raw phone leaked");
        assert!(!text.contains("尿毒症"), "condition leaked");
    }

    // The JSON reads back with the documented fields.
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["schema"], "supplydesk.handover/1");
    assert_eq!(v["window"]["cutoff"], "2026-11-29T12:00:00Z");
    assert_eq!(v["chain_head"]["seq"], r.chain_head.seq);
    assert_eq!(v["counts"]["alerts_open"], 2);
    assert_eq!(v["counts"]["passes_revoked"], 1);
    assert_eq!(
        v["alerts"]["open_by_community"][0]["alerts"][0]["severity"],
        "critical"
    );
    assert_eq!(v["carry_over"]["handed_over"][0]["kind"], "alert");
    assert_eq!(v["shift"]["state"], "handed_over");

    // The next shift: 李明 acknowledges two items, which signs for the
    // handover and starts his shift; he hands over to 王静 at 08:00 next
    // morning; the three items he did not acknowledge are carried again.
    at(&mut s, t(12, 20));
    let a1 = s
        .acknowledge_handover(&li(), None, AckTarget::Item(1))
        .unwrap();
    assert!(a1.handover);
    assert_eq!(a1.started, Some(2));
    at(&mut s, t(12, 25));
    s.acknowledge_handover(&li(), None, AckTarget::Item(4))
        .unwrap();
    at(&mut s, t(14, 0));
    s.resolve_alert(&li(), ids.alert_medicine, "药品已送达")
        .unwrap();
    at(&mut s, t(16, 0));
    s.set_activation(
        &li(),
        ActivationAction::Deactivate,
        "联控指挥部〔2022〕65号",
        Some(t(15, 30)),
    )
    .unwrap();
    at(&mut s, t(24, 0));
    let h = s
        .end_shift(&li(), "王静", None, &CarryRules::default())
        .unwrap();
    let again: Vec<bool> = h.items.iter().map(|i| i.carried_from.is_some()).collect();
    assert!(again.iter().filter(|x| **x).count() >= 3, "{:?}", h.items);
    at(&mut s, t(24, 1));
    let r2 = report(&s, Which::Latest);
    assert_eq!(r2.shift.as_ref().map(|x| x.officer.as_str()), Some("李明"));
    assert_eq!(r2.counts.carry_over_received, 5);
    assert_eq!(r2.counts.carry_over_unacknowledged, 3);
    let md2 = r2.to_markdown(Lang::En);
    assert!(
        md2.contains("截止后一秒的记事"),
        "the entry one second after the first cut-off belongs to the second report"
    );
    insta::assert_snapshot!("shift2_en", md2);
}

#[test]
fn an_event_one_second_after_the_cutoff_is_not_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    let ids = scenario(&mut s);
    at(&mut s, t(12, 10));
    let r = report(&s, Which::Shift(1));
    let md = r.to_markdown(Lang::Zh);
    assert!(
        md.contains("20:00 整点巡查完毕"),
        "an entry at the cut-off is in"
    );
    assert!(!md.contains("截止后一秒"), "an entry 1 s after is not");
    assert!(
        !r.alerts
            .raised
            .iter()
            .any(|a| a.item == ItemClass::EggsMilk),
        "an alert raised 1 s after the cut-off is not raised in the window"
    );
    assert!(
        !r.alerts
            .open_by_community
            .iter()
            .flat_map(|c| &c.alerts)
            .any(|a| a.item == ItemClass::EggsMilk),
        "nor open at the cut-off"
    );
    // The head is the entry at the cut-off, not the later ones.
    let head = s.entry(r.chain_head.seq).unwrap().unwrap();
    assert_eq!(head.text, "20:00 整点巡查完毕");
    assert_eq!(r.window.cutoff, t(12, 0));
    assert!(
        !r.carry_over
            .handed_over
            .iter()
            .any(|i| i.summary_en.contains("Eggs")),
        "nor carried over"
    );

    // Changes after the cut-off do not change the report: it is made again
    // later and reads the same (the printing time aside).
    at(&mut s, t(13, 0));
    s.resolve_alert(&wang(), ids.alert_medicine, "药品已送达")
        .unwrap();
    s.suspend_pass(&wang(), ids.vehicle_pass, "车辆故障")
        .unwrap();
    s.add_entry(&wang(), LogKind::Note, "下一班的事", None, None)
        .unwrap();
    at(&mut s, t(12, 10));
    let again = report(&s, Which::Shift(1));
    assert_eq!(again.to_markdown(Lang::Zh), md);
    assert_eq!(again.chain_head, r.chain_head);
}

#[test]
fn a_report_cut_short_still_counts_everything() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    scenario(&mut s);
    at(&mut s, t(12, 10));
    let full = report(&s, Which::Shift(1));
    let cut = handover::build(
        &s,
        Which::Shift(1),
        &ReportOptions {
            list_limit: Some(1),
            ..ReportOptions::default()
        },
    )
    .unwrap();
    assert_eq!(cut.counts, full.counts);
    assert_eq!(cut.chain_head, full.chain_head);
    assert_eq!(full.passes.events.len(), 4);
    assert_eq!(cut.passes.events, full.passes.events[..1]);
    assert_eq!(cut.alerts.raised.len(), 1);
    assert_eq!(cut.entries, full.entries[..1]);
    // What needs action is never cut: every section keeps its count.
    assert_eq!(cut.carry_over.handed_over, full.carry_over.handed_over);
    assert_eq!(cut.alerts.timeline, full.alerts.timeline);
    let md = cut.to_markdown(Lang::En);
    assert!(
        md.contains("- … and 3 more; `--format json` has them all"),
        "{md}"
    );
    assert!(md.contains("| Passes issued | 2 |"), "{md}");
}

#[test]
fn a_report_without_any_shift_covers_the_last_twelve_hours() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    at(&mut s, t(-13, 0));
    s.add_entry(&wang(), LogKind::Note, "十三小时前", None, None)
        .unwrap();
    at(&mut s, t(-1, 0));
    s.add_entry(&wang(), LogKind::Note, "一小时前", None, None)
        .unwrap();
    at(&mut s, t(0, 0));
    let r = report(&s, Which::Latest);
    assert!(r.shift.is_none());
    assert!(r.provisional);
    assert_eq!(r.window.from, t(-12, 0));
    assert_eq!(r.window.cutoff, t(0, 0));
    let texts: Vec<&str> = r.entries.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["一小时前"]);
    assert_eq!(r.chain_head, s.head().unwrap());
    assert!(
        r.to_markdown(Lang::En)
            .contains("Shift: none (the last 12 hours)")
    );
}

#[test]
fn a_shift_on_duty_gets_a_provisional_report_up_to_now() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    at(&mut s, t(0, 0));
    s.start_shift(&wang()).unwrap();
    at(&mut s, t(1, 0));
    s.add_entry(&wang(), LogKind::Note, "值班中", None, None)
        .unwrap();
    let r = report(&s, Which::Latest);
    assert!(r.provisional);
    assert_eq!(r.window.cutoff, t(1, 0));
    assert_eq!(r.chain_head, s.head().unwrap());
    assert!(r.to_markdown(Lang::Zh).contains("尚未交班"));
}

#[test]
fn every_pass_step_is_named_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    let a = wang();
    at(&mut s, t(0, 0));
    s.add_supply_unit(
        &a,
        &NewSupplyUnit {
            name: "永辉超市双河口店".into(),
            category: UnitCategory::Retail,
            community: None,
            address: None,
            contact: None,
            phone: None,
            capacity: Capacity::default(),
        },
    )
    .unwrap();
    s.start_shift(&a).unwrap();
    at(&mut s, t(1, 0));
    let (req, _, _) = s
        .request_pass(&a, &vehicle_pass("渝F22222", t(1, 0), t(48, 0)))
        .unwrap();
    s.issue_requested_pass(&a, req, false).unwrap();
    at(&mut s, t(2, 0));
    s.extend_pass(&a, req, t(72, 0)).unwrap();
    s.suspend_pass(&a, req, "核查").unwrap();
    at(&mut s, t(3, 0));
    s.reinstate_pass(&a, req).unwrap();
    s.revoke_pass(&a, req, "停运").unwrap();
    let r = report(&s, Which::Latest);
    let kinds: Vec<PassEventKind> = r.passes.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            PassEventKind::Requested,
            PassEventKind::Issued,
            PassEventKind::Extended,
            PassEventKind::Suspended,
            PassEventKind::Reinstated,
            PassEventKind::Revoked
        ],
        "a change of wording in pass_actions.rs must be followed in report_queries.rs"
    );
    assert_eq!(r.passes.events[5].reason.as_deref(), Some("停运"));
}

// ------------------------------------------------------ acknowledgement

#[test]
fn the_incoming_officer_cannot_be_the_outgoing_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    at(&mut s, t(0, 0));
    s.start_shift(&wang()).unwrap();
    at(&mut s, t(8, 0));
    refused(
        &s,
        || end_by(&s, &wang(), "王静"),
        "cannot be the outgoing one",
    );
    refused(
        &s,
        || end_by(&s, &wang(), " 王 静 "),
        "cannot be the outgoing one",
    );
    assert_eq!(s.shift(1).unwrap().state, ShiftState::OnDuty);
}

#[test]
fn acknowledgement_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    scenario(&mut s);
    // One shift on duty at a time, started and ended by its own officer.
    let zhang = officer("张伟");
    at(&mut s, t(12, 6));
    assert_eq!(s.current_shift().unwrap(), None);
    let status = s.handover_status().unwrap();
    let pending = status.pending.expect("handover pending");
    assert_eq!(pending.incoming.as_deref(), Some("李明"));
    assert_eq!(status.unacknowledged_items, 5);

    // Only the named incoming officer acknowledges.
    let e = s
        .acknowledge_handover(&zhang, Some(1), AckTarget::Handover)
        .unwrap_err();
    assert!(e.message().en.contains("only 李明 can acknowledge"), "{e}");
    let e = s
        .acknowledge_handover(&wang(), Some(1), AckTarget::All)
        .unwrap_err();
    assert!(e.message().en.contains("only 李明"), "{e}");
    let e = s
        .acknowledge_handover(&zhang, None, AckTarget::Handover)
        .unwrap_err();
    assert!(e.message().en.contains("handed over to 李明"), "{e}");
    assert_eq!(s.shift(1).unwrap().state, ShiftState::HandedOver);

    // Item by item: an unknown number, then item 2 (which signs for the
    // handover and starts 李明's shift), then item 2 again.
    let e = s
        .acknowledge_handover(&li(), None, AckTarget::Item(9))
        .unwrap_err();
    assert!(e.message().en.contains("no carry-over item 9"), "{e}");
    let a = s
        .acknowledge_handover(&li(), None, AckTarget::Item(2))
        .unwrap();
    assert_eq!(
        (a.handover, a.items.clone(), a.remaining),
        (true, vec![2], 4)
    );
    assert_eq!(a.started, Some(2));
    let e = s
        .acknowledge_handover(&li(), None, AckTarget::Item(2))
        .unwrap_err();
    assert!(e.message().en.contains("already acknowledged"), "{e}");
    // Acknowledged once.
    let e = s
        .acknowledge_handover(&li(), None, AckTarget::Handover)
        .unwrap_err();
    assert!(e.message().en.contains("acknowledged once"), "{e}");
    let one = s.shift(1).unwrap();
    assert_eq!(one.state, ShiftState::Acknowledged);
    assert_eq!(one.acknowledged_by.as_deref(), Some("李明"));
    let status = s.handover_status().unwrap();
    assert_eq!(status.pending, None, "the badge clears");
    assert_eq!(status.on_duty.map(|x| x.officer), Some("李明".to_string()));
    assert_eq!(status.unacknowledged_items, 4);

    // All at once: the rest, then nothing left.
    let a = s.acknowledge_handover(&li(), None, AckTarget::All).unwrap();
    assert_eq!(
        (a.handover, a.items.clone(), a.remaining),
        (false, vec![1, 3, 4, 5], 0)
    );
    assert_eq!(a.started, None);
    let e = s
        .acknowledge_handover(&li(), None, AckTarget::All)
        .unwrap_err();
    assert!(e.message().en.contains("acknowledged once"), "{e}");
    let items = s.handover_items(1).unwrap();
    assert!(
        items
            .iter()
            .all(|i| i.acknowledged_by.as_deref() == Some("李明"))
    );

    // While 李明 is on duty, nobody else starts a shift and only he ends his.
    refused(&s, || start_by(&s, &zhang), "李明 is on duty");
    refused(&s, || start_by(&s, &li()), "already on duty");
    refused(
        &s,
        || end_by(&s, &zhang, "王静"),
        "only 李明 can hand it over",
    );
    refused(&s, || end_by(&s, &li(), " "), "No incoming officer");

    // Every step is a handover entry about the shift or its items.
    let entries = s
        .log_list(&LogFilter {
            kind: Some(LogKind::Handover),
            ..Default::default()
        })
        .unwrap();
    let subjects: Vec<&str> = entries
        .iter()
        .rev()
        .filter_map(|e| e.subject.as_deref())
        .collect();
    assert_eq!(
        subjects,
        [
            "shift:1",
            "handover_item",
            "shift:1",
            "shift:1",
            "handover_item:2",
            "shift:2",
            "handover_item"
        ]
    );
    assert!(s.verify_log().unwrap().ok());
}

#[test]
fn an_acknowledgement_by_all_signs_the_handover_and_its_items() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    scenario(&mut s);
    at(&mut s, t(12, 30));
    let a = s.acknowledge_handover(&li(), None, AckTarget::All).unwrap();
    assert!(a.handover);
    assert_eq!(a.items, [1, 2, 3, 4, 5]);
    assert_eq!(a.remaining, 0);
    assert_eq!(s.handover_status().unwrap().pending, None);
}

#[test]
fn unacknowledged_items_are_carried_again_and_stay_highlighted() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    let ids = scenario(&mut s);
    at(&mut s, t(12, 30));
    s.acknowledge_handover(&li(), None, AckTarget::Handover)
        .unwrap();
    // The old alert is closed before the next handover; its item (alert
    // #2, unacknowledged) must still be carried.
    at(&mut s, t(13, 0));
    s.resolve_alert(&li(), ids.alert_medicine, "药品已送达")
        .unwrap();
    at(&mut s, t(24, 0));
    let h = s
        .end_shift(&li(), "王静", None, &CarryRules::default())
        .unwrap();
    let first = s.handover_items(1).unwrap();
    let medicine = first
        .iter()
        .find(|i| {
            i.kind == CarryKind::Alert
                && i.summary_en.contains(&format!("#{} ", ids.alert_medicine))
        })
        .unwrap();
    let carried = h
        .items
        .iter()
        .find(|i| i.subject == medicine.subject)
        .expect("the closed alert's unacknowledged item is carried");
    assert_eq!(carried.carried_from, Some(medicine.id));
    assert_eq!(carried.section, ItemSection::Carried);
    assert_eq!(
        (&carried.summary_zh, &carried.summary_en),
        (&medicine.summary_zh, &medicine.summary_en)
    );
    at(&mut s, t(24, 5));
    let r = report(&s, Which::Latest);
    let md = r.to_markdown(Lang::Zh);
    assert!(md.contains("**未确认**（前一班起未确认）"), "{md}");
    assert_eq!(r.counts.carry_over_unacknowledged, 5);
}

#[test]
fn the_pending_badge_shows_until_the_handover_is_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    at(&mut s, t(0, 0));
    assert_eq!(s.handover_status().unwrap(), Default::default());
    s.start_shift(&wang()).unwrap();
    assert_eq!(s.handover_status().unwrap().pending, None);
    at(&mut s, t(12, 0));
    let h = s
        .end_shift(&wang(), "李明", None, &CarryRules::default())
        .unwrap();
    assert!(h.items.is_empty());
    assert_eq!(
        h.head.seq, 1,
        "the head at the cut-off is the shift's start"
    );
    let st = s.handover_status().unwrap();
    assert_eq!(st.pending.map(|p| p.id), Some(1));
    assert_eq!(st.on_duty, None);
    at(&mut s, t(12, 1));
    let a = s
        .acknowledge_handover(&li(), None, AckTarget::Handover)
        .unwrap();
    assert_eq!((a.handover, a.remaining, a.started), (true, 0, Some(2)));
    assert_eq!(s.handover_status().unwrap().pending, None);
    // The new shift's window starts where the last one was cut off.
    let two = s.shift(2).unwrap();
    assert_eq!(two.window_from, t(12, 0));
    assert_eq!(two.from_seq, 1);
    // Past shifts, newest first.
    let page = s.shifts_page(0, 10).unwrap();
    assert_eq!(page.iter().map(|x| x.id).collect::<Vec<_>>(), [2, 1]);
}

#[test]
fn nobody_else_starts_while_a_handover_waits_and_the_outgoing_officer_can_readdress_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    let zhang = officer("张伟");
    at(&mut s, t(0, 0));
    s.start_shift(&wang()).unwrap();
    at(&mut s, t(12, 0));
    let h = s
        .end_shift(&wang(), "李明", None, &CarryRules::default())
        .unwrap();
    at(&mut s, t(12, 5));
    // 张伟 arrives instead of 李明: refused, told how to take over.
    refused(&s, || start_by(&s, &zhang), "re-addresses it to you");
    refused(&s, || start_by(&s, &wang()), "hand it to someone else");
    // Only 王静 re-addresses, never with a new cut-off, never to the same.
    refused(
        &s,
        || end_by(&s, &zhang, "张伟"),
        "only 王静 can hand it over",
    );
    refused(
        &s,
        || end_by(&s, &wang(), "李 明"),
        "already addressed to 李明",
    );
    refused(
        &s,
        || {
            other(&s)
                .end_shift(&wang(), "张伟", Some(t(11, 0)), &CarryRules::default())
                .map(|_| ())
        },
        "without a cut-off",
    );
    let before = s.head().unwrap();
    let r = s
        .end_shift(&wang(), "张伟", None, &CarryRules::default())
        .unwrap();
    assert_eq!((r.shift_id, r.head.clone()), (h.shift_id, h.head.clone()));
    assert_eq!(r.readdressed_from.as_deref(), Some("李明"));
    assert_eq!(h.readdressed_from, None);
    assert_eq!(r.seq, before.seq + 1, "one entry");
    let row = s.shift(h.shift_id).unwrap();
    assert_eq!(row.incoming.as_deref(), Some("张伟"));
    assert_eq!(row.cutoff, Some(t(12, 0)), "the cut-off stays");
    // 李明 no longer acknowledges it; 张伟 does, and is on duty.
    let e = s
        .acknowledge_handover(&li(), Some(h.shift_id), AckTarget::Handover)
        .unwrap_err();
    assert!(e.message().en.contains("only 张伟"), "{e}");
    let a = s
        .acknowledge_handover(&zhang, None, AckTarget::Handover)
        .unwrap();
    assert!(a.handover && a.started.is_some());
    assert_eq!(
        s.current_shift().unwrap().map(|x| x.officer),
        Some("张伟".into())
    );
    // Acknowledged: too late to re-address.
    refused(
        &s,
        || end_by(&s, &wang(), "李明"),
        "only 张伟 can hand it over",
    );
}

#[test]
fn a_cutoff_must_fall_within_the_shift() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    at(&mut s, t(0, 0));
    s.start_shift(&wang()).unwrap();
    at(&mut s, t(12, 0));
    let rules = CarryRules::default();
    let before = s.head().unwrap();
    let e = s
        .end_shift(&wang(), "李明", Some(t(13, 0)), &rules)
        .unwrap_err();
    assert!(e.message().en.contains("in the future"), "{e}");
    let e = s
        .end_shift(&wang(), "李明", Some(t(-1, 0)), &rules)
        .unwrap_err();
    assert!(e.message().en.contains("before the shift began"), "{e}");
    assert_eq!(s.head().unwrap(), before);
}

// --------------------------------------------------------------- review

#[test]
fn the_log_filters_by_community_and_by_short_chinese_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    let ids = scenario(&mut s);
    let list =
        |f: LogFilter| -> Vec<i64> { s.log_list(&f).unwrap().iter().map(|e| e.seq).collect() };
    let of = |community: &str| LogFilter {
        community: Some(Ref::Name(community.into())),
        ..Default::default()
    };
    let longbao = list(of("龙宝村"));
    let subjects: Vec<String> = longbao
        .iter()
        .filter_map(|seq| s.entry(*seq).unwrap().and_then(|e| e.subject))
        .collect();
    assert!(subjects.contains(&format!("alert:{}", ids.alert_veg)));
    assert!(subjects.contains(&format!("alert:{}", ids.alert_old)));
    assert!(!subjects.contains(&format!("alert:{}", ids.alert_medicine)));
    let wanshui = list(of("一碗水社区"));
    let texts: Vec<String> = wanshui
        .iter()
        .filter_map(|seq| s.entry(*seq).unwrap().map(|e| e.text))
        .collect();
    assert!(
        texts.iter().any(|t| t.starts_with("一碗水社区来电")),
        "named in the text"
    );
    assert!(
        wanshui.iter().any(|seq| s
            .entry(*seq)
            .unwrap()
            .and_then(|e| e.subject)
            .is_some_and(|x| x.starts_with("delivery:"))),
        "deliveries to its recipients"
    );
    let e = s.log_list(&of("不存在社区")).unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");

    // One- and two-character Chinese queries.
    for q in ["菜", "蔬菜", "药"] {
        let hits = s
            .log_list(&LogFilter {
                grep: Some(q.into()),
                ..Default::default()
            })
            .unwrap();
        assert!(!hits.is_empty(), "{q}");
        assert!(hits.iter().all(|e| e.text.contains(q)), "{q}");
    }
    // With kind, officer, time range and community together.
    let hits = s
        .log_list(&LogFilter {
            grep: Some("来电".into()),
            kind: Some(LogKind::Call),
            officer: Some("王静".into()),
            since: Some(t(0, 0)),
            until: Some(t(12, 0)),
            community: Some(Ref::Name("一碗水".into())),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(hits.len(), 1);
}

// ------------------------------------------------------------ tampering

/// The scenario on a desk of its own, with the shift's report saved as
/// Markdown and JSON.
fn with_reports() -> Desk {
    let d = Desk::new();
    let mut s = open_store(&d.db());
    scenario(&mut s);
    drop(s);
    for (fmt, name) in [("md", "report.md"), ("json", "report.json")] {
        let out = d
            .cmd("en")
            .args(["handover", "--shift", "1", "--format", fmt])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        std::fs::write(d.path(name), &out.stdout).unwrap();
    }
    d
}

/// `log verify` against the saved `report`: its exit code and all it said.
fn verify(d: &Desk, report: &str) -> (i32, String) {
    let out = d
        .cmd("en")
        .args(["log", "verify", "--against-report"])
        .arg(d.path(report))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

/// The chain head the saved `report` printed.
fn head_of(d: &Desk, report: &str) -> Head {
    handover::head_in_report(&std::fs::read_to_string(d.path(report)).unwrap()).unwrap()
}

#[test]
fn an_untouched_log_matches_its_report() {
    let d = with_reports();
    assert_eq!(head_of(&d, "report.md"), head_of(&d, "report.json"));
    for r in ["report.md", "report.json"] {
        let (code, out) = verify(&d, r);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("matches the report"), "{out}");
    }
    // Entries after the cut-off do not disturb the check.
    let mut s = open_store(&d.db());
    s.add_entry(&li(), LogKind::Note, "later", None, None)
        .unwrap();
    drop(s);
    assert_eq!(verify(&d, "report.md").0, 0);
}

#[test]
fn an_edited_entry_is_found_against_the_report() {
    let d = with_reports();
    let head = head_of(&d, "report.md");
    let c = Connection::open(d.db()).unwrap();
    c.execute_batch(
        "DROP TRIGGER duty_log_no_update;
         UPDATE duty_log SET text = '区指挥部指示：今晚不必加派' WHERE text LIKE '区指挥部指示%';",
    )
    .unwrap();
    drop(c);
    let (code, out) = verify(&d, "report.md");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("chain broken at entry #"), "{out}");
    assert!(
        out.contains(&format!("before the report's head #{}", head.seq)),
        "{out}"
    );
}

#[test]
fn a_chain_recomputed_from_scratch_is_found_against_the_report() {
    let d = with_reports();
    let head = head_of(&d, "report.json");
    let c = Connection::open(d.db()).unwrap();
    c.execute_batch("DROP TRIGGER duty_log_no_update;").unwrap();
    c.execute(
        "UPDATE duty_log SET text = '区指挥部指示：今晚不必加派' WHERE text LIKE '区指挥部指示%'",
        [],
    )
    .unwrap();
    rewrite_chain(&c);
    drop(c);
    // On its own the rewritten chain verifies...
    let out = d.cmd("en").args(["log", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // ...but not against the head the report printed.
    for r in ["report.md", "report.json"] {
        let (code, out) = verify(&d, r);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains(&format!("entry #{} now has hash", head.seq)),
            "{out}"
        );
        assert!(
            out.contains(&format!("the report printed {}", &head.hash[..12])),
            "{out}"
        );
    }
    // And a report made again warns that the head differs from the one
    // recorded at the handover.
    let out = d
        .cmd("en")
        .args(["handover", "--shift", "1"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("no longer has the hash recorded at the handover"),
        "{out:?}"
    );
}

#[test]
fn a_report_without_a_head_is_a_user_mistake() {
    let d = with_reports();
    std::fs::write(d.path("empty.md"), "nothing here").unwrap();
    let (code, out) = verify(&d, "empty.md");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("holds no chain head"), "{out}");
    let (code, out) = verify(&d, "missing.md");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("Cannot read the report file"), "{out}");
}

/// Recomputes every hash from the first entry on, as a forger who knows
/// the algorithm would: the chain is consistent again.
fn rewrite_chain(c: &Connection) {
    let rows: Vec<Entry> = {
        let mut st = c
            .prepare(
                "SELECT seq, kind, text, officer, os_user, ssh_client, recorded_at, occurred_at, subject, corrects,
                        payload
                 FROM duty_log ORDER BY seq",
            )
            .unwrap();
        st.query_map([], |r| {
            let kind: String = r.get(1)?;
            Ok(Entry {
                seq: r.get(0)?,
                kind: LogKind::from_code(&kind).unwrap(),
                text: r.get(2)?,
                officer: r.get(3)?,
                os_user: r.get(4)?,
                ssh_client: r.get(5)?,
                recorded_at: r.get(6)?,
                occurred_at: r.get(7)?,
                subject: r.get(8)?,
                corrects: r.get(9)?,
                prev_hash: String::new(),
                payload: r.get(10)?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    let mut prev = GENESIS.to_string();
    for mut e in rows {
        e.prev_hash = prev.clone();
        let h = e.hash();
        c.execute(
            "UPDATE duty_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            params![prev, h, e.seq],
        )
        .unwrap();
        prev = h;
    }
}

// ------------------------------------------------------ the command line

#[test]
fn shifts_from_the_command_line() {
    let d = Desk::new();
    // Stdout of a command that must succeed; stderr of one refused (2).
    let ok = |args: &[&str], who: &str| succeeds(d.cmd("en").args(["--officer", who]).args(args));
    let fails = |args: &[&str], who: &str| {
        common::fails(d.cmd("en").args(["--officer", who]).args(args), 2)
    };
    d.cmd("en").arg("init").assert().success();
    let mut s = open_store(&d.db());
    s.add_community(
        &wang(),
        &NewCommunity {
            name: "一碗水社区".into(),
            ..Default::default()
        },
    )
    .unwrap();
    drop(s);
    // No shift at all: the last 12 hours.
    assert!(
        ok(&["handover", "--format", "md"], "王静").contains("Shift: none (the last 12 hours)")
    );
    assert!(ok(&["handover"], "王静").contains("the last 12 hours (no shift)"));
    assert!(ok(&["shift", "start"], "王静").contains("shift #1 started"));
    assert!(fails(&["shift", "start"], "李明").contains("王静 is on duty"));
    ok(&["log", "add", "一碗水社区来电"], "王静");
    let e = fails(&["shift", "end", "--to", "王静"], "王静");
    assert!(e.contains("cannot be the outgoing one"), "{e}");
    let out = ok(&["shift", "end", "--to", "李明"], "王静");
    assert!(out.contains("shift #1 handed over to 李明"), "{out}");
    let e = fails(&["shift", "ack"], "张伟");
    assert!(e.contains("only 李明 can acknowledge"), "{e}");
    let out = ok(&["shift", "ack"], "李明");
    assert!(out.contains("handover of shift #1 acknowledged"), "{out}");
    assert!(out.contains("shift #2 started"), "{out}");
    let e = fails(&["shift", "ack"], "李明");
    assert!(e.contains("acknowledged once"), "{e}");
    let list = ok(&["shift", "list"], "李明");
    assert!(list.contains("#2") && list.contains("#1"), "{list}");
    assert!(list.contains("王静 → 李明"), "{list}");
    let json = ok(&["handover", "--shift", "1", "--format", "json"], "李明");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["shift"]["state"], "acknowledged");
    assert_eq!(v["entries"][0]["text"], "一碗水社区来电");
    // Read-only sessions read the report and the list but change nothing.
    let out = d
        .cmd("en")
        .args(["--read-only", "handover"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let e = fails(&["--read-only", "shift", "end", "--to", "王静"], "李明");
    assert!(e.contains("read-only"), "{e}");
    let list = ok(
        &["log", "list", "--community", "一碗水社区", "--grep", "来电"],
        "李明",
    );
    assert!(list.contains("一碗水社区来电"), "{list}");
}

/// Issue 14: a 12-hour shift (12:00 to 24:00) after the scenario's,
/// handed over with a standing instruction and a watch item: the items
/// come in sections worst first with their counts, the text report for
/// the work group stays short and plain, a section is acknowledged at
/// once, and a staff holder with a long tail is masked as a name.
#[test]
fn a_twelve_hour_shift_hands_over_sections_and_a_short_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_store(&dir.path().join("desk.db"));
    scenario(&mut s);
    at(&mut s, t(12, 30));
    s.acknowledge_handover(&li(), None, AckTarget::All).unwrap();
    at(&mut s, t(13, 0));
    let holder = "彭勇雪（万州区槽房平价大药房 配送员）";
    issued(
        s.issue_pass(
            &li(),
            &NewPass {
                kind: PassKind::Staff,
                vehicle: None,
                subject: Some(holder.into()),
                unit: None,
                issuer: "经发办".into(),
                valid_from: t(13, 0),
                valid_until: t(30, 0),
                area: None,
                number: None,
            },
            false,
        )
        .unwrap(),
    );
    let long = format!(
        "区指挥部通知：{}",
        "各社区每日两次上报保供物资库存与缺口情况，".repeat(80)
    );
    assert!(long.chars().count() > 1500);
    let long_seq = s
        .add_entry(&li(), LogKind::Instruction, &long, None, None)
        .unwrap();
    at(&mut s, t(24, 0));
    let rules = ReportOptions::default().carry_rules();
    let h = s
        .end_shift_with(
            &li(),
            "王静",
            None,
            &rules,
            &[
                (
                    CarryKind::Instruction,
                    "每2小时向街道指挥部报告一次配送进度".into(),
                ),
                (CarryKind::Watch, "龙宝村四组道路塌方，车辆绕行".into()),
            ],
        )
        .unwrap();
    // Sections worst first, each with its count.
    let mut sections: Vec<(ItemSection, usize)> = Vec::new();
    for i in &h.items {
        match sections.last_mut() {
            Some((sec, n)) if *sec == i.section => *n += 1,
            _ => sections.push((i.section, 1)),
        }
    }
    assert_eq!(
        sections,
        [
            (ItemSection::Alert, 2),
            (ItemSection::Delivery, 2),
            (ItemSection::Pass, 1),
            (ItemSection::Instruction, 1),
            (ItemSection::Watch, 1),
        ],
        "{:#?}",
        h.items
    );
    assert!(
        h.items
            .iter()
            .all(|i| !i.next_zh.is_empty() && !i.next_en.is_empty())
    );
    // The holder is a family name, a mark and the last character; the
    // unit and role stay readable.
    let pass = h
        .items
        .iter()
        .find(|i| i.section == ItemSection::Pass)
        .unwrap();
    assert!(
        pass.summary_zh
            .contains("彭*雪（万州区槽房平价大药房 配送员）"),
        "{}",
        pass.summary_zh
    );
    assert!(!pass.summary_zh.contains("勇") && !pass.summary_zh.contains("**"));

    at(&mut s, t(24, 5));
    let r = report(&s, Which::Shift(2));
    let text = r.to_text(Lang::Zh);
    let chars = text.chars().count();
    assert!(chars <= 2000, "{chars} characters:\n{text}");
    for md in ["**", "###", "`", "|", "- ["] {
        assert!(!text.contains(md), "Markdown {md:?} in the text:\n{text}");
    }
    assert!(!text.contains("+08:00"), "{text}");
    assert!(
        text.contains(&format!("（全文见日志 #{long_seq}）")),
        "{text}"
    );
    assert!(
        text.contains("需处理事项 7 项（王静 未确认 7 项）"),
        "{text}"
    );
    insta::assert_snapshot!("text_12h_zh", text);
    let md = r.to_markdown(Lang::Zh);
    assert!(
        md.contains("### 本班移交给 王静，7 项，未确认 7 项"),
        "{md}"
    );
    assert!(!md.contains("+08:00"), "{md}");

    // A whole section at once; another officer may not.
    let e = s
        .acknowledge_handover(&li(), Some(2), AckTarget::Section(ItemSection::Alert))
        .unwrap_err();
    assert!(
        e.message()
            .get(Lang::En)
            .contains("only 王静 can acknowledge"),
        "{e:?}"
    );
    at(&mut s, t(24, 10));
    let a = s
        .acknowledge_handover(&wang(), None, AckTarget::Section(ItemSection::Alert))
        .unwrap();
    assert_eq!(
        (a.items.clone(), a.remaining, a.handover),
        (vec![1, 2], 5, true)
    );
    let e = s
        .acknowledge_handover(&wang(), None, AckTarget::Section(ItemSection::Alert))
        .unwrap_err();
    assert!(
        e.message().get(Lang::Zh).contains("没有待确认的事项"),
        "{e:?}"
    );
    let a = s
        .acknowledge_handover(&wang(), None, AckTarget::All)
        .unwrap();
    assert_eq!((a.items.len(), a.remaining), (5, 0));
    let text = report(&s, Which::Shift(2)).to_text(Lang::Zh);
    assert!(text.contains("已接班（王静 "), "{text}");
    assert!(!text.contains("待接班确认"), "{text}");
}
