//! Marts: every metric of the catalog by hour, day, ISO week, month, quarter
//! and year, for each dimension the catalog allows it (hours for center and
//! skill group only), with `is_final`; and the scorecard per month, quarter
//! and year. Generated from the catalog like `callcube metric`, so the two
//! always agree.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Date32Array, RecordBatch, StringArray};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::SessionContext;

use crate::catalog::query::{Finality, Request, cube_fcr_window_h, period_dates};
use crate::catalog::{self, Grain};
use crate::engine::dateset::DateSet;
use crate::engine::models::{ModelCounts, Staging, collect_sql};
use crate::error::Result;

mod alerts;
mod fused;
mod trends;

pub use alerts::ALERTS;

/// The metric marts: grain, table folder.
pub const METRIC_MARTS: [(Grain, &str); 6] = [
    (Grain::Hour, "marts/metrics_hour"),
    (Grain::Day, "marts/metrics_day"),
    (Grain::Week, "marts/metrics_week"),
    (Grain::Month, "marts/metrics_month"),
    (Grain::Quarter, "marts/metrics_quarter"),
    (Grain::Year, "marts/metrics_year"),
];

/// How the code lays the metric marts out, part of their fingerprint: a
/// change here rebuilds them whole on the next run (a warehouse built by an
/// earlier layout has unpartitioned week and month marts).
pub const LAYOUT: &str = "every grain partitioned on dt, the period's first date; weeks and months fold the day \
                          mart, quarters and years the month mart; months, quarters and years carry value_prev, \
                          value_yoy, change_prev";

/// The scorecards: grain, folder, the period column's name.
pub const SCORECARDS: [(Grain, &str, &str); 3] = [
    (Grain::Month, "marts/scorecard_monthly", "month"),
    (Grain::Quarter, "marts/scorecard_quarterly", "quarter"),
    (Grain::Year, "marts/scorecard_yearly", "year"),
];

pub use crate::engine::param_tables::SCORED_KPIS;

/// Build every mart into `staging` and register it in `ctx`, for the periods
/// touching `dates` (`None`: every date). Every metric mart is partitioned
/// on `dt`, a period's first date. A metric of a date reads the cube rows
/// of that date only, so the hour and day marts recompute those dates, and
/// the coarser marts the periods touching them; the other partitions are
/// kept. `refinal` are dates whose
/// cube rows did not change but whose finality did: the published rows of
/// their periods are kept with `is_final` worked out again, not recomputed
/// (a date crossing a metric's 35 days would otherwise recompute every metric
/// of its week). `is_final` follows `finality` on every row written.
pub async fn build_dates(
    ctx: &SessionContext,
    staging: &mut Staging,
    finality: &Finality,
    dates: Option<&DateSet>,
    refinal: &DateSet,
    targets: &crate::config::Targets,
) -> Result<Vec<ModelCounts>> {
    let fcr_window_h = cube_fcr_window_h(ctx).await?;
    let mut counts = Vec::new();
    for (grain, dir) in METRIC_MARTS {
        let started = std::time::Instant::now();
        let batch = match dates {
            None => {
                staging.set_scope(None);
                metrics_at(ctx, grain, finality, fcr_window_h, None).await?
            }
            Some(dates) => {
                let fresh = whole_periods(dates, grain);
                let mut refinal = whole_periods(refinal, grain);
                if trends::has_trends(grain) {
                    // Their trend columns read the fresh periods' values.
                    refinal.union(&trends::dependent_periods(&fresh, grain));
                }
                let refinal = refinal.minus(&fresh);
                let mut scope = fresh.clone();
                scope.union(&refinal);
                staging.set_scope(Some(scope));
                let rows = metrics_at(ctx, grain, finality, fcr_window_h, Some(&fresh)).await?;
                let kept = match refinal.is_empty() {
                    true => Vec::new(),
                    false => published_rows(ctx, dir, refinal.predicate("dt")).await?,
                };
                concat_as(&rows, &refinalised(&kept, grain, finality, fcr_window_h)?)?
            }
        };
        let batch = match trends::has_trends(grain) {
            true => {
                // A whole build holds every period; a partial one looks the others up.
                let lookup = trends::lookup_dates(&batch, grain)?;
                let published = match dates.is_none() || lookup.is_empty() {
                    true => Vec::new(),
                    false => published_rows(ctx, dir, lookup.predicate("dt")).await?,
                };
                trends::with_trends(&batch, grain, &published)?
            }
            false => batch,
        };
        let written = staging.stage_batch(ctx, dir, batch).await?;
        counts.push(ModelCounts::of(dir, written.rows, started));
    }
    // The day mart's rows that breach their targets, on the day mart's dates.
    let started = std::time::Instant::now();
    alerts::register_targets(ctx, targets)?;
    let scope = dates.map(|d| {
        let mut s = d.clone();
        s.union(refinal);
        s
    });
    let condition = scope
        .as_ref()
        .map_or_else(|| "true".to_string(), |s| s.sql_condition("d.dt"));
    staging.set_scope(scope);
    let written = staging
        .stage_sql(ctx, ALERTS, &alerts::alerts_sql(&condition), "marts_alerts_daily")
        .await?;
    counts.push(ModelCounts::of(ALERTS, written.rows, started));
    staging.set_scope(None);
    for (grain, dir, column) in SCORECARDS {
        let started = std::time::Instant::now();
        let table = dir.replace('/', "_");
        let written = staging
            .stage_sql(ctx, dir, &scorecard_sql(grain, column), &table)
            .await?;
        counts.push(ModelCounts::of(dir, written.rows, started));
    }
    Ok(counts)
}

