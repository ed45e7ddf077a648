//! The checks of files on disk: modes and group of the database and its
//! directory, WAL mode on a local file system, free space.

use std::path::{Path, PathBuf};

use super::sys::{self, Stat};
use super::{Check, Status, parent};
use crate::config::Config;
use crate::msg;
use crate::msg::Msg;

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// A sentence when `path` can be read or written by every user.
pub(super) fn world_access(path: &Path) -> Option<Msg> {
    let st = sys::stat(path)?;
    if st.mode & 0o007 == 0 {
        return None;
    }
    let (f, m) = (path.display(), format!("{:04o}", st.mode & 0o777));
    Some(msg!(
        "{f} 的权限为 {m}，本机所有用户都能读取其中的个人信息和值守日志；请执行 chmod o-rwx {f}。",
        "{f} has mode {m}, so every user of this server can read the personal data and the duty log in it; run chmod o-rwx {f}."
    ))
}

/// `files`: the database and its `-wal`/`-shm`; `directory`: the
/// directory holding them.
pub(super) fn file_checks(db: &Path, config: &Config) -> Vec<Check> {
    let dir = parent(db);
    let Some(dst) = sys::stat(&dir) else {
        let d = dir.display();
        let m = msg!(
            "目录 {d} 不存在或无法访问。",
            "The directory {d} does not exist or cannot be reached."
        );
        return vec![
            Check::new("files", Status::Skip, m.clone()),
            Check::new("directory", Status::Fail, m),
        ];
    };
    let shared = config.mode() & 0o060 == 0o060;
    vec![
        files_check(db, &dst, shared, config),
        directory_check(&dir, &dst, shared),
    ]
}

fn files_check(db: &Path, dir: &Stat, shared: bool, config: &Config) -> Check {
    let present: Vec<(PathBuf, Stat)> = ["", "-wal", "-shm"]
        .iter()
        .map(|s| with_suffix(db, s))
        .filter_map(|p| sys::stat(&p).map(|st| (p, st)))
        .collect();
    if present.is_empty() {
        let p = db.display();
        return Check::new(
            "files",
            Status::Skip,
            msg!(
                "数据库 {p} 不存在，无文件可查。",
                "No database at {p}, so no files to check."
            ),
        );
    }
    let want = config.mode();
    let dg = sys::group_name(dir.gid);
    for (p, st) in &present {
        if let Some(m) = world_access(p) {
            return Check::new("files", Status::Fail, m);
        }
        let f = p.display();
        let mode = format!("{:04o}", st.mode & 0o777);
        if shared && st.mode & 0o060 != 0o060 {
            let w = format!("{want:04o}");
            return Check::new(
                "files",
                Status::Fail,
                msg!(
                    "{f} 的权限为 {mode}，组 {dg} 的值班员不能读写；请执行 chmod {w} {f}。",
                    "{f} has mode {mode}, so officers in group {dg} cannot read and write it; run chmod {w} {f}."
                ),
            );
        }
        // In a setgid directory every file belongs to the directory's
        // group; a file in another group was moved in or chgrp'd.
        if dir.mode & 0o2000 != 0 && st.gid != dir.gid {
            let g = sys::group_name(st.gid);
            return Check::new(
                "files",
                Status::Fail,
                msg!(
                    "{f} 属于组 {g}，而不是其目录的组 {dg}：{dg} 组的值班员不能写入；请执行 chgrp {dg} {f}。",
                    "{f} belongs to group {g}, not {dg} (its directory's group), so officers in {dg} cannot write it; run chgrp {dg} {f}."
                ),
            );
        }
    }
    let (p, st) = &present[0];
    let (f, mode, g) = (
        p.display(),
        format!("{:04o}", st.mode & 0o777),
        sys::group_name(st.gid),
    );
    let n = present.len();
    Check::new(
        "files",
        Status::Ok,
        msg!(
            "{f} 权限 {mode}、组 {g}（共 {n} 个文件，其他用户无权访问）",
            "{f} mode {mode}, group {g} ({n} files, no access for others)"
        ),
    )
}

fn directory_check(dir: &Path, st: &Stat, shared: bool) -> Check {
    let (d, mode, g) = (
        dir.display(),
        format!("{:04o}", st.mode),
        sys::group_name(st.gid),
    );
    if st.mode & 0o002 != 0 {
        return Check::new(
            "directory",
            Status::Fail,
            msg!(
                "目录 {d} 的权限为 {mode}，所有用户都能在其中删除或替换数据库；请执行 chmod 2770 {d}。",
                "The directory {d} has mode {mode}, so any user can delete or replace the database in it; run chmod 2770 {d}."
            ),
        );
    }
    if shared && (st.mode & 0o070 != 0o070 || st.mode & 0o2000 == 0) {
        return Check::new(
            "directory",
            Status::Fail,
            msg!(
                "目录 {d} 的权限为 {mode}：组 {g} 的值班员须能在其中创建 -wal/-shm 文件，且新文件须归属该组（setgid）；请执行 chmod 2770 {d}。",
                "The directory {d} has mode {mode}: officers in group {g} must be able to create the -wal/-shm files in it, and new files must get its group (setgid); run chmod 2770 {d}."
            ),
        );
    }
    Check::new(
        "directory",
        Status::Ok,
        msg!(
            "目录 {d} 权限 {mode}、组 {g}",
            "directory {d} mode {mode}, group {g}"
        ),
    )
}

