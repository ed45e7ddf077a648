//! `supplydesk import KIND FILE [--dry-run]`: a clerk's ledger into the
//! register, all or nothing. The summary goes to stdout; bad rows and
//! warnings, each with its Excel row and column, go to stderr. A stock
//! import also says which predicted shortage alerts its figures raised or
//! cleared (judged by the configured norms).

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

use supplydesk::domain::Code;
use supplydesk::domain::cover;
use supplydesk::domain::text::sanitize;
use supplydesk::i18n::Lang;
use supplydesk::ledger::{self, Kind, Outcome as Imported, Skip, headers, progress::Bar};
use supplydesk::msg;
use supplydesk::msg::Msg;
use supplydesk::store::ledger::LedgerTable;
use supplydesk::store::supply::PredictedChange;

use super::{Ctx, Failure, Outcome};
use crate::cli::ImportArgs;

/// Exit code when rows are bad and nothing was imported.
const EXIT_BAD_ROWS: u8 = 1;

/// Bad rows listed before "and N more".
const ISSUES_SHOWN: usize = 50;
/// Added and changed records listed before "and N more".
const RECORDS_SHOWN: usize = 20;

/// A ledger kind as typed: its code, Chinese label or an alias.
pub fn kind_of(typed: &str) -> Result<Kind, Failure> {
    Kind::parse(typed).ok_or_else(|| {
        let t = sanitize(typed).into_owned();
        let list = Kind::codes_list();
        Failure::User(msg!(
            "不认识台账类型“{t}”；可用：{list}。",
            "\"{t}\" is not a ledger kind; use one of: {list}."
        ))
    })
}

pub fn run(ctx: &Ctx, args: &ImportArgs, out: &mut impl Write) -> Outcome {
    let kind = kind_of(&args.kind)?;
    let lang = ctx.lang;
    // A dry run needs no officer and no write access: it cannot write.
    let (mut store, actor) = if args.dry_run {
        (ctx.open_for_reading()?, None)
    } else {
        let actor = ctx.actor()?;
        (ctx.open_for_writing()?, Some(actor))
    };
    let bar = Bar::on_stderr(lang);
    let norms = ctx.config.norms.norms();
    let done = ledger::import_with(
        &mut store,
        actor.as_ref(),
        kind,
        &args.file,
        args.sheet.as_deref(),
        ctx.tz(),
        args.dry_run,
        &norms,
        &bar,
    )?;
    bar.finish();
    notes(&done, lang);
    let issues = done.issues();
    if !issues.is_empty() {
        let mut err = std::io::stderr().lock();
        for i in issues.iter().take(ISSUES_SHOWN) {
            writeln!(err, "{}", sanitize(&done.locate(i, lang)))?;
        }
        if issues.len() > ISSUES_SHOWN {
            let more = issues.len() - ISSUES_SHOWN;
            writeln!(
                err,
                "{}",
                msg!(
                    "……另有 {more} 处问题未列出。",
                    "… and {more} more problems."
                )
                .get(lang)
            )?;
        }
        let n = issues.len();
        let mut rows: Vec<usize> = issues.iter().map(|i| i.row).collect();
        rows.dedup();
        let r = rows.len();
        let m = match &done.parsed.sheet.name {
            Some(name) => {
                let name = sanitize(name);
                msg!(
                    "工作表“{name}”有 {n} 处问题（{r} 行），未导入任何内容；请改正后重新导入。",
                    "Sheet \"{name}\" has {n} problems in {r} rows; nothing was imported. Correct them and import again."
                )
            }
            None => msg!(
                "台账有 {n} 处问题（{r} 行），未导入任何内容；请改正后重新导入。",
                "The ledger has {n} problems in {r} rows; nothing was imported. Correct them and import again."
            ),
        };
        writeln!(err, "supplydesk: {}", m.get(lang))?;
        return Ok(ExitCode::from(EXIT_BAD_ROWS));
    }
    // The communities of predicted alerts, for their lines.
    let mut names = HashMap::new();
    for ch in &done.predicted {
        let (PredictedChange::Raised { community_id, .. }
        | PredictedChange::Cleared { community_id, .. }) = ch;
        if let Ok(c) = store.community(*community_id) {
            names.insert(*community_id, c.name);
        }
    }
    summary(&done, &names, lang, out)?;
    Ok(ExitCode::SUCCESS)
}

/// Warnings: odd plates.
fn notes(done: &Imported, lang: Lang) {
    let note = lang.t("注意：", "note: ");
    for w in &done.parsed.warnings {
        let accepted = lang.t("（已接受）", " (accepted)");
        eprintln!("{note}{}{accepted}", sanitize(&done.locate(w, lang)));
    }
}

