//! Checks of what an officer types into a form, shared by the store's
//! actions, so that every form refuses the same things with the same words
//! before anything is written.

use chrono::{DateTime, FixedOffset, Utc};

use super::{Result, StoreError};
use crate::msg;
use crate::msg::Msg;

/// Names of places, units, people and vehicles' types.
pub const NAME_MAX_CHARS: usize = 100;
/// Free text of a record: an alert's text, an outcome, a reason, a note,
/// the items of a delivery.
pub const TEXT_MAX_CHARS: usize = 500;
/// Phone numbers as typed, with spaces and an area code.
pub const PHONE_MAX_CHARS: usize = 30;
/// Pass numbers given by hand.
pub const NUMBER_MAX_CHARS: usize = 40;
/// Population and household figures that fit a sub-district.
pub const COUNT_MAX: i64 = 10_000_000;

/// A field's name in both languages, for messages.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub zh: &'static str,
    pub en: &'static str,
}

pub const fn field(zh: &'static str, en: &'static str) -> Field {
    Field { zh, en }
}

fn refused(m: Msg) -> StoreError {
    StoreError::Refused(m)
}

/// A required single-line value: trimmed, not blank, no control
/// characters, at most `max` characters.
pub fn required_line(f: Field, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        let (zh, en) = (f.zh, f.en);
        return Err(refused(msg!(
            "{zh}为空；请填写{zh}。",
            "The {en} is empty; fill it in."
        )));
    }
    check_line(f, v, max)?;
    Ok(v.to_string())
}

/// An optional single-line value: blank means none.
pub fn optional_line(f: Field, value: Option<&str>, max: usize) -> Result<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => {
            check_line(f, v, max)?;
            Ok(Some(v.to_string()))
        }
    }
}

/// Required free text; line breaks are kept, other control characters
/// refused.
pub fn required_text(f: Field, value: &str, max: usize) -> Result<String> {
    let v = clean_text(value);
    if v.is_empty() {
        let (zh, en) = (f.zh, f.en);
        return Err(refused(msg!(
            "{zh}为空；请填写{zh}。",
            "The {en} is empty; fill it in."
        )));
    }
    check_text(f, &v, max)?;
    Ok(v)
}

/// Optional free text: blank means none.
pub fn optional_text(f: Field, value: Option<&str>, max: usize) -> Result<Option<String>> {
    let v = value.map(clean_text).unwrap_or_default();
    if v.is_empty() {
        return Ok(None);
    }
    check_text(f, &v, max)?;
    Ok(Some(v))
}

fn clean_text(value: &str) -> String {
    // Windows line endings from a paste are one line break, not a control
    // character to refuse.
    value.replace("\r\n", "\n").trim().to_string()
}

fn too_long(f: Field, n: usize, max: usize) -> StoreError {
    let (zh, en) = (f.zh, f.en);
    refused(msg!(
        "{zh}过长（{n} 字），上限 {max} 字；请缩短。",
        "The {en} is {n} characters long, more than the limit of {max}; shorten it."
    ))
}

fn check_line(f: Field, v: &str, max: usize) -> Result<()> {
    let n = v.chars().count();
    if n > max {
        return Err(too_long(f, n, max));
    }
    if v.chars().any(char::is_control) {
        let (zh, en) = (f.zh, f.en);
        return Err(refused(msg!(
            "{zh}含控制字符或换行；请只写一行文字。",
            "The {en} contains control characters or line breaks; write it on one line."
        )));
    }
    Ok(())
}

fn check_text(f: Field, v: &str, max: usize) -> Result<()> {
    let n = v.chars().count();
    if n > max {
        return Err(too_long(f, n, max));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        let (zh, en) = (f.zh, f.en);
        return Err(refused(msg!(
            "{zh}含控制字符；请删去后重试。",
            "The {en} contains control characters; remove them and try again."
        )));
    }
    Ok(())
}

/// An optional phone number: digits with the usual separators.
pub fn optional_phone(f: Field, value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = optional_line(f, value, PHONE_MAX_CHARS)? else {
        return Ok(None);
    };
    let half = |c: char| match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    let ok_chars = v
        .chars()
        .map(half)
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '（' | '）'));
    let digits = v.chars().map(half).filter(char::is_ascii_digit).count();
    if !ok_chars || digits < 3 {
        let (zh, en) = (f.zh, f.en);
        return Err(refused(msg!(
            "{zh}“{v}”不是电话号码；请只填数字（可带空格、短横线或 +86）。",
            "The {en} \"{v}\" is not a phone number; use digits, optionally with spaces, dashes or +86."
        )));
    }
    Ok(Some(v))
}

/// A count (households, population, staff) that cannot be negative.
pub fn count(f: Field, n: i64, max: i64) -> Result<i64> {
    if !(0..=max).contains(&n) {
        let (zh, en) = (f.zh, f.en);
        return Err(refused(msg!(
            "{zh}为 {n}，应在 0 到 {max} 之间；请更正。",
            "The {en} is {n}; it must be between 0 and {max}."
        )));
    }
    Ok(n)
}

/// A moment for a log line: the plan's local time with its offset
/// written out, so that the line reads the same wherever it is shown.
pub fn log_time(t: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(8 * 3600) {
        Some(cst) => t
            .with_timezone(&cst)
            .format("%Y-%m-%d %H:%M%:z")
            .to_string(),
        None => t.format("%Y-%m-%d %H:%MZ").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: Field = field("名称", "name");

    #[test]
    fn lines_and_texts() {
        assert_eq!(required_line(F, "  一碗水  ", 10).unwrap(), "一碗水");
        assert!(
            required_line(F, "   ", 10)
                .unwrap_err()
                .message()
                .en
                .contains("is empty")
        );
        let e = required_line(F, &"字".repeat(11), 10)
            .unwrap_err()
            .message();
        assert!(
            e.en.contains("limit of 10") && e.zh.contains("上限 10 字"),
            "{e:?}"
        );
        assert!(required_line(F, "a\nb", 10).is_err());
        assert_eq!(optional_line(F, Some("  "), 10).unwrap(), None);
        assert_eq!(required_text(F, "一\r\n二", 10).unwrap(), "一\n二");
        assert!(required_text(F, "一\u{1b}[2J", 10).is_err());
        assert_eq!(optional_text(F, None, 10).unwrap(), None);
    }

    #[test]
    fn phones_and_counts() {
        assert_eq!(
            optional_phone(F, Some(" 138 1234 5678 "))
                .unwrap()
                .as_deref(),
            Some("138 1234 5678")
        );
        assert_eq!(
            optional_phone(F, Some("+86 (023) 5812-3456"))
                .unwrap()
                .as_deref(),
            Some("+86 (023) 5812-3456")
        );
        assert!(optional_phone(F, Some("call me")).is_err());
        assert!(optional_phone(F, Some("12")).is_err());
        assert_eq!(count(F, 0, 5).unwrap(), 0);
        assert!(count(F, -1, 5).is_err());
        assert!(count(F, 6, 5).is_err());
    }

    #[test]
    fn log_times_carry_their_offset() {
        use chrono::TimeZone;
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap();
        assert_eq!(log_time(t), "2026-11-29 10:00+08:00");
    }
}
