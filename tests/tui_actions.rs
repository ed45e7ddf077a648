//! Every change the console makes, driven by keys and typed commands on a
//! real SQLite file: the state changes as it should, exactly one log entry
//! (two for "failed, then requeued") names the officer, a forbidden step
//! is refused with one clear sentence and nothing is written, and the
//! flash says what was recorded and its log number.

mod tui_fixture;

use chrono::Duration;
use ratatui::crossterm::event::KeyCode;
use supplydesk::domain::activation::ActivationState;
use supplydesk::domain::alert::{AlertState, ItemClass, Severity};
use supplydesk::domain::delivery::{AssigneeKind, DeliveryState, FailReason};
use supplydesk::domain::pass::{PassKind, PassState};
use supplydesk::i18n::Lang;
use supplydesk::store::alerts::{AlertRow, Escalation};
use supplydesk::store::deliveries::{Assignee, QueueRow};
use supplydesk::store::log::LogRow;
use supplydesk::store::pass_actions::{NewPass, NewVehicle, PassListRow, PassVehicle};
use supplydesk::store::places::{NewVolunteer, Ref};
use supplydesk::store::{Clock, OpenOptions, Store};
use supplydesk::tui::App;
use supplydesk::tui::app::Level;
use supplydesk::tui::popups::Popup;
use tempfile::TempDir;
use tui_fixture::*;

const OFFICER: &str = "王静";

/// The fixture in a temporary file, and a console on it.
fn desk(lang: Lang) -> (TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let s = store_file(&dir.path().join("desk.db"));
    let mut a = app_with(s, lang, None, Some(OFFICER));
    screen(&mut a, 80, 24);
    (dir, a)
}

fn level(a: &App) -> Option<Level> {
    a.flash.as_ref().map(|f| f.level)
}

fn alert(a: &App, id: i64) -> AlertRow {
    a.store
        .alert(id, a.store.now(), &Escalation::default())
        .unwrap()
}

fn delivery(a: &App, id: i64) -> QueueRow {
    a.store.delivery(id, a.store.now()).unwrap()
}

fn pass(a: &App, number: &str) -> PassListRow {
    a.store
        .pass_by_number(number, a.store.now(), Duration::hours(24))
        .unwrap()
        .unwrap()
}

fn entry(a: &App, seq: i64) -> LogRow {
    a.store.entry(seq).unwrap().unwrap()
}

/// Exactly one entry since `before`, by the officer, about `subject`
/// (none for a free-text entry); the flash names it.
fn one_entry(a: &App, before: i64, subject: &str) -> LogRow {
    assert_eq!(head(a), before + 1, "one entry; flash: {}", flash_en(a));
    let e = entry(a, before + 1);
    assert_eq!(e.officer, OFFICER);
    let want = (!subject.is_empty()).then_some(subject);
    assert_eq!(e.subject.as_deref(), want, "{}", e.text);
    assert_eq!(level(a), Some(Level::Info), "{}", flash_en(a));
    assert!(
        flash_en(a).contains(&format!("recorded #{}", e.seq)),
        "{}",
        flash_en(a)
    );
    e
}

/// Nothing written, an error flash, no form left open.
fn refused(a: &App, before: i64, says: &str) {
    assert_eq!(head(a), before, "nothing written; flash: {}", flash_en(a));
    assert_eq!(level(a), Some(Level::Error), "{}", flash_en(a));
    assert!(flash_en(a).contains(says), "{}", flash_en(a));
    assert!(!flash_en(a).contains("recorded"), "{}", flash_en(a));
    assert!(
        !a.popups.iter().any(|p| matches!(p, Popup::Form(_))),
        "no form for a refused step"
    );
}

fn form_error(a: &App, field: usize) -> String {
    match a.popups.last() {
        Some(Popup::Form(f)) => f.fields[field]
            .error
            .as_ref()
            .map(|m| m.en.clone())
            .unwrap_or_default(),
        _ => panic!("no form open; flash: {}", flash_en(a)),
    }
}

fn is_confirm(a: &App) -> bool {
    matches!(a.popups.last(), Some(Popup::Confirm(_)))
}

