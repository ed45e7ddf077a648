//! `supplydesk doctor`: one command that checks a deployment and says, line
//! by line, OK or what to fix. Every check reads; none changes the
//! database, its files or the backups.
//!
//! The checks, in order: the config, the database (reachable, readable and
//! writable by this user), the schema version, the modes and group of the
//! database's files and of its directory, WAL mode on a local file system,
//! free disk space against the database's size, the newest scheduled
//! backup (its age, its checks, its head file), the duty log's chain, the
//! district link.

mod files;
pub mod sys;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::backups::{self, HeadFile};
use crate::config::{Config, Loaded};
use crate::i18n::Lang;
use crate::msg;
use crate::msg::Msg;
use crate::store::log::{Verification, verify, verify_after};
use crate::store::{OpenOptions, Store};

/// How one check came out. `Warn` is worth a look but does not fail the
/// run; `Skip` does not apply (or cannot be done after an earlier failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
    Skip,
}

impl Status {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Status::Ok => lang.t("正常", "OK"),
            Status::Warn => lang.t("注意", "WARN"),
            Status::Fail => lang.t("失败", "FAIL"),
            Status::Skip => lang.t("跳过", "SKIP"),
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// A stable name for monitoring: `config`, `database`, `schema`,
    /// `files`, `directory`, `journal`, `disk`, `backup`, `chain`,
    /// `district`.
    pub name: &'static str,
    pub status: Status,
    pub msg: Msg,
}

impl Check {
    fn new(name: &'static str, status: Status, msg: Msg) -> Check {
        Check { name, status, msg }
    }
}

/// Every check's outcome, in order.
#[derive(Debug, Clone)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    /// All is well: no check failed.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Fail)
    }

    pub fn get(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// The closing line: how many checks, how many failed.
    pub fn summary(&self) -> Msg {
        let n = self.checks.len();
        let count = |s| self.checks.iter().filter(|c| c.status == s).count();
        let (fail, warn) = (count(Status::Fail), count(Status::Warn));
        if fail == 0 {
            msg!(
                "共 {n} 项检查，无失败（注意 {warn} 项）。",
                "{n} checks, none failed ({warn} warnings)."
            )
        } else {
            msg!(
                "共 {n} 项检查，{fail} 项失败：请按上面各行处理后重新运行 supplydesk doctor。",
                "{n} checks, {fail} failed: fix what the lines above say, then run supplydesk doctor again."
            )
        }
    }

    /// For monitoring: `{"ok": …, "checks": [{"check", "status", "message", "zh", "en"}]}`.
    pub fn to_json(&self, lang: Lang) -> serde_json::Value {
        let checks: Vec<_> = self
            .checks
            .iter()
            .map(|c| {
                serde_json::json!({
                    "check": c.name,
                    "status": c.status,
                    "message": c.msg.get(lang),
                    "zh": c.msg.zh,
                    "en": c.msg.en,
                })
            })
            .collect();
        serde_json::json!({ "ok": self.ok(), "checks": checks })
    }
}

/// What the checks are given.
pub struct Input {
    /// The outcome of [`Config::load`].
    pub config: Result<Loaded, Msg>,
    /// The database path, as the other commands resolve it.
    pub db: PathBuf,
    pub now: DateTime<Utc>,
    /// Logs of up to this many entries are verified whole; a longer one
    /// from the newest backup's verified head on.
    pub full_verify_max: i64,
}

/// Logs up to this size are verified whole by `doctor`: 1.6 s of CPU for
/// 1.36 million entries (BENCHMARKS.md), so at most about 0.6 s here.
pub const FULL_VERIFY_MAX: i64 = 500_000;

