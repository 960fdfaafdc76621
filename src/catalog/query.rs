//! Metric SQL generated from the catalog: Σ numerator and Σ denominator of
//! the cube at the asked grain and dimension, then value = n × scale / d and
//! the score band, in one query. Never an average of ratios.

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::util::display::array_value_to_string;
use datafusion::prelude::SessionContext;

use super::{Aggregate, ElsePoints, Grain, Kind, Metric, dimension_column};
use crate::error::{Error, Result};
use crate::timefmt::date_string;

/// An aggregate with the dimensions it serves.
pub type SumPart<'a> = (Vec<String>, &'a Aggregate);

/// A numerator and denominator (either may be absent).
type Aggregates<'a> = (Option<&'a Aggregate>, Option<&'a Aggregate>);

/// What to compute.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub metric: &'a Metric,
    pub grain: Grain,
    /// Dimensions of [`super::DIMENSIONS`]: one for a question, several for a mart
    /// (each row says which).
    pub dims: Vec<String>,
    /// First and last business date (epoch days), inclusive.
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// An extra SQL condition on cube columns.
    pub filter: Option<String>,
    /// Only these business dates (within `from` … `to`): the marts rebuild a
    /// night's scattered dates in one query per metric, not one per range.
    pub dates: Option<crate::engine::dateset::DateSet>,
}

/// One answer row, as text ready to print (NULL = None).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MetricRow {
    pub metric_id: String,
    pub grain: String,
    pub period: String,
    pub dimension: String,
    pub member: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub value: Option<String>,
    pub points: Option<String>,
    pub is_final: bool,
    /// A4/A7 flag (`pass`, `fail`, `in_band`, `out_of_band`); not in CSV.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
}

impl<'a> Request<'a> {
    /// Refuse what the catalog does not allow, saying what it allows.
    pub fn check(&self) -> Result<()> {
        let m = self.metric;
        if let Some(dim) = self.dims.iter().find(|d| !m.dims.contains(d)) {
            return Err(Error::Request(format!(
                "{} ({}) is not available by `{dim}`; allowed: {}",
                m.id,
                m.key,
                m.dims.join(", ")
            )));
        }
        if self.grain < m.min_grain() {
            return Err(Error::Request(format!(
                "{} ({}) is not available at grain `{}`; allowed: {}",
                m.id,
                m.key,
                self.grain,
                m.grains().iter().map(|g| g.name()).collect::<Vec<_>>().join(", ")
            )));
        }
        if let Some(f) = &self.filter {
            check_expression(f)?;
        }
        Ok(())
    }

    /// The query.
    pub fn sql(&self) -> String {
        let joined = match self.metric.kind {
            Kind::Turnover => self.turnover_sql(),
            Kind::Ratio => self.ratio_sql(),
        };
        self.sql_over(&joined)
    }

    /// The query over `joined`: common table expressions that end in
    /// `joined(period, dimension, member, n, d)`, one row per period key,
    /// dimension and member with Σ numerator and Σ denominator. The marts
    /// pass Σ of the day mart's rows here for a metric whose sums add up.
    pub fn sql_over(&self, joined: &str) -> String {
        let o = self.metric.outputs_sql();
        let label = period_label(self.grain, "joined.period");
        format!(
            "WITH {joined}\n\
             SELECT {label} AS period_label, dimension, member, n AS numerator, {} AS denominator, {} AS value, \
             {} AS points, {} AS flag\n\
             FROM cube_params AS params CROSS JOIN joined\n\
             ORDER BY joined.period, dimension, member",
            o.denominator, o.value, o.points, o.flag
        )
    }

    /// The request's date range, dates and filter on `date_col`, and `extra`, as one SQL condition.
    pub fn conditions(&self, date_col: &str, extra: Option<&str>) -> String {
        let mut c = date_conditions(self.from, self.to, self.dates.as_ref(), date_col);
        if let Some(e) = extra {
            c.push(format!("({e})"));
        }
        if let Some(f) = &self.filter {
            c.push(format!("({f})"));
        }
        c.join(" AND ")
    }

