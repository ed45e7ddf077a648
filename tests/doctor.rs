//! `supplydesk doctor`, `backup --rotate`, `man` and `completions` on real
//! files through the binary: a healthy desk passes, and each thing a
//! deployment gets wrong fails with the sentence that says what to do.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{Desk, stdout, succeeds};
use rusqlite::Connection;

/// A desk laid out as the package lays it out: a setgid data directory
/// shared with the group, a backup directory, a config naming both.
struct Site {
    desk: Desk,
}

impl Site {
    fn new() -> Site {
        let desk = Desk::new();
        for d in ["data", "backups"] {
            let p = desk.path(d);
            std::fs::create_dir(&p).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o2770)).unwrap();
        }
        let config = format!(
            "database = \"{}\"\nfile_mode = \"0660\"\n[backup]\ndir = \"{}\"\n",
            desk.path("data/supplydesk.db").display(),
            desk.path("backups").display()
        );
        desk.write("config.toml", config.as_bytes());
        let s = Site { desk };
        succeeds(s.cmd("en").arg("init"));
        succeeds(
            s.cmd("en")
                .args(["--officer", "王静", "log", "add", "值班开始"]),
        );
        s
    }

    fn db(&self) -> PathBuf {
        self.desk.path("data/supplydesk.db")
    }

    fn backups(&self) -> PathBuf {
        self.desk.path("backups")
    }

    fn cmd(&self, lang: &str) -> assert_cmd::Command {
        let mut c = self.desk.bare();
        c.arg("--config")
            .arg(self.desk.path("config.toml"))
            .args(["--lang", lang]);
        c
    }

    /// `doctor`'s exit code and output.
    fn doctor(&self, lang: &str) -> (i32, String) {
        let out = self.cmd(lang).arg("doctor").output().unwrap();
        (out.status.code().unwrap(), stdout(&out))
    }

    fn rotate(&self) -> String {
        succeeds(self.cmd("en").args(["backup", "--rotate"]))
    }
}

