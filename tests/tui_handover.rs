//! A handover in a real terminal: the binary runs in a detached tmux
//! session (its own server socket, 120×40). 张伟 goes on duty and hands the
//! shift over to 王静 from the console, answering its question; then the
//! console is started as 王静, who sees the "handover pending" badge, opens
//! the handover view, acknowledges the two carry-over items one by one and
//! sees the badges clear. The database then holds both acknowledgements
//! under her name, and the log's chain verifies.
//!
//! Every wait polls the screen against a deadline; nothing sleeps for a
//! fixed time. Without tmux the test says so and passes (CI installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use supplydesk::config::PostConfig;
use supplydesk::domain::alert::{ItemClass, Severity};
use supplydesk::store::alerts::NewAlert;
use supplydesk::store::places::{NewCommunity, Ref};
use supplydesk::store::{Actor, OpenOptions, Store};

const OUTGOING: &str = "张伟";
const INCOMING: &str = "王静";
const WAIT: Duration = Duration::from_secs(15);
const SESSION: &str = "hand";

/// A tmux server of our own; killed when dropped, whatever happened.
struct Tmux {
    socket: String,
    /// The server's socket file, removed with the server.
    path: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    /// Starts `command` in a detached 120×40 session.
    fn start(&mut self, command: &str) {
        let out = self.cmd(&[
            "new-session",
            "-d",
            "-s",
            SESSION,
            "-x",
            "120",
            "-y",
            "40",
            "-c",
            env!("CARGO_MANIFEST_DIR"),
            "-e",
            "TERM=tmux-256color",
            command,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = self.cmd(&["display-message", "-p", "-t", SESSION, "#{socket_path}"]);
        let path = String::from_utf8_lossy(&path.stdout).trim().to_string();
        if !path.is_empty() {
            self.path = path;
        }
    }

    /// Literal text, typed.
    fn type_text(&self, text: &str) {
        let out = self.cmd(&["send-keys", "-t", SESSION, "-l", "--", text]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Named keys (`Enter`, `Escape`) or single characters.
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let out = self.cmd(&["send-keys", "-t", SESSION, k]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// A command line: `:`, the text, Enter.
    fn command(&self, text: &str) {
        self.keys(&[":"]);
        self.type_text(text);
        self.keys(&["Enter"]);
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", SESSION]).stdout)
            .into_owned()
    }

    /// Polls the screen until it shows `text`; the screen it was seen on.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("waited {WAIT:?} for {text:?}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Polls the screen until `text` is no longer on it; the screen then.
    fn wait_until_gone(&self, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let s = self.screen();
            if !s.contains(text) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("waited {WAIT:?} for {text:?} to go; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Polls until the console has quit and the session is gone.
    fn wait_gone(&self) {
        let deadline = Instant::now() + WAIT;
        while self.cmd(&["has-session", "-t", SESSION]).status.success() {
            assert!(
                Instant::now() < deadline,
                "the console did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
        // The socket file outlives the server.
        if self.path.contains(&self.socket) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn tmux_present() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_supplydesk")
}

/// The posts, two communities and two open alerts: the two items the
/// handover will carry over.
fn setup(path: &Path) {
    let mut s = Store::open(
        path,
        OpenOptions {
            create: true,
            ..Default::default()
        },
    )
    .unwrap();
    let a = Actor {
        officer: "准备数据".into(),
        os_user: "test".into(),
        ssh_client: None,
    };
    let posts: Vec<(String, String)> = supplydesk::config::default_posts()
        .into_iter()
        .map(|PostConfig { name, unit }| (name, unit))
        .collect();
    s.ensure_posts(&a, &posts).unwrap();
    for name in ["螺蛳包社区", "一碗水社区"] {
        s.add_community(
            &a,
            &NewCommunity {
                name: name.into(),
                kind: None,
                resident_pop: 3000,
                floating_pop: 300,
                households: 1000,
                contact: None,
                phone: None,
            },
        )
        .unwrap();
    }
    for (c, item, sev) in [
        ("一碗水社区", ItemClass::Medicine, Severity::Critical),
        ("螺蛳包社区", ItemClass::Vegetables, Severity::High),
    ] {
        s.raise_alert(
            &a,
            &NewAlert {
                community: Ref::Name(c.into()),
                compound: None,
                item,
                severity: sev,
                households: 20,
                source: None,
                text: "测试".into(),
            },
        )
        .unwrap();
    }
}

fn console(db: &Path, officer: &str) -> String {
    format!(
        "{} --db '{}' --officer {officer} --lang en",
        bin(),
        db.display()
    )
}

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(["--lang", "en"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", bin()))
}

#[test]
fn a_handover_acknowledged_item_by_item_in_a_real_terminal() {
    if !tmux_present() {
        eprintln!("tmux is not installed: the real-terminal test is skipped (CI installs tmux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db: PathBuf = dir.path().join("desk.db");
    setup(&db);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut t = Tmux {
        socket: format!("supplydesk-handover-{}-{nanos}", std::process::id()),
        path: String::new(),
    };

    // 张伟 goes on duty and hands over to 王静; the console asks first.
    t.start(&console(&db, OUTGOING));
    t.wait_for("officer 张伟");
    t.command("shift start");
    t.wait_for("shift #1 started, 张伟 on duty");
    t.command(&format!("shift end {OUTGOING}"));
    t.wait_for("cannot be the outgoing one");
    t.command(&format!("shift end {INCOMING}"));
    let q = t.wait_for("Hand shift #1 over to 王静?");
    assert!(q.contains("The cut-off is now and 2"), "{q}");
    t.keys(&["y"]);
    t.wait_for("shift #1 handed over to 王静, 2 carry-over items");
    t.wait_for("HANDOVER PENDING → 王静");
    t.keys(&["q"]);
    t.wait_gone();

    // 王静 starts the console: the badge says the handover waits for her.
    t.start(&console(&db, INCOMING));
    t.wait_for("HANDOVER PENDING");
    t.keys(&["H"]);
    t.wait_for("Carry-over items: 2 · 2 not acknowledged · incoming 王静");
    t.keys(&["a"]);
    t.wait_for("carry-over item 1 of shift #1 acknowledged, 1 left");
    let s = t.wait_until_gone("HANDOVER PENDING");
    assert!(s.contains("1 ITEM NOT ACKNOWLEDGED"), "{s}");
    t.keys(&["j", "Enter"]);
    t.wait_for("carry-over item 2 of shift #1 acknowledged, 0 left");
    let s = t.wait_until_gone("NOT ACKNOWLEDGED");
    assert!(!s.contains("HANDOVER PENDING"), "{s}");
    assert_eq!(s.matches("acknowledged by 王静").count(), 2, "{s}");
    t.keys(&["Escape"]);
    t.wait_until_gone("Carry-over items");
    t.keys(&["q"]);
    t.wait_gone();

    let store = Store::open(
        &db,
        OpenOptions {
            read_only: true,
            ..Default::default()
        },
    )
    .unwrap();
    let shift = store.shift(1).unwrap();
    assert_eq!(shift.officer, OUTGOING);
    assert_eq!(shift.incoming.as_deref(), Some(INCOMING));
    assert_eq!(shift.acknowledged_by.as_deref(), Some(INCOMING));
    let items = store.handover_items(1).unwrap();
    assert_eq!(items.len(), 2);
    for i in &items {
        assert_eq!(i.acknowledged_by.as_deref(), Some(INCOMING), "{i:?}");
        assert!(i.acknowledged_at.is_some());
    }
    assert!(store.handover_status().unwrap().pending.is_none());
    // The acknowledgement started her shift.
    let on_duty = store.current_shift().unwrap().expect("王静 on duty");
    assert_eq!(on_duty.officer, INCOMING);

    let verify = run(&db, &["log", "verify"]);
    assert!(
        verify.status.success(),
        "log verify: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    let list = run(
        &db,
        &[
            "log", "list", "--json", "--kind", "handover", "--limit", "0",
        ],
    );
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    let acks = entries
        .iter()
        .filter(|e| {
            e["officer"] == INCOMING
                && e["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("Carry-over item acknowledged"))
        })
        .count();
    assert_eq!(acks, 2, "{entries:#?}");
}