    fn aggregate_sql(&self, name: &str, a: &Aggregate) -> String {
        let period = period_sql(self.grain, "dt", "interval_start");
        let (dims_join, member) = self.dimension_sql(|d| dimension_column(d).expect("checked").to_string());
        let table = &a.table;
        let cond = self.conditions("dt", a.filter.as_deref());
        let expr = &a.expr;
        if a.at.as_deref() == Some("period_end") {
            // A snapshot: only the period's last business date with rows counts.
            format!(
                "{name}_daily AS (SELECT {period} AS period, dims.dimension, {member} AS member, dt, {expr} AS v \
                 FROM {dims_join} CROSS JOIN cube_params AS params CROSS JOIN {table} WHERE {cond} GROUP BY 1, 2, 3, 4),\n\
                 {name} AS (SELECT period, dimension, member, SUM(v) AS v FROM (SELECT *, MAX(dt) OVER (PARTITION BY \
                 period, dimension) AS last_dt FROM {name}_daily) WHERE dt = last_dt GROUP BY 1, 2, 3)"
            )
        } else {
            format!(
                "{name} AS (SELECT {period} AS period, dims.dimension, {member} AS member, {expr} AS v \
                 FROM {dims_join} CROSS JOIN cube_params AS params CROSS JOIN {table} WHERE {cond} GROUP BY 1, 2, 3)"
            )
        }
    }

    /// A VALUES list to cross join that repeats each row once per asked
    /// dimension, and the member expression picking that dimension's column.
    /// Small tables go first in a cross join: DataFusion collects the left
    /// side, and a large left side costs several times more.
    pub fn dimension_sql(&self, column: impl Fn(&str) -> String) -> (String, String) {
        // VALUES, not unnest(make_array(…)): the latter plans several times slower.
        let names: Vec<String> = self.dims.iter().map(|d| format!("('{d}')")).collect();
        let join = format!("(VALUES {}) AS dims(dimension)", names.join(", "));
        let mut member = "CASE dims.dimension".to_string();
        for d in &self.dims {
            member += &format!(" WHEN '{d}' THEN CAST({} AS VARCHAR)", column(d));
        }
        (join, member + " END")
    }

    /// The asked dimensions split by the aggregates they take: the metric's
    /// own, and `for_dims`' for the dimensions it names.
    fn dim_groups(&self) -> Vec<(Vec<String>, Aggregates<'a>)> {
        let m = self.metric;
        let (other, own): (Vec<String>, Vec<String>) = self
            .dims
            .iter()
            .cloned()
            .partition(|d| m.for_dims.as_ref().is_some_and(|f| f.dims.contains(d)));
        let mut groups: Vec<(Vec<String>, Aggregates)> = Vec::new();
        if !own.is_empty() {
            groups.push((own, (m.numerator.as_ref(), m.denominator.as_ref())));
        }
        if let Some(f) = m.for_dims.as_ref().filter(|_| !other.is_empty()) {
            groups.push((other, (Some(&f.numerator), f.denominator.as_ref())));
        }
        groups
    }

    /// The aggregates of a ratio metric's Σ numerator and Σ denominator, each
    /// with the dimensions it serves, as [`Self::sql`] computes them: the
    /// denominator's list is empty when the metric has none, or when a group
    /// of its dimensions has none (`d` is then NULL on every row).
    pub fn sum_parts(&self) -> (Vec<SumPart<'a>>, Vec<SumPart<'a>>) {
        let groups = self.dim_groups();
        let num = groups
            .iter()
            .map(|(dims, a)| {
                (
                    dims.clone(),
                    a.0.expect("a ratio metric has a numerator (checked at load)"),
                )
            })
            .collect();
        let den: Option<Vec<_>> = match self.metric.denominator {
            None => None,
            Some(_) => groups.iter().map(|(dims, a)| a.1.map(|d| (dims.clone(), d))).collect(),
        };
        (num, den.unwrap_or_default())
    }

