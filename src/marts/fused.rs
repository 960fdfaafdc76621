//! The metric marts' rows in a few queries instead of one per metric.
//!
//! A metric's query groups one cube table by period, dimension and member
//! for its Σ numerator and again for its Σ denominator, then works out the
//! value, points and flag: planning and running about 440 such queries cost
//! a night 7–8 s whatever its data. Here every aggregate over the same cube
//! table is one column of a single `GROUP BY` (its rows repeated once per
//! dimension any of them asks for; an aggregate with a row filter takes it as
//! its own `FILTER` clause, and its rows exist where a row passes it), each
//! metric takes the
//! columns and dimensions it needs from those results (a numerator and a
//! denominator are joined as [`Request::sql`] joins them), and one query
//! works out every metric's value, points and flag with the same SQL the
//! metric's own query uses. Metrics whose sums a coarser grain folds from
//! the finer mart (`folded_sums`) join in there. The results equal the
//! per-metric queries' row for row (the expressions, their types and the
//! joins are the same); period-end snapshots and A13 keep their own query.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::compute::{cast, concat_batches, filter_record_batch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::SessionContext;

use crate::catalog::query::{Request, period_label, period_sql};
use crate::catalog::{self, Aggregate, Grain, Metric};
use crate::engine::dateset::DateSet;
use crate::engine::models::{collect_sql, register_batch};

/// The finer mart's sums per metric, period, dimension and member (`crate::marts`).
pub const FOLDED_SUMS: &str = "folded_sums";
use crate::error::Result;

/// A metric the fused queries compute, with the dimensions of its mart.
pub struct Fused<'a> {
    pub metric: &'a Metric,
    pub dims: Vec<String>,
    /// Its sums come from `folded_sums` (a finer mart), not the cube.
    pub folded: bool,
}

/// Whether a metric's mart rows can come from the fused queries: a ratio of
/// plain aggregates (not A13's turnover, no period-end snapshot).
pub fn fusable(m: &Metric) -> bool {
    let plain = |a: &Option<Aggregate>| a.as_ref().is_none_or(|a| a.at.is_none());
    m.kind == catalog::Kind::Ratio
        && m.numerator.is_some()
        && plain(&m.numerator)
        && plain(&m.denominator)
        && m.for_dims
            .as_ref()
            .is_none_or(|f| plain(&Some(f.numerator.clone())) && plain(&f.denominator))
}

/// One Σ numerator or Σ denominator of a metric over some of its dimensions.
struct Part<'a> {
    metric_no: i64,
    aggregate: &'a Aggregate,
    dims: Vec<String>,
    numerator: bool,
}

/// Aggregates over one cube table: one query.
struct Group<'a> {
    table: &'a str,
    /// The row filter of every aggregate of the group, when one cannot take
    /// it as its own `FILTER` clause.
    filter: Option<&'a str>,
    /// Distinct aggregate expressions, in column order (`v0`, `v1`, …), each
    /// with its own `FILTER` where it has one.
    exprs: Vec<String>,
    /// The filters of the aggregates that carry one, whose rows exist where
    /// a row passes it (`e0`, `e1`, …: how many do).
    filters: Vec<&'a str>,
    dims: Vec<String>,
    /// Each part with its column in `exprs` and in `filters`.
    parts: Vec<(Part<'a>, usize, Option<usize>)>,
}

impl<'a> Group<'a> {
    /// Add `part` (its expression `expr`, its filter as a `FILTER` clause when `own_filter`).
    fn add(&mut self, part: Part<'a>, expr: String, own_filter: Option<&'a str>) {
        let column = match self.exprs.iter().position(|e| *e == expr) {
            Some(c) => c,
            None => {
                self.exprs.push(expr);
                self.exprs.len() - 1
            }
        };
        let exists = own_filter.map(|f| match self.filters.iter().position(|e| *e == f) {
            Some(c) => c,
            None => {
                self.filters.push(f);
                self.filters.len() - 1
            }
        });
        for d in &part.dims {
            if !self.dims.contains(d) {
                self.dims.push(d.clone());
            }
        }
        self.parts.push((part, column, exists));
    }