/// `dates` widened to the whole periods of `grain` they touch (hours and days: `dates`).
fn whole_periods(dates: &DateSet, grain: Grain) -> DateSet {
    match grain {
        Grain::Interval | Grain::Hour | Grain::Day => dates.clone(),
        _ => widen_to_periods(dates, grain),
    }
}

/// `dates` widened to whole weeks, months, quarters or years.
fn widen_to_periods(dates: &DateSet, grain: Grain) -> DateSet {
    let all = DateSet::all();
    let (lo, hi) = all.intervals()[0];
    let label = |d: i64| -> Option<(i64, i64)> {
        let day = chrono::NaiveDate::from_num_days_from_ce_opt(i32::try_from(d + 719_163).ok()?)?;
        let text = match grain {
            Grain::Week => {
                let w = chrono::Datelike::iso_week(&day);
                format!("{}-W{:02}", w.year(), w.week())
            }
            _ => trends::label_of(grain, day),
        };
        period_dates(grain, &text)
    };
    let mut out = DateSet::empty();
    for &(a, b) in dates.intervals() {
        let first = if a > lo { label(a).map_or(a, |p| p.0) } else { a };
        let last = if b < hi { label(b).map_or(b, |p| p.1) } else { b };
        out.union(&DateSet::range(first, last));
    }
    out
}

/// The published rows of the mart in `dir` that `filter` (on its columns) takes.
async fn published_rows(
    ctx: &SessionContext,
    dir: &str,
    filter: datafusion::prelude::Expr,
) -> Result<Vec<RecordBatch>> {
    let table = dir.replace('/', "_");
    if !ctx.table_exist(table.as_str())? {
        return Ok(Vec::new());
    }
    Ok(ctx.table(table.as_str()).await?.filter(filter)?.collect().await?)
}

/// Published rows with `is_final` worked out again from `finality` (it is a
/// function of the metric and the period's dates only).
fn refinalised(kept: &[RecordBatch], grain: Grain, finality: &Finality, fcr_window_h: i64) -> Result<Vec<RecordBatch>> {
    kept.iter()
        .filter(|b| b.num_rows() > 0)
        .map(|b| {
            let schema = b.schema();
            let columns: Vec<usize> = (0..schema.fields().len())
                .filter(|&i| {
                    let name = schema.field(i).name().as_str();
                    !matches!(name, "is_final" | "dt") && !trends::COLUMNS.contains(&name)
                })
                .collect();
            with_finality(&b.project(&columns)?, grain, finality, fcr_window_h)
        })
        .collect()
}

/// `fresh` followed by `kept`, cast to `fresh`'s schema (Parquet reads
/// strings as views).
fn concat_as(fresh: &RecordBatch, kept: &[RecordBatch]) -> Result<RecordBatch> {
    let schema = fresh.schema();
    let mut all = vec![fresh.clone()];
    for b in kept {
        let columns: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|f| {
                let c = b.column_by_name(f.name()).expect("the same columns");
                cast(c, f.data_type())
            })
            .collect::<std::result::Result<_, _>>()?;
        all.push(RecordBatch::try_new(Arc::clone(&schema), columns)?);
    }
    Ok(concat_batches(&schema, &all)?)
}

/// Dimensions of a metric in the marts of `grain`.
fn mart_dims(m: &catalog::Metric, grain: Grain) -> Vec<String> {
    m.dims
        .iter()
        .filter(|d| grain != Grain::Hour || matches!(d.as_str(), "center" | "skill_group" | "total"))
        .cloned()
        .collect()
}