/// The one line of `report` starting with `status` that contains `text`.
fn line_with<'a>(report: &'a str, status: &str, text: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.starts_with(status) && l.contains(text))
        .unwrap_or_else(|| panic!("no {status} line with {text:?} in:\n{report}"))
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_healthy_desk_passes_in_both_languages_and_as_json() {
    let s = Site::new();
    let out = s.rotate();
    assert!(out.contains("integrity ok, chain ok"), "{out}");
    assert!(out.contains(".head; 1 copies kept"), "{out}");
    let (code, text) = s.doctor("en");
    assert_eq!(code, 0, "{text}");
    for name in [
        "config file",
        "database",
        "schema version",
        "mode 0660",
        "directory",
        "WAL mode",
        "MiB free",
        "newest backup",
        "duty log chain ok: all 2 entries",
    ] {
        line_with(&text, "OK ", name);
    }
    line_with(&text, "SKIP", "district");
    line_with(&text, "SKIP", "notify channel");
    line_with(&text, "OK ", "Ambiguous-width characters");
    assert_eq!(
        text.lines().count(),
        13,
        "twelve checks and a summary:\n{text}"
    );
    assert!(
        text.ends_with("12 checks, none failed (0 warnings).\n"),
        "{text}"
    );

    let (code, zh) = s.doctor("zh");
    assert_eq!(code, 0, "{zh}");
    line_with(&zh, "正常", "结构版本");
    line_with(&zh, "正常", "值守日志链完整");

    let out = s.cmd("en").args(["doctor", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    let checks = v["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 12);
    assert_eq!(checks[0]["check"], "config");
    assert_eq!(checks[0]["status"], "ok");
    assert!(checks[8]["zh"].as_str().unwrap().contains("值守日志链"));
}

#[test]
fn a_world_readable_database_fails() {
    let s = Site::new();
    s.rotate();
    chmod(&s.db(), 0o664);
    let (code, text) = s.doctor("en");
    assert_eq!(code, 1, "{text}");
    let l = line_with(&text, "FAIL", "has mode 0664");
    assert!(l.contains("every user of this server can read"), "{l}");
    assert!(l.contains("chmod o-rwx"), "{l}");
    let (_, zh) = s.doctor("zh");
    line_with(&zh, "失败", "本机所有用户都能读取");
}

#[test]
fn a_missing_or_old_backup_fails() {
    let s = Site::new();
    let (code, text) = s.doctor("en");
    assert_eq!(code, 1, "{text}");
    line_with(&text, "FAIL", "No backup in");
    line_with(
        &text,
        "FAIL",
        "systemctl enable --now supplydesk-backup.timer",
    );

    // A copy three hours old (renamed as if taken then) is too old.
    s.rotate();
    let copy = supplydesk::backups::list(&s.backups()).unwrap().remove(0);
    let old = copy.taken_at - chrono::Duration::hours(3);
    let to = s.backups().join(supplydesk::backups::file_name(old));
    std::fs::rename(&copy.path, &to).unwrap();
    std::fs::rename(
        supplydesk::backups::head_path(&copy.path),
        supplydesk::backups::head_path(&to),
    )
    .unwrap();
    let (code, text) = s.doctor("en");
    assert_eq!(code, 1, "{text}");
    line_with(&text, "FAIL", "is 3 h old, more than max_age_hours = 2");

    // A copy without its head file, and one that does not match it.
    s.rotate();
    let newest = supplydesk::backups::list(&s.backups()).unwrap().remove(0);
    let head = supplydesk::backups::head_path(&newest.path);
    let saved = std::fs::read(&head).unwrap();
    std::fs::remove_file(&head).unwrap();
    let (_, text) = s.doctor("en");
    line_with(&text, "FAIL", "has no readable head file");
    std::fs::write(&head, &saved).unwrap();
    std::fs::copy(&to, &newest.path).unwrap();
    succeeds(
        s.cmd("en")
            .args(["--officer", "王静", "log", "add", "later"]),
    );
    let (_, text) = s.doctor("en");
    line_with(&text, "OK ", "newest backup");
    s.rotate();
    let newest = supplydesk::backups::list(&s.backups()).unwrap().remove(0);
    std::fs::copy(&to, &newest.path).unwrap();
    let (code, text) = s.doctor("en");
    assert_eq!(code, 1, "{text}");
    line_with(&text, "FAIL", "no longer matches its head file");
    // A copy cut short.
    s.rotate();
    let newest = supplydesk::backups::list(&s.backups()).unwrap().remove(0);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&newest.path)
        .unwrap();
    f.set_len(4096).unwrap();
    let (_, text) = s.doctor("en");
    let l = line_with(&text, "FAIL", "no longer matches its head file");
    assert!(l.contains("it has 4096 bytes"), "{l}");
}

#[test]
fn a_file_in_the_wrong_group_fails() {
    // Changing a file's group to one the user is not in needs root (CI).
    let s = Site::new();
    s.rotate();
    let Some(other) = [1u32, 2, 3]
        .into_iter()
        .find(|g| std::os::unix::fs::chown(s.db(), None, Some(*g)).is_ok())
    else {
        eprintln!("skipped: cannot chgrp here (not root)");
        return;
    };
    use std::os::unix::fs::MetadataExt;
    let dir_gid = std::fs::metadata(s.db().parent().unwrap()).unwrap().gid();
    assert_ne!(
        dir_gid, other,
        "the test needs a group other than the directory's"
    );
    let (code, text) = s.doctor("en");
    assert_eq!(code, 1, "{text}");
    let l = line_with(&text, "FAIL", "(its directory's group)");
    assert!(l.contains("run chgrp"), "{l}");
}

#[test]
fn a_broken_chain_fails_naming_the_entry() {
    let s = Site::new();
    s.rotate();
    let c = Connection::open(s.db()).unwrap();
    c.execute_batch(
        "DROP TRIGGER duty_log_no_update;
         UPDATE duty_log SET text = '值班开始（改）' WHERE seq = 2;",
    )
    .unwrap();
    drop(c);
    let (code, text) = s.doctor("en");
    assert_eq!(code, 1, "{text}");
    let l = line_with(&text, "FAIL", "chain is broken at entry 2");
    assert!(l.contains("changed outside supplydesk"), "{l}");
    let (_, zh) = s.doctor("zh");
    line_with(&zh, "失败", "值守日志链在第 2 条断开");
}

#[test]
fn an_old_schema_a_bad_config_and_a_wrong_directory_fail() {
    let s = Site::new();
    s.rotate();
    let c = Connection::open(s.db()).unwrap();
    c.execute_batch("PRAGMA user_version = 5").unwrap();
    drop(c);
    let (code, text) = s.doctor("en");
    assert_eq!(code, 1, "{text}");
    let l = line_with(&text, "FAIL", "schema version 5, this supplydesk needs");
    assert!(l.contains("does not migrate"), "{l}");

    chmod(s.db().parent().unwrap(), 0o755);
    let (_, text) = s.doctor("en");
    line_with(&text, "FAIL", "run chmod 2770");

    s.desk.write(
        "config.toml",
        format!("database = \"{}\"\ncolour = 1\n", s.db().display()).as_bytes(),
    );
    let (code, text) = s.doctor("en");
    assert_eq!(code, 1, "{text}");
    line_with(&text, "FAIL", "is invalid");
    // The other checks still run, on the database named by --db.
    let out = s
        .cmd("en")
        .arg("--db")
        .arg(s.db())
        .arg("doctor")
        .output()
        .unwrap();
    line_with(&stdout(&out), "FAIL", "schema version 5");
}

#[test]
fn rotation_keeps_what_the_rule_says_and_nothing_else_is_touched() {
    let s = Site::new();
    s.desk.write(
        "config.toml",
        format!(
            "database = \"{}\"\n[backup]\ndir = \"{}\"\nkeep_hourly = 2\nkeep_daily = 1\n",
            s.db().display(),
            s.backups().display()
        )
        .as_bytes(),
    );
    // Copies of earlier hours and days, and a file of the administrator's.
    let now = chrono::Utc::now();
    for h in [1, 2, 3, 30, 60] {
        let name = supplydesk::backups::file_name(now - chrono::Duration::hours(h));
        std::fs::write(s.backups().join(&name), b"").unwrap();
        std::fs::write(s.backups().join(format!("{name}.head")), b"{}").unwrap();
    }
    std::fs::write(s.backups().join("before-upgrade.db"), b"keep").unwrap();
    let out = s.rotate();
    assert!(out.contains("2 copies kept"), "{out}");
    assert!(out.contains("4 removed"), "{out}");
    let mut left: Vec<String> = std::fs::read_dir(s.backups())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left.len(), 5, "{left:?}");
    assert!(left.contains(&"before-upgrade.db".to_string()));
    let newest = supplydesk::backups::list(&s.backups()).unwrap();
    let head =
        supplydesk::backups::HeadFile::read(&supplydesk::backups::head_path(&newest[0].path))
            .unwrap();
    assert!(
        head.ok() && head.head_seq == 2 && head.entries == 2,
        "{head:?}"
    );
    assert_eq!(
        std::fs::metadata(&newest[0].path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o660
    );

    // Without a directory configured: one sentence, exit 2.
    let out = s
        .desk
        .bare()
        .args(["--db"])
        .arg(s.db())
        .args(["--lang", "en", "backup", "--rotate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("No backup directory"));
}

#[test]
fn the_man_page_and_completions_come_from_the_command_line() {
    let d = Desk::new();
    let man = succeeds(d.bare().arg("man"));
    assert!(man.starts_with(".ie \\n(.g .ds Aq"), "{}", &man[..80]);
    assert!(man.contains(".TH supplydesk 1"), "roff title");
    for cmd in ["doctor", "backup", "handover", "lookup"] {
        assert!(man.contains(cmd), "{cmd} in the man page");
    }
    assert!(!man.contains("completions"), "hidden commands stay hidden");
    // A page per command, as the main page's SUBCOMMANDS name them.
    succeeds(d.bare().args(["man", "--dir"]).arg(d.dir()));
    for page in [
        "supplydesk.1",
        "supplydesk-doctor.1",
        "supplydesk-log-verify.1",
    ] {
        let text = std::fs::read_to_string(d.path(page)).unwrap();
        assert!(text.contains(".TH supplydesk"), "{page}");
    }
    assert!(!d.path("supplydesk-completions.1").exists());
    assert!(!d.path("supplydesk-help.1").exists());
    let bash = succeeds(d.bare().args(["completions", "bash"]));
    assert!(bash.contains("complete -F _supplydesk"), "bash");
    assert!(bash.contains("doctor"));
    let zsh = succeeds(d.bare().args(["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef supplydesk"), "zsh");
    let fish = succeeds(d.bare().args(["completions", "fish"]));
    assert!(fish.contains("complete -c supplydesk"), "fish");
}
