//! When pipelines run: each declares `[schedule] cron` and `timezone`. A run
//! that fires at time T (local to the timezone) loads the business date before
//! T's date — the nightly at 02:30 loads yesterday.
//!
//! A business date D is *due* once the schedule has fired at least once after
//! the end of D. Catch-up: every due date after the last date a successful run
//! covered is run, in order, in one run; a pipeline that never ran catches up
//! from `[schedule] start` when given, else runs only the latest due date.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::config::Schedule;
use crate::error::{Error, Result};
use crate::timefmt::date_string;

/// Days since 1970-01-01 of a calendar date.
fn day_number(d: NaiveDate) -> i64 {
    d.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch"))
        .num_days()
}

fn date_of(day: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::Duration::days(day)
}

fn parsed(s: &Schedule) -> Result<(croner::Cron, chrono_tz::Tz)> {
    let cron = croner::Cron::from_str(&s.cron).map_err(|e| Error::Config {
        file: "(pipeline)".into(),
        key: "schedule.cron".into(),
        reason: format!("`{}`: {e}", s.cron),
    })?;
    let tz = chrono_tz::Tz::from_str(&s.timezone).map_err(|_| Error::Config {
        file: "(pipeline)".into(),
        key: "schedule.timezone".into(),
        reason: format!("`{}` is not an IANA time zone", s.timezone),
    })?;
    Ok((cron, tz))
}

/// The first time the schedule fires strictly after `after`.
pub fn next_fire(s: &Schedule, after: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let (cron, tz) = parsed(s)?;
    let local = after.with_timezone(&tz);
    let next = cron.find_next_occurrence(&local, false).map_err(|e| Error::Config {
        file: "(pipeline)".into(),
        key: "schedule.cron".into(),
        reason: format!("`{}` never fires: {e}", s.cron),
    })?;
    Ok(next.with_timezone(&Utc))
}

/// Whether business date `day` is due at `now`: the schedule fired after the day ended.
pub fn is_due(s: &Schedule, day: i64, now: DateTime<Utc>) -> Result<bool> {
    let (_, tz) = parsed(s)?;
    let end = date_of(day + 1).and_hms_opt(0, 0, 0).expect("midnight");
    let Some(end) = tz.from_local_datetime(&end).earliest() else {
        return Ok(false);
    };
    // `next_fire` is strictly after; a fire exactly at midnight counts, so start a second before.
    let fire = next_fire(s, end.with_timezone(&Utc) - chrono::Duration::seconds(1))?;
    Ok(fire <= now)
}

/// The business dates to run now: after `last_done` (or from `start`), every due date.
pub fn due_dates(s: &Schedule, last_done: Option<i64>, start: Option<i64>, now: DateTime<Utc>) -> Result<Vec<i64>> {
    let (_, tz) = parsed(s)?;
    let today = day_number(now.with_timezone(&tz).date_naive());
    // The latest date that can be due is yesterday (local).
    let mut latest_due = None;
    for d in (today - 2..today).rev() {
        if is_due(s, d, now)? {
            latest_due = Some(d);
            break;
        }
    }
    let Some(latest_due) = latest_due else {
        return Ok(Vec::new());
    };
    let first = match (last_done, start) {
        (Some(done), _) => done + 1,
        (None, Some(start)) => start,
        (None, None) => latest_due,
    };
    Ok((first..=latest_due).collect())
}

/// `2026-11-16..2026-11-18` for messages.
pub fn describe(days: &[i64]) -> String {
    match (days.first(), days.last()) {
        (Some(f), Some(l)) if f != l => format!("{}..{}", date_string(*f), date_string(*l)),
        (Some(f), _) => date_string(*f),
        _ => "nothing".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nightly() -> Schedule {
        Schedule {
            cron: "30 2 * * *".into(),
            timezone: "Asia/Shanghai".into(),
            start: None,
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn day(s: &str) -> i64 {
        crate::timefmt::parse_date(s.as_bytes()).unwrap()
    }

    #[test]
    fn yesterday_is_due_after_the_nightly_fired() {
        // 02:30 Shanghai = 18:30 UTC the day before.
        let s = nightly();
        assert!(!is_due(&s, day("2026-11-22"), utc("2026-11-22T18:29:00Z")).unwrap());
        assert!(is_due(&s, day("2026-11-22"), utc("2026-11-22T18:30:00Z")).unwrap());
        assert_eq!(
            due_dates(&s, None, None, utc("2026-11-22T19:00:00Z")).unwrap(),
            vec![day("2026-11-22")]
        );
        // Before today's fire, the latest due date is the day before yesterday.
        assert_eq!(
            due_dates(&s, None, None, utc("2026-11-22T10:00:00Z")).unwrap(),
            vec![day("2026-11-21")]
        );
    }

    #[test]
    fn catch_up_runs_every_missed_date() {
        let s = nightly();
        let now = utc("2026-11-22T19:00:00Z");
        assert_eq!(
            due_dates(&s, Some(day("2026-11-19")), None, now).unwrap(),
            vec![day("2026-11-20"), day("2026-11-21"), day("2026-11-22")]
        );
        assert!(due_dates(&s, Some(day("2026-11-22")), None, now).unwrap().is_empty());
        assert_eq!(
            due_dates(&s, None, Some(day("2026-11-21")), now).unwrap(),
            vec![day("2026-11-21"), day("2026-11-22")]
        );
    }
}
