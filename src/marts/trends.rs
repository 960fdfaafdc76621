//! Trend columns of the month, quarter and year marts (metrics.md F):
//! `value_prev` (the previous period's value, same metric, dimension and
//! member), `value_yoy` (the same period a year earlier) and
//! `change_prev = value − value_prev`; NULL where the other period has no row.
//!
//! A period's trend columns read other periods' values, so a night that
//! recomputes a period also rewrites the next one and the one a year later
//! ([`dependent_periods`]); their rows are kept, with the trends worked out
//! again.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Decimal128Array, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Field, Schema};

use crate::catalog::Grain;
use crate::catalog::query::period_dates;
use crate::engine::dateset::DateSet;
use crate::error::Result;

/// The trend columns, in the order they follow `flag`.
pub const COLUMNS: [&str; 3] = ["value_prev", "value_yoy", "change_prev"];

/// The marts' value type.
const VALUE: DataType = DataType::Decimal128(38, 12);

/// Whether the marts of `grain` carry trend columns.
pub fn has_trends(grain: Grain) -> bool {
    matches!(grain, Grain::Month | Grain::Quarter | Grain::Year)
}

/// Months from one period of `grain` to the next.
fn step(grain: Grain) -> u32 {
    match grain {
        Grain::Quarter => 3,
        Grain::Year => 12,
        _ => 1,
    }
}

fn date(epoch_day: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(epoch_day + 719_163).ok()?)
}

/// The label of the month, quarter or year holding `d` (`2026-11`, `2026-Q4`, `2026`).
pub fn label_of(grain: Grain, d: NaiveDate) -> String {
    match grain {
        Grain::Quarter => format!("{}-Q{}", d.year(), d.month0() / 3 + 1),
        Grain::Year => d.year().to_string(),
        _ => d.format("%Y-%m").to_string(),
    }
}

/// The label of the period `months` months before (negative: after) `label`.
fn shifted(grain: Grain, label: &str, months_back: i64) -> Option<String> {
    let (first, _) = period_dates(grain, label)?;
    let first = date(first)?;
    let moved = match months_back >= 0 {
        true => first.checked_sub_months(Months::new(u32::try_from(months_back).ok()?))?,
        false => first.checked_add_months(Months::new(u32::try_from(-months_back).ok()?))?,
    };
    Some(label_of(grain, moved))
}

/// The periods of `grain` whose trend columns read the periods in `periods`
/// (whole periods): the next period and the one a year later.
pub fn dependent_periods(periods: &DateSet, grain: Grain) -> DateSet {
    let mut out = DateSet::empty();
    for label in labels(periods, grain) {
        for back in [-i64::from(step(grain)), -12] {
            if let Some((f, l)) = shifted(grain, &label, back).and_then(|p| period_dates(grain, &p)) {
                out.union(&DateSet::range(f, l));
            }
        }
    }
    out
}

/// The labels of the periods in `periods` (whole periods of `grain`).
fn labels(periods: &DateSet, grain: Grain) -> Vec<String> {
    let mut out = Vec::new();
    for &(a, b) in periods.intervals() {
        let mut d = a;
        while d <= b {
            let Some(label) = date(d).map(|x| label_of(grain, x)) else {
                break;
            };
            let Some((_, last)) = period_dates(grain, &label) else {
                break;
            };
            out.push(label);
            d = last + 1;
        }
    }
    out
}

/// The first dates (`dt`) of the periods `batch`'s trend columns read that
/// `batch` does not hold: look them up in the published mart.
pub fn lookup_dates(batch: &RecordBatch, grain: Grain) -> Result<DateSet> {
    let periods = strings(batch, "period")?;
    let held: std::collections::HashSet<&str> = (0..periods.len()).map(|r| periods.value(r)).collect();
    let mut out = DateSet::empty();
    for p in &held {
        for back in [i64::from(step(grain)), 12] {
            let other = shifted(grain, p, back).filter(|o| !held.contains(o.as_str()));
            if let Some((f, _)) = other.and_then(|o| period_dates(grain, &o)) {
                out.union(&DateSet::range(f, f));
            }
        }
    }
    Ok(out)
}

fn strings(batch: &RecordBatch, name: &str) -> Result<StringArray> {
    let c = batch.column_by_name(name).expect("a mart column");
    Ok(cast(c, &DataType::Utf8)?.as_string::<i32>().clone())
}

