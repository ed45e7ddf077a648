//! `supplydesk handover` and `supplydesk shift start|end|ack|list`: the
//! handover report and the shift steps from the shell.

use std::io::Write;
use std::process::ExitCode;

use supplydesk::domain::Code;
use supplydesk::domain::shift::{CarryKind, ItemSection};
use supplydesk::domain::text::sanitize;
use supplydesk::domain::time::{local_minute, parse_local};
use supplydesk::i18n::Lang;
use supplydesk::msg;
use supplydesk::msg::Msg;
use supplydesk::report::handover::{self, ReportOptions, Which};
use supplydesk::store::shifts::{AckTarget, CarryRules, HandoverItem, ShiftRow};

use super::{Ctx, Failure, Outcome};
use crate::cli::{
    HandoverArgs, ReportFormat, ShiftAckArgs, ShiftCommand, ShiftEndArgs, ShiftListArgs,
};

/// `supplydesk handover [--shift ID] [--format md|json]`.
pub fn report(ctx: &Ctx, args: &HandoverArgs, out: &mut impl Write) -> Outcome {
    let store = ctx.open_for_reading()?;
    let which = args.shift.map_or(Which::Latest, Which::Shift);
    let opts = ReportOptions {
        // Markdown shows the first few of each list and the totals; no
        // need to read the rest.
        list_limit: match args.format {
            ReportFormat::Md | ReportFormat::Text => Some(handover::MD_LIST_MAX),
            ReportFormat::Json => None,
        },
        ..ReportOptions::from_config(&ctx.config)
    };
    let r = handover::build(&store, which, &opts)?;
    match args.format {
        ReportFormat::Text => write!(out, "{}", r.to_text(ctx.lang))?,
        ReportFormat::Md => write!(out, "{}", r.to_markdown(ctx.lang))?,
        ReportFormat::Json => writeln!(out, "{}", r.to_json())?,
    }
    Ok(ExitCode::SUCCESS)
}

pub fn shift(ctx: &Ctx, cmd: &ShiftCommand, out: &mut impl Write) -> Outcome {
    match cmd {
        ShiftCommand::Start => start(ctx, out),
        ShiftCommand::End(a) => end(ctx, a, out),
        ShiftCommand::Ack(a) => ack(ctx, a, out),
        ShiftCommand::List(a) => list(ctx, a, out),
    }
}

fn start(ctx: &Ctx, out: &mut impl Write) -> Outcome {
    let mut store = ctx.open_for_writing()?;
    let actor = ctx.actor()?;
    let (id, seq) = store.start_shift(&actor)?;
    let who = sanitize(&actor.officer);
    writeln!(
        out,
        "{}",
        msg!(
            "班次 #{id} 开始，值班员 {who}（日志 #{seq}）",
            "shift #{id} started, {who} on duty (entry #{seq})"
        )
        .get(ctx.lang)
    )?;
    Ok(ExitCode::SUCCESS)
}

fn rules(ctx: &Ctx) -> CarryRules {
    ReportOptions::from_config(&ctx.config).carry_rules()
}

fn end(ctx: &Ctx, args: &ShiftEndArgs, out: &mut impl Write) -> Outcome {
    let mut store = ctx.open_for_writing()?;
    let actor = ctx.actor()?;
    let cutoff = match args.cutoff.as_deref() {
        Some(s) => Some(parse_local(s, ctx.tz(), store.now()).map_err(|e| {
            let s = sanitize(s.trim());
            Failure::User(Msg::new(
                e.1.clone().unwrap_or_else(|| format!(
                    "无法识别截止时间 “{s}”；请写成 2026-11-29 08:00、08:00 或 -10m 这样的形式。"
                )),
                sanitize(&e.0).into_owned(),
            ))
        })?),
        None => None,
    };
    let notes: Vec<(CarryKind, String)> = args
        .instruct
        .iter()
        .map(|t| (CarryKind::Instruction, t.clone()))
        .chain(args.watch.iter().map(|t| (CarryKind::Watch, t.clone())))
        .collect();
    // The incoming officer as the console picks names: one who has been on
    // duty by a part of the name or its initials, or a new name in full.
    let to = store.pick_or_typed(supplydesk::domain::pick::Kind::Officer, &args.to)?;
    let h = store.end_shift_with(&actor, &to, cutoff, &rules(ctx), &notes)?;
    let s = store.shift(h.shift_id)?;
    let (id, to) = (s.id, sanitize(s.incoming.as_deref().unwrap_or_default()));
    let at = s
        .cutoff
        .map(|t| local_minute(t, ctx.tz()))
        .unwrap_or_default();
    let (hseq, hash) = (h.head.seq, h.head.hash.as_str());
    let n = h.items.len();
    let m = match h.readdressed_from.as_deref().map(sanitize) {
        Some(was) => msg!(
            "班次 #{id} 已改交给 {to}（原为 {was}），截止 {at} 不变；日志链头 #{hseq} {hash}；遗留事项 {n} 项，待 {to} 确认",
            "shift #{id} re-addressed to {to} (was {was}), cut-off {at} unchanged; chain head #{hseq} {hash}; {n} carry-over items for {to} to acknowledge"
        ),
        None => msg!(
            "班次 #{id} 已交班给 {to}，截止 {at}；日志链头 #{hseq} {hash}；遗留事项 {n} 项，待 {to} 确认",
            "shift #{id} handed over to {to}, cut-off {at}; chain head #{hseq} {hash}; {n} carry-over items for {to} to acknowledge"
        ),
    };
    writeln!(out, "{}", m.get(ctx.lang))?;
    write_items(out, &h.items, ctx.lang)?;
    let m = msg!(
        "报告：supplydesk handover --shift {id}",
        "report: supplydesk handover --shift {id}"
    );
    writeln!(out, "{}", m.get(ctx.lang))?;
    Ok(ExitCode::SUCCESS)
}

