//! Landing: inbox extracts → `raw` typed Parquet, one partition per business date.
//!
//! A run lands one delivery folder (`<inbox>/<system>/<table>/<YYYY-MM-DD>/`).
//! Its rows go to the partition of their own business date, merged with what
//! other deliveries already put there; a key delivered more than once keeps
//! the latest delivery (later folder, then file name, then line). Re-landing a
//! folder replaces that folder's earlier contribution, so re-runs are
//! idempotent. Everything is staged first and swapped in only when every table
//! of the folder is ready: a failed run changes nothing.

pub mod csvsplit;
pub mod decode;
mod merge;
pub mod parse;
pub mod rejects;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use datafusion::arrow::array::UInt32Array;
use datafusion::arrow::compute::{concat_batches, take_record_batch};
use datafusion::arrow::record_batch::RecordBatch;
use rayon::prelude::*;

pub use decode::Encoding;
use parse::{Layout, parse_chunk, with_provenance};
use rejects::{FileReject, Reason, Reject};

use crate::error::{Error, Result};
use crate::schema::TableDef;
use crate::timefmt::date_string;
use crate::warehouse::{self, DATA_FILE, Staged, Warehouse};

/// How one source table is delivered (from the pipeline config).
#[derive(Debug, Clone)]
pub struct SourceTable {
    /// The declared table.
    pub def: &'static TableDef,
    /// Text encoding of its files.
    pub encoding: Encoding,
    /// Header name in the file → canonical column name.
    pub rename: BTreeMap<String, String>,
    /// Field delimiter.
    pub delimiter: u8,
}

impl SourceTable {
    /// Delivered as `sources.md` says: UTF-8, comma, canonical headers.
    pub fn standard(def: &'static TableDef) -> SourceTable {
        SourceTable {
            def,
            encoding: Encoding::Utf8,
            rename: BTreeMap::new(),
            delimiter: b',',
        }
    }
}

/// Counts of one table for one delivery folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableCounts {
    /// `system/table`.
    pub table: String,
    /// Files found in the folder.
    pub files: u64,
    /// Bytes of those files as delivered.
    pub bytes: u64,
    /// Data records read (header excluded).
    pub read: u64,
    /// Records now in the raw layer from this delivery.
    pub landed: u64,
    /// Records refused (see `rejects`).
    pub rejected: u64,
    /// Records superseded by a later delivery of the same key.
    pub duplicates: u64,
    /// Business dates whose partitions were written.
    pub partitions: Vec<i64>,
}

/// What landing one delivery folder did.
#[derive(Debug, Default)]
pub struct LandReport {
    /// Per table, in declaration order.
    pub tables: Vec<TableCounts>,
    /// Every rejected row.
    pub rejects: Vec<FileReject>,
}

/// Land the delivery folder of `day` for `tables` into the warehouse.
pub fn land_day(inbox: &Path, wh: &Warehouse, tables: &[SourceTable], day: i64, run_id: &str) -> Result<LandReport> {
    warehouse::sweep_temporaries(wh.root());
    let mut staged: Vec<Staged> = Vec::new();
    let result = stage_day(inbox, wh, tables, day, run_id, &mut staged);
    match result {
        Ok(report) => {
            warehouse::commit(staged)?;
            Ok(report)
        }
        Err(e) => {
            warehouse::discard(staged);
            Err(e)
        }
    }
}

