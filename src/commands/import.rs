//! `supplydesk import KIND FILE [--dry-run]`: a clerk's ledger into the
//! register, all or nothing. The summary goes to stdout; bad rows and
//! warnings, each with its Excel row and column, go to stderr.

use std::io::Write;
use std::process::ExitCode;

use supplydesk::domain::Code;
use supplydesk::domain::text::sanitize;
use supplydesk::i18n::Lang;
use supplydesk::ledger::{self, Kind, Outcome as Imported, headers, progress::Bar};
use supplydesk::msg;
use supplydesk::msg::Msg;

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
    let done = ledger::import(
        &mut store,
        actor.as_ref(),
        kind,
        &args.file,
        ctx.tz(),
        args.dry_run,
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
        writeln!(
            err,
            "supplydesk: {}",
            msg!(
                "台账有 {n} 处问题（{r} 行），未导入任何内容；请改正后重新导入。",
                "The ledger has {n} problems in {r} rows; nothing was imported. Correct them and import again."
            )
            .get(lang)
        )?;
        return Ok(ExitCode::from(EXIT_BAD_ROWS));
    }
    summary(&done, lang, out)?;
    Ok(ExitCode::SUCCESS)
}

/// Warnings: odd plates, unused columns, skipped total rows.
fn notes(done: &Imported, lang: Lang) {
    let note = lang.t("注意：", "note: ");
    for w in &done.parsed.warnings {
        let accepted = lang.t("（已接受）", " (accepted)");
        eprintln!("{note}{}{accepted}", sanitize(&done.locate(w, lang)));
    }
    if !done.parsed.columns.unused.is_empty() {
        let cols: Vec<String> = done
            .parsed
            .columns
            .unused
            .iter()
            .map(|(c, h)| format!("{}（{}）", headers::column_letter(*c), sanitize(h)))
            .collect();
        let cols = cols.join("、");
        let m = msg!(
            "以下列不属于该台账，未导入：{cols}",
            "these columns are not part of the ledger and were left out: {cols}"
        );
        eprintln!("{note}{}", m.get(lang));
    }
    if !done.parsed.totals.is_empty() {
        let rows: Vec<String> = done.parsed.totals.iter().map(usize::to_string).collect();
        let rows = rows.join(", ");
        let m = msg!("跳过合计行：第 {rows} 行", "skipped total rows: {rows}");
        eprintln!("{note}{}", m.get(lang));
    }
}

fn summary(done: &Imported, lang: Lang, out: &mut impl Write) -> std::io::Result<()> {
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
    let (a, c, u) = (r.added.len(), r.changed.len(), r.unchanged);
    let line: Msg = match (done.dry_run, r.seq) {
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
    Ok(())
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