    /// `num` and `den` (when the metric has one): Σ numerator and Σ
    /// denominator per period, dimension and member. The dimensions of
    /// `for_dims` take its aggregates: each group is computed apart and the
    /// two put together.
    fn parts_sql(&self) -> (String, Option<String>) {
        let groups = self.dim_groups();
        let part = |name: &str, pick: for<'b> fn(&Aggregates<'b>) -> Option<&'b Aggregate>| -> Option<String> {
            if let [(dims, aggregates)] = groups.as_slice() {
                let sub = Request {
                    dims: dims.clone(),
                    ..self.clone()
                };
                return Some(sub.aggregate_sql(name, pick(aggregates)?));
            }
            let mut ctes = Vec::new();
            for (i, (dims, aggregates)) in groups.iter().enumerate() {
                let sub = Request {
                    dims: dims.clone(),
                    ..self.clone()
                };
                ctes.push(sub.aggregate_sql(&format!("{name}{i}"), pick(aggregates)?));
            }
            let union: Vec<String> = (0..groups.len()).map(|i| format!("SELECT * FROM {name}{i}")).collect();
            ctes.push(format!("{name} AS ({})", union.join(" UNION ALL ")));
            Some(ctes.join(",\n"))
        };
        let num = part("num", |a| a.0).expect("a ratio metric has a numerator (checked at load)");
        let den = part("den", |a| a.1);
        (num, den)
    }

    fn ratio_sql(&self) -> String {
        let m = self.metric;
        let (num, den) = self.parts_sql();
        match (&m.denominator, den) {
            (None, _) | (_, None) => format!(
                "{num},\njoined AS (SELECT period, dimension, member, CAST(COALESCE(v, 0) AS DECIMAL(38, 10)) AS n, \
                 CAST(NULL AS DECIMAL(38, 10)) AS d FROM num)"
            ),
            (Some(_), Some(den)) => {
                format!(
                    "{num},\n{den},\njoined AS (SELECT COALESCE(num.period, den.period) AS period, \
                     COALESCE(num.dimension, den.dimension) AS dimension, COALESCE(num.member, den.member) AS member, \
                     CAST(COALESCE(num.v, 0) AS DECIMAL(38, 10)) AS n, CAST(den.v AS DECIMAL(38, 10)) AS d \
                     FROM num FULL OUTER JOIN den \
                     ON num.period = den.period AND num.dimension = den.dimension AND num.member = den.member)"
                )
            }
        }
    }

    /// A13: leavers / ((headcount(first day) + headcount(last day)) / 2) over
    /// the agents with a role in a13_roles, all from the agents snapshot of the
    /// period's last loaded date.
    fn turnover_sql(&self) -> String {
        let period = period_sql(self.grain, "a.dt", "a.dt");
        let (dims_join, member) = self.dimension_sql(|d| {
            match d {
                "skill_group" => "COALESCE(a.primary_skill_group, '(none)')",
                "total" => "'all'",
                _ => "COALESCE(a.center_id, '(none)')",
            }
            .to_string()
        });
        let step = match self.grain {
            Grain::Quarter => "3 months",
            Grain::Year => "1 year",
            _ => "1 month",
        };
        let unit = match self.grain {
            Grain::Quarter => "quarter",
            Grain::Year => "year",
            _ => "month",
        };
        let cond = self.conditions("a.dt", None);
        format!(
            "snap AS (SELECT a.*, {period} AS period, dims.dimension, {member} AS member \
             FROM {dims_join} CROSS JOIN cube_params AS params CROSS JOIN conformed_dim_agent AS a \
             WHERE array_has(params.a13_roles, a.role) AND {cond}),\n\
             bounds AS (SELECT period, MAX(dt) AS snap_dt, \
             CAST(date_trunc('{unit}', MAX(dt)) AS DATE) AS p_start, \
             CAST(date_trunc('{unit}', MAX(dt)) + INTERVAL '{step}' - INTERVAL '1 day' AS DATE) AS p_end \
             FROM snap GROUP BY period),\n\
             joined AS (SELECT s.period, s.dimension, s.member, \
             CAST(SUM(CASE WHEN s.leave_date >= b.p_start AND s.leave_date <= b.p_end THEN 1 ELSE 0 END) \
             AS DECIMAL(38, 10)) AS n, \
             CAST(SUM(CASE WHEN s.hire_date <= b.p_start AND (s.leave_date IS NULL OR s.leave_date > b.p_start) \
             THEN 1 ELSE 0 END) + SUM(CASE WHEN s.hire_date <= b.p_end AND (s.leave_date IS NULL OR \
             s.leave_date > b.p_end) THEN 1 ELSE 0 END) AS DECIMAL(38, 10)) / 2 AS d \
             FROM snap AS s JOIN bounds AS b ON b.period = s.period AND s.dt = b.snap_dt \
             GROUP BY s.period, s.dimension, s.member)"
        )
    }
}

/// A metric's output columns as SQL over `n` (Σ numerator), `d` (Σ
/// denominator) and `params` (`cube_params`).
pub struct Outputs {
    pub denominator: String,
    pub value: String,
    pub points: String,
    pub flag: String,
}