/// The alerts pane with 一碗水社区 opened and its first alert (#1) selected.
fn select_first_alert(a: &mut App) {
    a.on_key(key('2'));
    a.on_key(enter());
    a.on_key(key('j'));
}

#[test]
fn an_alert_is_acknowledged_dispatched_and_resolved_from_its_row() {
    let (_d, mut a) = desk(Lang::En);
    select_first_alert(&mut a);

    let before = head(&a);
    a.on_key(key('r'));
    refused(&a, before, "acknowledge (a) or dispatch (d) it first");

    a.on_key(key('a'));
    let e = one_entry(&a, before, "alert:1");
    assert!(e.text.contains("acknowledged"), "{}", e.text);
    let al = alert(&a, 1);
    assert_eq!(al.state, AlertState::Acknowledged);
    assert_eq!(al.handler.as_deref(), Some(OFFICER));

    let before = head(&a);
    a.on_key(key('a'));
    refused(&a, before, "Alert #1 is acknowledged");

    a.on_key(key('d'));
    a.on_key(enter());
    assert!(form_error(&a, 0).contains("empty"), "{}", form_error(&a, 0));
    assert_eq!(head(&a), before);
    type_str(&mut a, "双河口粮油配送中心");
    a.on_key(enter());
    assert!(a.popups.is_empty());
    one_entry(&a, before, "alert:1");
    let al = alert(&a, 1);
    assert_eq!(al.state, AlertState::InProgress);
    assert_eq!(al.dispatched_to.as_deref(), Some("双河口粮油配送中心"));

    let before = head(&a);
    a.on_key(key('r'));
    type_str(&mut a, "已调运透析药品 20 箱");
    a.on_key(enter());
    one_entry(&a, before, "alert:1");
    let al = alert(&a, 1);
    assert_eq!(al.state, AlertState::Resolved);
    assert_eq!(al.resolution.as_deref(), Some("已调运透析药品 20 箱"));

    let before = head(&a);
    a.run_typed(":resolve #1 again");
    refused(&a, before, "already resolved");
}

#[test]
fn cancelling_an_alert_asks_first_and_no_or_esc_write_nothing() {
    let (_d, mut a) = desk(Lang::En);
    let before = head(&a);
    a.run_typed(":cancel #2");
    type_str(&mut a, "与 #1 重复");
    a.on_key(enter());
    assert!(is_confirm(&a), "asked first");
    a.on_key(key('n'));
    assert!(
        matches!(a.popups.last(), Some(Popup::Form(_))),
        "back to the form"
    );
    a.on_key(esc());
    assert!(is_confirm(&a), "typed text: asked before it is dropped");
    a.on_key(key('y'));
    assert!(a.popups.is_empty());
    assert_eq!(head(&a), before, "Esc wrote nothing");
    assert_eq!(alert(&a, 2).state, AlertState::Open);

    a.run_typed(":cancel #2 重复上报");
    assert!(is_confirm(&a));
    a.on_key(key('y'));
    assert!(a.popups.is_empty());
    one_entry(&a, before, "alert:2");
    let al = alert(&a, 2);
    assert_eq!(al.state, AlertState::Cancelled);
    assert_eq!(al.resolution.as_deref(), Some("重复上报"));

    let before = head(&a);
    a.run_typed(":cancel #2 again");
    refused(&a, before, "already cancelled");
    assert!(a.popups.is_empty(), "not even asked");
}

#[test]
fn the_severity_is_chosen_with_arrows_or_typed_in_either_language() {
    let (_d, mut a) = desk(Lang::En);
    let before = head(&a);
    a.run_typed(":severity #3");
    a.on_key(code(KeyCode::Right));
    a.on_key(code(KeyCode::Right));
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(f.value(0), "High");
    a.on_key(enter());
    one_entry(&a, before, "alert:3");
    assert_eq!(alert(&a, 3).severity, Severity::High);

    let before = head(&a);
    a.run_typed(":severity #3 紧急");
    one_entry(&a, before, "alert:3");
    assert_eq!(alert(&a, 3).severity, Severity::Critical);

    let before = head(&a);
    a.run_typed(":severity #3 critical");
    refused(&a, before, "already of severity");
    a.run_typed(":severity #3 huge");
    refused(&a, before, "\"huge\" is not a severity");
}

