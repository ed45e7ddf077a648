//! No silent overwrite between sessions: every changing action, given the
//! record as the officer saw it, is refused when another session changed
//! the record since, names who changed it, and writes nothing.

mod common;

use chrono::Duration;
use supplydesk::domain::activation::ActivationAction;
use supplydesk::domain::alert::{ItemClass, Severity};
use supplydesk::domain::delivery::{FailReason, Group, Urgency};
use supplydesk::domain::log::LogKind;
use supplydesk::domain::pass::PassKind;
use supplydesk::store::alerts::NewAlert;
use supplydesk::store::deliveries::{Assignee, NewDelivery};
use supplydesk::store::pass_actions::{IssueOutcome, NewPass, NewVehicle, PassVehicle};
use supplydesk::store::places::{NewRecipient, NewVolunteer, Ref};
use supplydesk::store::seen::Seen;
use supplydesk::store::shifts::{AckTarget, CarryRules};
use supplydesk::store::{Actor, Store, StoreError};

use common::places::{dishuiyan, store_with, t0, yiwanshui};

fn wang() -> Actor {
    common::officer("王静")
}

/// Another session: 李明 at another console.
fn li() -> Actor {
    Actor {
        os_user: "li".into(),
        ..common::officer("李明")
    }
}

struct World {
    volunteer: i64,
    recipient: i64,
}

fn world(s: &mut Store) -> World {
    let a = wang();
    s.ensure_posts(&a, &[("经发办".into(), "经发办".into())])
        .unwrap();
    let (community, _) = s.add_community(&a, &yiwanshui()).unwrap();
    let (compound, _) = s.add_compound(&a, &dishuiyan(community)).unwrap();
    let (volunteer, _) = s
        .add_volunteer(
            &a,
            &NewVolunteer {
                name: "赵强".into(),
                phone: None,
                community: Ref::Id(community),
                compound_id: Some(compound),
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
                name: "张晓华".into(),
                phone: None,
                id_number: None,
                group: Group::Dialysis,
                condition: None,
                community: Ref::Id(community),
                compound_id: Some(compound),
                building: None,
                unit_no: None,
                room: None,
                needs: None,
            },
        )
        .unwrap();
    s.add_vehicle(
        &a,
        &NewVehicle {
            plate: "渝F12345".into(),
            ..Default::default()
        },
    )
    .unwrap();
    World {
        volunteer,
        recipient,
    }
}

fn alert(s: &mut Store) -> i64 {
    s.raise_alert(
        &wang(),
        &NewAlert {
            community: "一碗水".into(),
            compound: None,
            item: ItemClass::Vegetables,
            severity: Severity::High,
            households: 30,
            source: None,
            text: "菜店断货".into(),
        },
    )
    .unwrap()
    .0
}

fn pass(s: &mut Store) -> NewPass {
    let _ = s;
    NewPass {
        kind: PassKind::Vehicle,
        vehicle: Some(PassVehicle::Ledger("渝F12345".into())),
        subject: None,
        unit: None,
        issuer: "经发办".into(),
        valid_from: t0(),
        valid_until: t0() + Duration::hours(24),
        area: None,
        number: None,
    }
}

