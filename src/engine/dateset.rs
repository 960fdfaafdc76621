//! Sets of business dates as sorted, disjoint, closed intervals of day
//! numbers (days since 1970-01-01), with open ends for "every date before" or
//! "every date after": what the incremental runner passes between nodes
//! (the dates of a table that changed, the dates of a model to rebuild).

use std::fmt;

use datafusion::prelude::{Expr, col, lit};
use datafusion::scalar::ScalarValue;

/// Below every real date.
const MIN: i64 = i64::MIN / 4;
/// Above every real date.
const MAX: i64 = i64::MAX / 4;

/// A set of dates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DateSet(Vec<(i64, i64)>);

impl DateSet {
    pub fn empty() -> DateSet {
        DateSet(Vec::new())
    }

    /// Every date.
    pub fn all() -> DateSet {
        DateSet(vec![(MIN, MAX)])
    }

    /// The dates `lo ..= hi` (empty when `lo > hi`).
    pub fn range(lo: i64, hi: i64) -> DateSet {
        if lo > hi {
            DateSet::empty()
        } else {
            DateSet(vec![(lo.max(MIN), hi.min(MAX))])
        }
    }

    /// Every date from `lo` on.
    pub fn from(lo: i64) -> DateSet {
        DateSet::range(lo, MAX)
    }

