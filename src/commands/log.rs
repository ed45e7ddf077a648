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
use supplydesk::store::log::{LogFilter, LogRow};

use super::{Ctx, EXIT_BROKEN, Failure, Outcome};
use crate::cli::{LogAddArgs, LogListArgs};

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
    let seq = store.add_entry(&actor, kind, &text, occurred_at, args.corrects)?;
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

pub fn verify(ctx: &Ctx, out: &mut impl Write) -> Outcome {
    let store = ctx.open_for_reading()?;
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
        sanitize(&r.text)
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
            format!("无法识别时间 “{s}”；请写成 2026-11-29 08:30、08:30 或 -2h 这样的形式。"),
            sanitize(&e.0).into_owned(),
        ))
    })
}
