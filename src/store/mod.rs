//! The SQLite file every officer's session shares.
//!
//! All changes go through one door, [`Store::change`]: `BEGIN IMMEDIATE`,
//! the change, its duty-log entry, commit. The schema's triggers refuse a
//! change of any state table that does not point at the newest log entry,
//! so a change without its log line cannot exist, and a change that fails
//! rolls back its log line with it.

pub mod activation;
pub mod alerts;
pub mod backup;
pub mod carry;
pub mod corrections;
pub mod deliveries;
pub mod fields;
pub mod follow;
pub mod ledger;
pub mod log;
pub mod outbox;
pub mod pass_actions;
pub mod passes;
pub mod people;
pub mod pick;
pub mod places;
pub mod privacy;
pub mod report_queries;
pub mod seen;
pub mod shifts;
pub mod supply;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use rusqlite_migration::{M, Migrations};

use crate::domain::log::{Entry, GENESIS, LogKind};
use crate::domain::scrub::{Options as ScrubOptions, Person};
use crate::domain::time::to_db;
use crate::msg;
use crate::msg::Msg;

/// What can go wrong in the store. `Refused` and the file errors are the
/// user's to fix and carry a message for them; `Sqlite` is anything else.
#[derive(Debug)]
pub enum StoreError {
    /// The database file does not exist.
    Missing(PathBuf),
    /// The file or its directory cannot be written by this user.
    NotWritable(PathBuf),
    /// The file cannot be opened even for reading.
    NotReadable(PathBuf),
    /// This session is read-only.
    ReadOnly,
    /// Another session held the write lock longer than the busy timeout.
    Busy,
    /// The disk holding the database (or its WAL) is full.
    DiskFull,
    /// A rule of the plan refused the change; nothing was written.
    Refused(Msg),
    /// The row asked for does not exist.
    NotFound(Msg),
    /// The record changed after the officer saw it; nothing was written.
    Stale(Box<seen::Stale>),
    /// The file is not a supplydesk database, or is damaged.
    NotADatabase(PathBuf, String),
    /// The file's schema is newer than this program knows.
    TooNew(PathBuf),
    Sqlite(rusqlite::Error),
}

impl StoreError {
    pub fn message(&self) -> Msg {
        match self {
            StoreError::Missing(p) => {
                let p = p.display();
                msg!(
                    "数据库 {p} 不存在；请先用 `supplydesk init` 创建，或用 `supplydesk demo` 生成演示数据。",
                    "There is no database at {p}; create one with `supplydesk init` or fill one with `supplydesk demo`."
                )
            }
            StoreError::NotWritable(p) => {
                let p = p.display();
                msg!(
                    "无法写入数据库 {p}（权限不足，或所在磁盘为只读挂载）；请检查文件及其目录的权限（值班组需可写），或加 --read-only 只读打开。",
                    "The database {p} cannot be written by this user (or its disk is mounted read-only); check the permissions of the file and its directory, or open it with --read-only."
                )
            }
            StoreError::NotReadable(p) => {
                let p = p.display();
                msg!(
                    "无法读取数据库 {p}；请检查文件、其目录及 -wal/-shm 文件的权限（只读用户需能进入该目录，且有值班员会话打开过该库）。",
                    "The database {p} cannot be opened for reading; check the permissions of the file, its directory and its -wal/-shm files."
                )
            }
            StoreError::ReadOnly => msg!(
                "当前为只读模式，不能修改；请去掉 --read-only 后重试。",
                "This session is read-only, so nothing can be changed; start without --read-only to make changes."
            ),
            StoreError::Busy => msg!(
                "数据库正被其他值班员写入，等待超时；未保存任何内容，请稍后重试。",
                "Another session held the database for too long; nothing was saved, try again in a moment."
            ),
            StoreError::DiskFull => msg!(
                "数据库所在磁盘已满，未保存任何内容；请清理该磁盘的空间（或联系管理员）后重试。",
                "The disk holding the database is full, so nothing was saved; free some space on it (or call the administrator) and try again."
            ),
            StoreError::Refused(m) | StoreError::NotFound(m) => m.clone(),
            StoreError::Stale(s) => s.message(),
            StoreError::TooNew(p) => {
                let p = p.display();
                msg!(
                    "数据库 {p} 由更新版本的 supplydesk 写入，本程序无法安全打开；请使用与其他值班员相同（或更新）的版本。",
                    "The database {p} was written by a newer supplydesk, which this one cannot open safely; run the same (or a newer) version as the other officers."
                )
            }
            StoreError::NotADatabase(p, why) => {
                let p = p.display();
                msg!(
                    "{p} 不是可用的 supplydesk 数据库（{why}）；请检查 --db 路径。",
                    "{p} is not a usable supplydesk database ({why}); check the --db path."
                )
            }
            StoreError::Sqlite(e) => {
                let e = e.to_string();
                msg!(
                    "数据库错误：{e}；未保存任何内容。",
                    "Database error: {e}; nothing was saved."
                )
            }
        }
    }

