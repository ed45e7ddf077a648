//! What the tests that run the real binary share: its path, a scratch
//! database, the small desk the end-to-end tests start from, and a tmux
//! server of the test's own for the console in a real terminal.
//!
//! Waits poll the screen against a deadline rather than sleeping for a
//! fixed time; the deadlines are generous because CI machines are small
//! and busy.
//!
//! The command-line and ledger tests share a [`Desk`] (a scratch directory
//! the binary runs in with a clean environment), ways to look into a
//! store, and in [`ledger`] the files clerks bring.

// Each test binary compiles this module on its own and uses only part of it.
#![allow(dead_code)]

pub mod ledger;
pub mod places;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::rc::Rc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::Row;
use rusqlite::types::{FromSql, Value};
use supplydesk::config::PostConfig;
use supplydesk::store::places::NewCommunity;
use supplydesk::store::{Actor, Clock, OpenOptions, Store};

pub const BIN: &str = env!("CARGO_BIN_EXE_supplydesk");

/// How long a wait on the screen may take unless a pane is told otherwise.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// Between two looks at the screen: short, as some tests time what they see.
const POLL: Duration = Duration::from_millis(20);

/// A scratch directory and the path of a database in it, not yet made;
/// the directory and all in it go when the first is dropped.
pub fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let db = dir.path().join("desk.db");
    (dir, db)
}

/// The shell words that start the console on `db` as `officer`, in English.
pub fn console(db: &Path, officer: &str) -> String {
    format!(
        "'{BIN}' --db '{}' --officer {officer} --lang en",
        db.display()
    )
}

/// `supplydesk --db DB --lang en ARGS…`, run to its end.
pub fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["--lang", "en"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {BIN}: {e}"))
}

/// A shell line that writes its pid to `pid_file` and then becomes
/// `command`, so that the pid is the command's, to be signalled or watched.
pub fn exec_noting_pid(pid_file: &Path, command: &str) -> String {
    format!("echo $$ > '{}'; exec {command}", pid_file.display())
}

/// The pid [`exec_noting_pid`] wrote.
pub fn read_pid(pid_file: &Path) -> u32 {
    std::fs::read_to_string(pid_file)
        .expect("the pid file")
        .trim()
        .parse()
        .expect("a pid")
}

/// The database at `db`, opened read-only to look at what a test did.
pub fn open_read_only(db: &Path) -> Store {
    Store::open(
        db,
        OpenOptions {
            read_only: true,
            ..Default::default()
        },
    )
    .expect("open the database read-only")
}

/// The database at `path`, made if it is not there yet.
pub fn open_store(path: &Path) -> Store {
    Store::open(
        path,
        OpenOptions {
            create: true,
            ..Default::default()
        },
    )
    .expect("open the database")
}

/// An officer of the desk, signed in as the `duty` account.
pub fn officer(name: &str) -> Actor {
    Actor {
        officer: name.into(),
        os_user: "duty".into(),
        ssh_client: None,
    }
}

/// The one number `sql` selects.
pub fn count(store: &Store, sql: &str) -> i64 {
    value(store, sql)
}

