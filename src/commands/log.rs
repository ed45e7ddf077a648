//! `supplydesk log add|list|verify`: the duty log from the shell.

use std::io::Write;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use unicode_width::UnicodeWidthStr;

use supplydesk::domain::Code;
use supplydesk::domain::log::LogKind;
use supplydesk::domain::text::{pad_to_width, sanitize};
use supplydesk::domain::time::{from_db, local_minute, parse_local};
use supplydesk::msg;
use supplydesk::msg::Msg;
use supplydesk::store::log::{Caller, LogFilter, LogRow};

use super::{Ctx, EXIT_BROKEN, Failure, Outcome};
use crate::cli::{LogAddArgs, LogListArgs, LogVerifyArgs};

pub fn add(ctx: &Ctx, args: &LogAddArgs, out: &mut impl Write) -> Outcome {
    let kind = free_kind(&args.kind)?;
    let mut store = ctx.open_for_writing()?;
    let actor = ctx.actor()?;
    let occurred_at = args
        .at
        .as_deref()
        .map(|s| time(s, ctx, store.now()))
        .transpose()?;
    let text = args.text.join(" ");
    let caller = args.caller.as_ref().map(|name| Caller {
        name: name.clone(),
        from: args.from.clone(),
    });
    let seq = store.add_entry_by(
        &actor,
        kind,
        &text,
        occurred_at,
        args.corrects,
        caller.as_ref(),
    )?;
    writeln!(
        out,
        "{}",
        msg!("已记录 #{seq}", "recorded #{seq}").get(ctx.lang)
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn list(ctx: &Ctx, args: &LogListArgs, out: &mut impl Write) -> Outcome {
    let kind = args.kind.as_deref().map(any_kind).transpose()?;
    let store = ctx.open_for_reading()?;
    let now = store.now();
    let filter = LogFilter {
        since: args
            .since
            .as_deref()
            .map(|s| time(s, ctx, now))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|s| time(s, ctx, now))
            .transpose()?,
        kind,
        grep: args.grep.clone(),
        officer: args.by.clone(),
        before_seq: None,
        limit: (args.limit > 0).then_some(i64::from(args.limit)),
        community: args
            .community
            .as_deref()
            .map(|c| supplydesk::store::places::Ref::Name(c.to_string())),
    };
    let rows = store.log_list(&filter)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        let widths = Widths {
            kind: LogKind::ALL
                .iter()
                .map(|k| k.label(ctx.lang).width())
                .max()
                .unwrap_or(0),
            officer: rows
                .iter()
                .map(|r| sanitize(&r.officer).width())
                .max()
                .unwrap_or(0),
        };
        for r in &rows {
            writeln!(out, "{}", line(r, ctx, &widths))?;
        }
    }
    if args.limit > 0 && rows.len() == args.limit as usize {
        let n = args.limit;
        eprintln!(
            "{}",
            msg!(
                "（仅显示最新 {n} 条；--limit 0 显示全部）",
                "(the newest {n} entries; --limit 0 shows all)"
            )
            .get(ctx.lang)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn verify(ctx: &Ctx, args: &LogVerifyArgs, out: &mut impl Write) -> Outcome {
    let store = ctx.open_for_reading()?;
    if let Some(file) = &args.against_report {
        return against_report(ctx, &store, file, out);
    }
    let v = store.verify_log()?;
    match &v.first_bad {
        None => {
            let (n, seq, hash) = (
                v.entries,
                v.head_seq,
                v.head_hash.get(..12).unwrap_or(&v.head_hash),
            );
            let m = msg!(
                "日志链完整：{n} 条，末条 #{seq} {hash}…",
                "chain ok: {n} entries, head #{seq} {hash}…"
            );
            writeln!(out, "{}", m.get(ctx.lang))?;
            Ok(ExitCode::SUCCESS)
        }
        Some((seq, why)) => {
            let why = sanitize(why);
            let m = msg!(
                "日志链在第 #{seq} 条处断开：{why}",
                "chain broken at entry #{seq}: {why}"
            );
            writeln!(out, "{}", m.get(ctx.lang))?;
            Ok(ExitCode::from(EXIT_BROKEN))
        }
    }
}

/// `log verify --against-report FILE`: the entry at the head the report
/// printed must still have the hash printed, and the chain must verify up
/// to it (and beyond). A chain rewritten from scratch, every hash
/// recomputed, verifies on its own; the report's hash is what it cannot
/// match.
fn against_report(
    ctx: &Ctx,
    store: &supplydesk::store::Store,
    file: &std::path::Path,
    out: &mut impl Write,
) -> Outcome {
    let text = std::fs::read(file).map_err(|e| {
        let (f, e) = (file.display(), e.to_string());
        msg!(
            "无法读取报告文件 {f}：{e}；请检查路径。",
            "Cannot read the report file {f}: {e}; check the path."
        )
    })?;
    let text = String::from_utf8_lossy(&text);
    let Some(head) = supplydesk::report::handover::head_in_report(&text) else {
        let f = file.display();
        return Err(Failure::User(msg!(
            "{f} 中找不到日志链头（“日志链头 Chain head: #序号 sha256:哈希” 一行，或 JSON 的 chain_head）；请给出 supplydesk handover 生成的报告。",
            "{f} holds no chain head (a line \"日志链头 Chain head: #SEQ sha256:HASH\", or chain_head in JSON); give a report made by supplydesk handover."
        )));
    };
    let (seq, short) = (
        head.seq,
        head.hash.get(..12).unwrap_or(&head.hash).to_string(),
    );
    let v = store.verify_log()?;
    let broken = |m: Msg, out: &mut dyn Write| -> Outcome {
        writeln!(out, "{}", m.get(ctx.lang))?;
        Ok(ExitCode::from(EXIT_BROKEN))
    };
    if let Some((bad, why)) = &v.first_bad
        && *bad <= seq
    {
        let why = sanitize(why);
        return broken(
            msg!(
                "日志链在报告链头 #{seq} 之前的第 #{bad} 条处断开：{why}",
                "chain broken at entry #{bad}, before the report's head #{seq}: {why}"
            ),
            out,
        );
    }
    // A report of an empty log printed the hash before the first entry.
    let stored = match seq {
        0 => Some(supplydesk::domain::log::GENESIS.to_string()),
        _ => store.entry(seq)?.map(|e| e.hash),
    };
    let Some(stored) = stored else {
        return broken(
            msg!(
                "日志中没有报告所载链头 #{seq}：记录被删除或日志被替换",
                "the log has no entry #{seq}, the report's head: entries were removed or the log was replaced"
            ),
            out,
        );
    };
    if !stored.eq_ignore_ascii_case(&head.hash) {
        let now = stored.get(..12).unwrap_or(&stored).to_string();
        return broken(
            msg!(
                "第 #{seq} 条的哈希现为 {now}…，报告所载为 {short}…：报告生成后，这条或之前的日志被改动（整条链被重算也会如此）",
                "entry #{seq} now has hash {now}…, the report printed {short}…: it or an entry before it was changed after the report (a chain recomputed from scratch shows this too)"
            ),
            out,
        );
    }
    if let Some((bad, why)) = &v.first_bad {
        let why = sanitize(why);
        return broken(
            msg!(
                "报告链头 #{seq} 及之前的日志完好，但其后第 #{bad} 条处断开：{why}",
                "the log up to the report's head #{seq} is intact, but the chain breaks later at entry #{bad}: {why}"
            ),
            out,
        );
    }
    let n = v.entries;
    writeln!(
        out,
        "{}",
        msg!(
            "与报告一致：第 #{seq} 条哈希 {short}… 相符，日志链完整（{n} 条）",
            "matches the report: entry #{seq} has hash {short}…, and the chain is intact ({n} entries)"
        )
        .get(ctx.lang)
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Column widths, so the text column lines up.
struct Widths {
    kind: usize,
    officer: usize,
}

/// `#seq  local time  kind  officer  text`, with what the entry points at.
fn line(r: &LogRow, ctx: &Ctx, w: &Widths) -> String {
    let (tz, lang) = (ctx.tz(), ctx.lang);
    let at = |s: &str| {
        from_db(s)
            .map(|t| local_minute(t, tz))
            .unwrap_or_else(|| sanitize(s).into_owned())
    };
    let kind = LogKind::from_code(&r.kind).map_or_else(
        || sanitize(&r.kind).into_owned(),
        |k| k.label(lang).to_string(),
    );
    let mut s = format!(
        "#{:<6} {}  {}  {}  {}",
        r.seq,
        at(&r.recorded_at),
        pad_to_width(&kind, w.kind),
        pad_to_width(&sanitize(&r.officer), w.officer),
        sanitize(&r.line(lang))
    );
    if let Some(o) = &r.occurred_at {
        let o = at(o);
        s.push_str(&format!(
            "  {}",
            msg!("（发生于 {o}）", "(happened {o})").get(lang)
        ));
    }
    if let Some(c) = r.corrects {
        s.push_str(&format!(
            "  {}",
            msg!("（更正 #{c}）", "(corrects #{c})").get(lang)
        ));
    }
    if let Some(c) = r.corrected_by {
        s.push_str(&format!(
            "  {}",
            msg!("（已被 #{c} 更正）", "(corrected by #{c})").get(lang)
        ));
    }
    s
}

/// A kind a person may write; anything else gets one sentence naming them.
fn free_kind(input: &str) -> Result<LogKind, Failure> {
    match LogKind::parse(input) {
        // Kinds the system writes are refused by the store with its reason.
        Some(k) => Ok(k),
        None => {
            let k = sanitize(input);
            Err(Failure::User(msg!(
                "未知的记录类型 “{k}”；请用 note（记事）、call（来电）或 instruction（指示）。",
                "unknown kind {k}; use note, call or instruction"
            )))
        }
    }
}

fn any_kind(input: &str) -> Result<LogKind, Failure> {
    LogKind::parse(input).ok_or_else(|| {
        let (k, all) = (sanitize(input), LogKind::codes_list());
        Failure::User(msg!(
            "未知的记录类型 “{k}”；可用：{all}。",
            "unknown kind {k}; use one of {all}"
        ))
    })
}

fn time(input: &str, ctx: &Ctx, now: DateTime<Utc>) -> Result<DateTime<Utc>, Failure> {
    parse_local(input, ctx.tz(), now).map_err(|e| {
        let s = sanitize(input.trim());
        Failure::User(Msg::new(
            e.1.clone().unwrap_or_else(|| {
                format!("无法识别时间 “{s}”；请写成 2026-11-29 08:30、08:30 或 -2h 这样的形式。")
            }),
            sanitize(&e.0).into_owned(),
        ))
    })
}