impl Metric {
    /// The SQL of this metric's denominator column, value (n × scale / d), score points and flag.
    pub fn outputs_sql(&self) -> Outputs {
        let scale = self.scale.as_deref().unwrap_or("1");
        let has_den = self.denominator.is_some() || self.kind == Kind::Turnover;
        let value = if has_den {
            format!("CASE WHEN d IS NULL OR d = 0 THEN NULL ELSE n * ({scale}) / d END")
        } else {
            "n".to_string()
        };
        let x_scale = if self.is_ratio() { 100 } else { 1 };
        let guard = format!("d IS NULL OR d = 0 OR ({scale}) IS NULL");
        let points = if self.bands.is_empty() {
            "CAST(NULL AS BIGINT)".to_string()
        } else {
            let mut s = format!("CASE WHEN {guard} THEN NULL");
            for b in self.parsed_bands() {
                s += &format!(
                    " WHEN {} THEN {}",
                    b.sql("n", "d", scale, x_scale),
                    b.points.expect("scored")
                );
            }
            let otherwise = match &self.else_points {
                Some(ElsePoints::Points(p)) => p.to_string(),
                Some(ElsePoints::Param(p)) => format!("params.{p}"),
                None => "NULL".into(),
            };
            s + &format!(" ELSE CAST({otherwise} AS BIGINT) END")
        };
        let flag = match &self.flag {
            None => "CAST(NULL AS VARCHAR)".to_string(),
            Some(f) => {
                let tests: Vec<String> = f
                    .tests
                    .iter()
                    .map(|t| {
                        super::Band::parse_test(t)
                            .expect("checked")
                            .sql("n", "d", scale, x_scale)
                    })
                    .collect();
                let (yes, no) = if f.name == "pass" {
                    ("pass", "fail")
                } else {
                    ("in_band", "out_of_band")
                };
                format!(
                    "CASE WHEN {guard} THEN NULL WHEN {} THEN '{yes}' ELSE '{no}' END",
                    tests.join(" AND ")
                )
            }
        };
        let denominator = if has_den { "d" } else { "CAST(NULL AS DECIMAL(38, 10))" };
        Outputs {
            denominator: denominator.to_string(),
            value,
            points,
            flag,
        }
    }
}

/// The conditions on `date_col` of dates from `from`, to `to`, among `dates`
/// (`true` first, so the list is never empty).
pub fn date_conditions(
    from: Option<i64>,
    to: Option<i64>,
    dates: Option<&crate::engine::dateset::DateSet>,
    date_col: &str,
) -> Vec<String> {
    let mut c = vec!["true".to_string()];
    if let Some(f) = from {
        c.push(format!("{date_col} >= DATE '{}'", date_string(f)));
    }
    if let Some(t) = to {
        c.push(format!("{date_col} <= DATE '{}'", date_string(t)));
    }
    if let Some(d) = dates {
        c.push(d.sql_condition(date_col));
    }
    c
}

/// The period of a row as a typed key (a timestamp or date, cheap to group by):
/// the interval start, its hour, the date, or the first day of its ISO week,
/// month, quarter or year. [`period_label`] turns it into text after grouping.
pub fn period_sql(grain: Grain, dt: &str, interval_start: &str) -> String {
    match grain {
        Grain::Interval => interval_start.to_string(),
        Grain::Hour => format!("date_trunc('hour', {interval_start})"),
        Grain::Day => dt.to_string(),
        Grain::Week => format!("date_trunc('week', {dt})"),
        Grain::Month => format!("date_trunc('month', {dt})"),
        Grain::Quarter => format!("date_trunc('quarter', {dt})"),
        Grain::Year => format!("date_trunc('year', {dt})"),
    }
}

/// The label of a period key: `2026-11-21 09:30`, `2026-11-21 09:00`,
/// `2026-11-21`, `2026-W47`, `2026-11`, `2026-Q4`, `2026`.
pub fn period_label(grain: Grain, key: &str) -> String {
    match grain {
        Grain::Interval => format!("to_char({key}, '%Y-%m-%d %H:%M')"),
        Grain::Hour => format!("to_char({key}, '%Y-%m-%d %H:00')"),
        Grain::Day => format!("to_char({key}, '%Y-%m-%d')"),
        Grain::Week => format!("to_char({key}, '%G-W%V')"),
        Grain::Month => format!("to_char({key}, '%Y-%m')"),
        Grain::Quarter => {
            format!("to_char({key}, '%Y') || '-Q' || CAST(CAST(date_part('quarter', {key}) AS INT) AS VARCHAR)")
        }
        Grain::Year => format!("to_char({key}, '%Y')"),
    }
}