/// Runs every check.
pub fn run(input: Input) -> Report {
    let mut checks = Vec::new();
    let config = match &input.config {
        Ok(l) => {
            checks.push(config_check(l));
            l.config.clone()
        }
        Err(m) => {
            checks.push(Check::new("config", Status::Fail, m.clone()));
            Config::default()
        }
    };
    let db = &input.db;
    let store = database_check(db, &config, &mut checks);
    match &store {
        Some(s) => checks.push(schema_check(s)),
        None => checks.push(skipped("schema")),
    }
    checks.extend(files::file_checks(db, &config));
    checks.push(files::journal_check(db));
    checks.push(files::disk_check(db, config.backup.dir.as_deref()));
    let newest = newest_backup(&config, input.now);
    checks.push(newest.check.clone());
    match &store {
        Some(s) => checks.push(chain_check(s, newest.head.as_ref(), input.full_verify_max)),
        None => checks.push(skipped("chain")),
    }
    checks.push(Check::new(
        "district",
        Status::Skip,
        msg!(
            "未配置区级连接，不检查。",
            "No district link is configured; nothing to check."
        ),
    ));
    checks.push(notify_check(store.as_ref(), &config, input.now));
    checks.push(terminal_check(&config));
    Report { checks }
}

/// The glyph set the console uses for ambiguous-width characters (issue
/// 22): what the config and the environment say; `auto` is decided by the
/// terminal at each start.
fn terminal_check(config: &Config) -> Check {
    use crate::config::{Ambiguous, AmbiguousFallback};
    let env = std::env::var("SUPPLYDESK_AMBIGUOUS").ok();
    let fallback = match config.theme.ambiguous_fallback {
        AmbiguousFallback::Narrow => "narrow",
        AmbiguousFallback::Wide => "wide",
    };
    let set = match (env.as_deref(), config.theme.ambiguous) {
        (Some(e), _) => format!("SUPPLYDESK_AMBIGUOUS={e}"),
        (None, Ambiguous::Auto) => format!("auto (fallback {fallback})"),
        (None, Ambiguous::Narrow) => "narrow".to_string(),
        (None, Ambiguous::Wide) => "wide".to_string(),
    };
    Check::new(
        "terminal",
        Status::Ok,
        msg!(
            "歧义宽度字符：{set}（auto 表示控制台每次启动时询问终端；--ambiguous 可覆盖）。",
            "Ambiguous-width characters: {set} (auto: the console asks the terminal at each start; --ambiguous overrides)."
        ),
    )
}

/// Messages to the work groups (issue 19): a channel failing, or messages
/// waiting over an hour (no sender running).
fn notify_check(store: Option<&Store>, config: &Config, now: DateTime<Utc>) -> Check {
    let n = config.notify.channels.len();
    if n == 0 {
        return Check::new(
            "notify",
            Status::Skip,
            msg!(
                "未配置通知频道，不检查。",
                "No notify channel is configured; nothing to check."
            ),
        );
    }
    let Some(store) = store else {
        return skipped("notify");
    };
    let failed_in_a_row = config.norms.failed_deliveries_in_a_row;
    let b = match crate::notify::sender::backlog(store, &config.notify, failed_in_a_row) {
        Ok(b) => b,
        Err(e) => return Check::new("notify", Status::Fail, e.message()),
    };
    if let Some(ch) = b.failing.first() {
        return Check::new(
            "notify",
            Status::Fail,
            msg!(
                "通知频道 “{ch}” 发送失败；运行 supplydesk notify status 查看答复。",
                "The notify channel \"{ch}\" is failing; run supplydesk notify status for its answer."
            ),
        );
    }
    let w = b.waiting;
    if b.oldest
        .is_some_and(|t| now - t > chrono::Duration::hours(1))
    {
        return Check::new(
            "notify",
            Status::Warn,
            msg!(
                "{w} 条通知等待超过 1 小时：通知服务（supplydesk notify --follow）是否在运行？",
                "{w} messages have waited over an hour: is the sender (supplydesk notify --follow) running?"
            ),
        );
    }
    Check::new(
        "notify",
        Status::Ok,
        msg!(
            "{n} 个通知频道，待发 {w} 条。",
            "{n} notify channels, {w} messages waiting."
        ),
    )
}

