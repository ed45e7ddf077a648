//! Ledgers in and out: the plan's annex tables (附表1–6) that the office
//! keeps in Excel/WPS, imported from .xlsx or .csv (UTF-8, UTF-8 with BOM,
//! GB18030/GBK) and exported back as CSV, XLSX or JSON.
//!
//! An import reads the whole file first: the header row is found by its
//! names (a title row above it is fine), every cell is read as its field's
//! value, and every bad row is reported by its Excel row number and column.
//! Then the store matches the rows on their natural keys and writes all
//! of them in one transaction under one duty-log entry, or nothing.
//! Stock reports (`stock`) are appended instead of matched, and move the
//! predicted shortage alerts of the cells they report in the same
//! transaction.

pub mod dates;
pub mod encoding;
pub mod headers;
pub mod kinds;
pub mod layout;
pub mod progress;
pub mod read;
pub mod sheets;
pub mod units;
pub mod validate;
pub mod write;

use std::path::Path;

use chrono_tz::Tz;
use sha2::{Digest, Sha256};

pub use kinds::Kind;

use crate::domain::Code;
use crate::domain::alert::ItemClass;
use crate::domain::cover::Norms;
use crate::i18n::Lang;
use crate::msg;
use crate::msg::Msg;
use crate::store::ledger::{ImportReport, LedgerTable, Phase, Progress, Record, RowIssue, Source};
use crate::store::supply::PredictedChange;
use crate::store::{Actor, Store};
use read::{Cell, FileFormat, Sheet};
use rusqlite::types::Value;

pub use layout::{Columns, HEADER_SEARCH_ROWS, Skip};

/// A file read and checked cell by cell, before the store sees it.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub kind: Kind,
    pub records: Vec<Record>,
    /// Cells that cannot be read; any one stops the import.
    pub issues: Vec<RowIssue>,
    /// Odd but accepted (a plate off the GA 36 patterns).
    pub warnings: Vec<RowIssue>,
    pub columns: Columns,
    /// Rows below the header left out, and why (totals, notes, rows with
    /// nothing in an imported column).
    pub skipped: Vec<(usize, Skip)>,
    pub sheet: Sheet,
    /// How many worksheets the file has (1 for CSV).
    pub sheets: usize,
}

impl Parsed {
    /// The rows left out as totals (合计).
    pub fn totals(&self) -> Vec<usize> {
        self.skipped_as(Skip::Total)
    }

    /// The rows left out for `why`.
    pub fn skipped_as(&self, why: Skip) -> Vec<usize> {
        self.skipped
            .iter()
            .filter(|(_, w)| *w == why)
            .map(|(r, _)| *r)
            .collect()
    }
}

/// Reads the rows below the header into records.
pub fn parse_sheet(
    kind: Kind,
    sheet: Sheet,
    tz: Tz,
    progress: &dyn Progress,
) -> Result<Parsed, Msg> {
    let columns = layout::find_header(kind, &sheet)?;
    let t = kind.table();
    let specs = t.fields();
    let mut records = Vec::new();
    let mut issues = Vec::new();
    let mut warnings = Vec::new();
    let (body, skipped) = layout::classify(
        sheet.rows.iter().filter(|r| r.number > columns.header_row),
        &columns,
    );
    progress.start(Phase::Reading, body.len() as u64);
    let mut mapped: Vec<(usize, usize)> = columns
        .by_field
        .iter()
        .map(|(f, (c, _))| (*f, *c))
        .collect();
    mapped.sort_unstable_by_key(|(_, c)| *c);
    for (n, row) in body.iter().enumerate() {
        if n % 1024 == 1023 {
            progress.advance(1024);
        }
        let mut values = vec![None; specs.len()];
        let mut broken = false;
        // The weight unit applied to one of this row's figures, if any.
        let mut weighed = None;
        for &(fi, c) in &mapped {
            let spec = &specs[fi];
            let cell = row.cells.get(c).unwrap_or(&Cell::Empty);
            let scaled;
            let cell = match columns.scale.get(&fi) {
                Some(sc) => match plain_number(cell) {
                    Some(x) => {
                        if sc.weight {
                            weighed = Some(sc.unit.as_str());
                        }
                        scaled = Cell::Number(units::apply(x, sc.factor));
                        &scaled
                    }
                    None => cell,
                },
                None => cell,
            };
            match validate::read_cell(spec, cell, tz) {
                Ok(read) => {
                    if let Some(w) = read.warning {
                        warnings.push(RowIssue {
                            row: row.number,
                            field: Some(spec.key),
                            message: w,
                        });
                    }
                    values[fi] = read.value;
                }
                Err(m) => {
                    broken = true;
                    issues.push(RowIssue {
                        row: row.number,
                        field: Some(spec.key),
                        message: m,
                    });
                }
            }
        }
        if let Some(m) = weighed.and_then(|unit| pieces_by_weight(kind, unit, &values)) {
            broken = true;
            issues.push(RowIssue {
                row: row.number,
                field: Some("stock"),
                message: m,
            });
        }
        records.push(Record {
            row: row.number,
            values,
            broken,
        });
    }
    progress.advance(body.len() as u64 % 1024);
    Ok(Parsed {
        kind,
        records,
        issues,
        warnings,
        columns,
        skipped,
        sheet: Sheet {
            rows: Vec::new(),
            ..sheet
        },
        sheets: 1,
    })
}

