//! Reading one cell as the value its field holds, with the sentence that
//! tells the clerk what is wrong with it. A plate with characters no plate
//! has is a bad row; one that only fits no GA 36 pattern (a digit short,
//! no province) is a warning and goes in as typed (normalised).

use chrono_tz::Tz;
use rusqlite::types::Value;

use super::dates;
use super::read::{Cell, number_text};
use crate::domain::cover::MAX_QUANTITY;
use crate::domain::plate::{self, OddReason, PlateCheck};
use crate::domain::time::to_db;
use crate::msg;
use crate::msg::Msg;
use crate::store::StoreError;
use crate::store::fields::{self, COUNT_MAX, Field, NAME_MAX_CHARS, NUMBER_MAX_CHARS};
use crate::store::ledger::{FieldSpec, FieldType};
use crate::store::pass_actions::LOAD_MAX_TONNES;

/// A cell read: its value (`None` when blank) and a warning to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    pub value: Option<Value>,
    pub warning: Option<Msg>,
}

fn ok(v: Value) -> Result<Read, Msg> {
    Ok(Read {
        value: Some(v),
        warning: None,
    })
}

fn refused(e: StoreError) -> Msg {
    e.message()
}

fn label(spec: &FieldSpec) -> Field {
    Field {
        zh: spec.zh,
        en: spec.en,
    }
}

