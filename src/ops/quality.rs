//! Data-quality gates, declared in the pipeline's `[quality]` section and run
//! after the models are built but before anything is published. A failing
//! `block` check stops the run (exit 3) with every published table as it was;
//! a `warn` check is only recorded. Every result goes to `ledger_run_checks`.
//!
//! ```toml
//! [quality]
//! expected = ["hotline/ivr_calls", "hotline/agent_legs"]  # freshness; default: the daily tables
//!
//! [[quality.check]]
//! table = "conformed_fact_agent_leg"
//! kind = "references"              # unique | not_null | references | range | same_rows
//! columns = ["call_id"]
//! to = "conformed_fact_ivr_call"
//! to_columns = ["call_id"]
//! max_share = 0.001                # violations allowed, as a share of the rows (default 0)
//! severity = "block"               # or "warn"
//! edge_column = "queue_start"      # references: rows within edge_hours of the start
//! edge_hours = 2                   # of the first date or the end of the last are
//!                                  # reported apart (their reference may be unloaded)
//! ```
//!
//! Built in: landing reconciliation (per table and delivery, rows read =
//! landed + rejected + duplicate) and freshness (an expected extract with no
//! file in a date's folder is reported as input missing, exit 4).

use datafusion::arrow::array::{Array, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use serde::Deserialize;

use crate::error::Result;
use crate::ingest::TableCounts;
use crate::ledger::runs::CheckResult;
use crate::timefmt::date_string;

/// The `[quality]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityConfig {
    /// Extracts that must be delivered for every date (`system/table`); default: all enabled.
    #[serde(default)]
    pub expected: Option<Vec<String>>,
    /// Declared checks.
    #[serde(default)]
    pub check: Vec<CheckDef>,
}

/// What a check tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// No two rows share `columns`.
    Unique,
    /// `columns` are never NULL.
    NotNull,
    /// Every non-NULL `columns` value exists in `to`.`to_columns`.
    References,
    /// `column` lies in [`min`, `max`].
    Range,
    /// `table` and `to` have the same number of rows.
    SameRows,
}

/// Block the run, or only record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Block,
    Warn,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Block => "block",
            Severity::Warn => "warn",
        }
    }
}

/// One declared check.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    #[serde(default)]
    pub name: Option<String>,
    pub table: String,
    pub kind: CheckKind,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub to_columns: Vec<String>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub max_share: f64,
    #[serde(default)]
    pub severity: Severity,
    /// `references` only: a timestamp column of `table`. A violating row whose
    /// value falls within `edge_hours` of an edge of the loaded dates — the
    /// start of the table's first date (its reference may lie on a date the
    /// warehouse never loaded) or the end of its last (its reference may come
    /// in the next delivery, as late rows do) — is reported apart and does not
    /// count against the check. Once later dates are loaded it is an edge row
    /// no more, and is checked.
    #[serde(default)]
    pub edge_column: Option<String>,
    #[serde(default = "default_edge_hours")]
    pub edge_hours: f64,
}

fn default_edge_hours() -> f64 {
    2.0
}

impl CheckDef {
    /// Why the definition cannot work, if it cannot.
    pub fn problem(&self) -> Option<String> {
        let need_cols = self.columns.is_empty();
        match self.kind {
            CheckKind::Unique | CheckKind::NotNull if need_cols => Some("needs `columns`".into()),
            CheckKind::References if need_cols || self.to.is_none() || self.to_columns.len() != self.columns.len() => {
                Some("needs `columns`, `to` and as many `to_columns`".into())
            }
            CheckKind::Range if self.columns.len() != 1 || (self.min.is_none() && self.max.is_none()) => {
                Some("needs one column in `columns` and `min` and/or `max`".into())
            }
            CheckKind::SameRows if self.to.is_none() => Some("needs `to`".into()),
            _ if self.edge_column.is_some() && self.kind != CheckKind::References => {
                Some("`edge_column` applies to `references` checks only".into())
            }
            _ if !(self.edge_hours.is_finite() && (0.0..=24.0).contains(&self.edge_hours)) => {
                Some("`edge_hours` must be within 0..=24".into())
            }
            _ if !(0.0..=1.0).contains(&self.max_share) => Some("`max_share` must be within 0..=1".into()),
            _ => None,
        }
    }

