//! `supplydesk backup FILE`: a consistent copy of the live database, safe
//! to take while officers are writing (for cron, before an upgrade, or to
//! hand a copy to an auditor). The copy is checked before it is put in
//! place, and the answer says what it holds.
//!
//! `supplydesk backup --rotate`: the same into the config's `[backup] dir`
//! under a timestamped name, with the chain head written beside it, then
//! the retention rule applied (the systemd timer's command).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use supplydesk::backups::{self, HeadFile};
use supplydesk::domain::text::sanitize;
use supplydesk::msg;
use supplydesk::msg::Msg;
use supplydesk::store::backup::{BackupOptions, BackupReport};

use super::{Ctx, EXIT_BROKEN, Failure, Outcome};
use crate::cli::BackupArgs;

pub fn run(ctx: &Ctx, args: &BackupArgs, out: &mut impl Write) -> Outcome {
    let (dest, replace) = match (&args.file, args.rotate) {
        (Some(f), false) => (f.clone(), args.force),
        (_, true) => return rotate(ctx, args, out),
        // clap requires one of them.
        (None, false) => return Err(Failure::User(no_dir())),
    };
    // Reading is all a backup does, so a read-only session may take one.
    let store = ctx.open_for_reading()?;
    let report = store.backup_to(
        &dest,
        BackupOptions {
            mode: Some(ctx.config.mode()),
            replace,
        },
    )?;
    writeln!(out, "{}", describe(&report).get(ctx.lang))?;
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_BROKEN)
    })
}

fn no_dir() -> Msg {
    msg!(
        "没有备份目录：请在配置的 [backup] 中设置 dir，或加 --dir 目录。",
        "No backup directory: set dir in the config's [backup], or pass --dir DIR."
    )
}

/// The scheduled backup: copy, head file, retention. A copy that fails its
/// checks is kept as evidence and nothing is pruned.
fn rotate(ctx: &Ctx, args: &BackupArgs, out: &mut impl Write) -> Outcome {
    let dir = args
        .dir
        .clone()
        .or_else(|| ctx.config.backup.dir.clone())
        .ok_or_else(no_dir)?;
    if !dir.is_dir() {
        let d = sanitize(&dir.to_string_lossy()).into_owned();
        return Err(Failure::User(msg!(
            "备份目录 {d} 不存在；请先创建：install -d -o root -g duty -m 2770 {d}",
            "The backup directory {d} does not exist; create it: install -d -o root -g duty -m 2770 {d}"
        )));
    }
    let store = ctx.open_for_reading()?;
    // Names are to the second: a second run within the same second (by
    // hand while the timer runs) waits for the next one.
    let mut now = chrono::Utc::now();
    while dir.join(backups::file_name(now)).exists() {
        std::thread::sleep(std::time::Duration::from_millis(200));
        now = chrono::Utc::now();
    }
    let dest = dir.join(backups::file_name(now));
    let mode = ctx.config.mode();
    let report = store.backup_to(
        &dest,
        BackupOptions {
            mode: Some(mode),
            replace: false,
        },
    )?;
    let head = head_file(&report, now, store.schema_version()?);
    let head_path = backups::head_path(&dest);
    head.write(&head_path, Some(mode))
        .map_err(|e| cannot_write(&head_path, &e))?;
    writeln!(out, "{}", describe(&report).get(ctx.lang))?;
    if !report.ok() {
        return Ok(ExitCode::from(EXIT_BROKEN));
    }
    let b = &ctx.config.backup;
    let copies = backups::list(&dir).map_err(|e| cannot_write(&dir, &e))?;
    let gone = backups::to_prune(&copies, ctx.tz(), b.keep_hourly, b.keep_daily);
    let mut removed = 0;
    for p in &gone {
        // The copy just taken is never pruned (it is the newest).
        if p != &dest && backups::remove(p).is_ok() {
            removed += 1;
        }
    }
    let kept = copies.len() - removed;
    let (h, d) = (b.keep_hourly, b.keep_daily);
    let hp = sanitize(&head_path.to_string_lossy()).into_owned();
    let m = msg!(
        "链头已写入 {hp}；保留 {kept} 份（每小时最新一份保留 {h} 小时，每天最新一份保留 {d} 天），删除 {removed} 份。",
        "head written to {hp}; {kept} copies kept (the newest of each of the last {h} hours and {d} days), {removed} removed"
    );
    writeln!(out, "{}", m.get(ctx.lang))?;
    Ok(ExitCode::SUCCESS)
}

fn head_file(r: &BackupReport, now: chrono::DateTime<chrono::Utc>, schema: i64) -> HeadFile {
    HeadFile {
        taken_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        file: r
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes: r.bytes,
        schema_version: schema,
        entries: r.chain.entries,
        head_seq: r.chain.head_seq,
        head_hash: r.chain.head_hash.clone(),
        integrity_ok: r.integrity.is_empty(),
        chain_ok: r.chain.ok(),
        problem: (!r.ok()).then(|| problem(r)),
    }
}

fn problem(r: &BackupReport) -> String {
    match (&r.chain.first_bad, r.integrity.first()) {
        (_, Some(p)) => sanitize(p).into_owned(),
        (Some((bad, why)), None) => format!("#{bad}: {}", sanitize(why)),
        (None, None) => String::new(),
    }
}

fn cannot_write(path: &Path, e: &std::io::Error) -> Failure {
    let (p, e) = (
        sanitize(&PathBuf::from(path).to_string_lossy()).into_owned(),
        e.to_string(),
    );
    Failure::User(msg!(
        "无法写入 {p}（{e}）；请检查备份目录的权限。",
        "Cannot write {p} ({e}); check the permissions of the backup directory."
    ))
}

/// The one line a backup prints.
fn describe(report: &BackupReport) -> Msg {
    let path = sanitize(&report.path.to_string_lossy()).into_owned();
    let (n, seq) = (report.chain.entries, report.chain.head_seq);
    let hash = report
        .chain
        .head_hash
        .get(..12)
        .unwrap_or(&report.chain.head_hash)
        .to_string();
    let kib = report.bytes.div_ceil(1024);
    if report.ok() {
        return msg!(
            "已备份到 {path}（{kib} KiB）：完整性检查通过，日志链完整，{n} 条，末条 #{seq} {hash}…",
            "backed up to {path} ({kib} KiB): integrity ok, chain ok, {n} entries, head #{seq} {hash}…"
        );
    }
    // The copy is faithful; what it shows is the state of the database.
    let problem = problem(report);
    msg!(
        "已备份到 {path}，但副本未通过检查（{problem}），说明数据库本身已损坏或被改动；请运行 supplydesk log verify 并保留此副本备查。",
        "backed up to {path}, but the copy fails its checks ({problem}), so the database itself is damaged or was altered; run supplydesk log verify and keep this copy as evidence."
    )
}
