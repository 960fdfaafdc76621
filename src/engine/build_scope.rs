//! `in_build(dt)`: whether a date is one the running build of a model
//! rebuilds.
//!
//! The runner keeps only the rows of the dates it rebuilds anyway
//! ([`crate::engine::models::Staging::set_scope`]), but by then the model has
//! computed every row its inputs allow: a window over every date up to the
//! last one rebuilt (`..0`) or an input read whole (a key window) makes that
//! the whole history. Where an output row's date is an input column, the
//! model narrows early with it — the work orders of the dates rebuilt, and
//! the legs of their calls only:
//!
//! ```sql
//! WITH built AS (SELECT * FROM latest_crm_work_orders WHERE in_build(dt)) …
//! ```
//!
//! Outside a by-date rebuild (a whole build, `check`, `callcube sql`) every
//! date is in, so a model means the same whether built whole or by dates.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use datafusion::arrow::datatypes::{DataType, Date32Type};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility, create_udf,
};
use datafusion::scalar::ScalarValue;

use crate::engine::dateset::DateSet;

/// The SQL name of the function.
pub const NAME: &str = "in_build";

/// `in_build(dt DATE) -> BOOLEAN` for a build of `dates` (`None`: every date).
/// A NULL date is in no build.
pub fn in_build_udf(dates: Option<&DateSet>) -> ScalarUDF {
    let dates = Arc::new(dates.cloned().unwrap_or_else(DateSet::all));
    let fun = move |args: &[ColumnarValue]| -> datafusion::error::Result<ColumnarValue> {
        let is_in = |d: Option<i32>| d.map(|d| dates.contains(i64::from(d)));
        Ok(match &args[0] {
            ColumnarValue::Scalar(ScalarValue::Date32(d)) => ColumnarValue::Scalar(ScalarValue::Boolean(is_in(*d))),
            ColumnarValue::Scalar(other) => {
                return Err(datafusion::error::DataFusionError::Plan(format!(
                    "{NAME}() takes a DATE, not {}",
                    other.data_type()
                )));
            }
            ColumnarValue::Array(a) => {
                let days = a.as_primitive::<Date32Type>();
                let out: BooleanArray = (0..days.len())
                    .map(|i| is_in((!days.is_null(i)).then(|| days.value(i))))
                    .collect();
                ColumnarValue::Array(Arc::new(out) as ArrayRef)
            }
        })
    };
    // Stable: one answer per query, so filters on it are pushed towards the scans.
    create_udf(
        NAME,
        vec![DataType::Date32],
        DataType::Boolean,
        Volatility::Stable,
        Arc::new(fun),
    )
}

/// The SQL name of [`build_start_udf`].
pub const BUILD_START: &str = "build_start";

/// `build_start() -> DATE`: the first date a by-date rebuild rebuilds; NULL in
/// a whole build or one open below (every date before is rebuilt too). A
/// carrying model reads its own rows of the dates before it (`dt <
/// build_start()`). Stable, so the planner folds it to a literal and a filter
/// on it prunes partitions and row groups.
pub fn build_start_udf(dates: Option<&DateSet>) -> ScalarUDF {
    let first = dates.and_then(DateSet::first).and_then(|a| i32::try_from(a).ok());
    ScalarUDF::from(BuildBound {
        name: BUILD_START,
        date: first,
        signature: Signature::nullary(Volatility::Stable),
    })
}

/// The SQL name of [`build_end_udf`].
pub const BUILD_END: &str = "build_end";

/// `build_end() -> DATE`: the last date a by-date rebuild rebuilds — for one
/// open above (every later date is rebuilt too), the last date of the model's
/// dated inputs and its own table as listed before the model runs; NULL in a
/// whole build. A model that relies on it for a batch open above must take its
/// output dates from one of those inputs (`customer_day` takes them from
/// `dim_date`), or rows past it would miss what it bounds. With
/// `build_start()` it bounds what a model reads where each date's rows depend
/// on the rows of fixed distances before it (an event leaving a 30-day window
/// 30 days after its date). Stable, folded to a literal.
pub fn build_end_udf(last: Option<i64>) -> ScalarUDF {
    ScalarUDF::from(BuildBound {
        name: BUILD_END,
        date: last.and_then(|a| i32::try_from(a).ok()),
        signature: Signature::nullary(Volatility::Stable),
    })
}

/// `build_start()` or `build_end()`: a date fixed for the running build.
#[derive(Debug, PartialEq, Eq, Hash)]
struct BuildBound {
    name: &'static str,
    date: Option<i32>,
    signature: Signature,
}

impl ScalarUDFImpl for BuildBound {
    fn name(&self) -> &str {
        self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> datafusion::error::Result<DataType> {
        Ok(DataType::Date32)
    }
    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> datafusion::error::Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(ScalarValue::Date32(self.date)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::SessionContext;

    async fn answers(dates: Option<&DateSet>) -> Vec<Option<bool>> {
        let ctx = SessionContext::new();
        ctx.register_udf(in_build_udf(dates));
        let batches = ctx
            .sql(
                "SELECT in_build(d) AS b FROM (VALUES (DATE '2026-11-01'), (DATE '2026-11-02'), \
                 (CAST(NULL AS DATE)), (DATE '2026-11-05')) AS t(d)",
            )
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        batches
            .iter()
            .flat_map(|b| b.column(0).as_boolean().iter().collect::<Vec<_>>())
            .collect()
    }

    #[tokio::test]
    async fn tells_the_dates_of_the_build() {
        let day = |s: &str| crate::timefmt::parse_date(s.as_bytes()).unwrap();
        let two = DateSet::range(day("2026-11-02"), day("2026-11-04"));
        assert_eq!(answers(Some(&two)).await, [Some(false), Some(true), None, Some(false)]);
        // A whole build: every date.
        assert_eq!(answers(None).await, [Some(true), Some(true), None, Some(true)]);
    }

    async fn start(dates: Option<&DateSet>) -> String {
        let ctx = SessionContext::new();
        ctx.register_udf(build_start_udf(dates));
        let b = ctx
            .sql("SELECT CAST(build_start() AS VARCHAR) AS s")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let col = b[0].column(0);
        match col.is_null(0) {
            true => "NULL".into(),
            false => datafusion::arrow::util::display::array_value_to_string(col, 0).unwrap(),
        }
    }

    #[tokio::test]
    async fn build_start_is_the_first_date_rebuilt() {
        let day = |s: &str| crate::timefmt::parse_date(s.as_bytes()).unwrap();
        let mut scattered = DateSet::from(day("2026-11-20"));
        scattered.union(&DateSet::of([day("2026-11-03")]));
        assert_eq!(start(Some(&scattered)).await, "2026-11-03");
        // Open below, or a whole build: every earlier date is rebuilt too.
        assert_eq!(start(Some(&DateSet::range(i64::MIN, day("2026-11-03")))).await, "NULL");
        assert_eq!(start(None).await, "NULL");
    }
}
