//! `supplydesk backup FILE`: a consistent copy of the live database, safe
//! to take while officers are writing (for cron, before an upgrade, or to
//! hand a copy to an auditor). The copy is checked before it is put in
//! place, and the answer says what it holds.

use std::io::Write;
use std::process::ExitCode;

use supplydesk::domain::text::sanitize;
use supplydesk::msg;
use supplydesk::store::backup::BackupOptions;

use super::{Ctx, EXIT_BROKEN, Outcome};
use crate::cli::BackupArgs;

pub fn run(ctx: &Ctx, args: &BackupArgs, out: &mut impl Write) -> Outcome {
    // Reading is all a backup does, so a read-only session may take one.
    let store = ctx.open_for_reading()?;
    let report = store.backup_to(
        &args.file,
        BackupOptions {
            mode: Some(ctx.config.mode()),
            replace: args.force,
        },
    )?;
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
        let m = msg!(
            "已备份到 {path}（{kib} KiB）：完整性检查通过，日志链完整，{n} 条，末条 #{seq} {hash}…",
            "backed up to {path} ({kib} KiB): integrity ok, chain ok, {n} entries, head #{seq} {hash}…"
        );
        writeln!(out, "{}", m.get(ctx.lang))?;
        return Ok(ExitCode::SUCCESS);
    }
    // The copy is faithful; what it shows is the state of the database.
    let problem = match (&report.chain.first_bad, report.integrity.first()) {
        (_, Some(p)) => sanitize(p).into_owned(),
        (Some((bad, why)), None) => format!("#{bad}: {}", sanitize(why)),
        (None, None) => String::new(),
    };
    let m = msg!(
        "已备份到 {path}，但副本未通过检查（{problem}），说明数据库本身已损坏或被改动；请运行 supplydesk log verify 并保留此副本备查。",
        "backed up to {path}, but the copy fails its checks ({problem}), so the database itself is damaged or was altered; run supplydesk log verify and keep this copy as evidence."
    );
    writeln!(out, "{}", m.get(ctx.lang))?;
    Ok(ExitCode::from(EXIT_BROKEN))
}
