//! Every action of the plan through the real store, against a real SQLite
//! file: the state it changes, the one log entry it writes (officer and
//! subject), and what it refuses without writing anything.

mod common;

use chrono::{DateTime, Duration, Utc};
use supplydesk::domain::activation::ActivationAction;
use supplydesk::domain::alert::{AlertState, ItemClass, Severity};
use supplydesk::domain::delivery::{DeliveryState, FailReason, Group, Urgency};
use supplydesk::domain::log::LogKind;
use supplydesk::domain::pass::{PassKind, PassState, PassStatus};
use supplydesk::domain::place::{BuildingKind, CommunityKind, CompoundKind};
use supplydesk::domain::unit::{Capacity, UnitCategory};
use supplydesk::store::alerts::{self, Escalation, NewAlert};
use supplydesk::store::deliveries::{self, Assignee, NewDelivery};
use supplydesk::store::pass_actions::{
    self, IssueOutcome, NewPass, NewVehicle, PassFilter, PassVehicle,
};
use supplydesk::store::places::{
    NewBuilding, NewCommunity, NewCompound, NewRecipient, NewSupplyUnit, NewVolunteer, Ref,
};
use supplydesk::store::{Actor, Clock, Head, Store, StoreError};

use common::places::{
    dishuiyan, named, query_plan, store_at_t0 as store, store_with, t0, yiwanshui,
};
use common::value as q;

const RAW_NAME: &str = "张晓华";
const RAW_PHONE: &str = "13812345678";
const RAW_ID: &str = "50010119900101123X";

/// 王静 at the desk over SSH, so that every entry carries a client.
fn officer() -> Actor {
    Actor {
        ssh_client: Some("10.0.0.5 51234 10.0.0.1 22".into()),
        ..common::officer("王静")
    }
}

/// A vehicle known by its plate alone.
fn plate(plate: &str) -> NewVehicle {
    NewVehicle {
        plate: plate.into(),
        ..Default::default()
    }
}

/// The ids of a small sub-district.
struct World {
    community: i64,
    village: i64,
    compound: i64,
    unit: i64,
    volunteer: i64,
    recipient: i64,
}

fn world(s: &mut Store) -> World {
    let a = officer();
    s.ensure_posts(
        &a,
        &[
            ("经发办".into(), "经发办".into()),
            ("应急办".into(), "应急办".into()),
        ],
    )
    .unwrap();
    let (community, _) = s.add_community(&a, &yiwanshui()).unwrap();
    let (village, _) = s.add_community(&a, &named("龙宝村")).unwrap();
    let (compound, _) = s.add_compound(&a, &dishuiyan(community)).unwrap();
    let (unit, _) = s
        .add_supply_unit(
            &a,
            &NewSupplyUnit {
                name: "万州区永辉超市双河口店".into(),
                category: UnitCategory::Retail,
                community: Some(Ref::Id(community)),
                address: None,
                contact: Some("刘经理".into()),
                phone: Some("023-58123456".into()),
                capacity: Capacity {
                    daily_sales: 5.0,
                    regular_stock: 20.0,
                    storage_capacity: 50.0,
                    staff: 30,
                    vehicles: 3,
                    drivers: 3,
                },
            },
        )
        .unwrap();
    let (volunteer, _) = s
        .add_volunteer(
            &a,
            &NewVolunteer {
                name: "李明".into(),
                phone: Some("13900001111".into()),
                community: Ref::Id(community),
                compound_id: Some(compound),
                building_id: None,
                station: Some("滴水岩中转站".into()),
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
                id_number: Some(RAW_ID.into()),
                group: Group::Dialysis,
                condition: Some("尿毒症，每周三次血透".into()),
                community: Ref::Id(community),
                compound_id: Some(compound),
                building: Some("3栋".into()),
                unit_no: Some("2单元".into()),
                room: Some("501".into()),
                needs: Some("血透前送药".into()),
            },
        )
        .unwrap();
    World {
        community,
        village,
        compound,
        unit,
        volunteer,
        recipient,
    }
}

/// Exactly one new entry since `before`, by the officer, about `subject`.
#[track_caller]
fn one_entry(s: &Store, before: &Head, subject: &str) -> String {
    let head = s.head().unwrap();
    assert_eq!(head.seq, before.seq + 1, "exactly one new log entry");
    let e = s.entry(head.seq).unwrap().unwrap();
    assert_eq!(e.officer, "王静");
    assert_eq!(e.subject.as_deref(), Some(subject));
    e.text
}

/// `logged!(store, action, subject)`: the action succeeds and writes
/// exactly one entry, by the officer, about `subject`; the entry's text.
macro_rules! logged {
    ($s:ident, $action:expr, $subject:expr) => {{
        let before = $s.head().unwrap();
        $action.unwrap();
        one_entry(&$s, &before, &$subject)
    }};
}

/// `refused!(store, action, "needle")`: the action is refused (or finds
/// nothing) with a message naming `needle`, and nothing is written.
macro_rules! refused {
    ($s:ident, $action:expr, $needle:expr) => {{
        let before = $s.head().unwrap();
        let r = $action;
        check_refused(&$s, &before, r, $needle)
    }};
}

#[track_caller]
fn check_refused<T: std::fmt::Debug>(
    s: &Store,
    before: &Head,
    r: Result<T, StoreError>,
    needle: &str,
) {
    let e = r.expect_err("should have been refused");
    assert!(
        matches!(e, StoreError::Refused(_) | StoreError::NotFound(_)),
        "{e:?}"
    );
    let m = e.message();
    assert!(
        m.en.contains(needle),
        "{:?} should mention {needle:?}",
        m.en
    );
    assert!(
        !m.zh.is_empty() && m.zh != m.en,
        "a Chinese message too: {m:?}"
    );
    assert_eq!(&s.head().unwrap(), before, "nothing may be written");
}

/// The chain verifies and no log line holds the recipient's raw data.
#[track_caller]
fn finish(s: &Store) {
    let v = s.verify_log().unwrap();
    assert!(v.ok(), "{v:?}");
    let leaks: i64 = s
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM duty_log, (SELECT 1) WHERE
               (SELECT COUNT(*) FROM (SELECT text AS t UNION ALL SELECT payload) WHERE
                  instr(t, ?1) OR instr(t, ?2) OR instr(t, ?3) OR instr(t, '尿毒症')) > 0",
            [RAW_NAME, RAW_PHONE, RAW_ID],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        leaks, 0,
        "a log line (text or payload) holds a recipient's raw data"
    );
}

// ---------------------------------------------------------------- places

#[test]
fn posts_go_to_post_and_stand_down() {
    let (_d, mut s, _) = store_with(world);
    let a = officer();
    let text = logged!(s, s.mark_post_manned(&a, "经发", true), "post:1");
    assert!(
        text.contains("经发办") && text.contains("Post manned") && text.contains("王静"),
        "{text}"
    );
    let post = s
        .posts()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "经发办")
        .unwrap();
    assert!(post.manned);
    assert_eq!(post.manned_since, Some(t0()));
    assert_eq!(post.manned_by.as_deref(), Some("王静"));

    refused!(s, s.mark_post_manned(&a, "经发办", true), "already manned");
    refused!(s, s.mark_post_manned(&a, "应急办", false), "not manned");
    refused!(s, s.mark_post_manned(&a, "纪工委", true), "no post called");
    refused!(s, s.mark_post_manned(&a, Ref::Id(99), true), "no post #99");

    let text = logged!(s, s.mark_post_manned(&a, Ref::Id(1), false), "post:1");
    assert!(text.contains("stood down"), "{text}");
    let post = &s.posts().unwrap()[0];
    assert!(!post.manned && post.manned_since.is_none() && post.manned_by.is_none());
    finish(&s);
}

