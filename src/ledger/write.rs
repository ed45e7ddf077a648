//! Writing a ledger out: CSV (UTF-8, with a byte-order mark for a file so
//! that Excel on a Chinese desktop opens it right), XLSX (text columns
//! kept as text, so phone and ID numbers are not turned into 1.38E+10),
//! or JSON (codes and UTC times, for scripts).
//!
//! Sheets use the Chinese headers and labels of the plan's annexes; every
//! sheet written here reads back through the importer to the same values.

use std::io::Write;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use rusqlite::types::Value;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use super::dates;
use super::kinds::Kind;
use super::read::number_text;
use crate::domain::mask;
use crate::domain::time::from_db;
use crate::msg;
use crate::msg::Msg;
use crate::store::ledger::{FieldSpec, FieldType};

/// The formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
}

/// Export formats by name, as `--format` takes them.
pub fn format_named(s: &str) -> Option<ExportFormat> {
    match s.trim().to_ascii_lowercase().as_str() {
        "csv" => Some(ExportFormat::Csv),
        "xlsx" | "excel" => Some(ExportFormat::Xlsx),
        "json" => Some(ExportFormat::Json),
        _ => None,
    }
}

/// One cell of a sheet to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Empty,
    Text(String),
    Int(i64),
    Real(f64),
    /// A moment in local time and how it is written.
    When(NaiveDateTime, String),
}

impl Out {
    pub fn text(&self) -> String {
        match self {
            Out::Empty => String::new(),
            Out::Text(s) => s.clone(),
            Out::Int(n) => n.to_string(),
            Out::Real(x) => number_text(*x),
            Out::When(_, s) => s.clone(),
        }
    }
}

/// A ledger ready to write: the sheet's fields and its rows of values
/// (database form, names for references), aligned to those fields.
pub struct Export<'a> {
    pub kind: Kind,
    pub fields: Vec<&'static FieldSpec>,
    pub rows: &'a [Vec<Value>],
    pub tz: Tz,
    /// Mask recipients' personal data.
    pub masked: bool,
}

impl<'a> Export<'a> {
    /// `rows` as the store gives them (all of the table's fields),
    /// narrowed to what `kind`'s sheet shows.
    pub fn new(kind: Kind, rows: &'a [Vec<Value>], tz: Tz, masked: bool) -> Export<'a> {
        Export {
            kind,
            fields: kind.fields().into_iter().map(|(_, f)| f).collect(),
            rows,
            tz,
            masked,
        }
    }

    fn indices(&self) -> Vec<usize> {
        self.kind.fields().into_iter().map(|(i, _)| i).collect()
    }

    fn personal(&self, spec: &FieldSpec, s: &str) -> String {
        if !(self.masked && spec.personal) {
            return s.to_string();
        }
        match spec.ty {
            FieldType::Phone => mask::mask_phone(s),
            FieldType::IdNumber => mask::mask_id_number(s),
            FieldType::Line(_) => mask::mask_name(s),
            _ => "***".to_string(),
        }
    }

    /// One value as the sheet shows it.
    pub fn cell(&self, spec: &FieldSpec, v: &Value) -> Out {
        match (v, spec.ty) {
            (Value::Null, _) => Out::Empty,
            (Value::Integer(n), FieldType::Flag) => {
                Out::Text(if *n == 1 { "是" } else { "否" }.to_string())
            }
            (Value::Integer(n), _) => Out::Int(*n),
            (Value::Real(x), _) => Out::Real(*x),
            (Value::Text(s), FieldType::Code(set)) => {
                Out::Text(set.label_zh(s).unwrap_or(s).to_string())
            }
            (Value::Text(s), FieldType::From | FieldType::Until) => match from_db(s) {
                Some(t) => {
                    let (at, text) = dates::write(t, self.tz, spec.ty == FieldType::Until);
                    Out::When(at, text)
                }
                None => Out::Text(s.clone()),
            },
            (Value::Text(s), FieldType::Moment) => match from_db(s) {
                Some(t) => {
                    let (at, text) = dates::write_moment(t, self.tz);
                    Out::When(at, text)
                }
                None => Out::Text(s.clone()),
            },
            (Value::Text(s), _) => Out::Text(self.personal(spec, s)),
            (Value::Blob(_), _) => Out::Empty,
        }
    }

    /// Every row as sheet cells.
    pub fn cells(&self) -> impl Iterator<Item = Vec<Out>> + '_ {
        let idx = self.indices();
        self.rows.iter().map(move |row| {
            self.fields
                .iter()
                .zip(&idx)
                .map(|(spec, &i)| row.get(i).map_or(Out::Empty, |v| self.cell(spec, v)))
                .collect()
        })
    }