    pub fn refused(m: Msg) -> StoreError {
        StoreError::Refused(m)
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message().en)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly,
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            _ => StoreError::Sqlite(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who is acting: recorded on every log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub officer: String,
    pub os_user: String,
    pub ssh_client: Option<String>,
}

impl Actor {
    /// The officer named, with the OS user and `SSH_CONNECTION` of this
    /// process.
    pub fn from_env(officer: &str) -> Actor {
        let os_user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .ok()
            .filter(|u| !u.is_empty())
            .or_else(os_user_from_passwd)
            .unwrap_or_else(|| "unknown".into());
        let ssh_client = std::env::var("SSH_CONNECTION")
            .ok()
            .filter(|s| !s.is_empty());
        Actor {
            officer: officer.trim().to_string(),
            os_user,
            ssh_client,
        }
    }
}

/// The login name of this process's real uid, from `/proc` and
/// `/etc/passwd`, for sessions without `USER` (cron, `ssh host cmd`).
fn os_user_from_passwd() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        (f.nth(1)? == uid).then(|| name.to_string())
    })
}

/// The time source: the system clock, or a fixed moment for tests and
/// snapshots.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => *t,
        }
    }
}

/// What a change says in the duty log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogDraft {
    pub kind: LogKind,
    pub text: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub subject: Option<String>,
    pub corrects: Option<i64>,
    /// The event and its fields, from which the entry is shown in one
    /// language (`domain::log_text`).
    pub payload: Option<crate::domain::log_text::Payload>,
}

impl LogDraft {
    /// A `change` entry about `subject` (`table:id`).
    pub fn change(subject: impl Into<String>, text: impl Into<String>) -> LogDraft {
        LogDraft {
            kind: LogKind::Change,
            text: text.into(),
            occurred_at: None,
            subject: Some(subject.into()),
            corrects: None,
            payload: None,
        }
    }

    /// A `change` entry about `subject` told by `payload`: its stored
    /// text is the payload's line in both languages (for the search keys).
    pub fn event(
        subject: impl Into<String>,
        payload: crate::domain::log_text::Payload,
    ) -> LogDraft {
        LogDraft {
            kind: LogKind::Change,
            text: payload.text_both(),
            occurred_at: None,
            subject: Some(subject.into()),
            corrects: None,
            payload: Some(payload),
        }
    }

    pub fn free(kind: LogKind, text: impl Into<String>) -> LogDraft {
        LogDraft {
            kind,
            text: text.into(),
            occurred_at: None,
            subject: None,
            corrects: None,
            payload: None,
        }
    }
}

/// The chain head: the newest entry's sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// The inside of the door: a write transaction that knows who acts and
/// appends log entries to the chain.
pub struct Writer<'a> {
    tx: Transaction<'a>,
    actor: &'a Actor,
    now: DateTime<Utc>,
    head: Head,
    written: Vec<i64>,
    people: &'a mut people::PeopleIndex,
    /// Callers named by a scrub before this change's first entry.
    pending_callers: people::PendingCallers,
}