fn skipped(name: &'static str) -> Check {
    Check::new(
        name,
        Status::Skip,
        msg!(
            "数据库打不开，无法检查。",
            "Not checked: the database cannot be opened."
        ),
    )
}

fn config_check(l: &Loaded) -> Check {
    match &l.path {
        Some(p) => {
            let p = p.display();
            Check::new(
                "config",
                Status::Ok,
                msg!("配置文件 {p} 有效。", "config file {p} is valid"),
            )
        }
        None => Check::new(
            "config",
            Status::Fail,
            msg!(
                "没有找到配置文件（依次查找 --config、$SUPPLYDESK_CONFIG、./config/supplydesk.toml、~/.config/supplydesk/config.toml、/etc/supplydesk/config.toml），正在使用默认值；请安装 /etc/supplydesk/config.toml。",
                "No config file found (looked at --config, $SUPPLYDESK_CONFIG, ./config/supplydesk.toml, ~/.config/supplydesk/config.toml, /etc/supplydesk/config.toml), so the defaults are in use; install /etc/supplydesk/config.toml."
            ),
        ),
    }
}

/// Opens the database read-only (as a lookup would); a new `-shm` gets the
/// configured mode.
fn database_check(db: &Path, config: &Config, checks: &mut Vec<Check>) -> Option<Store> {
    let opened = Store::open(
        db,
        OpenOptions {
            read_only: true,
            mode: Some(config.mode()),
            ..Default::default()
        },
    );
    let store = match opened {
        Ok(s) => s,
        Err(e) => {
            checks.push(Check::new("database", Status::Fail, e.message()));
            return None;
        }
    };
    let (p, user) = (db.display(), sys::user_name());
    // Reading the schema proves the file is readable, not just present.
    if let Err(e) = store.schema_version() {
        checks.push(Check::new("database", Status::Fail, e.message()));
        return None;
    }
    let dir = parent(db);
    if sys::can_read_write(db) && sys::can_read_write(&dir) {
        checks.push(Check::new(
            "database",
            Status::Ok,
            msg!(
                "数据库 {p} 可打开，用户 {user} 可读写。",
                "database {p} opens; user {user} can read and write it"
            ),
        ));
    } else {
        checks.push(Check::new(
            "database",
            Status::Fail,
            msg!(
                "数据库 {p} 可读，但用户 {user} 不能写入它或它所在的目录；值班员账号须属于该目录的组（如 duty）：usermod -aG duty 用户名，再重新登录。",
                "database {p} can be read, but user {user} cannot write it or its directory; officers' accounts must be in the directory's group (e.g. duty): usermod -aG duty NAME, then log in again."
            ),
        ));
    }
    Some(store)
}

fn schema_check(store: &Store) -> Check {
    let have = store.schema_version().unwrap_or(0);
    let want = match crate::store::latest_schema_version() {
        Ok(v) => v,
        Err(e) => return Check::new("schema", Status::Fail, e.message()),
    };
    if have == want {
        Check::new(
            "schema",
            Status::Ok,
            msg!(
                "结构版本 {have}，为最新。",
                "schema version {have} is current"
            ),
        )
    } else if have < want {
        Check::new(
            "schema",
            Status::Fail,
            msg!(
                "结构版本 {have}，本程序需要 {want}：升级软件包不会自动迁移数据库。请在值班空闲时先备份（systemctl start supplydesk-backup.service），再以 duty 组成员身份运行一次 supplydesk init。",
                "schema version {have}, this supplydesk needs {want}: upgrading the package does not migrate the database. While the desk is quiet, take a backup (systemctl start supplydesk-backup.service), then run supplydesk init once as a member of duty."
            ),
        )
    } else {
        Check::new(
            "schema",
            Status::Fail,
            msg!(
                "结构版本 {have} 比本程序所知的 {want} 新：数据库由更新版本的 supplydesk 写入；请安装相同或更新的版本。",
                "schema version {have} is newer than this supplydesk's {want}: a newer supplydesk wrote it; install the same or a newer version."
            ),
        )
    }
}

