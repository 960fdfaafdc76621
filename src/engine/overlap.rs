//! `kept_after_overlap(start_ts, end_ts) OVER (PARTITION BY agent ORDER BY start_ts, end_ts, state)`:
//! true for a state row that starts at or after the end of the last row kept
//! before it, false for one that overlaps (metrics.md, Event counts: an
//! overlapping row is rejected at conforming, never summed twice).
//!
//! This cannot be a plain `LAG`: a rejected row must not push the limit out.
//! With rows A [0,10), B [5,20), C [12,15), B is rejected and C kept, although
//! C starts before B's end.
//!
//! `kept_after_overlap(start_ts, end_ts, carried_end)`: the chain continues
//! one that ended at `carried_end` (the partition's first row's value; NULL:
//! a fresh chain), so a rebuild of later dates starts from the end of the
//! last row kept before them instead of reading every earlier row.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type, TimeUnit};
use datafusion::common::Result;
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{PartitionEvaluator, Signature, TypeSignature, Volatility, WindowUDF, WindowUDFImpl};

#[derive(Debug, PartialEq, Eq, Hash)]
struct KeptAfterOverlap {
    signature: Signature,
}

/// The window function, to register in a session.
pub fn kept_after_overlap_udwf() -> WindowUDF {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, None);
    WindowUDF::from(KeptAfterOverlap {
        signature: Signature::one_of(
            vec![
                TypeSignature::Exact(vec![ts.clone(), ts.clone()]),
                TypeSignature::Exact(vec![ts.clone(), ts.clone(), ts]),
            ],
            Volatility::Immutable,
        ),
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
        let carried = match values.get(2) {
            Some(c) if num_rows > 0 && c.is_valid(0) => {
                Some(cast(c, &DataType::Int64)?.as_primitive::<Int64Type>().value(0))
            }
            _ => None,
        };
        let mut kept_end: Option<i64> = carried;
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

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{BooleanArray, TimestampMicrosecondArray};

    fn kept(rows: &[(i64, i64)], carried: Option<i64>) -> Vec<bool> {
        let start: ArrayRef = Arc::new(TimestampMicrosecondArray::from(
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        ));
        let end: ArrayRef = Arc::new(TimestampMicrosecondArray::from(
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        ));
        let carried: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![carried; rows.len()]));
        let out = Evaluator.evaluate_all(&[start, end, carried], rows.len()).unwrap();
        out.as_any()
            .downcast_ref::<BooleanArray>()
            .unwrap()
            .iter()
            .map(Option::unwrap)
            .collect()
    }

    #[test]
    fn a_rejected_row_does_not_push_the_limit() {
        // A [0,10) kept; B [5,20) starts before 10: rejected; C [12,15) starts after A's end: kept.
        assert_eq!(kept(&[(0, 10), (5, 20), (12, 15)], None), [true, false, true]);
    }

    #[test]
    fn a_carried_end_continues_the_chain() {
        // The last row kept before ended at 10: A [5,8) overlaps it, B [12,15) does not.
        assert_eq!(kept(&[(5, 8), (12, 15)], Some(10)), [false, true]);
        assert_eq!(kept(&[(5, 8), (12, 15)], None), [true, true]);
    }
}
