//! Reliability under load, crashes and upgrades, measured on a real SQLite
//! file shared by several processes, as officers' SSH sessions share it.
//!
//! The officers are child processes: this test binary runs itself again
//! with `child_process` and a role in the environment. A child opens the
//! database through the library, as a console session does (one
//! long-lived connection, every change through `Store::change`), so its
//! commit latency is the one an officer waits for. The real binary is used
//! alongside for what users type: `log add`, `log list`, `backup`.
//!
//! Figures are printed with `eprintln!`; see them with
//! `cargo test --test reliability_load -- --nocapture` (RELIABILITY.md).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, TransactionBehavior};

use common::{BIN, community, open_read_only};
use supplydesk::domain::alert::{ItemClass, Severity};
use supplydesk::domain::delivery::{Group, Urgency};
use supplydesk::domain::log::LogKind;
use supplydesk::store::alerts::NewAlert;
use supplydesk::store::deliveries::NewDelivery;
use supplydesk::store::log::LogFilter;
use supplydesk::store::places::{NewRecipient, Ref};
use supplydesk::store::{Actor, OpenOptions, Store, WAL_BOUND};

const ROLE: &str = "SUPPLYDESK_TEST_ROLE";
const DB: &str = "SUPPLYDESK_TEST_DB";
const INDEX: &str = "SUPPLYDESK_TEST_INDEX";
const OPS: &str = "SUPPLYDESK_TEST_OPS";
const STOP: &str = "SUPPLYDESK_TEST_STOP";

/// The tests here measure time or kill processes; on a two-core machine
/// they run one at a time so that each one's figures are its own.
static HEAVY: Mutex<()> = Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------------------
// The child processes.

/// Not a test: the body of the child processes the tests start. Run alone
/// (without the role variable) it does nothing.
#[test]
#[ignore = "the child process of the other tests in this file"]
fn child_process() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let db = PathBuf::from(std::env::var(DB).expect("the database path"));
    match role.as_str() {
        "writer" => writer(&db),
        "reader" => reader(&db),
        other => panic!("unknown role {other}"),
    }
}

fn officer(k: usize) -> String {
    format!("值班员{k}")
}

fn recipient_name(k: usize) -> String {
    format!("测试对象{k}")
}

/// Mixed writes as an officer does them: notes, an alert raised,
/// acknowledged and resolved, a delivery queued and cancelled. Each is one
/// transaction with one log entry; after each commit the entry's number is
/// printed (a line of stdout is flushed at its newline), so a parent that
/// kills us knows what was reported saved. `OPS` = 0: until killed.
fn writer(db: &Path) {
    let k: usize = std::env::var(INDEX).expect("index").parse().expect("index");
    let ops: usize = std::env::var(OPS).expect("ops").parse().expect("ops");
    let mut store = Store::open(
        db,
        OpenOptions {
            mode: Some(0o660),
            ..Default::default()
        },
    )
    .expect("open the database");
    let actor = Actor {
        officer: officer(k),
        os_user: "duty".into(),
        ssh_client: Some(format!("10.0.0.{k} 5000{k} 10.0.0.1 22")),
    };
    let recipient = store
        .conn()
        .query_row(
            "SELECT id FROM recipient WHERE name = ?1",
            [recipient_name(k % 8)],
            |r| r.get::<_, i64>(0),
        )
        .expect("the writer's recipient");
    let (mut alert, mut delivery) = (0i64, 0i64);
    let mut latencies = Vec::with_capacity(ops);
    let mut i = 0usize;
    while ops == 0 || i < ops {
        let started = Instant::now();
        let r = match i % 6 {
            0 => store.add_entry(
                &actor,
                LogKind::Note,
                &format!("第{k}号值班员记事 note {i}: 龙宝村来电询问配送"),
                None,
                None,
            ),
            1 => store
                .raise_alert(
                    &actor,
                    &NewAlert {
                        community: Ref::Name(
                            if i % 4 == 1 {
                                "龙宝村"
                            } else {
                                "一碗水社区"
                            }
                            .into(),
                        ),
                        compound: None,
                        item: ItemClass::Vegetables,
                        severity: Severity::High,
                        households: 10 + i as i64,
                        source: Some("社区电话".into()),
                        text: format!("op {i}"),
                    },
                )
                .map(|(id, seq)| {
                    alert = id;
                    seq
                }),
            2 => store.acknowledge_alert(&actor, alert),
            3 => store.resolve_alert(&actor, alert, "保供单位已补货"),
            4 => store
                .queue_delivery(
                    &actor,
                    &NewDelivery {
                        recipient_id: recipient,
                        items: format!("米 10 斤 op {i}"),
                        urgency: Urgency::Urgent,
                        due_at: store.now() + Span::hours(3),
                    },
                )
                .map(|(id, seq)| {
                    delivery = id;
                    seq
                }),
            _ => store.cancel_delivery(&actor, delivery, "对象已由家属送达"),
        };
        latencies.push(started.elapsed().as_micros());
        match r {
            Ok(seq) => println!("SEQ {seq} {k} {i}"),
            Err(e) => println!("ERR {k} {i} {}", e.message().en),
        }
        i += 1;
    }
    let l: Vec<String> = latencies.iter().map(u128::to_string).collect();
    println!("LAT {}", l.join(","));
}