/// A cell that is a bare number (no unit of its own): the one a header's
/// unit applies to.
fn plain_number(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Number(x) => Some(*x),
        Cell::Text(s) => {
            let t = s.trim().replace(',', "");
            t.parse::<f64>().ok().filter(|x| x.is_finite())
        }
        _ => None,
    }
}

/// A stock row of protective supplies (counted in pieces) with a plain
/// figure in a column whose header gives a weight (`unit`).
fn pieces_by_weight(kind: Kind, unit: &str, values: &[Option<Value>]) -> Option<Msg> {
    if kind != Kind::Stock {
        return None;
    }
    let t = kind.table();
    let item = t.fields().iter().position(|f| f.key == "item")?;
    let protective =
        matches!(&values[item], Some(Value::Text(c)) if c == ItemClass::Protective.code());
    if !protective {
        return None;
    }
    Some(msg!(
        "防护用品按件计，而该列表头的单位是“{unit}”；请把防护用品写在另一张以件计的表中，或在格中写明件数（如 500件）。",
        "Protective supplies are counted in pieces, but the column's header gives \"{unit}\"; put them in a sheet counted in pieces, or write the count with its unit (e.g. 500件)."
    ))
}

/// Reads a ledger file: CSV or a workbook (the sheet that surely holds
/// the kind, see [`sheets::choose`]), with its SHA-256 for the log.
pub fn parse_file(
    kind: Kind,
    path: &Path,
    tz: Tz,
    progress: &dyn Progress,
) -> Result<(Parsed, Source), Msg> {
    parse_file_sheet(kind, path, None, tz, progress)
}

/// [`parse_file`] from the sheet `sheet` names (its name or number from
/// 1), when given.
pub fn parse_file_sheet(
    kind: Kind,
    path: &Path,
    sheet: Option<&str>,
    tz: Tz,
    progress: &dyn Progress,
) -> Result<(Parsed, Source), Msg> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        let e = e.to_string();
        msg!(
            "无法读取文件“{shown}”：{e}；请检查路径和权限。",
            "Cannot read the file \"{shown}\": {e}; check the path and its permissions."
        )
    })?;
    let format = FileFormat::sniff(&bytes).ok_or_else(|| {
        msg!(
            "不认识文件“{shown}”的内容；请用 .xlsx、.xls 或 .csv 文件（WPS/Excel 可另存为这些格式）。",
            "The content of \"{shown}\" is not a format I read; use an .xlsx, .xls or .csv file (Excel and WPS can save as these)."
        )
    })?;
    let source = Source {
        file_name: path
            .file_name()
            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned()),
        sha256: hex::encode(Sha256::digest(&bytes)),
    };
    let all = read::workbook(&bytes, format)?;
    drop(bytes);
    let count = all.len();
    let chosen = sheets::choose(kind, all, sheet)?;
    let name = chosen.name.clone();
    let mut parsed = parse_sheet(kind, chosen, tz, progress).map_err(|e| match &name {
        Some(n) => {
            let n = crate::domain::text::sanitize(n).into_owned();
            Msg::new(
                format!("工作表“{n}”：{}", e.zh),
                format!("Sheet \"{n}\": {}", e.en),
            )
        }
        None => e,
    })?;
    parsed.sheets = count;
    Ok((parsed, source))
}

