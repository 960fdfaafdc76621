//! Merging a delivery's rows into an existing raw partition.
//!
//! The partition keeps, for each key, the row of the latest delivery (folder
//! date, then file name, then line). Rows that the same folder delivered in an
//! earlier run are dropped first, so landing a folder twice gives the same
//! partition, byte for byte.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, BooleanArray, UInt32Array};
use datafusion::arrow::compute::{concat_batches, filter_record_batch, take_record_batch};
use datafusion::arrow::datatypes::{Date32Type, Int64Type};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::row::{RowConverter, SortField};

use crate::error::{Result, io_err};
use crate::schema::{SRC_FILE, SRC_FOLDER, SRC_LINE, TableDef};
use crate::timefmt::{date_string, parse_date};
use crate::warehouse::{self, Staged, Warehouse};

/// A merged partition.
pub struct Merged {
    /// The partition's rows, in delivery order.
    pub batch: RecordBatch,
    /// Rows of this delivery that the partition now holds.
    pub landed_from_delivery: u64,
    /// Rows of this delivery superseded by a later delivery of the same key.
    pub duplicates_from_delivery: u64,
}

/// Merge `delivered` (rows of folder `folder_day` for this partition) into the partition at `dest`.
pub fn merge_partition(def: &TableDef, dest: &Path, delivered: RecordBatch, folder_day: i64) -> Result<Merged> {
    let schema = def.raw_schema();
    let mut parts = Vec::new();
    if let Some(existing) = warehouse::read_parquet(dest)? {
        for b in existing {
            // Older files may lack nothing: the raw schema is fixed, so cast-free concat works.
            let keep = b
                .column_by_name(SRC_FOLDER)
                .expect("raw tables carry provenance")
                .as_primitive::<Date32Type>()
                .iter()
                .map(|f| Some(f != Some(folder_day as i32)))
                .collect::<BooleanArray>();
            parts.push(filter_record_batch(&b, &keep)?);
        }
    }
    parts.push(delivered);
    let all = concat_batches(&schema, &parts)?;
    let ordered = in_delivery_order(&all)?;
    let keep = latest_per_key(def, &ordered)?;
    let from_delivery = ordered
        .column_by_name(SRC_FOLDER)
        .expect("provenance")
        .as_primitive::<Date32Type>()
        .values()
        .iter()
        .map(|&f| f == folder_day as i32)
        .collect::<Vec<_>>();
    let (mut landed, mut dups) = (0, 0);
    for (i, from) in from_delivery.iter().enumerate() {
        if *from {
            if keep.value(i) {
                landed += 1;
            } else {
                dups += 1;
            }
        }
    }
    let batch = if keep.false_count() == 0 {
        ordered
    } else {
        filter_record_batch(&ordered, &keep)?
    };
    Ok(Merged {
        batch,
        landed_from_delivery: landed,
        duplicates_from_delivery: dups,
    })
}

/// Sort rows by (folder, file, line).
fn in_delivery_order(batch: &RecordBatch) -> Result<RecordBatch> {
    let folders = batch
        .column_by_name(SRC_FOLDER)
        .expect("provenance")
        .as_primitive::<Date32Type>();
    let files = batch.column_by_name(SRC_FILE).expect("provenance").as_string::<i32>();
    let lines = batch
        .column_by_name(SRC_LINE)
        .expect("provenance")
        .as_primitive::<Int64Type>();
    let mut names: Vec<&str> = files.iter().flatten().collect();
    names.sort_unstable();
    names.dedup();
    let rank: HashMap<&str, u32> = names.iter().enumerate().map(|(i, n)| (*n, i as u32)).collect();
    let key = |i: usize| (folders.value(i), rank[files.value(i)], lines.value(i));
    let mut order: Vec<u32> = (0..batch.num_rows() as u32).collect();
    if order.windows(2).all(|w| key(w[0] as usize) <= key(w[1] as usize)) {
        return Ok(batch.clone());
    }
    order.sort_unstable_by_key(|&i| key(i as usize));
    Ok(take_record_batch(batch, &UInt32Array::from(order))?)
}

/// For rows in delivery order: true for the last row of each key.
fn latest_per_key(def: &TableDef, batch: &RecordBatch) -> Result<BooleanArray> {
    let n = batch.num_rows();
    let columns: Vec<Arc<dyn Array>> = def
        .key
        .iter()
        .map(|k| Arc::clone(batch.column_by_name(k).expect("keys are declared columns")))
        .collect();
    let converter = RowConverter::new(columns.iter().map(|c| SortField::new(c.data_type().clone())).collect())?;
    let rows = converter.convert_columns(&columns)?;
    let mut last: HashMap<&[u8], u32> = HashMap::with_capacity(n);
    for i in 0..n {
        last.insert(rows.row(i).data(), i as u32);
    }
    if last.len() == n {
        return Ok(BooleanArray::from(vec![true; n]));
    }
    let mut keep = vec![false; n];
    for &i in last.values() {
        keep[i as usize] = true;
    }
    Ok(BooleanArray::from(keep))
}

/// Manifest of the partitions that delivery folder `day` fed, under the table folder.
fn feeds_path(wh: &Warehouse, table_dir: &str, day: i64) -> PathBuf {
    wh.root()
        .join(table_dir)
        .join("_feeds")
        .join(format!("{}.txt", date_string(day)))
}

/// Partitions (epoch days) that folder `day` fed in its last successful landing.
pub fn partitions_fed_by(wh: &Warehouse, table_dir: &str, day: i64) -> Result<Vec<i32>> {
    let path = feeds_path(wh, table_dir, day);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text
            .lines()
            .filter_map(|l| parse_date(l.trim().as_bytes()))
            .map(|d| d as i32)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(io_err(&path)(e)),
    }
}

/// Stage the manifest of the partitions folder `day` now feeds.
pub fn stage_feeds(wh: &Warehouse, table_dir: &str, day: i64, partitions: &[i64], run_id: &str) -> Result<Staged> {
    let text: String = partitions.iter().map(|d| format!("{}\n", date_string(*d))).collect();
    warehouse::stage_bytes(feeds_path(wh, table_dir, day), text.as_bytes(), run_id)
}