#[test]
fn a_typed_alert_takes_chinese_or_english_names() {
    let (_d, mut a) = desk(Lang::Zh);
    for (line, item, sev) in [
        (
            ":alert 学堂湾 medicine critical 药品告急",
            ItemClass::Medicine,
            Severity::Critical,
        ),
        (
            ":alert 槽房 蔬菜 中",
            ItemClass::Vegetables,
            Severity::Medium,
        ),
        (
            ":alert 龙宝村 infant_formula 高",
            ItemClass::InfantFormula,
            Severity::High,
        ),
    ] {
        let before = head(&a);
        a.run_typed(line);
        assert_eq!(head(&a), before + 1, "{line}: {}", flash_en(&a));
        let e = entry(&a, before + 1);
        assert_eq!(e.officer, OFFICER);
        let id: i64 = e
            .subject
            .as_deref()
            .and_then(|s| s.strip_prefix("alert:"))
            .and_then(|n| n.parse().ok())
            .unwrap();
        let al = alert(&a, id);
        assert_eq!((al.item, al.severity), (item, sev), "{line}");
        assert!(
            a.flash
                .as_ref()
                .unwrap()
                .msg
                .zh
                .contains(&format!("#{}", e.seq))
        );
    }
    let before = head(&a);
    a.run_typed(":alert 不存在的村 药品 紧急");
    assert_eq!(head(&a), before);
    assert_eq!(level(&a), Some(Level::Error));
}

#[test]
fn a_pass_is_extended_suspended_reinstated_and_revoked() {
    let (_d, mut a) = desk(Lang::En);
    let n = "SHK-TX-2026-00001";
    assert_eq!(pass(&a, n).plate.as_deref(), Some("渝F12345"));
    a.on_key(key('3'));
    a.on_key(key('j'));
    a.on_key(key('j'));

    let before = head(&a);
    let old_until = pass(&a, n).valid_until;
    a.on_key(key('e'));
    type_str(&mut a, "2026-12-01 10:00");
    a.on_key(enter());
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!("an earlier end is refused in the form")
    };
    assert!(
        f.error
            .as_ref()
            .is_some_and(|e| e.en.contains("must end later")),
        "{:?}",
        f.error
    );
    assert_eq!(head(&a), before);
    for _ in 0.."2026-12-01 10:00".chars().count() {
        a.on_key(code(KeyCode::Backspace));
    }
    type_str(&mut a, "+10d");
    a.on_key(enter());
    one_entry(&a, before, &format!("pass:{}", pass(&a, n).id));
    assert_eq!(
        pass(&a, n).valid_until,
        old_until + Duration::days(10),
        "+10d is ten days past the old end"
    );

    let before = head(&a);
    a.run_typed(&format!(":suspend {n} 驾驶员未做核酸"));
    one_entry(&a, before, &format!("pass:{}", pass(&a, n).id));
    assert_eq!(pass(&a, n).state, PassState::Suspended);
    assert_eq!(pass(&a, n).reason.as_deref(), Some("驾驶员未做核酸"));

    let before = head(&a);
    a.run_typed(&format!(":suspend {n} twice"));
    refused(&a, before, "is suspended, so it cannot be suspended");

    a.on_key(key('r'));
    assert!(is_confirm(&a), "reinstating asks first");
    assert_eq!(head(&a), before, "nothing before yes");
    a.on_key(key('y'));
    one_entry(&a, before, &format!("pass:{}", pass(&a, n).id));
    assert_eq!(pass(&a, n).state, PassState::Issued);

    let before = head(&a);
    a.on_key(key('x'));
    a.on_key(enter());
    assert!(form_error(&a, 0).contains("empty"));
    type_str(&mut a, "违规载客");
    a.on_key(enter());
    assert!(is_confirm(&a));
    assert_eq!(head(&a), before, "nothing before yes");
    a.on_key(key('y'));
    assert!(a.popups.is_empty());
    one_entry(&a, before, &format!("pass:{}", pass(&a, n).id));
    assert_eq!(pass(&a, n).state, PassState::Revoked);

    let before = head(&a);
    a.on_key(key('r'));
    refused(&a, before, "revoked");
    a.on_key(key('x'));
    refused(&a, before, "revoked");
}