impl Writer<'_> {
    /// The connection, for the change's own statements.
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn actor(&self) -> &Actor {
        self.actor
    }

    /// The door for free text: every text stored or sent passes here
    /// (the log entries themselves in [`Writer::log`]). Phone and ID
    /// numbers become their masked form with a reference to the person
    /// (`覃*菊〔对象#2〕 188****1326`), unknown numbers become callers; see
    /// [`crate::domain::scrub`].
    pub fn scrub(&mut self, text: &str) -> Result<String> {
        self.scrub_with(text, None)
    }

    /// [`Writer::scrub`] for a note attached to a person's record: their
    /// name is masked wherever it appears.
    pub fn scrub_about(&mut self, text: &str, subject: Person) -> Result<String> {
        self.scrub_with(text, Some(subject))
    }

    /// [`Writer::scrub`] of an optional text.
    pub fn scrub_opt(&mut self, text: Option<&str>) -> Result<Option<String>> {
        text.map(|t| self.scrub(t)).transpose()
    }

    fn scrub_with(&mut self, text: &str, subject: Option<Person>) -> Result<String> {
        if !text.bytes().any(|b| b.is_ascii_digit() || b >= 0xEF) && subject.is_none() {
            // No digit, half- or full-width (U+FF10.. start with 0xEF): nothing to find.
            return Ok(text.to_string());
        }
        let mut dir =
            people::StoreDirectory::new(&self.tx, self.people, Some(&mut self.pending_callers));
        let opts = ScrubOptions {
            subject,
            callers: true,
        };
        let out = crate::domain::scrub::scrub(text, &mut dir, &opts).text;
        if let Some(&seq) = self.written.last() {
            people::keep_callers(&self.tx, seq, &mut self.pending_callers)?;
        }
        Ok(out)
    }

    /// Appends a log entry to the chain and returns its sequence number.
    /// State rows changed after this call must carry it as `log_seq`. Its
    /// text passes [`Writer::scrub`] first.
    pub fn log(&mut self, draft: LogDraft) -> Result<i64> {
        let text = self.scrub(&draft.text)?;
        // The payload's text fields too: the replacements hold no quote or
        // backslash, so the JSON stays valid.
        let payload = match draft.payload.map(|p| p.to_json()) {
            Some(j) => Some(self.scrub(&j)?),
            None => None,
        };
        let entry = Entry {
            seq: self.head.seq + 1,
            kind: draft.kind,
            text,
            officer: self.actor.officer.clone(),
            os_user: self.actor.os_user.clone(),
            ssh_client: self.actor.ssh_client.clone(),
            recorded_at: to_db(self.now),
            occurred_at: draft.occurred_at.map(to_db),
            subject: draft.subject,
            corrects: draft.corrects,
            prev_hash: self.head.hash.clone(),
            payload,
        };
        let hash = entry.hash();
        self.tx
            .prepare_cached(
                "INSERT INTO duty_log (seq, kind, text, officer, os_user, ssh_client, recorded_at,
                    occurred_at, subject, corrects, prev_hash, hash, payload)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                entry.seq,
                crate::domain::Code::code(entry.kind),
                entry.text,
                entry.officer,
                entry.os_user,
                entry.ssh_client,
                entry.recorded_at,
                entry.occurred_at,
                entry.subject,
                entry.corrects,
                entry.prev_hash,
                hash,
                entry.payload,
            ])?;
        log::index_entry(&self.tx, entry.seq, &entry.text)?;
        people::keep_callers(&self.tx, entry.seq, &mut self.pending_callers)?;
        self.head = Head {
            seq: entry.seq,
            hash,
        };
        self.written.push(entry.seq);
        Ok(entry.seq)
    }

    /// The next id of `table`, safe because the write lock is held.
    pub fn next_id(&self, table: &str) -> Result<i64> {
        debug_assert!(table.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        Ok(self.tx.query_row(
            &format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"),
            [],
            |r| r.get(0),
        )?)
    }
}

