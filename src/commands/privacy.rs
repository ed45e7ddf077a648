//! `supplydesk privacy`: the callers kept from free text, the logged reveal
//! of a caller's number, and erasure of personal data when the emergency
//! ends (issue 21).

use std::io::Write;
use std::process::ExitCode;

use chrono::Duration;
use supplydesk::domain::time::parse_local;
use supplydesk::msg;

use super::{Ctx, Failure, Outcome};
use crate::cli::{EraseArgs, PrivacyCommand};

pub fn run(ctx: &Ctx, c: &PrivacyCommand, out: &mut impl Write) -> Outcome {
    match c {
        PrivacyCommand::Callers => callers(ctx, out),
        PrivacyCommand::Reveal(a) => reveal(ctx, a.caller, out),
        PrivacyCommand::Erase(a) => erase(ctx, a, out),
    }
}

fn callers(ctx: &Ctx, out: &mut impl Write) -> Outcome {
    let store = ctx.open_for_reading()?;
    let rows = store.callers()?;
    if rows.is_empty() {
        let m = msg!("没有记录来电人。", "No callers are kept.");
        writeln!(out, "{}", m.get(ctx.lang))?;
    }
    for r in rows {
        let (id, masked, seq) = (r.id, r.masked, r.first_seq);
        let m = if r.erased {
            msg!(
                "〔来电人#{id}〕 {masked}  首见于日志 #{seq}  号码已删除",
                "〔来电人#{id}〕 {masked}  first in entry #{seq}  number erased"
            )
        } else {
            msg!(
                "〔来电人#{id}〕 {masked}  首见于日志 #{seq}",
                "〔来电人#{id}〕 {masked}  first in entry #{seq}"
            )
        };
        writeln!(out, "{}", m.get(ctx.lang))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn reveal(ctx: &Ctx, id: i64, out: &mut impl Write) -> Outcome {
    let actor = ctx.actor()?;
    let mut store = ctx.open_for_writing()?;
    let (number, seq) = store.reveal_caller(&actor, id)?;
    let m = msg!(
        "来电人 #{id} 的号码：{number}（已记入日志 #{seq}）",
        "Caller #{id}: {number} (recorded in entry #{seq})"
    );
    writeln!(out, "{}", m.get(ctx.lang))?;
    Ok(ExitCode::SUCCESS)
}

fn erase(ctx: &Ctx, args: &EraseArgs, out: &mut impl Write) -> Outcome {
    let days = ctx.config.privacy.retention_days;
    let store = ctx.open_for_reading()?;
    let now = store.now();
    let latest = now - Duration::days(days.max(0));
    let before = match &args.before {
        None => latest,
        Some(d) => {
            let t = parse_local(d, ctx.tz(), now).map_err(|e| {
                let why = e.0;
                Failure::User(msg!(
                    "--before 的日期无法识别：{why}",
                    "--before is not a date I can read: {why}"
                ))
            })?;
            if t > latest {
                let d = d.trim().to_string();
                return Err(Failure::User(msg!(
                    "{d} 晚于保存期限（配置 [privacy] retention_days = {days} 天）允许的最晚日期；请给更早的日期，或由管理员修改保存期限。",
                    "{d} is later than the retention period ([privacy] retention_days = {days} in the config) allows; give an earlier date, or have the administrator change the retention period."
                )));
            }
            t
        }
    };
    store.check_erasable()?;
    let c = store.erasure_counts(before)?;
    let day = supplydesk::domain::time::to_db(before);
    let (r, k, l, d, s) = (c.recipients, c.contacts, c.callers, c.drivers, c.signatures);
    let counts = msg!(
        "对象 {r}，联系记录备注 {k}，来电人 {l}，司机 {d}，签收人 {s}",
        "recipients {r}, contact notes {k}, callers {l}, drivers {d}, signatures {s}"
    );
    let counts = counts.get(ctx.lang).to_string();
    if !args.apply {
        let m = msg!(
            "演练（未做改动）：{day} 之前未再变动的记录中，将删除个人信息：{counts}。确认后加 --apply 执行。",
            "Dry run (nothing changed): personal data of records unchanged since before {day} that would be erased: {counts}. Add --apply to erase it."
        );
        writeln!(out, "{}", m.get(ctx.lang))?;
        return Ok(ExitCode::SUCCESS);
    }
    drop(store);
    let actor = ctx.actor()?;
    let mut store = ctx.open_for_writing()?;
    if c.total() == 0 {
        // Nothing left: only the compaction, which an earlier run may
        // not have managed.
        store
            .compact()
            .map_err(|_| Failure::User(not_compacted()))?;
        let m = msg!(
            "没有需要删除的个人信息；数据库文件已压缩。",
            "No personal data is left to erase; the file was compacted."
        );
        writeln!(out, "{}", m.get(ctx.lang))?;
        return Ok(ExitCode::SUCCESS);
    }
    let (_, seq) = store.erase_personal_data(&actor, before)?;
    let compacted = store.compact();
    let m = msg!(
        "已删除个人信息：{counts}（日志 #{seq}）。姓名已遮蔽，编号与引用保留。",
        "Personal data erased: {counts} (entry #{seq}). Names are masked; ids and references stay."
    );
    writeln!(out, "{}", m.get(ctx.lang))?;
    if compacted.is_err() {
        writeln!(out, "{}", not_compacted().get(ctx.lang))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn not_compacted() -> supplydesk::msg::Msg {
    msg!(
        "注意：数据库文件未能压缩（有其他会话正在使用）；请在所有值班员退出后再运行一次 supplydesk privacy erase --apply，以清除旧页中残留的数据。",
        "Note: the file could not be compacted (another session is using it); run supplydesk privacy erase --apply again once every officer has left, to clear old copies of pages."
    )
}