/// The newest scheduled backup: its check line, and its head when the
/// head file is sound (the chain check starts from it on a long log).
struct Newest {
    check: Check,
    head: Option<HeadFile>,
}

fn newest_backup(config: &Config, now: DateTime<Utc>) -> Newest {
    let fail = |m: Msg| Newest {
        check: Check::new("backup", Status::Fail, m),
        head: None,
    };
    let Some(dir) = &config.backup.dir else {
        return fail(msg!(
            "配置中没有 [backup] dir，没有定时备份；请设置 dir = \"/var/backups/supplydesk\" 并启用 systemctl enable --now supplydesk-backup.timer。",
            "No [backup] dir in the config, so no scheduled backups; set dir = \"/var/backups/supplydesk\" and enable them: systemctl enable --now supplydesk-backup.timer."
        ));
    };
    let d = dir.display();
    let copies = match backups::list(dir) {
        Ok(c) => c,
        Err(e) => {
            let e = e.to_string();
            return fail(msg!(
                "无法读取备份目录 {d}（{e}）；请创建它（install -d -o root -g duty -m 2770 {d}）或检查权限。",
                "Cannot read the backup directory {d} ({e}); create it (install -d -o root -g duty -m 2770 {d}) or check its permissions."
            ));
        }
    };
    let Some(copy) = copies.first() else {
        return fail(msg!(
            "备份目录 {d} 中没有备份；请启用定时备份：systemctl enable --now supplydesk-backup.timer（或立即运行 supplydesk backup --rotate）。",
            "No backup in {d}; enable the scheduled backups: systemctl enable --now supplydesk-backup.timer (or run supplydesk backup --rotate now)."
        ));
    };
    let f = copy.path.display();
    let age_min = (now - copy.taken_at).num_minutes().max(0);
    let age = if age_min < 120 {
        msg!("{age_min} 分钟前", "{age_min} min old")
    } else {
        let h = age_min / 60;
        msg!("{h} 小时前", "{h} h old")
    };
    let (za, ea) = (age.zh, age.en);
    let max = i64::from(config.backup.max_age_hours);
    if age_min > max * 60 {
        return fail(msg!(
            "最新的备份 {f} 是{za}的，超过了 max_age_hours = {max} 小时；请查看 systemctl status supplydesk-backup.timer 与 journalctl -u supplydesk-backup。",
            "The newest backup {f} is {ea}, more than max_age_hours = {max}; see systemctl status supplydesk-backup.timer and journalctl -u supplydesk-backup."
        ));
    }
    let head_path = backups::head_path(&copy.path);
    let Some(head) = HeadFile::read(&head_path) else {
        let h = head_path.display();
        return fail(msg!(
            "最新的备份 {f} 旁没有可读的链头文件 {h}；该副本不是 backup --rotate 生成的或已被改动，请重新运行 supplydesk backup --rotate。",
            "The newest backup {f} has no readable head file {h}: it was not made by backup --rotate or was altered; run supplydesk backup --rotate again."
        ));
    };
    if !head.ok() {
        let why = head.problem.clone().unwrap_or_default();
        return fail(msg!(
            "最新的备份 {f} 生成时未通过检查（{why}）：数据库本身可能已损坏或被改动；请运行 supplydesk log verify，并保留该副本备查。",
            "The newest backup {f} failed its checks when it was taken ({why}): the database itself may be damaged or altered; run supplydesk log verify and keep that copy as evidence."
        ));
    }
    if let Some(m) = files::world_access(&copy.path) {
        return fail(m);
    }
    if let Err(why) = recheck(&copy.path, &head) {
        return fail(msg!(
            "最新的备份 {f} 与其链头文件不符（{why}）：副本已损坏或被替换；请立即运行 supplydesk backup --rotate 重新备份，并检查该磁盘。",
            "The newest backup {f} no longer matches its head file ({why}): the copy is damaged or was replaced; run supplydesk backup --rotate now and check that disk."
        ));
    }
    let (n, seq) = (head.entries, head.head_seq);
    let hash = short(&head.head_hash);
    Newest {
        check: Check::new(
            "backup",
            Status::Ok,
            msg!(
                "最新的备份 {f} 是{za}的，已检查：{n} 条，末条 #{seq} {hash}…",
                "newest backup {f} is {ea}, checked: {n} entries, head #{seq} {hash}…"
            ),
        ),
        head: Some(head),
    }
}