/// Scans the whole log, again and again, until the stop file appears:
/// every entry read in full, and the chain walked.
fn reader(db: &Path) {
    let stop = PathBuf::from(std::env::var(STOP).expect("stop file"));
    let store = open_read_only(db);
    let mut scans = 0u64;
    while !stop.exists() {
        let r = store
            .log_list(&LogFilter::default())
            .map(|rows| rows.len())
            .and_then(|_| store.verify_log().map(|v| v.ok()));
        match r {
            Ok(true) => scans += 1,
            Ok(false) => println!("ERR chain broken during the scan"),
            Err(e) => println!("ERR {}", e.message().en),
        }
    }
    println!("SCANS {scans}");
}

fn child(role: &str, db: &Path) -> Command {
    let mut c = Command::new(std::env::current_exe().expect("the test binary"));
    c.args([
        "child_process",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env(ROLE, role)
    .env(DB, db)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    c
}

fn spawn_writer(db: &Path, k: usize, ops: usize) -> Child {
    child("writer", db)
        .env(INDEX, k.to_string())
        .env(OPS, ops.to_string())
        .spawn()
        .expect("start a writer")
}

/// What a writer printed.
#[derive(Debug, Default)]
struct Printed {
    seqs: Vec<(i64, usize)>,
    errors: Vec<String>,
    latencies: Vec<u128>,
    scans: u64,
}

fn parse_lines(lines: impl IntoIterator<Item = String>) -> Printed {
    let mut p = Printed::default();
    for l in lines {
        if let Some(rest) = l.strip_prefix("SEQ ") {
            let mut w = rest.split(' ');
            let seq = w.next().and_then(|s| s.parse().ok()).expect("a seq");
            let k = w.next().and_then(|s| s.parse().ok()).expect("an index");
            p.seqs.push((seq, k));
        } else if let Some(rest) = l.strip_prefix("ERR ") {
            p.errors.push(rest.to_string());
        } else if let Some(rest) = l.strip_prefix("SCANS ") {
            p.scans = rest.trim().parse().unwrap_or(0);
        } else if let Some(rest) = l.strip_prefix("LAT ") {
            p.latencies
                .extend(rest.split(',').filter_map(|s| s.parse::<u128>().ok()));
        }
    }
    p
}

fn finish(c: Child) -> Printed {
    let out = c.wait_with_output().expect("wait for a child");
    assert!(out.status.success(), "a child failed: {out:?}");
    parse_lines(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string),
    )
}

// ---------------------------------------------------------------------------
// Helpers for the parent.

/// A fresh database made by the real binary (`init`), with the places and
/// recipients the writers need.
fn desk(dir: &Path) -> PathBuf {
    let db = dir.join("desk.db");
    let out = Command::new(BIN)
        .args(["--lang", "en", "init", "--db"])
        .arg(&db)
        .env_remove("SUPPLYDESK_DB")
        .output()
        .expect("run init");
    assert!(out.status.success(), "init: {out:?}");
    let mut s = Store::open(&db, OpenOptions::default()).expect("open");
    let a = Actor {
        officer: "准备".into(),
        os_user: "duty".into(),
        ssh_client: None,
    };
    for name in ["一碗水社区", "龙宝村"] {
        s.add_community(&a, &community(name)).expect("community");
    }
    for k in 0..8 {
        s.add_recipient(
            &a,
            &NewRecipient {
                name: recipient_name(k),
                phone: Some(format!("1380000{k:04}")),
                id_number: None,
                group: Group::Dialysis,
                condition: None,
                community: Ref::Name("一碗水社区".into()),
                compound_id: None,
                building: Some("3栋".into()),
                unit_no: None,
                room: Some(format!("50{k}")),
                needs: None,
            },
        )
        .expect("recipient");
    }
    db
}

/// A directory made on the way.
trait TapDir {
    fn tap_dir(self) -> Self;
}

impl TapDir for PathBuf {
    fn tap_dir(self) -> Self {
        std::fs::create_dir_all(&self).expect("mkdir");
        self
    }
}

fn wal_of(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn raw(db: &Path) -> Connection {
    let c = Connection::open(db).expect("open with rusqlite");
    c.busy_timeout(Duration::from_secs(5)).expect("timeout");
    c
}

fn integrity(db: &Path) -> Vec<String> {
    let c = raw(db);
    let mut st = c.prepare("PRAGMA integrity_check").expect("prepare");
    st.query_map([], |r| r.get::<_, String>(0))
        .expect("integrity_check")
        .map(|r| r.expect("row"))
        .collect()
}

fn foreign_key_problems(db: &Path) -> usize {
    let c = raw(db);
    let mut st = c.prepare("PRAGMA foreign_key_check").expect("prepare");
    st.query_map([], |_| Ok(())).expect("fk check").count()
}

/// The database is sound: SQLite's own check, the foreign keys, the chain.
fn assert_sound(db: &Path) -> supplydesk::store::log::Verification {
    assert_eq!(integrity(db), vec!["ok".to_string()], "integrity_check");
    assert_eq!(foreign_key_problems(db), 0, "foreign_key_check");
    let v = open_read_only(db).verify_log().expect("verify");
    assert!(v.ok(), "the chain is broken: {:?}", v.first_bad);
    v
}

/// Can another connection take the write lock at once?
fn lock_free(db: &Path) -> bool {
    let mut c = Connection::open(db).expect("open");
    c.busy_timeout(Duration::ZERO).expect("timeout");
    match c.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => {
            drop(tx);
            true
        }
        Err(_) => false,
    }
}

fn percentile(sorted: &[u128], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

fn seed() -> u64 {
    std::env::var("RELIABILITY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
        })
}

// ---------------------------------------------------------------------------
// The tests.

const WRITERS: usize = 8;
const OPS_EACH: usize = 500;

#[test]
fn eight_officers_write_while_the_log_is_scanned() {
    let _g = heavy();
    let dir = tempfile::tempdir().expect("tempdir");

    // One officer alone first: what a commit costs without contention.
    let solo = desk(&dir.path().join("solo").tap_dir());
    let p = finish(spawn_writer(&solo, 0, OPS_EACH));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let mut lat = p.latencies;
    lat.sort_unstable();
    eprintln!(
        "one officer alone: {OPS_EACH} mixed writes, commit latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    );

    let db = desk(dir.path());
    let before = open_read_only(&db).log_count().expect("count");
    let stop = dir.path().join("stop");

    let done = AtomicBool::new(false);
    let wal_max = AtomicU64::new(0);
    let truncations = AtomicU64::new(0);
    let started = Instant::now();
    let (printed, cli) = std::thread::scope(|s| {
        // The WAL's size, sampled while everyone works.
        s.spawn(|| {
            let mut before = 0;
            while !done.load(Ordering::Relaxed) {
                let now = file_len(&wal_of(&db));
                wal_max.fetch_max(now, Ordering::Relaxed);
                if before > WAL_BOUND / 2 && now < 1024 * 1024 {
                    truncations.fetch_add(1, Ordering::Relaxed);
                }
                before = now;
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        // A reader process scanning the whole log, and a user running the
        // real binary's `log list` and `log add` the whole time.
        let reader = child("reader", &db)
            .env(STOP, &stop)
            .spawn()
            .expect("start the reader");
        let user = s.spawn(|| {
            let (mut lists, mut adds, mut failures) = (0, 0, Vec::new());
            while !done.load(Ordering::Relaxed) {
                let out = Command::new(BIN)
                    .arg("--db")
                    .arg(&db)
                    .args(["--lang", "en", "log", "list", "--limit", "0", "--json"])
                    .output()
                    .expect("run log list");
                lists += 1;
                if !out.status.success() || !out.stderr.is_empty() {
                    failures.push(format!("log list: {out:?}"));
                }
                let out = Command::new(BIN)
                    .arg("--db")
                    .arg(&db)
                    .args(["--lang", "en", "--officer", "命令行", "log", "add"])
                    .arg(format!("命令行记事 {adds}"))
                    .output()
                    .expect("run log add");
                adds += 1;
                if !out.status.success()
                    || !String::from_utf8_lossy(&out.stdout).starts_with("recorded #")
                {
                    failures.push(format!("log add: {out:?}"));
                }
            }
            (lists, adds, failures)
        });
        let writers: Vec<Child> = (0..WRITERS)
            .map(|k| spawn_writer(&db, k, OPS_EACH))
            .collect();
        let printed: Vec<Printed> = writers.into_iter().map(finish).collect();
        let elapsed = started.elapsed();
        done.store(true, Ordering::Relaxed);
        let cli = user.join().expect("the user thread");
        std::fs::write(&stop, "").expect("stop the reader");
        let r = finish(reader);
        (printed, (cli, r, elapsed))
    });
    let ((lists, adds, cli_failures), reader, elapsed) = cli;
    let wal_after_writers = file_len(&wal_of(&db));

    // No error reached anyone.
    let errors: Vec<&String> = printed.iter().flat_map(|p| &p.errors).collect();
    assert!(errors.is_empty(), "writers saw errors: {errors:?}");
    assert!(
        reader.errors.is_empty(),
        "the reader saw: {:?}",
        reader.errors
    );
    assert!(cli_failures.is_empty(), "{cli_failures:#?}");

    // Every entry reported is there, once, by the officer who wrote it.
    let store = open_read_only(&db);
    let mut all: Vec<i64> = Vec::new();
    for (k, p) in printed.iter().enumerate() {
        assert_eq!(
            p.seqs.len(),
            OPS_EACH,
            "writer {k} reported {}",
            p.seqs.len()
        );
        let mine = store
            .log_list(&LogFilter {
                officer: Some(officer(k)),
                ..Default::default()
            })
            .expect("list");
        assert_eq!(mine.len(), OPS_EACH, "entries of writer {k}");
        let stored: std::collections::HashSet<i64> = mine.iter().map(|r| r.seq).collect();
        for (seq, _) in &p.seqs {
            assert!(stored.contains(seq), "writer {k}'s #{seq} is missing");
        }
        all.extend(p.seqs.iter().map(|(s, _)| *s));
    }
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), WRITERS * OPS_EACH, "a number was reported twice");
    let after = store.log_count().expect("count");
    assert_eq!(
        after - before,
        (WRITERS * OPS_EACH) as i64 + adds,
        "entries added"
    );
    drop(store);
    let v = assert_sound(&db);

    let mut lat: Vec<u128> = printed.iter().flat_map(|p| p.latencies.clone()).collect();
    lat.sort_unstable();
    let wal_max = wal_max.load(Ordering::Relaxed);
    eprintln!(
        "concurrent officers: {WRITERS} processes x {OPS_EACH} mixed writes = {} entries \
         (+{adds} `log add`, {lists} `log list --limit 0` and {} full scans+verifies by a reader) \
         in {:.1} s = {:.0} commits/s; commit latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
         WAL max {:.2} MiB, after the writers {:.2} MiB; chain ok ({} entries), integrity ok",
        WRITERS * OPS_EACH,
        reader.scans,
        elapsed.as_secs_f64(),
        (WRITERS * OPS_EACH) as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
        mib(wal_max),
        mib(wal_after_writers),
        v.entries,
    );
    // Readers scanning all the time keep SQLite's passive checkpoints from
    // ever starting the WAL over; the store's forced checkpoint past
    // WAL_BOUND must have truncated it, and kept it near the bound.
    let truncations = truncations.load(Ordering::Relaxed);
    eprintln!(
        "WAL bound {:.0} MiB: truncated {truncations} times during the run",
        mib(WAL_BOUND)
    );
    assert!(
        wal_max < 3 * WAL_BOUND,
        "the WAL grew to {:.1} MiB",
        mib(wal_max)
    );
    assert!(
        wal_max <= WAL_BOUND || truncations > 0,
        "the WAL passed {:.0} MiB and was never truncated",
        mib(WAL_BOUND)
    );
}

#[test]
fn sigkill_at_random_moments_loses_nothing_reported() {
    let _g = heavy();
    const KILLS: usize = 120;
    let seed = seed();
    let mut rng = SmallRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = desk(dir.path());
    let mut reported: Vec<(i64, usize)> = Vec::new();
    let started = Instant::now();
    for round in 0..KILLS {
        let k = round % WRITERS;
        let mut c = spawn_writer(&db, k, 0);
        let stdout = c.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let pump = std::thread::spawn(move || {
            for l in BufReader::new(stdout).lines() {
                let Ok(l) = l else { break };
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        // The first commit shows that this writer opened the database
        // (after the previous one's crash) and writes; then a random moment.
        let first = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("writer {round} did not write within 20 s"));
        std::thread::sleep(Duration::from_micros(rng.random_range(0..30_000)));
        c.kill().expect("SIGKILL");
        let status = c.wait().expect("wait");
        assert!(!status.success(), "the writer should have died by the kill");
        pump.join().expect("pump");
        let p = parse_lines(std::iter::once(first).chain(rx.try_iter()));
        assert!(p.errors.is_empty(), "round {round}: {:?}", p.errors);
        reported.extend(p.seqs);
        if round % 20 == 19 {
            assert_eq!(
                integrity(&db),
                vec!["ok".to_string()],
                "after {round} kills"
            );
        }
    }
    let v = assert_sound(&db);
    let store = open_read_only(&db);
    for (seq, k) in &reported {
        let e = store
            .entry(*seq)
            .expect("read")
            .unwrap_or_else(|| panic!("#{seq}, reported saved, is missing"));
        assert_eq!(e.officer, officer(*k), "#{seq} is someone else's");
    }
    let written: i64 = (0..WRITERS)
        .map(|k| {
            store
                .log_list(&LogFilter {
                    officer: Some(officer(k)),
                    ..Default::default()
                })
                .expect("list")
                .len() as i64
        })
        .sum();
    // A lock left by a killed writer would stop everyone.
    assert!(lock_free(&db), "a write lock is still held");
    eprintln!(
        "crashes: {KILLS} SIGKILLs at random moments (seed {seed}) in {:.1} s; {} commits \
         reported, all present; {} committed in all ({} committed but killed before they \
         could say so); integrity ok, foreign keys ok, chain ok ({} entries)",
        started.elapsed().as_secs_f64(),
        reported.len(),
        written,
        written - reported.len() as i64,
        v.entries
    );
    assert!(written >= reported.len() as i64);
}

#[test]
fn backup_while_officers_write() {
    let _g = heavy();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = desk(dir.path());
    let writers: Vec<Child> = (0..4).map(|k| spawn_writer(&db, k, 300)).collect();
    // Let them get going.
    std::thread::sleep(Duration::from_millis(300));
    let mut copies = Vec::new();
    for i in 0..3 {
        let copy = dir.path().join(format!("copy-{i}.db"));
        let started = Instant::now();
        let out = Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(["--lang", "en", "backup"])
            .arg(&copy)
            .output()
            .expect("run backup");
        let took = started.elapsed();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "backup {i}: {out:?}");
        assert!(text.contains("integrity ok, chain ok"), "{text}");
        copies.push((copy, took, text));
        std::thread::sleep(Duration::from_millis(200));
    }
    let printed: Vec<Printed> = writers.into_iter().map(finish).collect();
    for p in &printed {
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }
    let live = open_read_only(&db);
    let live_head = live.head().expect("head");
    for (copy, took, text) in &copies {
        // Checked here again, independently of what the command said.
        let v = assert_sound(copy);
        assert!(v.head_seq <= live_head.seq);
        let same = live.entry(v.head_seq).expect("read").expect("entry");
        assert_eq!(
            same.hash, v.head_hash,
            "the copy is not a prefix of the live log"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(copy).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o660, "the copy's mode");
        }
        eprintln!(
            "backup under load: {} in {:.0} ms, copy head #{} of live #{} -> {}",
            copy.file_name()
                .map(|f| f.to_string_lossy())
                .unwrap_or_default(),
            took.as_secs_f64() * 1000.0,
            v.head_seq,
            live_head.seq,
            text.trim()
        );
    }
    // Over an existing file only with --force; the old copy stays intact.
    let (first, _, _) = &copies[0];
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["--lang", "en", "backup"])
        .arg(first)
        .output()
        .expect("run backup");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_sound(first);
}

// ---------------------------------------------------------------------------
// Schema migration interrupted.

/// The schema as SQLite stores it, without page numbers.
fn schema(c: &Connection) -> Vec<(String, String, Option<String>)> {
    let mut st = c
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .expect("prepare");
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("schema")
        .map(|r| r.expect("row"))
        .collect()
}

fn user_version(c: &Connection) -> i64 {
    c.query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version")
}

/// The migration files, in order: the ones `Store::open` applies.
fn migration_files() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/migrations");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the migrations directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    // In the order the store applies them (numbers are as assigned).
    let place = |p: &PathBuf| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        supplydesk::store::MIGRATION_ORDER
            .iter()
            .position(|m| *m == name)
            .unwrap_or_else(|| panic!("{name} is not in store::MIGRATION_ORDER"))
    };
    names.sort_by_key(place);
    let files: Vec<String> = names
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read a migration"))
        .collect();
    assert_eq!(
        files.len() as i64,
        latest_version(),
        "the migration files are not the migrations the store applies"
    );
    files
}

