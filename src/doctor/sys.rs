//! What `doctor` asks the operating system: file modes and groups, the
//! file system a path lives on, free space, this process's user.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Mode bits (with setgid) and owner of a file, as `stat` gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub mode: u32,
    pub gid: u32,
    pub dev: u64,
    pub size: u64,
}

pub fn stat(path: &Path) -> Option<Stat> {
    let m = std::fs::metadata(path).ok()?;
    Some(Stat {
        mode: m.mode() & 0o7777,
        gid: m.gid(),
        dev: m.dev(),
        size: m.len(),
    })
}

/// A group's name from `/etc/group`, or its number.
pub fn group_name(gid: u32) -> String {
    name_in("/etc/group", gid).unwrap_or_else(|| gid.to_string())
}

/// This process's user name (effective uid) from `/etc/passwd`, or its number.
pub fn user_name() -> String {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    name_in("/etc/passwd", uid).unwrap_or_else(|| uid.to_string())
}

fn name_in(file: &str, id: u32) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        (f.nth(1)?.parse::<u32>().ok()? == id).then(|| name.to_string())
    })
}

/// Can this process (its real user, as the kernel checks it) read and
/// write `path`?
pub fn can_read_write(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string for the call's duration.
    unsafe { libc::access(c.as_ptr(), libc::R_OK | libc::W_OK) == 0 }
}

/// Bytes free for an unprivileged user on the file system holding `path`.
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is NUL-terminated and `s` is a valid statvfs to fill.
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)]
    Some(s.f_bavail as u64 * s.f_frsize as u64)
}

/// The type and mount point of the file system `path` is on, from
/// `/proc/self/mountinfo` (the longest mount point that contains it).
pub fn file_system(path: &Path) -> Option<(String, PathBuf)> {
    let path = std::fs::canonicalize(path).ok()?;
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    mount_of(&info, &path)
}

/// [`file_system`] over a given mountinfo text.
pub fn mount_of(mountinfo: &str, path: &Path) -> Option<(String, PathBuf)> {
    let mut best: Option<(String, PathBuf)> = None;
    for line in mountinfo.lines() {
        // id parent major:minor root mount-point options [optional…] - type source super
        let (left, right) = line.split_once(" - ")?;
        let point = unescape(left.split(' ').nth(4)?);
        let fstype = right.split(' ').next()?.to_string();
        let point = PathBuf::from(point);
        if path.starts_with(&point)
            && best
                .as_ref()
                .is_none_or(|(_, b)| point.as_os_str().len() >= b.as_os_str().len())
        {
            best = Some((fstype, point));
        }
    }
    best
}

/// mountinfo writes space, tab, newline and backslash as octal escapes.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let esc = (b[i] == b'\\' && i + 4 <= b.len())
            .then(|| std::str::from_utf8(&b[i + 1..i + 4]).ok())
            .flatten()
            .and_then(|o| u8::from_str_radix(o, 8).ok());
        match esc {
            Some(v) => {
                out.push(v);
                i += 4;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// File systems shared over a network, where SQLite's WAL (shared memory
/// between processes on one machine) and its locks are not safe.
pub fn is_network(fstype: &str) -> bool {
    const NETWORK: &[&str] = &[
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "ceph",
        "glusterfs",
        "lustre",
        "9p",
        "fuse.sshfs",
        "fuse.glusterfs",
        "fuse.rclone",
        "fuse.s3fs",
        "davfs",
        "fuse.davfs2",
    ];
    NETWORK.contains(&fstype)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: &str = "22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
40 27 0:50 / /var/lib/supplydesk rw,relatime shared:20 - nfs4 srv:/desk rw,vers=4.2
41 27 0:51 / /srv/my\\040share rw - cifs //nas/share rw";

    #[test]
    fn the_longest_mount_point_wins() {
        let m = |p: &str| mount_of(INFO, Path::new(p)).map(|(t, _)| t);
        assert_eq!(
            m("/var/lib/supplydesk/supplydesk.db").as_deref(),
            Some("nfs4")
        );
        assert_eq!(m("/var/lib/other/x.db").as_deref(), Some("ext4"));
        assert_eq!(m("/srv/my share/x.db").as_deref(), Some("cifs"));
        assert!(is_network("nfs4") && is_network("cifs") && !is_network("ext4"));
    }

    #[test]
    fn this_process_can_be_asked() {
        let dir = std::env::temp_dir();
        assert!(free_bytes(&dir).is_some_and(|b| b > 0));
        assert!(file_system(&dir).is_some());
        assert!(!user_name().is_empty());
        assert!(!can_read_write(Path::new("/nonexistent/supplydesk")));
    }
}