/// Opens a backup without touching it (immutable: no lock, no `-shm`) and
/// checks that it is still the copy its head file describes: the same size
/// and the same newest entry. Its pages were checked when it was taken; a
/// `quick_check` again would read all of them (and the search index: about
/// 1.3 s of CPU for a million entries, BENCHMARKS.md) at every run.
fn recheck(copy: &Path, head: &HeadFile) -> Result<(), String> {
    use rusqlite::{Connection, OpenFlags, OptionalExtension};
    let bytes = std::fs::metadata(copy).map_err(|e| e.to_string())?.len();
    if bytes != head.bytes {
        return Err(format!(
            "it has {bytes} bytes, the head file says {}",
            head.bytes
        ));
    }
    let uri = format!(
        "file:{}?immutable=1",
        copy.to_string_lossy()
            .replace('%', "%25")
            .replace('?', "%3f")
            .replace('#', "%23")
    );
    let conn = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|e| e.to_string())?;
    let newest: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM duty_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| e.to_string())?;
    let (seq, hash) = newest.unwrap_or((0, crate::domain::log::GENESIS.to_string()));
    if seq != head.head_seq || hash != head.head_hash {
        return Err(format!(
            "its newest entry is #{seq} {}…, the head file says #{} {}…",
            short(&hash),
            head.head_seq,
            short(&head.head_hash)
        ));
    }
    Ok(())
}

fn chain_check(store: &Store, head: Option<&HeadFile>, full_max: i64) -> Check {
    // The newest seq stands for the count (a gap is the walk's to find):
    // one index probe, where COUNT(*) reads an index of the whole log.
    let count = store.head().map_or(0, |h| h.seq);
    let from = head.filter(|h| count > full_max && h.head_seq > 0);
    let result = match from {
        Some(h) => verify_after(store.conn(), h.head_seq, &h.head_hash),
        None => verify(store.conn()),
    };
    let v: Verification = match result {
        Ok(v) => v,
        Err(e) => return Check::new("chain", Status::Fail, e.message()),
    };
    if let Some((bad, why)) = &v.first_bad {
        let why = crate::domain::text::sanitize(why).into_owned();
        return Check::new(
            "chain",
            Status::Fail,
            msg!(
                "值守日志链在第 {bad} 条断开（{why}）：数据库在 supplydesk 之外被改动过；请保留当前数据库的副本（supplydesk backup 文件），与最新备份及交接报告中的链头核对，并报告。",
                "The duty log's chain is broken at entry {bad} ({why}): the database was changed outside supplydesk; keep a copy of it as it is (supplydesk backup FILE), compare it with the newest backup and the heads in the handover reports, and report it."
            ),
        );
    }
    let (seq, hash) = (v.head_seq, short(&v.head_hash));
    let m = match from {
        None => {
            let n = v.entries;
            msg!(
                "值守日志链完整：{n} 条已全部校验，末条 #{seq} {hash}…",
                "duty log chain ok: all {n} entries verified, head #{seq} {hash}…"
            )
        }
        Some(h) => {
            let (n, since) = (v.entries, h.head_seq);
            msg!(
                "值守日志链完整：日志较长，只校验了备份已校验的 #{since} 之后的 {n} 条，末条 #{seq} {hash}…（全部校验：supplydesk log verify）",
                "duty log chain ok: a long log, so only the {n} entries after #{since} (verified in the newest backup) were checked, head #{seq} {hash}… (all of it: supplydesk log verify)"
            )
        }
    };
    Check::new("chain", Status::Ok, m)
}

