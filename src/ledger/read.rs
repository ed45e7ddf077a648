//! Reading a clerk's file into rows of cells: CSV in any encoding Excel or
//! WPS writes, or a workbook (.xlsx, .xlsm, .xls, .xlsb, .ods) through
//! calamine. Row numbers are those Excel shows.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};
use chrono::{NaiveDate, NaiveDateTime};

use super::encoding::{self, Encoding};
use crate::msg;
use crate::msg::Msg;

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    DateTime(NaiveDateTime),
    Bool(bool),
    /// An Excel error value such as `#N/A`.
    Error(String),
}

impl Cell {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text: numbers without a trailing `.0`, dates as
    /// `YYYY-MM-DD` (with the time when it has one).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(x) => number_text(*x),
            Cell::DateTime(t) => {
                if t.time() == chrono::NaiveTime::MIN {
                    t.format("%Y-%m-%d").to_string()
                } else {
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            }
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A number as a clerk would write it: 12, 4.5, never 12.0 or 1.2e1.
pub fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        x.to_string()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    /// As Excel numbers rows, from 1.
    pub number: usize,
    /// From column A.
    pub cells: Vec<Cell>,
}

/// A file's rows, and what it was read as.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub rows: Vec<SheetRow>,
    /// For CSV: the text encoding found.
    pub encoding: Option<Encoding>,
    /// For a workbook: the worksheet's name.
    pub name: Option<String>,
}

/// The formats a file can be in, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
    Xls,
    Xlsb,
    Ods,
}

impl FileFormat {
    pub fn of(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" | "txt" | "tsv" => FileFormat::Csv,
            "xlsx" | "xlsm" => FileFormat::Xlsx,
            "xls" => FileFormat::Xls,
            "xlsb" => FileFormat::Xlsb,
            "ods" => FileFormat::Ods,
            _ => return None,
        })
    }
}

/// Reads a CSV file's bytes: decoded, the separator guessed from the
/// first lines (comma, tab or semicolon).
pub fn csv(bytes: &[u8]) -> Result<Sheet, Msg> {
    let (text, enc) = encoding::decode(bytes)?;
    let delimiter = guess_delimiter(&text);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(i + 1, |p| p.line() as usize);
            let e = e.to_string();
            msg!(
                "CSV 文件第 {line} 行无法读取（{e}）；请检查引号是否成对，或在 Excel/WPS 中重新保存。",
                "Line {line} of the CSV file cannot be read ({e}); check that quotes are paired, or save the file again from Excel/WPS."
            )
        })?;
        rows.push(SheetRow {
            number: i + 1,
            cells: rec.iter().map(|s| Cell::Text(s.to_string())).collect(),
        });
    }
    Ok(Sheet {
        rows,
        encoding: Some(enc),
        name: None,
    })
}

fn guess_delimiter(text: &str) -> u8 {
    let head: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    let count = |c: char| head.matches(c).count();
    let (commas, tabs, semis) = (count(','), count('\t'), count(';'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(t) if t.is_datetime() => {
            let (y, mo, d, h, mi, s, ms) = t.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))
                .and_then(|date| {
                    date.and_hms_milli_opt(u32::from(h), u32::from(mi), u32::from(s), u32::from(ms))
                })
                .map_or(Cell::Number(t.as_f64()), Cell::DateTime)
        }
        Data::DateTime(t) => Cell::Number(t.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(format!("#{e:?}")),
    }
}

fn workbook_error(e: impl std::fmt::Display) -> Msg {
    let e = e.to_string();
    msg!(
        "无法读取该工作簿（{e}）；请确认文件未损坏、未加密，或在 Excel/WPS 中另存为 .xlsx 后再导入。",
        "The workbook cannot be read ({e}); check that it is not damaged or password-protected, or save it again as .xlsx."
    )
}

/// Every worksheet of a workbook's bytes, in workbook order.
pub fn workbook(bytes: &[u8], format: FileFormat) -> Result<Vec<Sheet>, Msg> {
    let cursor = Cursor::new(bytes);
    let sheets: Vec<(String, calamine::Range<Data>)> = match format {
        FileFormat::Xlsx => calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(cursor)
            .map_err(workbook_error)?
            .worksheets(),
        FileFormat::Xls => calamine::open_workbook_from_rs::<calamine::Xls<_>, _>(cursor)
            .map_err(workbook_error)?
            .worksheets(),
        FileFormat::Xlsb => calamine::open_workbook_from_rs::<calamine::Xlsb<_>, _>(cursor)
            .map_err(workbook_error)?
            .worksheets(),
        FileFormat::Ods => calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(cursor)
            .map_err(workbook_error)?
            .worksheets(),
        FileFormat::Csv => return csv(bytes).map(|s| vec![s]),
    };
    Ok(sheets
        .into_iter()
        .map(|(name, range)| {
            let (top, left) = range.start().unwrap_or((0, 0));
            let rows = range
                .rows()
                .enumerate()
                .map(|(i, r)| {
                    let mut cells = vec![Cell::Empty; left as usize];
                    cells.extend(r.iter().map(cell_of));
                    SheetRow {
                        number: top as usize + i + 1,
                        cells,
                    }
                })
                .collect();
            Sheet {
                rows,
                encoding: None,
                name: Some(name),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_numbered_as_excel_shows_them() {
        let s = csv("车牌号,驾驶员\n渝F12345,\"张\n三\"\n渝F23456,李四\n".as_bytes()).unwrap();
        let numbers: Vec<usize> = s.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 2, 3], "a quoted line break stays in its row");
        assert_eq!(s.rows[1].cells[1], Cell::Text("张\n三".into()));
        assert_eq!(s.encoding, Some(Encoding::Utf8));
    }

    #[test]
    fn separators_are_guessed() {
        let s = csv("车牌号\t驾驶员\n渝F12345\t张三\n".as_bytes()).unwrap();
        assert_eq!(s.rows[1].cells.len(), 2);
        let s = csv("车牌号;驾驶员\n渝F12345;张三\n".as_bytes()).unwrap();
        assert_eq!(s.rows[1].cells.len(), 2);
    }

    #[test]
    fn cells_read_as_clerks_wrote_them() {
        assert_eq!(Cell::Number(13812345678.0).text(), "13812345678");
        assert_eq!(Cell::Number(4.5).text(), "4.5");
        assert_eq!(Cell::Text("  a ".into()).text(), "a");
        let d = NaiveDate::from_ymd_opt(2022, 5, 26).unwrap();
        assert_eq!(
            Cell::DateTime(d.and_hms_opt(0, 0, 0).unwrap()).text(),
            "2022-05-26"
        );
        assert!(Cell::Text("   ".into()).is_blank());
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(FileFormat::of(Path::new("a.CSV")), Some(FileFormat::Csv));
        assert_eq!(
            FileFormat::of(Path::new("台账.xlsx")),
            Some(FileFormat::Xlsx)
        );
        assert_eq!(FileFormat::of(Path::new("a.pdf")), None);
        assert_eq!(FileFormat::of(Path::new("a")), None);
    }
}