#[test]
fn a_requested_pass_is_issued_from_its_row() {
    let (_d, mut a) = desk(Lang::En);
    let (_, number, _) = a
        .store
        .request_pass(
            &actor(),
            &NewPass {
                kind: PassKind::Vehicle,
                vehicle: Some(PassVehicle::New(NewVehicle {
                    plate: "渝F77777".into(),
                    vehicle_type: None,
                    load_tonnes: None,
                    unit: None,
                    driver: Some("何平".into()),
                    phone: None,
                })),
                subject: None,
                unit: None,
                issuer: "经发办".into(),
                valid_from: t0(),
                valid_until: t0() + Duration::days(3),
                area: None,
                number: None,
            },
        )
        .unwrap();
    a.poll_data();
    let before = head(&a);
    a.run_typed(&format!(":issue {number}"));
    assert!(is_confirm(&a), "issuing asks first");
    assert_eq!(head(&a), before, "nothing before yes");
    a.on_key(key('y'));
    one_entry(&a, before, &format!("pass:{}", pass(&a, &number).id));
    assert_eq!(pass(&a, &number).state, PassState::Issued);
    let before = head(&a);
    a.run_typed(&format!(":issue {number}"));
    refused(&a, before, &number);
}

fn add_volunteer(a: &mut App, name: &str) -> i64 {
    a.store
        .add_volunteer(
            &actor(),
            &NewVolunteer {
                name: name.into(),
                phone: Some("13600000000".into()),
                community: Ref::Name("一碗水社区".into()),
                compound_id: None,
                building_id: None,
                station: Some("小区南门".into()),
                tasks: None,
            },
        )
        .unwrap()
        .0
}

#[test]
fn a_delivery_is_assigned_sent_and_delivered() {
    let (_d, mut a) = desk(Lang::En);
    let vid = add_volunteer(&mut a, "陈小梅");
    a.on_key(key('4'));
    let before = head(&a);
    a.on_key(key('d'));
    refused(&a, before, "assign a volunteer or vehicle (a) first");

    a.on_key(key('a'));
    type_str(&mut a, "陈小");
    let note = |a: &App| match a.popups.last() {
        Some(Popup::Form(f)) => f.fields[0].note.clone().map(|(m, _)| m.en),
        _ => None,
    };
    assert!(
        note(&a).is_some_and(|n| n.contains("陈小梅")),
        "{:?}",
        note(&a)
    );
    type_str(&mut a, "梅");
    assert!(
        note(&a).is_some_and(|n| n.starts_with("volunteer 陈小梅")),
        "{:?}",
        note(&a)
    );
    a.on_key(enter());
    one_entry(&a, before, "delivery:1");
    let d = delivery(&a, 1);
    assert_eq!(d.state, DeliveryState::Assigned);
    assert_eq!(d.assignee_kind, Some(AssigneeKind::Volunteer));
    assert_eq!(d.assignee.as_deref(), Some("陈小梅"));
    assert!(vid > 0);

    let before = head(&a);
    a.on_key(key('e'));
    one_entry(&a, before, "delivery:1");
    assert_eq!(delivery(&a, 1).state, DeliveryState::EnRoute);

    let before = head(&a);
    a.on_key(key('d'));
    a.on_key(enter());
    assert!(form_error(&a, 0).contains("empty"));
    type_str(&mut a, "家属");
    a.on_key(enter());
    one_entry(&a, before, "delivery:1");
    let d = delivery(&a, 1);
    assert_eq!(d.state, DeliveryState::Delivered);
    assert_eq!(d.received_by.as_deref(), Some("家属"));

    let before = head(&a);
    a.run_typed(":deliver #1 本人");
    refused(&a, before, "finished");
}