/// Every metric at `grain`, one row per period, dimension and member, on `dates` (`None`: every date).
/// The metrics of plain sums come from [`fused::mart_rows`] (a query per
/// cube table); period-end snapshots and A13 from their own query each.
async fn metrics_at(
    ctx: &SessionContext,
    grain: Grain,
    finality: &Finality,
    fcr_window_h: i64,
    dates: Option<&DateSet>,
) -> Result<RecordBatch> {
    // The first and last dates prune the cube's partitions; `dates` filters those between.
    let (from, to) = dates.map_or((None, None), |d| (d.first(), d.last()));
    let dates = dates.filter(|d| !d.is_all()).cloned();
    let folds = |m: &catalog::Metric| grain > Grain::Day && m.sums_add_up();
    register_folded_sums(ctx, grain, from, to, dates.as_ref(), folds).await?;
    let mut fused = Vec::new();
    let mut alone = Vec::new();
    for m in catalog::catalog().iter().filter(|m| grain >= m.min_grain()) {
        let dims = mart_dims(m, grain);
        if dims.is_empty() {
            continue;
        }
        match fused::fusable(m) {
            true => fused.push(fused::Fused {
                metric: m,
                dims,
                folded: folds(m),
            }),
            false => alone.push((m, dims)),
        }
    }
    let mut batches: Vec<RecordBatch> = Vec::new();
    if let Some(b) = fused::mart_rows(ctx, grain, from, to, dates.as_ref(), &fused).await? {
        batches.push(b);
    }
    for (m, dims) in alone {
        let req = Request {
            metric: m,
            grain,
            dims,
            from,
            to,
            filter: None,
            dates: dates.clone(),
        };
        let sql = format!(
            "SELECT '{}' AS metric_id, '{}' AS metric_key, '{grain}' AS grain, CAST(period_label AS VARCHAR) AS period, \
             CAST(dimension AS VARCHAR) AS dimension, CAST(member AS VARCHAR) AS member, \
             CAST(numerator AS DECIMAL(38, 10)) AS numerator, CAST(denominator AS DECIMAL(38, 10)) AS denominator, \
             CAST(value AS DECIMAL(38, 12)) AS value, CAST(points AS BIGINT) AS points, \
             CAST(flag AS VARCHAR) AS flag FROM ({})",
            m.id,
            m.key,
            req.sql()
        );
        batches.push(collect_sql(ctx, &sql, &format!("metric mart by {grain}, metric {}", m.id)).await?);
    }
    let batch = concat_nullable(&batches)?;
    with_finality(&batch, grain, finality, fcr_window_h)
}

/// `batches` (the same columns and types) as one, every column nullable:
/// the fused rows and a metric's own query differ only in that.
fn concat_nullable(batches: &[RecordBatch]) -> Result<RecordBatch> {
    let first = batches.first().expect("at least one metric at every grain").schema();
    let fields: Vec<Field> = first
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let cast_all = |b: &RecordBatch| -> Result<RecordBatch> {
        let columns = schema
            .fields()
            .iter()
            .zip(b.columns())
            .map(|(f, c)| cast(c, f.data_type()))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(RecordBatch::try_new(Arc::clone(&schema), columns)?)
    };
    let batches = batches.iter().map(cast_all).collect::<Result<Vec<_>>>()?;
    Ok(concat_batches(&schema, &batches)?)
}

use fused::FOLDED_SUMS;

/// Register [`FOLDED_SUMS`] for a week, month, quarter or year: for every
/// metric `folds` accepts (its sums add up, [`catalog::Metric::sums_add_up`]),
/// Σ of a finer mart's numerators and denominators over each period, per
/// dimension and member — the day mart's for a week or month, the month
/// mart's (whole months, `dt` their first day) for a quarter or year. The
/// finer mart is built first, in the same run, so it holds the whole period.
/// One pass over it for every metric: a query per metric read the period's
/// files once per metric (75 times).
async fn register_folded_sums(
    ctx: &SessionContext,
    grain: Grain,
    from: Option<i64>,
    to: Option<i64>,
    dates: Option<&DateSet>,
    folds: impl Fn(&catalog::Metric) -> bool,
) -> Result<()> {
    let _ = ctx.deregister_table(FOLDED_SUMS);
    let ids: Vec<String> = catalog::catalog()
        .iter()
        .filter(|m| grain >= m.min_grain() && folds(m))
        .map(|m| format!("'{}'", m.id))
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let period = crate::catalog::query::period_sql(grain, "dt", "dt");
    let finer = match grain {
        Grain::Quarter | Grain::Year => "marts_metrics_month",
        _ => "marts_metrics_day",
    };
    let sql = format!(
        "SELECT metric_id, {period} AS period, dimension, member, SUM(numerator) AS n, SUM(denominator) AS d \
         FROM {finer} WHERE {} AND metric_id IN ({}) GROUP BY 1, 2, 3, 4",
        crate::catalog::query::date_conditions(from, to, dates, "dt").join(" AND "),
        ids.join(", ")
    );
    let batch = collect_sql(ctx, &sql, &format!("metric mart by {grain}, the folded sums")).await?;
    crate::engine::models::register_batch(ctx, FOLDED_SUMS, batch)
}

