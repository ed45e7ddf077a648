//! The store's rules, against a real SQLite file.

use super::*;
use crate::domain::activation::ActivationAction;
use crate::store::log::LogFilter;
use chrono::TimeZone;

fn actor() -> Actor {
    Actor {
        officer: "王静".into(),
        os_user: "duty".into(),
        ssh_client: Some("10.0.0.5 51234 10.0.0.1 22".into()),
    }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(
        &dir.path().join("t.db"),
        OpenOptions {
            create: true,
            ..Default::default()
        },
    )
    .unwrap();
    let s = s.with_clock(Clock::Fixed(
        Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap(),
    ));
    (dir, s)
}

fn count(s: &Store, table: &str) -> i64 {
    s.conn()
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn pragmas_are_set() {
    let (_d, s) = temp_store();
    let mode: String = s
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let fk: i64 = s
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    let sync: i64 = s
        .conn()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!((mode.as_str(), fk, sync), ("wal", 1, 2));
    assert_eq!(
        s.schema_version().unwrap(),
        super::MIGRATION_ORDER.len() as i64
    );
    assert_eq!(super::MIGRATION_ORDER.len(), 10);
}

#[test]
fn a_change_writes_its_log_entry_in_the_same_transaction() {
    let (_d, mut s) = temp_store();
    let seq = s
        .set_activation(
            &actor(),
            ActivationAction::Activate,
            "联控指挥部〔2022〕60号",
            None,
        )
        .unwrap();
    assert_eq!(seq, 1);
    let e = s.entry(1).unwrap().unwrap();
    assert_eq!(e.officer, "王静");
    assert_eq!(e.os_user, "duty");
    assert_eq!(e.ssh_client.as_deref(), Some("10.0.0.5 51234 10.0.0.1 22"));
    assert_eq!(e.subject.as_deref(), Some("activation:1"));
    assert!(e.text.contains("联控指挥部〔2022〕60号"));
    let log_seq: i64 = s
        .conn()
        .query_row("SELECT log_seq FROM activation", [], |r| r.get(0))
        .unwrap();
    assert_eq!(log_seq, 1);
}

#[test]
fn a_raw_change_without_a_log_entry_is_refused_by_the_database() {
    let (_d, mut s) = temp_store();
    s.set_activation(&actor(), ActivationAction::Activate, "令1", None)
        .unwrap();
    // Pointing at an existing entry is not enough: it must be a new one.
    let err = s
        .conn()
        .execute(
            "INSERT INTO activation (state, directive, recorded_at, recorded_by, log_seq)
             VALUES ('normal', 'x', '2026-11-29T00:00:00.000Z', 'x', 1)",
            [],
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("every change needs its duty-log entry"),
        "{err}"
    );
    let err = s
        .conn()
        .execute("UPDATE activation SET directive = 'y'", [])
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("every change needs its duty-log entry"),
        "{err}"
    );
    assert!(s.conn().execute("DELETE FROM activation", []).is_err());
    assert_eq!(count(&s, "activation"), 1);
}

#[test]
fn a_change_that_fails_writes_nothing() {
    let (_d, mut s) = temp_store();
    let before = s.head().unwrap();
    let r: Result<((), i64)> = s.change(&actor(), |w| {
        w.log(LogDraft::free(LogKind::Note, "will be rolled back"))?;
        Err(StoreError::Refused(msg!("不行", "no")))
    });
    assert!(matches!(r, Err(StoreError::Refused(_))));
    assert_eq!(s.head().unwrap(), before);
    assert_eq!(count(&s, "duty_log"), 0);
    // A constraint violation after the log line also takes the log line back.
    let r = s.change(&actor(), |w| {
        let seq = w.log(LogDraft::change("post:1", "bad post"))?;
        w.conn().execute(
            "INSERT INTO post (name, unit, manned, log_seq) VALUES ('x', 'y', 7, ?1)",
            [seq],
        )?;
        Ok(())
    });
    assert!(r.is_err());
    assert_eq!(count(&s, "duty_log"), 0);
    assert_eq!(count(&s, "post"), 0);
}

