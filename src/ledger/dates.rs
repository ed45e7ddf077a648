//! Dates as clerks write them: `2022-05-26`, `2022/5/26`, `2022.5.26`,
//! `2022年5月26日`, `20220526`, with or without a time, or an Excel date
//! serial (days since 1899-12-30, what a date cell holds).

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// A date read from a cell, with its time of day when one was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
}

/// Excel's day zero in the 1900 date system (the serial of 1900-03-01 and
/// later counts from here, past Excel's phantom 1900-02-29).
fn excel_epoch() -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1899, 12, 30)
}

/// The moment an Excel serial stands for; `None` outside 1900–9999.
pub fn from_serial(serial: f64) -> Option<NaiveDateTime> {
    if !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor();
    let ms = ((serial - days) * 86_400_000.0).round() as i64;
    let date = excel_epoch()?.checked_add_signed(Duration::days(days as i64))?;
    date.and_hms_opt(0, 0, 0)?
        .checked_add_signed(Duration::milliseconds(ms))
}

fn time_part(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    // 8时, 8点, 8时30分, 8点半, 8时30分15秒 → 8:00, 8:30, 8:30:15.
    let spoken;
    let s = if s.contains(['时', '点', '分', '秒']) {
        let t = s
            .replace('钟', "")
            .replace('半', "30")
            .replace(['时', '点', '分'], ":")
            .replace('秒', "");
        let t = t.trim_end_matches(':');
        spoken = if t.contains(':') {
            t.to_string()
        } else {
            format!("{t}:00")
        };
        spoken.as_str()
    } else {
        s
    };
    ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(s, f).ok())
}

/// Reads a written date (and time). Returns `None` for anything else.
pub fn parse(input: &str) -> Option<Written> {
    let s = input.trim();
    if s.is_empty() {
        return None;
    }
    // An Excel serial written out (a date cell saved as a number).
    if let Ok(x) = s.parse::<f64>()
        && !(s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()))
    {
        let t = from_serial(x)?;
        let time = (t.time() != NaiveTime::MIN).then_some(t.time());
        return Some(Written {
            date: t.date(),
            time,
        });
    }
    // 2022年5月26日 08:30 → 2022-5-26 and 08:30; the time keeps its dots
    // (seconds' fractions).
    let spaced = s.replace('日', " ");
    let spaced = spaced.trim();
    let (date_raw, rest) = match spaced.find(|c: char| c.is_whitespace() || c == 'T') {
        Some(i) => (&spaced[..i], spaced[i..].trim_start_matches('T').trim()),
        None => (spaced, ""),
    };
    let date_text = date_raw.replace(['年', '月', '/', '.'], "-");
    let date_text = date_text.as_str();
    let date = if date_text.len() == 8 && date_text.bytes().all(|b| b.is_ascii_digit()) {
        NaiveDate::parse_from_str(date_text, "%Y%m%d").ok()?
    } else {
        let mut parts = date_text.split('-');
        let y: i32 = parts.next()?.trim().parse().ok()?;
        let m: u32 = parts.next()?.trim().parse().ok()?;
        let d: u32 = parts.next()?.trim().parse().ok()?;
        if parts.next().is_some_and(|p| !p.trim().is_empty()) || !(1900..=9999).contains(&y) {
            return None;
        }
        NaiveDate::from_ymd_opt(y, m, d)?
    };
    let time = if rest.is_empty() {
        None
    } else {
        Some(time_part(rest)?)
    };
    Some(Written { date, time })
}

fn local(n: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&n)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The first moment of validity: a bare date is its local midnight.
pub fn start_of(w: Written, tz: Tz) -> Option<DateTime<Utc>> {
    local(w.date.and_time(w.time.unwrap_or(NaiveTime::MIN)), tz)
}

/// The end of validity: a bare date is valid through that whole day, so
/// it ends at the next local midnight.
pub fn end_of(w: Written, tz: Tz) -> Option<DateTime<Utc>> {
    match w.time {
        Some(t) => local(w.date.and_time(t), tz),
        None => local(w.date.succ_opt()?.and_time(NaiveTime::MIN), tz),
    }
}

/// How a stored moment is written back: a date when it is a local
/// midnight (the day before for an end, which is inclusive), else the
/// date and time to the precision it has.
pub fn write(t: DateTime<Utc>, tz: Tz, is_end: bool) -> (NaiveDateTime, String) {
    let l = t.with_timezone(&tz).naive_local();
    if l.time() == NaiveTime::MIN {
        let d = if is_end {
            l.date().pred_opt().unwrap_or(l.date())
        } else {
            l.date()
        };
        let at = d.and_time(NaiveTime::MIN);
        return (at, d.format("%Y-%m-%d").to_string());
    }
    let text = if l.nanosecond() != 0 {
        l.format("%Y-%m-%d %H:%M:%S%.3f")
    } else if l.second() != 0 {
        l.format("%Y-%m-%d %H:%M:%S")
    } else {
        l.format("%Y-%m-%d %H:%M")
    };
    (l, text.to_string())
}

