//! A real SSH session: OpenSSH's server on 127.0.0.1 on a free port, with
//! its own config, a throwaway host key, a throwaway user and client keys
//! in a scratch directory; the console run through `ssh -t` inside tmux
//! (for a terminal), then the client killed in the middle of a form. And
//! the lookup-only forced command for checkpoint staff, through the same
//! kind of server.
//!
//! Needs root (a user is created and removed), `/usr/sbin/sshd`, `ssh`,
//! `ssh-keygen` and tmux; `.ci/run` installs openssh-server and tmux.
//! Without them the tests are skipped with the reason printed.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{BIN, Pane, Tmux, exec_noting_pid, open_read_only, read_pid};
use rusqlite::{Connection, TransactionBehavior};
use supplydesk::store::Store;
use supplydesk::store::log::LogFilter;

const SSHD: &str = "/usr/sbin/sshd";
const PATIENCE: Duration = Duration::from_secs(20);

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"))
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().next().map(|u| u == "0"))
        })
        .unwrap_or(false)
}

fn found(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Why this machine cannot run the test, if it cannot.
fn cannot_run() -> Option<String> {
    if !is_root() {
        return Some("not root: a throwaway user cannot be created".into());
    }
    if !Path::new(SSHD).exists() {
        return Some(format!(
            "{SSHD} is missing (apt-get install openssh-server)"
        ));
    }
    for p in ["ssh", "ssh-keygen", "useradd", "userdel", "tmux"] {
        if !found(p) {
            return Some(format!("{p} is not installed"));
        }
    }
    None
}

/// OpenSSH's server for one test, with everything it needs in a scratch
/// directory; the server, the user and the user's processes go on drop.
struct Server {
    dir: tempfile::TempDir,
    user: String,
    uid: u32,
    port: u16,
    sshd: Child,
    db: PathBuf,
}

impl Server {
    fn start(tag: &str) -> Option<Server> {
        if let Some(why) = cannot_run() {
            eprintln!("SKIPPED: {why}");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        set_mode(dir.path(), 0o755);
        let user = format!("sdrel{tag}{}", std::process::id() % 100_000);
        let home = dir.path().join("home");
        let out = run(Command::new("useradd")
            .args(["-M", "-N", "-s", "/bin/sh", "-p", "*", "-d"])
            .arg(&home)
            .arg(&user));
        if !out.status.success() {
            eprintln!("SKIPPED: useradd failed: {}", text(&out.stderr).trim());
            return None;
        }
        let uid: u32 = text(&run(Command::new("id").args(["-u", &user])).stdout)
            .trim()
            .parse()
            .expect("the new user's uid");
        std::fs::create_dir(&home).expect("home");
        chown(&home, &user);
        // A copy of the binary the user can reach, wherever the build is
        // (a checkout under /root is closed to other users).
        let bin = dir.path().join("supplydesk");
        std::fs::copy(BIN, &bin).expect("copy the binary");
        set_mode(&bin, 0o755);

        // The desk's database, in a directory the user owns (it writes
        // the -wal and -shm there), made with the demo data.
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("data dir");
        let db = data.join("desk.db");
        let out = run(Command::new(BIN)
            .args(["--lang", "en", "demo", "--db"])
            .arg(&db));
        assert!(out.status.success(), "demo: {out:?}");
        for p in [&data, &db] {
            chown(p, &user);
        }

        for key in ["host_key", "officer_key", "checkpoint_key"] {
            let out = run(Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", key, "-f"])
                .arg(dir.path().join(key)));
            assert!(out.status.success(), "ssh-keygen: {out:?}");
        }
        let pubkey = |k: &str| {
            std::fs::read_to_string(dir.path().join(format!("{k}.pub")))
                .expect("public key")
                .trim()
                .to_string()
        };
        // The README's line for checkpoint staff, with this test's paths.
        let authorized = format!(
            "{}\ncommand=\"{} --db {} --lang en lookup\",no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding {}\n",
            pubkey("officer_key"),
            bin.display(),
            db.display(),
            pubkey("checkpoint_key"),
        );
        std::fs::write(dir.path().join("authorized_keys"), authorized).expect("authorized_keys");

        let port = free_port();
        let config = format!(
            "Port {port}\n\
             ListenAddress 127.0.0.1\n\
             HostKey {host}\n\
             PidFile {pid}\n\
             AuthorizedKeysFile {dir}/authorized_keys\n\
             StrictModes no\n\
             UsePAM no\n\
             PasswordAuthentication no\n\
             KbdInteractiveAuthentication no\n\
             PubkeyAuthentication yes\n\
             PermitRootLogin no\n\
             AllowUsers {user}\n\
             PrintMotd no\n\
             PrintLastLog no\n\
             LogLevel VERBOSE\n",
            host = dir.path().join("host_key").display(),
            pid = dir.path().join("sshd.pid").display(),
            dir = dir.path().display(),
        );
        let config_path = dir.path().join("sshd_config");
        std::fs::write(&config_path, config).expect("sshd_config");
        // Privilege separation needs this; the package makes it only when
        // its service starts, which a container does not do.
        let _ = std::fs::create_dir_all("/run/sshd");
        let log = std::fs::File::create(dir.path().join("sshd.log")).expect("log");
        let sshd = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start sshd");
        let mut s = Server {
            dir,
            user,
            uid,
            port,
            sshd,
            db,
        };
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = s.sshd.try_wait() {
                eprintln!("SKIPPED: sshd exited ({status}): {}", s.log());
                return None;
            }
            assert!(
                Instant::now() < deadline,
                "sshd did not listen: {}",
                s.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(s)
    }

    /// The binary as the user runs it.
    fn bin(&self) -> PathBuf {
        self.dir.path().join("supplydesk")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    fn key(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `ssh` with this server's options; `key` chooses who connects.
    fn ssh_args(&self, key: &str) -> Vec<String> {
        vec![
            "-F".into(),
            "/dev/null".into(),
            "-i".into(),
            self.key(key).display().to_string(),
            "-p".into(),
            self.port.to_string(),
            "-o".into(),
            "StrictHostKeyChecking=no".into(),
            "-o".into(),
            "UserKnownHostsFile=/dev/null".into(),
            "-o".into(),
            "BatchMode=yes".into(),
            "-o".into(),
            "IdentitiesOnly=yes".into(),
            "-o".into(),
            "LogLevel=ERROR".into(),
            format!("{}@127.0.0.1", self.user),
        ]
    }

    /// The user's running processes named `name` whose command line holds
    /// `marker`, read from /proc.
    fn processes(&self, name: &str, marker: &str) -> Vec<u32> {
        let mut found = Vec::new();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return found;
        };
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let base = e.path();
            let comm = std::fs::read_to_string(base.join("comm")).unwrap_or_default();
            if comm.trim() != name {
                continue;
            }
            let status = std::fs::read_to_string(base.join("status")).unwrap_or_default();
            let uid = status
                .lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().next())
                .and_then(|u| u.parse::<u32>().ok());
            if uid != Some(self.uid) {
                continue;
            }
            let cmdline = std::fs::read(base.join("cmdline")).unwrap_or_default();
            if text(&cmdline).contains(marker) {
                found.push(pid);
            }
        }
        found
    }

    fn store(&self) -> Store {
        open_read_only(&self.db)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.sshd.kill();
        let _ = self.sshd.wait();
        // Whatever the user still runs (by pid, all of them ours).
        for pid in self.processes("supplydesk", "") {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .output();
        }
        let _ = Command::new("userdel").arg(&self.user).output();
    }
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn chown(p: &Path, user: &str) {
    let out = run(Command::new("chown").arg(user).arg(p));
    assert!(out.status.success(), "chown: {out:?}");
}

fn free_port() -> u16 {
    let l = TcpListener::bind(("127.0.0.1", 0)).expect("a free port");
    l.local_addr().expect("addr").port()
}

fn lock_free(db: &Path) -> bool {
    let mut c = Connection::open(db).expect("open");
    c.busy_timeout(Duration::ZERO).expect("timeout");
    c.transaction_with_behavior(TransactionBehavior::Immediate)
        .is_ok()
}

/// A 120×40 session `name` of `tmux` running `ssh -t … COMMAND`; the
/// client's pid is written to the file returned, so that it can be killed
/// like a dropped link.
fn ssh_session(tmux: &Tmux, name: &str, ssh: &[String], remote: &str) -> (Pane, PathBuf) {
    let pid = tmux.dir().join(format!("{name}.pid"));
    let quoted: Vec<String> = ssh.iter().map(|a| format!("'{a}'")).collect();
    let line = exec_noting_pid(&pid, &format!("ssh -t {} '{remote}'", quoted.join(" ")));
    let pane = tmux.start(name, (120, 40), &line).with_patience(PATIENCE);
    (pane, pid)
}

#[test]
fn a_dropped_ssh_link_in_the_middle_of_a_form_leaves_nothing_behind() {
    let Some(server) = Server::start("c") else {
        return;
    };
    let Some(tmux) = Tmux::server("ssh") else {
        return;
    };
    let console = |officer: &str| {
        format!(
            "{} --db {} --officer {officer} --lang en",
            server.bin().display(),
            server.db.display()
        )
    };
    let ssh = server.ssh_args("officer_key");
    let (a, a_pid) = ssh_session(&tmux, "a", &ssh, &console("远程值班甲"));
    let first = |s: &str| s.contains("Shortage alerts") && s.contains("officer");
    a.wait_until("the console over ssh", first);
    let (b, _b_pid) = ssh_session(&tmux, "b", &ssh, &console("远程值班乙"));
    b.wait_until("the second session", first);
    assert_eq!(server.processes("supplydesk", "远程值班甲").len(), 1);

    // A completed action over SSH, recorded with the SSH client address.
    a.command("note 经SSH记事 ssh-note-1");
    a.wait_until("the note saved", |s| s.contains("recorded #"));
    let store = server.store();
    let saved = store
        .log_list(&LogFilter {
            grep: Some("ssh-note-1".into()),
            ..Default::default()
        })
        .expect("list");
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].officer, "远程值班甲");
    assert_eq!(saved[0].os_user, server.user);
    let client = saved[0].ssh_client.clone().unwrap_or_default();
    assert!(
        client.starts_with("127.0.0.1 "),
        "SSH_CONNECTION: {client:?}"
    );
    let head = store.head().expect("head");
    drop(store);

    // Half a form: a new shortage alert, typed but not saved.
    a.press("2");
    a.wait_until("the alerts pane", |s| s.contains("Shortage alerts"));
    a.press("n");
    let form = a.wait_until("the alert form", |s| {
        s.contains("Save") || s.contains("save")
    });
    a.type_text("龙宝村 ssh-half-form");
    a.wait_until("the typed text", |s| s.contains("ssh-half-form"));
    assert!(!form.is_empty());

    // The link drops: the client dies without a word.
    let server_side = server.processes("supplydesk", "远程值班甲");
    assert_eq!(server_side.len(), 1, "the server-side console");
    let killed = Instant::now();
    let out = run(Command::new("kill").args(["-KILL", &read_pid(&a_pid).to_string()]));
    assert!(out.status.success(), "{out:?}");
    let deadline = Instant::now() + PATIENCE;
    while !server.processes("supplydesk", "远程值班甲").is_empty() {
        assert!(
            Instant::now() < deadline,
            "the server-side console is still running {PATIENCE:?} after the link dropped"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let gone = killed.elapsed();

    // Nothing half-written, no lock held.
    assert!(lock_free(&server.db), "a write lock is still held");
    let store = server.store();
    assert_eq!(
        store.head().expect("head"),
        head,
        "the log moved without an action"
    );
    assert!(
        store
            .log_list(&LogFilter {
                grep: Some("ssh-half-form".into()),
                ..Default::default()
            })
            .expect("list")
            .is_empty()
    );
    assert!(store.integrity_check().expect("check").is_empty());
    assert!(store.verify_log().expect("verify").ok());
    drop(store);

    // The other session carries on: it sees the first one's note and saves.
    b.press("5");
    b.wait_until("the first session's note", |s| s.contains("ssh-note-1"));
    b.command("note 第二会话继续 ssh-note-2");
    b.wait_until("the second note saved", |s| s.contains("recorded #"));
    let store = server.store();
    assert_eq!(store.head().expect("head").seq, head.seq + 1);
    assert!(store.verify_log().expect("verify").ok());
    drop(store);
    b.press("q");
    let deadline = Instant::now() + PATIENCE;
    while !server.processes("supplydesk", "远程值班乙").is_empty() {
        assert!(Instant::now() < deadline, "the second console did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!(
        "ssh: console over `ssh -t` (OpenSSH server on 127.0.0.1:{}), client SIGKILLed in a \
         form: the server-side console exited {:.0} ms later, head unchanged at #{}, no lock, \
         the other session saved #{}",
        server.port,
        gone.as_secs_f64() * 1000.0,
        head.seq,
        head.seq + 1
    );
}

#[test]
fn checkpoint_staff_can_check_a_plate_over_ssh_and_nothing_else() {
    let Some(server) = Server::start("l") else {
        return;
    };
    let head = server.store().head().expect("head");
    let plates: Vec<String> = {
        let c = Connection::open(&server.db).expect("open");
        let mut st = c
            .prepare("SELECT plate FROM vehicle ORDER BY id LIMIT 4")
            .expect("prepare");
        st.query_map([], |r| r.get(0))
            .expect("plates")
            .map(|r| r.expect("row"))
            .collect()
    };
    assert!(!plates.is_empty(), "the demo has vehicles");
    let ssh = |args: &[&str]| -> Output {
        let mut c = Command::new("ssh");
        c.args(server.ssh_args("checkpoint_key"))
            .args(args)
            .stdin(Stdio::null());
        run(&mut c)
    };
    let local = |plate: &str| -> Output {
        run(Command::new(BIN)
            .arg("--db")
            .arg(&server.db)
            .args(["--lang", "en", "pass", plate, "--json"]))
    };

    // The verdict, as the local command gives it, typed loosely too.
    for plate in &plates {
        let loose = plate.to_lowercase();
        let remote = ssh(&["pass", &loose, "--json"]);
        let here = local(plate);
        assert_eq!(
            remote.status.code(),
            here.status.code(),
            "{plate}: {remote:?}"
        );
        let r: serde_json::Value = serde_json::from_slice(&remote.stdout).expect("json over ssh");
        let h: serde_json::Value = serde_json::from_slice(&here.stdout).expect("json here");
        assert_eq!(r["plate"], h["plate"]);
        assert_eq!(r["status"], h["status"]);
        assert_eq!(r["lets_through"], h["lets_through"]);
    }
    // Plain text, with spaces in the plate as people type it.
    let p = &plates[0];
    let spaced: String = p.chars().flat_map(|c| [c, ' ']).collect();
    let out = ssh(&["pass", spaced.trim()]);
    assert!(text(&out.stdout).contains(p.as_str()), "{out:?}");

    // Everything else: one sentence, exit 2, nothing run, nothing written.
    let refused: Vec<Vec<&str>> = vec![
        vec!["log", "add", "checkpoint wrote this"],
        vec!["log", "list"],
        vec!["export", "recipients", "--unmasked"],
        vec!["backup", "/tmp/stolen.db"],
        vec!["pass", "--db", "/etc/shadow", "渝F12345"],
        vec!["sh", "-c", "id"],
        vec![],
    ];
    // Shell syntax is never given to a shell: it is part of the "plate",
    // answered as an odd plate (exit 3) or refused (exit 2).
    for args in [["pass 渝F12345; id"], ["pass $(id) `id` | id"]] {
        let out = ssh(&args);
        assert!(
            matches!(out.status.code(), Some(2 | 3)),
            "{args:?}: {out:?}"
        );
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains("uid="), "a shell ran: {all}");
    }
    for args in &refused {
        let out = ssh(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let err = text(&out.stderr);
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{args:?}: {err}");
        assert!(lines[0].starts_with("supplydesk: "), "{args:?}: {err}");
        let all = format!("{}{err}", text(&out.stdout));
        assert!(!all.contains("uid="), "a shell ran: {all}");
    }
    let sample = text(&ssh(&["log", "add", "x"]).stderr);
    assert!(sample.contains("only check vehicle passes"), "{sample}");
    // No terminal for this key (no-pty), so never a console or a shell.
    let mut c = Command::new("ssh");
    c.args(["-tt"])
        .args(server.ssh_args("checkpoint_key"))
        .stdin(Stdio::null());
    let out = run(&mut c);
    assert!(!out.status.success(), "{out:?}");
    assert!(
        text(&out.stderr).contains("PTY allocation request failed"),
        "{out:?}"
    );
    assert!(!text(&out.stdout).contains("Shortage alerts"));

    assert_eq!(server.store().head().expect("head"), head, "a lookup wrote");
    eprintln!(
        "ssh lookup: {} plates answered over the forced command as `supplydesk pass` answers \
         them; {} other requests refused with one sentence, exit 2; log head unchanged",
        plates.len() + 1,
        refused.len() + 1
    );
}