/// Row numbers as a short list: 3–5, 9.
fn row_list(rows: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        while j + 1 < rows.len() && rows[j + 1] == rows[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}–{}", rows[i], rows[j])
        } else {
            rows[i].to_string()
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// What of the sheet is not imported, and the units applied: columns the
/// ledger has no field for, rows skipped (totals, notes, empty rows).
fn layout_lines(done: &Imported, lang: Lang, out: &mut impl Write) -> std::io::Result<()> {
    let cols = &done.parsed.columns;
    let specs = done.kind.table().fields();
    // Units that change the figures (吨 on a kg column); 吨 on a tonnes
    // column is as the template has it.
    let mut scaled: Vec<_> = cols.scale.iter().filter(|(_, s)| s.factor != 1.0).collect();
    scaled.sort_by_key(|(f, _)| **f);
    for (f, sc) in scaled {
        let (c, h) = &cols.by_field[f];
        let (c, h) = (headers::column_letter(*c), sanitize(h));
        let unit = sanitize(&sc.unit);
        let factor = ledger::read::number_text(sc.factor);
        let (fzh, fen) = (specs[*f].zh, specs[*f].en);
        let m = msg!(
            "{c} 列“{h}”按表头的单位“{unit}”换算（×{factor}）记为{fzh}。",
            "Column {c} \"{h}\" is in {unit} as its header says: multiplied by {factor} for the {fen}."
        );
        writeln!(out, "{}", m.get(lang))?;
    }
    if !cols.unused.is_empty() {
        let list: Vec<String> = cols
            .unused
            .iter()
            .map(|(c, h)| format!("{}（{}）", headers::column_letter(*c), sanitize(h)))
            .collect();
        let list = list.join("、");
        let m = msg!(
            "未导入的列（台账中没有这一项）：{list}",
            "Columns not imported (not part of the ledger): {list}"
        );
        writeln!(out, "{}", m.get(lang))?;
    }
    for why in [Skip::Total, Skip::Note, Skip::Empty] {
        let rows = done.parsed.skipped_as(why);
        if rows.is_empty() {
            continue;
        }
        let (zh, en) = why.label();
        let rows = row_list(&rows);
        let m = msg!("跳过{zh}：第 {rows} 行", "Skipped {en}: rows {rows}");
        writeln!(out, "{}", m.get(lang))?;
    }
    Ok(())
}

fn summary(
    done: &Imported,
    names: &HashMap<i64, String>,
    lang: Lang,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let r = &done.report;
    let (tzh, ten) = (done.kind.label_zh(), done.kind.label_en());
    let file = sanitize(&done.source.file_name).into_owned();
    let sha = done.source.sha256.get(..16).unwrap_or(&done.source.sha256);
    let read_as = match (&done.parsed.sheet.encoding, &done.parsed.sheet.name) {
        (Some(e), _) => e.name().to_string(),
        (None, Some(n)) => format!("{}「{}」", lang.t("工作表", "sheet "), sanitize(n)),
        (None, None) => String::new(),
    };
    let header = done.parsed.columns.header_row;
    let head = msg!(
        "{tzh} ← {file}（{read_as}，表头在第 {header} 行，SHA-256 {sha}…）",
        "{ten} ← {file} ({read_as}, header in row {header}, SHA-256 {sha}…)"
    );
    writeln!(out, "{}", head.get(lang))?;
    layout_lines(done, lang, out)?;
    let (a, c, u) = (r.added.len(), r.changed.len(), r.unchanged);
    let stock = done.kind.table() == LedgerTable::StockReport;
    let line: Msg = match (done.dry_run, r.seq) {
        (true, _) | (false, None) if stock => msg!(
            "试运行，未写入任何内容：将导入新的库存报告 {a} 份，{u} 份与已有报告相同、不再重复。",
            "Dry run, nothing written: stock reports to import: {a} new, {u} already recorded."
        ),
        (false, Some(seq)) if stock => msg!(
            "已导入库存报告：新增 {a} 份，{u} 份与已有报告相同、未重复记录；已记入值守日志 #{seq}。",
            "Stock reports imported: {a} new, {u} already recorded and left out; recorded as duty-log entry #{seq}."
        ),
        (true, _) | (false, None) => msg!(
            "试运行，未写入任何内容：将新增 {a} 条，更新 {c} 条，{u} 条不变。",
            "Dry run, nothing written: would add {a}, change {c}, leave {u} unchanged."
        ),
        (false, Some(seq)) => msg!(
            "已导入：新增 {a} 条，更新 {c} 条，{u} 条不变；已记入值守日志 #{seq}。",
            "Imported: added {a}, changed {c}, {u} unchanged; recorded as duty-log entry #{seq}."
        ),
    };
    writeln!(out, "{}", line.get(lang))?;
    let fields = done.kind.table();
    if !r.changed.is_empty() {
        writeln!(out, "{}", lang.t("更新：", "Changed:"))?;
        for ch in r.changed.iter().take(RECORDS_SHOWN) {
            let what: Vec<String> = ch
                .fields
                .iter()
                .map(|f| {
                    let name = fields
                        .field(f.field)
                        .map_or(f.field, |s| if lang.is_zh() { s.zh } else { s.en });
                    format!("{name} {} → {}", sanitize(&f.old), sanitize(&f.new))
                })
                .collect();
            let row = ch.row;
            let key = sanitize(&ch.key);
            let place = msg!("第 {row} 行", "row {row}");
            let sep = lang.t("：", ": ");
            let join = lang.t("；", "; ");
            writeln!(out, "  {} {key}{sep}{}", place.get(lang), what.join(join))?;
        }
        more(out, r.changed.len(), lang)?;
    }
    if !r.added.is_empty() {
        writeln!(out, "{}", lang.t("新增：", "Added:"))?;
        for (row, key) in r.added.iter().take(RECORDS_SHOWN) {
            let place = msg!("第 {row} 行", "row {row}");
            writeln!(out, "  {} {}", place.get(lang), sanitize(key))?;
        }
        more(out, r.added.len(), lang)?;
    }
    if stock && done.written() {
        predictions(&done.predicted, names, lang, out)?;
    }
    Ok(())
}

/// The predicted alerts a stock import raised and cleared: a count line,
/// then one line per alert.
fn predictions(
    changes: &[PredictedChange],
    names: &HashMap<i64, String>,
    lang: Lang,
    out: &mut impl Write,
) -> std::io::Result<()> {
    // How many, and the first ids of them.
    let ids = |raised: bool| -> (usize, String) {
        let all: Vec<String> = changes
            .iter()
            .filter_map(|c| match (c, raised) {
                (PredictedChange::Raised { alert_id, .. }, true)
                | (PredictedChange::Cleared { alert_id, .. }, false) => {
                    Some(format!("#{alert_id}"))
                }
                _ => None,
            })
            .collect();
        let mut shown = all[..all.len().min(RECORDS_SHOWN)].join(lang.t("、", ", "));
        if all.len() > RECORDS_SHOWN {
            shown.push_str(" …");
        }
        (all.len(), shown)
    };
    let ((r, rl), (c, cl)) = (ids(true), ids(false));
    let line = match (r, c) {
        (0, 0) => msg!(
            "预测短缺预警：未发出，也未解除。",
            "Predicted shortage alerts: none raised, none cleared."
        ),
        (_, 0) => msg!(
            "预测短缺预警：发出 {r} 条（{rl}），解除 0 条。",
            "Predicted shortage alerts: {r} raised ({rl}), 0 cleared."
        ),
        (0, _) => msg!(
            "预测短缺预警：发出 0 条，解除 {c} 条（{cl}）。",
            "Predicted shortage alerts: 0 raised, {c} cleared ({cl})."
        ),
        _ => msg!(
            "预测短缺预警：发出 {r} 条（{rl}），解除 {c} 条（{cl}）。",
            "Predicted shortage alerts: {r} raised ({rl}), {c} cleared ({cl})."
        ),
    };
    writeln!(out, "{}", line.get(lang))?;
    let place = |id: &i64| {
        names
            .get(id)
            .map_or_else(|| format!("#{id}"), |n| sanitize(n).into_owned())
    };
    for ch in changes.iter().take(RECORDS_SHOWN) {
        let m = match ch {
            PredictedChange::Raised {
                alert_id,
                community_id,
                item,
                severity,
                days,
                seq,
            } => {
                let (c, i, s, d) = (
                    place(community_id),
                    item.label(lang),
                    severity.label(lang),
                    cover::format_days(*days),
                );
                msg!(
                    "  发出预测短缺预警 #{alert_id}：{c} {i}，预计可供 {d} 天（{s}）；日志 #{seq}。",
                    "  raised predicted shortage alert #{alert_id}: {c} {i}, {d} days of cover ({s}); log #{seq}."
                )
            }
            PredictedChange::Cleared {
                alert_id,
                community_id,
                item,
                seq,
            } => {
                let (c, i) = (place(community_id), item.label(lang));
                msg!(
                    "  预测预警 #{alert_id}（{c} {i}）随供应恢复自动解除；日志 #{seq}。",
                    "  cleared predicted alert #{alert_id} ({c} {i}): cover has recovered; log #{seq}."
                )
            }
        };
        writeln!(out, "{}", m.get(lang))?;
    }
    more(out, changes.len(), lang)
}

fn more(out: &mut impl Write, n: usize, lang: Lang) -> std::io::Result<()> {
    if n > RECORDS_SHOWN {
        let more = n - RECORDS_SHOWN;
        writeln!(
            out,
            "  {}",
            msg!("……另有 {more} 条", "… and {more} more").get(lang)
        )?;
    }
    Ok(())
}