#[test]
fn assigning_a_vehicle_without_a_valid_pass_warns_and_still_assigns() {
    let (_d, mut a) = desk(Lang::En);
    a.on_key(key('4'));
    a.on_key(key('j'));
    a.on_key(key('a'));
    type_str(&mut a, "渝F34567");
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!()
    };
    let (n, warn) = f.fields[0].note.clone().unwrap();
    assert!(warn && n.en.contains("no valid pass"), "{}", n.en);
    a.on_key(esc());
    a.on_key(key('y'));

    let before = head(&a);
    a.run_typed(":assign #2 渝f·34567");
    assert_eq!(head(&a), before + 1);
    assert_eq!(level(&a), Some(Level::Warn));
    assert!(
        flash_en(&a).contains("no pass that lets it through"),
        "{}",
        flash_en(&a)
    );
    assert!(flash_en(&a).contains(&format!("recorded #{}", before + 1)));
    let d = delivery(&a, 2);
    assert_eq!(d.state, DeliveryState::Assigned);
    assert_eq!(d.assignee.as_deref(), Some("渝F34567"));

    let before = head(&a);
    a.run_typed(":assign #2 渝F00000");
    refused(&a, before, "no vehicle 渝F00000 in the ledger");
    a.run_typed(":assign #2 nobody");
    refused(&a, before, "neither an active volunteer");
}

#[test]
fn a_failed_delivery_is_requeued_and_another_cancelled() {
    let (_d, mut a) = desk(Lang::En);
    a.store
        .assign_delivery(&actor(), 2, &Assignee::Vehicle("渝F12345".into()))
        .unwrap();
    a.store.depart_delivery(&actor(), 2).unwrap();
    a.poll_data();

    let before = head(&a);
    a.run_typed(":fail #2");
    a.on_key(code(KeyCode::Right));
    a.on_key(code(KeyCode::Right));
    a.on_key(code(KeyCode::Right));
    a.on_key(code(KeyCode::Right));
    // "Other" without a note is refused under the note.
    a.on_key(enter());
    assert!(
        form_error(&a, 1).contains("note is required"),
        "{}",
        form_error(&a, 1)
    );
    a.on_key(code(KeyCode::BackTab));
    a.on_key(code(KeyCode::Right));
    a.on_key(code(KeyCode::Tab));
    type_str(&mut a, "敲门无人应答");
    a.on_key(code(KeyCode::Tab));
    a.on_key(code(KeyCode::Tab));
    type_str(&mut a, "+3h");
    a.on_key(enter());
    assert!(a.popups.is_empty(), "{}", flash_en(&a));
    assert_eq!(head(&a), before + 2, "failed, then requeued");
    for seq in [before + 1, before + 2] {
        let e = entry(&a, seq);
        assert_eq!(e.officer, OFFICER);
        assert_eq!(e.subject.as_deref(), Some("delivery:2"));
        assert!(
            flash_en(&a).contains(&format!("#{seq}")),
            "{}",
            flash_en(&a)
        );
    }
    let d = delivery(&a, 2);
    assert_eq!(d.state, DeliveryState::Queued);
    assert_eq!(d.fail_reason, Some(FailReason::NobodyHome));
    assert_eq!(d.attempts, 1);
    assert_eq!(d.due_at, t0() + Duration::hours(3));
    assert_eq!(d.assignee, None);

    let before = head(&a);
    a.run_typed(":fail #2 refused");
    refused(&a, before, "queued, so it cannot be marked failed");
    a.run_typed(":requeue #2");
    refused(&a, before, "already in the queue");

    a.on_key(key('4'));
    a.on_key(key('x'));
    type_str(&mut a, "对象已转入定点医院");
    a.on_key(enter());
    assert!(is_confirm(&a));
    a.on_key(key('y'));
    one_entry(&a, before, "delivery:1");
    assert_eq!(delivery(&a, 1).state, DeliveryState::Cancelled);
}

