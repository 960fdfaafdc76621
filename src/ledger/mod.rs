//! The run ledger: what each run did, kept in the warehouse as tables
//! (`ledger_landing`), so it is readable with `callcube sql`.

pub mod runs;

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Date32Array, Int64Array, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;

use crate::error::Result;
use crate::ingest::TableCounts;
use crate::timefmt::date_string;
use crate::warehouse::{self, Warehouse};

/// A new run id: UTC start time plus process id, safe in file names.
pub fn new_run_id() -> String {
    format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id()
    )
}

fn landing_schema() -> SchemaRef {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    Arc::new(Schema::new(vec![
        Field::new("run_id", DataType::Utf8, false),
        Field::new("pipeline", DataType::Utf8, false),
        Field::new("folder_date", DataType::Date32, false),
        Field::new("table_name", DataType::Utf8, false),
        Field::new("files", DataType::Int64, false),
        Field::new("bytes", DataType::Int64, false),
        Field::new("rows_read", DataType::Int64, false),
        Field::new("rows_landed", DataType::Int64, false),
        Field::new("rows_rejected", DataType::Int64, false),
        Field::new("rows_duplicate", DataType::Int64, false),
        Field::new("partitions", DataType::Utf8, false),
        Field::new("started_at", ts.clone(), false),
        Field::new("finished_at", ts, false),
    ]))
}

/// One landing of one delivery folder.
pub struct LandingRecord<'a> {
    pub run_id: &'a str,
    pub pipeline: &'a str,
    pub folder_day: i64,
    pub tables: &'a [TableCounts],
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: chrono::DateTime<chrono::Utc>,
}

/// Append a landing record to `ledger/landing/`.
pub fn record_landing(wh: &Warehouse, rec: &LandingRecord<'_>) -> Result<()> {
    let n = rec.tables.len();
    let int = |f: &dyn Fn(&TableCounts) -> u64| -> ArrayRef {
        Arc::new(Int64Array::from(
            rec.tables.iter().map(|t| f(t) as i64).collect::<Vec<_>>(),
        ))
    };
    let ts = |t: chrono::DateTime<chrono::Utc>| -> ArrayRef {
        Arc::new(TimestampMicrosecondArray::from(vec![t.timestamp_micros(); n]).with_timezone("UTC"))
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec![rec.run_id; n])),
        Arc::new(StringArray::from(vec![rec.pipeline; n])),
        Arc::new(Date32Array::from(vec![rec.folder_day as i32; n])),
        Arc::new(StringArray::from(
            rec.tables.iter().map(|t| t.table.clone()).collect::<Vec<_>>(),
        )),
        int(&|t| t.files),
        int(&|t| t.bytes),
        int(&|t| t.read),
        int(&|t| t.landed),
        int(&|t| t.rejected),
        int(&|t| t.duplicates),
        Arc::new(StringArray::from(
            rec.tables
                .iter()
                .map(|t| {
                    t.partitions
                        .iter()
                        .map(|d| date_string(*d))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect::<Vec<_>>(),
        )),
        ts(rec.started_at),
        ts(rec.finished_at),
    ];
    let batch = RecordBatch::try_new(landing_schema(), columns)?;
    let dest = wh.root().join("ledger").join("landing").join(format!(
        "{}-{}.parquet",
        rec.run_id,
        date_string(rec.folder_day)
    ));
    let staged = warehouse::stage(dest, landing_schema(), &[batch], rec.run_id)?;
    warehouse::commit(vec![staged])
}