    /// The rows the query reads: all of the table's when an aggregate has no
    /// filter of its own, else those passing any aggregate's filter.
    fn row_filter(&self) -> Option<String> {
        if let Some(f) = self.filter {
            return Some(f.to_string());
        }
        let unfiltered = self.parts.iter().any(|(_, _, e)| e.is_none());
        match unfiltered || self.filters.is_empty() {
            true => None,
            false => Some(
                self.filters
                    .iter()
                    .map(|f| format!("({f})"))
                    .collect::<Vec<_>>()
                    .join(" OR "),
            ),
        }
    }
}

/// `a`'s expression restricted to the rows passing its filter by a `FILTER`
/// clause, when it is a single call of an aggregate function
/// (`count(DISTINCT customer_key)`): aggregates of one table with different
/// filters then share one scan. `None` otherwise (the filter stays a `WHERE`).
fn with_own_filter(ctx: &SessionContext, a: &Aggregate) -> Option<String> {
    let filter = a.filter.as_deref()?;
    let name = a.single_call()?.to_lowercase();
    ctx.state()
        .aggregate_functions()
        .contains_key(&name)
        .then(|| format!("{} FILTER (WHERE {filter})", a.expr.trim()))
}

/// The mart rows (metric_id, metric_key, grain, period, dimension, member,
/// numerator, denominator, value, points, flag) of `metrics` at `grain`,
/// ordered by metric (as listed), period, dimension and member. `None` when
/// `metrics` is empty.
pub async fn mart_rows<'a>(
    ctx: &SessionContext,
    grain: Grain,
    from: Option<i64>,
    to: Option<i64>,
    dates: Option<&DateSet>,
    metrics: &[Fused<'a>],
) -> Result<Option<RecordBatch>> {
    if metrics.is_empty() {
        return Ok(None);
    }
    let request = |m: &Fused<'a>| -> Request<'a> {
        Request {
            metric: m.metric,
            grain,
            dims: m.dims.clone(),
            from,
            to,
            filter: None,
            dates: dates.cloned(),
        }
    };
    let mut groups: Vec<Group<'a>> = Vec::new();
    for (no, m) in metrics.iter().enumerate().filter(|(_, m)| !m.folded) {
        let (num, den) = request(m).sum_parts();
        let parts = num
            .into_iter()
            .map(|p| (p, true))
            .chain(den.into_iter().map(|p| (p, false)));
        for ((dims, aggregate), numerator) in parts {
            let filter = aggregate.filter.as_deref();
            let own = with_own_filter(ctx, aggregate);
            // With a FILTER clause of its own the aggregate joins its table's group.
            let group_filter = match own {
                Some(_) => None,
                None => filter,
            };
            let at = groups
                .iter()
                .position(|g| g.table == aggregate.table && g.filter == group_filter);
            let g = match at {
                Some(i) => &mut groups[i],
                None => {
                    groups.push(Group {
                        table: &aggregate.table,
                        filter: group_filter,
                        exprs: Vec::new(),
                        filters: Vec::new(),
                        dims: Vec::new(),
                        parts: Vec::new(),
                    });
                    groups.last_mut().expect("pushed")
                }
            };
            let part = Part {
                metric_no: no as i64,
                aggregate,
                dims,
                numerator,
            };
            match own {
                Some(expr) => g.add(part, expr, filter),
                None => g.add(part, aggregate.expr.clone(), None),
            }
        }
    }
    let (mut num, mut den) = (Vec::new(), Vec::new());
    // The period key's type: the first group's (cube tables differ in their
    // timestamps' units), else the folded sums'.
    let mut period: Option<DataType> = None;
    for g in &groups {
        let probe = Request {
            dims: g.dims.clone(),
            ..request(&metrics[g.parts[0].0.metric_no as usize])
        };
        let batch = collect_sql(
            ctx,
            &group_sql(&probe, g),
            &format!("metric mart by {grain}, the sums over {}", g.table),
        )
        .await?;
        let period = period.get_or_insert_with(|| batch.schema().field(0).data_type().clone());
        let keys = Keys::of(&batch, period)?;
        for (part, column, exists) in &g.parts {
            debug_assert_eq!(part.aggregate.table, g.table);
            let exists = exists.map(|e| 3 + g.exprs.len() + e);
            let rows = part_rows(&batch, &keys, part, 3 + column, exists)?;
            match part.numerator {
                true => num.push(rows),
                false => den.push(rows),
            }
        }
    }
    let period = match (period, ctx.table_exist(FOLDED_SUMS)?) {
        (Some(p), _) => p,
        (None, true) => ctx
            .table(FOLDED_SUMS)
            .await?
            .schema()
            .field_with_unqualified_name("period")?
            .data_type()
            .clone(),
        (None, false) => DataType::Date32,
    };
    let schema = part_schema(&period);
    register_batch(ctx, "fused_num", concat_batches(&schema, &num)?)?;
    register_batch(ctx, "fused_den", concat_batches(&schema, &den)?)?;
    register_batch(ctx, "fused_metrics", metric_list(metrics))?;
    let any_folded = metrics.iter().any(|m| m.folded);
    let batch = collect_sql(
        ctx,
        &outputs_sql(grain, metrics, any_folded),
        &format!("metric mart by {grain}"),
    )
    .await?;
    for t in ["fused_num", "fused_den", "fused_metrics"] {
        let _ = ctx.deregister_table(t);
    }
    Ok(Some(batch))
}

