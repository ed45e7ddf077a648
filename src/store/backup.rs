//! A consistent copy of a live database, taken while officers write.
//!
//! SQLite's online backup API copies every page in one step under one read
//! transaction: in WAL mode that is a snapshot of the last commit, and the
//! writers carry on meanwhile. (Copying a few pages per step would restart
//! from the beginning at every commit of another session, and on a busy desk
//! might never finish.) The copy is written beside its final name and moved
//! into place only when complete and checked, so the named file is never
//! half a backup.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};

use super::log::{Verification, verify};
use super::{Result, Store, StoreError};
use crate::msg;

/// How a backup is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct BackupOptions {
    /// Unix mode of the copy; it holds the same personal data as the
    /// database, so it gets the same mode.
    pub mode: Option<u32>,
    /// Replace a file already at the destination.
    pub replace: bool,
}

/// What the copy holds, as checked after writing it.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    /// `PRAGMA integrity_check` of the copy: empty when it is sound.
    pub integrity: Vec<String>,
    /// The copy's own chain check.
    pub chain: Verification,
}

impl BackupReport {
    pub fn ok(&self) -> bool {
        self.integrity.is_empty() && self.chain.ok()
    }
}

/// Attempts at a step that found the source locked (only while another
/// connection recovers a WAL after a crash) before giving up.
const LOCKED_RETRIES: u32 = 50;

impl Store {
    /// Writes a consistent copy of this database to `dest`, then checks
    /// the copy (integrity and hash chain) before moving it into place.
    pub fn backup_to(&self, dest: &Path, opts: BackupOptions) -> Result<BackupReport> {
        if same_file(self.path(), dest) {
            let d = dest.display();
            return Err(StoreError::Refused(msg!(
                "备份目标 {d} 就是正在使用的数据库；请换一个文件名。",
                "The backup target {d} is the database itself; choose another file name."
            )));
        }
        if dest.exists() && !opts.replace {
            let d = dest.display();
            return Err(StoreError::Refused(msg!(
                "备份文件 {d} 已存在；请换一个文件名，或加 --force 覆盖。",
                "The backup file {d} already exists; choose another name, or add --force to replace it."
            )));
        }
        let partial = sibling(dest, &format!(".partial-{}", std::process::id()));
        remove_with_companions(&partial);
        let written = self.copy_into(&partial, opts.mode);
        let report = written.and_then(|()| check(&partial));
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                remove_with_companions(&partial);
                return Err(e);
            }
        };
        // An old copy's -wal beside the new file would be replayed onto it.
        remove_companions(dest);
        if let Err(e) = std::fs::rename(&partial, dest) {
            remove_with_companions(&partial);
            return Err(cannot_write(dest, &e));
        }
        sync_dir(dest);
        let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
        Ok(BackupReport {
            path: dest.to_path_buf(),
            bytes,
            ..report
        })
    }

    fn copy_into(&self, partial: &Path, mode: Option<u32>) -> Result<()> {
        super::create_file(partial, mode).map_err(|_| {
            cannot_write(
                partial,
                &std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            )
        })?;
        let mut dst = Connection::open(partial).map_err(|e| sqlite_write_error(partial, e))?;
        dst.busy_timeout(Duration::from_secs(5))?;
        {
            let b = Backup::new(self.conn(), &mut dst)?;
            let mut locked = 0;
            loop {
                match b.step(-1).map_err(|e| sqlite_write_error(partial, e))? {
                    StepResult::Done => break,
                    StepResult::More => {}
                    StepResult::Busy | StepResult::Locked => {
                        locked += 1;
                        if locked > LOCKED_RETRIES {
                            return Err(StoreError::Busy);
                        }
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    // A future kind of step result: treat it as not done yet.
                    _ => {}
                }
            }
        }
        dst.close()
            .map_err(|(_, e)| sqlite_write_error(partial, e))?;
        Ok(())
    }
}

/// Opens the finished copy on its own and checks it.
fn check(path: &Path) -> Result<BackupReport> {
    let conn = Connection::open(path).map_err(|e| sqlite_write_error(path, e))?;
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    let integrity: Vec<String> = st
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?
        .into_iter()
        .filter(|r| r != "ok")
        .collect();
    drop(st);
    let chain = verify(&conn)?;
    conn.close().map_err(|(_, e)| sqlite_write_error(path, e))?;
    Ok(BackupReport {
        path: path.to_path_buf(),
        bytes: 0,
        integrity,
        chain,
    })
}

fn sqlite_write_error(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => {
            let p = path.display();
            StoreError::Refused(msg!(
                "备份 {p} 所在磁盘已满，未生成备份；请清理空间或换一个位置。",
                "The disk for the backup {p} is full, so no backup was made; free some space or choose another place."
            ))
        }
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
            cannot_write(
                path,
                &std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            )
        }
        _ => StoreError::from(e),
    }
}

fn cannot_write(path: &Path, e: &std::io::Error) -> StoreError {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .display()
        .to_string();
    let e = e.to_string();
    StoreError::Refused(msg!(
        "无法在 {dir} 写入备份（{e}）；请检查该目录是否存在且可写，或换一个位置。",
        "Cannot write the backup in {dir} ({e}); check that the directory exists and can be written, or choose another place."
    ))
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn remove_companions(path: &Path) {
    for suffix in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(sibling(path, suffix));
    }
}

fn remove_with_companions(path: &Path) {
    let _ = std::fs::remove_file(path);
    remove_companions(path);
}

/// Is `dest` the database file itself (or a link to it)?
fn same_file(db: &Path, dest: &Path) -> bool {
    match (std::fs::canonicalize(db), std::fs::canonicalize(dest)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The rename is durable only once the directory is on disk too.
fn sync_dir(path: &Path) {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