/// Accept one SQL expression, nothing more (no `;`, no statement).
fn check_expression(s: &str) -> Result<()> {
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::parser::Parser;
    use datafusion::sql::sqlparser::tokenizer::Token;
    let mut p = Parser::new(&GenericDialect {})
        .try_with_sql(s)
        .map_err(|e| Error::Request(format!("--where `{s}`: {e}")))?;
    p.parse_expr()
        .map_err(|e| Error::Request(format!("--where `{s}` is not an expression: {e}")))?;
    if p.peek_token().token != Token::EOF {
        return Err(Error::Request(format!("--where `{s}`: give a single condition")));
    }
    Ok(())
}

/// First and last business date (epoch days) of a period label.
pub fn period_dates(grain: Grain, period: &str) -> Option<(i64, i64)> {
    use chrono::{Datelike, NaiveDate};
    let days = |d: NaiveDate| (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days();
    let ymd = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (first, last) = match grain {
        Grain::Interval | Grain::Hour | Grain::Day => {
            let d = ymd(period.get(..10)?)?;
            (d, d)
        }
        Grain::Week => {
            let (y, w) = period.split_once("-W")?;
            let first = NaiveDate::from_isoywd_opt(y.parse().ok()?, w.parse().ok()?, chrono::Weekday::Mon)?;
            (first, first + chrono::Days::new(6))
        }
        Grain::Month => {
            let first = ymd(&format!("{period}-01"))?;
            (first, first + chrono::Months::new(1) - chrono::Days::new(1))
        }
        Grain::Quarter => {
            let (y, q) = period.split_once("-Q")?;
            let q: u32 = q.parse().ok()?;
            let first = NaiveDate::from_ymd_opt(y.parse().ok()?, (q - 1) * 3 + 1, 1)?;
            (first, first + chrono::Months::new(3) - chrono::Days::new(1))
        }
        Grain::Year => {
            let first = NaiveDate::from_ymd_opt(period.parse().ok()?, 1, 1)?;
            (first, NaiveDate::from_ymd_opt(first.year(), 12, 31)?)
        }
    };
    Some((days(first), days(last)))
}

/// What the landing ledger says about finality: the latest business date run,
/// and for each business date the latest folder that delivered rows for it.
#[derive(Debug, Default, Clone)]
pub struct Finality {
    pub latest_run: Option<i64>,
    pub touched: std::collections::BTreeMap<i64, i64>,
}

impl Finality {
    /// `(date, settled days)` for every date from the first one the ledger
    /// knows to two days past the latest run: the days between the latest
    /// run and the later of the date and the last delivery that touched it.
    pub fn settled_days(&self) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        if let (Some(latest), Some(first)) = (self.latest_run, self.touched.keys().next().copied()) {
            for d in first.min(latest)..=latest + 2 {
                let last_touch = self.touched.get(&d).map_or(d, |t| (*t).max(d));
                out.push((d, latest - last_touch));
            }
        }
        out
    }

    /// Read `ledger_landing` (absent: nothing is final).
    pub async fn load(ctx: &SessionContext) -> Result<Finality> {
        if !ctx.table_exist("ledger_landing")? {
            return Ok(Finality::default());
        }
        let df = ctx
            .sql("SELECT CAST(folder_date AS BIGINT) AS f, partitions FROM ledger_landing WHERE rows_landed > 0 OR files > 0")
            .await?;
        let mut out = Finality::default();
        for b in df.collect().await? {
            let f = datafusion::arrow::compute::cast(b.column(0), &datafusion::arrow::datatypes::DataType::Int64)?;
            let f = f
                .as_any()
                .downcast_ref::<datafusion::arrow::array::Int64Array>()
                .expect("int64");
            let parts = datafusion::arrow::compute::cast(b.column(1), &datafusion::arrow::datatypes::DataType::Utf8)?;
            let parts = parts
                .as_any()
                .downcast_ref::<datafusion::arrow::array::StringArray>()
                .expect("utf8");
            for i in 0..b.num_rows() {
                let folder = f.value(i);
                out.latest_run = Some(out.latest_run.map_or(folder, |l: i64| l.max(folder)));
                for p in parts.value(i).split(',').filter(|p| !p.is_empty()) {
                    if let Some(d) = crate::timefmt::parse_date(p.as_bytes()) {
                        let e = out.touched.entry(d).or_insert(folder);
                        *e = (*e).max(folder);
                    }
                }
            }
        }
        Ok(out)
    }

    /// A period is final when, for each of its dates X, the latest run D has
    /// D − max(X, the latest folder that delivered rows for X) ≥ `after`:
    /// a late file re-opens its date.
    pub fn is_final(&self, first: i64, last: i64, after: i64) -> bool {
        let Some(d) = self.latest_run else { return false };
        let late = self.touched.range(first..=last).map(|(_, f)| *f).max().unwrap_or(last);
        d - last.max(late) >= after
    }
}