/// How to open the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenOptions {
    pub read_only: bool,
    /// Create the file when it does not exist (`init`, `demo`).
    pub create: bool,
    /// Unix mode for a newly created database and its `-wal`/`-shm`.
    pub mode: Option<u32>,
    /// Told, before a schema upgrade of an existing file starts, how many
    /// steps it has: an upgrade of a long log can take a minute, and a
    /// silent minute looks like a hang.
    pub on_upgrade: Option<fn(usize)>,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    clock: Clock,
    /// When this session last forced a full checkpoint ([`WAL_BOUND`]).
    wal_checkpointed: Option<std::time::Instant>,
    /// Entries this connection wrote, until [`Store::take_own_entries`].
    own: Vec<i64>,
    /// Known phone and ID numbers, for the scrubber (in a cell: the
    /// form's preview reads through `&self`).
    people: std::cell::RefCell<people::PeopleIndex>,
    /// Records the next change acts on as they were seen
    /// ([`Store::as_seen`]): checked inside its transaction.
    expected: Vec<seen::Seen>,
}

/// At most this many of [`Store::take_own_entries`] are kept (a process
/// that never asks, such as an import, does not grow without end).
const OWN_KEPT: usize = 4096;

/// How long a session waits for another one's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Waits for another session's lock, trying again every 1–3 ms for at most
/// [`BUSY_TIMEOUT`]. SQLite's own handler backs off to 100 ms between
/// tries, so under a burst of writes from several sessions a waiting one
/// looks so rarely that the others keep taking the lock first: with eight
/// writers some waited over 3 s (RELIABILITY.md), close to giving up.
/// `tries` is 0 at the first call of each wait.
fn busy_wait(tries: i32) -> bool {
    busy_wait_up_to(tries, BUSY_TIMEOUT)
}

/// The same for the forced checkpoint ([`WAL_BOUND`]), which must win the
/// write lock against busy writers too, but waits less.
fn busy_wait_checkpoint(tries: i32) -> bool {
    busy_wait_up_to(tries, WAL_BOUND_WAIT)
}

fn busy_wait_up_to(tries: i32, limit: Duration) -> bool {
    use std::cell::Cell;
    use std::time::Instant;
    thread_local! {
        static SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
    }
    let now = Instant::now();
    let since = SINCE.with(|s| {
        let since = match s.get() {
            Some(t) if tries > 0 => t,
            _ => now,
        };
        s.set(Some(since));
        since
    });
    if now.duration_since(since) >= limit {
        return false;
    }
    // Jitter, so that waiting sessions do not try in step.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::thread::sleep(Duration::from_micros(1000 + u64::from(nanos % 2000)));
    true
}

/// SQLite's own checkpoints after each commit are passive: they copy what
/// no reader still needs, and the WAL starts over only once a checkpoint
/// has caught up while nobody reads. Sessions that read all the time (the
/// console polls, `log verify` walks the whole chain) while others write
/// all the time keep it from catching up, and the WAL grows without end.
/// Past this size a committing session forces a full checkpoint that
/// truncates the file.
pub const WAL_BOUND: u64 = 16 * 1024 * 1024;
/// How long that checkpoint may wait for readers (writers wait meanwhile);
/// if they do not finish in time it gives up and is tried again later.
const WAL_BOUND_WAIT: Duration = Duration::from_millis(500);
/// At most one forced checkpoint per session in this time.
const WAL_BOUND_EVERY: Duration = Duration::from_secs(1);

/// The migration files in the order they are applied (their numbers'
/// order; the migration test reads them in this order).
pub const MIGRATION_ORDER: &[&str] = &[
    "001_schema.sql",
    "002_rules.sql",
    "003_shifts.sql",
    "004_ledgers.sql",
    "005_supply.sql",
    "006_log_search.sql",
    "007_outbox.sql",
    "008_log_payload.sql",
    "009_privacy.sql",
    "010_handover_sections.sql",
];

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("migrations/001_schema.sql")),
        M::up(include_str!("migrations/002_rules.sql")),
        M::up(include_str!("migrations/003_shifts.sql")),
        M::up(include_str!("migrations/004_ledgers.sql")),
        M::up(include_str!("migrations/005_supply.sql")),
        M::up_with_hook(
            include_str!("migrations/006_log_search.sql"),
            |tx: &Transaction| {
                log::index_all(tx)?;
                Ok(())
            },
        ),
        M::up(include_str!("migrations/007_outbox.sql")),
        M::up(include_str!("migrations/008_log_payload.sql")),
        M::up(include_str!("migrations/009_privacy.sql")),
        M::up(include_str!("migrations/010_handover_sections.sql")),
    ])
}

