//! The set of scheduled backups in one directory: how a copy is named, the
//! head file written beside it, which copies the retention rule keeps, and
//! the newest one (for `doctor`).
//!
//! A copy is `supplydesk-20261205T190000Z.db` (the UTC time it was taken);
//! beside it `supplydesk-20261205T190000Z.db.head`, a small JSON file with
//! the copy's chain head and the outcome of its checks, to be compared with
//! the live log or kept off the server. Only files named this way are ever
//! pruned: anything else in the directory is left alone.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

const PREFIX: &str = "supplydesk-";
const SUFFIX: &str = ".db";
const HEAD_SUFFIX: &str = ".head";
const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// The file name of a copy taken at `at`.
pub fn file_name(at: DateTime<Utc>) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.format(STAMP))
}

/// The time in a copy's file name; `None` for any other file.
pub fn parse_name(name: &str) -> Option<DateTime<Utc>> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    NaiveDateTime::parse_from_str(stamp, STAMP)
        .ok()
        .map(|t| t.and_utc())
}

/// The head file beside a copy.
pub fn head_path(copy: &Path) -> PathBuf {
    let mut p = copy.as_os_str().to_owned();
    p.push(HEAD_SUFFIX);
    PathBuf::from(p)
}

/// What the head file says: the copy's chain head and its checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadFile {
    /// RFC 3339, UTC.
    pub taken_at: String,
    pub file: String,
    pub bytes: u64,
    pub schema_version: i64,
    pub entries: i64,
    pub head_seq: i64,
    pub head_hash: String,
    pub integrity_ok: bool,
    pub chain_ok: bool,
    /// What the checks found, when they failed.
    pub problem: Option<String>,
}

impl HeadFile {
    pub fn ok(&self) -> bool {
        self.integrity_ok && self.chain_ok
    }

    pub fn write(&self, path: &Path, mode: Option<u32>) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        text.push('\n');
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if let Some(m) = mode {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(m);
        }
        std::io::Write::write_all(&mut o.open(path)?, text.as_bytes())
    }

    /// `None` when the file is missing or does not parse.
    pub fn read(path: &Path) -> Option<HeadFile> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }
}

/// One copy found in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub taken_at: DateTime<Utc>,
    pub path: PathBuf,
}

/// The copies in `dir`, newest first.
pub fn list(dir: &Path) -> std::io::Result<Vec<Copy>> {
    let mut copies: Vec<Copy> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name();
            let taken_at = parse_name(name.to_str()?)?;
            Some(Copy {
                taken_at,
                path: e.path(),
            })
        })
        .collect();
    copies.sort_by_key(|c| std::cmp::Reverse(c.taken_at));
    Ok(copies)
}

/// The copies the retention rule lets go: of `copies` (newest first), the
/// newest of each of the `keep_hourly` most recent hours with a copy, and
/// the newest of each of the `keep_daily` most recent days with a copy
/// (days and hours in `tz`), are kept; the rest are returned.
pub fn to_prune(copies: &[Copy], tz: Tz, keep_hourly: u32, keep_daily: u32) -> Vec<PathBuf> {
    let mut keep = vec![false; copies.len()];
    let mut bucket_keep = |fmt: &str, n: u32| {
        let mut last: Option<String> = None;
        let mut seen = 0;
        for (i, c) in copies.iter().enumerate() {
            let b = c.taken_at.with_timezone(&tz).format(fmt).to_string();
            if last.as_ref() != Some(&b) {
                if seen == n {
                    break;
                }
                seen += 1;
                keep[i] = true;
                last = Some(b);
            }
        }
    };
    bucket_keep("%Y-%m-%d %H", keep_hourly);
    bucket_keep("%Y-%m-%d", keep_daily);
    copies
        .iter()
        .zip(keep)
        .filter(|(_, k)| !k)
        .map(|(c, _)| c.path.clone())
        .collect()
}

/// Removes a copy and its head file (and any SQLite companions).
pub fn remove(copy: &Path) -> std::io::Result<()> {
    std::fs::remove_file(copy)?;
    for extra in [HEAD_SUFFIX, "-wal", "-shm", "-journal"] {
        let mut p = copy.as_os_str().to_owned();
        p.push(extra);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap()
    }

    #[test]
    fn names_round_trip_and_other_files_are_not_copies() {
        let t = at(5, 19, 7);
        let n = file_name(t);
        assert_eq!(n, "supplydesk-20261205T190700Z.db");
        assert_eq!(parse_name(&n), Some(t));
        for other in [
            "supplydesk.db",
            "supplydesk-20261205T190700Z.db.head",
            "supplydesk-2026.db",
            "notes.txt",
        ] {
            assert_eq!(parse_name(other), None, "{other}");
        }
        assert_eq!(
            head_path(Path::new("/b/x.db")),
            PathBuf::from("/b/x.db.head")
        );
    }

    #[test]
    fn retention_keeps_the_newest_of_each_hour_and_day() {
        // Three copies an hour for three days, newest first.
        let mut copies = Vec::new();
        for d in (1..=3).rev() {
            for h in (0..24).rev() {
                for m in [40, 20, 0] {
                    let t = at(d, h, m);
                    copies.push(Copy {
                        taken_at: t,
                        path: PathBuf::from(file_name(t)),
                    });
                }
            }
        }
        let tz = chrono_tz::UTC;
        let gone = to_prune(&copies, tz, 5, 2);
        let kept: Vec<_> = copies.iter().filter(|c| !gone.contains(&c.path)).collect();
        let kept: Vec<String> = kept.iter().map(|c| c.taken_at.to_rfc3339()).collect();
        // The newest of the last 5 hours of day 3; of day 3 (same as its
        // newest hour) and of day 2.
        assert_eq!(
            kept,
            [
                "2026-12-03T23:40:00+00:00",
                "2026-12-03T22:40:00+00:00",
                "2026-12-03T21:40:00+00:00",
                "2026-12-03T20:40:00+00:00",
                "2026-12-03T19:40:00+00:00",
                "2026-12-02T23:40:00+00:00",
            ]
        );
        assert_eq!(gone.len(), copies.len() - 6);
        // Days are the configured zone's: 23:40 UTC is already the next
        // day in Shanghai, so the newest of "day 2" there is 15:40 UTC.
        let gone = to_prune(&copies, chrono_tz::Asia::Shanghai, 0, 2);
        let kept: Vec<_> = copies
            .iter()
            .filter(|c| !gone.contains(&c.path))
            .map(|c| c.taken_at.to_rfc3339())
            .collect();
        assert_eq!(
            kept,
            ["2026-12-03T23:40:00+00:00", "2026-12-03T15:40:00+00:00"]
        );
        assert!(to_prune(&copies[..1], tz, 1, 0).is_empty());
    }
}