#[test]
fn communities_report_in_once_per_activation() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    s.set_activation(
        &a,
        ActivationAction::Activate,
        "联控指挥部〔2022〕60号",
        None,
    )
    .unwrap();
    let text = logged!(
        s,
        s.mark_community_reported(&a, "一碗水"),
        format!("community:{}", w.community)
    );
    assert!(
        text.contains("一碗水社区") && text.contains("reported in"),
        "{text}"
    );
    let c = s.community(w.community).unwrap();
    assert_eq!(
        (c.reported_at, c.reported_by.as_deref()),
        (Some(t0()), Some("王静"))
    );
    refused!(
        s,
        s.mark_community_reported(&a, "一碗水社区"),
        "already reported in"
    );

    // A new activation asks every community to report again.
    s.set_activation(&a, ActivationAction::Deactivate, "令2", None)
        .unwrap();
    s.set_clock(Clock::Fixed(t0() + Duration::hours(5)));
    s.set_activation(&a, ActivationAction::Activate, "令3", None)
        .unwrap();
    logged!(
        s,
        s.mark_community_reported(&a, Ref::Id(w.community)),
        format!("community:{}", w.community)
    );
    refused!(
        s,
        s.mark_community_reported(&a, "石梁村"),
        "no community called"
    );
    finish(&s);
}

#[test]
fn community_names_complete_from_a_prefix() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    s.add_community(&a, &named("一心村")).unwrap();
    assert_eq!(s.community_by_name("一碗").unwrap().id, w.community);
    assert_eq!(s.community_by_name("龙宝村").unwrap().id, w.village);
    assert_eq!(s.community_by_name("龙宝").unwrap().id, w.village);
    // A habitual suffix is forgiven.
    assert_eq!(s.community_by_name("龙宝社区").unwrap().id, w.village);
    let e = s.community_by_name("一").unwrap_err().message();
    assert!(
        e.en.contains("fits several") && e.en.contains("一心村") && e.en.contains("一碗水社区"),
        "{e:?}"
    );
    assert!(matches!(
        s.community_by_name("大榜"),
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        s.community_names().unwrap(),
        ["一心村", "一碗水社区", "龙宝村"]
    );
    assert_eq!(s.community(w.village).unwrap().kind, CommunityKind::Village);
}

#[test]
fn places_people_and_units_are_registered_with_their_log_lines() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();

    let before = s.head().unwrap();
    let (id, seq) = s
        .add_community(
            &a,
            &NewCommunity {
                households: 900,
                ..named("学堂湾社区")
            },
        )
        .unwrap();
    assert_eq!(seq, before.seq + 1);
    let text = one_entry(&s, &before, &format!("community:{id}"));
    assert!(
        text.contains("学堂湾社区") && text.contains("900"),
        "{text}"
    );
    for (community, needle) in [
        (named("学堂湾社区"), "already registered"),
        (named("  "), "empty"),
        (
            NewCommunity {
                name: "社".repeat(101),
                ..Default::default()
            },
            "limit of 100",
        ),
        (
            NewCommunity {
                households: -1,
                ..named("槽房社区")
            },
            "between 0 and",
        ),
        (
            NewCommunity {
                phone: Some("ask the gate".into()),
                ..named("槽房社区")
            },
            "not a phone number",
        ),
    ] {
        refused!(s, s.add_community(&a, &community), needle);
    }

    // A village's compounds are village groups unless told otherwise.
    let before = s.head().unwrap();
    let (group, _) = s
        .add_compound(
            &a,
            &NewCompound {
                community: "龙宝".into(),
                name: "三组".into(),
                kind: None,
                households: 80,
                resident_pop: 200,
                floating_pop: 5,
                transfer_station: None,
            },
        )
        .unwrap();
    one_entry(&s, &before, &format!("compound:{group}"));
    assert_eq!(
        s.compounds_of(w.village).unwrap()[0].kind,
        CompoundKind::Group
    );
    refused!(
        s,
        s.add_compound(
            &a,
            &NewCompound {
                community: Ref::Id(w.village),
                name: "三组".into(),
                kind: None,
                households: 0,
                resident_pop: 0,
                floating_pop: 0,
                transfer_station: None,
            }
        ),
        "already has"
    );

    let before = s.head().unwrap();
    let (b, _) = s
        .add_building(
            &a,
            &NewBuilding {
                compound_id: w.compound,
                name: "3栋".into(),
                kind: BuildingKind::Building,
                households: 40,
                transfer_point: Some("3栋大厅".into()),
            },
        )
        .unwrap();
    let text = one_entry(&s, &before, &format!("building:{b}"));
    assert!(
        text.contains("滴水岩小区 3栋") && text.contains("3栋大厅"),
        "{text}"
    );
    refused!(
        s,
        s.add_building(
            &a,
            &NewBuilding {
                compound_id: 999,
                name: "1栋".into(),
                kind: BuildingKind::Building,
                households: 0,
                transfer_point: None
            }
        ),
        "no compound #999"
    );

    // A volunteer's building must lie in the compound named.
    refused!(
        s,
        s.add_volunteer(
            &a,
            &NewVolunteer {
                name: "赵敏".into(),
                phone: None,
                community: Ref::Id(w.village),
                compound_id: Some(group),
                building_id: Some(b),
                station: None,
                tasks: None,
            }
        ),
        "not in the chosen compound"
    );
    refused!(
        s,
        s.add_volunteer(
            &a,
            &NewVolunteer {
                name: "赵敏".into(),
                phone: None,
                community: Ref::Id(w.village),
                compound_id: Some(w.compound),
                building_id: None,
                station: None,
                tasks: None,
            }
        ),
        "is not in the chosen community"
    );
    let before = s.head().unwrap();
    let (v, _) = s
        .add_volunteer(
            &a,
            &NewVolunteer {
                name: "赵敏".into(),
                phone: None,
                community: Ref::Id(w.community),
                compound_id: Some(w.compound),
                building_id: Some(b),
                station: None,
                tasks: Some("3栋送菜上楼".into()),
            },
        )
        .unwrap();
    one_entry(&s, &before, &format!("volunteer:{v}"));
    let names: Vec<String> = s
        .volunteers(Some(&Ref::Id(w.community)))
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names, ["李明", "赵敏"]);
    assert!(s.volunteers(Some(&Ref::Id(w.village))).unwrap().is_empty());

    // Survey figures are checked.
    let unit = |name: &str, cap: Capacity| NewSupplyUnit {
        name: name.into(),
        category: UnitCategory::Vegetables,
        community: None,
        address: None,
        contact: None,
        phone: None,
        capacity: cap,
    };
    for (survey, needle) in [
        (
            unit(
                "蔬菜基地",
                Capacity {
                    staff: -2,
                    ..Capacity::default()
                },
            ),
            "cannot be negative",
        ),
        (
            unit(
                "蔬菜基地",
                Capacity {
                    regular_stock: 9.0,
                    storage_capacity: 3.0,
                    ..Capacity::default()
                },
            ),
            "larger than the storage capacity",
        ),
        (
            unit("万州区永辉超市双河口店", Capacity::default()),
            "already registered",
        ),
    ] {
        refused!(s, s.add_supply_unit(&a, &survey), needle);
    }
    let before = s.head().unwrap();
    let (u, _) = s
        .add_supply_unit(
            &a,
            &unit(
                "蔬菜基地",
                Capacity {
                    daily_sales: 3.5,
                    ..Capacity::default()
                },
            ),
        )
        .unwrap();
    let text = one_entry(&s, &before, &format!("supply_unit:{u}"));
    assert!(text.contains("蔬菜基地") && text.contains("3.5"), "{text}");
    assert_eq!(s.supply_units().unwrap().len(), 2);
    finish(&s);
}

