//! `callcube report --month YYYY-MM`: one self-contained HTML page for a month,
//! read from the marts (nothing is recomputed from facts): the scorecard with
//! values, points and bands per center and skill group, intraday service level
//! and abandon rate, the relative-performance model's top and bottom agents,
//! and staffing over/under per interval. Not-final figures are marked.
//!
//! The page reads only PII-free tables (an analysts' session): it can be mailed.

mod html;
mod svg;

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;

use crate::engine::audience::{Audience, read_session};

/// The A metrics of the scorecard, in its order; A4 and A7 are pass/band tests.
pub const SCORECARD_METRICS: [&str; 13] = [
    "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A10", "A11", "A12", "A13",
];

/// How many agents the top and bottom lists show per center.
pub const AGENTS_LISTED: usize = 5;

/// One scorecard row: a center or skill group in the month.
pub struct ScoreRow {
    pub dimension: String,
    pub member: String,
    /// Points per metric id (A4, A7: none; see `a4_pass`, `a7_in_band`).
    pub points: HashMap<String, Option<i64>>,
    pub a4_pass: Option<bool>,
    pub a7_in_band: Option<bool>,
    pub weighted_total: Option<f64>,
    pub kpis_missing: Option<String>,
    pub is_final: bool,
}

/// One agent of the relative performance model (D).
pub struct AgentRow {
    pub center: String,
    pub agent_id: String,
    pub team_id: String,
    pub composite: Option<f64>,
    pub rank: Option<i64>,
    pub answered_legs: Option<i64>,
    pub is_final: bool,
}

/// Everything the page shows.
pub struct Report {
    pub month: String,
    pub scorecard: Vec<ScoreRow>,
    /// Month values: (dimension, member, metric id) → value.
    pub values: HashMap<(String, String, String), f64>,
    /// (metric id, center, hour of day, Σ numerator / Σ denominator over the month's hours).
    pub intraday: Vec<(String, String, u32, f64)>,
    /// Per center, its peers ordered by rank.
    pub agents: Vec<AgentRow>,
    /// (time of day, mean surplus, mean shortage (≤ 0)): staffed minus required
    /// agents of each center and skill group, surpluses and shortages summed
    /// apart so one group's surplus does not hide another's shortage; means
    /// over the month's days with staffing rows.
    pub staffing: Vec<(String, f64, f64)>,
}

impl Report {
    /// Whether any figure on the page is not final yet.
    pub fn provisional(&self) -> bool {
        self.scorecard.iter().any(|r| !r.is_final) || self.agents.iter().any(|a| !a.is_final)
    }
}

/// Write the report of `month` (`YYYY-MM`) for the warehouse at `root` to `out`.
pub async fn write_report(root: &Path, month: &str, out: &Path) -> Result<Report> {
    let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m").to_string() == month)
        .with_context(|| format!("--month `{month}` is not YYYY-MM"))?;
    let (ctx, _) = read_session(root, Audience::Analysts).await?;
    let report = gather(&ctx, month, first).await?;
    let page = html::render(&report);
    // Written beside and renamed: a reader never sees half a page.
    let tmp = out.with_extension("html.partial");
    std::fs::write(&tmp, page).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| format!("writing {}", out.display()))?;
    Ok(report)
}

