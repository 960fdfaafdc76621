//! `marts_users_month`: the customers of `cube_users` once per month, for the
//! distinct-user metrics (B2, B4, B7, B9, B14) of the month, quarter and year
//! marts.
//!
//! A distinct count does not fold from finer periods the way a sum does, so
//! each of those marts counted the customers of every `cube_users` row of
//! its period: three passes over the same month of rows a night, and a year
//! mart on day 300 read ten months of them. A customer called several times
//! in a month, in the same cell, is one row of the month's set: the three
//! marts count the sets of their months (about 0.6 of the rows a month holds
//! at scale 0.1), built once per month rebuilt. The count is the same: a
//! customer is in a period's count for a member when some row of the period
//! has that member, measure and customer, which is when some month of the
//! period has such a set row.

use datafusion::prelude::SessionContext;

use crate::catalog::{self, Aggregate, Metric};
use crate::engine::dateset::DateSet;
use crate::engine::models::{ModelCounts, Staging};
use crate::error::Result;

/// Folder of the monthly user sets (`dt`: the month's first day).
pub const USERS_MONTH: &str = "marts/users_month";

/// Its name in SQL.
const TABLE: &str = "marts_users_month";

/// The cube table it holds once per month.
const SOURCE: &str = "cube_users";

/// Whether `a` counts the users cube's customers.
fn reads_users(a: &Aggregate) -> bool {
    a.table == SOURCE
}

/// Every aggregate of `m`: numerator, denominator and those of `for_dims`.
fn aggregates(m: &Metric) -> impl Iterator<Item = &Aggregate> {
    let for_dims = m
        .for_dims
        .iter()
        .flat_map(|f| std::iter::once(&f.numerator).chain(&f.denominator));
    m.numerator.iter().chain(&m.denominator).chain(for_dims)
}

/// The columns a set row keeps: `measure` (the metrics' filters), the column
/// of every dimension a metric counting users names, and `customer_id`.
fn columns() -> Vec<&'static str> {
    let mut columns = vec!["measure"];
    for m in catalog::catalog().iter().filter(|m| aggregates(m).any(reads_users)) {
        let named = m.dims.iter().filter_map(|d| catalog::dimension_column(d));
        for c in named.filter(|c| !c.starts_with('\'')) {
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
    }
    columns.push("customer_id");
    columns
}

/// Stage the sets of the months in `months` (whole months; `None`: every
/// month), keeping the other months' published sets.
pub async fn stage(ctx: &SessionContext, staging: &mut Staging, months: Option<&DateSet>) -> Result<ModelCounts> {
    let started = std::time::Instant::now();
    let condition = months.map_or_else(|| "true".to_string(), |m| m.sql_condition("dt"));
    let sql = format!(
        "SELECT DISTINCT CAST(date_trunc('month', dt) AS DATE) AS dt, {} FROM {SOURCE} WHERE {condition}",
        columns().join(", ")
    );
    staging.set_scope(months.cloned());
    let written = staging.stage_sql(ctx, USERS_MONTH, &sql, TABLE).await?;
    Ok(ModelCounts::of(USERS_MONTH, written.rows, started))
}

/// `m` counting the month sets instead of `cube_users`, for the marts of
/// whole months; `None` when it does not count users.
pub fn on_month_sets(m: &Metric) -> Option<Metric> {
    if !aggregates(m).any(reads_users) {
        return None;
    }
    let mut m = m.clone();
    let for_dims = m
        .for_dims
        .iter_mut()
        .flat_map(|f| std::iter::once(&mut f.numerator).chain(f.denominator.as_mut()));
    for a in m.numerator.iter_mut().chain(m.denominator.as_mut()).chain(for_dims) {
        if reads_users(a) {
            a.table = TABLE.to_string();
        }
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distinct_user_metrics_count_the_month_sets_with_every_column_they_group_by() {
        let moved: Vec<Metric> = catalog::catalog().iter().filter_map(on_month_sets).collect();
        let ids: Vec<&str> = moved.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["B2", "B4", "B7", "B9", "B14"]);
        assert!(moved.iter().all(|m| aggregates(m).all(|a| a.table == TABLE)));
        assert_eq!(
            columns(),
            [
                "measure",
                "center_id",
                "skill_group",
                "city_code",
                "brand",
                "customer_id"
            ]
        );
        // A metric of sums is left alone.
        assert!(on_month_sets(catalog::find("A1").expect("A1")).is_none());
    }
}
