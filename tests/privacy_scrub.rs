//! Issue 21: every free-text field that is stored or sent passes the
//! scrubber at the store's door. Table-driven: each field × each typed
//! form of each secret is written through the store's own actions; then
//! the raw secret must not appear in the database (`sqlite3 .dump`, and the
//! raw bytes of the file after a WAL checkpoint), nor in `log list`, the
//! handover in every format, or an export.

mod common;
mod tui_fixture;

use std::path::Path;
use std::process::Command;

use chrono::Duration;
use supplydesk::domain::activation::ActivationAction;
use supplydesk::domain::cover::ContactChannel;
use supplydesk::domain::delivery::{FailReason, Group, Urgency};
use supplydesk::store::alerts::NewAlert;
use supplydesk::store::deliveries::{Assignee, NewDelivery};
use supplydesk::store::places::{NewRecipient, NewVolunteer, Ref};
use supplydesk::store::supply::NewContact;
use supplydesk::store::{Clock, Store};

use common::BIN;
use tui_fixture::{actor, t0};

const R_NAME: &str = "覃银菊";
/// The recipient's phone, stored in a form no test below types.
const R_PHONE_STORED: &str = "+86 188-7662 1326";
const R_PHONE: &str = "18876621326";
const R_ID: &str = "500101194709110900";
const V_NAME: &str = "秦敏英";
const V_PHONE: &str = "13352699142";
/// Nobody the desk knows: kept as a caller.
const CALLER: &str = "13900000000";
/// Anyone's valid resident ID number, known to nobody.
const ANY_ID: &str = "11010519491231002X";

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
            ' ' => '\u{3000}',
            c => c,
        })
        .collect()
}

/// Every typed form of an 11-digit number.
fn phone_forms(d: &str) -> Vec<String> {
    let (a, b, c) = (&d[..3], &d[3..7], &d[7..]);
    vec![
        d.to_string(),
        full_width(d),
        format!("{a} {b} {c}"),
        format!("{a}-{b}-{c}"),
        format!("{a}.{b}.{c}"),
        format!("+86 {d}"),
        format!("0086{d}"),
        full_width(&format!("+86 {a}-{b}-{c}")),
        format!("{a}\u{3000}{b}\u{3000}{c}"),
    ]
}

/// Every typed form of an 18-character ID number.
fn id_forms(d: &str) -> Vec<String> {
    let (a, b, c) = (&d[..6], &d[6..14], &d[14..]);
    let mut v = vec![
        d.to_string(),
        full_width(d),
        format!("{a} {b} {c}"),
        format!("{a}-{b}-{c}"),
    ];
    if d.ends_with('X') {
        v.push(d.replace('X', "x"));
        v.push(d.replace('X', "ｘ"));
    }
    v
}

/// (the secret's digits, the text to write) for every secret and form.
fn cases() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for f in phone_forms(R_PHONE) {
        out.push((R_PHONE, format!("{R_NAME} {f} 来电，要求送药")));
    }
    for f in id_forms(R_ID) {
        out.push((R_ID, format!("身份证{f}，要求送药")));
    }
    for f in phone_forms(V_PHONE) {
        out.push((V_PHONE, format!("志愿者{V_NAME}{f}今晚不能到岗")));
    }
    for f in phone_forms(CALLER) {
        out.push((CALLER, format!("来电{f}反映缺米")));
    }
    for f in id_forms(ANY_ID) {
        out.push((ANY_ID, format!("代领人身份证{f}")));
    }
    out
}

struct World {
    recipient: i64,
    volunteer: i64,
    community: &'static str,
}

type Write = fn(&mut Store, &World, &str);