/// The first column of the first row `sql` selects.
pub fn value<T: FromSql>(store: &Store, sql: &str) -> T {
    store
        .conn()
        .query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The first row `sql` selects, as a tuple of its columns in order.
pub fn one<T>(store: &Store, sql: &str) -> T
where
    T: for<'r> TryFrom<&'r Row<'r>, Error = rusqlite::Error>,
{
    store
        .conn()
        .query_row(sql, [], |r| T::try_from(r))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Every row `sql` selects, each as a tuple of its columns in order.
pub fn select<T>(store: &Store, sql: &str) -> Vec<T>
where
    T: for<'r> TryFrom<&'r Row<'r>, Error = rusqlite::Error>,
{
    let mut st = store
        .conn()
        .prepare(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    st.query_map([], |r| T::try_from(r))
        .and_then(|rows| rows.collect())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Every row of every table, in rowid order: the content of the file, to
/// compare before and after something that must not write.
pub fn dump(store: &Store) -> String {
    // A contentless FTS5 table cannot be read row by row; its shadow
    // tables, which hold its content, are compared instead.
    let mut tables: Vec<(String,)> = select(
        store,
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
    );
    tables.retain(|(t,)| !t.starts_with("sqlite_"));
    let conn = store.conn();
    let mut out = String::new();
    for (t,) in tables {
        out.push_str(&format!("## {t}\n"));
        let mut st = conn
            .prepare(&format!("SELECT * FROM {t} ORDER BY 1"))
            .unwrap();
        let n = st.column_count();
        let mut q = st.query([]).unwrap();
        while let Some(r) = q.next().unwrap() {
            let row: Vec<Value> = (0..n).map(|i| r.get::<_, Value>(i).unwrap()).collect();
            out.push_str(&format!("{row:?}\n"));
        }
    }
    out
}

/// A scratch directory that is also the working directory and the config
/// home of the binary run on it, so that nothing of the developer's
/// machine leaks in; its database is `desk.db` in it.
pub struct Desk {
    dir: tempfile::TempDir,
    clock: Option<Clock>,
}

impl Desk {
    /// A desk whose stores run on the system clock.
    pub fn new() -> Desk {
        Desk {
            dir: tempfile::tempdir().expect("a scratch directory"),
            clock: None,
        }
    }

    /// A desk whose stores stand still at `now`; the binary still runs on
    /// the system clock.
    pub fn at(now: DateTime<Utc>) -> Desk {
        Desk {
            clock: Some(Clock::Fixed(now)),
            ..Desk::new()
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `name` in the scratch directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("desk.db")
    }

    /// `bytes` written to `name` in the scratch directory; its path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write file");
        p
    }

    /// `rows` of cells written to `name` as Excel's "CSV UTF-8"; its path.
    pub fn csv(&self, name: &str, rows: &[&[&str]]) -> PathBuf {
        self.write(name, &ledger::csv_bom(rows))
    }

    /// The desk's database through the library, made as `init` would.
    pub fn store(&self) -> Store {
        self.store_at(&self.db())
    }

    /// Another database, on the desk's clock.
    pub fn store_at(&self, path: &Path) -> Store {
        let store = open_store(path);
        match self.clock {
            Some(clock) => store.with_clock(clock),
            None => store,
        }
    }

    /// The binary with a clean environment, run in the scratch directory,
    /// with no arguments yet.
    pub fn bare(&self) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::new(BIN);
        c.current_dir(self.dir.path())
            .env_remove("SUPPLYDESK_DB")
            .env_remove("SUPPLYDESK_CONFIG")
            .env_remove("SUPPLYDESK_OFFICER")
            .env_remove("SSH_CONNECTION")
            .env("XDG_CONFIG_HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .env("LC_ALL", "C.UTF-8");
        c
    }

    /// The binary on the desk's database, speaking `lang` (`en`, `zh`).
    pub fn cmd(&self, lang: &str) -> assert_cmd::Command {
        let mut c = self.bare();
        c.arg("--db").arg(self.db()).arg("--lang").arg(lang);
        c
    }
}

/// What `cmd` printed on stdout; it must succeed.
pub fn succeeds(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("stdout is UTF-8")
}

/// What `cmd` printed on stderr; it must exit with `code`.
pub fn fails(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.assert().code(code);
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

/// What a finished run printed on stdout.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What a finished run printed on stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A community of 3000 residents, 300 floating, 1000 households.
pub fn community(name: &str) -> NewCommunity {
    NewCommunity {
        name: name.into(),
        kind: None,
        resident_pop: 3000,
        floating_pop: 300,
        households: 1000,
        contact: None,
        phone: None,
    }
}

/// A new database at `path` with the configured posts and two
/// communities, 螺蛳包社区 and 一碗水社区; the plan not yet activated.
/// The store stays open for the caller's own records, with the officer
/// who prepared it.
pub fn desk_with_two_communities(path: &Path) -> (Store, Actor) {
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
        s.add_community(&a, &community(name)).unwrap();
    }
    (s, a)
}

/// A tmux server of the test's own, its socket and config in a scratch
/// directory, so that tests never share a server. When the last handle to
/// it goes, it is killed, and with it whatever still runs in its panes,
/// also when the test failed.
struct Server {
    socket: String,
    dir: tempfile::TempDir,
}

impl Server {
    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-u").arg("-L").arg(&self.socket);
        // The socket in the scratch directory; UTF-8 whatever the caller's
        // locale; no outer tmux to nest into; no user config for `sh` or
        // the console, and none of the caller's SUPPLYDESK_* settings.
        c.env("TMUX_TMPDIR", self.dir.path())
            .env("LC_ALL", "C.UTF-8")
            .env_remove("TMUX")
            .env_remove("ENV")
            .env_remove("NO_COLOR")
            .env_remove("SUPPLYDESK_DB")
            .env_remove("SUPPLYDESK_OFFICER")
            .env_remove("SUPPLYDESK_CONFIG")
            .env("XDG_CONFIG_HOME", self.dir.path());
        c
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

/// A handle to a [`Server`], to start sessions on it.
pub struct Tmux {
    server: Rc<Server>,
}

impl Tmux {
    /// A server named after `name`; None, with the reason printed, where
    /// tmux is not installed (`.ci/run` installs it).
    pub fn server(name: &str) -> Option<Tmux> {
        let found = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            eprintln!("SKIPPED: tmux is not installed, so the console cannot be run in a terminal");
            return None;
        }
        let dir = tempfile::tempdir().expect("a scratch directory");
        std::fs::write(dir.path().join("tmux.conf"), "set -g status off\n")
            .expect("write tmux.conf");
        let socket = format!("sd-{}-{name}", std::process::id());
        Some(Tmux {
            server: Rc::new(Server { socket, dir }),
        })
    }

    /// The scratch directory, also for the test's own files.
    pub fn dir(&self) -> &Path {
        self.server.dir.path()
    }

    /// A detached session of `size` (columns, rows) running `sh -c line`
    /// in the crate's directory, where the console finds the repository's
    /// config.
    pub fn start(&self, session: &str, size: (u16, u16), line: &str) -> Pane {
        let cwd = Path::new(env!("CARGO_MANIFEST_DIR"));
        self.start_in(session, size, cwd, &["sh", "-c", line])
    }

    /// A detached session of `size` running `command` (a program and its
    /// arguments) in the directory `cwd`.
    pub fn start_in(&self, session: &str, size: (u16, u16), cwd: &Path, command: &[&str]) -> Pane {
        let out = self
            .server
            .cmd()
            .arg("-f")
            .arg(self.dir().join("tmux.conf"))
            .args(["new-session", "-d", "-s", session, "-x"])
            .arg(size.0.to_string())
            .arg("-y")
            .arg(size.1.to_string())
            .arg("-c")
            .arg(cwd)
            .args(["-e", "TERM=tmux-256color"])
            .args(command)
            .output()
            .expect("start tmux");
        assert!(out.status.success(), "tmux new-session: {out:?}");
        Pane {
            server: Rc::clone(&self.server),
            session: session.to_string(),
            patience: PATIENCE,
        }
    }
}

/// One session of a [`Tmux`] server; the server lives while a pane or
/// the handle does.
pub struct Pane {
    server: Rc<Server>,
    session: String,
    patience: Duration,
}

impl Pane {
    /// The same pane, its waits allowed `patience` each.
    pub fn with_patience(mut self, patience: Duration) -> Pane {
        self.patience = patience;
        self
    }

    /// The server's scratch directory.
    pub fn dir(&self) -> &Path {
        self.server.dir.path()
    }

    /// A tmux command on the pane's server, which must succeed.
    pub fn tmux(&self, args: &[&str]) -> Output {
        let out = self.server.cmd().args(args).output().expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// What the pane shows; empty if the session is gone.
    pub fn screen(&self) -> String {
        let out = self
            .server
            .cmd()
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A tmux format (`#{pane_width}`) expanded for the pane.
    pub fn display(&self, format: &str) -> String {
        let out = self.tmux(&["display-message", "-p", "-t", &self.session, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Literal text, typed (no key names; a leading `-` is text too).
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", &self.session, "-l", "--", text]);
    }

    /// A key by tmux name (`Enter`, `Escape`, `Tab`, `C-c`) or a single
    /// character.
    pub fn press(&self, key: &str) {
        self.tmux(&["send-keys", "-t", &self.session, key]);
    }

    /// Keys pressed one after another.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.press(k);
        }
    }

    /// A command line: `:`, the text once the line is open (characters
    /// arriving with the `:` in one burst would be a paste, left for the
    /// officer to confirm), Enter.
    pub fn command(&self, text: &str) {
        self.press(":");
        self.wait_until("the command line", |s| {
            s.lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| l.starts_with(':'))
        });
        self.type_text(text);
        self.enter_once_shown(text);
    }

    /// Enter, once the end of `text` (just typed) shows: an Enter read
    /// with the text in one burst would be part of a paste.
    pub fn enter_once_shown(&self, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        let tail: String = chars[chars.len().saturating_sub(8)..].iter().collect();
        self.wait_until(&format!("{tail:?} typed"), |s| s.contains(tail.trim()));
        self.press("Enter");
    }

    /// Polls the screen until `ok` holds; fails with the last screen.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + self.patience;
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!(
                    "session {}: waited {:?} for {what}; the screen:\n{s}",
                    self.session, self.patience
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Polls the screen until it shows `text`; the screen it was seen on.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Polls the screen until `text` is no longer on it; the screen then.
    pub fn wait_until_gone(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} to go"), |s| !s.contains(text))
    }

    /// Polls until the console has quit and the session is gone.
    pub fn wait_gone(&self) {
        let deadline = Instant::now() + self.patience;
        while self
            .server
            .cmd()
            .args(["has-session", "-t", &self.session])
            .output()
            .expect("run tmux")
            .status
            .success()
        {
            assert!(
                Instant::now() < deadline,
                "the console did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(POLL);
        }
    }
}