/// What an import did (or, dry run or refused, would do).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub kind: Kind,
    pub parsed: Parsed,
    pub source: Source,
    pub report: ImportReport,
    pub dry_run: bool,
    /// Predicted alerts a stock import raised or cleared, in the order
    /// written; empty for every other kind and for a dry run.
    pub predicted: Vec<PredictedChange>,
}

impl Outcome {
    /// Cell and row problems together, in row order.
    pub fn issues(&self) -> Vec<RowIssue> {
        let mut v = self.parsed.issues.clone();
        v.extend(self.report.issues.iter().cloned());
        v.sort_by_key(|i| i.row);
        v
    }

    /// Whether the file went in.
    pub fn written(&self) -> bool {
        self.report.seq.is_some()
    }

    /// An issue as the clerk finds it: "第 5 行 B 列（车牌号）：…".
    pub fn locate(&self, i: &RowIssue, lang: Lang) -> String {
        let t = self.kind.table();
        let r = i.row;
        let place = match i.field.and_then(|k| self.parsed.columns.locate(t, k)) {
            Some((c, h)) => {
                let c = headers::column_letter(c);
                match lang {
                    Lang::Zh => format!("第 {r} 行 {c} 列（{h}）"),
                    Lang::En => format!("row {r}, column {c} ({h})"),
                }
            }
            None => match (i.field.and_then(|k| t.field(k)), lang) {
                (Some(f), Lang::Zh) => format!("第 {r} 行（{}，表中无此列）", f.zh),
                (Some(f), Lang::En) => format!("row {r} ({}, not a column of the sheet)", f.zh),
                (None, Lang::Zh) => format!("第 {r} 行"),
                (None, Lang::En) => format!("row {r}"),
            },
        };
        match lang {
            Lang::Zh => format!("{place}：{}", i.message.zh),
            Lang::En => format!("{place}: {}", i.message.en),
        }
    }
}

/// Imports a ledger file all or nothing. With `dry_run` (or when a cell
/// already failed) the store only checks, and nothing is written; the
/// outcome says what would be added and changed, or what is wrong.
/// Stock reports are judged by the default norms; see [`import_with`].
pub fn import(
    store: &mut Store,
    actor: Option<&Actor>,
    kind: Kind,
    path: &Path,
    tz: Tz,
    dry_run: bool,
    progress: &dyn Progress,
) -> Result<Outcome, Msg> {
    let norms = Norms::default();
    import_with(
        store, actor, kind, path, None, tz, dry_run, &norms, progress,
    )
}

/// [`import`] from the sheet `sheet` names (if given), with the norms
/// (from the config) that decide whether stock reports raise or clear
/// predicted shortage alerts.
#[allow(clippy::too_many_arguments)]
pub fn import_with(
    store: &mut Store,
    actor: Option<&Actor>,
    kind: Kind,
    path: &Path,
    sheet: Option<&str>,
    tz: Tz,
    dry_run: bool,
    norms: &Norms,
    progress: &dyn Progress,
) -> Result<Outcome, Msg> {
    let (parsed, source) = parse_file_sheet(kind, path, sheet, tz, progress)?;
    if parsed.records.is_empty() && parsed.issues.is_empty() {
        let (file, row) = (&source.file_name, parsed.columns.header_row);
        return Err(msg!(
            "“{file}”在表头（第 {row} 行）下没有数据行；没有可导入的内容。",
            "\"{file}\" has no rows below its header (row {row}); there is nothing to import."
        ));
    }
    let t = kind.table();
    let mut predicted = Vec::new();
    let report = match actor {
        Some(actor) if !dry_run && parsed.issues.is_empty() && t == LedgerTable::StockReport => {
            let done = store
                .import_stock(actor, &parsed.records, &source, norms, progress)
                .map_err(|e| e.message())?;
            predicted = done.predicted;
            done.report
        }
        Some(actor) if !dry_run && parsed.issues.is_empty() => store
            .import_ledger(actor, t, &parsed.records, &source, progress)
            .map_err(|e| e.message())?,
        // Nothing will be written: check the rest against the register
        // too, so that every bad row is named at once.
        _ => store
            .check_ledger(t, &parsed.records, progress)
            .map_err(|e| e.message())?,
    };
    Ok(Outcome {
        kind,
        parsed,
        source,
        report,
        dry_run,
        predicted,
    })
}