/// The schema version this program brings a database to (the number of
/// migrations), found by migrating an empty database in memory.
pub fn latest_schema_version() -> Result<i64> {
    let mut conn = Connection::open_in_memory()?;
    migrations()
        .to_latest(&mut conn)
        .map_err(|e| StoreError::NotADatabase(PathBuf::from(":memory:"), e.to_string()))?;
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// The tables of a database that has tables but not the duty log every
/// supplydesk schema starts with, listed for the message; `None` for an
/// empty file or a supplydesk database.
fn foreign_tables(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let mut st = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let names: Vec<String> = st
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if names.is_empty() || names.iter().any(|n| n == "duty_log") {
        return Ok(None);
    }
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    let more = if names.len() > 5 { ", …" } else { "" };
    Ok(Some(format!("{}{more}", shown.join(", "))))
}

impl Store {
    /// Opens (or with `create`, creates) the database, applies the pragmas
    /// and brings the schema up to date.
    pub fn open(path: &Path, opts: OpenOptions) -> Result<Store> {
        let exists = path.exists();
        if !exists && !opts.create {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        if !exists && opts.read_only {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        if !opts.read_only && !writable(path) {
            return Err(StoreError::NotWritable(path.to_path_buf()));
        }
        if !exists {
            create_file(path, opts.mode)?;
        }
        let flags = if opts.read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let fail = |e| {
            if opts.read_only {
                match open_error(path, e) {
                    StoreError::NotWritable(p) => StoreError::NotReadable(p),
                    other => other,
                }
            } else {
                open_error(path, e)
            }
        };
        let mut conn = Connection::open_with_flags(path, flags).map_err(fail)?;
        conn.busy_handler(Some(busy_wait))?;
        // Another application's database is left exactly as it is: no
        // journal mode, no schema, whatever the command.
        if let Some(tables) = foreign_tables(&conn).map_err(fail)? {
            return Err(StoreError::NotADatabase(
                path.to_path_buf(),
                format!(
                    "it holds another application's tables ({tables}) and no supplydesk schema"
                ),
            ));
        }
        if !opts.read_only {
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(|e| open_error(path, e))?;
            if mode != "wal" {
                return Err(StoreError::NotADatabase(
                    path.to_path_buf(),
                    format!("journal mode {mode} instead of wal"),
                ));
            }
        }
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             PRAGMA synchronous = FULL;
             PRAGMA temp_store = MEMORY;",
        )
        .map_err(fail)?;
        let m = migrations();
        if opts.read_only {
            let v: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(fail)?;
            if v == 0 {
                return Err(StoreError::NotADatabase(
                    path.to_path_buf(),
                    "no schema".into(),
                ));
            }
        } else {
            // Sessions started together on an older schema (after an
            // upgrade) all read the old version, then migrate one after the
            // other: the later ones fail on tables that now exist, or on the
            // snapshot that moved. Their transaction rolled back; the schema
            // is then already current, or one more try brings it there.
            if let Some(tell) = opts.on_upgrade {
                let v: i64 = conn
                    .query_row("PRAGMA user_version", [], |r| r.get(0))
                    .map_err(fail)?;
                match m.pending_migrations(&conn) {
                    Ok(n) if v > 0 && n > 0 => tell(n as usize),
                    _ => {}
                }
            }
            m.to_latest(&mut conn)
                .or_else(|first| match m.pending_migrations(&conn) {
                    Ok(0) => Ok(()),
                    _ => m.to_latest(&mut conn).map_err(|_| first),
                })
                .map_err(|e| migration_error(path, e))?;
        }
        if let Some(mode) = opts.mode {
            set_mode_of_companions(path, mode);
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            read_only: opts.read_only,
            clock: Clock::System,
            wal_checkpointed: None,
            own: Vec::new(),
            people: Default::default(),
            expected: Vec::new(),
        })
    }

    /// A private database in memory, for tests.
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| StoreError::NotADatabase(PathBuf::from(":memory:"), e.to_string()))?;
        Ok(Store {
            conn,
            path: PathBuf::from(":memory:"),
            read_only: false,
            clock: Clock::System,
            wal_checkpointed: None,
            own: Vec::new(),
            people: Default::default(),
            expected: Vec::new(),
        })
    }

    pub fn with_clock(mut self, clock: Clock) -> Store {
        self.clock = clock;
        self
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// For reads. Changes go through [`Store::change`].
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The one door: runs `f` inside `BEGIN IMMEDIATE` and commits only if
    /// it succeeded and wrote at least one log entry. Returns `f`'s result
    /// and the sequence number of the last entry written.
    pub fn change<T>(
        &mut self,
        actor: &Actor,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<(T, i64)> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        if actor.officer.is_empty() {
            return Err(StoreError::Refused(msg!(
                "未指定值班员，不能记录；请用 --officer 姓名 或在配置中设置。",
                "No officer is named, so nothing can be recorded; pass --officer NAME or set officer in the config."
            )));
        }
        let now = self.clock.now();
        let done = {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Inside the write lock: nobody can change the records between
            // this check and the change below.
            seen::check(&tx, &std::mem::take(&mut self.expected))?;
            let head = head_of(&tx)?;
            let mut w = Writer {
                tx,
                actor,
                now,
                head,
                written: Vec::new(),
                people: self.people.get_mut(),
                pending_callers: Vec::new(),
            };
            let out = f(&mut w)?;
            let Some(&last) = w.written.last() else {
                // Dropping the transaction rolls it back.
                return Err(StoreError::Sqlite(rusqlite::Error::InvalidQuery));
            };
            let written = std::mem::take(&mut w.written);
            outbox::enqueue(&w.tx, &written, now)?;
            w.tx.commit()?;
            if self.own.len() + written.len() > OWN_KEPT {
                self.own.clear();
            }
            self.own.extend(written);
            (out, last)
        };
        self.bound_wal();
        Ok(done)
    }

    /// What the door would make of `text` (the form's preview): the same
    /// scrub as [`Writer::scrub`], writing nothing; a new caller shows as
    /// `〔来电人〕` without a number yet.
    pub fn preview_scrub(&self, text: &str) -> Result<crate::domain::scrub::Scrubbed> {
        let mut index = self.people.borrow_mut();
        let mut dir = people::StoreDirectory::new(&self.conn, &mut index, None);
        let opts = ScrubOptions {
            subject: None,
            callers: true,
        };
        Ok(crate::domain::scrub::scrub(text, &mut dir, &opts))
    }

    /// The sequence numbers of the entries this connection wrote since the
    /// last call (the console tells its own changes from other sessions').
    pub fn take_own_entries(&mut self) -> Vec<i64> {
        std::mem::take(&mut self.own)
    }

    /// Whether this connection wrote entries not yet taken by
    /// [`Store::take_own_entries`] (a console's own connection used
    /// directly, as tests do).
    pub fn has_own_entries(&self) -> bool {
        !self.own.is_empty()
    }

    /// Keeps the WAL under [`WAL_BOUND`]; see there. Failing to is not
    /// the committing officer's problem: the change is already saved.
    fn bound_wal(&mut self) {
        let mut wal = self.path.as_os_str().to_owned();
        wal.push("-wal");
        let big = std::fs::metadata(PathBuf::from(wal)).is_ok_and(|m| m.len() > WAL_BOUND);
        if !big
            || self
                .wal_checkpointed
                .is_some_and(|t| t.elapsed() < WAL_BOUND_EVERY)
        {
            return;
        }
        self.wal_checkpointed = Some(std::time::Instant::now());
        let _ = self.conn.busy_handler(Some(busy_wait_checkpoint));
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        let _ = self.conn.busy_handler(Some(busy_wait));
    }

    /// The newest entry's sequence number and hash (seq 0 and the genesis
    /// hash for an empty log).
    pub fn head(&self) -> Result<Head> {
        head_of(&self.conn)
    }

    /// Changes by any connection since the last call show as a different
    /// number (SQLite's `PRAGMA data_version`); cheap enough to poll.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Runs `PRAGMA integrity_check`; `Ok` holds the problems found.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// The schema version (`user_version`).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

fn head_of(conn: &Connection) -> Result<Head> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM duty_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                Ok(Head {
                    seq: r.get(0)?,
                    hash: r.get(1)?,
                })
            },
        )
        .optional()?
        .unwrap_or(Head {
            seq: 0,
            hash: GENESIS.to_string(),
        }))
}

