//! Reading a clerk's file into rows of cells: CSV in any encoding Excel or
//! WPS writes, or a workbook (.xlsx, .xlsm, .xls, .xlsb, .ods) through
//! calamine. Row numbers are those Excel shows.

use std::io::Cursor;

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

/// The formats a file can be in, told by its content (a `.xls` renamed
/// `.xlsx`, or an HTML table saved as `.xls` by a reporting system, is
/// read as what it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    /// A zip container: .xlsx, .xlsm, .xlsb or .ods.
    Zip,
    /// An OLE compound file: the old .xls.
    Xls,
    /// An HTML page holding a table.
    Html,
}

impl FileFormat {
    /// What the bytes are; `None` for binary content none of these.
    pub fn sniff(bytes: &[u8]) -> Option<FileFormat> {
        if bytes.starts_with(b"PK\x03\x04") {
            return Some(FileFormat::Zip);
        }
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Some(FileFormat::Xls);
        }
        const BINARY: &[&[u8]] = &[
            b"%PDF",
            b"\x89PNG",
            b"\xFF\xD8\xFF",
            b"GIF8",
            b"\x1F\x8B",
            b"7z\xBC\xAF",
            b"Rar!",
            b"\x7FELF",
            b"MZ",
            b"SQLite format 3",
        ];
        if BINARY.iter().any(|m| bytes.starts_with(m)) {
            return None;
        }
        let head = &bytes[..bytes.len().min(4096)];
        let text = String::from_utf8_lossy(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head));
        let lower = text.trim_start().to_ascii_lowercase();
        if lower.starts_with('<') && (lower.contains("<table") || lower.contains("<html")) {
            return Some(FileFormat::Html);
        }
        // UTF-16 text has NULs; anything else with them is binary.
        let utf16 = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
        if !utf16 && head.contains(&0) {
            return None;
        }
        Some(FileFormat::Csv)
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
    let mut rec = csv::StringRecord::new();
    // Line breaks before the current record, the bytes they were counted
    // over, and those inside quoted fields of the records before it.
    let (mut breaks, mut scanned, mut quoted) = (0usize, 0usize, 0usize);
    loop {
        let more = r.read_record(&mut rec).map_err(|e| {
            let line = e.position().map_or(rows.len() + 1, |p| p.line() as usize);
            let e = e.to_string();
            msg!(
                "CSV 文件第 {line} 行无法读取（{e}）；请检查引号是否成对，或在 Excel/WPS 中重新保存。",
                "Line {line} of the CSV file cannot be read ({e}); check that quotes are paired, or save the file again from Excel/WPS."
            )
        })?;
        if !more {
            break;
        }
        // The row a spreadsheet shows it on: its line (blank lines,
        // which the CSV reader skips, are rows too; CRLF is one break)
        // less the line breaks quoted inside the records before it.
        let bytes = text.as_bytes();
        let mut start = rec
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0))
            .clamp(scanned, bytes.len());
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        breaks += line_breaks(&bytes[scanned..start]);
        scanned = start;
        let number = breaks + 1 - quoted;
        quoted += rec.iter().map(|f| line_breaks(f.as_bytes())).sum::<usize>();
        rows.push(SheetRow {
            number,
            cells: rec.iter().map(|s| Cell::Text(s.to_string())).collect(),
        });
    }
    Ok(Sheet {
        rows,
        encoding: Some(enc),
        name: None,
    })
}

/// Line breaks in `b`: CRLF, LF or a lone CR, each one.
fn line_breaks(b: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\r' => {
                n += 1;
                if b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
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

/// The worksheets of an open workbook in the order its tabs show,
/// chart sheets and unreadable sheets left out.
fn in_order<RS, R>(mut wb: R) -> Vec<Tab>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
{
    wb.sheet_names()
        .into_iter()
        .filter_map(|name| {
            wb.worksheet_range(&name).ok().map(|range| Tab {
                name,
                range,
                styles: None,
            })
        })
        .collect()
}

/// A worksheet as read: its cells and, for an .xlsx with date cells, their
/// number formats.
struct Tab {
    name: String,
    range: calamine::Range<Data>,
    styles: Option<calamine::StyleRange>,
}

/// [`in_order`] for .xlsx, with the styles of sheets that hold date cells:
/// a cell formatted as a date without a time of day is read as the date
/// written out, exactly as the same date typed as text.
fn xlsx_in_order<RS: std::io::Read + std::io::Seek>(mut wb: calamine::Xlsx<RS>) -> Vec<Tab> {
    wb.sheet_names()
        .into_iter()
        .filter_map(|name| {
            let range = wb.worksheet_range(&name).ok()?;
            let dated = range
                .used_cells()
                .any(|(_, _, d)| matches!(d, Data::DateTime(_)));
            let styles = if dated {
                wb.worksheet_style(&name).ok()
            } else {
                None
            };
            Some(Tab {
                name,
                range,
                styles,
            })
        })
        .collect()
}

/// Whether an Excel number format shows a date without a time of day.
fn date_only_format(code: &str) -> bool {
    // Quoted literals and [colour] blocks say nothing about the fields.
    let mut fields = String::new();
    let (mut quoted, mut bracket) = (false, false);
    for c in code.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            _ if !quoted && !bracket => fields.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
    (fields.contains('y') || fields.contains('d'))
        && !fields.contains('h')
        && !fields.contains('s')
        && !fields.contains("am/pm")
}

/// Runs a reader over untrusted bytes: a panic inside it (a library's
/// bug on a malformed file) becomes an error, and prints nothing.
fn guarded<T>(f: impl FnOnce() -> Result<T, Msg>) -> Result<T, Msg> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    r.unwrap_or_else(|_| Err(workbook_error("malformed content")))
}