#[test]
fn recipients_are_registered_without_their_data_in_the_log() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    let text = s.entry(s.head().unwrap().seq).unwrap().unwrap();
    assert_eq!(
        text.subject.as_deref(),
        Some(format!("recipient:{}", w.recipient).as_str())
    );
    assert!(
        text.text.contains("张*华") && text.text.contains("血透患者"),
        "{}",
        text.text
    );
    let new = |id: &str| NewRecipient {
        name: "陈大爷".into(),
        phone: None,
        id_number: Some(id.into()),
        group: Group::ElderlyAlone,
        condition: None,
        community: Ref::Id(w.community),
        compound_id: None,
        building: None,
        unit_no: None,
        room: None,
        needs: None,
    };
    refused!(
        s,
        s.add_recipient(&a, &new("12345")),
        "ID number must be 18 characters"
    );
    refused!(
        s,
        s.add_recipient(
            &a,
            &NewRecipient {
                needs: Some("药".repeat(501)),
                ..new("500101194501011234")
            }
        ),
        "limit of 500"
    );
    let before = s.head().unwrap();
    let (id, _) = s.add_recipient(&a, &new("500101194501011234")).unwrap();
    let text = one_entry(&s, &before, &format!("recipient:{id}"));
    assert!(
        text.contains("陈*爷") && !text.contains("陈大爷") && !text.contains("500101194501011234"),
        "{text}"
    );
    finish(&s);
}

// ---------------------------------------------------------------- alerts

fn new_alert(community: &str, item: ItemClass, severity: Severity) -> NewAlert {
    NewAlert {
        community: community.into(),
        compound: None,
        item,
        severity,
        households: 35,
        source: Some("社区电话".into()),
        text: "菜店断货两天".into(),
    }
}

#[test]
fn an_alert_is_raised_handled_and_resolved() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();

    let before = s.head().unwrap();
    let (id, seq) = s
        .raise_alert(
            &a,
            &NewAlert {
                compound: Some("滴水岩小区".into()),
                ..new_alert("一碗水", ItemClass::Vegetables, Severity::High)
            },
        )
        .unwrap();
    assert_eq!(seq, before.seq + 1);
    let text = one_entry(&s, &before, &format!("alert:{id}"));
    assert!(
        text.contains("一碗水社区 滴水岩小区")
            && text.contains("菜")
            && text.contains("35")
            && text.contains("社区电话"),
        "{text}"
    );
    let row = s.alert(id, t0(), &Escalation::default()).unwrap();
    assert_eq!(
        (row.state, row.compound_id, row.households),
        (AlertState::Open, Some(w.compound), 35)
    );

    // Resolving needs someone to have taken it on first.
    refused!(
        s,
        s.resolve_alert(&a, id, "已补货"),
        "is open and has not been acknowledged"
    );

    logged!(s, s.acknowledge_alert(&a, id), format!("alert:{id}"));
    let row = s.alert(id, t0(), &Escalation::default()).unwrap();
    assert_eq!(
        (row.state, row.handler.as_deref()),
        (AlertState::Acknowledged, Some("王静"))
    );
    refused!(s, s.acknowledge_alert(&a, id), "is acknowledged");

    let text = logged!(
        s,
        s.dispatch_alert(&a, id, "万州区永辉超市双河口店"),
        format!("alert:{id}")
    );
    assert!(
        text.contains("已派往 万州区永辉超市双河口店")
            && text.contains("dispatched to 万州区永辉超市双河口店"),
        "{text}"
    );
    let row = s.alert(id, t0(), &Escalation::default()).unwrap();
    assert_eq!(row.state, AlertState::InProgress);
    assert_eq!(row.dispatched_to.as_deref(), Some("万州区永辉超市双河口店"));
    refused!(
        s,
        s.dispatch_alert(&a, id, "  "),
        "dispatch target is empty"
    );

    let text = logged!(
        s,
        s.set_alert_severity(&a, id, Severity::Critical),
        format!("alert:{id}")
    );
    assert!(
        text.contains("高 → 紧急") && text.contains("High → Critical"),
        "{text}"
    );
    refused!(
        s,
        s.set_alert_severity(&a, id, Severity::Critical),
        "already of severity"
    );

    refused!(s, s.resolve_alert(&a, id, ""), "outcome is empty");
    refused!(
        s,
        s.resolve_alert(&a, id, &"好".repeat(501)),
        "limit of 500"
    );
    s.set_clock(Clock::Fixed(t0() + Duration::hours(3)));
    let text = logged!(
        s,
        s.resolve_alert(&a, id, "永辉调运蔬菜 2 吨，已到中转站"),
        format!("alert:{id}")
    );
    assert!(text.contains("resolved") && text.contains("2 吨"), "{text}");
    let row = s
        .alert(id, t0() + Duration::hours(3), &Escalation::default())
        .unwrap();
    assert_eq!(row.state, AlertState::Resolved);
    assert_eq!(row.closed_at, Some(t0() + Duration::hours(3)));
    assert_eq!(row.age_minutes, 180);
    assert!(!row.escalated, "a closed alert is not escalated");

    // Nothing moves a closed alert.
    refused!(s, s.acknowledge_alert(&a, id), "already resolved");
    refused!(s, s.dispatch_alert(&a, id, "别处"), "already resolved");
    refused!(s, s.cancel_alert(&a, id, "重复"), "already resolved");
    refused!(
        s,
        s.set_alert_severity(&a, id, Severity::Low),
        "already resolved"
    );
    refused!(s, s.acknowledge_alert(&a, 404), "no shortage alert #404");
    finish(&s);
}

