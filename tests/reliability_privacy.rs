//! Recipients' personal data — name, phone, ID number, health condition —
//! never shown raw unless an officer reveals it, and a reveal is an access
//! entry in the duty log naming the officer. The raw values are searched
//! for in everything the console draws and everything the command line
//! prints: screens, `log list`, exports, the handover report, and the
//! messages of refused actions.
//!
//! (Tampering with the log — edited, deleted, reordered, inserted entries
//! and a chain recomputed from scratch against the handover report — is
//! proven in tests/cli.rs and tests/handover.rs; RELIABILITY.md lists them.)

mod common;
mod tui_fixture;

use std::path::Path;
use std::process::{Command, Output};

use chrono::Duration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

use common::BIN;
use supplydesk::domain::delivery::{Group, Urgency};
use supplydesk::i18n::Lang;
use supplydesk::store::deliveries::NewDelivery;
use supplydesk::store::log::LogFilter;
use supplydesk::store::places::{NewRecipient, Ref};
use supplydesk::store::{OpenOptions, Store};
use supplydesk::tui::popups::Popup;
use supplydesk::tui::{App, view};
use tui_fixture::{actor, app_with, code, key, t0};

const NAME: &str = "张三华";
const PHONE: &str = "13812341234";
const ID_NUMBER: &str = "50010119900101123X";
const CONDITION: &str = "尿毒症晚期透析";

/// Everything that must not appear raw, with how it must appear masked.
fn secrets() -> Vec<&'static str> {
    vec![
        NAME,
        PHONE,
        ID_NUMBER,
        CONDITION,
        "欧阳秀英",
        "13512345678",
        "尿毒症",
    ]
}

fn assert_no_secret(s: &str, what: &str) {
    for secret in secrets() {
        assert!(!s.contains(secret), "{what} shows {secret:?}:\n{s}");
    }
}

/// The fixture database in a file, with one more recipient and a delivery.
fn desk(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("desk.db");
    let mut s = tui_fixture::store_file(&db);
    let (id, _) = s
        .add_recipient(
            &actor(),
            &NewRecipient {
                name: NAME.into(),
                phone: Some(PHONE.into()),
                id_number: Some(ID_NUMBER.into()),
                group: Group::Dialysis,
                condition: Some(CONDITION.into()),
                community: Ref::Name("螺蛳包社区".into()),
                compound_id: None,
                building: Some("9栋".into()),
                unit_no: None,
                room: Some("302".into()),
                needs: Some("透析用药".into()),
            },
        )
        .expect("recipient");
    s.queue_delivery(
        &actor(),
        &NewDelivery {
            recipient_id: id,
            items: format!("给{NAME}（{PHONE}）的透析药"),
            urgency: Urgency::Urgent,
            due_at: t0() + Duration::hours(2),
        },
    )
    .expect("delivery");
    db
}

fn open(db: &Path) -> Store {
    Store::open(db, OpenOptions::default())
        .expect("open")
        .with_clock(supplydesk::store::Clock::Fixed(t0()))
}

fn draw(app: &mut App, w: u16, h: u16) -> String {
    app.resize(w, h);
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| view::draw(f, app)).expect("draw");
    tui_fixture::text(term.backend().buffer())
}