/// Every worksheet of a workbook's bytes, in workbook order (for .xls
/// too, whose reader keeps them by name).
pub fn workbook(bytes: &[u8], format: FileFormat) -> Result<Vec<Sheet>, Msg> {
    match format {
        FileFormat::Html => return Ok(vec![html(bytes)?]),
        FileFormat::Csv => return Ok(vec![csv(bytes)?]),
        FileFormat::Xls | FileFormat::Zip => {}
    }
    let sheets = guarded(|| {
        let cursor = Cursor::new(bytes);
        Ok(match format {
            FileFormat::Xls => in_order(
                calamine::open_workbook_from_rs::<calamine::Xls<_>, _>(cursor)
                    .map_err(workbook_error)?,
            ),
            FileFormat::Zip => {
                if let Ok(wb) =
                    calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(cursor.clone())
                {
                    xlsx_in_order(wb)
                } else if let Ok(wb) =
                    calamine::open_workbook_from_rs::<calamine::Xlsb<_>, _>(cursor.clone())
                {
                    in_order(wb)
                } else {
                    in_order(
                        calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(cursor)
                            .map_err(workbook_error)?,
                    )
                }
            }
            FileFormat::Html | FileFormat::Csv => Vec::new(),
        })
    })?;
    if sheets.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sheets
        .into_iter()
        .map(
            |Tab {
                 name,
                 range,
                 styles,
             }| {
                let (top, left) = range.start().unwrap_or((0, 0));
                let rows = range
                    .rows()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut cells = vec![Cell::Empty; left as usize];
                        let row = top + u32::try_from(i).unwrap_or(u32::MAX);
                        cells.extend(r.iter().enumerate().map(|(j, d)| {
                            let cell = cell_of(d);
                            let col = left + u32::try_from(j).unwrap_or(u32::MAX);
                            match (&cell, &styles) {
                                (Cell::DateTime(t), Some(st))
                                    if st
                                        .get((row, col))
                                        .and_then(|s| s.number_format.as_ref())
                                        .is_some_and(|f| date_only_format(&f.format_code)) =>
                                {
                                    Cell::Text(t.format("%Y-%m-%d").to_string())
                                }
                                _ => cell,
                            }
                        }));
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
            },
        )
        .collect())
}

/// An HTML table (as some reporting systems save "Excel" files): the
/// rows of its first `<table>`, cells of `<td>` and `<th>`, tags and
/// entities removed. Rows are numbered from 1 as Excel would show them.
pub fn html(bytes: &[u8]) -> Result<Sheet, Msg> {
    let (text, enc) = encoding::decode(bytes)?;
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<table").unwrap_or(0);
    let end = lower[start..]
        .find("</table")
        .map_or(lower.len(), |e| start + e);
    let mut rows = Vec::new();
    let mut at = start;
    while let Some(tr) = lower[at..end].find("<tr") {
        let row_start = at + tr;
        let row_end = lower[row_start + 3..end]
            .find("<tr")
            .map_or(end, |e| row_start + 3 + e);
        let mut cells = Vec::new();
        let mut c = row_start;
        while let Some(td) = find_cell(&lower[c..row_end]) {
            let open = c + td;
            let Some(gt) = lower[open..row_end].find('>') else {
                break;
            };
            let content_start = open + gt + 1;
            let content_end = find_cell_end(&lower[content_start..row_end])
                .map_or(row_end, |e| content_start + e);
            let colspan = span(&lower[open..content_start]);
            cells.push(Cell::Text(html_text(&text[content_start..content_end])));
            cells.extend(std::iter::repeat_n(Cell::Empty, colspan.saturating_sub(1)));
            c = content_end;
        }
        rows.push(SheetRow {
            number: rows.len() + 1,
            cells,
        });
        at = row_end;
    }
    Ok(Sheet {
        rows,
        encoding: Some(enc),
        name: None,
    })
}