#[test]
fn an_alert_is_cancelled_with_a_reason_and_bad_input_writes_nothing() {
    let (_d, mut s, _) = store_with(world);
    let a = officer();
    for (alert, needle) in [
        (
            new_alert("大榜村", ItemClass::Grain, Severity::Low),
            "no community called",
        ),
        (
            NewAlert {
                compound: Some("不存在小区".into()),
                ..new_alert("一碗水", ItemClass::Grain, Severity::Low)
            },
            "has no compound",
        ),
        (
            NewAlert {
                households: -3,
                ..new_alert("一碗水", ItemClass::Grain, Severity::Low)
            },
            "between 0 and",
        ),
        (
            NewAlert {
                text: "缺".repeat(501),
                ..new_alert("一碗水", ItemClass::Grain, Severity::Low)
            },
            "limit of 500",
        ),
    ] {
        refused!(s, s.raise_alert(&a, &alert), needle);
    }
    let (id, _) = s
        .raise_alert(
            &a,
            &new_alert("一碗水", ItemClass::InfantFormula, Severity::Critical),
        )
        .unwrap();
    refused!(s, s.cancel_alert(&a, id, " "), "outcome is empty");
    let text = logged!(
        s,
        s.cancel_alert(&a, id, "重复上报，同 #1"),
        format!("alert:{id}")
    );
    assert!(
        text.contains("cancelled") && text.contains("重复上报"),
        "{text}"
    );
    let row = s.alert(id, t0(), &Escalation::default()).unwrap();
    assert_eq!(
        (row.state, row.resolution.as_deref()),
        (AlertState::Cancelled, Some("重复上报，同 #1"))
    );
    refused!(s, s.resolve_alert(&a, id, "x"), "already cancelled");
    finish(&s);
}

#[test]
fn the_alert_board_groups_open_alerts_by_community_and_escalates_old_ones() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    s.add_community(&a, &named("学堂湾社区")).unwrap();
    let (old_crit, _) = s
        .raise_alert(
            &a,
            &new_alert("一碗水", ItemClass::Medicine, Severity::Critical),
        )
        .unwrap();
    s.set_clock(Clock::Fixed(t0() + Duration::minutes(50)));
    let (_, _) = s
        .raise_alert(&a, &new_alert("一碗水", ItemClass::Meat, Severity::Low))
        .unwrap();
    let (_, _) = s
        .raise_alert(&a, &new_alert("龙宝", ItemClass::Oil, Severity::Medium))
        .unwrap();
    let (closed, _) = s
        .raise_alert(&a, &new_alert("龙宝", ItemClass::Grain, Severity::Critical))
        .unwrap();
    s.cancel_alert(&a, closed, "误报").unwrap();

    let now = t0() + Duration::minutes(60);
    let esc = Escalation::default();
    let board = s.open_alerts_by_community(now, &esc, true, 0, 50).unwrap();
    assert_eq!(board.len(), 3, "{board:?}");
    let first = &board[0];
    assert_eq!(first.community_id, w.community);
    assert_eq!(
        (first.open, first.critical, first.low, first.escalated),
        (2, 1, 1, 1)
    );
    assert_eq!(first.oldest_age_minutes, Some(60));
    let second = &board[1];
    assert_eq!(
        (
            second.community_id,
            second.open,
            second.medium,
            second.escalated
        ),
        (w.village, 1, 1, 0)
    );
    // The quiet community comes last, with nothing open.
    assert_eq!(
        (
            board[2].community.as_str(),
            board[2].open,
            board[2].oldest_age_minutes
        ),
        ("学堂湾社区", 0, None)
    );
    assert_eq!(
        s.open_alerts_by_community(now, &esc, false, 0, 50)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        s.open_alerts_by_community(now, &esc, true, 1, 1).unwrap()[0].community_id,
        w.village
    );

    let list = s
        .alerts_of_community(w.community, false, now, &esc, 0, 10)
        .unwrap();
    assert_eq!(list.iter().map(|r| r.id).collect::<Vec<_>>()[0], old_crit);
    assert!(list[0].escalated && !list[1].escalated);
    let all = s
        .alerts_of_community(w.village, true, now, &esc, 0, 10)
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[1].state,
        AlertState::Cancelled,
        "closed ones come after the open ones"
    );
    let counts = s.alert_counts(now, &esc).unwrap();
    assert_eq!((counts.open, counts.critical, counts.escalated), (3, 1, 1));
}

// ---------------------------------------------------------------- passes

fn pass_for(plate: &str, hours: i64, area: Option<&str>) -> NewPass {
    NewPass {
        kind: PassKind::Vehicle,
        vehicle: Some(PassVehicle::Ledger(plate.into())),
        subject: None,
        unit: None,
        issuer: "经发办".into(),
        valid_from: t0(),
        valid_until: t0() + Duration::hours(hours),
        area: area.map(Into::into),
        number: None,
    }
}

fn issued(o: IssueOutcome) -> (i64, String, i64) {
    match o {
        IssueOutcome::Issued {
            id, number, seq, ..
        } => (id, number, seq),
        other => panic!("not issued: {other:?}"),
    }
}

#[test]
fn vehicles_enter_the_ledger_with_a_normalised_plate() {
    let (_d, mut s, _) = store_with(world);
    let a = officer();
    let before = s.head().unwrap();
    let v = s
        .add_vehicle(
            &a,
            &NewVehicle {
                plate: "渝f·i2345".into(),
                vehicle_type: Some("冷藏车".into()),
                load_tonnes: Some(5.0),
                unit: Some("万州区永辉".into()),
                driver: Some("周师傅".into()),
                phone: Some("13700002222".into()),
            },
        )
        .unwrap();
    assert_eq!(v.plate, "渝F12345");
    assert!(v.warning.is_none());
    let text = one_entry(&s, &before, &format!("vehicle:{}", v.id));
    assert!(
        text.contains("渝F12345") && text.contains("冷藏车") && !text.contains("13700002222"),
        "{text}"
    );
    let info = s.vehicle_by_plate("渝F12345").unwrap().unwrap();
    assert_eq!(info.unit.as_deref(), Some("万州区永辉超市双河口店"));

    for (vehicle, needle) in [
        (plate("渝F 12345"), "already in the vehicle ledger"),
        (plate("渝"), "not a plate"),
        (plate(""), "No plate was given"),
        (
            NewVehicle {
                load_tonnes: Some(-1.0),
                ..plate("渝F55555")
            },
            "not plausible",
        ),
        (
            NewVehicle {
                unit: Some("不存在".into()),
                ..plate("渝F55555")
            },
            "no supply unit called",
        ),
    ] {
        refused!(s, s.add_vehicle(&a, &vehicle), needle);
    }
    // An odd plate is accepted with a warning.
    let before = s.head().unwrap();
    let odd = s.add_vehicle(&a, &plate("F1234")).unwrap();
    let warning = odd.warning.expect("an odd plate warns");
    assert!(!warning.en.is_empty() && !warning.zh.is_empty());
    one_entry(&s, &before, &format!("vehicle:{}", odd.id));
    finish(&s);
}