async fn gather(ctx: &SessionContext, month: &str, first: chrono::NaiveDate) -> Result<Report> {
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .context("a month after the last one")?;
    let scorecard_sql = format!(
        "SELECT dimension, member, a1_points, a2_points, a3_points, a5_points, a6_points, a8_points, a9_points, \
         a10_points, a11_points, a12_points, a13_points, a4_pass, a7_in_band, weighted_total, kpis_missing, is_final \
         FROM marts_scorecard_monthly WHERE month = '{month}' AND dimension IN ('center', 'skill_group') \
         ORDER BY dimension, member"
    );
    let rows = text_rows(&run(ctx, &scorecard_sql).await?);
    if rows.is_empty() {
        let months = text_rows(&run(ctx, "SELECT DISTINCT month FROM marts_scorecard_monthly ORDER BY month").await?);
        let months: Vec<String> = months.into_iter().filter_map(|r| r[0].clone()).collect();
        bail!(
            "no scorecard for {month} in the warehouse (months built: {})",
            if months.is_empty() {
                "none".to_string()
            } else {
                months.join(", ")
            }
        );
    }
    let points_ids = ["A1", "A2", "A3", "A5", "A6", "A8", "A9", "A10", "A11", "A12", "A13"];
    let scorecard = rows
        .into_iter()
        .map(|r| ScoreRow {
            dimension: r[0].clone().unwrap_or_default(),
            member: r[1].clone().unwrap_or_default(),
            points: points_ids
                .iter()
                .enumerate()
                .map(|(i, id)| (id.to_string(), r[2 + i].as_deref().and_then(|v| v.parse().ok())))
                .collect(),
            a4_pass: r[13].as_deref().map(|v| v == "true"),
            a7_in_band: r[14].as_deref().map(|v| v == "true"),
            weighted_total: r[15].as_deref().and_then(|v| v.parse().ok()),
            kpis_missing: r[16].clone().filter(|m| !m.is_empty()),
            is_final: r[17].as_deref() == Some("true"),
        })
        .collect();

    let ids = SCORECARD_METRICS.map(|m| format!("'{m}'")).join(", ");
    let values_sql = format!(
        "SELECT dimension, member, metric_id, CAST(value AS DOUBLE) FROM marts_metrics_month \
         WHERE period = '{month}' AND dimension IN ('center', 'skill_group') AND metric_id IN ({ids}) AND value IS NOT NULL"
    );
    let values = text_rows(&run(ctx, &values_sql).await?)
        .into_iter()
        .filter_map(|r| {
            let v = r[3].as_deref()?.parse().ok()?;
            Some(((r[0].clone()?, r[1].clone()?, r[2].clone()?), v))
        })
        .collect();

    // Both metrics are sums over sums, so the month's hours pool exactly.
    let intraday_sql = format!(
        "SELECT metric_id, member, CAST(substr(period, 12, 2) AS INT) AS hour, \
         CAST(sum(numerator) AS DOUBLE) / CAST(sum(denominator) AS DOUBLE) \
         FROM marts_metrics_hour WHERE metric_id IN ('A2', 'C2') AND dimension = 'center' \
         AND dt >= DATE '{first}' AND dt < DATE '{next}' \
         GROUP BY metric_id, member, hour HAVING sum(denominator) > 0 ORDER BY metric_id, member, hour"
    );
    let intraday = text_rows(&run(ctx, &intraday_sql).await?)
        .into_iter()
        .filter_map(|r| {
            Some((
                r[0].clone()?,
                r[1].clone()?,
                r[2].as_deref()?.parse().ok()?,
                r[3].as_deref()?.parse().ok()?,
            ))
        })
        .collect();

    let agents_sql = format!(
        "SELECT center_id, member, team_id, composite, rank, answered_legs, is_final FROM marts_agent_performance_monthly \
         WHERE month = DATE '{first}' AND level = 'agent' AND is_peer ORDER BY center_id, rank, member"
    );
    let agents = text_rows(&run(ctx, &agents_sql).await?)
        .into_iter()
        .map(|r| AgentRow {
            center: r[0].clone().unwrap_or_default(),
            agent_id: r[1].clone().unwrap_or_default(),
            team_id: r[2].clone().unwrap_or_default(),
            composite: r[3].as_deref().and_then(|v| v.parse().ok()),
            rank: r[4].as_deref().and_then(|v| v.parse().ok()),
            answered_legs: r[5].as_deref().and_then(|v| v.parse().ok()),
            is_final: r[6].as_deref() == Some("true"),
        })
        .collect();

    let staffing_sql = format!(
        "WITH days AS (SELECT count(DISTINCT dt) AS n FROM marts_staffing_interval \
                       WHERE dt >= DATE '{first}' AND dt < DATE '{next}') \
         SELECT to_char(interval_start, '%H:%M') AS slot, \
         sum(greatest(over_under, 0)) / max(days.n), sum(least(over_under, 0)) / max(days.n) \
         FROM marts_staffing_interval CROSS JOIN days \
         WHERE dt >= DATE '{first}' AND dt < DATE '{next}' AND over_under IS NOT NULL \
         GROUP BY slot ORDER BY slot"
    );
    let staffing = text_rows(&run(ctx, &staffing_sql).await?)
        .into_iter()
        .filter_map(|r| {
            Some((
                r[0].clone()?,
                r[1].as_deref()?.parse().ok()?,
                r[2].as_deref()?.parse().ok()?,
            ))
        })
        .collect();

    Ok(Report {
        month: month.to_string(),
        scorecard,
        values,
        intraday,
        agents,
        staffing,
    })
}

async fn run(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
    Ok(crate::engine::query(ctx, sql).await?)
}

/// Every cell as text (NULL as `None`).
fn text_rows(batches: &[RecordBatch]) -> Vec<Vec<Option<String>>> {
    let mut out = Vec::new();
    for b in batches {
        let columns: Vec<_> = b
            .columns()
            .iter()
            .map(|c| datafusion::arrow::compute::cast(c, &DataType::Utf8).expect("any column casts to text"))
            .collect();
        for r in 0..b.num_rows() {
            out.push(
                columns
                    .iter()
                    .map(|c| {
                        let c = c.as_string::<i32>();
                        (!c.is_null(r)).then(|| c.value(r).to_string())
                    })
                    .collect(),
            );
        }
    }
    out
}