fn find_cell(s: &str) -> Option<usize> {
    [s.find("<td"), s.find("<th")].into_iter().flatten().min()
}

fn find_cell_end(s: &str) -> Option<usize> {
    [s.find("</td"), s.find("</th"), s.find("<td"), s.find("<th")]
        .into_iter()
        .flatten()
        .min()
}

/// A cell's `colspan`, at most a sheet's width.
fn span(tag: &str) -> usize {
    tag.find("colspan=")
        .map(|i| {
            tag[i + 8..]
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse::<usize>().ok())
        .map_or(1, |n| n.clamp(1, 256))
}

/// Text of an HTML fragment: tags dropped, `<br>` as a line break, the
/// common entities decoded.
fn html_text(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tag_end = rest[lt..].find('>').map_or(rest.len(), |e| lt + e + 1);
        if rest[lt..tag_end].to_ascii_lowercase().starts_with("<br") {
            out.push('\n');
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    let mut decoded = String::new();
    let mut rest = out.as_str();
    while let Some(amp) = rest.find('&') {
        decoded.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let semi = tail.find(';').filter(|&i| i <= 10);
        let entity = semi.map(|i| &tail[1..i]);
        let ch = match entity {
            Some("nbsp") => Some(' '),
            Some("amp") => Some('&'),
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("quot") => Some('"'),
            Some("apos") => Some('\''),
            Some(e) if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            Some(e) if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match (ch, semi) {
            (Some(c), Some(i)) => {
                decoded.push(c);
                rest = &tail[i + 1..];
            }
            _ => {
                decoded.push('&');
                rest = &tail[1..];
            }
        }
    }
    decoded.push_str(rest);
    decoded.trim().to_string()
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
    fn formats_follow_the_content() {
        assert_eq!(FileFormat::sniff(b"PK\x03\x04rest"), Some(FileFormat::Zip));
        assert_eq!(
            FileFormat::sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Some(FileFormat::Xls)
        );
        assert_eq!(
            FileFormat::sniff(b"  <html><body><table><tr><td>a</td></tr></table>"),
            Some(FileFormat::Html)
        );
        assert_eq!(
            FileFormat::sniff("车牌号,驾驶员\n".as_bytes()),
            Some(FileFormat::Csv)
        );
        assert_eq!(FileFormat::sniff(b"\x7fELF\x02\x01\x00\x00"), None);
        assert_eq!(FileFormat::sniff(b"%PDF-1.4\n%\xE2\xE3"), None);
        assert_eq!(FileFormat::sniff(b"abc\x00\x01def"), None);
    }

    #[test]
    fn date_formats_with_and_without_a_time() {
        assert!(date_only_format("yyyy-mm-dd"));
        assert!(date_only_format("yyyy\"年\"m\"月\"d\"日\""));
        assert!(date_only_format("[$-804]yyyy/m/d"));
        assert!(!date_only_format("yyyy-mm-dd hh:mm"));
        assert!(!date_only_format("m/d/yy h:mm AM/PM"));
        assert!(!date_only_format("0.00"));
    }

    #[test]
    fn html_tables_are_read_cell_by_cell() {
        let s = html(
            "<html><table><tr><th>车牌号</th><th colspan=2>驾驶员</th></tr>\
             <tr><td>渝F12345</td><td>张&nbsp;三</td><td>&#x6D4B;</td></tr></table>"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0].cells.len(), 3);
        assert_eq!(s.rows[1].cells[1], Cell::Text("张 三".into()));
        assert_eq!(s.rows[1].cells[2], Cell::Text("测".into()));
    }

    #[test]
    fn csv_rows_are_numbered_by_their_line() {
        let s = csv("车牌号,驾驶员\n\n渝F12345,张三\n\n\n渝F23456,李四\n".as_bytes()).unwrap();
        let numbers: Vec<usize> = s.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 3, 6]);
        let s = csv("车牌号,驾驶员\r\n渝F12345,\"张\r\n三\"\r\n\r\n渝F23456,李四\r\n".as_bytes())
            .unwrap();
        let numbers: Vec<usize> = s.rows.iter().map(|r| r.number).collect();
        assert_eq!(
            numbers,
            [1, 2, 4],
            "CRLF is one break; a quoted one is no row"
        );
    }
}