#[test]
fn one_vehicle_one_pass_one_route_asks_before_a_second_pass() {
    let (_d, mut s, _) = store_with(world);
    let a = officer();
    s.add_vehicle(
        &a,
        &NewVehicle {
            unit: Some(Ref::Id(1)),
            ..plate("渝F12345")
        },
    )
    .unwrap();

    let before = s.head().unwrap();
    let (id, number, seq) = issued(
        s.issue_pass(
            &a,
            &pass_for("渝f12345", 72, Some("万州城区—双河口")),
            false,
        )
        .unwrap(),
    );
    assert_eq!(number, "SHK-TX-2026-00001");
    assert_eq!(seq, before.seq + 1);
    let text = one_entry(&s, &before, &format!("pass:{id}"));
    assert!(
        text.contains("SHK-TX-2026-00001")
            && text.contains("渝F12345")
            && text.contains("2026-11-29 10:00+08:00"),
        "{text}"
    );
    let row = s
        .pass_by_number(" shk-tx-2026-00001 ", t0(), Duration::hours(24))
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.state, row.status),
        (PassState::Issued, PassStatus::Valid)
    );
    assert_eq!(
        row.unit.as_deref(),
        Some("万州区永辉超市双河口店"),
        "the vehicle's unit by default"
    );

    // The same plate and route again: a question, and nothing written.
    let before = s.head().unwrap();
    match s
        .issue_pass(
            &a,
            &pass_for("渝F12345", 24, Some("万州城区 — 双河口")),
            false,
        )
        .unwrap()
    {
        IssueOutcome::NeedsConfirmation { conflicts, message } => {
            assert_eq!(conflicts.len(), 1);
            assert_eq!(conflicts[0].number, "SHK-TX-2026-00001");
            assert!(
                message.en.contains("one vehicle, one pass, one route")
                    && message.zh.contains("一车一证一线路")
            );
        }
        other => panic!("should ask first: {other:?}"),
    }
    assert_eq!(s.head().unwrap(), before);
    // Confirmed: issued, and the log says it was confirmed.
    let (id2, number2, _) = issued(
        s.issue_pass(
            &a,
            &pass_for("渝F12345", 24, Some("万州城区 — 双河口")),
            true,
        )
        .unwrap(),
    );
    assert_eq!(number2, "SHK-TX-2026-00002");
    let text = one_entry(&s, &before, &format!("pass:{id2}"));
    assert!(
        text.contains("confirmed despite valid pass SHK-TX-2026-00001"),
        "{text}"
    );
    // Another route does not ask.
    let before = s.head().unwrap();
    let (id3, _, _) = issued(
        s.issue_pass(&a, &pass_for("渝F12345", 24, Some("龙宝—石梁")), false)
            .unwrap(),
    );
    one_entry(&s, &before, &format!("pass:{id3}"));

    // Bad input writes nothing.
    for (pass, needle) in [
        (pass_for("渝F99999", 24, None), "no vehicle 渝F99999"),
        (pass_for("渝F12345", 24 * 400, None), "longer than a year"),
        (
            NewPass {
                valid_until: t0() - Duration::hours(1),
                ..pass_for("渝F12345", 1, None)
            },
            "ends before it starts",
        ),
        (
            NewPass {
                valid_from: t0() - Duration::hours(5),
                valid_until: t0() - Duration::hours(1),
                ..pass_for("渝F12345", 1, None)
            },
            "already ended",
        ),
        (
            NewPass {
                issuer: " ".into(),
                ..pass_for("渝F12345", 1, None)
            },
            "issuing office is empty",
        ),
        (
            NewPass {
                number: Some("SHK-TX-2026-00001".into()),
                ..pass_for("渝F12345", 1, Some("别的线路"))
            },
            "already taken",
        ),
        (
            NewPass {
                vehicle: None,
                ..pass_for("渝F12345", 1, None)
            },
            "needs a vehicle",
        ),
        (
            NewPass {
                area: Some("路".repeat(101)),
                ..pass_for("渝F12345", 1, None)
            },
            "limit of 100",
        ),
    ] {
        refused!(s, s.issue_pass(&a, &pass, false), needle);
    }
    finish(&s);
}

#[test]
fn a_pass_with_a_new_vehicle_writes_both_in_one_transaction() {
    let (_d, mut s, _) = store_with(world);
    let a = officer();
    let before = s.head().unwrap();
    let out = s
        .issue_pass(
            &a,
            &NewPass {
                vehicle: Some(PassVehicle::New(plate("渝F D 12345"))),
                ..pass_for("", 48, None)
            },
            false,
        )
        .unwrap();
    let (id, _, seq) = issued(out);
    assert_eq!(seq, before.seq + 2, "the vehicle's entry, then the pass's");
    assert_eq!(
        s.entry(before.seq + 1).unwrap().unwrap().subject.as_deref(),
        Some("vehicle:1")
    );
    assert_eq!(
        s.entry(seq).unwrap().unwrap().subject,
        Some(format!("pass:{id}"))
    );
    assert!(s.vehicle_by_plate("渝FD12345").unwrap().is_some());
    // A pass that fails takes its new vehicle back with it.
    refused!(
        s,
        s.issue_pass(
            &a,
            &NewPass {
                vehicle: Some(PassVehicle::New(plate("渝F77777"))),
                number: Some("SHK-TX-2026-00001".into()),
                ..pass_for("", 48, None)
            },
            false
        ),
        "already taken"
    );
    assert!(s.vehicle_by_plate("渝F77777").unwrap().is_none());
    finish(&s);
}

#[test]
fn staff_certificates_and_business_permits() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    let staff = NewPass {
        kind: PassKind::Staff,
        vehicle: None,
        subject: Some("刘芳".into()),
        ..pass_for("", 240, None)
    };
    let (_, number, _) = issued(s.issue_pass(&a, &staff, false).unwrap());
    assert_eq!(number, "SHK-GZ-2026-00001");
    refused!(
        s,
        s.issue_pass(
            &a,
            &NewPass {
                subject: None,
                ..staff.clone()
            },
            false
        ),
        "holder's name"
    );
    let permit = NewPass {
        kind: PassKind::Business,
        vehicle: None,
        unit: Some(Ref::Id(w.unit)),
        ..pass_for("", 240, None)
    };
    let (_, number, _) = issued(s.issue_pass(&a, &permit, false).unwrap());
    assert_eq!(number, "SHK-XK-2026-00001");
    assert_eq!(
        s.pass_by_number(&number, t0(), Duration::hours(1))
            .unwrap()
            .unwrap()
            .subject,
        "万州区永辉超市双河口店"
    );
    refused!(
        s,
        s.issue_pass(
            &a,
            &NewPass {
                unit: None,
                ..permit
            },
            false
        ),
        "needs its supply unit"
    );
    finish(&s);
}