fn issued(s: &mut Store) -> i64 {
    let p = pass(s);
    match s.issue_pass(&wang(), &p, false).unwrap() {
        IssueOutcome::Issued { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

fn delivery(s: &mut Store, w: &World) -> i64 {
    s.queue_delivery(
        &wang(),
        &NewDelivery {
            recipient_id: w.recipient,
            items: "透析用药 2 盒".into(),
            urgency: Urgency::Urgent,
            due_at: t0() + Duration::hours(2),
        },
    )
    .unwrap()
    .0
}

fn en_route(s: &mut Store, w: &World) -> i64 {
    let id = delivery(s, w);
    s.assign_delivery(&wang(), id, &Assignee::Volunteer(w.volunteer))
        .unwrap();
    s.depart_delivery(&wang(), id).unwrap();
    id
}

type Setup = fn(&mut Store, &World) -> i64;
type Step = fn(&mut Store, &Actor, &World, i64) -> Result<(), StoreError>;

/// One changing action: the record it acts on (`table`, made by `setup`),
/// another session's change to it (`bump`), and the action (`act`).
struct Case {
    name: &'static str,
    table: &'static str,
    setup: Setup,
    bump: Step,
    act: Step,
}

fn ok<T>(r: Result<T, StoreError>) -> Result<(), StoreError> {
    r.map(|_| ())
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "acknowledge alert",
            table: "alert",
            setup: |s, _| alert(s),
            bump: |s, a, _, id| ok(s.set_alert_severity(a, id, Severity::Critical)),
            act: |s, a, _, id| ok(s.acknowledge_alert(a, id)),
        },
        Case {
            name: "dispatch alert",
            table: "alert",
            setup: |s, _| alert(s),
            bump: |s, a, _, id| ok(s.dispatch_alert(a, id, "螺蛳包菜市场")),
            act: |s, a, _, id| ok(s.dispatch_alert(a, id, "永辉超市")),
        },
        Case {
            name: "resolve alert",
            table: "alert",
            setup: |s, _| {
                let id = alert(s);
                s.acknowledge_alert(&wang(), id).unwrap();
                id
            },
            bump: |s, a, _, id| ok(s.dispatch_alert(a, id, "螺蛳包菜市场")),
            act: |s, a, _, id| ok(s.resolve_alert(a, id, "已送菜")),
        },
        Case {
            name: "cancel alert",
            table: "alert",
            setup: |s, _| alert(s),
            bump: |s, a, _, id| ok(s.dispatch_alert(a, id, "螺蛳包菜市场")),
            act: |s, a, _, id| ok(s.cancel_alert(a, id, "重复上报")),
        },
        Case {
            name: "alert severity",
            table: "alert",
            setup: |s, _| alert(s),
            bump: |s, a, _, id| ok(s.acknowledge_alert(a, id)),
            act: |s, a, _, id| ok(s.set_alert_severity(a, id, Severity::Low)),
        },
        Case {
            name: "issue requested pass",
            table: "pass",
            setup: |s, _| {
                let p = pass(s);
                s.request_pass(&wang(), &p).unwrap().0
            },
            bump: |s, a, _, id| ok(s.issue_requested_pass(a, id, false)),
            act: |s, a, _, id| ok(s.issue_requested_pass(a, id, false)),
        },
        Case {
            name: "extend pass",
            table: "pass",
            setup: |s, _| issued(s),
            bump: |s, a, _, id| ok(s.suspend_pass(a, id, "司机换人")),
            act: |s, a, _, id| ok(s.extend_pass(a, id, t0() + Duration::hours(48))),
        },
        Case {
            name: "suspend pass",
            table: "pass",
            setup: |s, _| issued(s),
            bump: |s, a, _, id| ok(s.extend_pass(a, id, t0() + Duration::hours(48))),
            act: |s, a, _, id| ok(s.suspend_pass(a, id, "司机换人")),
        },
        Case {
            name: "reinstate pass",
            table: "pass",
            setup: |s, _| {
                let id = issued(s);
                s.suspend_pass(&wang(), id, "核查").unwrap();
                id
            },
            bump: |s, a, _, id| ok(s.reinstate_pass(a, id)),
            act: |s, a, _, id| ok(s.reinstate_pass(a, id)),
        },
        Case {
            name: "revoke pass",
            table: "pass",
            setup: |s, _| issued(s),
            bump: |s, a, _, id| ok(s.suspend_pass(a, id, "核查")),
            act: |s, a, _, id| ok(s.revoke_pass(a, id, "伪造")),
        },
        Case {
            name: "assign delivery",
            table: "delivery",
            setup: delivery,
            bump: |s, a, _, id| ok(s.assign_delivery(a, id, &Assignee::Vehicle("渝F12345".into()))),
            act: |s, a, w, id| ok(s.assign_delivery(a, id, &Assignee::Volunteer(w.volunteer))),
        },
        Case {
            name: "depart delivery",
            table: "delivery",
            setup: |s, w| {
                let id = delivery(s, w);
                s.assign_delivery(&wang(), id, &Assignee::Volunteer(w.volunteer))
                    .unwrap();
                id
            },
            bump: |s, a, _, id| ok(s.assign_delivery(a, id, &Assignee::Vehicle("渝F12345".into()))),
            act: |s, a, _, id| ok(s.depart_delivery(a, id)),
        },
        Case {
            name: "deliver",
            table: "delivery",
            setup: en_route,
            bump: |s, a, _, id| ok(s.fail_delivery(a, id, FailReason::NobodyHome, None)),
            act: |s, a, _, id| ok(s.deliver(a, id, "本人")),
        },
        Case {
            name: "fail delivery",
            table: "delivery",
            setup: en_route,
            bump: |s, a, _, id| ok(s.deliver(a, id, "本人")),
            act: |s, a, _, id| ok(s.fail_delivery(a, id, FailReason::NobodyHome, None)),
        },
        Case {
            name: "requeue delivery",
            table: "delivery",
            setup: |s, w| {
                let id = en_route(s, w);
                s.fail_delivery(&wang(), id, FailReason::NobodyHome, None)
                    .unwrap();
                id
            },
            bump: |s, a, _, id| ok(s.cancel_delivery(a, id, "家属已取")),
            act: |s, a, _, id| ok(s.requeue_delivery(a, id, None)),
        },
        Case {
            name: "cancel delivery",
            table: "delivery",
            setup: delivery,
            bump: |s, a, w, id| ok(s.assign_delivery(a, id, &Assignee::Volunteer(w.volunteer))),
            act: |s, a, _, id| ok(s.cancel_delivery(a, id, "重复")),
        },
        Case {
            name: "correct entry",
            table: "duty_log",
            setup: |s, _| {
                s.add_entry(&wang(), LogKind::Note, "米到货 30 袋", None, None)
                    .unwrap()
            },
            bump: |s, a, _, id| ok(s.correct_entry(a, id, "米到货 20 袋")),
            act: |s, a, _, id| ok(s.correct_entry(a, id, "米到货 25 袋")),
        },
        Case {
            name: "post manned",
            table: "post",
            setup: |_, _| 1,
            bump: |s, a, _, id| ok(s.mark_post_manned(a, Ref::Id(id), true)),
            act: |s, a, _, id| ok(s.mark_post_manned(a, Ref::Id(id), true)),
        },
        Case {
            name: "community reported",
            table: "community",
            setup: |s, _| {
                s.set_activation(&wang(), ActivationAction::Activate, "令1", None)
                    .unwrap();
                1
            },
            bump: |s, a, _, id| ok(s.mark_community_reported(a, Ref::Id(id))),
            act: |s, a, _, id| ok(s.mark_community_reported(a, Ref::Id(id))),
        },
        Case {
            name: "plan directive",
            table: "activation",
            setup: |_, _| 0,
            bump: |s, a, _, _| ok(s.set_activation(a, ActivationAction::Activate, "令1", None)),
            act: |s, a, _, _| ok(s.set_activation(a, ActivationAction::Activate, "令2", None)),
        },
        Case {
            name: "end shift",
            table: "shift",
            setup: |s, _| s.start_shift(&wang()).unwrap().0,
            // 王静 herself, at another console.
            bump: |s, a, _, _| {
                let me = Actor {
                    officer: "王静".into(),
                    ..a.clone()
                };
                ok(s.end_shift(&me, "李明", None, &CarryRules::default()))
            },
            act: |s, _, _, _| ok(s.end_shift(&wang(), "赵强", None, &CarryRules::default())),
        },
        Case {
            name: "acknowledge handover",
            table: "shift",
            setup: |s, _| {
                let (id, _) = s.start_shift(&wang()).unwrap();
                s.end_shift(&wang(), "李明", None, &CarryRules::default())
                    .unwrap();
                id
            },
            bump: |s, a, _, id| ok(s.acknowledge_handover(a, Some(id), AckTarget::All)),
            act: |s, a, _, id| ok(s.acknowledge_handover(a, Some(id), AckTarget::All)),
        },
    ]
}

#[test]
fn a_stale_version_is_refused_and_writes_nothing_for_every_action() {
    for c in cases() {
        let (_d, mut s, w) = store_with(world);
        let id = (c.setup)(&mut s, &w);
        // What the officer's screen showed.
        let as_of = s.head().unwrap().seq;
        (c.bump)(&mut s, &li(), &w, id).unwrap_or_else(|e| panic!("{}: bump {e:?}", c.name));
        let changed_at = s.head().unwrap().seq;
        let before = common::dump(&s);
        let seen = [Seen::new(c.table, id, as_of)];
        let r = s.as_seen(&seen, |s| (c.act)(s, &li(), &w, id));
        let Err(StoreError::Stale(stale)) = r else {
            panic!("{}: not refused as stale: {r:?}", c.name);
        };
        // The entry of the other session's change (one of those it wrote).
        assert!(
            stale.entry.seq > as_of && stale.entry.seq <= changed_at,
            "{}",
            c.name
        );
        // Who changed it: the other session.
        assert_eq!(stale.entry.os_user, "li", "{}", c.name);
        let who = stale.entry.officer.clone();
        let m = StoreError::Stale(stale).message();
        assert!(
            m.en.contains(&who) && m.en.contains("Nothing was done"),
            "{}: {}",
            c.name,
            m.en
        );
        assert!(m.zh.contains("未做任何更改"), "{}: {}", c.name, m.zh);
        assert_eq!(
            common::dump(&s),
            before,
            "{}: nothing may be written",
            c.name
        );
    }
}

/// The same action on the record as it is now is not refused as stale:
/// the check refuses only what changed after it was seen.
#[test]
fn an_up_to_date_version_lets_the_action_through() {
    for c in cases() {
        let (_d, mut s, w) = store_with(world);
        let id = (c.setup)(&mut s, &w);
        let as_of = s.head().unwrap().seq;
        let seen = [Seen::new(c.table, id, as_of)];
        let r = s.as_seen(&seen, |s| (c.act)(s, &li(), &w, id));
        assert!(r.is_ok(), "{}: {r:?}", c.name);
    }
}

/// Another session's write between the first look and the change is
/// caught inside the change's own transaction.
#[test]
fn the_check_is_atomic_with_the_write() {
    let (d, mut s, _) = store_with(world);
    let id = alert(&mut s);
    let as_of = s.head().unwrap().seq;
    let before = s.head().unwrap().seq;
    let r = s.as_seen(&[Seen::new("alert", id, as_of)], |s| {
        // The other console dispatches after the first check passed.
        let mut other = d.store();
        other.dispatch_alert(&li(), id, "螺蛳包菜市场").unwrap();
        s.dispatch_alert(&wang(), id, "永辉超市")
    });
    assert!(matches!(r, Err(StoreError::Stale(_))), "{r:?}");
    assert_eq!(s.head().unwrap().seq, before + 1, "only the other dispatch");
    let to: String = common::value(
        &s,
        &format!("SELECT dispatched_to FROM alert WHERE id = {id}"),
    );
    assert_eq!(to, "螺蛳包菜市场");
    // The expectation does not outlive the action.
    s.dispatch_alert(&wang(), id, "永辉超市").unwrap();
}
