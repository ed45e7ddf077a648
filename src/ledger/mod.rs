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
pub mod progress;
pub mod read;
pub mod validate;
pub mod write;

use std::collections::HashMap;
use std::path::Path;

use chrono_tz::Tz;
use sha2::{Digest, Sha256};

pub use kinds::Kind;

use crate::domain::Code;
use crate::domain::cover::Norms;
use crate::i18n::Lang;
use crate::msg;
use crate::msg::Msg;
use crate::store::ledger::{
    ImportReport, LedgerTable, Need, Phase, Progress, Record, RowIssue, Source,
};
use crate::store::supply::PredictedChange;
use crate::store::{Actor, Store};
use read::{Cell, FileFormat, Sheet};

/// How many rows from the top are searched for the header row.
const HEADER_SEARCH_ROWS: usize = 20;

/// The first cell of a total row, which is not a record.
const TOTAL_WORDS: &[&str] = &["合计", "总计", "小计", "total"];

/// Where the sheet's columns are: the header row and, for each field of
/// the table (by index), the column it is in and its header as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub header_row: usize,
    pub by_field: HashMap<usize, (usize, String)>,
    /// Headers that name no field (shown as a warning).
    pub unused: Vec<(usize, String)>,
}

impl Columns {
    /// "B（车牌号）" for a field key, if the sheet has that column.
    pub fn locate(&self, t: LedgerTable, key: &str) -> Option<(usize, &str)> {
        let i = t.fields().iter().position(|f| f.key == key)?;
        self.by_field.get(&i).map(|(c, h)| (*c, h.as_str()))
    }
}

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
    /// Rows left out as totals (合计).
    pub totals: Vec<usize>,
    pub sheet: Sheet,
}

fn no_header(kind: Kind) -> Msg {
    let keys: Vec<&str> = kind
        .fields()
        .iter()
        .filter(|(_, f)| f.need == Need::Key)
        .map(|(_, f)| f.zh)
        .collect();
    let (zh_keys, code) = (keys.join("、"), kind.code());
    let en_keys: Vec<&str> = kind
        .fields()
        .iter()
        .filter(|(_, f)| f.need == Need::Key)
        .map(|(_, f)| f.key)
        .collect();
    let en_keys = en_keys.join(", ");
    msg!(
        "在文件前 {HEADER_SEARCH_ROWS} 行中找不到表头（至少需要列：{zh_keys}）；请对照模板（supplydesk export {code} --template）检查列名。",
        "No header row was found in the first {HEADER_SEARCH_ROWS} rows (it needs at least the columns {en_keys}); compare the column names with the template (supplydesk export {code} --template)."
    )
}

/// Finds the header row: the first row that names every key field of
/// the ledger.
fn find_header(kind: Kind, sheet: &Sheet) -> Result<Columns, Msg> {
    let t = kind.table();
    let fields = kind.fields();
    let keys: Vec<usize> = fields
        .iter()
        .filter(|(_, f)| f.need == Need::Key)
        .map(|(i, _)| *i)
        .collect();
    for row in sheet.rows.iter().take(HEADER_SEARCH_ROWS) {
        let mut by_field: HashMap<usize, (usize, String)> = HashMap::new();
        let mut unused = Vec::new();
        let mut twice = None;
        for (c, cell) in row.cells.iter().enumerate() {
            let h = cell.text();
            if h.is_empty() {
                continue;
            }
            match headers::field_for(t, &fields, &h) {
                Some(i) => {
                    if let Some((first, fh)) = by_field.get(&i) {
                        twice.get_or_insert((*first, fh.clone(), c, h.clone()));
                    } else {
                        by_field.insert(i, (c, h));
                    }
                }
                None if headers::is_ignored(&h) => {}
                None => unused.push((c, h)),
            }
        }
        if keys.iter().all(|k| by_field.contains_key(k)) {
            if let Some((a, ah, b, bh)) = twice {
                let (a, b) = (headers::column_letter(a), headers::column_letter(b));
                let r = row.number;
                return Err(msg!(
                    "表头（第 {r} 行）中 {a} 列“{ah}”和 {b} 列“{bh}”是同一项；请删去或改名其中一列。",
                    "In the header (row {r}), column {a} \"{ah}\" and column {b} \"{bh}\" mean the same field; delete or rename one of them."
                ));
            }
            return Ok(Columns {
                header_row: row.number,
                by_field,
                unused,
            });
        }
    }
    Err(no_header(kind))
}

