//! The warehouse: where each layer's tables live, and how they are written.
//!
//! Layout (local disk): `<root>/raw/<system>/<table>/dt=YYYY-MM-DD/data.parquet`,
//! `<root>/rejects/dt=YYYY-MM-DD/data.parquet`, `<root>/ledger/<name>/<run>.parquet`.
//! One file per partition: a partition is replaced by renaming a fully written
//! temporary file over it, which is atomic on POSIX file systems, so a reader
//! or a crash sees either the old partition or the new one, never a mix.

pub mod digest;
mod location;
pub mod partitions;
mod register;
pub mod stream_writer;

pub use location::WarehouseUrl;
pub use register::{TableDir, register_all, register_dir, register_ledger, table_dirs};

use std::fs::File;
use std::path::{Path, PathBuf};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;

use crate::error::{Error, Result, io_err};
use crate::timefmt::date_string;

/// Name of the data file of a partition.
pub const DATA_FILE: &str = "data.parquet";

/// A warehouse on local disk.
#[derive(Debug, Clone)]
pub struct Warehouse {
    root: PathBuf,
}

impl Warehouse {
    /// Open (creating if needed) the warehouse at `url`.
    pub fn open(url: &WarehouseUrl) -> Result<Warehouse> {
        match url {
            WarehouseUrl::Local(root) => {
                std::fs::create_dir_all(root).map_err(io_err(root))?;
                Ok(Warehouse { root: root.clone() })
            }
            other => Err(Error::Config {
                file: PathBuf::from("(warehouse)"),
                key: "warehouse".into(),
                reason: format!(
                    "{other} is a valid warehouse URL, but this version writes only to local disk (a path or file://)"
                ),
            }),
        }
    }

    /// Root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Folder of the partition of `table_dir` (relative to the root) for `day`.
    pub fn partition_dir(&self, table_dir: &str, day: i64) -> PathBuf {
        self.root.join(table_dir).join(format!("dt={}", date_string(day)))
    }
}

/// Read every batch of a Parquet file; `None` if it does not exist.
pub fn read_parquet(path: &Path) -> Result<Option<Vec<RecordBatch>>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(path)(e)),
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)?
        .with_batch_size(64 * 1024)
        .build()?;
    let batches = reader.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Some(batches))
}

fn writer_properties() -> WriterProperties {
    writer_builder().build()
}

fn writer_builder() -> datafusion::parquet::file::properties::WriterPropertiesBuilder {
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("3 is a valid zstd level"),
        ))
        .set_created_by("callcube".to_string())
}

/// The warehouse's Parquet settings, with row groups of at most `rows` rows.
fn writer_properties_with_row_groups(rows: usize) -> WriterProperties {
    writer_builder().set_max_row_group_row_count(Some(rows)).build()
}

/// A file written under a temporary name, waiting to be swapped in.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    dest: PathBuf,
}

impl Staged {
    /// Where the file will be once committed.
    pub fn dest(&self) -> &Path {
        &self.dest
    }
}

/// Write `batches` to a temporary file next to `dest`. Nothing is visible to
/// readers until [`commit`]: names starting with `.` are ignored by the table scan.
pub fn stage(dest: PathBuf, schema: SchemaRef, batches: &[RecordBatch], run_id: &str) -> Result<Staged> {
    let dir = dest.parent().expect("a partition file has a folder").to_path_buf();
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let name = dest.file_name().expect("a partition file has a name").to_string_lossy();
    let tmp = dir.join(format!(".{name}.{run_id}.tmp"));
    let file = File::create(&tmp).map_err(io_err(&tmp))?;
    let mut writer = ArrowWriter::try_new(file, schema, Some(writer_properties()))?;
    for b in batches {
        writer.write(b)?;
    }
    writer.close()?;
    Ok(Staged { tmp, dest })
}

/// Stage a small non-Parquet file (manifests) the same way.
pub fn stage_bytes(dest: PathBuf, bytes: &[u8], run_id: &str) -> Result<Staged> {
    let dir = dest.parent().expect("a staged file has a folder").to_path_buf();
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let name = dest.file_name().expect("a staged file has a name").to_string_lossy();
    let tmp = dir.join(format!(".{name}.{run_id}.tmp"));
    std::fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
    Ok(Staged { tmp, dest })
}

/// Swap every staged file in. Each rename is atomic; the set is applied in order.
pub fn commit(staged: Vec<Staged>) -> Result<()> {
    for s in &staged {
        std::fs::rename(&s.tmp, &s.dest).map_err(io_err(&s.dest))?;
    }
    Ok(())
}

/// Remove staged files after a failure (best effort: they are invisible anyway).
pub fn discard(staged: Vec<Staged>) {
    for s in staged {
        let _ = std::fs::remove_file(&s.tmp);
    }
}

/// Remove temporary files a killed run left behind under `dir`.
pub fn sweep_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            sweep_temporaries(&path);
        } else if name.starts_with('.') && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(&path);
        }
    }
}
