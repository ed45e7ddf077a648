//! Issue 21: erasure when the emergency ends, on a copy of the scale-1
//! demo after a scripted shift: the counts reported (dry run first), no
//! recipient phone or ID number left in the file, `log verify` passes,
//! `handover` still runs.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use supplydesk::domain::activation::ActivationAction;
use supplydesk::store::{Actor, OpenOptions, Store};

use common::BIN;

fn run(dir: &Path, db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env("SUPPLYDESK_CONFIG", dir.join("c.toml"))
        .env("NO_COLOR", "1")
        .arg("--db")
        .arg(db)
        .args(["--officer", "李明", "--lang", "en"])
        .args(args)
        .output()
        .expect("run supplydesk")
}

fn ok(dir: &Path, db: &Path, args: &[&str]) -> String {
    let out = run(dir, db, args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "supplydesk {args:?}:\n{text}");
    text
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[test]
fn erasure_on_a_copy_of_the_demo_after_a_shift() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("c.toml"), "[privacy]\nretention_days = 0\n").unwrap();
    let demo = d.join("demo.db");
    ok(d, &demo, &["demo", "--scale", "1"]);
    let db = d.join("copy.db");
    ok(d, &demo, &["backup", db.to_str().unwrap()]);

    // The recipients' numbers, before.
    let s = Store::open(&db, OpenOptions::default()).unwrap();
    let secrets: Vec<String> = {
        let mut st = s
            .conn()
            .prepare("SELECT phone FROM recipient WHERE phone IS NOT NULL UNION ALL SELECT id_number FROM recipient WHERE id_number IS NOT NULL")
            .unwrap();
        st.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(secrets.len() > 500, "{} numbers", secrets.len());
    drop(s);

    // A scripted shift: calls with numbers typed as officers type them.
    ok(d, &db, &["shift", "start"]);
    for text in [
        "覃银菊 18876621326 来电，身份证500101194709110900，要求送药",
        "来电 139 0000 0000 反映缺米，请回电",
        "志愿者来电 １８６８８０９５８９４ 说明天到岗",
    ] {
        ok(d, &db, &["log", "add", "--kind", "call", text]);
    }
    ok(d, &db, &["shift", "end", "--to", "王静"]);

    // Not while the plan is activated.
    let refused = run(d, &db, &["privacy", "erase"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("still activated"));
    let mut s = Store::open(&db, OpenOptions::default()).unwrap();
    s.set_activation(
        &Actor::from_env("李明"),
        ActivationAction::Deactivate,
        "万州区联控指挥部〔2022〕99号",
        None,
    )
    .unwrap();
    let before_counts = s.erasure_counts(s.now()).unwrap();
    drop(s);
    assert!(before_counts.recipients >= 290, "{before_counts:?}");
    assert_eq!(before_counts.callers, 1, "{before_counts:?}");

    // Dry run: counts, nothing changed.
    let dry = ok(d, &db, &["privacy", "erase"]);
    assert!(dry.contains("Dry run"), "{dry}");
    assert!(
        dry.contains(&format!("recipients {}", before_counts.recipients)),
        "{dry}"
    );
    let head_before = ok(d, &db, &["log", "list", "--limit", "1"]);
    // A date later than the retention period allows is refused.
    let late = run(d, &db, &["privacy", "erase", "--before", "2099-01-01"]);
    assert_eq!(late.status.code(), Some(2));

    let applied = ok(d, &db, &["privacy", "erase", "--apply"]);
    assert!(applied.contains("Personal data erased"), "{applied}");
    assert!(
        applied.contains(&format!("callers {}", before_counts.callers)),
        "{applied}"
    );
    assert_ne!(head_before, ok(d, &db, &["log", "list", "--limit", "1"]));

    // Nothing of them in the file, in any form stored.
    for suffix in ["-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let len = std::fs::metadata(std::path::PathBuf::from(p)).map_or(0, |m| m.len());
        assert!(suffix == "-shm" || len == 0, "{suffix} holds {len} bytes");
    }
    let bytes = std::fs::read(&db).unwrap();
    let find = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    let mut left = Vec::new();
    for s in &secrets {
        if find(s) || find(&digits(s)) {
            left.push(s.clone());
        }
    }
    assert!(left.is_empty(), "left in the file: {left:?}");
    assert!(!find("13900000000"), "the caller's number");

    // The log still verifies, the handover and the reports still run.
    let verify = run(d, &db, &["log", "verify"]);
    assert!(verify.status.success(), "{verify:?}");
    let handover = ok(d, &db, &["handover"]);
    assert!(handover.starts_with("Handover, "), "{handover}");
    let handover = ok(d, &db, &["handover", "--format", "md"]);
    assert!(handover.contains("Handover report"), "{handover}");
    ok(d, &db, &["handover", "--format", "json"]);
    ok(d, &db, &["gaps"]);
    ok(d, &db, &["export", "recipient"]);
    let log = ok(d, &db, &["log", "list", "--limit", "20"]);
    assert!(log.contains("Personal data erased"), "{log}");
    assert!(log.contains("覃*菊〔对象#2〕 188****1326"), "{log}");
    // The caller can no longer be revealed.
    let reveal = run(d, &db, &["privacy", "reveal", "1"]);
    assert_eq!(reveal.status.code(), Some(2));
}
