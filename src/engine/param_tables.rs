//! Parameters that are maps reach SQL as small tables, one row per entry, with
//! the defaults of metrics.md filled in, so models join them instead of
//! parsing JSON:
//!
//! - `param_d_weights(indicator, weight)` — D1…D7, 1 unless set (`d_weights`)
//! - `param_e1_weights(dimension, weight)` — `e1_key_weight` for the
//!   `e1_key_dimensions`, 1 for the others
//! - `param_e4_weights(factor, weight)` — importance, difficulty, channel_fit,
//!   acceptance, roi; 1 unless set (`e4_weights`)
//! - `param_campaign_factors(campaign_id, importance, difficulty, channel_fit)`
//!   — campaigns the pipeline lists; others take 50, 50, 50 in the model
//! - `param_ivr_code_map(self_service_code, business_code)` — empty means identity
//! - `scorecard_weights(kpi, weight)` — the scored KPIs, 1 unless set

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use crate::config::Params;
use crate::error::Result;

/// D indicators, in order.
pub const D_INDICATORS: &[&str] = &["D1", "D2", "D3", "D4", "D5", "D6", "D7"];
/// E1 value dimensions.
pub const E1_DIMENSIONS: &[&str] = &["historical", "current", "future", "influence", "elastic"];
/// E4 evaluation factors.
pub const E4_FACTORS: &[&str] = &["importance", "difficulty", "channel_fit", "acceptance", "roi"];
/// KPIs that score points on the monthly scorecard.
pub const SCORED_KPIS: &[&str] = &["A1", "A2", "A3", "A5", "A6", "A8", "A9", "A10", "A11", "A12", "A13"];

/// Register every parameter table in `ctx` (replacing earlier ones).
pub fn register(ctx: &SessionContext, params: &Params) -> Result<()> {
    let weights = |keys: &[&str], set: &BTreeMap<String, f64>, default: &dyn Fn(&str) -> f64| {
        keys.iter()
            .map(|k| (k.to_string(), set.get(*k).copied().unwrap_or_else(|| default(k))))
            .collect::<Vec<_>>()
    };
    let one = |_: &str| 1.0;
    let e1: Vec<(String, f64)> = E1_DIMENSIONS
        .iter()
        .map(|d| {
            let key = params.e1_key_dimensions.iter().any(|k| k == d);
            (d.to_string(), if key { params.e1_key_weight } else { 1.0 })
        })
        .collect();
    weight_table(
        ctx,
        "param_d_weights",
        "indicator",
        &weights(D_INDICATORS, &params.d_weights, &one),
    )?;
    weight_table(ctx, "param_e1_weights", "dimension", &e1)?;
    weight_table(
        ctx,
        "param_e4_weights",
        "factor",
        &weights(E4_FACTORS, &params.e4_weights, &one),
    )?;
    weight_table(
        ctx,
        "scorecard_weights",
        "kpi",
        &weights(SCORED_KPIS, &params.scorecard_weights, &one),
    )?;

    let campaigns: Vec<&String> = params.campaign_factors.keys().collect();
    let factor = |i: usize| -> ArrayRef {
        Arc::new(Float64Array::from(
            params.campaign_factors.values().map(|f| f[i]).collect::<Vec<_>>(),
        ))
    };
    register_table(
        ctx,
        "param_campaign_factors",
        vec![
            (
                "campaign_id",
                DataType::Utf8,
                strings(campaigns.iter().map(|s| s.as_str())),
            ),
            ("importance", DataType::Float64, factor(0)),
            ("difficulty", DataType::Float64, factor(1)),
            ("channel_fit", DataType::Float64, factor(2)),
        ],
    )?;
    register_table(
        ctx,
        "param_ivr_code_map",
        vec![
            (
                "self_service_code",
                DataType::Utf8,
                strings(params.ivr_code_map.keys().map(String::as_str)),
            ),
            (
                "business_code",
                DataType::Utf8,
                strings(params.ivr_code_map.values().map(String::as_str)),
            ),
        ],
    )
}

fn strings<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

fn weight_table(ctx: &SessionContext, name: &str, key: &str, rows: &[(String, f64)]) -> Result<()> {
    register_table(
        ctx,
        name,
        vec![
            (key, DataType::Utf8, strings(rows.iter().map(|(k, _)| k.as_str()))),
            (
                "weight",
                DataType::Float64,
                Arc::new(Float64Array::from(rows.iter().map(|(_, w)| *w).collect::<Vec<_>>())),
            ),
        ],
    )
}

fn register_table(ctx: &SessionContext, name: &str, columns: Vec<(&str, DataType, ArrayRef)>) -> Result<()> {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(n, t, _)| Field::new(*n, t.clone(), false))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns.into_iter().map(|(_, _, a)| a).collect())?;
    let _ = ctx.deregister_table(name);
    ctx.register_table(name, Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))?;
    Ok(())
}