/// The schema of a new database after the first `n` migrations, from the
/// migration files themselves.
fn reference_schema(n: usize) -> Vec<(String, String, Option<String>)> {
    let files = migration_files();
    let mut c = Connection::open_in_memory().expect("memory");
    let m = rusqlite_migration::Migrations::new(
        files[..n]
            .iter()
            .map(|s| rusqlite_migration::M::up(s))
            .collect(),
    );
    m.to_latest(&mut c).expect("migrate");
    schema(&c)
}

fn latest_version() -> i64 {
    Store::open_in_memory()
        .expect("memory")
        .schema_version()
        .expect("version")
}

/// Names of what differs between two schemas, for a readable failure.
fn schema_diff(
    a: &[(String, String, Option<String>)],
    b: &[(String, String, Option<String>)],
) -> Vec<String> {
    let only = |x: &[(String, String, Option<String>)], y: &[(String, String, Option<String>)]| {
        x.iter()
            .filter(|e| !y.contains(e))
            .map(|(t, n, _)| format!("{t} {n}"))
            .collect::<Vec<_>>()
    };
    let mut d = only(a, b);
    d.extend(only(b, a).into_iter().map(|n| format!("missing {n}")));
    d
}

/// The previous release hashed every entry by rule v1: entries copied
/// without the payload they were hashed with get the hashes that release
/// would have given them.
fn rechain_v1(c: &Connection) {
    use supplydesk::domain::log::{Entry, GENESIS};
    let rows: Vec<Entry> = {
        let mut st = c
            .prepare(
                "SELECT seq, kind, text, officer, os_user, ssh_client, recorded_at, occurred_at, subject, corrects
                 FROM duty_log ORDER BY seq",
            )
            .expect("prepare");
        st.query_map([], |r| {
            let kind: String = r.get(1)?;
            Ok(Entry {
                seq: r.get(0)?,
                kind: <LogKind as supplydesk::domain::Code>::from_code(&kind).expect("a kind"),
                text: r.get(2)?,
                officer: r.get(3)?,
                os_user: r.get(4)?,
                ssh_client: r.get(5)?,
                recorded_at: r.get(6)?,
                occurred_at: r.get(7)?,
                subject: r.get(8)?,
                corrects: r.get(9)?,
                prev_hash: String::new(),
                payload: None,
            })
        })
        .expect("entries")
        .map(|r| r.expect("row"))
        .collect()
    };
    let mut prev = GENESIS.to_string();
    let mut up = c
        .prepare("UPDATE duty_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3")
        .expect("prepare");
    for mut e in rows {
        e.prev_hash = prev.clone();
        let h = e.hash();
        up.execute(rusqlite::params![prev, h, e.seq])
            .expect("rechain");
        prev = h;
    }
}