#[test]
fn a_pass_is_requested_issued_extended_suspended_reinstated_and_revoked() {
    let (_d, mut s, _) = store_with(world);
    let a = officer();
    s.add_vehicle(&a, &plate("渝F12345")).unwrap();
    let warn = Duration::hours(24);

    let before = s.head().unwrap();
    let (id, number, _) = s.request_pass(&a, &pass_for("渝F12345", 30, None)).unwrap();
    let text = one_entry(&s, &before, &format!("pass:{id}"));
    assert!(text.contains("requested: Vehicle pass"), "{text}");
    let pass = |s: &Store| s.pass_by_number(&number, t0(), warn).unwrap().unwrap();
    assert_eq!(pass(&s).status, PassStatus::Requested);
    refused!(s, s.suspend_pass(&a, id, "x"), "is requested");
    refused!(
        s,
        s.extend_pass(&a, id, t0() + Duration::hours(40)),
        "is requested"
    );

    logged!(
        s,
        s.issue_requested_pass(&a, id, false).map(issued),
        format!("pass:{id}")
    );
    let row = pass(&s);
    assert_eq!(
        (row.state, row.status),
        (PassState::Issued, PassStatus::Valid)
    );
    refused!(s, s.issue_requested_pass(&a, id, false), "is issued");

    // Extending moves the end later, never earlier.
    refused!(
        s,
        s.extend_pass(&a, id, t0() + Duration::hours(10)),
        "must end later"
    );
    let text = logged!(
        s,
        s.extend_pass(&a, id, t0() + Duration::hours(72)),
        format!("pass:{id}")
    );
    assert!(
        text.contains("extended to 2026-12-02 10:00+08:00 (was 2026-11-30 16:00+08:00)"),
        "{text}"
    );
    assert_eq!(pass(&s).valid_until, t0() + Duration::hours(72));

    refused!(s, s.suspend_pass(&a, id, ""), "reason is empty");
    let text = logged!(
        s,
        s.suspend_pass(&a, id, "司机核酸结果待出"),
        format!("pass:{id}")
    );
    assert!(
        text.contains("suspended") && text.contains("核酸"),
        "{text}"
    );
    let row = pass(&s);
    assert_eq!(
        (row.status, row.reason.as_deref()),
        (PassStatus::Suspended, Some("司机核酸结果待出"))
    );
    assert!(
        !s.plate_verdict(
            "渝F12345",
            &supplydesk::domain::plate::normalize("渝F12345").unwrap(),
            warn,
            false
        )
        .unwrap()
        .lets_through()
    );
    refused!(s, s.suspend_pass(&a, id, "again"), "is suspended");

    logged!(s, s.reinstate_pass(&a, id), format!("pass:{id}"));
    assert_eq!(pass(&s).status, PassStatus::Valid);
    refused!(s, s.reinstate_pass(&a, id), "already in force");

    refused!(s, s.revoke_pass(&a, id, "  "), "reason is empty");
    refused!(s, s.revoke_pass(&a, id, &"因".repeat(501)), "limit of 500");
    let text = logged!(
        s,
        s.revoke_pass(&a, id, "车辆改作他用"),
        format!("pass:{id}")
    );
    assert!(
        text.contains("revoked") && text.contains("车辆改作他用"),
        "{text}"
    );
    for r in [
        s_try(&mut s, |s| s.revoke_pass(&a, id, "x")),
        s_try(&mut s, |s| s.reinstate_pass(&a, id)),
        s_try(&mut s, |s| {
            s.extend_pass(&a, id, t0() + Duration::hours(100))
        }),
    ] {
        assert!(r.contains("revoked pass cannot change"), "{r}");
    }
    refused!(s, s.reinstate_pass(&a, 999), "no pass #999");
    finish(&s);
}

/// The English message of a refusal, checking that nothing was written.
fn s_try(s: &mut Store, f: impl FnOnce(&mut Store) -> Result<i64, StoreError>) -> String {
    let before = s.head().unwrap();
    let e = f(s).expect_err("should be refused");
    assert_eq!(s.head().unwrap(), before);
    e.message().en
}

#[test]
fn the_passes_pane_pages_filters_and_computes_status() {
    let (_d, mut s, _) = store_with(world);
    let a = officer();
    for (plate, hours) in [("渝F10001", 10), ("渝F10002", 200), ("渝F20003", 100)] {
        s.add_vehicle(
            &a,
            &NewVehicle {
                plate: plate.into(),
                driver: Some("周师傅".into()),
                phone: Some("13700002222".into()),
                ..Default::default()
            },
        )
        .unwrap();
        issued(
            s.issue_pass(&a, &pass_for(plate, hours, None), false)
                .unwrap(),
        );
    }
    let (_, n3, _) = issued(
        s.issue_pass(&a, &pass_for("渝F20003", 1, Some("专线")), false)
            .unwrap(),
    );
    let id3 = s
        .pass_by_number(&n3, t0(), Duration::zero())
        .unwrap()
        .unwrap()
        .id;
    s.revoke_pass(&a, id3, "重复").unwrap();

    let warn = Duration::hours(24);
    let all = s
        .passes_page(&PassFilter::default(), t0(), warn, 0, 10)
        .unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(
        all[0].plate.as_deref(),
        Some("渝F10002"),
        "latest ending first"
    );
    assert_eq!(
        all[0].driver_phone.as_deref(),
        Some("137****2222"),
        "the driver's phone is masked"
    );
    assert_eq!(
        all.iter()
            .find(|r| r.plate.as_deref() == Some("渝F10001"))
            .unwrap()
            .status,
        PassStatus::ExpiringSoon
    );
    let page2 = s
        .passes_page(&PassFilter::default(), t0(), warn, 2, 2)
        .unwrap();
    assert_eq!(page2.len(), 2);
    assert_eq!(page2[0].id, all[2].id);

    let by_plate = |text: &str| {
        s.passes_page(
            &PassFilter {
                text: Some(text.into()),
                status: None,
                kind: None,
            },
            t0(),
            warn,
            0,
            10,
        )
        .unwrap()
        .into_iter()
        .map(|r| r.plate.unwrap_or_default())
        .collect::<Vec<_>>()
    };
    assert_eq!(by_plate("渝f1000").len(), 2);
    assert_eq!(
        by_plate("F2000"),
        ["渝F20003", "渝F20003"],
        "the province may be left out"
    );
    assert_eq!(by_plate("专线"), ["渝F20003"]);
    assert_eq!(by_plate("shk-tx-2026-00002"), ["渝F10002"]);

    let by_status = |st: PassStatus, at: DateTime<Utc>| {
        s.passes_page(
            &PassFilter {
                text: None,
                status: Some(st),
                kind: None,
            },
            at,
            warn,
            0,
            10,
        )
        .unwrap()
        .len()
    };
    assert_eq!(by_status(PassStatus::Valid, t0()), 2);
    assert_eq!(by_status(PassStatus::ExpiringSoon, t0()), 1);
    assert_eq!(by_status(PassStatus::Revoked, t0()), 1);
    assert_eq!(
        by_status(PassStatus::Expired, t0() + Duration::hours(150)),
        2
    );
    assert_eq!(
        by_status(PassStatus::NotYetValid, t0() - Duration::hours(1)),
        3
    );
    let counts = s.pass_counts(t0(), warn).unwrap();
    assert_eq!(
        (
            counts.valid,
            counts.expiring,
            counts.revoked,
            counts.expired
        ),
        (2, 1, 1, 0)
    );
}

// ---------------------------------------------------------------- deliveries

fn queue(s: &mut Store, w: &World, urgency: Urgency, due_hours: i64) -> i64 {
    s.queue_delivery(
        &officer(),
        &NewDelivery {
            recipient_id: w.recipient,
            items: format!("给{RAW_NAME}的透析用药 2 盒"),
            urgency,
            due_at: t0() + Duration::hours(due_hours),
        },
    )
    .unwrap()
    .0
}

