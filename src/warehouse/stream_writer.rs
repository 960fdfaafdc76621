//! Writing a query's result into a table folder as it streams out of
//! DataFusion: one Parquet file per `dt` (`dt=YYYY-MM-DD/data.parquet`), or
//! one `data.parquet` when the result has no `dt` date column. Nothing is
//! collected whole: each batch is split by date and appended to that date's
//! writer, and the writers' buffered row groups are accounted in the
//! session's memory pool, flushed to disk when the pool refuses them or they
//! pass a sixteenth of it (at most [`MAX_BUFFERED_BYTES`]). Memory stays bounded whatever the number
//! of rows or dates.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{AsArray, RecordBatch, UInt32Array};
use datafusion::arrow::compute::take_record_batch;
use datafusion::arrow::datatypes::{DataType, Date32Type, Schema, SchemaRef};
use datafusion::execution::SendableRecordBatchStream;
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryLimit, MemoryPool};
use datafusion::parquet::arrow::ArrowWriter;
use futures::StreamExt;

use crate::error::{Error, Result, io_err};
use crate::timefmt::date_string;
use crate::warehouse::DATA_FILE;
use crate::warehouse::digest::{DIGEST_KEY, RowDigest};

/// Rows per Parquet row group: bounds what one writer buffers.
const ROW_GROUP_ROWS: usize = 128 * 1024;

/// Buffered row groups above this are flushed even if the pool has room.
const MAX_BUFFERED_BYTES: usize = 64 * 1024 * 1024;

/// The writers of a table buffer at most this share of a bounded pool: the
/// query feeding them runs at the same time and needs the rest.
const POOL_SHARE_DIVISOR: usize = 16;

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Rows written.
    pub rows: u64,
    /// Business dates written (empty for a table without `dt`).
    pub dates: Vec<i64>,
    /// Whether the folder holds `dt=` partitions (else one `data.parquet`).
    pub partitioned: bool,
    /// Per date written, the digest of its rows (see [`super::digest`]);
    /// for a table without `dt`, one entry under [`WHOLE_TABLE`].
    pub digests: BTreeMap<i64, String>,
}

/// The key of an unpartitioned table's one digest in [`Written::digests`].
pub const WHOLE_TABLE: i64 = i64::MIN;

/// Write `stream` into the (new, empty) folder `dir`. A NULL `dt` is an
/// error naming `dir`. An empty result is still a table: one file with every
/// column, `dt` included.
///
/// With `digests`, each file's footer gets the digest of its rows (see
/// [`super::digest`]); a table written for the first time needs none (there
/// is nothing to compare it with), and hashing every row slows the consumer
/// of the query.
pub async fn write_stream(
    dir: &Path,
    mut stream: SendableRecordBatchStream,
    pool: &Arc<dyn MemoryPool>,
    digests: bool,
) -> Result<Written> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let schema = stream.schema();
    let dt = schema
        .index_of("dt")
        .ok()
        .filter(|&i| schema.field(i).data_type() == &DataType::Date32);
    let mut out = Writers::new(dir, &schema, dt, pool);
    out.digests = digests;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        out.write(&batch)?;
    }
    out.close()
}

/// Close `w` with the digest of its rows in the footer; the digest.
fn close_with_digest(mut w: ArrowWriter<File>, digest: RowDigest) -> Result<String> {
    let text = digest.text();
    w.append_key_value_metadata(datafusion::parquet::file::metadata::KeyValue::new(
        DIGEST_KEY.to_string(),
        text.clone(),
    ));
    w.close()?;
    Ok(text)
}

/// The open writers of one table folder.
struct Writers {
    dir: PathBuf,
    schema: SchemaRef,
    /// Schema of the files of a partitioned table: `dt` lives in the folder name.
    file_schema: SchemaRef,
    dt: Option<usize>,
    by_date: BTreeMap<i32, (ArrowWriter<File>, RowDigest)>,
    single: Option<(ArrowWriter<File>, RowDigest)>,
    reservation: datafusion::execution::memory_pool::MemoryReservation,
    /// Flush past this many buffered bytes.
    max_buffered: usize,
    /// Whether to digest the rows written.
    digests: bool,
    rows: u64,
}

impl Writers {
    fn new(dir: &Path, schema: &SchemaRef, dt: Option<usize>, pool: &Arc<dyn MemoryPool>) -> Writers {
        let file_schema = match dt {
            Some(i) => {
                let mut fields = schema.fields().to_vec();
                fields.remove(i);
                Arc::new(Schema::new(fields))
            }
            None => Arc::clone(schema),
        };
        Writers {
            dir: dir.to_path_buf(),
            schema: Arc::clone(schema),
            file_schema,
            dt,
            by_date: BTreeMap::new(),
            single: None,
            reservation: MemoryConsumer::new(format!("parquet writer {}", dir.display())).register(pool),
            max_buffered: match pool.memory_limit() {
                MemoryLimit::Finite(bytes) => MAX_BUFFERED_BYTES.min(bytes / POOL_SHARE_DIVISOR),
                _ => MAX_BUFFERED_BYTES,
            },
            rows: 0,
            digests: true,
        }
    }

