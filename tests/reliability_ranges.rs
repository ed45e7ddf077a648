//! Every time, duration, number argument and config value has a range
//! (issue 15): hostile values give exit 0, 2 or 3 with one sentence,
//! never a panic; and a file holding another application's tables is left
//! untouched by every command, `init` included.

mod common;

use std::process::Output;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use common::{Desk, stderr};

/// Values chosen to break parsers and arithmetic.
const HOSTILE: &[&str] = &[
    "-999999999999d",
    "-99999999999h",
    "-9999999999999m",
    "+9999999999d",
    "99999-01-01",
    "0001-01-01 00:00",
    "9999-12-31 23:59",
    "2026-02-30 25:61",
    "1e308",
    "-1e308",
    "1e13",
    "NaN",
    "inf",
    "-0",
    "-1",
    "0",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
    "4294967296",
    "",
    "-",
    "-d",
    "２０２６－１１－２９",
    "\u{202e}12",
];

/// Argument lists with `V` where the value goes.
const SLOTS: &[&[&str]] = &[
    &["log", "add", "--at", "V", "x"],
    &["log", "add", "--corrects", "V", "x"],
    &["log", "list", "--since", "V"],
    &["log", "list", "--until", "V"],
    &["log", "list", "--limit", "V"],
    &["stock", "螺蛳包社区", "粮", "V"],
    &["stock", "螺蛳包社区", "粮", "100", "--supply-in", "V"],
    &["stock", "螺蛳包社区", "粮", "100", "--at", "V"],
    &["norm", "螺蛳包社区", "粮", "V"],
    &["contact", "V"],
    &["contact", "1", "--at", "V"],
    &[
        "cover",
        "--community",
        "螺蛳包社区",
        "--history",
        "粮",
        "--limit",
        "V",
    ],
    &["gaps", "--limit", "V"],
    &["handover", "--shift", "V"],
    &["shift", "ack", "--item", "V"],
    &["shift", "list", "--limit", "V"],
    &["shift", "end", "--to", "李四", "--cutoff", "V"],
    &["pass", "V"],
];

fn desk() -> Desk {
    let desk = Desk::new();
    desk.cmd("en")
        .args(["--officer", "王静", "init"])
        .assert()
        .success();
    desk.cmd("en")
        .args(["--officer", "王静", "log", "add", "开班"])
        .assert()
        .success();
    desk
}

/// A run that ended as the README says: 0, 2 or 3 (1 for a check that
/// fails), and when not 0, one line on stderr naming what was wrong.
fn judged(out: &Output, what: &str) {
    let err = stderr(out);
    let code = out.status.code();
    assert!(matches!(code, Some(0..=3)), "{what}: exit {code:?}\n{err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(!err.contains('\u{1b}'), "{what}: raw colour codes: {err:?}");
    if code == Some(2) {
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{what}: one sentence: {err}");
        assert!(lines[0].starts_with("supplydesk: "), "{what}: {err}");
    }
}

#[test]
fn hostile_arguments_are_refused_in_one_sentence() {
    let desk = desk();
    for slot in SLOTS {
        for v in HOSTILE {
            let args: Vec<&str> = slot
                .iter()
                .map(|a| if *a == "V" { *v } else { *a })
                .collect();
            let out = desk
                .cmd("en")
                .arg("--officer")
                .arg("王静")
                .args(&args)
                .output()
                .unwrap();
            judged(&out, &args.join(" "));
        }
    }
}

#[test]
fn random_times_and_spans_never_panic() {
    let desk = desk();
    let mut rng = SmallRng::seed_from_u64(15);
    for _ in 0..60 {
        let v = match rng.random_range(0..4) {
            0 => format!(
                "-{}{}",
                rng.random::<i64>().unsigned_abs(),
                ["m", "h", "d"][rng.random_range(0..3)]
            ),
            1 => format!(
                "{}-{:02}-{:02} {:02}:{:02}",
                rng.random_range(-300_000..300_000),
                rng.random_range(0..15),
                rng.random_range(0..40),
                rng.random_range(0..30),
                rng.random_range(0..70)
            ),
            2 => format!(
                "{}",
                rng.random::<f64>() * 10f64.powi(rng.random_range(-5..320))
            ),
            _ => format!("{}", rng.random::<i64>()),
        };
        for slot in [
            &["log", "list", "--since", "V"][..],
            &["stock", "螺蛳包社区", "粮", "V"][..],
            &["log", "add", "--at", "V", "x"][..],
        ] {
            let args: Vec<&str> = slot
                .iter()
                .map(|a| if *a == "V" { v.as_str() } else { *a })
                .collect();
            let out = desk
                .cmd("en")
                .arg("--officer")
                .arg("王静")
                .args(&args)
                .output()
                .unwrap();
            judged(&out, &args.join(" "));
        }
    }
}

#[test]
fn config_values_out_of_range_are_refused_naming_the_key() {
    let desk = desk();
    let keys: &[(&str, &str)] = &[
        ("thresholds", "alert_escalate_critical_min"),
        ("thresholds", "alert_escalate_high_min"),
        ("thresholds", "alert_escalate_medium_min"),
        ("thresholds", "alert_escalate_low_min"),
        ("thresholds", "delivery_due_soon_min"),
        ("thresholds", "pass_expiry_warn_hours"),
        ("norms", "grain"),
        ("norms", "protective"),
        ("norms", "cover_threshold_days"),
        ("norms", "stale_report_hours"),
        ("norms", "failed_deliveries_in_a_row"),
        ("norms.contact_hours", "elderly_alone"),
    ];
    for (section, key) in keys {
        for v in [
            "10000000000000",
            "-10000000000000",
            "9223372036854775807",
            "1e13",
            "-1",
        ] {
            let path = desk.write("c.toml", format!("[{section}]\n{key} = {v}\n").as_bytes());
            let out = desk
                .cmd("en")
                .arg("--config")
                .arg(&path)
                .args(["--officer", "王静", "handover"])
                .output()
                .unwrap();
            let what = format!("[{section}] {key} = {v}");
            judged(&out, &what);
            assert_eq!(out.status.code(), Some(2), "{what}");
            let err = stderr(&out);
            assert!(
                err.contains(key) || err.contains("invalid type"),
                "{what}: {err}"
            );
        }
    }
}

#[test]
fn another_applications_database_is_left_untouched() {
    let desk = Desk::new();
    let foreign = desk.path("other.db");
    {
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.execute_batch(
            "CREATE TABLE orders (id INTEGER, item TEXT); INSERT INTO orders VALUES (1, 'rice');",
        )
        .unwrap();
    }
    let before = std::fs::read(&foreign).unwrap();
    desk.write("社区.csv", "社区名称,常住人口\n龙宝村,100\n".as_bytes());
    let runs: &[&[&str]] = &[
        &["init"],
        &["log", "add", "x"],
        &["log", "list"],
        &["import", "communities", "社区.csv"],
        &["import", "communities", "社区.csv", "--dry-run"],
        &["stock", "龙宝村", "粮", "100"],
        &["handover"],
        &["export", "communities"],
        &["backup", "copy.db"],
        &["pass", "渝F12345"],
    ];
    for args in runs {
        let out = desk
            .bare()
            .arg("--db")
            .arg(&foreign)
            .args(["--lang", "en", "--officer", "王静"])
            .args(*args)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("another application's tables (orders)"),
            "{args:?}: {err}"
        );
        assert_eq!(
            std::fs::read(&foreign).unwrap(),
            before,
            "{args:?} changed the file"
        );
        assert!(!desk.path("other.db-wal").exists(), "{args:?}");
    }
}
