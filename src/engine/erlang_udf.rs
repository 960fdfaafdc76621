//! Erlang C as SQL functions, so the staffing mart stays a SQL model:
//!
//! - `erlang_required_agents(traffic, aht_s, threshold_s, target) -> BIGINT`
//! - `erlang_service_level(agents, traffic, aht_s, threshold_s) -> DOUBLE`
//! - `erlang_asa(agents, traffic, aht_s) -> DOUBLE`
//! - `erlang_wait_probability(agents, traffic) -> DOUBLE` (P(wait); NULL without traffic)
//!
//! Every argument is a DOUBLE (cast integers); NULL in gives NULL out, and so
//! does an input with no answer (see [`crate::erlang`]).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};

use crate::erlang;

/// The four functions, ready to register.
pub fn erlang_udfs() -> Vec<ScalarUDF> {
    vec![
        udf("erlang_required_agents", 4, DataType::Int64, |v| {
            erlang::required_agents(v[0], v[1], v[2], v[3]).map(f64::from)
        }),
        udf("erlang_service_level", 4, DataType::Float64, |v| {
            whole_agents(v[0]).and_then(|n| erlang::service_level(n, v[1], v[2], v[3]))
        }),
        udf("erlang_asa", 3, DataType::Float64, |v| {
            whole_agents(v[0]).and_then(|n| erlang::average_speed_of_answer(n, v[1], v[2]))
        }),
        udf("erlang_wait_probability", 2, DataType::Float64, |v| {
            whole_agents(v[0]).and_then(|n| erlang::offered_wait_probability(n, v[1]))
        }),
    ]
}

/// Agents as servers: a fractional count (logged-in seconds / interval) is
/// rounded down — an agent present for part of the interval is not a server.
fn whole_agents(n: f64) -> Option<u32> {
    (n.is_finite() && n >= 0.0).then(|| n.floor().min(f64::from(u32::MAX)) as u32)
}

fn udf(name: &str, arity: usize, out: DataType, f: fn(&[f64]) -> Option<f64>) -> ScalarUDF {
    let out_type = out.clone();
    let fun = move |args: &[ColumnarValue]| -> datafusion::error::Result<ColumnarValue> {
        let rows = args
            .iter()
            .find_map(|a| match a {
                ColumnarValue::Array(a) => Some(a.len()),
                ColumnarValue::Scalar(_) => None,
            })
            .unwrap_or(1);
        let cols: Vec<ArrayRef> = args
            .iter()
            .map(|a| cast(&a.to_array(rows)?, &DataType::Float64))
            .collect::<std::result::Result<_, _>>()?;
        let cols: Vec<&Float64Array> = cols.iter().map(|c| c.as_primitive::<Float64Type>()).collect();
        let mut values = vec![0.0; cols.len()];
        let results: Vec<Option<f64>> = (0..rows)
            .map(|r| {
                for (v, c) in values.iter_mut().zip(&cols) {
                    if c.is_null(r) {
                        return None;
                    }
                    *v = c.value(r);
                }
                f(&values)
            })
            .collect();
        let array: ArrayRef = match out_type {
            DataType::Int64 => Arc::new(results.iter().map(|v| v.map(|x| x as i64)).collect::<Int64Array>()),
            _ => Arc::new(results.into_iter().collect::<Float64Array>()),
        };
        Ok(ColumnarValue::Array(array))
    };
    create_udf(
        name,
        vec![DataType::Float64; arity],
        out,
        Volatility::Immutable,
        Arc::new(fun),
    )
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Float64Type;
    use datafusion::prelude::SessionContext;

    use super::erlang_udfs;

    /// One row of DOUBLE results of `sql` (NULL as `None`).
    async fn doubles(sql: &str) -> Vec<Option<f64>> {
        let ctx = SessionContext::new();
        for f in erlang_udfs() {
            ctx.register_udf(f);
        }
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        let batch = &batches[0];
        (0..batch.num_columns())
            .map(|c| {
                let col = batch.column(c).as_primitive::<Float64Type>();
                (!col.is_null(0)).then(|| col.value(0))
            })
            .collect()
    }

    #[tokio::test]
    async fn erlang_wait_probability_in_sql() {
        // The published 10-Erlang example: P(wait) 0.6821 with 11 agents, 0.1741 with 14; a
        // fractional agent count is floored (14.9 → 14); integers are accepted once cast; no
        // traffic and NULL give NULL.
        let v = doubles(
            "SELECT erlang_wait_probability(11.0, 10.0), erlang_wait_probability(14.9, 10.0), \
             erlang_wait_probability(CAST(14 AS DOUBLE), CAST(10 AS DOUBLE)), \
             erlang_wait_probability(3.0, 0.0), erlang_wait_probability(NULL, 10.0)",
        )
        .await;
        assert!((v[0].unwrap() - 0.6821).abs() < 5e-5, "{v:?}");
        assert!((v[1].unwrap() - 0.1741).abs() < 5e-5, "{v:?}");
        assert_eq!(v[1], v[2]);
        assert_eq!(v[3], None);
        assert_eq!(v[4], None);
    }
}