/// Reads the rows below the header into records.
pub fn parse_sheet(
    kind: Kind,
    sheet: Sheet,
    tz: Tz,
    progress: &dyn Progress,
) -> Result<Parsed, Msg> {
    let columns = find_header(kind, &sheet)?;
    let t = kind.table();
    let specs = t.fields();
    let mut records = Vec::new();
    let mut issues = Vec::new();
    let mut warnings = Vec::new();
    let mut totals = Vec::new();
    let body: Vec<_> = sheet
        .rows
        .iter()
        .filter(|r| r.number > columns.header_row)
        .collect();
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
        if row.cells.iter().all(Cell::is_blank) {
            continue;
        }
        let first = row
            .cells
            .iter()
            .find(|c| !c.is_blank())
            .map(Cell::text)
            .unwrap_or_default();
        if TOTAL_WORDS.contains(&first.to_lowercase().as_str()) {
            totals.push(row.number);
            continue;
        }
        let mut values = vec![None; specs.len()];
        let mut broken = false;
        for &(fi, c) in &mapped {
            let spec = &specs[fi];
            let cell = row.cells.get(c).unwrap_or(&Cell::Empty);
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
        totals,
        sheet: Sheet {
            rows: Vec::new(),
            ..sheet
        },
    })
}

/// Reads a ledger file: CSV or a workbook (the first worksheet whose
/// header fits), with its SHA-256 for the log.
pub fn parse_file(
    kind: Kind,
    path: &Path,
    tz: Tz,
    progress: &dyn Progress,
) -> Result<(Parsed, Source), Msg> {
    let shown = path.display().to_string();
    let format = FileFormat::of(path).ok_or_else(|| {
        msg!(
            "不认识文件“{shown}”的格式；请用 .xlsx 或 .csv 文件（WPS/Excel 可另存为这两种格式）。",
            "The file \"{shown}\" is not a format I read; use an .xlsx or .csv file (Excel and WPS can save as either)."
        )
    })?;
    let bytes = std::fs::read(path).map_err(|e| {
        let e = e.to_string();
        msg!(
            "无法读取文件“{shown}”：{e}；请检查路径和权限。",
            "Cannot read the file \"{shown}\": {e}; check the path and its permissions."
        )
    })?;
    let source = Source {
        file_name: path
            .file_name()
            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned()),
        sha256: hex::encode(Sha256::digest(&bytes)),
    };
    let sheets = match format {
        FileFormat::Csv => vec![read::csv(&bytes)?],
        other => read::workbook(&bytes, other)?,
    };
    drop(bytes);
    let mut first_err = None;
    for sheet in sheets {
        match parse_sheet(kind, sheet, tz, progress) {
            Ok(p) => return Ok((p, source)),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    Err(first_err.unwrap_or_else(|| {
        msg!(
            "文件“{shown}”中没有工作表；请检查文件。",
            "The file \"{shown}\" has no worksheet; check the file."
        )
    }))
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
    import_with(store, actor, kind, path, tz, dry_run, &norms, progress)
}

/// [`import`] with the norms (from the config) that decide whether stock
/// reports raise or clear predicted shortage alerts.
#[allow(clippy::too_many_arguments)]
pub fn import_with(
    store: &mut Store,
    actor: Option<&Actor>,
    kind: Kind,
    path: &Path,
    tz: Tz,
    dry_run: bool,
    norms: &Norms,
    progress: &dyn Progress,
) -> Result<Outcome, Msg> {
    let (parsed, source) = parse_file(kind, path, tz, progress)?;
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
        assert_eq!(p.totals, [5]);
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