/// The template's example rows as values, aligned to the table's fields
/// like the rows of an export, so that a template is written exactly as
/// an export is. Examples that no longer read are a bug, caught by tests.
pub fn template_rows(kind: Kind, tz: Tz) -> Vec<Vec<rusqlite::types::Value>> {
    let t = kind.table();
    kind.examples()
        .iter()
        .map(|example| {
            let mut row = vec![rusqlite::types::Value::Null; t.fields().len()];
            for ((i, spec), text) in kind.fields().into_iter().zip(example.iter()) {
                let cell = Cell::Text((*text).to_string());
                if let Ok(validate::Read { value: Some(v), .. }) =
                    validate::read_cell(spec, &cell, tz)
                {
                    row[i] = v;
                }
            }
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ledger::Quiet;

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| read::SheetRow {
                    number: i + 1,
                    cells: r.iter().map(|s| Cell::Text(s.to_string())).collect(),
                })
                .collect(),
            encoding: None,
            name: None,
        }
    }

    #[test]
    fn the_header_may_sit_below_a_title() {
        let s = sheet(&[
            &["附表5 保供车辆台账", "", ""],
            &["序号", "车牌号", "驾驶员", "颜色"],
            &["1", "渝F12345", "李强", "白"],
            &["", "", "", ""],
            &["合计", "", "", ""],
        ]);
        let p = parse_sheet(Kind::Vehicles, s, chrono_tz::Asia::Shanghai, &Quiet).unwrap();
        assert_eq!(p.columns.header_row, 2);
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].row, 3);
        assert_eq!(p.totals(), [5]);
        assert_eq!(p.columns.unused, [(3, "颜色".to_string())]);
        assert_eq!(
            p.columns.locate(LedgerTable::Vehicle, "driver"),
            Some((2, "驾驶员"))
        );
    }

    #[test]
    fn a_sheet_without_the_key_column_is_refused_with_the_template_named() {
        let s = sheet(&[&["驾驶员", "联系电话"], &["李强", "13709871234"]]);
        let e = parse_sheet(Kind::Vehicles, s, chrono_tz::Asia::Shanghai, &Quiet).unwrap_err();
        assert!(
            e.zh.contains("车牌号") && e.en.contains("export vehicles --template"),
            "{e:?}"
        );
    }

    #[test]
    fn template_examples_read_cleanly() {
        let tz = chrono_tz::Asia::Shanghai;
        for &k in Kind::ALL {
            for example in k.examples() {
                for ((_, spec), text) in k.fields().into_iter().zip(example.iter()) {
                    let r = validate::read_cell(spec, &Cell::Text((*text).to_string()), tz);
                    assert!(
                        matches!(r, Ok(validate::Read { warning: None, .. })),
                        "{k:?} {}: {r:?}",
                        spec.key
                    );
                }
            }
            assert_eq!(template_rows(k, tz).len(), k.examples().len());
        }
    }

    #[test]
    fn two_columns_for_one_field_are_refused() {
        let s = sheet(&[&["车牌号", "车牌"], &["渝F12345", "渝F12345"]]);
        let e = parse_sheet(Kind::Vehicles, s, chrono_tz::Asia::Shanghai, &Quiet).unwrap_err();
        assert!(
            e.en.contains("column A") && e.en.contains("column B"),
            "{e:?}"
        );
    }
}
