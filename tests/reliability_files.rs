//! The database's file: a full disk, a read-only file or filesystem, the
//! modes of the file and its `-wal`/`-shm`, and the warning about a
//! database every user of the server can read.
//!
//! A full disk is a small tmpfs mounted for the test (CI runs as root);
//! where mounting is not allowed, a file-size limit (`ulimit -f`) stands in
//! for it. A read-only file is shown to an unprivileged user (`setpriv` to
//! `nobody`), since root may write any file; a read-only filesystem is the
//! same tmpfs remounted read-only. The console's part runs the real binary
//! in tmux. Anything the machine does not allow is skipped with the reason
//! printed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{BIN, PATIENCE, Pane, Tmux, console, exec_noting_pid, open_read_only, temp_db};
use supplydesk::store::log::LogFilter;
use supplydesk::store::{Actor, OpenOptions, Store};

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

/// A tmpfs of `size` mounted in a scratch directory; unmounted on drop.
struct SmallFs {
    dir: tempfile::TempDir,
}

impl SmallFs {
    fn mount(size: &str) -> Option<SmallFs> {
        if !is_root() {
            eprintln!("SKIPPED the tmpfs part: not root, so no filesystem can be mounted");
            return None;
        }
        let dir = tempfile::tempdir().ok()?;
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(dir.path())
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!(
                "SKIPPED the tmpfs part: mount failed here: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        Some(SmallFs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills what is left with a file, until the filesystem says no.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let filler = self.path().join("filler");
        let mut f = std::fs::File::create(&filler).expect("create the filler");
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        // The last partial block, byte by byte rather than leave a gap.
        while f.write_all(&[0u8; 512]).is_ok() {}
        let _ = f.sync_all();
        filler
    }

    fn remount(&self, how: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,{how}")])
            .arg(self.path())
            .output()
            .expect("run mount");
        assert!(out.status.success(), "remount {how}: {out:?}");
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .output();
    }
}

fn cli(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["--lang", "en", "--officer", "王静"])
        .args(args)
        .env_remove("SUPPLYDESK_DB")
        .env_remove("SUPPLYDESK_CONFIG")
        .output()
        .expect("run supplydesk")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// One sentence on stderr, prefixed, no backtrace, no Rust debug output.
fn assert_one_sentence(out: &Output, about: &str) -> String {
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{about}: expected one line, got:\n{err}");
    let l = lines[0];
    assert!(l.starts_with("supplydesk: "), "{about}: {l}");
    for bad in ["panicked", "backtrace", "Error {", "Sqlite", "code:"] {
        assert!(!l.contains(bad), "{about}: {l}");
    }
    l.to_string()
}

fn entries_with(db: &Path, needle: &str) -> usize {
    open_read_only(db)
        .log_list(&LogFilter {
            grep: Some(needle.into()),
            ..Default::default()
        })
        .expect("list")
        .len()
}

fn assert_sound(db: &Path) {
    let s = open_read_only(db);
    assert!(s.integrity_check().expect("check").is_empty(), "integrity");
    let v = s.verify_log().expect("verify");
    assert!(v.ok(), "chain: {:?}", v.first_bad);
}

#[test]
fn a_full_disk_refuses_the_write_in_one_sentence_and_saves_nothing() {
    let Some(fs) = SmallFs::mount("2m") else {
        return file_size_limit_instead();
    };
    let db = fs.path().join("desk.db");
    let out = cli(&db, &["init"]);
    assert!(out.status.success(), "{out:?}");
    let out = cli(&db, &["log", "add", "满盘之前"]);
    assert!(out.status.success(), "{out:?}");
    let before = open_read_only(&db).log_count().expect("count");

    let filler = fs.fill();
    let out = cli(&db, &["log", "add", "磁盘满时的记事 disk-full-note"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let line = assert_one_sentence(&out, "log add on a full disk");
    assert!(line.contains("disk holding the database is full"), "{line}");
    assert!(
        line.contains("nothing was saved") && line.contains("free some space"),
        "{line}"
    );
    assert!(!text(&out.stdout).contains("recorded"), "{out:?}");
    eprintln!("full disk, `log add`: {line}");

    std::fs::remove_file(&filler).expect("free the space");
    assert_eq!(
        entries_with(&db, "disk-full-note"),
        0,
        "a refused note was kept"
    );
    assert_eq!(open_read_only(&db).log_count().expect("count"), before);
    assert_sound(&db);
    let out = cli(&db, &["log", "add", "空间恢复后 disk-freed-note"]);
    assert!(out.status.success(), "after freeing space: {out:?}");
    assert_eq!(entries_with(&db, "disk-freed-note"), 1);
    assert_sound(&db);
}

/// Where no filesystem can be mounted: SQLite meets EFBIG instead of
/// ENOSPC when the WAL would pass the limit, the same "disk full" to it.
fn file_size_limit_instead() {
    let (_dir, db) = temp_db();
    assert!(cli(&db, &["init"]).status.success());
    // Keep the -shm and an empty -wal in place, as a running console does.
    let keep = Store::open(&db, OpenOptions::default()).expect("open");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 1; exec '{BIN}' --db '{}' --lang en --officer 王静 log add limit-note",
            db.display()
        ))
        .output()
        .expect("run sh");
    drop(keep);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let line = assert_one_sentence(&out, "log add past the file-size limit");
    assert!(!text(&out.stdout).contains("recorded"), "{out:?}");
    assert_eq!(entries_with(&db, "limit-note"), 0);
    assert_sound(&db);
    eprintln!("file-size limit, `log add`: {line}");
}

#[test]
fn a_read_only_file_is_refused_in_one_sentence_and_still_read() {
    if !is_root() {
        eprintln!("SKIPPED: not root, so no other user can be tried");
        return;
    }
    let (dir, db) = temp_db();
    assert!(cli(&db, &["demo"]).status.success());
    // Readable by the group `nogroup`, writable by root only: a reader
    // who is not on the duty group's write list.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    // An officer's session leaves the -shm a reader needs.
    let keep = Store::open(&db, OpenOptions::default()).expect("open");
    for suffix in ["", "-wal", "-shm"] {
        let p = companion(&db, suffix);
        let out = Command::new("chown")
            .arg("root:nogroup")
            .arg(&p)
            .output()
            .expect("chown");
        if !out.status.success() {
            eprintln!("SKIPPED: no group nogroup here: {out:?}");
            return;
        }
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    // A copy of the binary the user can reach, wherever the build is.
    let bin = dir.path().join("supplydesk");
    std::fs::copy(BIN, &bin).expect("copy the binary");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let as_nobody = |args: &[&str]| -> Option<Output> {
        let out = Command::new("setpriv")
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(&bin)
            .arg("--db")
            .arg(&db)
            .args(["--lang", "en", "--officer", "王静"])
            .args(args)
            .env("HOME", "/")
            .output()
            .ok()?;
        // The binary itself out of reach (a home directory of 0700).
        if out.status.code() == Some(127) || text(&out.stderr).contains("Permission denied") {
            return None;
        }
        Some(out)
    };
    let Some(out) = as_nobody(&["log", "add", "只读文件上的记事 ro-note"]) else {
        eprintln!("SKIPPED: user nobody cannot run {BIN} here");
        return;
    };
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let line = assert_one_sentence(&out, "log add on a read-only file");
    assert!(line.contains("cannot be written"), "{line}");
    assert!(
        line.contains("--read-only"),
        "does not say what to do: {line}"
    );
    eprintln!("read-only file, `log add` as another user: {line}");
    // Reading still works for that user.
    let out = as_nobody(&["log", "list", "--limit", "3"]).expect("run");
    assert!(out.status.success(), "log list as nobody: {out:?}");
    let out = as_nobody(&["log", "verify"]).expect("run");
    assert!(out.status.success(), "log verify as nobody: {out:?}");
    drop(keep);
    assert_eq!(entries_with(&db, "ro-note"), 0);
}

#[test]
fn a_read_only_filesystem_is_refused_in_one_sentence() {
    let Some(fs) = SmallFs::mount("8m") else {
        return;
    };
    let db = fs.path().join("desk.db");
    assert!(cli(&db, &["init"]).status.success());
    let before = open_read_only(&db).log_count().expect("count");
    fs.remount("ro");
    let out = cli(&db, &["log", "add", "只读文件系统 rofs-note"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let line = assert_one_sentence(&out, "log add on a read-only filesystem");
    assert!(!text(&out.stdout).contains("recorded"));
    eprintln!("read-only filesystem, `log add`: {line}");
    fs.remount("rw");
    assert_eq!(open_read_only(&db).log_count().expect("count"), before);
    assert_eq!(entries_with(&db, "rofs-note"), 0);
}

// ---------------------------------------------------------------------------
// The console on a disk that fills up, and on a filesystem that turns
// read-only, while it runs.

/// The binary in a 120×40 terminal of a tmux server of our own: the
/// console, or with `args` a command whose output stays on the screen to
/// be read. None where tmux is not installed.
fn start_console(name: &str, db: &Path, args: &str) -> Option<Pane> {
    let tmux = Tmux::server(&format!("rel-{name}"))?;
    let run = if args.is_empty() {
        exec_noting_pid(&tmux.dir().join("pid"), &console(db, "王静"))
    } else {
        // The pane stays after the command, to be read.
        format!("{} {args}; sleep 60", console(db, "王静"))
    };
    Some(tmux.start("desk", (120, 40), &run))
}

/// Whether the console started by [`start_console`] still runs.
fn alive(t: &Pane) -> bool {
    let pid = std::fs::read_to_string(t.dir().join("pid")).unwrap_or_default();
    let pid = pid.trim();
    !pid.is_empty() && Path::new(&format!("/proc/{pid}")).exists()
}

/// A typed note is refused with the store's sentence in the footer, the
/// console stays up and answers keys, and nothing reads as saved.
fn refused_then_alive(t: &Pane, note: &str, expect: &str) -> String {
    t.command(&format!("note {note}"));
    let screen = t.wait_until(&format!("the refusal ({expect})"), |s| {
        s.contains(expect) && !s.contains(":note")
    });
    assert!(!screen.contains("recorded #"), "shown as saved:\n{screen}");
    assert!(alive(t), "the console died");
    // Still answering: another pane, and back.
    t.press("5");
    t.wait_until("the duty log pane", |s| s.contains("Duty log"));
    screen
        .lines()
        .find(|l| l.contains(expect))
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn the_console_keeps_running_when_the_disk_fills_or_turns_read_only() {
    let Some(fs) = SmallFs::mount("16m") else {
        return;
    };
    let db = fs.path().join("desk.db");
    let out = cli(&db, &["demo"]);
    assert!(out.status.success(), "{out:?}");
    let Some(t) = start_console("full", &db, "") else {
        return;
    };
    t.wait_until("the first frame", |s| {
        s.contains("王静") && s.contains("Shortage")
    });
    let before = open_read_only(&db).log_count().expect("count");

    // The disk fills up under the running console; a form is being saved.
    let filler = fs.fill();
    t.press("N");
    t.wait_until("the note form", |s| s.contains("Duty-log note"));
    t.type_text("表单里的记事 cfn-2");
    t.wait_until("the typed text", |s| s.contains("cfn-2"));
    t.press("Enter");
    let s = t.wait_until("the refusal", |s| s.contains("is full"));
    assert!(s.contains("cfn-2"), "the form lost its text:\n{s}");
    assert!(!s.contains("recorded #"), "shown as saved:\n{s}");
    assert!(alive(&t), "the console died");
    let full = s
        .lines()
        .find(|l| l.contains("is full"))
        .unwrap_or_default()
        .trim()
        .to_string();
    eprintln!("full disk, console: {full}");
    // Esc leaves the form (it asks first, as the form holds text).
    t.press("Escape");
    t.wait_until("the question", |s| {
        s.contains("Discard what you have typed?")
    });
    t.press("y");
    t.wait_until("the form closed", |s| !s.contains("Duty-log note"));
    std::fs::remove_file(&filler).expect("free the space");

    // Space again: the same console saves.
    t.command("note 恢复后记事 cfn-3");
    t.wait_until("the saved note", |s| s.contains("recorded #"));

    t.press("q");
    let deadline = Instant::now() + PATIENCE;
    while alive(&t) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!alive(&t), "the console did not quit");
    drop(t);
    for (note, n) in [("cfn-2", 0), ("cfn-3", 1)] {
        assert_eq!(entries_with(&db, note), n, "{note}");
    }
    assert_eq!(open_read_only(&db).log_count().expect("count"), before + 1);
    assert_sound(&db);
}

// ---------------------------------------------------------------------------
// Modes.

#[cfg(unix)]
fn mode(p: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

fn companion(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

#[cfg(unix)]
#[test]
fn new_files_get_the_configured_mode_whatever_the_umask() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config_0600 = dir.path().join("private.toml");
    std::fs::write(&config_0600, "file_mode = \"0600\"\n").expect("config");
    let default_config = dir.path().join("default.toml");
    std::fs::write(&default_config, "").expect("config");
    for (config, want) in [(&default_config, 0o660), (&config_0600, 0o600)] {
        for umask in ["000", "022", "077"] {
            let db = dir.path().join(format!("m{want:o}-{umask}.db"));
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "umask {umask}; exec '{BIN}' --config '{}' --db '{}' --lang en init",
                    config.display(),
                    db.display()
                ))
                .output()
                .expect("run init");
            assert!(out.status.success(), "{out:?}");
            assert_eq!(
                mode(&db),
                Some(want),
                "{} under umask {umask}",
                db.display()
            );
            // A session holds it open: -wal and -shm exist, with the same mode.
            let mut s = Store::open(&db, OpenOptions::default()).expect("open");
            let a = Actor {
                officer: "王静".into(),
                os_user: "duty".into(),
                ssh_client: None,
            };
            s.add_entry(&a, supplydesk::domain::log::LogKind::Note, "x", None, None)
                .expect("write");
            for suffix in ["-wal", "-shm"] {
                assert_eq!(
                    mode(&companion(&db, suffix)),
                    Some(want),
                    "{suffix} of {} under umask {umask}",
                    db.display()
                );
            }
            // No warning for a properly private file.
            let out = cli(&db, &["log", "verify"]);
            assert!(text(&out.stderr).is_empty(), "{out:?}");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_world_readable_database_is_warned_about_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, db) = temp_db();
    assert!(cli(&db, &["init"]).status.success());
    assert!(supplydesk::store::file_mode_warning(&db).is_none());
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let w = supplydesk::store::file_mode_warning(&db).expect("a warning for 0644");
    assert!(
        w.en.contains("0644") && w.en.contains("chmod 660"),
        "{}",
        w.en
    );
    assert!(w.zh.contains("chmod 660"), "{}", w.zh);
    // Scripts and pipes are not disturbed: stderr stays empty.
    let out = cli(&db, &["pass", "渝F12345", "--json"]);
    assert!(text(&out.stderr).is_empty(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v.get("lets_through").is_some());
    // A person at a terminal is told, in one sentence, before the answer.
    if let Some(t) = start_console("warn", &db, "log list --limit 1") {
        let s = t.wait_until("the warning", |s| {
            s.contains("every user of this server can read")
        });
        assert!(s.contains("chmod 660"), "{s}");
        eprintln!(
            "world-readable database, at a terminal: {}",
            s.lines()
                .find(|l| l.contains("Warning"))
                .unwrap_or_default()
                .trim()
        );
    }
    // A -shm left world-readable by hand counts too.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).expect("chmod");
    let keep = Store::open(&db, OpenOptions::default()).expect("open");
    std::fs::set_permissions(
        companion(&db, "-shm"),
        std::fs::Permissions::from_mode(0o664),
    )
    .expect("chmod");
    let w = supplydesk::store::file_mode_warning(&db).expect("a warning for the -shm");
    assert!(w.en.contains("-shm"), "{}", w.en);
    drop(keep);
}

/// A filesystem cannot turn read-only under a session that holds the file
/// open for writing (the kernel refuses the remount), so the console is
/// started on a database on a read-only filesystem: it opens read-only with
/// its banner, refuses a note in one sentence, and keeps running.
#[test]
fn the_console_on_a_read_only_filesystem_refuses_and_keeps_running() {
    let Some(fs) = SmallFs::mount("16m") else {
        return;
    };
    let db = fs.path().join("desk.db");
    assert!(cli(&db, &["demo"]).status.success());
    let before = open_read_only(&db).log_count().expect("count");
    fs.remount("ro");
    let Some(t) = start_console("rofs", &db, "") else {
        fs.remount("rw");
        return;
    };
    let first = t.wait_until("the first frame", |s| {
        s.contains("王静") || s.contains("supplydesk:")
    });
    assert!(first.contains("READ-ONLY"), "no read-only banner:\n{first}");
    let line = refused_then_alive(&t, "只读记事 cfn-4", "read-only");
    eprintln!("read-only filesystem, console: {line}");
    t.press("q");
    let deadline = Instant::now() + PATIENCE;
    while alive(&t) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!alive(&t), "the console did not quit");
    drop(t);
    fs.remount("rw");
    assert_eq!(entries_with(&db, "cfn-4"), 0);
    assert_eq!(open_read_only(&db).log_count().expect("count"), before);
}