    /// CSV with the Chinese headers; `bom` for files Excel will open.
    pub fn write_csv(
        &self,
        out: &mut dyn Write,
        bom: bool,
        tick: &dyn Fn(u64),
    ) -> std::io::Result<()> {
        if bom {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        let mut w = csv::Writer::from_writer(out);
        w.write_record(self.fields.iter().map(|f| f.zh))
            .map_err(csv_io)?;
        for (n, row) in self.cells().enumerate() {
            w.write_record(row.iter().map(Out::text)).map_err(csv_io)?;
            if n % 1024 == 1023 {
                tick(1024);
            }
        }
        w.flush()?;
        Ok(())
    }

    /// An .xlsx workbook of one sheet named after the ledger.
    pub fn write_xlsx(&self, tick: &dyn Fn(u64)) -> Result<Vec<u8>, Msg> {
        self.xlsx(tick).map_err(|e| {
            let e = e.to_string();
            msg!(
                "无法生成 Excel 文件：{e}",
                "Cannot make the Excel file: {e}"
            )
        })
    }

    fn xlsx(&self, tick: &dyn Fn(u64)) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(self.kind.title())?;
        let bold = Format::new().set_bold().set_num_format("@");
        let text = Format::new().set_num_format("@");
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        for (c, spec) in self.fields.iter().enumerate() {
            let c = c as u16;
            let numeric = matches!(
                spec.ty,
                FieldType::Count | FieldType::Amount | FieldType::Tonnes | FieldType::Quantity
            );
            let dated = matches!(
                spec.ty,
                FieldType::From | FieldType::Until | FieldType::Moment
            );
            // Text columns stay text for what the clerk types later too.
            if !numeric && !dated {
                ws.set_column_format(c, &text)?;
            }
            let sample = self
                .cells()
                .take(200)
                .map(|r| r[c as usize].text().width())
                .max()
                .unwrap_or(0);
            let width = spec.zh.width().max(sample).clamp(8, 40) + 2;
            ws.set_column_width(c, width as f64)?;
            ws.write_string_with_format(0, c, spec.zh, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, row) in self.cells().enumerate() {
            let r = (r + 1) as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Out::Empty => {}
                    Out::Text(s) => {
                        ws.write_string_with_format(r, c, s, &text)?;
                    }
                    Out::Int(n) => {
                        ws.write_number(r, c, *n as f64)?;
                    }
                    Out::Real(x) => {
                        ws.write_number(r, c, *x)?;
                    }
                    Out::When(at, _) => {
                        let serial = excel_serial(*at);
                        // A report's moment keeps its time of day at midnight.
                        let moment = self.fields[c as usize].ty == FieldType::Moment;
                        let f = if dates::is_date_only(*at) && !moment {
                            &date
                        } else {
                            &datetime
                        };
                        ws.write_datetime_with_format(
                            r,
                            c,
                            ExcelDateTime::from_serial_datetime(serial)?,
                            f,
                        )?;
                    }
                }
            }
            if r.is_multiple_of(1024) {
                tick(1024);
            }
        }
        wb.save_to_buffer()
    }

    /// A JSON array of objects keyed by the fields' English keys: codes,
    /// UTC times, numbers and booleans as they are stored.
    pub fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let idx = self.indices();
        let rows: Vec<Ordered> = self
            .rows
            .iter()
            .map(|row| {
                Ordered(
                    self.fields
                        .iter()
                        .zip(&idx)
                        .map(|(spec, &i)| {
                            let v = match (row.get(i).unwrap_or(&Value::Null), spec.ty) {
                                (Value::Null | Value::Blob(_), _) => serde_json::Value::Null,
                                (Value::Integer(n), FieldType::Flag) => json!(*n == 1),
                                (Value::Integer(n), _) => json!(n),
                                (Value::Real(x), _) => json!(x),
                                (Value::Text(s), _) => json!(self.personal(spec, s)),
                            };
                            (spec.key, v)
                        })
                        .collect(),
                )
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)
    }
}

/// A JSON object whose keys keep the sheet's column order.
struct Ordered(Vec<(&'static str, serde_json::Value)>);

impl serde::Serialize for Ordered {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Days since 1899-12-30, with the time as the fraction.
fn excel_serial(t: NaiveDateTime) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    (t - epoch).num_milliseconds() as f64 / 86_400_000.0
}

/// The I/O error inside a CSV error, kept as it is, so that a closed pipe
/// (`export … | head`) is still recognised as one.
fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_match_excel() {
        let t = chrono::NaiveDate::from_ymd_opt(2022, 5, 26)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        assert_eq!(excel_serial(t), 44707.5);
        assert_eq!(dates::from_serial(44707.5), Some(t));
    }

    #[test]
    fn recipients_are_masked_unless_revealed() {
        let rows = vec![vec![
            Value::Text("周桂芳".into()),
            Value::Text("13800000001".into()),
            Value::Text("50010119700101001X".into()),
            Value::Text("elderly_alone".into()),
            Value::Text("高血压".into()),
            Value::Text("螺蛳包社区".into()),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ]];
        let tz = chrono_tz::Asia::Shanghai;
        let masked = Export::new(Kind::Recipients, &rows, tz, true);
        let mut out = Vec::new();
        masked.write_csv(&mut out, false, &|_| {}).unwrap();
        let s = String::from_utf8(out).unwrap();
        for raw in ["周桂芳", "13800000001", "50010119700101001X", "高血压"] {
            assert!(!s.contains(raw), "{raw} in {s}");
        }
        assert!(s.contains("周*芳") && s.contains("独居老人"), "{s}");
        let open = Export::new(Kind::Recipients, &rows, tz, false);
        let mut out = Vec::new();
        open.write_json(&mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.contains("\"13800000001\"") && s.contains("\"elderly_alone\""),
            "{s}"
        );
    }
}
