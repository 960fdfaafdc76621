//! `kept_after_overlap(start_ts, end_ts) OVER (PARTITION BY agent ORDER BY start_ts, end_ts, state)`:
//! true for a state row that starts at or after the end of the last row kept
//! before it, false for one that overlaps (metrics.md, Event counts: an
//! overlapping row is rejected at conforming, never summed twice).
//!
//! This cannot be a plain `LAG`: a rejected row must not push the limit out.
//! With rows A [0,10), B [5,20), C [12,15), B is rejected and C kept, although
//! C starts before B's end.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type, TimeUnit};
use datafusion::common::Result;
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{PartitionEvaluator, Signature, Volatility, WindowUDF, WindowUDFImpl};

#[derive(Debug, PartialEq, Eq, Hash)]
struct KeptAfterOverlap {
    signature: Signature,
}

/// The window function, to register in a session.
pub fn kept_after_overlap_udwf() -> WindowUDF {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, None);
    WindowUDF::from(KeptAfterOverlap {
        signature: Signature::exact(vec![ts.clone(), ts], Volatility::Immutable),
    })
}

impl WindowUDFImpl for KeptAfterOverlap {
    fn name(&self) -> &str {
        "kept_after_overlap"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn partition_evaluator(&self, _args: PartitionEvaluatorArgs) -> Result<Box<dyn PartitionEvaluator>> {
        Ok(Box::new(Evaluator))
    }
    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(Field::new(field_args.name(), DataType::Boolean, false)))
    }
}

#[derive(Debug)]
struct Evaluator;

impl PartitionEvaluator for Evaluator {
    fn evaluate_all(&mut self, values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        let start = cast(&values[0], &DataType::Int64)?;
        let end = cast(&values[1], &DataType::Int64)?;
        let (start, end) = (start.as_primitive::<Int64Type>(), end.as_primitive::<Int64Type>());
        let mut out = BooleanBuilder::with_capacity(num_rows);
        let mut kept_end: Option<i64> = None;
        for i in 0..num_rows {
            let keep = start.is_valid(i) && end.is_valid(i) && kept_end.is_none_or(|e| start.value(i) >= e);
            if keep {
                kept_end = Some(end.value(i));
            }
            out.append_value(keep);
        }
        Ok(Arc::new(out.finish()))
    }
}