#[test]
fn failing_without_requeue_leaves_it_failed_then_r_requeues() {
    let (_d, mut a) = desk(Lang::Zh);
    a.store
        .assign_delivery(&actor(), 2, &Assignee::Vehicle("渝F12345".into()))
        .unwrap();
    a.poll_data();
    let before = head(&a);
    a.run_typed(":fail #2");
    type_str(&mut a, "拒收");
    a.on_key(code(KeyCode::Tab));
    a.on_key(code(KeyCode::Tab));
    a.on_key(code(KeyCode::Right));
    a.on_key(enter());
    one_entry(&a, before, "delivery:2");
    assert_eq!(delivery(&a, 2).state, DeliveryState::Failed);
    assert_eq!(delivery(&a, 2).fail_reason, Some(FailReason::Refused));

    let before = head(&a);
    a.run_typed(":requeue #2");
    a.on_key(enter());
    one_entry(&a, before, "delivery:2");
    assert_eq!(delivery(&a, 2).state, DeliveryState::Queued);
}

#[test]
fn revealing_a_recipient_asks_first_and_logs_the_officer() {
    let (_d, mut a) = desk(Lang::En);
    a.on_key(key('4'));
    let before = head(&a);
    a.on_key(key('v'));
    assert!(is_confirm(&a));
    a.on_key(key('n'));
    assert!(a.popups.is_empty());
    assert_eq!(head(&a), before, "no: nothing shown, nothing logged");

    a.on_key(key('v'));
    a.on_key(key('y'));
    let Some(Popup::Details { details, .. }) = a.popups.last() else {
        panic!("the data is shown: {}", flash_en(&a))
    };
    assert!(details.lines.iter().any(|(_, v)| v == "欧阳秀英"));
    assert!(details.lines.iter().any(|(_, v)| v == "13512345678"));
    let e = one_entry(&a, before, "recipient:1");
    assert_eq!(e.kind, "access");
    assert!(e.text.contains(OFFICER));
    assert!(
        !e.text.contains("欧阳秀英"),
        "the log holds no personal data"
    );
    // The queue still shows the name masked.
    a.popups.clear();
    let text = screen(&mut a, 80, 24);
    assert!(
        text.contains("欧**英") && !text.contains("欧阳秀英"),
        "{text}"
    );
}

#[test]
fn a_correction_points_at_the_entry_which_stays_marked() {
    let (_d, mut a) = desk(Lang::En);
    a.on_key(key('5'));
    let old = head(&a);
    let old_text = entry(&a, old).text;
    a.on_key(key('c'));
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(f.value(0), old_text, "starts from the old text");
    a.on_key(enter());
    assert!(form_error(&a, 0).contains("says the same"));
    assert_eq!(head(&a), old);
    a.on_key(code(KeyCode::End));
    for _ in 0..5 {
        a.on_key(code(KeyCode::Backspace));
    }
    type_str(&mut a, "人民路口");
    a.on_key(enter());
    assert!(is_confirm(&a), "a correction asks first");
    assert_eq!(head(&a), old, "nothing before yes");
    a.on_key(key('y'));
    let e = one_entry(&a, old, "");
    assert_eq!(e.corrects, Some(old));
    assert!(e.text.ends_with("人民路口"), "{}", e.text);
    assert_eq!(entry(&a, old).corrected_by, Some(e.seq));
    let text = screen(&mut a, 160, 48);
    assert!(
        text.contains(&format!("[corrected → #{}]", e.seq)),
        "the old entry is marked: {text}"
    );
    assert!(text.contains(&format!("[corrects #{old}]")), "{text}");

    let before = head(&a);
    a.run_typed(&format!(":correct {old} once more"));
    refused(&a, before, &format!("already corrected by entry {}", e.seq));
    a.run_typed(":correct 3 第三条记录应为：到岗");
    a.on_key(key('y'));
    let c = entry(&a, before + 1);
    assert_eq!(c.corrects, Some(3));
    assert_eq!(c.officer, OFFICER);
}

