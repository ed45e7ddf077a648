//! `supplydesk export KIND [--format csv|xlsx|json] [--output FILE]
//! [--template] [--unmasked]`: a ledger out of the register, or the empty
//! sheet with example rows for a clerk to fill in.
//!
//! Recipients' personal data is masked unless `--unmasked`; revealing it
//! needs an officer and writes an `access` entry in the same transaction
//! as the read, so the reveal and its log line stand or fall together.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use supplydesk::domain::Code;
use supplydesk::domain::text::sanitize;
use supplydesk::ledger;
use supplydesk::ledger::progress::Bar;
use supplydesk::ledger::write::{Export, ExportFormat};
use supplydesk::msg;
use supplydesk::msg::Msg;
use supplydesk::store::ledger::{LedgerTable, Phase, Progress};

use super::import::kind_of;
use super::{Ctx, Failure, Outcome};
use crate::cli::{ExportArgs, LedgerFormat};

fn format_of(args: &ExportArgs) -> ExportFormat {
    match args.format {
        Some(LedgerFormat::Csv) => ExportFormat::Csv,
        Some(LedgerFormat::Xlsx) => ExportFormat::Xlsx,
        Some(LedgerFormat::Json) => ExportFormat::Json,
        None => args
            .output
            .as_deref()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .and_then(ledger::write::format_named)
            .unwrap_or(ExportFormat::Csv),
    }
}

pub fn run(ctx: &Ctx, args: &ExportArgs, out: &mut impl Write) -> Outcome {
    let kind = kind_of(&args.kind)?;
    let format = format_of(args);
    if format == ExportFormat::Xlsx && args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(Failure::User(msg!(
            "Excel 文件不能直接显示在终端上；请加 --output 文件名.xlsx。",
            "An Excel file cannot be shown on the terminal; add --output FILE.xlsx."
        )));
    }
    if args.unmasked && kind.table() != LedgerTable::Recipient {
        let code = kind.code();
        return Err(Failure::User(msg!(
            "--unmasked 只用于特殊群体对象台账（recipients）；{code} 台账本就不遮蔽。",
            "--unmasked applies to the recipients ledger only; the {code} ledger is not masked."
        )));
    }
    let tz = ctx.tz();
    let bar = Bar::on_stderr(ctx.lang);
    let written = if args.template {
        let rows = ledger::template_rows(kind, tz);
        emit(
            &Export::new(kind, &rows, tz, false),
            format,
            args,
            out,
            &bar,
        )?
    } else if args.unmasked {
        let actor = ctx.actor()?;
        let mut store = ctx.open_for_writing()?;
        let destination = args
            .output
            .as_deref()
            .map_or_else(|| "stdout".to_string(), |p| p.display().to_string());
        store.reveal_ledger(&actor, kind.table(), &destination, |rows| {
            emit(
                &Export::new(kind, &rows, tz, false),
                format,
                args,
                out,
                &bar,
            )
            .map_err(|f| match f {
                Failure::User(m) => m,
                Failure::Io(e) => io_msg(&e),
                Failure::Bug(r) => Msg::new(r.to_string(), r.to_string()),
            })
        })?
    } else {
        let store = ctx.open_for_reading()?;
        let rows = store.ledger_rows(kind.table())?;
        emit(&Export::new(kind, &rows, tz, true), format, args, out, &bar)?
    };
    bar.finish();
    if let Some(path) = &args.output {
        let p = sanitize(&path.display().to_string()).into_owned();
        let m = msg!(
            "已导出 {written} 行到 {p}",
            "exported {written} rows to {p}"
        );
        eprintln!("{}", m.get(ctx.lang));
    }
    Ok(ExitCode::SUCCESS)
}

fn io_msg(e: &std::io::Error) -> Msg {
    let e = e.to_string();
    msg!("无法输出结果：{e}", "Cannot write the output: {e}")
}

/// Writes the sheet to `--output` or stdout; returns the rows written.
fn emit(
    sheet: &Export<'_>,
    format: ExportFormat,
    args: &ExportArgs,
    out: &mut impl Write,
    bar: &Bar,
) -> Result<usize, Failure> {
    bar.start(Phase::Writing, sheet.rows.len() as u64);
    let tick = |n: u64| bar.tick(n);
    let bytes: Option<Vec<u8>> = match format {
        ExportFormat::Xlsx => Some(sheet.write_xlsx(&tick)?),
        _ => None,
    };
    match &args.output {
        Some(path) => {
            let mut buf: Vec<u8> = Vec::new();
            match (format, bytes) {
                (_, Some(b)) => buf = b,
                (ExportFormat::Json, None) => sheet.write_json(&mut buf)?,
                (_, None) => sheet.write_csv(&mut buf, true, &tick)?,
            }
            write_file(path, &buf)?;
        }
        None => match (format, bytes) {
            (_, Some(b)) => out.write_all(&b)?,
            (ExportFormat::Json, None) => sheet.write_json(out)?,
            (_, None) => sheet.write_csv(out, false, &tick)?,
        },
    }
    Ok(sheet.rows.len())
}

/// Writes next to the target and renames, so an interrupted export never
/// leaves half a ledger under the real name.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let shown = sanitize(&path.display().to_string()).into_owned();
    let fail = |e: std::io::Error| {
        let e = e.to_string();
        Failure::User(msg!(
            "无法写入文件 {shown}：{e}；请检查路径和权限。",
            "Cannot write the file {shown}: {e}; check the path and its permissions."
        ))
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".part-{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}