fn values(batch: &RecordBatch) -> Result<Decimal128Array> {
    let c = batch.column_by_name("value").expect("a mart column");
    Ok(cast(c, &VALUE)?.as_primitive::<Decimal128Type>().clone())
}

type Key = (String, String, String, String);

fn key(cols: &[StringArray; 4], r: usize, period: &str) -> Key {
    (
        cols[0].value(r).to_string(),
        cols[1].value(r).to_string(),
        cols[2].value(r).to_string(),
        period.to_string(),
    )
}

fn key_columns(batch: &RecordBatch) -> Result<[StringArray; 4]> {
    Ok([
        strings(batch, "metric_id")?,
        strings(batch, "dimension")?,
        strings(batch, "member")?,
        strings(batch, "period")?,
    ])
}

/// `batch` with the trend columns after `flag`, the other periods' values
/// looked up in `batch` and in `published` (rows of the same mart).
pub fn with_trends(batch: &RecordBatch, grain: Grain, published: &[RecordBatch]) -> Result<RecordBatch> {
    let mut known: HashMap<Key, Option<i128>> = HashMap::new();
    for b in published.iter().chain(std::iter::once(batch)) {
        let cols = key_columns(b)?;
        let v = values(b)?;
        for r in 0..b.num_rows() {
            let value = (!v.is_null(r)).then(|| v.value(r));
            known.insert(key(&cols, r, cols[3].value(r)), value);
        }
    }
    let cols = key_columns(batch)?;
    let value = values(batch)?;
    let look = |r: usize, back: i64| -> Option<i128> {
        let other = shifted(grain, cols[3].value(r), back)?;
        known.get(&key(&cols, r, &other)).copied().flatten()
    };
    let n = batch.num_rows();
    let prev: Vec<Option<i128>> = (0..n).map(|r| look(r, i64::from(step(grain)))).collect();
    let yoy: Vec<Option<i128>> = (0..n).map(|r| look(r, 12)).collect();
    let change: Vec<Option<i128>> = (0..n)
        .map(|r| match (value.is_null(r), prev[r]) {
            (false, Some(p)) => Some(value.value(r) - p),
            _ => None,
        })
        .collect();
    let decimal = |v: Vec<Option<i128>>| -> Result<ArrayRef> {
        Ok(Arc::new(Decimal128Array::from(v).with_data_type(VALUE.clone())))
    };
    let trends = [decimal(prev)?, decimal(yoy)?, decimal(change)?];
    let schema = batch.schema();
    let after = schema.index_of("flag")? + 1;
    let mut fields: Vec<Arc<Field>> = schema.fields()[..after].to_vec();
    let mut columns: Vec<ArrayRef> = batch.columns()[..after].to_vec();
    for (name, c) in COLUMNS.iter().zip(trends) {
        fields.push(Arc::new(Field::new(*name, VALUE.clone(), true)));
        columns.push(c);
    }
    fields.extend(schema.fields()[after..].iter().cloned());
    columns.extend(batch.columns()[after..].iter().cloned());
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_shift_across_year_boundaries() {
        assert_eq!(shifted(Grain::Month, "2026-01", 1).as_deref(), Some("2025-12"));
        assert_eq!(shifted(Grain::Month, "2026-11", 12).as_deref(), Some("2025-11"));
        assert_eq!(shifted(Grain::Quarter, "2026-Q1", 3).as_deref(), Some("2025-Q4"));
        assert_eq!(shifted(Grain::Quarter, "2026-Q4", 12).as_deref(), Some("2025-Q4"));
        assert_eq!(shifted(Grain::Year, "2026", 12).as_deref(), Some("2025"));
        assert_eq!(shifted(Grain::Month, "2025-12", -1).as_deref(), Some("2026-01"));
    }

    #[test]
    fn a_recomputed_period_rewrites_the_next_and_the_one_a_year_later() {
        let (f, l) = period_dates(Grain::Month, "2025-12").unwrap();
        let deps = dependent_periods(&DateSet::range(f, l), Grain::Month);
        let want: Vec<String> = labels(&deps, Grain::Month);
        assert_eq!(want, ["2026-01", "2026-12"]);
        let (f, l) = period_dates(Grain::Year, "2025").unwrap();
        assert_eq!(
            labels(&dependent_periods(&DateSet::range(f, l), Grain::Year), Grain::Year),
            ["2026"]
        );
    }
}
