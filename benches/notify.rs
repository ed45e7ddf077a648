//! The notify sender against a local webhook (issue 19):
//!
//! 1. lag: `supplydesk notify --follow` running (the release binary), a
//!    writer raising a critical alert every 200 ms; from each commit's
//!    return to the webhook having the message;
//! 2. drain: 10,000 messages queued, then `supplydesk notify` once.
//!
//! cargo build --release && cargo bench --bench notify -- [--bin target/release/supplydesk]
//!     [--count 10000] [--lag-samples 50]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use supplydesk::domain::alert::{ItemClass, Severity};
use supplydesk::store::alerts::NewAlert;
use supplydesk::store::places::{NewCommunity, Ref};
use supplydesk::store::{Actor, OpenOptions, Store};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A webhook that answers at once and notes when each message came.
/// What the webhook got: when, and the message's text.
type Got = Arc<Mutex<Vec<(Instant, String)>>>;

fn server() -> (String, Got) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut conn) = conn else { continue };
            let g = g.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(conn.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut len = 0usize;
                    loop {
                        let mut h = String::new();
                        if r.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        if h.trim().is_empty() {
                            break;
                        }
                        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; len];
                    if r.read_exact(&mut body).is_err() {
                        return;
                    }
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                    let text = v["text"].as_str().unwrap_or("").to_string();
                    g.lock().unwrap().push((Instant::now(), text));
                    let _ = conn.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}",
                    );
                }
            });
        }
    });
    (url, got)
}

fn alert(s: &mut Store, a: &Actor, c: i64, n: i64) -> i64 {
    s.raise_alert(
        a,
        &NewAlert {
            community: Ref::Id(c),
            compound: None,
            item: ItemClass::Grain,
            severity: Severity::Critical,
            households: n,
            source: None,
            text: format!("第 {n} 条"),
        },
    )
    .unwrap()
    .0
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bin = PathBuf::from(arg(&args, "--bin").unwrap_or("target/release/supplydesk".into()));
    let count: i64 = arg(&args, "--count").map_or(10_000, |c| c.parse().unwrap());
    let samples: usize = arg(&args, "--lag-samples").map_or(50, |c| c.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let cfg = dir.path().join("config.toml");
    let (url, got) = server();
    std::fs::write(
        &cfg,
        format!("[[notify.channel]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{url}\"\n"),
    )
    .unwrap();
    let mut s = Store::open(
        &db,
        OpenOptions {
            create: true,
            ..Default::default()
        },
    )
    .unwrap();
    let a = Actor {
        officer: "压测".into(),
        os_user: "bench".into(),
        ssh_client: None,
    };
    let c = s
        .add_community(
            &a,
            &NewCommunity {
                name: "一碗水社区".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .0;

    // 1. Lag with --follow.
    let mut child = Command::new(&bin)
        .arg("--db")
        .arg(&db)
        .arg("--config")
        .arg(&cfg)
        .args(["notify", "--follow"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the release binary (--bin)");
    std::thread::sleep(Duration::from_millis(500));
    let mut lags = Vec::new();
    for n in 1..=samples as i64 {
        let id = alert(&mut s, &a, c, n);
        let committed = Instant::now();
        let want = [format!("#{id}]"), format!("#{id}】")];
        let end = committed + Duration::from_secs(10);
        loop {
            let hit = got
                .lock()
                .unwrap()
                .iter()
                .find(|(_, t)| want.iter().any(|w| t.contains(w.as_str())))
                .map(|(at, _)| *at);
            if let Some(at) = hit {
                lags.push(at.saturating_duration_since(committed).as_secs_f64() * 1000.0);
                break;
            }
            assert!(Instant::now() < end, "message {id} never came");
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    let (p50, p95, max) = (
        pct(&mut lags, 0.5),
        pct(&mut lags, 0.95),
        pct(&mut lags, 1.0),
    );
    println!(
        "commit to webhook with --follow: {} samples, median {p50:.0} ms, p95 {p95:.0} ms, max {max:.0} ms",
        lags.len()
    );

    // 2. Drain `count` queued messages.
    got.lock().unwrap().clear();
    for n in 0..count {
        alert(&mut s, &a, c, n);
    }
    let t = Instant::now();
    let out = Command::new(&bin)
        .arg("--db")
        .arg(&db)
        .arg("--config")
        .arg(&cfg)
        .arg("notify")
        .output()
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert!(out.status.success(), "{out:?}");
    let n = got.lock().unwrap().len();
    assert_eq!(n as i64, count, "every message once");
    println!(
        "drained {n} queued messages in {secs:.2} s ({:.0} messages/s)",
        n as f64 / secs
    );
}