fn ack(ctx: &Ctx, args: &ShiftAckArgs, out: &mut impl Write) -> Outcome {
    let mut store = ctx.open_for_writing()?;
    let actor = ctx.actor()?;
    let target = match (args.item, args.all, args.section.as_deref()) {
        (Some(n), _, _) => AckTarget::Item(n),
        (None, _, Some(s)) => match ItemSection::parse(s) {
            Some(sec) => AckTarget::Section(sec),
            None => {
                let s = sanitize(s.trim());
                let names = ItemSection::ALL
                    .iter()
                    .map(|x| format!("{} {}", x.code(), x.label_zh()))
                    .collect::<Vec<_>>()
                    .join("、");
                return Err(Failure::User(Msg::new(
                    format!("没有名为 “{s}” 的一节；可用：{names}。"),
                    format!("There is no section \"{s}\"; use one of: {names}."),
                )));
            }
        },
        (None, true, None) => AckTarget::All,
        (None, false, None) => AckTarget::Handover,
    };
    let a = store.acknowledge_handover(&actor, args.shift, target)?;
    let id = a.shift_id;
    let lang = ctx.lang;
    if a.handover {
        writeln!(
            out,
            "{}",
            msg!(
                "已确认接班（班次 #{id}）",
                "handover of shift #{id} acknowledged"
            )
            .get(lang)
        )?;
    }
    if !a.items.is_empty() {
        let list = a
            .items
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(
            out,
            "{}",
            msg!(
                "已确认遗留事项：{list}",
                "carry-over items acknowledged: {list}"
            )
            .get(lang)
        )?;
    }
    let left = a.remaining;
    writeln!(
        out,
        "{}",
        if left == 0 {
            msg!(
                "遗留事项已全部确认",
                "no carry-over item left to acknowledge"
            )
        } else {
            msg!(
                "尚有 {left} 项遗留事项未确认（shift ack --item N 或 --all）",
                "{left} carry-over items not acknowledged yet (shift ack --item N or --all)"
            )
        }
        .get(lang)
    )?;
    if let Some(n) = a.started {
        let who = sanitize(&actor.officer);
        writeln!(
            out,
            "{}",
            msg!(
                "班次 #{n} 开始，值班员 {who}",
                "shift #{n} started, {who} on duty"
            )
            .get(lang)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn list(ctx: &Ctx, args: &ShiftListArgs, out: &mut impl Write) -> Outcome {
    let store = ctx.open_for_reading()?;
    let limit = if args.limit == 0 {
        i64::MAX
    } else {
        i64::from(args.limit)
    };
    let rows = if store.schema_version()? < 3 {
        Vec::new()
    } else {
        store.shifts_page(0, limit)?
    };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        writeln!(
            out,
            "{}",
            msg!(
                "还没有班次；用 supplydesk shift start 上岗。",
                "no shifts yet; start one with supplydesk shift start"
            )
            .get(ctx.lang)
        )?;
    }
    for s in &rows {
        writeln!(out, "{}", shift_line(s, ctx))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn shift_line(s: &ShiftRow, ctx: &Ctx) -> String {
    let (tz, lang) = (ctx.tz(), ctx.lang);
    let from = local_minute(s.started_at, tz);
    let mut line = format!(
        "#{:<5} {}  {}  {}",
        s.id,
        from,
        s.state.label(lang),
        sanitize(&s.officer)
    );
    if let Some(to) = &s.incoming {
        line.push_str(&format!(" → {}", sanitize(to)));
    }
    if let Some(c) = s.cutoff {
        let c = local_minute(c, tz);
        line.push_str(&format!("  {}", msg!("截止 {c}", "cut-off {c}").get(lang)));
    }
    if s.items > 0 {
        let (n, u) = (s.items, s.items_unacknowledged);
        line.push_str(&format!(
            "  {}",
            msg!(
                "遗留 {n} 项，未确认 {u}",
                "{n} carry-over, {u} not acknowledged"
            )
            .get(lang)
        ));
    }
    line
}

fn write_items(out: &mut impl Write, items: &[HandoverItem], lang: Lang) -> std::io::Result<()> {
    let mut section = None;
    for i in items {
        if section != Some(i.section) {
            section = Some(i.section);
            let n = items.iter().filter(|x| x.section == i.section).count();
            let title = i.section.label(lang);
            match lang {
                Lang::Zh => writeln!(out, "【{title}】{n} 项")?,
                Lang::En => writeln!(out, "[{title}] {n}")?,
            }
        }
        let mark = if i.acknowledged_at.is_some() {
            "[x]"
        } else {
            "[ ]"
        };
        let again = if i.carried_from.is_some() && i.acknowledged_at.is_none() {
            lang.t(
                "（前一班起未确认）",
                " (not acknowledged since an earlier shift)",
            )
        } else {
            ""
        };
        let summary = handover::strip_offsets(lang.t(&i.summary_zh, &i.summary_en));
        let next = lang.t(&i.next_zh, &i.next_en);
        let next = if next.is_empty() {
            String::new()
        } else {
            format!(" → {}", sanitize(next))
        };
        writeln!(
            out,
            "  {mark} {}. {}{again}{next}",
            i.pos,
            sanitize(&summary)
        )?;
    }
    Ok(())
}