#[test]
fn a_change_that_writes_no_log_line_is_not_committed() {
    let (_d, mut s) = temp_store();
    let r = s.change(&actor(), |_w| Ok(()));
    assert!(r.is_err());
    assert_eq!(count(&s, "duty_log"), 0);
}

#[test]
fn the_log_is_append_only() {
    let (_d, mut s) = temp_store();
    s.add_entry(&actor(), LogKind::Note, "一", None, None)
        .unwrap();
    let e = s
        .conn()
        .execute("UPDATE duty_log SET text = 'x'", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"));
    let e = s.conn().execute("DELETE FROM duty_log", []).unwrap_err();
    assert!(e.to_string().contains("append-only"));
}

#[test]
fn a_read_only_store_refuses_changes() {
    let (d, mut s) = temp_store();
    s.add_entry(&actor(), LogKind::Note, "一", None, None)
        .unwrap();
    drop(s);
    let mut ro = Store::open(
        &d.path().join("t.db"),
        OpenOptions {
            read_only: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(matches!(
        ro.add_entry(&actor(), LogKind::Note, "二", None, None),
        Err(StoreError::ReadOnly)
    ));
    assert_eq!(ro.log_count().unwrap(), 1);
}

#[test]
fn a_missing_file_is_not_created_unless_asked() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("nope.db");
    assert!(matches!(
        Store::open(&p, OpenOptions::default()),
        Err(StoreError::Missing(_))
    ));
    assert!(!p.exists());
}

#[test]
fn a_file_that_is_not_a_database_is_named() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("junk.db");
    std::fs::write(
        &p,
        b"this is not sqlite at all, just some text that is long enough",
    )
    .unwrap();
    let e = Store::open(&p, OpenOptions::default()).err().unwrap();
    assert!(matches!(e, StoreError::NotADatabase(..)), "{e:?}");
}

#[test]
fn a_database_from_a_newer_version_is_refused_in_one_sentence() {
    let (d, s) = temp_store();
    s.conn().execute_batch("PRAGMA user_version = 99").unwrap();
    drop(s);
    let p = d.path().join("t.db");
    let e = Store::open(&p, OpenOptions::default()).err().unwrap();
    assert!(matches!(e, StoreError::TooNew(_)), "{e:?}");
    let m = e.message();
    assert!(m.en.contains("newer supplydesk"), "{}", m.en);
    assert!(m.zh.contains("更新版本"), "{}", m.zh);
}

#[test]
fn an_upgrade_of_an_existing_file_is_announced_before_it_runs() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static TOLD: AtomicUsize = AtomicUsize::new(0);
    fn tell(steps: usize) {
        TOLD.store(steps, Ordering::SeqCst);
    }
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("old.db");
    {
        let mut c = rusqlite::Connection::open(&p).unwrap();
        c.execute_batch("PRAGMA journal_mode = WAL").unwrap();
        super::migrations().to_version(&mut c, 4).unwrap();
    }
    let opts = OpenOptions {
        on_upgrade: Some(tell),
        ..Default::default()
    };
    let s = Store::open(&p, opts).unwrap();
    let latest = super::migrations()
        .pending_migrations(&rusqlite::Connection::open_in_memory().unwrap())
        .unwrap();
    assert_eq!(TOLD.load(Ordering::SeqCst), latest as usize - 4);
    drop(s);
    // Already current: nothing to say.
    TOLD.store(0, Ordering::SeqCst);
    Store::open(&p, opts).unwrap();
    assert_eq!(TOLD.load(Ordering::SeqCst), 0);
}

#[test]
fn a_failed_schema_upgrade_gives_the_reason_not_the_sql() {
    // Version 1 claimed (with its duty log, so not another application's
    // file), but a table the next migration creates is already there: the
    // upgrade fails inside its transaction.
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("half.db");
    {
        let c = rusqlite::Connection::open(&p).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA user_version = 1;
             CREATE TABLE duty_log (x); CREATE TABLE community (x);",
        )
        .unwrap();
    }
    let e = Store::open(&p, OpenOptions::default()).err().unwrap();
    let m = e.message().en;
    assert!(matches!(e, StoreError::NotADatabase(..)), "{e:?}");
    assert!(m.contains("schema upgrade failed"), "{m}");
    assert!(!m.contains("CREATE") && !m.contains('\n'), "{m}");
    assert!(m.len() < 300, "{m}");
}