/// `journal`: WAL mode (from the file's header) on a local file system.
pub(super) fn journal_check(db: &Path) -> Check {
    let p = db.display();
    let mut header = [0u8; 20];
    let read = std::fs::File::open(db).and_then(|mut f| {
        use std::io::Read;
        f.read_exact(&mut header)
    });
    if read.is_err() {
        return Check::new(
            "journal",
            Status::Skip,
            msg!("无法读取 {p} 的文件头。", "Cannot read the header of {p}."),
        );
    }
    // Bytes 18 and 19: the file format's write and read versions, 2 in WAL mode.
    if header[18] != 2 || header[19] != 2 {
        return Check::new(
            "journal",
            Status::Fail,
            msg!(
                "{p} 不是 WAL 模式：多个值班员同时使用会互相阻塞；请以 duty 组成员身份运行一次 supplydesk init（写入会话会切换为 WAL）。",
                "{p} is not in WAL mode, so officers' sessions would block one another; run supplydesk init once as a member of duty (a writing session switches it)."
            ),
        );
    }
    match sys::file_system(db) {
        Some((t, point)) if sys::is_network(&t) => {
            let m = point.display();
            Check::new(
                "journal",
                Status::Fail,
                msg!(
                    "{p} 位于网络文件系统（{t}，挂载于 {m}）：WAL 依赖同一台机器上的共享内存，在网络盘上会损坏数据；请把数据库移到本地磁盘。",
                    "{p} is on a network file system ({t}, mounted at {m}): WAL relies on shared memory on one machine and can corrupt the database on a network share; move it to a local disk."
                ),
            )
        }
        Some((t, _)) if t.starts_with("fuse") => Check::new(
            "journal",
            Status::Warn,
            msg!(
                "WAL 模式；文件系统为 {t}，无法确定是否在本地磁盘，请确认不是网络盘。",
                "WAL mode; the file system is {t}, which may not be a local disk: make sure it is not a network share."
            ),
        ),
        Some((t, _)) => Check::new(
            "journal",
            Status::Ok,
            msg!(
                "WAL 模式，本地文件系统 {t}",
                "WAL mode on a local file system ({t})"
            ),
        ),
        None => Check::new(
            "journal",
            Status::Warn,
            msg!(
                "WAL 模式；无法确定文件系统类型，请确认数据库在本地磁盘上。",
                "WAL mode; the file system's type cannot be told: make sure the database is on a local disk."
            ),
        ),
    }
}

const MIB: u64 = 1024 * 1024;
/// Free space below this fails even for a tiny database.
const FLOOR: u64 = 100 * MIB;

/// `disk`: room for a copy of the database (a backup, a schema upgrade,
/// the WAL growing) on its disk, and on the backups' disk when it is
/// another one: at least twice the database, and at least 100 MiB.
pub(super) fn disk_check(db: &Path, backup_dir: Option<&Path>) -> Check {
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| sys::stat(&with_suffix(db, s)))
        .map(|s| s.size)
        .sum();
    let need = (2 * size).max(FLOOR);
    let dir = parent(db);
    let mut places = vec![dir.clone()];
    if let Some(b) = backup_dir
        && b.is_dir()
        && sys::stat(b).map(|s| s.dev) != sys::stat(&dir).map(|s| s.dev)
    {
        places.push(b.to_path_buf());
    }
    let mut free_db = None;
    for place in &places {
        let Some(free) = sys::free_bytes(place) else {
            let d = place.display();
            return Check::new(
                "disk",
                Status::Skip,
                msg!(
                    "无法读取 {d} 所在磁盘的剩余空间。",
                    "Cannot read the free space of the disk holding {d}."
                ),
            );
        };
        free_db.get_or_insert(free);
        if free < need {
            let (d, f, s, n) = (place.display(), free / MIB, size.div_ceil(MIB), need / MIB);
            return Check::new(
                "disk",
                Status::Fail,
                msg!(
                    "{d} 所在磁盘只剩 {f} MiB，数据库为 {s} MiB：备份或结构升级需要一份副本的空间；请至少腾出 {n} MiB。",
                    "only {f} MiB free on the disk holding {d}, and the database is {s} MiB: a backup or a schema upgrade needs room for a copy; make at least {n} MiB free."
                ),
            );
        }
    }
    let (f, s) = (free_db.unwrap_or(0) / MIB, size.div_ceil(MIB));
    Check::new(
        "disk",
        Status::Ok,
        msg!(
            "剩余 {f} MiB，数据库 {s} MiB（至少需要数据库的两倍）",
            "{f} MiB free beside a {s} MiB database (at least twice the database is needed)"
        ),
    )
}
