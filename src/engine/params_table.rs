//! Parameters reach SQL as data: a one-row `params` table, one column per
//! parameter, so a model says `cross join params` instead of pasting values.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, ListBuilder, StringArray, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use serde_json::Value;

use crate::config::Params;
use crate::error::Result;

/// The `params` table as a one-row batch. Scalars keep their type, lists of
/// strings become `List<Utf8>`, maps become JSON text.
pub fn params_batch(params: &Params) -> Result<RecordBatch> {
    let value = serde_json::to_value(params).expect("params serialise to JSON");
    let Value::Object(map) = value else {
        unreachable!("params is a struct")
    };
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (name, v) in map {
        let (ty, col): (DataType, ArrayRef) = match &v {
            Value::Bool(b) => (DataType::Boolean, Arc::new(BooleanArray::from(vec![*b]))),
            Value::Number(n) if n.is_i64() => (DataType::Int64, Arc::new(Int64Array::from(vec![n.as_i64()]))),
            Value::Number(n) => (DataType::Float64, Arc::new(Float64Array::from(vec![n.as_f64()]))),
            Value::String(s) => (DataType::Utf8, Arc::new(StringArray::from(vec![Some(s.as_str())]))),
            // An unset number keeps its numeric type, so `x * params.cost_per_agent_hour` is NULL, not an error.
            Value::Null if name == "cost_per_agent_hour" => {
                (DataType::Float64, Arc::new(Float64Array::from(vec![None])))
            }
            Value::Null => (DataType::Utf8, Arc::new(StringArray::from(vec![None::<&str>]))),
            Value::Array(items) => {
                let mut b = ListBuilder::new(StringBuilder::new());
                for i in items {
                    b.values()
                        .append_value(i.as_str().map_or_else(|| i.to_string(), str::to_string));
                }
                b.append(true);
                let list = b.finish();
                (list.data_type().clone(), Arc::new(list))
            }
            Value::Object(_) => (DataType::Utf8, Arc::new(StringArray::from(vec![Some(v.to_string())]))),
        };
        fields.push(Field::new(name, ty, true));
        columns.push(col);
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?)
}