/// Strips thousands separators and a trailing unit a clerk may add
/// (516人, 4.5吨, 1,200).
fn numeric_text(s: &str, units: &[&str]) -> String {
    let mut t: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '，')
        .map(|c| match c {
            '\u{FF0E}' => '.',
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    for u in units {
        if let Some(stem) = t.strip_suffix(u) {
            t = stem.to_string();
            break;
        }
    }
    t
}

fn number(spec: &FieldSpec, cell: &Cell, units: &[&str]) -> Result<f64, Msg> {
    let x = match cell {
        Cell::Number(x) => Some(*x),
        Cell::Bool(_) | Cell::DateTime(_) | Cell::Error(_) => None,
        other => numeric_text(&other.text(), units).parse::<f64>().ok(),
    };
    match x {
        Some(x) if x.is_finite() => Ok(x),
        _ => {
            let (zh, en, text) = (spec.zh, spec.en, cell.text());
            Err(msg!(
                "“{zh}”应为数字，这里是“{text}”；请只填数字。",
                "The {en} must be a number, not \"{text}\"; write digits only."
            ))
        }
    }
}

/// Words for yes and no on clerks' sheets.
fn flag(text: &str) -> Option<bool> {
    let t = text.trim().to_lowercase();
    const YES: &[&str] = &[
        "是",
        "有",
        "启用",
        "已启用",
        "营业",
        "正常营业",
        "正常",
        "在岗",
        "到岗",
        "√",
        "✓",
        "✔",
        "y",
        "yes",
        "true",
        "1",
        "开",
    ];
    const NO: &[&str] = &[
        "否",
        "无",
        "未启用",
        "停用",
        "暂停",
        "暂停营业",
        "停业",
        "歇业",
        "不在岗",
        "离岗",
        "×",
        "✗",
        "✘",
        "n",
        "no",
        "false",
        "0",
        "关",
    ];
    if YES.contains(&t.as_str()) {
        Some(true)
    } else if NO.contains(&t.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// Reads one cell for `spec`; `tz` is the zone dates are written in.
pub fn read_cell(spec: &FieldSpec, cell: &Cell, tz: Tz) -> Result<Read, Msg> {
    if cell.is_blank() {
        return Ok(Read {
            value: None,
            warning: None,
        });
    }
    if let Cell::Error(e) = cell {
        let (zh, en) = (spec.zh, spec.en);
        return Err(msg!(
            "“{zh}”这一格是 Excel 错误值 {e}；请改为实际内容或留空。",
            "The {en} cell holds the Excel error {e}; replace it with the real value or leave it blank."
        ));
    }
    let text = cell.text();
    if spec.personal && text.contains('*') {
        let (zh, en) = (spec.zh, spec.en);
        return Err(msg!(
            "“{zh}”含“*”，像是遮蔽过的导出数据；导入需用未遮蔽的原始数据（supplydesk export recipients --unmasked）。",
            "The {en} contains '*', so it looks like masked export data; import the original, unmasked data (supplydesk export recipients --unmasked)."
        ));
    }
    let f = label(spec);
    match spec.ty {
        FieldType::Line(max) => {
            let v = fields::optional_line(f, Some(&text), max).map_err(refused)?;
            Ok(Read {
                value: v.map(Value::Text),
                warning: None,
            })
        }
        FieldType::Name => {
            let v = fields::optional_line(f, Some(&text), NAME_MAX_CHARS).map_err(refused)?;
            Ok(Read {
                value: v.map(Value::Text),
                warning: None,
            })
        }
        FieldType::Text(max) => {
            let raw = match cell {
                Cell::Text(s) => s.clone(),
                _ => text,
            };
            let v = fields::optional_text(f, Some(&raw), max).map_err(refused)?;
            Ok(Read {
                value: v.map(Value::Text),
                warning: None,
            })
        }
        FieldType::Phone => {
            let v = fields::optional_phone(f, Some(&text)).map_err(refused)?;
            Ok(Read {
                value: v.map(Value::Text),
                warning: None,
            })
        }
        FieldType::Count => {
            let x = number(spec, cell, &["人", "户", "名", "辆", "个", "位"])?;
            if x.fract() != 0.0 {
                let (zh, en) = (spec.zh, spec.en);
                return Err(msg!(
                    "“{zh}”应为整数，这里是 {x}；请更正。",
                    "The {en} must be a whole number, not {x}; correct it."
                ));
            }
            let n = fields::count(f, x as i64, COUNT_MAX).map_err(refused)?;
            ok(Value::Integer(n))
        }
        FieldType::Amount => {
            let x = number(spec, cell, &["吨", "t", "T"])?;
            if x < 0.0 {
                let (zh, en) = (spec.zh, spec.en);
                return Err(msg!(
                    "“{zh}”不能为负数（{x}）；请更正。",
                    "The {en} cannot be negative ({x}); correct it."
                ));
            }
            ok(Value::Real(x))
        }
        FieldType::Tonnes => {
            let x = number(spec, cell, &["吨", "t", "T"])?;
            if !(x > 0.0 && x <= LOAD_MAX_TONNES) {
                return Err(msg!(
                    "核定载重 {x} 吨不合理；请填写 0 到 {LOAD_MAX_TONNES} 之间的吨数，或留空。",
                    "A load of {x} tonnes is not plausible; give a figure between 0 and {LOAD_MAX_TONNES} tonnes, or leave it blank."
                ));
            }
            ok(Value::Real(x))
        }
        FieldType::Flag => {
            let b = match cell {
                Cell::Bool(b) => Some(*b),
                _ => flag(&text),
            };
            match b {
                Some(b) => ok(Value::Integer(i64::from(b))),
                None => {
                    let (zh, en) = (spec.zh, spec.en);
                    Err(msg!(
                        "“{zh}”应填“是”或“否”，这里是“{text}”；请更正。",
                        "The {en} must be yes or no (是/否), not \"{text}\"; correct it."
                    ))
                }
            }
        }
        FieldType::Code(set) => match set.parse(&text) {
            Some(code) => ok(Value::Text(code.to_string())),
            None => {
                let (zh, en, czh, cen) = (spec.zh, spec.en, set.choices_zh(), set.choices_en());
                Err(msg!(
                    "“{zh}”不认识“{text}”；可填：{czh}。",
                    "The {en} \"{text}\" is not one of: {cen}."
                ))
            }
        },
        FieldType::Plate => match plate::normalize(&text) {
            Err(e) => Err(Msg::new(e.describe(true), e.describe(false))),
            // Characters no plate has (2辆, a word, punctuation): not a
            // plate at all, whatever else the row says.
            Ok(n)
                if matches!(
                    n.verdict,
                    PlateCheck::Odd(
                        OddReason::InvalidCharacters(_) | OddReason::UnknownProvince(_)
                    )
                ) =>
            {
                let (zh, en) = (n.describe(true), n.describe(false));
                Err(msg!(
                    "“{text}”不可能是车牌：{zh}；请改正此格，或删去这一行。",
                    "\"{text}\" cannot be a plate: {en}; correct the cell or delete the row."
                ))
            }
            Ok(n) => Ok(Read {
                warning: match n.verdict {
                    PlateCheck::Standard(_) => None,
                    PlateCheck::Odd(_) => Some(Msg::new(n.describe(true), n.describe(false))),
                },
                value: Some(Value::Text(n.plate.as_str().to_string())),
            }),
        },
        FieldType::PassNumber => {
            let v = fields::optional_line(f, Some(&text), NUMBER_MAX_CHARS)
                .map_err(refused)?
                .map(|s| s.to_uppercase());
            if v.as_deref()
                .is_some_and(|s| s.contains(char::is_whitespace))
            {
                return Err(msg!(
                    "证号“{text}”中有空格；请按 SHK-TX-2022-00001 的样式填写。",
                    "The pass number \"{text}\" contains spaces; write it like SHK-TX-2022-00001."
                ));
            }
            Ok(Read {
                value: v.map(Value::Text),
                warning: None,
            })
        }
        FieldType::IdNumber => id_number(cell, &text),
        FieldType::Quantity => quantity_cell(spec, cell, &text),
        FieldType::Moment => moment_cell(spec, cell, &text, tz),
        FieldType::From | FieldType::Until => {
            let written = match cell {
                Cell::DateTime(t) => Some(dates::Written {
                    date: t.date(),
                    time: (!dates::is_date_only(*t)).then_some(t.time()),
                }),
                Cell::Number(x) => dates::from_serial(*x).map(|t| dates::Written {
                    date: t.date(),
                    time: (!dates::is_date_only(t)).then_some(t.time()),
                }),
                _ => dates::parse(&text),
            };
            let at = written.and_then(|w| {
                if spec.ty == FieldType::From {
                    dates::start_of(w, tz)
                } else {
                    dates::end_of(w, tz)
                }
            });
            match at {
                Some(t) => ok(Value::Text(to_db(t))),
                None => {
                    let (zh, en) = (spec.zh, spec.en);
                    Err(msg!(
                        "“{zh}”读不出日期“{text}”；请写成 2022-05-26、2022/5/26 或 2022年5月26日。",
                        "The {en} \"{text}\" is not a date I can read; write it like 2022-05-26, 2022/5/26 or 2022年5月26日."
                    ))
                }
            }
        }
    }
}

pub use crate::domain::cover::parse_quantity;

fn quantity_cell(spec: &FieldSpec, cell: &Cell, text: &str) -> Result<Read, Msg> {
    let x = match cell {
        Cell::Number(x) => Some(*x).filter(|x| x.is_finite()),
        Cell::Text(_) => parse_quantity(text),
        _ => None,
    };
    let (zh, en) = (spec.zh, spec.en);
    let Some(x) = x else {
        return Err(msg!(
            "“{zh}”应为数量，这里是“{text}”；请写成 3200、3200kg、3.2吨 或 500斤 这样的形式。",
            "The {en} must be a quantity, not \"{text}\"; write it like 3200, 3200kg, 3.2t or 500斤."
        ));
    };
    if !(0.0..=MAX_QUANTITY).contains(&x) {
        let max = number_text(MAX_QUANTITY);
        let shown = number_text(x);
        return Err(msg!(
            "“{zh}”{shown} 不可用；请填 0 到 {max} 之间的数（公斤，防护用品为件）。",
            "The {en} {shown} cannot be used; give a number from 0 to {max} (kg, pieces for protective supplies)."
        ));
    }
    ok(Value::Real(x))
}

/// A moment with its time of day: an Excel date-time cell, a serial with
/// its fraction of a day, or text such as `2026-11-29 08:00`,
/// `2026/11/29 8:00` or `2026年11月29日 8时`.
fn moment_cell(spec: &FieldSpec, cell: &Cell, text: &str, tz: Tz) -> Result<Read, Msg> {
    let (zh, en) = (spec.zh, spec.en);
    let written = match cell {
        // A typed date-time cell is a moment even at midnight.
        Cell::DateTime(t) => Some(dates::Written {
            date: t.date(),
            time: Some(t.time()),
        }),
        Cell::Number(x) => dates::from_serial(*x).map(|t| dates::Written {
            date: t.date(),
            time: (!dates::is_date_only(t)).then_some(t.time()),
        }),
        _ => dates::parse(text),
    };
    match written {
        None => Err(msg!(
            "“{zh}”读不出时间“{text}”；请写成 2026-11-29 08:00、2026/11/29 8:00 或 2026年11月29日 8时。",
            "The {en} \"{text}\" is not a time I can read; write it like 2026-11-29 08:00, 2026/11/29 8:00 or 2026年11月29日 8时."
        )),
        Some(dates::Written { time: None, .. }) => Err(msg!(
            "“{zh}”“{text}”只有日期没有钟点；同一天早晚的库存不同，请写明几点，如 2026-11-29 08:00。",
            "The {en} \"{text}\" is a date without a time of day; figures change within a day, so add the hour, like 2026-11-29 08:00."
        )),
        Some(w) => match dates::start_of(w, tz) {
            Some(t) => ok(Value::Text(to_db(t))),
            None => Err(msg!(
                "“{zh}”“{text}”在本时区不存在；请核对时间。",
                "The {en} \"{text}\" does not exist in the local time zone; check it."
            )),
        },
    }
}

/// A resident ID number: 18 characters (17 digits and a digit or X) or
/// the old 15 digits. A number cell has lost its last digits to Excel's
/// 15-digit precision, so it is refused with the way out.
fn id_number(cell: &Cell, text: &str) -> Result<Read, Msg> {
    if matches!(cell, Cell::Number(_)) {
        return Err(msg!(
            "身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后重新录入。",
            "Excel stored the ID number as a number and lost its last digits; format the column as text and type the numbers again."
        ));
    }
    let v: String = text
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let ok_shape = match v.chars().count() {
        15 => v.chars().all(|c| c.is_ascii_digit()),
        18 => v
            .char_indices()
            .all(|(i, c)| c.is_ascii_digit() || (i == 17 && c == 'X')),
        _ => false,
    };
    if !ok_shape {
        return Err(msg!(
            "身份证号应为 18 位（最后一位可为 X）或旧式 15 位数字；请核对。",
            "The ID number must be 18 characters (the last may be X) or 15 digits; check it."
        ));
    }
    Ok(Read {
        value: Some(Value::Text(v)),
        warning: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ledger::LedgerTable;
    use chrono::NaiveDate;

    fn spec(t: LedgerTable, key: &str) -> &'static FieldSpec {
        t.field(key).unwrap()
    }

    fn read(t: LedgerTable, key: &str, cell: Cell) -> Result<Read, Msg> {
        read_cell(spec(t, key), &cell, chrono_tz::Asia::Shanghai)
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    #[test]
    fn plates_normalise_warn_or_fail() {
        let r = read(LedgerTable::Vehicle, "plate", text("渝f·12345")).unwrap();
        assert_eq!(r.value, Some(Value::Text("渝F12345".into())));
        assert_eq!(r.warning, None);
        let r = read(LedgerTable::Vehicle, "plate", text("渝F1234")).unwrap();
        assert!(r.warning.unwrap().en.contains("4 characters"));
        let e = read(LedgerTable::Vehicle, "plate", text("渝·")).unwrap_err();
        assert!(e.en.contains("no letters or digits"), "{e:?}");
    }

    #[test]
    fn counts_and_amounts() {
        let r = read(LedgerTable::Compound, "resident_pop", text("1,516人")).unwrap();
        assert_eq!(r.value, Some(Value::Integer(1516)));
        let r = read(LedgerTable::Compound, "resident_pop", Cell::Number(516.0)).unwrap();
        assert_eq!(r.value, Some(Value::Integer(516)));
        assert!(read(LedgerTable::Compound, "resident_pop", text("-3")).is_err());
        assert!(read(LedgerTable::Compound, "resident_pop", text("5.5")).is_err());
        let e = read(LedgerTable::Compound, "households", text("很多")).unwrap_err();
        assert!(e.zh.contains("应为数字"), "{e:?}");
        let r = read(LedgerTable::Vehicle, "load_tonnes", text("4.5吨")).unwrap();
        assert_eq!(r.value, Some(Value::Real(4.5)));
        assert!(read(LedgerTable::Vehicle, "load_tonnes", text("300")).is_err());
        let r = read(LedgerTable::Compound, "households", text("  ")).unwrap();
        assert_eq!(r.value, None);
    }

    #[test]
    fn flags_and_codes() {
        let r = read(LedgerTable::Compound, "station_active", text("是")).unwrap();
        assert_eq!(r.value, Some(Value::Integer(1)));
        let r = read(LedgerTable::Compound, "station_active", text("未启用")).unwrap();
        assert_eq!(r.value, Some(Value::Integer(0)));
        assert!(read(LedgerTable::Compound, "station_active", text("也许")).is_err());
        let r = read(LedgerTable::Recipient, "group", text("血透患者")).unwrap();
        assert_eq!(r.value, Some(Value::Text("dialysis".into())));
        let r = read(LedgerTable::Recipient, "group", text("低保")).unwrap();
        assert_eq!(r.value, Some(Value::Text("subsistence".into())));
        let e = read(LedgerTable::SupplyUnit, "category", text("五金")).unwrap_err();
        assert!(e.zh.contains("粮油"), "{e:?}");
    }

    #[test]
    fn dates_in_every_form() {
        for cell in [
            text("2022-05-26"),
            text("2022/5/26"),
            text("2022年5月26日"),
            Cell::Number(44707.0),
        ] {
            let r = read(LedgerTable::Pass, "valid_from", cell.clone()).unwrap();
            assert_eq!(
                r.value,
                Some(Value::Text("2022-05-25T16:00:00.000Z".into())),
                "{cell:?}"
            );
        }
        let r = read(LedgerTable::Pass, "valid_until", text("2022-06-25")).unwrap();
        assert_eq!(
            r.value,
            Some(Value::Text("2022-06-25T16:00:00.000Z".into()))
        );
        let e = read(LedgerTable::Pass, "valid_from", text("下周一")).unwrap_err();
        assert!(e.en.contains("not a date"), "{e:?}");
    }

    #[test]
    fn id_numbers_and_masked_values() {
        let r = read(
            LedgerTable::Recipient,
            "id_number",
            text("50010119700101001x"),
        )
        .unwrap();
        assert_eq!(r.value, Some(Value::Text("50010119700101001X".into())));
        assert!(read(LedgerTable::Recipient, "id_number", text("12345")).is_err());
        let e = read(
            LedgerTable::Recipient,
            "id_number",
            Cell::Number(500101197001010000.0),
        )
        .unwrap_err();
        assert!(e.en.contains("lost its last digits"), "{e:?}");
        let e = read(LedgerTable::Recipient, "phone", text("138****5678")).unwrap_err();
        assert!(e.en.contains("masked"), "{e:?}");
        let e = read(LedgerTable::Recipient, "name", text("周*芳")).unwrap_err();
        assert!(e.en.contains("masked"), "{e:?}");
        // A volunteer's name is not personal data of a recipient.
        assert!(read(LedgerTable::Volunteer, "name", text("赵*")).is_ok());
    }

    #[test]
    fn stock_figures_read_as_the_stock_command_reads_them() {
        let q = |c: Cell| read(LedgerTable::StockReport, "stock", c).map(|r| r.value);
        for (typed, want) in [
            ("3200", 3200.0),
            (" 3,200 kg ", 3200.0),
            ("3.2t", 3200.0),
            ("3.2吨", 3200.0),
            ("500斤", 250.0),
            ("2000件", 2000.0),
            ("３２００公斤", 3200.0),
        ] {
            assert_eq!(q(text(typed)), Ok(Some(Value::Real(want))), "{typed}");
        }
        assert_eq!(q(Cell::Number(4.5)), Ok(Some(Value::Real(4.5))));
        for bad in ["lots", "inf", "NaN", "3200 bags", "-5", "2e8"] {
            let e = q(text(bad)).unwrap_err();
            assert!(e.en.starts_with("The stock"), "{bad}: {e:?}");
        }
        assert_eq!(parse_quantity(" 3,200 kg "), Some(3200.0));
        assert_eq!(parse_quantity(""), None);
    }

    #[test]
    fn a_report_moment_needs_its_time_of_day() {
        let m = |c: Cell| read(LedgerTable::StockReport, "reported_at", c).map(|r| r.value);
        let want = Ok(Some(Value::Text("2026-11-29T00:00:00.000Z".into())));
        let at = NaiveDate::from_ymd_opt(2026, 11, 29)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .unwrap();
        for cell in [
            text("2026-11-29 08:00"),
            text("2026/11/29 8:00"),
            text("2026年11月29日 8时"),
            text("46355.333333333336"),
            Cell::Number(46355.0 + 1.0 / 3.0),
            Cell::DateTime(at),
        ] {
            assert_eq!(m(cell.clone()), want, "{cell:?}");
        }
        for bare in [text("2026-11-29"), Cell::Number(46355.0)] {
            let e = m(bare.clone()).unwrap_err();
            assert!(e.en.contains("without a time of day"), "{bare:?}: {e:?}");
        }
        let e = m(text("昨天早上")).unwrap_err();
        assert!(e.en.contains("not a time I can read"), "{e:?}");
    }

    #[test]
    fn pass_numbers_are_upper_case_without_spaces() {
        let r = read(LedgerTable::Pass, "number", text(" shk-tx-2022-00001 ")).unwrap();
        assert_eq!(r.value, Some(Value::Text("SHK-TX-2022-00001".into())));
        assert!(read(LedgerTable::Pass, "number", text("SHK TX 1")).is_err());
    }
}