/// One `GROUP BY` of the group's table: period, dimension, member and each
/// aggregate as `DECIMAL(38, 10)` (`v0`, `v1`, …), with the rows repeated
/// once per dimension of the group.
fn group_sql(probe: &Request<'_>, g: &Group<'_>) -> String {
    let period = period_sql(probe.grain, "dt", "interval_start");
    let (dims_join, member) = probe.dimension_sql(|d| catalog::dimension_column(d).expect("checked").to_string());
    let values: Vec<String> = g
        .exprs
        .iter()
        .enumerate()
        .map(|(i, e)| format!("CAST({e} AS DECIMAL(38, 10)) AS v{i}"))
        .chain(
            g.filters
                .iter()
                .enumerate()
                .map(|(i, f)| format!("COUNT(*) FILTER (WHERE {f}) AS e{i}")),
        )
        .collect();
    format!(
        "SELECT {period} AS period, dims.dimension AS dimension, {member} AS member, {} \
         FROM {dims_join} CROSS JOIN cube_params AS params CROSS JOIN {} WHERE {} GROUP BY 1, 2, 3",
        values.join(", "),
        g.table,
        probe.conditions("dt", g.row_filter().as_deref())
    )
}

/// A group result's period, dimension and member, in the parts' types: cast
/// once for every part of the group.
struct Keys {
    period: ArrayRef,
    dimension: StringArray,
    member: ArrayRef,
}

impl Keys {
    fn of(batch: &RecordBatch, period: &DataType) -> Result<Keys> {
        let dimension = cast(batch.column(1), &DataType::Utf8)?;
        Ok(Keys {
            period: cast(batch.column(0), period)?,
            dimension: dimension.as_any().downcast_ref::<StringArray>().expect("utf8").clone(),
            member: cast(batch.column(2), &DataType::Utf8)?,
        })
    }
}

/// A part's rows of its group's result `batch`: (metric_no, period,
/// dimension, member, v) where the dimension is one of the part's and, for a
/// part with a filter of its own, a row passed it (the count in column `exists`).
fn part_rows(
    batch: &RecordBatch,
    keys: &Keys,
    part: &Part<'_>,
    column: usize,
    exists: Option<usize>,
) -> Result<RecordBatch> {
    let dimension = &keys.dimension;
    let counts = exists.map(|e| cast(batch.column(e), &DataType::Int64)).transpose()?;
    let counts = counts
        .as_ref()
        .map(|c| c.as_any().downcast_ref::<Int64Array>().expect("int64"));
    let keep: BooleanArray = (0..dimension.len())
        .map(|r| {
            let passed = counts.is_none_or(|c| c.is_valid(r) && c.value(r) > 0);
            Some(passed && dimension.is_valid(r) && part.dims.iter().any(|d| d == dimension.value(r)))
        })
        .collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(vec![part.metric_no; batch.num_rows()])),
        Arc::clone(&keys.period),
        Arc::new(dimension.clone()),
        Arc::clone(&keys.member),
        Arc::clone(batch.column(column)),
    ];
    let schema = part_schema(keys.period.data_type());
    Ok(filter_record_batch(&RecordBatch::try_new(schema, columns)?, &keep)?)
}