/// Run a request: the rows of the answer, with `is_final` from the ledger.
pub async fn answer(ctx: &SessionContext, req: &Request<'_>, finality: &Finality) -> Result<Vec<MetricRow>> {
    req.check()?;
    let sql = req.sql();
    let df = ctx.sql(&sql).await.map_err(|e| {
        Error::Request(format!(
            "{} at {} by {}: {e}",
            req.metric.id,
            req.grain,
            req.dims.join(", ")
        ))
    })?;
    let batches = df.collect().await?;
    let after = req.metric.final_after(cube_fcr_window_h(ctx).await?);
    let mut out = Vec::new();
    for b in &batches {
        for r in 0..b.num_rows() {
            let period = text(b, 0, r).unwrap_or_default();
            let is_final = period_dates(req.grain, &period).is_some_and(|(f, l)| finality.is_final(f, l, after));
            out.push(MetricRow {
                metric_id: req.metric.id.clone(),
                grain: req.grain.to_string(),
                period,
                dimension: text(b, 1, r).unwrap_or_default(),
                member: text(b, 2, r).unwrap_or_default(),
                numerator: text(b, 3, r).map(|s| trim_decimal(&s)),
                denominator: text(b, 4, r).map(|s| trim_decimal(&s)),
                value: text(b, 5, r).map(|s| trim_decimal(&s)),
                points: text(b, 6, r),
                is_final,
                flag: text(b, 7, r),
            });
        }
    }
    Ok(out)
}

/// fcr_window_h the cube was built with.
pub async fn cube_fcr_window_h(ctx: &SessionContext) -> Result<i64> {
    let b = ctx
        .sql("SELECT CAST(fcr_window_h AS BIGINT) FROM cube_params")
        .await?
        .collect()
        .await?;
    Ok(b.first()
        .and_then(|b| text(b, 0, 0))
        .and_then(|s| s.parse().ok())
        .unwrap_or(crate::config::Params::default().fcr_window_h))
}

fn text(b: &RecordBatch, c: usize, r: usize) -> Option<String> {
    let col = b.column(c);
    if col.is_null(r) {
        None
    } else {
        Some(array_value_to_string(col, r).expect("displayable"))
    }
}

/// `95.0000000000` → `95`, `0.9500` → `0.95`.
pub fn trim_decimal(s: &str) -> String {
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_labels_give_their_dates() {
        let d = |s: &str| crate::timefmt::parse_date(s.as_bytes()).unwrap();
        assert_eq!(
            period_dates(Grain::Week, "2026-W47"),
            Some((d("2026-11-16"), d("2026-11-22")))
        );
        assert_eq!(
            period_dates(Grain::Month, "2026-02"),
            Some((d("2026-02-01"), d("2026-02-28")))
        );
        assert_eq!(
            period_dates(Grain::Quarter, "2026-Q4"),
            Some((d("2026-10-01"), d("2026-12-31")))
        );
        assert_eq!(
            period_dates(Grain::Hour, "2026-11-21 09:00"),
            Some((d("2026-11-21"), d("2026-11-21")))
        );
    }

    #[test]
    fn a_late_delivery_reopens_a_final_date() {
        let d = |s: &str| crate::timefmt::parse_date(s.as_bytes()).unwrap();
        let mut f = Finality {
            latest_run: Some(d("2026-11-20")),
            ..Finality::default()
        };
        f.touched.insert(d("2026-11-10"), d("2026-11-10"));
        assert!(f.is_final(d("2026-11-10"), d("2026-11-10"), 7));
        f.touched.insert(d("2026-11-10"), d("2026-11-19"));
        assert!(!f.is_final(d("2026-11-10"), d("2026-11-10"), 7));
        assert!(f.is_final(d("2026-11-10"), d("2026-11-10"), 1));
    }

    #[test]
    fn decimals_lose_trailing_zeros_only() {
        assert_eq!(trim_decimal("95.0000000000"), "95");
        assert_eq!(trim_decimal("0.9500"), "0.95");
        assert_eq!(trim_decimal("100"), "100");
    }
}