fn short(hash: &str) -> String {
    hash.get(..12).unwrap_or(hash).to_string()
}

/// The directory holding `path` (`.` for a bare file name).
/// (made absolute when it exists, so that the commands shown can be typed
/// anywhere).
pub(crate) fn parent(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::log::LogKind;
    use crate::store::Actor;

    fn desk(n: usize) -> Store {
        let mut s = Store::open_in_memory().unwrap();
        let a = Actor::from_env("王静");
        for i in 0..n {
            s.add_entry(&a, LogKind::Note, &format!("entry {i}"), None, None)
                .unwrap();
        }
        s
    }

    fn head_at(s: &Store, seq: i64) -> HeadFile {
        let hash: String = s
            .conn()
            .query_row("SELECT hash FROM duty_log WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .unwrap();
        HeadFile {
            taken_at: String::new(),
            file: String::new(),
            bytes: 0,
            schema_version: 0,
            entries: seq,
            head_seq: seq,
            head_hash: hash,
            integrity_ok: true,
            chain_ok: true,
            problem: None,
        }
    }

    fn tamper(s: &Store, sql: &str) {
        s.conn()
            .execute_batch(&format!("DROP TRIGGER IF EXISTS duty_log_no_update; {sql}"))
            .unwrap();
    }

    #[test]
    fn a_long_log_is_verified_from_the_backups_head() {
        let s = desk(6);
        let head = head_at(&s, 4);
        // Whole when short, from the head when longer than the limit.
        let c = chain_check(&s, Some(&head), 100);
        assert_eq!(c.status, Status::Ok);
        assert!(c.msg.en.contains("all 6 entries"), "{}", c.msg.en);
        let c = chain_check(&s, Some(&head), 5);
        assert_eq!(c.status, Status::Ok);
        assert!(
            c.msg.en.contains("only the 2 entries after #4"),
            "{}",
            c.msg.en
        );
        // A later entry altered is found; so is the head entry itself.
        tamper(&s, "UPDATE duty_log SET text = 'x' WHERE seq = 6");
        let c = chain_check(&s, Some(&head), 5);
        assert_eq!(c.status, Status::Fail);
        assert!(c.msg.en.contains("broken at entry 6"), "{}", c.msg.en);
        let s = desk(6);
        let head = head_at(&s, 4);
        tamper(
            &s,
            "UPDATE duty_log SET hash = substr(hash, 2) || 'a' WHERE seq = 4",
        );
        let c = chain_check(&s, Some(&head), 5);
        assert!(c.msg.en.contains("broken at entry 4"), "{}", c.msg.en);
        // An earlier entry altered after the backup is the full check's
        // (and the next backup's) to find, not this one's.
        let s = desk(6);
        let head = head_at(&s, 4);
        tamper(&s, "UPDATE duty_log SET text = 'x' WHERE seq = 2");
        assert_eq!(chain_check(&s, Some(&head), 5).status, Status::Ok);
        assert_eq!(chain_check(&s, Some(&head), 100).status, Status::Fail);
    }

    #[test]
    fn the_summary_counts_failures() {
        let ok = Check::new("a", Status::Ok, msg!("好", "fine"));
        let bad = Check::new("b", Status::Fail, msg!("坏", "bad"));
        let r = Report {
            checks: vec![ok.clone(), ok.clone()],
        };
        assert!(r.ok());
        assert_eq!(r.summary().en, "2 checks, none failed (0 warnings).");
        let r = Report {
            checks: vec![ok, bad],
        };
        assert!(!r.ok());
        assert!(r.summary().zh.starts_with("共 2 项检查，1 项失败"));
        assert_eq!(r.to_json(Lang::En)["checks"][1]["status"], "fail");
    }
}
