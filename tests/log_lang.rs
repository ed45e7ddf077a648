//! Issue 13: a duty log that reads in one language. Entries written
//! before schema 7 (no payload, hash rule v1) and after (payload, rule v2)
//! verify together; each reads in the viewer's language.

mod common;

use rusqlite::{Connection, params};
use supplydesk::domain::log::{Entry, GENESIS, LogKind};

use common::{Desk, fails, succeeds};

/// A database as supplydesk 006 left it: the schema of migrations 1–6
/// and entries written with the v1 rule, as that version wrote them.
fn schema_6_with_old_entries(d: &Desk) {
    let c = Connection::open(d.db()).unwrap();
    c.execute_batch("PRAGMA journal_mode = WAL;").unwrap();
    for sql in [
        include_str!("../src/store/migrations/001_schema.sql"),
        include_str!("../src/store/migrations/002_rules.sql"),
        include_str!("../src/store/migrations/003_shifts.sql"),
        include_str!("../src/store/migrations/004_ledgers.sql"),
        include_str!("../src/store/migrations/005_supply.sql"),
        include_str!("../src/store/migrations/006_log_search.sql"),
    ] {
        c.execute_batch(sql).unwrap();
    }
    c.execute_batch("PRAGMA user_version = 6;").unwrap();
    let old = [
        (LogKind::Note, "区指挥部通知：今晚增派两辆保供车", None),
        (
            LogKind::Change,
            "预警已派单 Alert dispatched: #7 一碗水社区 菜 Vegetables → 螺蛳包菜市场, 处理人 handler 王静",
            Some("alert:7"),
        ),
    ];
    let mut prev = GENESIS.to_string();
    for (i, (kind, text, subject)) in old.into_iter().enumerate() {
        let e = Entry {
            seq: i as i64 + 1,
            kind,
            text: text.into(),
            officer: "王静".into(),
            os_user: "duty".into(),
            ssh_client: None,
            recorded_at: format!("2026-11-29T0{i}:00:00.000Z"),
            occurred_at: None,
            subject: subject.map(str::to_string),
            corrects: None,
            prev_hash: prev.clone(),
            payload: None,
        };
        let h = e.hash();
        c.execute(
            "INSERT INTO duty_log (seq, kind, text, officer, os_user, recorded_at, subject, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                e.seq,
                supplydesk::domain::Code::code(kind),
                e.text,
                e.officer,
                e.os_user,
                e.recorded_at,
                e.subject,
                e.prev_hash,
                h
            ],
        )
        .unwrap();
        prev = h;
    }
}

#[test]
fn entries_from_before_and_after_the_payload_verify_together() {
    let d = Desk::new();
    schema_6_with_old_entries(&d);
    // Before the upgrade (verify only reads) and after it (a session
    // that writes upgrades the file), the old entries verify.
    let out = succeeds(d.cmd("en").args(["log", "verify"]));
    assert!(out.contains("2 entries"), "{out}");

    succeeds(d.cmd("en").args([
        "log",
        "add",
        "--officer",
        "王静",
        "--kind",
        "call",
        "--caller",
        "社区书记 李明",
        "--from",
        "一碗水社区",
        "滴水岩小区缺米",
    ]));
    succeeds(d.cmd("en").args([
        "log",
        "add",
        "--officer",
        "王静",
        "--kind",
        "instruction",
        "今晚22点前报送库存",
    ]));
    let out = succeeds(d.cmd("en").args(["log", "verify"]));
    assert!(out.contains("4 entries"), "{out}");

    let s = common::open_read_only(&d.db());
    let versions: Vec<(i64, bool)> = common::select(
        &s,
        "SELECT seq, payload IS NOT NULL FROM duty_log ORDER BY seq",
    );
    assert_eq!(
        versions,
        [(1, false), (2, false), (3, true), (4, true)],
        "old entries keep no payload, new ones carry one"
    );
    drop(s);

    // Each reads in the viewer's language only.
    let en = succeeds(d.cmd("en").args(["log", "list"]));
    let zh = succeeds(d.cmd("zh").args(["log", "list"]));
    assert!(
        en.contains("社区书记 李明 (一碗水社区): 滴水岩小区缺米"),
        "{en}"
    );
    assert!(
        zh.contains("社区书记 李明（一碗水社区）：滴水岩小区缺米"),
        "{zh}"
    );
    assert!(en.contains("Alert dispatched: #7"), "{en}");
    assert!(!en.contains("预警已派单"), "{en}");
    assert!(
        zh.contains("预警已派单 #7：") || zh.contains("预警已派单："),
        "{zh}"
    );
    assert!(!zh.contains("Alert dispatched"), "{zh}");

    // The payload is covered by the hash: changing it breaks the chain at
    // that entry.
    let c = Connection::open(d.db()).unwrap();
    c.execute_batch(
        "DROP TRIGGER duty_log_no_update;
         UPDATE duty_log SET payload = json_set(payload, '$.caller', '别人') WHERE seq = 3;",
    )
    .unwrap();
    drop(c);
    let out = d.cmd("en").args(["log", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = common::stdout(&out);
    assert!(text.starts_with("chain broken at entry #3:"), "{text}");
}

#[test]
fn a_caller_needs_a_call() {
    let d = Desk::new();
    succeeds(d.cmd("en").args(["init"]));
    let out = fails(
        d.cmd("en").args([
            "log",
            "add",
            "--officer",
            "王静",
            "--kind",
            "note",
            "--caller",
            "李明",
            "缺米",
        ]),
        2,
    );
    assert!(out.contains("Only a call has a caller"), "{out}");
}