    pub fn of(dates: impl IntoIterator<Item = i64>) -> DateSet {
        let mut s = DateSet::empty();
        for d in dates {
            s.insert_range(d, d);
        }
        s
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_all(&self) -> bool {
        self.0 == [(MIN, MAX)]
    }

    /// The dates of the set that are not in `other`.
    pub fn minus(&self, other: &DateSet) -> DateSet {
        let mut out = Vec::new();
        for &(a, b) in &self.0 {
            let mut from = a;
            for &(c, d) in &other.0 {
                if d < from || c > b {
                    continue;
                }
                if c > from {
                    out.push((from, c - 1));
                }
                from = from.max(d.saturating_add(1));
                if from > b {
                    break;
                }
            }
            if from <= b {
                out.push((from, b));
            }
        }
        DateSet(out)
    }

    pub fn contains(&self, d: i64) -> bool {
        self.0.iter().any(|&(a, b)| a <= d && d <= b)
    }

    /// The intervals, in order.
    pub fn intervals(&self) -> &[(i64, i64)] {
        &self.0
    }

    /// The first date of each interval, leaving out an interval open below.
    pub fn starts(&self) -> Vec<i64> {
        self.0.iter().map(|&(a, _)| a).filter(|&a| a > MIN).collect()
    }

    /// The first date, if the set has one (not empty, not open below).
    pub fn first(&self) -> Option<i64> {
        self.0.first().map(|&(a, _)| a).filter(|&a| a > MIN)
    }

    /// The last date, if the set has one (not empty, not open above).
    pub fn last(&self) -> Option<i64> {
        self.0.last().map(|&(_, b)| b).filter(|&b| b < MAX)
    }

    /// Whether the set has a first and a last date.
    pub fn is_bounded(&self) -> bool {
        self.0.first().is_none_or(|&(a, _)| a > MIN) && self.0.last().is_none_or(|&(_, b)| b < MAX)
    }

    fn insert_range(&mut self, lo: i64, hi: i64) {
        if lo > hi {
            return;
        }
        self.0.push((lo.max(MIN), hi.min(MAX)));
        self.0.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(self.0.len());
        for &(a, b) in &self.0 {
            match merged.last_mut() {
                // Adjacent days merge too: 1..3 and 4..5 are 1..5.
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        self.0 = merged;
    }

    /// `self ∪ other`.
    pub fn union(&mut self, other: &DateSet) {
        for &(a, b) in &other.0 {
            self.insert_range(a, b);
        }
    }

    /// `self ∩ other`.
    pub fn intersect(&self, other: &DateSet) -> DateSet {
        let mut out = DateSet::empty();
        for &(a, b) in &self.0 {
            for &(c, d) in &other.0 {
                out.insert_range(a.max(c), b.min(d));
            }
        }
        out
    }

    /// The set cut into sets of at most `size` dates of `span` (`lo ..= hi`),
    /// in date order; the dates below the span go with the first, those above
    /// with the last. Together they are the set, open ends included, so a
    /// rebuild done batch by batch misses no date even where `span` guessed
    /// short. One batch (the set itself) when the span holds `size` dates or fewer.
    pub fn batches(&self, span: (i64, i64), size: usize) -> Vec<DateSet> {
        let inside = self.intersect(&DateSet::range(span.0, span.1));
        let dates: Vec<i64> = inside.0.iter().flat_map(|&(a, b)| a..=b).collect();
        if dates.len() <= size.max(1) {
            return vec![self.clone()];
        }
        let mut out: Vec<DateSet> = dates
            .chunks(size.max(1))
            .map(|c| DateSet::of(c.iter().copied()))
            .collect();
        out[0].union(&self.intersect(&DateSet::range(MIN, span.0 - 1)));
        let last = out.len() - 1;
        out[last].union(&self.intersect(&DateSet::range(span.1 + 1, MAX)));
        out
    }

    /// Each interval `a..b` widened to `a + lo .. b + hi` (open ends stay open).
    pub fn widen(&self, lo: i64, hi: i64) -> DateSet {
        let mut out = DateSet::empty();
        for &(a, b) in &self.0 {
            let a = if a <= MIN { MIN } else { a.saturating_add(lo) };
            let b = if b >= MAX { MAX } else { b.saturating_add(hi) };
            out.insert_range(a, b);
        }
        out
    }

    /// Every date of each month the set touches (open ends stay open): what a
    /// by-month model rebuilds.
    pub fn whole_months(&self) -> DateSet {
        use crate::timefmt::{civil_from_days, days_from_civil};
        let first_of = |d: i64| {
            let (y, m, _) = civil_from_days(d);
            days_from_civil(y, m, 1)
        };
        let last_of = |d: i64| {
            let (y, m, _) = civil_from_days(d);
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            days_from_civil(ny, nm, 1) - 1
        };
        let mut out = DateSet::empty();
        for &(a, b) in &self.0 {
            let a = if a <= MIN { MIN } else { first_of(a) };
            let b = if b >= MAX { MAX } else { last_of(b) };
            out.insert_range(a, b);
        }
        out
    }

    /// The dates of `dates` in the set.
    pub fn filter<'a>(&'a self, dates: impl IntoIterator<Item = &'a i64> + 'a) -> impl Iterator<Item = i64> + 'a {
        dates.into_iter().copied().filter(|d| self.contains(*d))
    }

    /// `dt` in the set, as a DataFusion predicate on `column` (a Date32).
    pub fn predicate(&self, column: &str) -> Expr {
        let date = |d: i64| lit(ScalarValue::Date32(Some(i32::try_from(d).expect("a date"))));
        self.0
            .iter()
            .map(|&(a, b)| match (a <= MIN, b >= MAX) {
                (true, true) => lit(true),
                (true, false) => col(column).lt_eq(date(b)),
                (false, true) => col(column).gt_eq(date(a)),
                (false, false) if a == b => col(column).eq(date(a)),
                (false, false) => col(column).between(date(a), date(b)),
            })
            .reduce(Expr::or)
            .unwrap_or(lit(false))
    }
}

impl DateSet {
    /// `dt` in the set, as SQL text on `column` (a DATE).
    pub fn sql_condition(&self, column: &str) -> String {
        let date = |d: i64| format!("DATE '{}'", crate::timefmt::date_string(d));
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|&(a, b)| match (a <= MIN, b >= MAX) {
                (true, true) => "true".to_string(),
                (true, false) => format!("{column} <= {}", date(b)),
                (false, true) => format!("{column} >= {}", date(a)),
                (false, false) => format!("{column} BETWEEN {} AND {}", date(a), date(b)),
            })
            .collect();
        if parts.is_empty() {
            "false".to_string()
        } else {
            format!("({})", parts.join(" OR "))
        }
    }
}

