//! Fixed-format local wall-clock times, as the extracts carry them.
//!
//! Times are seconds since 1970-01-01 00:00:00 *wall clock* (no zone: the
//! extracts are local time of `data_timezone`), dates are days since 1970-01-01.
//! Hand-written because landing parses millions of them per day and
//! `chrono`'s format-string parser is several times slower.

use chrono::{Datelike, NaiveDate};

/// Seconds in a day.
pub const DAY_S: i64 = 86_400;

fn digits(b: &[u8]) -> Option<i64> {
    let mut v: i64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Days since 1970-01-01 of a valid civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parse `YYYY-MM-DD` into days since the epoch; `None` if malformed or not a real date.
pub fn parse_date(s: &[u8]) -> Option<i64> {
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&s[0..4])?, digits(&s[5..7])?, digits(&s[8..10])?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Parse `YYYY-MM-DD HH:MM:SS` (a `T` separator is accepted too) into epoch seconds.
pub fn parse_ts(s: &[u8]) -> Option<i64> {
    if s.len() != 19 || !(s[10] == b' ' || s[10] == b'T') || s[13] != b':' || s[16] != b':' {
        return None;
    }
    let days = parse_date(&s[0..10])?;
    let (h, mi, se) = (digits(&s[11..13])?, digits(&s[14..16])?, digits(&s[17..19])?);
    if h > 23 || mi > 59 || se > 59 {
        return None;
    }
    Some(days * DAY_S + h * 3600 + mi * 60 + se)
}

fn push2(out: &mut Vec<u8>, v: i64) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// Append `YYYY-MM-DD` for days since the epoch.
pub fn write_date(out: &mut Vec<u8>, days: i64) {
    let (y, m, d) = civil_from_days(days);
    push2(out, y / 100);
    push2(out, y % 100);
    out.push(b'-');
    push2(out, m);
    out.push(b'-');
    push2(out, d);
}

/// Append `YYYY-MM-DD HH:MM:SS` for epoch seconds.
pub fn write_ts(out: &mut Vec<u8>, ts: i64) {
    let days = ts.div_euclid(DAY_S);
    let secs = ts.rem_euclid(DAY_S);
    write_date(out, days);
    out.push(b' ');
    push2(out, secs / 3600);
    out.push(b':');
    push2(out, secs / 60 % 60);
    out.push(b':');
    push2(out, secs % 60);
}

/// `YYYY-MM-DD` as a `String`.
pub fn date_string(days: i64) -> String {
    let mut v = Vec::with_capacity(10);
    write_date(&mut v, days);
    String::from_utf8(v).expect("dates are ASCII")
}

/// Days since the epoch of a `chrono` date.
pub fn days_of(date: NaiveDate) -> i64 {
    days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day()))
}

/// `chrono` date of days since the epoch.
pub fn naive_date(days: i64) -> NaiveDate {
    let (y, m, d) = civil_from_days(days);
    NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32).expect("civil_from_days gives real dates")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let ts = parse_ts(b"2026-11-21 23:59:58").unwrap();
        let mut out = Vec::new();
        write_ts(&mut out, ts);
        assert_eq!(out, b"2026-11-21 23:59:58");
        assert_eq!(date_string(parse_date(b"2024-02-29").unwrap()), "2024-02-29");
        assert_eq!(parse_date(b"1970-01-01"), Some(0));
    }

    #[test]
    fn rejects_impossible_values() {
        assert_eq!(parse_date(b"2026-02-29"), None);
        assert_eq!(parse_ts(b"2026-11-21 24:00:00"), None);
        assert_eq!(parse_ts(b"2026-11-21 12:00"), None);
        assert_eq!(parse_ts(b"2026/11/21 12:00:00"), None);
    }
}