    /// A readable name: the given one, else kind(table.columns).
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            let kind = format!("{:?}", self.kind).to_lowercase();
            match &self.to {
                Some(to) => format!("{kind}({}.{} → {to})", self.table, self.columns.join("+")),
                None => format!("{kind}({}.{})", self.table, self.columns.join("+")),
            }
        })
    }

    /// SQL giving (total rows, violating rows, violations excused as lying at
    /// an edge of the loaded dates).
    fn sql(&self) -> String {
        let t = &self.table;
        let cols = self.columns.join(", ");
        match self.kind {
            CheckKind::Unique => format!(
                "SELECT (SELECT COUNT(*) FROM {t}) AS total, \
                 (SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM {t} GROUP BY {cols} HAVING COUNT(*) > 1)) AS bad"
            ),
            CheckKind::NotNull => {
                let any_null: Vec<String> = self.columns.iter().map(|c| format!("{c} IS NULL")).collect();
                format!(
                    "SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0) AS bad FROM {t}",
                    any_null.join(" OR ")
                )
            }
            CheckKind::References => {
                let to = self.to.as_deref().unwrap_or_default();
                let on: Vec<String> = self
                    .columns
                    .iter()
                    .zip(&self.to_columns)
                    .map(|(c, k)| format!("s.{c} = r.{k}"))
                    .collect();
                let present: Vec<String> = self.columns.iter().map(|c| format!("s.{c} IS NOT NULL")).collect();
                // Without an edge column nothing is excused.
                let (first, excused) = match &self.edge_column {
                    Some(c) => {
                        let h = format!("INTERVAL '{} seconds'", (self.edge_hours * 3600.0).round() as i64);
                        (
                            format!(" CROSS JOIN (SELECT MIN(dt) AS first_dt, MAX(dt) AS last_dt FROM {t}) AS f"),
                            format!(
                                "s.{c} < CAST(f.first_dt AS TIMESTAMP) + {h} \
                                 OR s.{c} >= CAST(f.last_dt AS TIMESTAMP) + INTERVAL '1 day' - {h}"
                            ),
                        )
                    }
                    None => (String::new(), "false".to_string()),
                };
                format!(
                    "SELECT COUNT(*) AS total, \
                     COALESCE(SUM(CASE WHEN r.{k} IS NULL AND NOT ({excused}) THEN 1 ELSE 0 END), 0) AS bad, \
                     COALESCE(SUM(CASE WHEN r.{k} IS NULL AND ({excused}) THEN 1 ELSE 0 END), 0) AS excused \
                     FROM {t} AS s{first} LEFT JOIN (SELECT DISTINCT {to_cols} FROM {to}) AS r ON {on} WHERE {present}",
                    k = self.to_columns[0],
                    to_cols = self.to_columns.join(", "),
                    on = on.join(" AND "),
                    present = present.join(" AND ")
                )
            }
            CheckKind::Range => {
                let c = &self.columns[0];
                let mut out = Vec::new();
                if let Some(min) = self.min {
                    out.push(format!("{c} < {min}"));
                }
                if let Some(max) = self.max {
                    out.push(format!("{c} > {max}"));
                }
                format!(
                    "SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0) AS bad FROM {t}",
                    out.join(" OR ")
                )
            }
            CheckKind::SameRows => {
                let to = self.to.as_deref().unwrap_or_default();
                format!(
                    "SELECT (SELECT COUNT(*) FROM {t}) AS total, \
                     abs((SELECT COUNT(*) FROM {t}) - (SELECT COUNT(*) FROM {to})) AS bad"
                )
            }
        }
    }
}

/// Run every declared check against `ctx` (the freshly built tables).
pub async fn run_checks(ctx: &SessionContext, checks: &[CheckDef]) -> Result<Vec<CheckResult>> {
    let mut out = Vec::new();
    for c in checks {
        let result = async {
            let batches = ctx.sql(&c.sql()).await?.collect().await?;
            let b = batches
                .first()
                .ok_or_else(|| datafusion::error::DataFusionError::Execution("the check returned no row".into()))?;
            let value = |i: usize| -> datafusion::error::Result<i64> {
                let col = cast(b.column(i), &DataType::Int64)?;
                let col = col.as_any().downcast_ref::<Int64Array>().expect("int64");
                Ok(if col.is_null(0) { 0 } else { col.value(0) })
            };
            let excused = if b.num_columns() > 2 { value(2)? } else { 0 };
            Ok::<_, datafusion::error::DataFusionError>((value(0)?, value(1)?, excused))
        }
        .await;
        let (passed, detail) = match result {
            Ok((total, bad, excused)) => {
                // Excused rows count in neither the violations nor the rows they are a share of.
                let counted = total - excused;
                let allowed = (c.max_share * counted as f64).floor() as i64;
                let share = if counted > 0 { bad as f64 / counted as f64 } else { 0.0 };
                let mut detail = format!(
                    "{bad} of {counted} rows violate it ({:.3} %; allowed {:.3} %)",
                    share * 100.0,
                    c.max_share * 100.0
                );
                if excused > 0 {
                    detail.push_str(&format!(
                        "; {excused} more lie at an edge of the loaded dates, where the reference may be on a \
                         date not loaded (yet): not counted"
                    ));
                }
                (bad <= allowed, detail)
            }
            Err(e) => (false, format!("the check could not run: {e}")),
        };
        if passed {
            tracing::debug!(check = %c.label(), %detail, "quality check passed");
        } else {
            tracing::warn!(check = %c.label(), severity = c.severity.as_str(), %detail, "quality check failed");
        }
        out.push(CheckResult {
            check: c.label(),
            table: c.table.clone(),
            severity: c.severity.as_str().to_string(),
            passed,
            detail,
        });
    }
    Ok(out)
}

/// Landing reconciliation of one delivery: rows read = landed + rejected + duplicate.
pub fn reconcile(day: i64, tables: &[TableCounts]) -> Vec<CheckResult> {
    tables
        .iter()
        .map(|t| {
            let accounted = t.landed + t.rejected + t.duplicates;
            CheckResult {
                check: format!("reconcile({} {})", t.table, date_string(day)),
                table: t.table.clone(),
                severity: Severity::Block.as_str().to_string(),
                passed: accounted == t.read,
                detail: format!(
                    "read {} = landed {} + rejected {} + duplicate {}{}",
                    t.read,
                    t.landed,
                    t.rejected,
                    t.duplicates,
                    if accounted == t.read {
                        String::new()
                    } else {
                        format!(" (off by {})", t.read as i64 - accounted as i64)
                    }
                ),
            }
        })
        .collect()
}

/// The blocking failures among `results`, one line each.
pub fn blocking_failures(results: &[CheckResult]) -> Vec<String> {
    results
        .iter()
        .filter(|r| !r.passed && r.severity == "block")
        .map(|r| format!("{}: {}", r.check, r.detail))
        .collect()
}
