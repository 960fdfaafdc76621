//! Rejected rows: why each bad row was refused, kept as a queryable table.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;

/// Why a row was rejected. `code()` is stable and queryable; `Display` explains.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The record has a different number of fields than the header.
    ColumnCount { expected: usize, found: usize },
    /// A required field is empty.
    MissingValue,
    /// A field does not parse as its declared type.
    Unparsable { value: String, expected: &'static str },
    /// A duration (seconds, minutes) below zero.
    NegativeDuration { value: i64 },
    /// An end time before its start time.
    EndBeforeStart { start: &'static str, end: &'static str },
    /// A value outside the column's enumeration.
    UnknownEnum {
        value: String,
        allowed: &'static [&'static str],
    },
    /// A number outside its allowed range.
    OutOfRange { min: i64, max: i64 },
    /// Bytes that are not valid text in the declared encoding.
    Undecodable { encoding: &'static str },
}

impl Reason {
    /// Stable reason code, for `WHERE reason_code = …`.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::ColumnCount { .. } => "column_count",
            Reason::MissingValue => "missing_value",
            Reason::Unparsable { .. } => "unparsable",
            Reason::NegativeDuration { .. } => "negative_duration",
            Reason::EndBeforeStart { .. } => "end_before_start",
            Reason::UnknownEnum { .. } => "unknown_enum",
            Reason::OutOfRange { .. } => "out_of_range",
            Reason::Undecodable { .. } => "undecodable",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::ColumnCount { expected, found } => write!(f, "expected {expected} fields, found {found}"),
            Reason::MissingValue => write!(f, "required value is empty"),
            Reason::Unparsable { value, expected } => write!(f, "`{value}` is not {expected}"),
            Reason::NegativeDuration { value } => write!(f, "duration {value} is negative"),
            Reason::EndBeforeStart { start, end } => write!(f, "`{end}` is before `{start}`"),
            Reason::UnknownEnum { value, allowed } => write!(f, "`{value}` is not one of {}", allowed.join(", ")),
            Reason::OutOfRange { min, max } => write!(f, "value outside {min}..={max}"),
            Reason::Undecodable { encoding } => write!(f, "line is not valid {encoding}"),
        }
    }
}

/// One rejected row of one file.
#[derive(Debug, Clone)]
pub struct Reject {
    /// 1-based physical line number in the (decompressed) file.
    pub line: u64,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// Why.
    pub reason: Reason,
    /// The line as delivered (decoded; undecodable bytes shown as U+FFFD).
    pub raw: String,
}

/// A reject with the table and file it came from.
#[derive(Debug, Clone)]
pub struct FileReject {
    /// Source system.
    pub system: &'static str,
    /// Source table.
    pub table: &'static str,
    /// Inbox-relative file.
    pub file: String,
    /// The reject.
    pub reject: Reject,
}

/// Schema of the `rejects` table (partitioned by delivery folder `dt`).
pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("system", DataType::Utf8, false),
        Field::new("table_name", DataType::Utf8, false),
        Field::new("source_file", DataType::Utf8, false),
        Field::new("line", DataType::Int64, false),
        Field::new("column_name", DataType::Utf8, true),
        Field::new("reason_code", DataType::Utf8, false),
        Field::new("reason", DataType::Utf8, false),
        Field::new("raw_line", DataType::Utf8, false),
    ]))
}

/// The rejects of one delivery folder as a batch, in file and line order.
pub fn to_batch(rejects: &[FileReject]) -> RecordBatch {
    let mut sorted: Vec<&FileReject> = rejects.iter().collect();
    sorted
        .sort_by(|a, b| (a.system, a.table, &a.file, a.reject.line).cmp(&(b.system, b.table, &b.file, b.reject.line)));
    let col = |f: &dyn Fn(&FileReject) -> String| -> ArrayRef {
        Arc::new(StringArray::from(sorted.iter().map(|r| f(r)).collect::<Vec<_>>()))
    };
    let columns: Vec<ArrayRef> = vec![
        col(&|r| r.system.to_string()),
        col(&|r| r.table.to_string()),
        col(&|r| r.file.clone()),
        Arc::new(Int64Array::from(
            sorted.iter().map(|r| r.reject.line as i64).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            sorted.iter().map(|r| r.reject.column.clone()).collect::<Vec<_>>(),
        )),
        col(&|r| r.reject.reason.code().to_string()),
        col(&|r| r.reject.reason.to_string()),
        col(&|r| r.reject.raw.clone()),
    ];
    RecordBatch::try_new(schema(), columns).expect("reject columns follow the schema")
}