#[test]
fn the_directive_can_be_received_earlier_than_now() {
    let (_d, mut a) = desk(Lang::En);
    a.on_key(key('1'));
    a.on_key(key('n'));
    type_str(&mut a, "联控指挥部〔2022〕75号");
    a.on_key(code(KeyCode::Tab));
    type_str(&mut a, "2026-11-30 08:00");
    a.on_key(enter());
    assert!(
        form_error(&a, 1).contains("in the future"),
        "{}",
        form_error(&a, 1)
    );
    for _ in 0.."2026-11-30 08:00".len() {
        a.on_key(code(KeyCode::Backspace));
    }
    type_str(&mut a, "-15m");
    let before = head(&a);
    a.on_key(enter());
    assert!(is_confirm(&a), "deactivating asks first");
    a.on_key(key('y'));
    let e = one_entry(&a, before, "activation:2");
    assert_eq!(e.occurred_at.as_deref(), Some("2026-11-29T01:45:00.000Z"));
    let act = a.store.activation().unwrap().unwrap();
    assert_eq!(act.state, ActivationState::Normal);
    assert_eq!(act.received_at, Some(t0() - Duration::minutes(15)));

    let before = head(&a);
    a.run_typed(":activate 联控指挥部〔2022〕80号 @09:00");
    one_entry(&a, before, "activation:3");
    let act = a.store.activation().unwrap().unwrap();
    assert_eq!(act.state, ActivationState::Activated);
    assert_eq!(act.since(), t0() - Duration::hours(1));
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("ACTIVATED 1h00m"), "{text}");

    let before = head(&a);
    a.run_typed(":activate again");
    refused(&a, before, "already activated");
}

#[test]
fn elapsed_time_and_posts_manned_update_live() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let s = store_file(&path);
    let mut a = app_with(s, Lang::En, None, Some(OFFICER));
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("ACTIVATED 1d16h · manned 4/14"), "{text}");
    // Marked here.
    a.on_key(key('1'));
    a.on_key(key('j'));
    a.on_key(key('m'));
    assert!(is_confirm(&a), "marking a post asks first");
    a.on_key(key('y'));
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("manned 5/14"), "{text}");
    // Marked by another session.
    let mut other = Store::open(&path, OpenOptions::default())
        .unwrap()
        .with_clock(Clock::Fixed(t0()));
    other
        .mark_post_manned(&actor(), Ref::Name("社事办".into()), true)
        .unwrap();
    a.poll_data();
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("manned 6/14"), "{text}");
    assert!(
        text.contains("manned 6/14 · reported"),
        "the pane too: {text}"
    );
    // An hour later.
    a.store.set_clock(Clock::Fixed(t0() + Duration::hours(1)));
    a.tick(std::time::Instant::now());
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("ACTIVATED 1d17h"), "{text}");
    assert!(text.contains("(1d17h ago)"), "{text}");
}

#[test]
fn a_row_action_without_a_row_says_where_to_find_one() {
    let (_d, mut a) = desk(Lang::En);
    a.on_key(key('1'));
    let before = head(&a);
    for (line, says) in [
        (":ack", "alerts pane (2)"),
        (":revoke 违规", "passes pane (3)"),
        (":deliver 本人", "queue pane (4)"),
        (":correct 错了", "log pane (5)"),
        (":ack #999", "no shortage alert #999"),
        (":enroute #999", "no delivery #999"),
        (":correct 99999 x", "no entry number 99999"),
    ] {
        a.run_typed(line);
        assert_eq!(head(&a), before, "{line}");
        assert!(flash_en(&a).contains(says), "{line}: {}", flash_en(&a));
    }
    // On the alerts pane a community row is not an alert.
    a.on_key(key('2'));
    a.on_key(key('a'));
    assert!(
        flash_en(&a).contains("Select an alert first"),
        "{}",
        flash_en(&a)
    );
    // `:cancel` on the queue pane cancels the delivery.
    a.on_key(key('4'));
    a.run_typed(":cancel #2 不需要了");
    a.on_key(key('y'));
    assert_eq!(delivery(&a, 2).state, DeliveryState::Cancelled);
    assert_eq!(alert(&a, 2).state, AlertState::Open);
}