#[test]
fn the_console_shows_recipients_masked_until_revealed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = desk(dir.path());
    let mut app = app_with(open(&db), Lang::Zh, None, Some("王静"));
    let mut seen = draw(&mut app, 160, 48);
    assert_no_secret(&seen, "all panes");
    app.on_key(key('4'));
    app.on_key(key('g'));
    for row in 0..3 {
        seen.push_str(&draw(&mut app, 80, 24));
        app.on_key(code(KeyCode::Enter));
        let s = draw(&mut app, 100, 40);
        assert_no_secret(&s, &format!("delivery details, row {row}"));
        seen.push_str(&s);
        app.on_key(code(KeyCode::Esc));
        app.on_key(key('j'));
    }
    // The duty log pane and its details: every entry about them.
    app.on_key(key('5'));
    app.on_key(key('g'));
    for _ in 0..12 {
        app.on_key(code(KeyCode::Enter));
        assert_no_secret(&draw(&mut app, 100, 40), "log details");
        app.on_key(code(KeyCode::Esc));
        app.on_key(key('j'));
    }
    assert!(
        seen.contains("张*华"),
        "the masked name is not shown:\n{seen}"
    );

    // Revealing: a question first, then the data, and an access entry.
    app.on_key(key('4'));
    app.on_key(key('g'));
    let before = app.store.head().expect("head").seq;
    let mut revealed = String::new();
    for _ in 0..3 {
        app.on_key(key('v'));
        let q = draw(&mut app, 100, 40);
        assert!(
            matches!(app.popups.last(), Some(Popup::Confirm(_))),
            "no question:\n{q}"
        );
        assert_no_secret(&q, "the reveal question");
        app.on_key(key('y'));
        let s = draw(&mut app, 100, 40);
        revealed.push_str(&s);
        while !app.popups.is_empty() {
            app.on_key(code(KeyCode::Esc));
        }
        app.on_key(key('j'));
        if revealed.contains(NAME) {
            break;
        }
    }
    assert!(
        revealed.contains(NAME),
        "the reveal did not show the name:\n{revealed}"
    );
    assert!(
        revealed.contains(PHONE),
        "the reveal did not show the phone"
    );
    let access = app
        .store
        .log_list(&LogFilter {
            kind: Some(supplydesk::domain::log::LogKind::Access),
            ..Default::default()
        })
        .expect("list");
    let mine: Vec<_> = access.iter().filter(|e| e.seq > before).collect();
    assert!(!mine.is_empty(), "no access entry");
    for e in &mine {
        assert_eq!(e.officer, "王静");
        assert!(
            e.text.contains("王静"),
            "the entry does not name the officer: {}",
            e.text
        );
        assert_no_secret(&e.text, "the access entry");
    }
    // Once the details are closed, the screen is masked again.
    assert_no_secret(&draw(&mut app, 160, 48), "after the reveal");
}

fn cli(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["--lang", "zh", "--officer", "王静"])
        .args(args)
        .env_remove("SUPPLYDESK_DB")
        .env("NO_COLOR", "1")
        .output()
        .expect("run supplydesk")
}

fn both(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_command_line_prints_them_masked_and_logs_an_unmasked_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = desk(dir.path());
    for args in [
        vec!["log", "list", "--limit", "0"],
        vec!["log", "list", "--limit", "0", "--json"],
        vec!["log", "list", "--grep", "配送"],
        vec!["handover", "--format", "md"],
        vec!["handover", "--format", "json"],
        vec!["export", "recipients"],
        vec!["export", "recipients", "--format", "json"],
        vec!["log", "verify"],
    ] {
        let out = cli(&db, &args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_no_secret(&both(&out), &format!("{args:?}"));
    }
    let out = cli(&db, &["export", "recipients", "--format", "csv"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("138****1234"),
        "{out:?}"
    );

    // Refused actions and mistakes about them: the messages stay masked.
    let bad = dir.path().join("bad.csv");
    let template = cli(&db, &["export", "recipients", "--template"]);
    let header = String::from_utf8_lossy(&template.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let columns = header.split(',').count();
    // The same person again, with a phone and an ID number that do not
    // check out: the row errors must not quote them back raw.
    let mut row: Vec<String> = vec![String::new(); columns];
    for (i, h) in header.split(',').enumerate() {
        row[i] = match h.trim() {
            "姓名" => NAME.into(),
            "联系电话" => format!("{PHONE}9"),
            "身份证号" => format!("{}Z", &ID_NUMBER[..17]),
            "身体状况" => CONDITION.into(),
            "社区名称" => "不存在的社区".into(),
            "类别" => "血透患者".into(),
            _ => String::new(),
        };
    }
    std::fs::write(&bad, format!("{header}\n{}\n", row.join(","))).expect("csv");
    let out = cli(&db, &["import", "recipients", bad.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        both(&out).contains("身份证号"),
        "the ID number is not refused: {}",
        both(&out)
    );
    for secret in [NAME, PHONE, &ID_NUMBER[..17], CONDITION] {
        assert!(
            !both(&out).contains(secret),
            "the import error quotes {secret}: {}",
            both(&out)
        );
    }

    // Unmasked on request: the data, and an access entry naming the officer.
    let before = open(&db).head().expect("head").seq;
    let out = cli(
        &db,
        &["export", "recipients", "--unmasked", "--format", "csv"],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(PHONE));
    let store = open(&db);
    let after = store
        .log_list(&LogFilter::default())
        .expect("list")
        .into_iter()
        .filter(|e| e.seq > before)
        .collect::<Vec<_>>();
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].kind, "access");
    assert_eq!(after[0].officer, "王静");
    assert_no_secret(&after[0].text, "the export's access entry");
}