    fn open(&self, path: &Path, schema: SchemaRef) -> Result<ArrowWriter<File>> {
        let folder = path.parent().expect("a data file has a folder");
        std::fs::create_dir_all(folder).map_err(io_err(folder))?;
        let file = File::create(path).map_err(io_err(path))?;
        Ok(ArrowWriter::try_new(
            file,
            schema,
            Some(super::writer_properties_with_row_groups(ROW_GROUP_ROWS)),
        )?)
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.rows += batch.num_rows() as u64;
        let Some(dt) = self.dt else {
            if self.single.is_none() {
                let w = self.open(&self.dir.join(DATA_FILE), Arc::clone(&self.schema))?;
                self.single = Some((w, RowDigest::default()));
            }
            let (w, digest) = self.single.as_mut().expect("opened");
            w.write(batch)?;
            if self.digests {
                digest.add(batch)?;
            }
            return self.bound_memory();
        };
        let dates = batch.column(dt).as_primitive::<Date32Type>();
        let mut rows_of: BTreeMap<i32, Vec<u32>> = BTreeMap::new();
        for (i, d) in dates.iter().enumerate() {
            let Some(d) = d else {
                return Err(Error::BadFile {
                    file: self.dir.clone(),
                    reason: "a model row has a NULL dt".into(),
                });
            };
            rows_of.entry(d).or_default().push(i as u32);
        }
        let whole = rows_of.len() == 1;
        for (d, rows) in rows_of {
            let part = if whole {
                batch.clone()
            } else {
                take_record_batch(batch, &UInt32Array::from(rows))?
            };
            let mut cols = part.columns().to_vec();
            cols.remove(dt);
            let part = RecordBatch::try_new(Arc::clone(&self.file_schema), cols)?;
            if !self.by_date.contains_key(&d) {
                let path = self
                    .dir
                    .join(format!("dt={}", date_string(i64::from(d))))
                    .join(DATA_FILE);
                let w = self.open(&path, Arc::clone(&self.file_schema))?;
                self.by_date.insert(d, (w, RowDigest::default()));
            }
            let (w, digest) = self.by_date.get_mut(&d).expect("opened");
            w.write(&part)?;
            if self.digests {
                digest.add(&part)?;
            }
        }
        self.bound_memory()
    }

    /// Account the buffered row groups in the pool; flush them all when the
    /// pool refuses or they pass their share of it.
    fn bound_memory(&mut self) -> Result<()> {
        let buffered = self.buffered_bytes();
        if buffered <= self.max_buffered && self.reservation.try_resize(buffered).is_ok() {
            return Ok(());
        }
        for (w, _) in self.by_date.values_mut().chain(self.single.iter_mut()) {
            w.flush()?;
        }
        // What stays (encoders' dictionaries) is small; the pool may still refuse it.
        let _ = self.reservation.try_resize(self.buffered_bytes());
        Ok(())
    }

    /// Bytes the open writers hold for their row groups in progress.
    fn buffered_bytes(&self) -> usize {
        self.by_date
            .values()
            .chain(self.single.iter())
            .map(|(w, _)| w.memory_size())
            .sum()
    }

    fn close(mut self) -> Result<Written> {
        let partitioned = self.dt.is_some() && !self.by_date.is_empty();
        let dates: Vec<i64> = self.by_date.keys().map(|d| i64::from(*d)).collect();
        let mut digests = BTreeMap::new();
        let with = self.digests;
        let close = |w: ArrowWriter<File>, digest: RowDigest| -> Result<Option<String>> {
            if with {
                close_with_digest(w, digest).map(Some)
            } else {
                w.close()?;
                Ok(None)
            }
        };
        for (d, (w, digest)) in std::mem::take(&mut self.by_date) {
            if let Some(text) = close(w, digest)? {
                digests.insert(i64::from(d), text);
            }
        }
        let single = match self.single.take() {
            Some((w, digest)) => Some((w, digest)),
            // An empty result: one file holding every column, so the table still has its schema.
            None if !partitioned => Some((
                self.open(&self.dir.join(DATA_FILE), Arc::clone(&self.schema))?,
                RowDigest::default(),
            )),
            None => None,
        };
        if let Some((w, digest)) = single
            && let Some(text) = close(w, digest)?
        {
            digests.insert(WHOLE_TABLE, text);
        }
        self.reservation.free();
        Ok(Written {
            rows: self.rows,
            dates,
            partitioned,
            digests,
        })
    }
}