fn open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            StoreError::NotADatabase(path.to_path_buf(), "not an SQLite file".into())
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            StoreError::NotWritable(path.to_path_buf())
        }
        _ => StoreError::from(e),
    }
}

/// For [`OpenOptions::on_upgrade`] in the binary: on stderr, in both
/// languages (the language flag is not at hand here), before a schema
/// upgrade that may take a while.
pub fn announce_upgrade(steps: usize) {
    let m = msg!(
        "正在升级数据库结构（{steps} 步）；日志很长时可能需要一两分钟。中途中断不会损坏数据，下次打开会重新开始。",
        "Upgrading the database schema ({steps} steps); with a long log this can take a minute or two. Interrupting it does no harm: the next start begins it again."
    );
    eprintln!("{}\n{}", m.zh, m.en);
}

/// A failed schema upgrade in one sentence: the disk, the permissions or
/// the lock when that is the cause, a newer schema as such, and otherwise
/// SQLite's reason without the migration's SQL.
fn migration_error(path: &Path, e: rusqlite_migration::Error) -> StoreError {
    use rusqlite_migration::{Error, MigrationDefinitionError};
    match e {
        Error::RusqliteError { err, .. } => match open_error(path, err) {
            StoreError::Sqlite(inner) => StoreError::NotADatabase(
                path.to_path_buf(),
                format!("schema upgrade failed: {inner}"),
            ),
            other => other,
        },
        Error::MigrationDefinition(MigrationDefinitionError::DatabaseTooFarAhead) => {
            StoreError::TooNew(path.to_path_buf())
        }
        other => StoreError::NotADatabase(
            path.to_path_buf(),
            format!("schema upgrade failed: {other}"),
        ),
    }
}