#[test]
fn activation_needs_a_directive_and_follows_the_table() {
    let (_d, mut s) = temp_store();
    let e = s
        .set_activation(&actor(), ActivationAction::Activate, "  ", None)
        .unwrap_err();
    assert!(e.message().en.contains("directive reference is missing"));
    let e = s
        .set_activation(&actor(), ActivationAction::Deactivate, "令", None)
        .unwrap_err();
    assert!(e.message().en.contains("nothing to deactivate"));
    s.set_activation(&actor(), ActivationAction::Activate, "令1", None)
        .unwrap();
    let e = s
        .set_activation(&actor(), ActivationAction::Activate, "令2", None)
        .unwrap_err();
    assert!(e.message().en.contains("already activated"));
    s.set_activation(&actor(), ActivationAction::Deactivate, "令3", None)
        .unwrap();
    let h = s.activation_history().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].directive, "令3");
    assert_eq!(count(&s, "duty_log"), 2);
}

#[test]
fn the_chain_verifies_and_names_the_first_bad_entry() {
    let (_d, mut s) = temp_store();
    for i in 0..5 {
        s.add_entry(&actor(), LogKind::Note, &format!("第{i}条"), None, None)
            .unwrap();
    }
    let v = s.verify_log().unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!((v.entries, v.head_seq), (5, 5));
    s.conn()
        .execute_batch("DROP TRIGGER duty_log_no_update")
        .unwrap();
    s.conn()
        .execute("UPDATE duty_log SET text = '改过' WHERE seq = 3", [])
        .unwrap();
    let v = s.verify_log().unwrap();
    assert_eq!(v.first_bad.as_ref().map(|b| b.0), Some(3), "{v:?}");
}

fn add_plates(s: &mut Store, plates: &[&str]) {
    s.change(&actor(), |w| {
        for p in plates {
            let id = w.next_id("vehicle")?;
            let seq = w.log(LogDraft::change(
                format!("vehicle:{id}"),
                format!("车辆登记 {p}"),
            ))?;
            w.conn().execute(
                "INSERT INTO vehicle (id, plate, log_seq) VALUES (?1, ?2, ?3)",
                rusqlite::params![id, p, seq],
            )?;
        }
        Ok(())
    })
    .unwrap();
}

#[test]
fn near_plates_are_found_for_every_kind_of_slip() {
    let (_d, mut s) = temp_store();
    add_plates(
        &mut s,
        &["渝F12345", "渝F67890", "渝AD12345", "川F12345", "渝G55555"],
    );
    let near = |p: &str| s.near_plates(p).unwrap();
    assert_eq!(
        near("F12345"),
        ["渝F12345", "川F12345"],
        "province left out"
    );
    assert!(
        near("鄂F12345").contains(&"渝F12345".to_string()),
        "wrong province"
    );
    assert_eq!(near("渝E12345"), ["渝F12345"], "letter mistyped");
    assert_eq!(near("渝F02345"), ["渝F12345"], "first serial character");
    assert_eq!(near("渝F12335"), ["渝F12345"], "a later character");
    assert_eq!(near("渝F12354"), ["渝F12345"], "two neighbours swapped");
    assert!(near("渝X99999").is_empty());
    assert!(
        !near("渝F12345").contains(&"渝F12345".to_string()),
        "never the plate itself"
    );
}