fn stage_day(
    inbox: &Path,
    wh: &Warehouse,
    tables: &[SourceTable],
    day: i64,
    run_id: &str,
    staged: &mut Vec<Staged>,
) -> Result<LandReport> {
    let mut report = LandReport::default();
    // Tables are independent: land them in parallel (each Parquet file is
    // encoded on one thread, so this is what keeps every core busy).
    let landed: Vec<Result<TableLanding>> = tables
        .par_iter()
        .map(|src| land_table(inbox, wh, src, day, run_id))
        .collect();
    let mut first_error = None;
    for r in landed {
        match r {
            Ok(t) => {
                report.tables.push(t.counts);
                report.rejects.extend(t.rejects);
                staged.extend(t.staged);
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let batch = rejects::to_batch(&report.rejects);
    let dest = wh.partition_dir("rejects", day).join(DATA_FILE);
    staged.push(warehouse::stage(dest, rejects::schema(), &[batch], run_id)?);
    Ok(report)
}

/// Extract files of a table's delivery folder, in name order.
pub fn delivery_files(inbox: &Path, def: &TableDef, day: i64) -> Result<Vec<PathBuf>> {
    let dir = inbox.join(def.system).join(def.name).join(date_string(day));
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(crate::error::io_err(&dir)(e)),
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            !n.starts_with('.') && (n.ends_with(".csv") || n.ends_with(".csv.gz"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The rows of one table's delivery, typed, with the business date of each row.
struct Delivered {
    batch: RecordBatch,
    dates: Vec<i32>,
    rejects: Vec<FileReject>,
    read: u64,
    bytes: u64,
}

/// One table's landing: its counts, rejects and staged files.
struct TableLanding {
    counts: TableCounts,
    rejects: Vec<FileReject>,
    staged: Vec<Staged>,
}

/// Land one table; on failure, its staged files are removed.
fn land_table(inbox: &Path, wh: &Warehouse, src: &SourceTable, day: i64, run_id: &str) -> Result<TableLanding> {
    let mut staged = Vec::new();
    match stage_table(inbox, wh, src, day, run_id, &mut staged) {
        Ok((counts, rejects)) => Ok(TableLanding {
            counts,
            rejects,
            staged,
        }),
        Err(e) => {
            warehouse::discard(staged);
            Err(e)
        }
    }
}

fn stage_table(
    inbox: &Path,
    wh: &Warehouse,
    src: &SourceTable,
    day: i64,
    run_id: &str,
    staged: &mut Vec<Staged>,
) -> Result<(TableCounts, Vec<FileReject>)> {
    let def = src.def;
    let files = delivery_files(inbox, def, day)?;
    let mut counts = TableCounts {
        table: def.qualified(),
        files: files.len() as u64,
        ..Default::default()
    };
    let delivered = read_delivery(inbox, src, &files, day)?;
    counts.read = delivered.read;
    counts.bytes = delivered.bytes;
    counts.rejected = delivered.rejects.len() as u64;
    let table_dir = format!("raw/{}/{}", def.system, def.name);
    let mut by_date: BTreeMap<i32, Vec<u32>> = BTreeMap::new();
    for (i, d) in delivered.dates.iter().enumerate() {
        by_date.entry(*d).or_default().push(i as u32);
    }
    // Also revisit partitions this folder contributed to before (a corrected
    // re-delivery may no longer have rows for them).
    let mut dates: BTreeSet<i32> = by_date.keys().copied().collect();
    dates.extend(merge::partitions_fed_by(wh, &table_dir, day)?);
    for d in dates {
        let rows = match by_date.get(&d) {
            Some(idx) => take_record_batch(&delivered.batch, &UInt32Array::from(idx.clone()))?,
            None => RecordBatch::new_empty(def.raw_schema()),
        };
        let dest = wh.partition_dir(&table_dir, i64::from(d)).join(DATA_FILE);
        let merged = merge::merge_partition(def, &dest, rows, day)?;
        counts.landed += merged.landed_from_delivery;
        counts.duplicates += merged.duplicates_from_delivery;
        counts.partitions.push(i64::from(d));
        staged.push(warehouse::stage(dest, def.raw_schema(), &[merged.batch], run_id)?);
    }
    let fed: Vec<i64> = by_date.keys().map(|d| i64::from(*d)).collect();
    staged.push(merge::stage_feeds(wh, &table_dir, day, &fed, run_id)?);
    Ok((counts, delivered.rejects))
}

fn read_delivery(inbox: &Path, src: &SourceTable, files: &[PathBuf], day: i64) -> Result<Delivered> {
    let def = src.def;
    let mut batches = Vec::new();
    let mut out = Delivered {
        batch: RecordBatch::new_empty(def.raw_schema()),
        dates: Vec::new(),
        rejects: Vec::new(),
        read: 0,
        bytes: 0,
    };
    for path in files {
        out.bytes += std::fs::metadata(path).map_err(crate::error::io_err(path))?.len();
        let rel = path
            .strip_prefix(inbox.join(def.system).join(def.name))
            .unwrap_or(path)
            .to_string_lossy()
            .to_string();
        let (text, undecodable) = decode::read_text(path, src.encoding)?;
        let file_reject = |reject: Reject| FileReject {
            system: def.system,
            table: def.name,
            file: rel.clone(),
            reject,
        };
        for u in undecodable {
            out.read += 1;
            let encoding = if src.encoding == Encoding::Gbk { "GBK" } else { "UTF-8" };
            out.rejects.push(file_reject(Reject {
                line: u.line,
                column: None,
                reason: Reason::Undecodable { encoding },
                raw: u.lossy,
            }));
        }
        let header_end = csvsplit::record_end(&text, 0);
        if header_end == 0 {
            continue; // an empty file delivers no rows
        }
        let layout = layout_of(src, csvsplit::trim_newline(&text[..header_end]), path)?;
        let body = &text[header_end..];
        let parts = csvsplit::chunks(body, 2 * rayon::current_num_threads());
        let first_lines = line_numbers_of(body, &parts, 2);
        let parsed: Vec<_> = parts
            .par_iter()
            .zip(first_lines)
            .map(|(&(s, e), first)| parse_chunk(def, &layout, body, (s, e), first, day))
            .collect();
        for p in parsed {
            out.read += p.read;
            out.rejects.extend(p.rejects.into_iter().map(&file_reject));
            out.dates.extend(p.dates);
            batches.push(with_provenance(def, p.columns, day, &rel, p.lines));
        }
    }
    if !batches.is_empty() {
        out.batch = concat_batches(&def.raw_schema(), &batches)?;
    }
    Ok(out)
}

/// Physical line number of the first record of each chunk.
fn line_numbers_of(body: &[u8], parts: &[(usize, usize)], first: u64) -> Vec<u64> {
    let mut line = first;
    parts
        .iter()
        .map(|&(s, e)| {
            let this = line;
            line += memchr::memchr_iter(b'\n', &body[s..e]).count() as u64;
            this
        })
        .collect()
}

fn layout_of(src: &SourceTable, header: &[u8], path: &Path) -> Result<Layout> {
    let mut fields = csvsplit::Fields::default();
    fields.split(header, src.delimiter);
    let names: Vec<String> = (0..fields.len())
        .map(|i| {
            let h = String::from_utf8_lossy(fields.get(header, i)).trim().to_string();
            src.rename.get(&h).cloned().unwrap_or(h)
        })
        .collect();
    let mut positions = Vec::with_capacity(src.def.columns.len());
    let mut missing = Vec::new();
    for c in src.def.columns {
        match names.iter().position(|n| n.eq_ignore_ascii_case(c.name)) {
            Some(p) => positions.push(p),
            None => missing.push(c.name),
        }
    }
    if !missing.is_empty() {
        return Err(Error::BadFile {
            file: path.to_path_buf(),
            reason: format!(
                "header lacks column(s) {} of {} (header has: {}); map renamed columns in the pipeline's `columns`",
                missing.join(", "),
                src.def.qualified(),
                names.join(", ")
            ),
        });
    }
    Ok(Layout {
        positions,
        width: names.len(),
        delimiter: src.delimiter,
    })
}

/// Number of rows of a batch, as u64.
pub fn rows(batch: &RecordBatch) -> u64 {
    batch.num_rows() as u64
}