#[test]
fn a_delivery_goes_from_queue_to_door() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();

    let before = s.head().unwrap();
    let id = queue(&mut s, &w, Urgency::Urgent, 2);
    let text = one_entry(&s, &before, &format!("delivery:{id}"));
    assert!(
        text.contains("张*华")
            && text.contains("血透患者")
            && text.contains("特急")
            && text.contains("Urgent"),
        "{text}"
    );
    let row = s.delivery(id, t0()).unwrap();
    assert_eq!(
        row.items, "给张*华的透析用药 2 盒",
        "the recipient's name is kept out of the items too"
    );
    assert_eq!(
        (row.state, row.recipient.as_str()),
        (DeliveryState::Queued, "张*华")
    );

    refused!(
        s,
        s.depart_delivery(&a, id),
        "assign a volunteer or vehicle first"
    );
    refused!(s, s.deliver(&a, id, "本人"), "is queued");
    refused!(
        s,
        s.assign_delivery(&a, id, &Assignee::Volunteer(99)),
        "no volunteer #99"
    );
    refused!(
        s,
        s.assign_delivery(&a, id, &Assignee::Vehicle("渝F00000".into())),
        "no vehicle 渝F00000"
    );

    let before = s.head().unwrap();
    let got = s
        .assign_delivery(&a, id, &Assignee::Volunteer(w.volunteer))
        .unwrap();
    assert!(got.warning.is_none());
    let text = one_entry(&s, &before, &format!("delivery:{id}"));
    assert!(text.contains("李明"), "{text}");
    let row = s.delivery(id, t0()).unwrap();
    assert_eq!(
        (row.state, row.assignee.as_deref()),
        (DeliveryState::Assigned, Some("李明"))
    );

    logged!(s, s.depart_delivery(&a, id), format!("delivery:{id}"));
    refused!(s, s.depart_delivery(&a, id), "is en route");
    refused!(s, s.deliver(&a, id, " "), "receiver is empty");

    s.set_clock(Clock::Fixed(t0() + Duration::minutes(90)));
    let text = logged!(s, s.deliver(&a, id, RAW_NAME), format!("delivery:{id}"));
    assert!(text.contains("received by 张*华"), "{text}");
    let row = s.delivery(id, t0() + Duration::minutes(90)).unwrap();
    assert_eq!(row.state, DeliveryState::Delivered);
    assert_eq!(row.done_at, Some(t0() + Duration::minutes(90)));
    assert_eq!(row.received_by.as_deref(), Some("张*华"), "shown masked");
    assert!(!row.overdue);
    let raw: String = q(&s, "SELECT received_by FROM delivery");
    // The recipient's own name, in a text attached to their record, is
    // masked at the door (issue 21).
    assert_eq!(raw, "张*华", "stored masked");

    refused!(
        s,
        s.cancel_delivery(&a, id, "x"),
        "finished delivery cannot change"
    );
    refused!(
        s,
        s.fail_delivery(&a, id, FailReason::NobodyHome, None),
        "is delivered"
    );
    finish(&s);
}

#[test]
fn a_failed_delivery_is_requeued_or_cancelled() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    let id = queue(&mut s, &w, Urgency::High, 3);
    s.assign_delivery(&a, id, &Assignee::Volunteer(w.volunteer))
        .unwrap();

    refused!(
        s,
        s.fail_delivery(&a, id, FailReason::Other, None),
        "a note is required"
    );
    refused!(
        s,
        s.fail_delivery(&a, id, FailReason::Refused, Some(&"拒".repeat(501))),
        "limit of 500"
    );
    let text = logged!(
        s,
        s.fail_delivery(
            &a,
            id,
            FailReason::NobodyHome,
            Some("敲门无人应，电话 13812345678 未接"),
        ),
        format!("delivery:{id}")
    );
    assert!(
        text.contains("无人在家") && text.contains("138****5678"),
        "{text}"
    );
    let row = s.delivery(id, t0()).unwrap();
    assert_eq!(
        (row.state, row.attempts, row.fail_reason),
        (DeliveryState::Failed, 1, Some(FailReason::NobodyHome))
    );
    refused!(
        s,
        s.assign_delivery(&a, id, &Assignee::Volunteer(w.volunteer)),
        "requeue it first"
    );

    refused!(
        s,
        s.requeue_delivery(&a, id, Some(t0() - Duration::hours(1))),
        "already passed"
    );
    logged!(
        s,
        s.requeue_delivery(&a, id, Some(t0() + Duration::hours(6))),
        format!("delivery:{id}")
    );
    let row = s.delivery(id, t0()).unwrap();
    assert_eq!(
        (row.state, row.assignee.as_deref(), row.attempts),
        (DeliveryState::Queued, None, 1)
    );
    assert_eq!(row.due_at, t0() + Duration::hours(6));
    refused!(s, s.requeue_delivery(&a, id, None), "already in the queue");

    refused!(s, s.cancel_delivery(&a, id, ""), "reason is empty");
    let text = logged!(
        s,
        s.cancel_delivery(&a, id, "已由家属自行购买"),
        format!("delivery:{id}")
    );
    assert!(
        text.contains("cancelled") && text.contains("家属"),
        "{text}"
    );
    assert_eq!(
        s.delivery(id, t0()).unwrap().state,
        DeliveryState::Cancelled
    );
    refused!(s, s.delivery(404, t0()).map(|_| ()), "no delivery #404");
    finish(&s);
}

#[test]
fn a_vehicle_without_a_valid_pass_is_assigned_with_a_warning() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    s.add_vehicle(&a, &plate("渝F12345")).unwrap();
    let id = queue(&mut s, &w, Urgency::Normal, 5);

    let before = s.head().unwrap();
    let got = s
        .assign_delivery(&a, id, &Assignee::Vehicle("渝f 12345".into()))
        .unwrap();
    let warning = got.warning.expect("no pass: a warning");
    assert!(
        warning.en.contains("no pass that lets it through"),
        "{warning:?}"
    );
    let text = one_entry(&s, &before, &format!("delivery:{id}"));
    assert!(
        text.contains("渝F12345") && text.contains("no valid pass"),
        "{text}"
    );

    issued(
        s.issue_pass(&a, &pass_for("渝F12345", 24, None), false)
            .unwrap(),
    );
    let before = s.head().unwrap();
    let got = s
        .assign_delivery(&a, id, &Assignee::Vehicle("渝F12345".into()))
        .unwrap();
    assert!(got.warning.is_none());
    let text = one_entry(&s, &before, &format!("delivery:{id}"));
    assert!(
        text.contains("reassigned") && !text.contains("no valid pass"),
        "{text}"
    );
    finish(&s);
}

#[test]
fn bad_deliveries_write_nothing() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    let new = |items: &str, due: DateTime<Utc>| NewDelivery {
        recipient_id: w.recipient,
        items: items.into(),
        urgency: Urgency::High,
        due_at: due,
    };
    for (delivery, needle) in [
        (new("", t0() + Duration::hours(1)), "items is empty"),
        (
            new(&"米".repeat(501), t0() + Duration::hours(1)),
            "limit of 500",
        ),
        (new("米", t0() - Duration::minutes(1)), "already passed"),
        (new("米", t0() + Duration::days(40)), "days ahead"),
        (
            NewDelivery {
                recipient_id: 77,
                ..new("米", t0() + Duration::hours(1))
            },
            "no recipient #77",
        ),
    ] {
        refused!(s, s.queue_delivery(&a, &delivery), needle);
    }
    finish(&s);
}