/// `all`, `none`, or `2026-11-16..2026-11-18,2026-11-20` (`..2026-11-18`, `2026-11-20..` for open ends).
impl fmt::Display for DateSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return write!(f, "all");
        }
        if self.is_empty() {
            return write!(f, "none");
        }
        let day = |d: i64| crate::timefmt::date_string(d);
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|&(a, b)| match (a <= MIN, b >= MAX) {
                (true, _) => format!("..{}", day(b)),
                (_, true) => format!("{}..", day(a)),
                _ if a == b => day(a),
                _ => format!("{}..{}", day(a), day(b)),
            })
            .collect();
        write!(f, "{}", parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_months_cover_each_month_touched() {
        let day = |s: &str| crate::timefmt::parse_date(s.as_bytes()).unwrap();
        let s = DateSet::of([day("2026-11-30"), day("2026-12-01"), day("2027-02-10")]);
        assert_eq!(
            s.whole_months().intervals(),
            [
                (day("2026-11-01"), day("2026-12-31")),
                (day("2027-02-01"), day("2027-02-28"))
            ]
        );
        assert_eq!(
            DateSet::from(day("2026-11-17")).whole_months(),
            DateSet::from(day("2026-11-01"))
        );
        assert!(DateSet::all().whole_months().is_all());
        assert!(DateSet::empty().whole_months().is_empty());
    }

    #[test]
    fn merges_widens_intersects_and_prints() {
        let mut s = DateSet::of([10, 11, 13]);
        assert_eq!(s.intervals(), [(10, 11), (13, 13)]);
        s.union(&DateSet::of([12]));
        assert_eq!(s.intervals(), [(10, 13)]);
        // A change on 10..13 read through a window -1..1 touches 9..14.
        assert_eq!(s.widen(-1, 1).intervals(), [(9, 14)]);
        assert_eq!(DateSet::from(20).widen(-3, 0), DateSet::from(17));
        assert!(DateSet::all().widen(-5, 5).is_all());
        assert_eq!(
            DateSet::of([1, 5, 9]).intersect(&DateSet::range(4, 20)),
            DateSet::of([5, 9])
        );
        assert_eq!(
            DateSet::of([20408, 20409, 20411]).to_string(),
            "2025-11-16..2025-11-17,2025-11-19"
        );
        assert_eq!(DateSet::from(20408).to_string(), "2025-11-16..");
        assert_eq!(DateSet::all().to_string(), "all");
        assert!(!DateSet::from(3).is_bounded() && DateSet::of([3]).is_bounded());
        assert_eq!((DateSet::from(3).first(), DateSet::from(3).last()), (Some(3), None));
        assert_eq!(
            (DateSet::of([2, 9]).first(), DateSet::of([2, 9]).last()),
            (Some(2), Some(9))
        );
        // 1..10 without 3..4 and 8: 1..2, 5..7, 9..10.
        assert_eq!(
            DateSet::range(1, 10).minus(&DateSet::of([3, 4, 8])).intervals(),
            [(1, 2), (5, 7), (9, 10)]
        );
        assert_eq!(DateSet::of([1, 2]).minus(&DateSet::all()), DateSet::empty());
        assert_eq!(DateSet::all().minus(&DateSet::from(5)), DateSet::range(MIN, 4));
    }

    #[test]
    fn batches_cover_the_set_open_ends_included() {
        // Every date, cut over the span 10..=16 in threes: ..=12, 13..=15, 16..
        let b = DateSet::all().batches((10, 16), 3);
        assert_eq!(
            b,
            vec![DateSet::range(MIN, 12), DateSet::range(13, 15), DateSet::from(16)]
        );
        // Only dates of the set are counted: 1, 5, 6, 9 in twos is {1, 5}, {6, 9}.
        assert_eq!(
            DateSet::of([1, 5, 6, 9]).batches((0, 20), 2),
            vec![DateSet::of([1, 5]), DateSet::of([6, 9])]
        );
        // Small enough: the set itself, one batch.
        assert_eq!(DateSet::from(5).batches((0, 7), 7), vec![DateSet::from(5)]);
        let mut joined = DateSet::empty();
        for part in DateSet::from(3).batches((0, 30), 4) {
            joined.union(&part);
        }
        assert_eq!(joined, DateSet::from(3));
    }
}