/// A populated database one schema version behind, as a desk that ran the
/// previous release would have: the previous version's schema made from
/// the migration files, and the demo data (made by the real binary with
/// today's schema) copied into every column the old schema has. Triggers
/// are set aside during the copy (they would refuse rows not written
/// through the store) and put back after.
fn populated_previous(dir: &Path) -> PathBuf {
    let full = dir.join("full.db");
    let out = Command::new(BIN)
        .args(["--lang", "en", "demo", "--db"])
        .arg(&full)
        .output()
        .expect("run demo");
    assert!(out.status.success(), "demo: {out:?}");
    let previous = latest_version() as usize - 1;
    let files = migration_files();
    let old = dir.join("previous.db");
    let mut c = Connection::open(&old).expect("create");
    rusqlite_migration::Migrations::new(
        files[..previous]
            .iter()
            .map(|s| rusqlite_migration::M::up(s))
            .collect(),
    )
    .to_latest(&mut c)
    .expect("the previous schema");
    let triggers: Vec<(String, String)> = {
        let mut st = c
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            .expect("prepare");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("triggers")
            .map(|r| r.expect("row"))
            .collect()
    };
    for (name, _) in &triggers {
        c.execute_batch(&format!("DROP TRIGGER \"{name}\""))
            .expect("set a trigger aside");
    }
    c.execute("ATTACH DATABASE ?1 AS src", [full.to_string_lossy()])
        .expect("attach");
    let columns = |c: &Connection, schema: &str, table: &str| -> Vec<String> {
        let mut st = c
            .prepare(&format!("PRAGMA {schema}.table_xinfo(\"{table}\")"))
            .expect("prepare");
        // hidden 0: a stored column; 2 and 3 are generated.
        st.query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(6)?)))
            .expect("columns")
            .map(|r| r.expect("row"))
            .filter(|(_, hidden)| *hidden == 0)
            .map(|(n, _)| n)
            .collect()
    };
    let tables: Vec<String> = {
        let mut st = c
            .prepare(
                "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .expect("prepare");
        st.query_map([], |r| r.get(0))
            .expect("tables")
            .map(|r| r.expect("row"))
            .collect()
    };
    // A virtual table (the log's search keys) is copied through its
    // shadow tables, emptied first (creating it wrote their first rows).
    let virtual_tables: Vec<String> = {
        let mut st = c
            .prepare("SELECT name FROM main.sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
            .expect("prepare");
        st.query_map([], |r| r.get(0))
            .expect("virtual tables")
            .map(|r| r.expect("row"))
            .collect()
    };
    for t in &tables {
        if virtual_tables.contains(t) {
            continue;
        }
        if virtual_tables
            .iter()
            .any(|v| t.starts_with(&format!("{v}_")))
        {
            c.execute_batch(&format!("DELETE FROM main.\"{t}\""))
                .unwrap_or_else(|e| panic!("empty {t}: {e}"));
        }
        let theirs = columns(&c, "src", t);
        let cols: Vec<String> = columns(&c, "main", t)
            .into_iter()
            .filter(|n| theirs.contains(n))
            .map(|n| format!("\"{n}\""))
            .collect();
        if cols.is_empty() {
            continue;
        }
        let cols = cols.join(", ");
        c.execute_batch(&format!(
            "INSERT INTO main.\"{t}\" ({cols}) SELECT {cols} FROM src.\"{t}\""
        ))
        .unwrap_or_else(|e| panic!("copy {t}: {e}"));
    }
    c.execute_batch("DETACH DATABASE src").expect("detach");
    if !columns(&c, "main", "duty_log")
        .iter()
        .any(|n| n == "payload")
    {
        rechain_v1(&c);
    }
    for (_, sql) in &triggers {
        c.execute_batch(sql).expect("put a trigger back");
    }
    let mode: String = c
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .expect("wal");
    assert_eq!(mode, "wal");
    assert_eq!(user_version(&c), previous as i64);
    let diff = schema_diff(&schema(&c), &reference_schema(previous));
    assert!(diff.is_empty(), "not a true version {previous}: {diff:?}");
    drop(c);
    assert_sound(&old);
    assert!(
        open_read_only(&old).log_count().expect("count") > 1000,
        "populated"
    );
    old
}

fn fresh_copy(old: &Path, dir: &Path, name: &str) -> PathBuf {
    let copy = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let mut p = copy.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    std::fs::copy(old, &copy).expect("copy");
    copy
}

fn start_officer(db: &Path, text: &str) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db")
        .arg(db)
        .args(["--lang", "en", "--officer", "升级后", "log", "add", text])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// After an interrupted start: version and schema agree, the data is
/// sound, and the next start brings it to the latest version.
fn assert_consistent_then_completes(db: &Path, entries_before: i64) -> i64 {
    let c = raw(db);
    let v = user_version(&c);
    let previous = latest_version() - 1;
    assert!(v == previous || v == latest_version(), "user_version {v}");
    let diff = schema_diff(&schema(&c), &reference_schema(v as usize));
    assert!(
        diff.is_empty(),
        "schema and user_version {v} disagree: {diff:?}"
    );
    drop(c);
    assert_sound(db);
    let out = start_officer(db, "下一次启动").output().expect("run");
    assert!(out.status.success(), "the next start: {out:?}");
    let c = raw(db);
    assert_eq!(user_version(&c), latest_version());
    let diff = schema_diff(&schema(&c), &reference_schema(latest_version() as usize));
    assert!(diff.is_empty(), "the completed schema differs: {diff:?}");
    drop(c);
    let v2 = assert_sound(db);
    assert!(v2.entries > entries_before);
    v
}

#[test]
fn a_migration_killed_midway_leaves_the_old_schema_and_completes_next_time() {
    let _g = heavy();
    let dir = tempfile::tempdir().expect("tempdir");
    let old = populated_previous(dir.path());
    let entries = open_read_only(&old).log_count().expect("count");

    // 1. Caught inside the migration's transaction: the moment the
    // starting session holds the write lock (its first write is the
    // migration's first CREATE), it is frozen with SIGSTOP, looked at from
    // outside, and killed.
    let mut caught = None;
    for attempt in 0..40 {
        let db = fresh_copy(&old, dir.path(), "stopped.db");
        let mut probe = Connection::open(&db).expect("probe");
        probe.busy_timeout(Duration::ZERO).expect("timeout");
        let mut child = start_officer(&db, "升级时被中断").spawn().expect("spawn");
        let pid = child.id().to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut holding = false;
        while Instant::now() < deadline {
            match probe.transaction_with_behavior(TransactionBehavior::Immediate) {
                Ok(tx) => drop(tx),
                Err(_) => {
                    let st = Command::new("kill").args(["-STOP", &pid]).status();
                    holding = st.is_ok_and(|s| s.success());
                    break;
                }
            }
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
        }
        if !holding {
            let _ = child.kill();
            let _ = child.wait();
            continue;
        }
        // Frozen: still holding the lock, and nothing of it visible yet.
        let still_locked = probe
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .is_err();
        let seen_version = user_version(&probe);
        let seen_schema = schema(&probe);
        let _ = child.kill();
        let _ = Command::new("kill").args(["-CONT", &pid]).status();
        let _ = child.wait();
        drop(probe);
        if still_locked && seen_version == latest_version() - 1 {
            let diff = schema_diff(&seen_schema, &reference_schema(seen_version as usize));
            assert!(diff.is_empty(), "uncommitted schema was visible: {diff:?}");
            let after = raw(&db);
            assert_eq!(
                user_version(&after),
                latest_version() - 1,
                "the killed migration left a version"
            );
            drop(after);
            assert!(lock_free(&db), "the killed migration left its lock");
            assert_consistent_then_completes(&db, entries);
            caught = Some(attempt + 1);
            break;
        }
    }
    let caught = caught.expect("no attempt caught the start inside its migration");

    // 2. Killed at moments spread over a whole start, on fresh copies.
    let db = fresh_copy(&old, dir.path(), "timing.db");
    let t0 = Instant::now();
    let out = start_officer(&db, "计时").output().expect("run");
    assert!(out.status.success(), "{out:?}");
    let whole = t0.elapsed();
    const KILLS: u32 = 30;
    let mut outcomes = [0u32; 2];
    for i in 0..KILLS {
        let db = fresh_copy(&old, dir.path(), "swept.db");
        // Over twice the length of a start, so that some land after it.
        let at = whole.mul_f64(2.0 * f64::from(i) / f64::from(KILLS));
        let mut child = start_officer(&db, "中途被杀").spawn().expect("spawn");
        std::thread::sleep(at);
        let _ = child.kill();
        let _ = child.wait();
        let v = assert_consistent_then_completes(&db, entries);
        outcomes[usize::from(v == latest_version())] += 1;
    }
    let (old_v, new_v) = (latest_version() - 1, latest_version());
    eprintln!(
        "schema migration: a start frozen inside its migration transaction (attempt {caught}) \
         and killed left user_version {old_v} with the version-{old_v} schema, no lock, and the \
         next start migrated to {new_v}; {KILLS} kills spread over a {:.0} ms start: {} left \
         version {old_v}, {} version {new_v}, all consistent and all completed by the next start",
        whole.as_secs_f64() * 1000.0,
        outcomes[0],
        outcomes[1],
    );
}

#[test]
fn sessions_starting_together_on_an_old_schema_all_start() {
    let _g = heavy();
    let dir = tempfile::tempdir().expect("tempdir");
    let old = populated_previous(dir.path());
    let mut failures = Vec::new();
    for round in 0..5 {
        let db = fresh_copy(&old, dir.path(), "together.db");
        let children: Vec<Child> = (0..4)
            .map(|i| {
                start_officer(&db, &format!("同时启动 {round}-{i}"))
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().expect("wait");
            if !out.status.success() {
                failures.push(String::from_utf8_lossy(&out.stderr).to_string());
            }
        }
        let c = raw(&db);
        assert_eq!(user_version(&c), latest_version());
        drop(c);
        assert_sound(&db);
    }
    assert!(
        failures.is_empty(),
        "sessions failed to start: {failures:#?}"
    );
}
