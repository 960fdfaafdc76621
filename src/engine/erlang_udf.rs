//! Erlang C as SQL functions, so the staffing mart stays a SQL model:
//!
//! - `erlang_required_agents(traffic, aht_s, threshold_s, target) -> BIGINT`
//! - `erlang_service_level(agents, traffic, aht_s, threshold_s) -> DOUBLE`
//! - `erlang_asa(agents, traffic, aht_s) -> DOUBLE`
//!
//! Every argument is a DOUBLE (cast integers); NULL in gives NULL out, and so
//! does an input with no answer (see [`crate::erlang`]).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};

use crate::erlang;

/// The three functions, ready to register.
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
