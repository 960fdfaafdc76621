//! `raw_partitions(table_name, dt, row_count)`: every raw table's `dt=`
//! partitions and their rows, read from the folder listing and the Parquet
//! footers. `dim_date`'s spine and snapshot dates come from it: a `SELECT
//! DISTINCT dt` over the raw tables reads every row of history each night
//! (0.28 s on night 30 of the scale-0.1 growth run, and growing); the
//! listing costs a footer per partition.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Date32Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use datafusion::prelude::SessionContext;

use crate::error::Result;
use crate::warehouse::partitions::{data_files, partition_dates};

/// The table's name in SQL.
pub const TABLE: &str = "raw_partitions";

/// Rows of the committed data files of a partition folder (an unreadable
/// footer counts as rows: the table's own scan then reports the file).
fn rows_in(dir: &Path) -> i64 {
    data_files(dir)
        .map(|f| {
            std::fs::File::open(&f)
                .ok()
                .and_then(|file| SerializedFileReader::new(file).ok())
                .map_or(1, |r| r.metadata().file_metadata().num_rows())
        })
        .sum()
}

/// Register [`TABLE`] for the warehouse at `root`: one row per source
/// table's partition (a partition a corrected re-delivery emptied has
/// `row_count` 0).
pub fn register(ctx: &SessionContext, root: &Path) -> Result<()> {
    let (mut names, mut dates, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    for t in crate::schema::TABLES {
        let dir = root.join("raw").join(t.system).join(t.name);
        for (day, path) in partition_dates(&dir) {
            names.push(t.raw_table_name());
            dates.push(i32::try_from(day).expect("a date"));
            rows.push(rows_in(&path));
        }
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("table_name", DataType::Utf8, false),
        Field::new("dt", DataType::Date32, false),
        Field::new("row_count", DataType::Int64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(names)),
            Arc::new(Date32Array::from(dates)),
            Arc::new(Int64Array::from(rows)),
        ],
    )?;
    crate::engine::models::register_batch(ctx, TABLE, batch)
}