/// Append `is_final` and `dt`, the partition column: the period's first date.
fn with_finality(batch: &RecordBatch, grain: Grain, finality: &Finality, fcr_window_h: i64) -> Result<RecordBatch> {
    let ids = cast(batch.column(0), &DataType::Utf8)?;
    let ids = ids.as_any().downcast_ref::<StringArray>().expect("utf8");
    let periods = cast(batch.column(3), &DataType::Utf8)?;
    let periods = periods.as_any().downcast_ref::<StringArray>().expect("utf8");
    let mut is_final = Vec::with_capacity(batch.num_rows());
    let mut dts = Vec::with_capacity(batch.num_rows());
    for r in 0..batch.num_rows() {
        let m = catalog::find(ids.value(r)).expect("catalog metric");
        let dates = period_dates(grain, periods.value(r));
        is_final.push(dates.is_some_and(|(f, l)| finality.is_final(f, l, m.final_after(fcr_window_h))));
        dts.push(dates.map(|(f, _)| f as i32));
    }
    let mut fields: Vec<Arc<Field>> = batch.schema().fields().to_vec();
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    fields.push(Arc::new(Field::new("is_final", DataType::Boolean, false)));
    columns.push(Arc::new(BooleanArray::from(is_final)));
    fields.push(Arc::new(Field::new("dt", DataType::Date32, true)));
    columns.push(Arc::new(Date32Array::from(dts)));
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?)
}

/// The scorecard of `grain` (month, quarter, year; its period in `column`)
/// per center and skill group, from that grain's metric mart: points of each scored
/// KPI, A4 pass and A7 in-band flags, the weighted total Σ(w·points) / Σw over
/// the KPIs with points, and which scored KPIs had none (metrics.md, scorecard).
/// The sums are exact decimals (weights to 10 places), so the total does not
/// depend on the order the KPI rows arrive in.
fn scorecard_sql(grain: Grain, column: &str) -> String {
    let points: Vec<String> = SCORED_KPIS
        .iter()
        .map(|k| {
            format!(
                "MAX(CASE WHEN k.metric_id = '{k}' THEN k.points END) AS {}_points",
                k.to_lowercase()
            )
        })
        .collect();
    let missing: Vec<String> = SCORED_KPIS
        .iter()
        .map(|k| format!("CASE WHEN MAX(CASE WHEN k.metric_id = '{k}' THEN k.points END) IS NULL THEN '{k}' END"))
        .collect();
    format!(
        "SELECT k.period AS {column}, k.dimension, k.member, {}, \
         MAX(CASE WHEN k.metric_id = 'A4' THEN k.flag END) = 'pass' AS a4_pass, \
         MAX(CASE WHEN k.metric_id = 'A7' THEN k.flag END) = 'in_band' AS a7_in_band, \
         CAST(SUM(CAST(w.weight AS DECIMAL(38, 10)) * k.points) AS DOUBLE) \
         / CAST(NULLIF(SUM(CASE WHEN k.points IS NOT NULL THEN CAST(w.weight AS DECIMAL(38, 10)) END), 0) AS DOUBLE) \
         AS weighted_total, \
         concat_ws(',', {}) AS kpis_missing, \
         bool_and(k.is_final) AS is_final \
         FROM marts_metrics_{grain} AS k LEFT JOIN scorecard_weights AS w ON w.kpi = k.metric_id \
         WHERE k.dimension IN ('center', 'skill_group') \
         AND k.metric_id IN ('A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9', 'A10', 'A11', 'A12', 'A13') \
         GROUP BY k.period, k.dimension, k.member \
         ORDER BY 1, 2, 3",
        points.join(", "),
        missing.join(", ")
    )
}