#[test]
fn the_queue_is_ordered_by_urgency_then_due_time_and_masked() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    let normal_soon = queue(&mut s, &w, Urgency::Normal, 1);
    let urgent_late = queue(&mut s, &w, Urgency::Urgent, 8);
    let urgent_soon = queue(&mut s, &w, Urgency::Urgent, 2);
    let high = queue(&mut s, &w, Urgency::High, 1);
    let done = queue(&mut s, &w, Urgency::Urgent, 1);
    s.cancel_delivery(&a, done, "重复").unwrap();

    let later = t0() + Duration::minutes(150);
    let page = s.delivery_queue_page(later, 0, 10).unwrap();
    let ids: Vec<i64> = page.iter().map(|r| r.id).collect();
    assert_eq!(ids, [urgent_soon, urgent_late, high, normal_soon]);
    assert!(page[0].overdue && !page[1].overdue && page[2].overdue);
    assert_eq!(page[0].recipient, "张*华");
    assert_eq!(page[0].group, Group::Dialysis);
    assert_eq!(page[0].address, "一碗水社区 滴水岩小区 3栋 2单元 501");
    assert_eq!(
        s.delivery_queue_page(later, 1, 2)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        [urgent_late, high]
    );
    let c = s.delivery_counts(later).unwrap();
    assert_eq!((c.open, c.overdue, c.urgent), (4, 3, 2));
    let json = serde_json::to_string(&page).unwrap();
    for raw in [RAW_NAME, RAW_PHONE, RAW_ID, "尿毒症"] {
        assert!(!json.contains(raw), "{raw} leaked into the queue");
    }
}

#[test]
fn recipients_are_found_masked_and_revealed_with_an_access_entry() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    for query in [
        "晓华",
        "滴水岩",
        "3栋",
        "血透",
        "dialysis",
        "Dialysis patient",
    ] {
        let found = s.find_recipients(query, 10).unwrap();
        assert_eq!(found.len(), 1, "{query}");
        let r = &found[0];
        assert_eq!(
            (r.id, r.name.as_str(), r.phone.as_deref()),
            (w.recipient, "张*华", Some("138****5678"))
        );
        let json = serde_json::to_string(r).unwrap();
        assert!(
            !json.contains(RAW_NAME) && !json.contains(RAW_PHONE) && !json.contains(RAW_ID),
            "{json}"
        );
    }
    assert!(s.find_recipients("独居", 10).unwrap().is_empty());
    assert_eq!(s.find_recipients("", 10).unwrap().len(), 1);

    let before = s.head().unwrap();
    let (data, seq) = s.reveal_recipient(&a, w.recipient).unwrap();
    assert_eq!(seq, before.seq + 1);
    assert_eq!(
        (
            data.name.as_str(),
            data.phone.as_deref(),
            data.id_number.as_deref()
        ),
        (RAW_NAME, Some(RAW_PHONE), Some(RAW_ID))
    );
    let e = s.entry(seq).unwrap().unwrap();
    assert_eq!(e.kind, "access");
    assert_eq!(e.officer, "王静");
    assert_eq!(e.subject, Some(format!("recipient:{}", w.recipient)));
    assert!(
        e.text.contains("王静") && e.text.contains(&format!("#{}", w.recipient)),
        "{}",
        e.text
    );
    refused!(s, s.reveal_recipient(&a, 999), "no recipient #999");
    finish(&s);
}

// ---------------------------------------------------------------- corrections

#[test]
fn a_wrong_entry_is_corrected_by_a_new_one() {
    let (_d, mut s) = store();
    let a = officer();
    let wrong = s
        .add_entry(&a, LogKind::Call, "龙宝村来电：缺米 30 户", None, None)
        .unwrap();
    let before = s.head().unwrap();
    let fix = s
        .correct_entry(&a, wrong, "更正：缺米 13 户，不是 30 户")
        .unwrap();
    assert_eq!(fix, before.seq + 1);
    let e = s.entry(fix).unwrap().unwrap();
    assert_eq!((e.corrects, e.officer.as_str()), (Some(wrong), "王静"));
    let old = s.entry(wrong).unwrap().unwrap();
    assert_eq!(old.corrected_by, Some(fix));
    assert_eq!(
        old.text, "龙宝村来电：缺米 30 户",
        "the old entry stays as it was"
    );

    refused!(s, s.correct_entry(&a, 99, "x"), "no entry number 99");
    refused!(
        s,
        s.correct_entry(&a, wrong, "再改"),
        "already corrected by entry 2"
    );
    refused!(s, s.correct_entry(&a, fix, " "), "empty");
    refused!(
        s,
        s.correct_entry(&a, fix, &"字".repeat(4001)),
        "limit of 4000"
    );
    s.correct_entry(&a, fix, "再更正：13 户").unwrap();
    finish(&s);
}

// ---------------------------------------------------------------- plans

#[test]
fn the_panes_and_the_plate_lookup_use_their_indexes() {
    let (_d, s, _) = store_with(world);
    let queue = query_plan(&s, deliveries::QUEUE_PAGE_SQL);
    assert!(queue.contains("delivery_queue"), "{queue}");
    assert!(
        !queue.contains("TEMP B-TREE"),
        "the index gives the order: {queue}"
    );
    let board = query_plan(&s, alerts::BY_COMMUNITY_SQL);
    assert!(board.contains("alert_open_by_community"), "{board}");
    let open = query_plan(&s, alerts::OPEN_OF_COMMUNITY_SQL);
    assert!(open.contains("alert_open_by_community"), "{open}");
    let plate = query_plan(&s, pass_actions::VEHICLE_BY_PLATE_SQL);
    assert!(plate.contains("sqlite_autoindex_vehicle_1"), "{plate}");
    let passes = query_plan(&s, pass_actions::PASSES_PAGE_SQL);
    assert!(
        passes.contains("pass_until") && !passes.contains("TEMP B-TREE"),
        "{passes}"
    );
}

#[test]
fn two_sessions_on_one_file_take_distinct_numbers_and_see_each_other() {
    let (d, mut s, _) = store_with(world);
    let a = officer();
    let b = Actor {
        officer: "陈刚".into(),
        ..officer()
    };
    let mut s2 = d.store();
    s.add_vehicle(&a, &plate("渝F11111")).unwrap();
    s2.add_vehicle(&b, &plate("渝F22222")).unwrap();
    let (_, n1, _) = issued(
        s.issue_pass(&a, &pass_for("渝F11111", 24, None), false)
            .unwrap(),
    );
    let (_, n2, seq2) = issued(
        s2.issue_pass(&b, &pass_for("渝F22222", 24, None), false)
            .unwrap(),
    );
    assert_eq!(
        (n1.as_str(), n2.as_str()),
        ("SHK-TX-2026-00001", "SHK-TX-2026-00002")
    );
    assert_eq!(s.entry(seq2).unwrap().unwrap().officer, "陈刚");
    // The second session's vehicle is in the first one's ledger, so the
    // rule "one vehicle, one pass, one route" holds across sessions.
    assert!(matches!(
        s.issue_pass(&a, &pass_for("渝F22222", 24, None), false)
            .unwrap(),
        IssueOutcome::NeedsConfirmation { .. }
    ));
    finish(&s);
}

#[test]
fn a_pass_request_can_be_refused_by_revoking_it() {
    let (_d, mut s, _) = store_with(world);
    let a = officer();
    s.add_vehicle(&a, &plate("渝F12345")).unwrap();
    let warn = Duration::hours(24);
    let (id, number, _) = s.request_pass(&a, &pass_for("渝F12345", 30, None)).unwrap();
    let text = logged!(
        s,
        s.revoke_pass(&a, id, "材料不全 papers incomplete"),
        format!("pass:{id}")
    );
    assert!(text.contains("papers incomplete"), "{text}");
    assert_eq!(
        s.pass_by_number(&number, t0(), warn)
            .unwrap()
            .unwrap()
            .status,
        PassStatus::Revoked
    );
}