/// Every free-text field a store action takes, by name.
fn fields() -> Vec<(&'static str, Write)> {
    use supplydesk::domain::log::LogKind;
    fn on_the_way(s: &mut Store, w: &World, id: i64) {
        s.assign_delivery(&actor(), id, &Assignee::Volunteer(w.volunteer))
            .unwrap();
        s.depart_delivery(&actor(), id).unwrap();
    }
    vec![
        ("log note", |s, _, t| {
            s.add_entry(&actor(), LogKind::Note, t, None, None).unwrap();
        }),
        ("log call", |s, _, t| {
            s.add_entry(&actor(), LogKind::Call, t, None, None).unwrap();
        }),
        ("log instruction", |s, _, t| {
            s.add_entry(&actor(), LogKind::Instruction, t, None, None)
                .unwrap();
        }),
        ("correction", |s, _, t| {
            let seq = s
                .add_entry(&actor(), LogKind::Note, "待更正", None, None)
                .unwrap();
            s.correct_entry(&actor(), seq, t).unwrap();
        }),
        ("contact note", |s, w, t| {
            s.log_contact(
                &actor(),
                &NewContact {
                    recipient_id: w.recipient,
                    channel: ContactChannel::Phone,
                    reached: true,
                    note: Some(t.into()),
                    at: None,
                },
            )
            .unwrap();
        }),
        ("delivery items", |s, w, t| {
            queue_delivery(s, w, t);
        }),
        ("delivery failure note", |s, w, t| {
            let id = queue_delivery(s, w, "药品");
            on_the_way(s, w, id);
            s.fail_delivery(&actor(), id, FailReason::Other, Some(t))
                .unwrap();
        }),
        ("delivery cancel reason", |s, w, t| {
            let id = queue_delivery(s, w, "药品");
            s.cancel_delivery(&actor(), id, t).unwrap();
        }),
        ("delivery received by", |s, w, t| {
            let id = queue_delivery(s, w, "药品");
            on_the_way(s, w, id);
            // A signature is a short line: the number alone.
            let short: String = t
                .chars()
                .filter(|c| !('\u{4e00}'..='\u{9fff}').contains(c))
                .collect();
            s.deliver(&actor(), id, short.trim()).unwrap();
        }),
        ("alert text", |s, w, t| {
            raise(s, w, t, None);
        }),
        ("alert source", |s, w, t| {
            let short: String = t
                .chars()
                .filter(|c| !('\u{4e00}'..='\u{9fff}').contains(c))
                .collect();
            raise(s, w, "缺药", Some(short.trim()));
        }),
        ("alert dispatched to", |s, w, t| {
            let id = raise(s, w, "缺药", None);
            s.acknowledge_alert(&actor(), id).unwrap();
            s.dispatch_alert(&actor(), id, t).unwrap();
        }),
        ("alert outcome", |s, w, t| {
            let id = raise(s, w, "缺药", None);
            s.acknowledge_alert(&actor(), id).unwrap();
            s.resolve_alert(&actor(), id, t).unwrap();
        }),
        ("alert cancel reason", |s, w, t| {
            let id = raise(s, w, "缺药", None);
            s.cancel_alert(&actor(), id, t).unwrap();
        }),
        ("volunteer tasks", |s, _, t| {
            let n: i64 = s
                .conn()
                .query_row("SELECT COUNT(*) FROM volunteer", [], |r| r.get(0))
                .unwrap();
            s.add_volunteer(
                &actor(),
                &NewVolunteer {
                    name: format!("志愿者{n}号"),
                    phone: None,
                    community: Ref::Name("螺蛳包社区".into()),
                    compound_id: None,
                    building_id: None,
                    station: None,
                    tasks: Some(t.into()),
                },
            )
            .unwrap();
        }),
        ("activation directive", |s, _, t| {
            // Back to normal and activated again, each with the text.
            s.set_activation(&actor(), ActivationAction::Deactivate, t, None)
                .unwrap();
            s.set_activation(&actor(), ActivationAction::Activate, t, None)
                .unwrap();
        }),
    ]
}

fn queue_delivery(s: &mut Store, w: &World, items: &str) -> i64 {
    let due = s.now() + Duration::hours(2);
    s.queue_delivery(
        &actor(),
        &NewDelivery {
            recipient_id: w.recipient,
            items: items.into(),
            urgency: Urgency::High,
            due_at: due,
        },
    )
    .unwrap()
    .0
}

fn raise(s: &mut Store, w: &World, text: &str, source: Option<&str>) -> i64 {
    s.raise_alert(
        &actor(),
        &NewAlert {
            community: Ref::Name(w.community.into()),
            compound: None,
            item: supplydesk::domain::alert::ItemClass::Medicine,
            severity: supplydesk::domain::alert::Severity::High,
            households: 3,
            source: source.map(str::to_string),
            text: text.into(),
        },
    )
    .unwrap()
    .0
}

fn world(s: &mut Store) -> World {
    let (recipient, _) = s
        .add_recipient(
            &actor(),
            &NewRecipient {
                name: R_NAME.into(),
                phone: Some(R_PHONE_STORED.into()),
                id_number: Some(R_ID.into()),
                group: Group::Dialysis,
                condition: None,
                community: Ref::Name("螺蛳包社区".into()),
                compound_id: None,
                building: Some("9栋".into()),
                unit_no: None,
                room: None,
                needs: None,
            },
        )
        .unwrap();
    let (volunteer, _) = s
        .add_volunteer(
            &actor(),
            &NewVolunteer {
                name: V_NAME.into(),
                phone: Some("+86 133-5269 9142".into()),
                community: Ref::Name("螺蛳包社区".into()),
                compound_id: None,
                building_id: None,
                station: None,
                tasks: None,
            },
        )
        .unwrap();
    World {
        recipient,
        volunteer,
        community: "螺蛳包社区",
    }
}

fn cli(db: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["--officer", "李明", "--lang", "zh"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run supplydesk");
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "supplydesk {args:?} failed:\n{s}");
    s
}