#[test]
fn near_plate_probes_use_indexes() {
    let (_d, s) = temp_store();
    let plan = |sql: &str, arg: &str| -> String {
        let mut st = s
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows: Vec<String> = st
            .query_map([arg], |r| r.get::<_, String>(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        rows.join("; ")
    };
    for (sql, arg, index) in [
        (
            "SELECT plate FROM vehicle WHERE substr(plate, 2) = ?1",
            "F12345",
            "vehicle_plate_tail",
        ),
        (
            "SELECT plate FROM vehicle WHERE substr(plate, 3) = ?1",
            "12345",
            "vehicle_plate_tail2",
        ),
        (
            "SELECT plate FROM vehicle WHERE substr(plate, 4) = ?1",
            "2345",
            "vehicle_plate_tail3",
        ),
        (
            "SELECT plate FROM vehicle WHERE plate GLOB ?1",
            "渝F12?45",
            "sqlite_autoindex_vehicle_1",
        ),
    ] {
        let p = plan(sql, arg);
        assert!(
            p.contains(index) && !p.starts_with("SCAN vehicle;"),
            "{sql}: {p}"
        );
    }
}

#[test]
fn log_text_search_finds_one_two_and_more_characters_and_nothing_else() {
    let (_d, mut s) = temp_store();
    for t in [
        "滴水岩小区3栋反映蔬菜短缺",
        "血透患者张*华已送达",
        "渝F12345 通行证到期",
        "菜市场恢复营业",
    ] {
        s.add_entry(&actor(), LogKind::Note, t, None, None).unwrap();
    }
    let find = |q: &str| -> Vec<i64> {
        s.log_list(&LogFilter {
            grep: Some(q.into()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| r.seq)
        .collect()
    };
    assert_eq!(find("菜"), [4, 1]);
    assert_eq!(find("蔬菜"), [1]);
    assert_eq!(find("血透"), [2]);
    assert_eq!(find("蔬菜短缺"), [1]);
    assert_eq!(find("菜蔬"), Vec::<i64>::new(), "pairs in the wrong order");
    assert_eq!(find("F123"), [3]);
    assert_eq!(
        find("f123"),
        Vec::<i64>::new(),
        "the substring match is exact"
    );
    assert_eq!(find("张*华"), [2], "punctuation in the query still works");
    assert_eq!(find("鲸"), Vec::<i64>::new());
    assert_eq!(find("\""), Vec::<i64>::new());
}

#[test]
fn the_search_keys_of_an_existing_log_are_built_by_the_migration() {
    let (d, mut s) = temp_store();
    s.add_entry(&actor(), LogKind::Note, "蔬菜到货", None, None)
        .unwrap();
    let p = d.path().join("t.db");
    drop(s);
    // Roll the database back to before the keys existed, then reopen.
    let c = rusqlite::Connection::open(&p).unwrap();
    // (And the outbox's tables and the log's payload, which come after.)
    // (The handover items' sections, from 010, are rebuilt again from the
    // table as it stands, which needs nothing undone.)
    c.execute_batch(
        "DROP TABLE duty_log_keys; DROP TABLE outbox; DROP TABLE outbox_fired;
         DROP TABLE outbox_channel; ALTER TABLE duty_log DROP COLUMN payload;
         PRAGMA user_version = 5;",
    )
    .unwrap();
    drop(c);
    let s = Store::open(&p, OpenOptions::default()).unwrap();
    let rows = s
        .log_list(&LogFilter {
            grep: Some("蔬菜".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(rows.len(), 1);
}

#[test]
fn recipients_print_masked_even_in_debug_output() {
    use crate::domain::delivery::Group;
    let raw = crate::store::deliveries::RecipientData {
        id: 1,
        name: "张建华".into(),
        phone: Some("13812345678".into()),
        id_number: Some("500101195003151234".into()),
        group: Group::Dialysis,
        condition: Some("尿毒症".into()),
        community: "一碗水社区".into(),
        compound: None,
        building: None,
        unit_no: None,
        room: None,
        needs: None,
    };
    let new = crate::store::places::NewRecipient {
        name: raw.name.clone(),
        phone: raw.phone.clone(),
        id_number: raw.id_number.clone(),
        group: Group::Dialysis,
        condition: raw.condition.clone(),
        community: crate::store::places::Ref::Id(1),
        compound_id: None,
        building: None,
        unit_no: None,
        room: None,
        needs: None,
    };
    for shown in [format!("{raw:?}"), format!("{new:?}"), format!("{raw:#?}")] {
        for secret in ["张建华", "13812345678", "500101195003151234", "尿毒症"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("张*华") && shown.contains("138****5678"),
            "{shown}"
        );
    }
}
