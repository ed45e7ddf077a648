//! Units written in a header — 库存（吨）, 日到货（斤）, 常住人口（万人）,
//! 核定载质量（kg） — applied to every plain number of the column, so
//! that 30 under 库存（吨） is stored as 30,000 kg. A unit that cannot be
//! turned into the field's own measure stops the import.

use crate::msg;
use crate::msg::Msg;
use crate::store::ledger::{FieldSpec, FieldType};

/// What a column's plain numbers are multiplied by, and the unit as the
/// header wrote it (for messages and the dry run).
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    pub factor: f64,
    pub unit: String,
    /// A unit of weight (吨, 斤 …), which a count in pieces cannot take.
    pub weight: bool,
}

/// Kilograms in one of a weight unit, after an optional 万.
fn kilograms(unit: &str) -> Option<f64> {
    Some(match unit {
        "吨" | "t" | "公吨" | "吨数" => 1000.0,
        "公斤" | "kg" | "千克" | "kgs" => 1.0,
        "斤" | "市斤" => 0.5,
        "克" | "g" => 0.001,
        _ => return None,
    })
}

/// Splits a leading 万 (ten thousand) off a unit.
fn myriad(unit: &str) -> (f64, &str) {
    match unit.strip_prefix('万') {
        Some(rest) => (10_000.0, rest),
        None => (1.0, unit),
    }
}

/// The factor for `unit` (normalised bracket text) on a field of `ty`:
/// `Ok(None)` when the field takes no unit (a bracket on a name is just
/// part of its wording), `Err` when the unit cannot be known.
pub fn scale(spec: &FieldSpec, unit: &str) -> Result<Option<Scale>, Msg> {
    let unit = unit
        .trim_start_matches("单位")
        .trim_start_matches(['：', ':'])
        .trim();
    let (ten_k, base) = myriad(unit);
    let found = |factor: f64, weight: bool| {
        Ok(Some(Scale {
            factor,
            unit: unit.to_string(),
            weight,
        }))
    };
    match spec.ty {
        FieldType::Quantity => {
            if let Some(kg) = kilograms(base) {
                return found(ten_k * kg, true);
            }
            if matches!(base, "件" | "个" | "pcs" | "只" | "") && !unit.is_empty() {
                return found(ten_k, false);
            }
        }
        FieldType::Tonnes | FieldType::Amount => {
            if let Some(kg) = kilograms(base) {
                return found(ten_k * kg / 1000.0, true);
            }
        }
        FieldType::Count => {
            if matches!(
                base,
                "人" | "户" | "名" | "辆" | "个" | "位" | "人数" | "户数" | "台" | ""
            ) && !unit.is_empty()
            {
                return found(ten_k, false);
            }
        }
        _ => return Ok(None),
    }
    let (zh, en) = (spec.zh, spec.en);
    let measure = match spec.ty {
        FieldType::Quantity => (
            "公斤（防护用品为件）",
            "kg (pieces for protective supplies)",
        ),
        FieldType::Count => ("个数", "a count"),
        _ => ("吨", "tonnes"),
    };
    let (mzh, men) = measure;
    Err(msg!(
        "表头“{zh}”的单位“{unit}”无法换算为{mzh}；请把表头的单位写成吨、公斤、斤（或万），或把该列换算后再导入。",
        "The unit \"{unit}\" in the {en} header cannot be turned into {men}; write the header's unit as 吨 (t), 公斤 (kg) or 斤 (or with 万), or convert the column before importing."
    ))
}

/// `x` times the column's factor, without the float noise of 1.2 × 10000.
pub fn apply(x: f64, factor: f64) -> f64 {
    let y = x * factor;
    if y.is_finite() && y.abs() < 1e12 {
        (y * 1e6).round() / 1e6
    } else {
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ledger::LedgerTable;

    fn spec(t: LedgerTable, key: &str) -> &'static FieldSpec {
        t.field(key).unwrap()
    }

    #[test]
    fn weights_become_the_fields_measure() {
        let stock = spec(LedgerTable::StockReport, "stock");
        assert_eq!(scale(stock, "吨").unwrap().unwrap().factor, 1000.0);
        assert_eq!(scale(stock, "斤").unwrap().unwrap().factor, 0.5);
        assert_eq!(scale(stock, "kg").unwrap().unwrap().factor, 1.0);
        assert_eq!(scale(stock, "万斤").unwrap().unwrap().factor, 5000.0);
        assert!(scale(stock, "箱").is_err());
        let load = spec(LedgerTable::Vehicle, "load_tonnes");
        assert_eq!(scale(load, "kg").unwrap().unwrap().factor, 0.001);
        assert_eq!(scale(load, "吨").unwrap().unwrap().factor, 1.0);
        let pop = spec(LedgerTable::Community, "resident_pop");
        assert_eq!(scale(pop, "万人").unwrap().unwrap().factor, 10_000.0);
        assert_eq!(scale(pop, "人").unwrap().unwrap().factor, 1.0);
        assert!(scale(pop, "吨").is_err());
        let name = spec(LedgerTable::Community, "name");
        assert_eq!(scale(name, "村").unwrap(), None);
        assert_eq!(apply(1.2, 10_000.0), 12_000.0);
    }
}
