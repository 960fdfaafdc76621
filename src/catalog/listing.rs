//! The metric catalog as rows: what `callcube metrics` prints and what the
//! read-only sessions (`sql`, `shell`, `serve`) offer as the table `metric_catalog`.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;

/// The CSV columns of `callcube metrics`.
pub const CATALOG_COLUMNS: [&str; 14] = [
    "id",
    "key",
    "zh",
    "en",
    "unit",
    "numerator",
    "denominator",
    "scale",
    "standard",
    "dims",
    "grains",
    "final_after_days",
    "params",
    "description",
];

/// The whole catalog, one row per metric, every column of [`CATALOG_COLUMNS`] as text
/// (`params` names the parameters a metric reads).
pub fn catalog_batch() -> RecordBatch {
    let rows: Vec<serde_json::Value> = super::catalog().iter().map(metric_json).collect();
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        v => Some(v.to_string()),
    };
    let fields: Vec<Field> = CATALOG_COLUMNS
        .iter()
        .map(|c| Field::new(*c, DataType::Utf8, true))
        .collect();
    let columns: Vec<ArrayRef> = CATALOG_COLUMNS
        .iter()
        .map(|c| Arc::new(rows.iter().map(|r| text(&r[*c])).collect::<StringArray>()) as ArrayRef)
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("columns match the schema")
}

pub fn metric_json(m: &super::Metric) -> serde_json::Value {
    let agg = |a: &Option<super::Aggregate>| match a {
        None => serde_json::Value::Null,
        Some(a) => {
            let mut s = format!("{} from {}", a.expr, a.table);
            if let Some(f) = &a.filter {
                s += &format!(" where {f}");
            }
            if a.at.is_some() {
                s += " (period's last date)";
            }
            serde_json::Value::String(s)
        }
    };
    let numerator = match m.kind {
        super::Kind::Turnover => serde_json::Value::String("leavers (agent snapshots)".into()),
        _ => agg(&m.numerator),
    };
    let denominator = match m.kind {
        super::Kind::Turnover => serde_json::Value::String("mean of first- and last-day headcount".into()),
        _ => agg(&m.denominator),
    };
    serde_json::json!({
        "id": m.id,
        "key": m.key,
        "zh": m.zh,
        "en": m.en,
        "unit": m.unit,
        "numerator": numerator,
        "denominator": denominator,
        "scale": m.scale.clone().unwrap_or_else(|| "1".into()),
        "standard": m.standard(),
        "dims": m.dims.join("|"),
        "grains": m.grains().iter().map(|g| g.name()).collect::<Vec<_>>().join("|"),
        "final_after_days": match &m.final_after_days {
            super::FinalAfter::Days(d) => d.to_string(),
            super::FinalAfter::Named(_) => "ceil(fcr_window_h / 24)".to_string(),
        },
        "params": m.params.join("|"),
        "description": m.description,
    })
}