/// The forms of a secret to look for in output and files.
fn looks(digits: &str) -> Vec<String> {
    if digits.len() == 18 {
        id_forms(digits)
    } else {
        phone_forms(digits)
    }
}

/// The lines of `.dump` that may hold a secret: the person's own record.
fn own_record(line: &str, digits: &str) -> bool {
    let into = |t: &str| line.starts_with(&format!("INSERT INTO {t} VALUES"));
    match digits {
        R_ID => into("recipient"),
        CALLER => into("caller"),
        _ => false,
    }
}

#[test]
fn every_free_text_field_in_every_typed_form_is_scrubbed_at_the_door() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let mut s = tui_fixture::store_file(&db).with_clock(Clock::Fixed(t0()));
    let w = world(&mut s);
    s.start_shift(&actor()).unwrap();
    let mut written = 0;
    for (field, write) in fields() {
        for (_, text) in cases() {
            write(&mut s, &w, &text);
            written += 1;
        }
        let _ = field;
    }
    assert!(written > 500, "{written} writes");
    // The unknown caller was kept once, by reference.
    let callers = s.callers().unwrap();
    assert_eq!(callers.len(), 1, "{callers:?}");
    assert_eq!(callers[0].masked, "139****0000");
    let (number, _) = s.reveal_caller(&actor(), callers[0].id).unwrap();
    assert_eq!(number, CALLER);
    // The handover's watch items come from the open alerts' texts.
    s.end_shift(&actor(), "王静", None, &tui_fixture::carry_rules())
        .unwrap();
    let items: i64 = s
        .conn()
        .query_row("SELECT COUNT(*) FROM handover_item", [], |r| r.get(0))
        .unwrap();
    assert!(items > 0);
    s.conn()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(s);

    // sqlite3 .dump, line by line.
    let dump = Command::new("sqlite3")
        .arg(&db)
        .arg(".dump")
        .output()
        .unwrap();
    assert!(dump.status.success());
    let dump = String::from_utf8(dump.stdout).unwrap();
    assert!(dump.contains("〔对象#"), "references written");
    assert!(dump.contains("〔来电人#1〕 139****0000"));
    assert!(dump.contains("〔志愿者#"));
    assert!(dump.contains("110***********002X"));
    for digits in [R_PHONE, R_ID, V_PHONE, CALLER, ANY_ID] {
        for form in looks(digits) {
            for line in dump.lines().filter(|l| l.contains(&form)) {
                assert!(
                    own_record(line, digits),
                    "{form:?} is in the dump outside its record:\n{line}"
                );
            }
        }
    }
    // The recipient's name only in their own record.
    for line in dump.lines().filter(|l| l.contains(R_NAME)) {
        assert!(line.starts_with("INSERT INTO recipient VALUES"), "{line}");
    }

    // The raw bytes of the file, WAL checkpointed.
    let bytes = std::fs::read(&db).unwrap();
    let count = |needle: &str| {
        let n = needle.as_bytes();
        bytes.windows(n.len()).filter(|w| *w == n).count()
    };
    for digits in [R_PHONE, V_PHONE, ANY_ID] {
        for form in looks(digits) {
            assert_eq!(count(&form), 0, "{form:?} in the file's bytes");
        }
    }
    // The ID number is in the recipient's row, the caller's number in the
    // callers table: once each (a copy of a page may hold it again).
    for digits in [R_ID, CALLER] {
        assert!(count(digits) <= 2, "{digits} {} times", count(digits));
        for form in looks(digits).into_iter().skip(1) {
            assert_eq!(count(&form), 0, "{form:?} in the file's bytes");
        }
    }

    // What the command line prints and sends.
    let mut outputs = vec![
        ("log list", cli(&db, &["log", "list", "--limit", "100000"])),
        ("handover md", cli(&db, &["handover"])),
        ("handover json", cli(&db, &["handover", "--format", "json"])),
    ];
    for kind in ["recipient", "pass", "volunteer"] {
        let out = Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(["--officer", "李明", "--lang", "zh", "export", kind])
            .output()
            .unwrap();
        outputs.push(("export", String::from_utf8_lossy(&out.stdout).into_owned()));
    }
    for (what, out) in &outputs {
        assert!(!out.is_empty(), "{what} printed nothing");
        for digits in [R_PHONE, R_ID, V_PHONE, CALLER, ANY_ID] {
            for form in looks(digits) {
                assert!(!out.contains(&form), "{what} shows {form:?}");
            }
        }
        assert!(!out.contains(R_NAME), "{what} shows the recipient's name");
    }
    let verify = cli(&db, &["log", "verify"]);
    assert!(!verify.contains("不一致"), "{verify}");
    let log = &outputs[0].1;
    assert!(log.contains("覃*菊〔对象#"), "{log}");
    assert!(log.contains("查看来电人号码"), "the reveal is logged");
}