fn part_schema(period: &DataType) -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("metric_no", DataType::Int64, false),
        Field::new("period", period.clone(), true),
        Field::new("dimension", DataType::Utf8, true),
        Field::new("member", DataType::Utf8, true),
        Field::new("v", DataType::Decimal128(38, 10), true),
    ]))
}

/// `fused_metrics`: metric_no, metric_id, metric_key, folded.
fn metric_list(metrics: &[Fused<'_>]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("metric_no", DataType::Int64, false),
        Field::new("metric_id", DataType::Utf8, false),
        Field::new("metric_key", DataType::Utf8, false),
        Field::new("folded", DataType::Boolean, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(0..metrics.len() as i64)),
        Arc::new(StringArray::from_iter_values(
            metrics.iter().map(|m| m.metric.id.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            metrics.iter().map(|m| m.metric.key.as_str()),
        )),
        Arc::new(BooleanArray::from(metrics.iter().map(|m| m.folded).collect::<Vec<_>>())),
    ];
    RecordBatch::try_new(schema, columns).expect("columns match the schema")
}

/// Every metric's Σ numerator and Σ denominator joined (as
/// [`Request::sql`] joins them: a full outer join, n = 0 where only the
/// denominator has the row), with the folded metrics' sums, then each
/// metric's value, points and flag picked by its number.
fn outputs_sql(grain: Grain, metrics: &[Fused<'_>], any_folded: bool) -> String {
    let pick = |what: &dyn Fn(&catalog::query::Outputs) -> &str, ty: &str| -> String {
        let arms: Vec<String> = metrics
            .iter()
            .enumerate()
            .map(|(no, m)| format!("WHEN {no} THEN CAST({} AS {ty})", what(&m.metric.outputs_sql())))
            .collect();
        format!("CAST(CASE j.metric_no {} END AS {ty})", arms.join(" "))
    };
    let label = period_label(grain, "j.period_key");
    let folded = match any_folded {
        true => format!(
            "UNION ALL
    SELECT m.metric_no, f.period, f.dimension, f.member, f.n, f.d
    FROM fused_metrics AS m JOIN {FOLDED_SUMS} AS f ON f.metric_id = m.metric_id
    WHERE m.folded"
        ),
        false => String::new(),
    };
    format!(
        "WITH joined AS (
    SELECT COALESCE(num.metric_no, den.metric_no) AS metric_no, COALESCE(num.period, den.period) AS period_key,
        COALESCE(num.dimension, den.dimension) AS dimension_name, COALESCE(num.member, den.member) AS member_name,
        CAST(COALESCE(num.v, 0) AS DECIMAL(38, 10)) AS n, CAST(den.v AS DECIMAL(38, 10)) AS d
    FROM fused_num AS num FULL OUTER JOIN fused_den AS den
        ON num.metric_no = den.metric_no AND num.period = den.period AND num.dimension = den.dimension
        AND num.member = den.member
    {folded}
)
SELECT m.metric_id, m.metric_key, '{grain}' AS grain, CAST({label} AS VARCHAR) AS period,
    CAST(j.dimension_name AS VARCHAR) AS dimension, CAST(j.member_name AS VARCHAR) AS member,
    CAST(j.n AS DECIMAL(38, 10)) AS numerator, {den} AS denominator, {value} AS value,
    {points} AS points, {flag} AS flag
FROM fused_metrics AS m JOIN joined AS j ON m.metric_no = j.metric_no
CROSS JOIN cube_params AS params
ORDER BY j.metric_no, j.period_key, j.dimension_name, j.member_name",
        den = pick(&|o| &o.denominator, "DECIMAL(38, 10)"),
        value = pick(&|o| &o.value, "DECIMAL(38, 12)"),
        points = pick(&|o| &o.points, "BIGINT"),
        flag = pick(&|o| &o.flag, "VARCHAR"),
    )
}
