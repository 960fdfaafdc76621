//! `marts_alerts_daily`: the day mart's rows that breach their target
//! (metrics.md F, Targets and alerts), one row per metric, date, dimension
//! and member, with the value, the target as people read it, the severity
//! and `is_final`. A row follows the most specific target of its metric: a
//! member's before the metric's.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::SessionContext;

use crate::config::Targets;
use crate::error::Result;

/// The mart's folder.
pub const ALERTS: &str = "marts/alerts_daily";

/// The table of targets the query joins.
const TARGETS_TABLE: &str = "alert_targets";

/// Register `targets` as the table the alerts query reads.
pub fn register_targets(ctx: &SessionContext, targets: &Targets) -> Result<()> {
    let rules = &targets.rules;
    let text = |f: &dyn Fn(&crate::config::TargetRule) -> Option<String>| -> ArrayRef {
        Arc::new(rules.iter().map(f).collect::<StringArray>())
    };
    let columns: Vec<ArrayRef> = vec![
        text(&|r| Some(r.metric_id.clone())),
        text(&|r| r.dimension.clone()),
        text(&|r| r.member.clone()),
        // Bounds as decimal text: the query casts them exactly (0.92, not 0.92000000000000004).
        text(&|r| r.target.min.map(|v| v.to_string())),
        text(&|r| r.target.max.map(|v| v.to_string())),
        Arc::new(rules.iter().map(|r| r.target.min_points).collect::<Int64Array>()),
        Arc::new(rules.iter().map(|r| Some(r.target.flag)).collect::<BooleanArray>()),
        text(&|r| Some(r.target.severity.clone())),
        text(&|r| Some(r.describe())),
        Arc::new(
            rules
                .iter()
                .map(|r| Some(i64::from(r.member.is_some())))
                .collect::<Int64Array>(),
        ),
    ];
    let schema = Schema::new(vec![
        Field::new("metric_id", DataType::Utf8, false),
        Field::new("dimension", DataType::Utf8, true),
        Field::new("member", DataType::Utf8, true),
        Field::new("min_value", DataType::Utf8, true),
        Field::new("max_value", DataType::Utf8, true),
        Field::new("min_points", DataType::Int64, true),
        Field::new("on_flag", DataType::Boolean, true),
        Field::new("severity", DataType::Utf8, true),
        Field::new("target", DataType::Utf8, true),
        Field::new("specificity", DataType::Int64, true),
    ]);
    let batch = RecordBatch::try_new(Arc::new(schema), columns)?;
    ctx.deregister_table(TARGETS_TABLE)?;
    ctx.register_batch(TARGETS_TABLE, batch)?;
    Ok(())
}

/// The alerts of the day mart's rows on `condition` (SQL on its `dt`).
pub fn alerts_sql(condition: &str) -> String {
    format!(
        "WITH matched AS (\
           SELECT d.metric_id, d.metric_key, d.dimension, d.member, d.value, d.points, d.flag, d.is_final, d.dt, \
             t.min_value, t.max_value, t.min_points, t.on_flag, t.severity, t.target, \
             ROW_NUMBER() OVER (PARTITION BY d.metric_id, d.dt, d.dimension, d.member \
               ORDER BY t.specificity DESC) AS rn \
           FROM marts_metrics_day AS d \
           JOIN {TARGETS_TABLE} AS t ON t.metric_id = d.metric_id \
             AND (t.member IS NULL OR (t.dimension = d.dimension AND t.member = d.member)) \
           WHERE {condition}) \
         SELECT metric_id, metric_key, dimension, member, value, target, severity, is_final, dt \
         FROM matched \
         WHERE rn = 1 AND ( \
           (min_value IS NOT NULL AND value < CAST(min_value AS DECIMAL(38, 12))) \
           OR (max_value IS NOT NULL AND value > CAST(max_value AS DECIMAL(38, 12))) \
           OR (min_points IS NOT NULL AND points < min_points) \
           OR (on_flag AND flag IN ('fail', 'out_of_band'))) \
         ORDER BY dt, metric_id, dimension, member"
    )
}
