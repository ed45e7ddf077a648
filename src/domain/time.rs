//! Times: stored in UTC as fixed-width text (so text order is time order),
//! shown in the configured zone, typed in many forms.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// `2026-11-29T02:13:16.123Z`
pub fn to_db(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn from_db(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Local `YYYY-MM-DD HH:MM` in `tz`.
pub fn local_minute(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// Local `MM-DD HH:MM` in `tz`, for narrow columns.
pub fn local_short(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%m-%d %H:%M").to_string()
}

/// An age such as `3d4h`, `5h12m`, `7m`, for columns.
pub fn age(d: Duration) -> String {
    let m = d.num_minutes().max(0);
    if m < 60 {
        format!("{m}m")
    } else if m < 24 * 60 {
        format!("{}h{:02}m", m / 60, m % 60)
    } else {
        format!("{}d{}h", m / (24 * 60), (m / 60) % 24)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// Why a typed time cannot be used: in English, and in Chinese when the
/// reason is other than "not readable" (which callers word themselves).
pub struct TimeError(pub String, pub Option<String>);

/// Reads a time typed by a person, in `tz` unless it says otherwise:
/// RFC 3339 (`2026-11-29T08:30:00+08:00`), `2026-11-29 08:30[:00]`,
/// `2026/11/29 08:30`, `2026-11-29` (midnight), `08:30` (today, or
/// yesterday when that would be in the future), `-2h`, `-30m`, `-1d`
/// (before `now`), and `now`; full-width digits and colons too.
pub fn parse_local(input: &str, tz: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeError> {
    // `19：50` as a Chinese input method types it.
    let folded = crate::domain::text::fold_width(input);
    let s = folded.trim();
    let err = || {
        TimeError(
            format!(
                "\"{s}\" is not a time I can read; write it like 2026-11-29 08:30, 08:30 or -2h"
            ),
            None,
        )
    };
    if s.is_empty() {
        return Err(err());
    }
    if s.eq_ignore_ascii_case("now") || s == "现在" {
        return Ok(now);
    }
    if let Some(rest) = s.strip_prefix('-') {
        let Some(unit) = rest.chars().last() else {
            return Err(err());
        };
        let num = &rest[..rest.len() - unit.len_utf8()];
        let n: i64 = num.parse().map_err(|_| err())?;
        let d = match unit {
            'm' => Duration::try_minutes(n),
            'h' => Duration::try_hours(n),
            'd' => Duration::try_days(n),
            _ => return Err(err()),
        };
        return d
            .filter(|d| *d >= Duration::zero() && *d <= Duration::days(SPAN_MAX_DAYS))
            .and_then(|d| now.checked_sub_signed(d))
            .ok_or_else(|| out_of_range(s));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return in_range(t.with_timezone(&Utc), s);
    }
    let norm = s.replace('/', "-").replace('T', " ");
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(&norm, f) {
            return in_range(local_to_utc(n, tz).ok_or_else(err)?, s);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(&norm, "%Y-%m-%d") {
        return in_range(
            local_to_utc(d.and_time(NaiveTime::MIN), tz).ok_or_else(err)?,
            s,
        );
    }
    for f in ["%H:%M", "%H:%M:%S"] {
        if let Ok(t) = NaiveTime::parse_from_str(s, f) {
            let today = now.with_timezone(&tz).date_naive();
            let mut at = local_to_utc(today.and_time(t), tz).ok_or_else(err)?;
            if at > now {
                at -= Duration::days(1);
            }
            return Ok(at);
        }
    }
    Err(err())
}

/// The longest span typed as `-30d` (about a century).
pub const SPAN_MAX_DAYS: i64 = 36_600;

/// The years a typed time may fall in.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

fn out_of_range(s: &str) -> TimeError {
    let (a, b) = (YEARS.start(), YEARS.end());
    TimeError(
        format!(
            "\"{s}\" is out of range: a time must fall between {a} and {b}, and a span like -2h be at most {SPAN_MAX_DAYS} days"
        ),
        Some(format!(
            "时间 “{s}”超出范围：须在 {a} 年到 {b} 年之间，-2h 这样的时长最多 {SPAN_MAX_DAYS} 天。"
        )),
    )
}

fn in_range(t: DateTime<Utc>, s: &str) -> Result<DateTime<Utc>, TimeError> {
    use chrono::Datelike;
    if YEARS.contains(&t.year()) {
        Ok(t)
    } else {
        Err(out_of_range(s))
    }
}

fn local_to_utc(n: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&n)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap() // 10:00 in Shanghai
    }

    #[test]
    fn db_form_round_trips_and_sorts() {
        let t = now();
        assert_eq!(to_db(t), "2026-11-29T02:00:00.000Z");
        assert_eq!(from_db(&to_db(t)), Some(t));
        assert!(to_db(t) < to_db(t + Duration::milliseconds(1)));
    }

    #[test]
    fn typed_times() {
        let sh = chrono_tz::Asia::Shanghai;
        let at = |s| parse_local(s, sh, now()).map(to_db);
        assert_eq!(at("2026-11-29 08:30").unwrap(), "2026-11-29T00:30:00.000Z");
        assert_eq!(
            at("2026/11/29 08:30:15").unwrap(),
            "2026-11-29T00:30:15.000Z"
        );
        assert_eq!(at("2026-11-28").unwrap(), "2026-11-27T16:00:00.000Z");
        assert_eq!(at("09:15").unwrap(), "2026-11-29T01:15:00.000Z");
        assert_eq!(
            at("23:00").unwrap(),
            "2026-11-28T15:00:00.000Z",
            "a future clock time means yesterday"
        );
        assert_eq!(at("-2h").unwrap(), "2026-11-29T00:00:00.000Z");
        assert_eq!(
            at("2026-11-29T08:30:00+08:00").unwrap(),
            "2026-11-29T00:30:00.000Z"
        );
        assert!(at("yesterday-ish").is_err());
        // As a Chinese input method types them.
        assert_eq!(at("09：15").unwrap(), "2026-11-29T01:15:00.000Z");
        assert_eq!(at("０９:１５").unwrap(), "2026-11-29T01:15:00.000Z");
        assert_eq!(at("－２ｈ").unwrap(), "2026-11-29T00:00:00.000Z");
        assert_eq!(
            at("２０２６－１１－２９　０８：３０").unwrap(),
            "2026-11-29T00:30:00.000Z"
        );
        assert!(at("-2x").is_err());
        assert!(at("").is_err());
    }

    #[test]
    fn times_out_of_range_are_refused_not_panicked_on() {
        let tz = chrono_tz::Asia::Shanghai;
        for s in [
            "-999999999999d",
            "-9223372036854775807m",
            "0001-01-01",
            "1899-12-31 08:00",
        ] {
            let e = parse_local(s, tz, now()).unwrap_err();
            assert!(
                e.0.contains("out of range") && e.1.is_some(),
                "{s}: {}",
                e.0
            );
        }
        assert!(parse_local("-36600d", tz, now()).is_ok());
        assert!(parse_local("-36601d", tz, now()).is_err());
    }

    #[test]
    fn ages() {
        assert_eq!(age(Duration::minutes(7)), "7m");
        assert_eq!(age(Duration::minutes(312)), "5h12m");
        assert_eq!(age(Duration::hours(76)), "3d4h");
        assert_eq!(age(Duration::minutes(-5)), "0m");
    }
}