/// The frame after a change shows the flash at once; the pane reads its
/// rows again on the next turn of the loop (its deadline is "now").
#[test]
fn the_flash_comes_first_and_the_pane_follows_on_the_next_turn() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let (_d, mut a) = desk(Lang::En);
    a.on_key(key('4'));
    let draw = |a: &App| {
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        term.draw(|f| supplydesk::tui::view::draw(f, a)).unwrap();
        text(term.backend().buffer())
    };
    let row_of_2 = |screen: &str| {
        screen
            .lines()
            .find(|l| l.contains("11-29 14:00"))
            .unwrap_or_else(|| panic!("{screen}"))
            .to_string()
    };
    assert!(row_of_2(&draw(&a)).contains("Queued"));
    a.run_typed(":assign #2 渝F12345");
    let first = draw(&a);
    assert!(
        first.contains("delivery #2 assigned to 渝F12345, recorded #"),
        "{first}"
    );
    assert!(row_of_2(&first).contains("Queued"), "the rows as they were");
    let now = std::time::Instant::now();
    assert!(a.next_deadline(now) <= now, "the loop wakes at once");
    a.tick(now);
    assert!(a.dirty);
    let row = row_of_2(&draw(&a));
    assert!(row.contains("Assigned"), "{row}");
    assert!(a.next_deadline(now) > now, "nothing more to read");
}

#[test]
fn typed_gaps_asks_first_then_queues_every_unqueued_gap_once() {
    let (_d, mut a) = desk(Lang::En);
    a.on_key(key('4'));
    // The fixture's one gap (an elder living alone) has a delivery queued.
    let text = screen(&mut a, 80, 24);
    assert!(
        text.contains("gaps 1 · ") && !text.contains(":gaps"),
        "{text}"
    );
    let before = head(&a);
    a.run_typed(":gaps");
    assert!(!is_confirm(&a));
    assert_eq!(level(&a), Some(Level::Warn));
    assert!(
        flash_en(&a).contains("already have a delivery"),
        "{}",
        flash_en(&a)
    );
    assert_eq!(head(&a), before, "nothing to add: nothing written");

    // Cancel that delivery: the gap waits to be queued again.
    let gaps = a
        .store
        .coverage_gaps(a.now(), &a.cfg.norms.norms(), 10)
        .unwrap();
    let id = gaps.rows[0].open_delivery.unwrap();
    a.run_typed(&format!(":cancel #{id} 重复"));
    a.on_key(key('y'));
    a.tick(std::time::Instant::now());
    let text = screen(&mut a, 80, 24);
    assert_eq!(a.panes.queue.gaps(), (1, 1));
    assert!(text.contains("gaps 1 · unqueued 1 :gaps"), "{text}");
    let open_before = a.panes.queue.counts().open;

    let before = head(&a);
    a.run_typed(":gaps");
    assert!(is_confirm(&a));
    a.on_key(key('n'));
    assert!(a.popups.is_empty());
    assert_eq!(head(&a), before, "no: nothing queued, nothing logged");

    a.run_typed(":gaps");
    a.on_key(key('y'));
    let e = one_entry(&a, before, &format!("delivery:{}", newest_delivery(&a)));
    assert_eq!(e.kind, "change");
    assert!(
        flash_en(&a).contains("1 coverage gaps queued"),
        "{}",
        flash_en(&a)
    );

    // The queue holds the new delivery; the gap stays counted (nobody has
    // been reached yet) but no longer waits to be queued.
    a.tick(std::time::Instant::now());
    let text = screen(&mut a, 80, 24);
    assert_eq!(a.panes.queue.counts().open, open_before + 1);
    assert_eq!(a.panes.queue.gaps(), (1, 0));
    assert!(!text.contains(":gaps"), "{text}");
}

/// The newest delivery's id (the one `:gaps` just queued).
fn newest_delivery(a: &App) -> i64 {
    a.store
        .conn()
        .query_row("SELECT MAX(id) FROM delivery", [], |r| r.get(0))
        .unwrap()
}