/// Can this process write the file (or, if it does not exist, create it)?
fn writable(path: &Path) -> bool {
    if path.exists() {
        std::fs::OpenOptions::new().append(true).open(path).is_ok()
    } else {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let probe = dir.join(format!(".supplydesk-probe-{}", std::process::id()));
        match std::fs::File::create(&probe) {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
                true
            }
            Err(_) => false,
        }
    }
}

fn create_file(path: &Path, mode: Option<u32>) -> Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    if let Some(m) = mode {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(m);
    }
    match o.open(path) {
        Ok(_) => {
            #[cfg(unix)]
            if let Some(m) = mode {
                use std::os::unix::fs::PermissionsExt;
                // The umask may have narrowed it; the configured mode wins.
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(m));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(_) => Err(StoreError::NotWritable(path.to_path_buf())),
    }
}

/// A warning for the start of a session when the database, or its
/// `-wal`/`-shm`, can be read or written by every user of the server: they
/// hold recipients' personal data and the audit log. `None` when the modes
/// are fine or cannot be read.
pub fn file_mode_warning(path: &Path) -> Option<Msg> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = PathBuf::from(p);
            let Ok(md) = std::fs::metadata(&p) else {
                continue;
            };
            let mode = md.permissions().mode() & 0o777;
            if mode & 0o006 != 0 {
                let (f, m, db) = (p.display(), format!("{mode:04o}"), path.display());
                return Some(msg!(
                    "警告：{f} 的权限为 {m}，本机所有用户都能读取其中的个人信息和值守日志；请执行 chmod 660 {db} {db}-wal {db}-shm（或在配置中设 file_mode）。",
                    "Warning: {f} has mode {m}, so every user of this server can read the personal data and the duty log in it; run chmod 660 {db} {db}-wal {db}-shm (or set file_mode in the config)."
                ));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

fn set_mode_of_companions(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = PathBuf::from(p);
            if let Ok(md) = std::fs::metadata(&p)
                && md.permissions().mode() & 0o777 != mode
            {
                let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode));
            }
        }
    }
}

#[cfg(test)]
mod tests;