/// How a stored moment of a report is written back: always with its time
/// of day (midnight too), to the precision it has.
pub fn write_moment(t: DateTime<Utc>, tz: Tz) -> (NaiveDateTime, String) {
    let l = t.with_timezone(&tz).naive_local();
    let text = if l.nanosecond() != 0 {
        l.format("%Y-%m-%d %H:%M:%S%.3f")
    } else if l.second() != 0 {
        l.format("%Y-%m-%d %H:%M:%S")
    } else {
        l.format("%Y-%m-%d %H:%M")
    };
    (l, text.to_string())
}

/// Whether a written moment is a bare date (for a date-only cell format).
pub fn is_date_only(n: NaiveDateTime) -> bool {
    n.time() == NaiveTime::MIN
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::to_db;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_forms_clerks_write() {
        let want = Some(Written {
            date: d(2022, 5, 26),
            time: None,
        });
        for s in [
            "2022-05-26",
            "2022/5/26",
            "2022年5月26日",
            "2022.5.26",
            "20220526",
            " 2022-5-26 ",
            "44707",
        ] {
            assert_eq!(parse(s), want, "{s}");
        }
        let t = parse("2022年5月26日 8:30").unwrap();
        assert_eq!(t.time, NaiveTime::from_hms_opt(8, 30, 0));
        for (spoken, h, m, sec) in [
            ("2026年11月29日 8时", 8, 0, 0),
            ("2026年11月29日8时30分", 8, 30, 0),
            ("2026年11月29日 8点半", 8, 30, 0),
            ("2026-11-29 20点", 20, 0, 0),
            ("2026/11/29 8时5分9秒", 8, 5, 9),
        ] {
            let w = parse(spoken).unwrap_or_else(|| panic!("{spoken}"));
            assert_eq!(w.date, d(2026, 11, 29), "{spoken}");
            assert_eq!(w.time, NaiveTime::from_hms_opt(h, m, sec), "{spoken}");
        }
        assert_eq!(parse("2026-11-29 25时"), None);
        assert_eq!(parse("2026-11-29 八时"), None);
        let t = parse("2022-05-26T08:30:15").unwrap();
        assert_eq!(t.time, NaiveTime::from_hms_opt(8, 30, 15));
        assert_eq!(
            parse("44707.5").unwrap().time,
            NaiveTime::from_hms_opt(12, 0, 0)
        );
        for bad in [
            "2022-13-01",
            "2022-02-30",
            "明天",
            "26/5/2022",
            "5月26日",
            "",
            "12",
            "2022-05-26 25:00",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn excel_serials() {
        let t = from_serial(44707.0).unwrap();
        assert_eq!(t.date(), d(2022, 5, 26));
        assert_eq!(from_serial(61.0).unwrap().date(), d(1900, 3, 1));
        assert_eq!(from_serial(-1.0), None);
    }

    #[test]
    fn a_bare_end_date_is_valid_through_the_day_and_writes_back_the_same() {
        let sh = chrono_tz::Asia::Shanghai;
        let w = parse("2022-06-25").unwrap();
        let start = start_of(w, sh).unwrap();
        let end = end_of(w, sh).unwrap();
        assert_eq!(to_db(start), "2022-06-24T16:00:00.000Z");
        assert_eq!(to_db(end), "2022-06-25T16:00:00.000Z");
        assert_eq!(write(start, sh, false).1, "2022-06-25");
        assert_eq!(write(end, sh, true).1, "2022-06-25");
        let w = parse("2022-06-25 18:00").unwrap();
        let end = end_of(w, sh).unwrap();
        assert_eq!(write(end, sh, true).1, "2022-06-25 18:00");
        let odd = Utc.with_ymd_and_hms(2022, 6, 25, 10, 0, 5).unwrap() + Duration::milliseconds(7);
        let (_, text) = write(odd, sh, true);
        assert_eq!(text, "2022-06-25 18:00:05.007");
        let back = parse(&text).unwrap();
        assert_eq!(end_of(back, sh), Some(odd));
    }

    #[test]
    fn a_moment_is_written_with_its_time_even_at_midnight() {
        let sh = chrono_tz::Asia::Shanghai;
        let midnight = Utc.with_ymd_and_hms(2026, 11, 28, 16, 0, 0).unwrap();
        assert_eq!(write_moment(midnight, sh).1, "2026-11-29 00:00");
        let back = parse("2026-11-29 00:00").unwrap();
        assert_eq!(start_of(back, sh), Some(midnight));
        let odd = midnight + Duration::milliseconds(8_005_007);
        let (_, text) = write_moment(odd, sh);
        assert_eq!(text, "2026-11-29 02:13:25.007");
        assert_eq!(start_of(parse(&text).unwrap(), sh), Some(odd));
    }
}
