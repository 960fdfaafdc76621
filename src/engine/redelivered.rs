//! `redelivered_<system>_<table>`: every delivery of the keys that sit in
//! more than one raw partition, kept up to date in `_state/redelivered/` so
//! the `latest_*` views need not group every key of history on every read.
//!
//! Landing keeps one row per key in a partition. A key whose business date
//! changed between deliveries sits in two partitions, and its `latest_*` view
//! keeps the later delivery. Finding those keys took a `GROUP BY` of every key
//! the table ever held, once per model reading the view (and a join with
//! every key for a view narrowed to some dates): a cost that grows with the
//! warehouse, every night.
//!
//! The state file holds the deliveries (key columns, `dt`, provenance) of the
//! keys found in more than one partition, and in its metadata the partitions
//! it reflects: each data file's size and modification time, and each key
//! column's least and greatest value (as text). A session brings it up to
//! date by reading only what a changed partition (landed, re-landed, emptied
//! or removed since) can share keys with: the changed partitions, the
//! partitions whose key ranges overlap theirs in every key column (keys that
//! grow with time — call and work-order ids, state start times — overlap only
//! their neighbours; random keys overlap everything and read everything), and
//! the partitions of listed keys met again. A one-column key is summed up as
//! a few runs, not one range: a day's leg ids are one block plus a block
//! numbered later (its transfers), and one range spanning both overlapped
//! every other day's, so every night read every partition. A state written
//! before runs were kept gets them for its unchanged partitions on its next
//! refresh, once. The file is a cache of the raw
//! layer: a version that matches its metadata is right, a stale one is
//! brought up to date, a missing or unreadable one is computed again.
//!
//! The state before a change also gives the other partitions of the keys a
//! changed partition held (`redelivered_left_*`): a corrected re-delivery
//! may take such a key out of it, and the view then keeps the key's delivery
//! in a partition whose raw rows did not change. A state brought up to date
//! is saved once the build that read it is published ([`save_pending`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};

use crate::engine::dateset::DateSet;
use crate::error::Result;
use crate::schema::{SRC_FILE, SRC_FOLDER, SRC_LINE, TableDef};
use crate::warehouse::partitions::{data_files, partition_dates};

/// The table's name in SQL.
pub fn table_name(t: &TableDef) -> String {
    format!("redelivered_{}_{}", t.system, t.name)
}

/// Metadata key of the partitions a state file reflects. It names the
/// DataFusion version whose text casts made the key ranges: a file written by
/// another one is computed again, as the text of a timestamp may differ. A
/// file written before runs were kept ([`key_runs`]) gets them for its
/// partitions on its next refresh ([`add_runs`]).
fn partitions_key() -> String {
    format!("callcube.partitions/datafusion-{}", datafusion::DATAFUSION_VERSION)
}

/// The key commit b8ffeeb wrote its files under (the same partitions, with runs): read as current.
fn partitions_key_v2() -> String {
    format!("callcube.partitions.v2/datafusion-{}", datafusion::DATAFUSION_VERSION)
}

/// What a state file knows of one raw partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Partition {
    /// Its data files' sizes, modification times (ns) and inodes, in name
    /// order: a file rewritten within a coarse clock tick is a new inode.
    files: Vec<(u64, i64, u64)>,
    /// Per key column, the least and greatest value as text (None: no rows).
    range: Option<Vec<(String, String)>>,
    /// A one-column key's values as text, covered by a few disjoint runs
    /// (least, greatest) in ascending order ([`key_runs`]); None for a
    /// composite key, or in a state written before runs were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    runs: Option<Vec<(String, String)>>,
}

impl Partition {
    /// Whether a key of `self` may also be in `other`: some runs of theirs
    /// overlap when both have runs, else every key column's ranges overlap.
    fn overlaps(&self, other: &Partition) -> bool {
        if let (Some(a), Some(b)) = (&self.runs, &other.runs) {
            return runs_overlap(a, b);
        }
        match (&self.range, &other.range) {
            (Some(a), Some(b)) => a.iter().zip(b).all(|((alo, ahi), (blo, bhi))| alo <= bhi && blo <= ahi),
            _ => false,
        }
    }
}

/// The most runs a partition's keys are summed up in.
const MAX_RUNS: usize = 16;

/// `keys` (any order, repeats allowed) as at most [`MAX_RUNS`] disjoint runs
/// (least, greatest) in ascending order, together holding every key: split
/// at the widest gaps between neighbouring keys, where a gap is at least 8
/// times the mean. Gaps are measured on what follows the prefix every key
/// shares, read as a number (its digits, else its first 8 bytes): only where
/// to split depends on it, every key stays inside a run whatever it says.
fn key_runs(mut keys: Vec<String>) -> Vec<(String, String)> {
    keys.sort_unstable();
    keys.dedup();
    let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
        return Vec::new();
    };
    let shared = first.bytes().zip(last.bytes()).take_while(|(a, b)| a == b).count();
    let position = |k: &str| -> u64 {
        let rest = &k.as_bytes()[shared.min(k.len())..];
        if !rest.is_empty() && rest.len() <= 18 && rest.iter().all(u8::is_ascii_digit) {
            // Numbered ids (`LG000123456`): their gaps in numbers, not bytes.
            return rest.iter().fold(0, |n, d| n * 10 + u64::from(d - b'0'));
        }
        let mut bytes = [0u8; 8];
        for (b, k) in bytes.iter_mut().zip(rest) {
            *b = *k;
        }
        u64::from_be_bytes(bytes)
    };
    let gaps: Vec<(u64, usize)> = keys
        .windows(2)
        .enumerate()
        .map(|(i, w)| (position(&w[1]).saturating_sub(position(&w[0])), i))
        .collect();
    let mean = position(last).saturating_sub(position(first)) as f64 / gaps.len().max(1) as f64;
    let mut wide: Vec<(u64, usize)> = gaps.into_iter().filter(|(g, _)| *g as f64 > 8.0 * mean).collect();
    wide.sort_unstable_by(|a, b| b.cmp(a));
    let mut splits: Vec<usize> = wide.into_iter().take(MAX_RUNS - 1).map(|(_, i)| i).collect();
    splits.sort_unstable();
    let mut runs = Vec::with_capacity(splits.len() + 1);
    let mut start = 0;
    for i in splits.into_iter().chain([keys.len() - 1]) {
        runs.push((keys[start].clone(), keys[i].clone()));
        start = i + 1;
    }
    runs
}

/// Whether two lists of disjoint ascending runs have a pair that overlaps.
fn runs_overlap(a: &[(String, String)], b: &[(String, String)]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let ((alo, ahi), (blo, bhi)) = (&a[i], &b[j]);
        if alo <= bhi && blo <= ahi {
            return true;
        }
        // The run ending first cannot meet any later run of the other list.
        if ahi < bhi { i += 1 } else { j += 1 }
    }
    false
}

/// The schema of a state: the key columns, `dt` and provenance.
fn schema(t: &TableDef) -> SchemaRef {
    let raw = t.raw_schema();
    let mut fields: Vec<Field> = t
        .key
        .iter()
        .map(|k| raw.field_with_name(k).expect("keys are declared columns").clone())
        .collect();
    fields.push(Field::new("dt", DataType::Date32, false));
    for c in [SRC_FOLDER, SRC_FILE, SRC_LINE] {
        fields.push(raw.field_with_name(c).expect("provenance").clone());
    }
    Arc::new(Schema::new(fields))
}

fn state_path(root: &Path, t: &TableDef) -> PathBuf {
    root.join("_state")
        .join("redelivered")
        .join(format!("{}_{}.parquet", t.system, t.name))
}

/// The raw partitions as they are now: date → data files' sizes and times.
fn listing(root: &Path, t: &TableDef) -> BTreeMap<i64, Vec<(u64, i64, u64)>> {
    let dir = root.join("raw").join(t.system).join(t.name);
    partition_dates(&dir)
        .into_iter()
        .map(|(day, path)| {
            let mut files: Vec<PathBuf> = data_files(&path).collect();
            files.sort();
            let stamps = files
                .iter()
                .map(|f| {
                    let m = std::fs::metadata(f).ok();
                    let size = m.as_ref().map_or(0, std::fs::Metadata::len);
                    let inode = m.as_ref().map_or(0, std::os::unix::fs::MetadataExt::ino);
                    let time = m
                        .and_then(|m| m.modified().ok())
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
                    (size, time, inode)
                })
                .collect();
            (day, stamps)
        })
        .collect()
}

/// A state file's rows and the partitions they reflect; None when missing or
/// unreadable. The partitions are None when the metadata is missing or was
/// written by another DataFusion version: the rows are then an older listing
/// (still good to find the dates a change may reach, [`dates_left`]).
fn read_state(path: &Path, schema: &SchemaRef) -> Option<(RecordBatch, Option<BTreeMap<i64, Partition>>)> {
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).ok()?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).ok()?;
    let partitions = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| {
            kv.iter()
                .find(|kv| kv.key == partitions_key() || kv.key == partitions_key_v2())
        })
        .and_then(|kv| kv.value.as_deref())
        .and_then(|v| serde_json::from_str(v).ok());
    let batches: Vec<RecordBatch> = builder.build().ok()?.collect::<std::result::Result<_, _>>().ok()?;
    let batch = concat_batches(&builder_schema(&batches, schema), &batches).ok()?;
    (batch.schema().fields() == schema.fields()).then_some((batch, partitions))
}

fn builder_schema(batches: &[RecordBatch], schema: &SchemaRef) -> SchemaRef {
    batches.first().map_or_else(|| Arc::clone(schema), RecordBatch::schema)
}

/// Write a state file (a temporary file renamed over it: readers see the old or the new).
fn write_state(path: &Path, batch: &RecordBatch, partitions: &BTreeMap<i64, Partition>) -> Result<()> {
    let dir = path.parent().expect("state folder");
    std::fs::create_dir_all(dir).map_err(crate::error::io_err(dir))?;
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    let json = serde_json::to_string(partitions).expect("partitions serialise");
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(vec![datafusion::parquet::file::metadata::KeyValue::new(
            partitions_key(),
            json,
        )]))
        .build();
    let file = std::fs::File::create(&tmp).map_err(crate::error::io_err(&tmp))?;
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props))?;
    writer.write(batch)?;
    writer.close()?;
    std::fs::rename(&tmp, path).map_err(crate::error::io_err(path))?;
    Ok(())
}

/// `batch`'s columns cast to `schema`'s types (Parquet reads strings as views).
fn conform(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(f, c)| cast(c, f.data_type()))
        .collect::<std::result::Result<_, _>>()?;
    Ok(RecordBatch::try_new(Arc::clone(schema), columns)?)
}

async fn collect(ctx: &SessionContext, sql: &str, schema: &SchemaRef) -> Result<RecordBatch> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let parts: Vec<RecordBatch> = batches.iter().map(|b| conform(b, schema)).collect::<Result<_>>()?;
    Ok(concat_batches(schema, &parts)?)
}

/// Bring `t`'s state up to date and register it in `ctx` as [`table_name`],
/// with the dates its change may reach as [`left_table_name`]. A state that
/// changed waits in [`save_pending`] for the build to be published.
pub async fn refresh(ctx: &SessionContext, root: &Path, t: &TableDef) -> Result<()> {
    let schema = schema(t);
    let path = state_path(root, t);
    let now = listing(root, t);
    let empty = || RecordBatch::new_empty(Arc::clone(&schema));
    let (old, mut known, stale) = match read_state(&path, &schema) {
        Some((rows, Some(known))) => (rows, known, None),
        Some((rows, None)) => (empty(), BTreeMap::new(), Some(rows)),
        None => (empty(), BTreeMap::new(), None),
    };
    let summarised = add_runs(ctx, t, &mut known, &now).await?;
    let changed: BTreeSet<i64> = now
        .iter()
        .filter(|(d, files)| known.get(d).is_none_or(|p| p.files != **files))
        .map(|(d, _)| *d)
        .chain(known.keys().filter(|d| !now.contains_key(d)).copied())
        .collect();
    let (batch, left) = if changed.is_empty() {
        if summarised {
            set_pending(path, t, old.clone(), known);
        }
        (old, BTreeSet::new())
    } else {
        let left = match &stale {
            Some(rows) => stale_dates(rows)?,
            None => dates_left(ctx, t, &old, &changed).await?,
        };
        let batch = update(ctx, t, &schema, &old, &mut known, &now, &changed).await?;
        set_pending(path, t, batch.clone(), known);
        (batch, left)
    };
    crate::engine::models::register_batch(ctx, &left_table_name(t), dates_batch(&left)?)?;
    crate::engine::models::register_batch(ctx, &table_name(t), batch)
}

/// Keep `batch` and `partitions` as `t`'s state at `path`, to save after the publish.
fn set_pending(path: PathBuf, t: &TableDef, batch: RecordBatch, partitions: BTreeMap<i64, Partition>) {
    let mut pending = PENDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    pending.retain(|p| p.path != path);
    pending.push(Pending {
        path,
        table: t.qualified(),
        batch,
        partitions,
    });
}

/// Sum up as runs the unchanged partitions of a one-column key that a state
/// written before runs were kept knows by their range only (without marking
/// them changed: their rows are listed right); whether any was.
async fn add_runs(
    ctx: &SessionContext,
    t: &TableDef,
    known: &mut BTreeMap<i64, Partition>,
    now: &BTreeMap<i64, Vec<(u64, i64, u64)>>,
) -> Result<bool> {
    let [key] = t.key else {
        return Ok(false);
    };
    let missing: BTreeSet<i64> = known
        .iter()
        .filter(|(d, p)| p.runs.is_none() && p.range.is_some() && now.get(*d) == Some(&p.files))
        .map(|(d, _)| *d)
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let mut summarised = false;
    for (day, runs) in partition_runs(ctx, &t.raw_table_name(), key, &missing).await? {
        if let Some(p) = known.get_mut(&day) {
            p.runs = Some(runs);
            summarised = true;
        }
    }
    Ok(summarised)
}

/// A state brought up to date, not yet saved (see [`save_pending`]).
struct Pending {
    path: PathBuf,
    table: String,
    batch: RecordBatch,
    partitions: BTreeMap<i64, Partition>,
}

/// States [`refresh`] brought up to date in this process, saved once the
/// build that read them is published: the state before a change is what
/// tells a build the dates of [`left_table_name`], so a build that fails
/// must find it again on its next try.
static PENDING: std::sync::Mutex<Vec<Pending>> = std::sync::Mutex::new(Vec::new());

/// Save the states brought up to date for the warehouse at `root` (a failed
/// write is logged: the next session computes the state again).
pub fn save_pending(root: &Path) {
    let mine: Vec<Pending> = {
        let mut pending = PENDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (mine, others) = std::mem::take(&mut *pending)
            .into_iter()
            .partition(|p| p.path.starts_with(root));
        *pending = others;
        mine
    };
    for p in mine {
        if let Err(e) = write_state(&p.path, &p.batch, &p.partitions) {
            tracing::warn!(table = %p.table, error = %e, "could not save the re-delivered keys");
        }
    }
}

/// The name of the table of the dates a `latest_*` view may change on
/// besides the changed partitions: see [`dates_left`].
pub fn left_table_name(t: &TableDef) -> String {
    format!("redelivered_left_{}_{}", t.system, t.name)
}

/// The other partitions of the keys listed before the change with a
/// delivery in a changed partition. A corrected re-delivery may take such a
/// key out of the changed partition (or out of the listing, left in one
/// partition): its delivery in another partition is then the latest again,
/// and that partition's view rows change though its raw rows did not.
async fn dates_left(
    ctx: &SessionContext,
    t: &TableDef,
    old: &RecordBatch,
    changed: &BTreeSet<i64>,
) -> Result<BTreeSet<i64>> {
    let mut out = BTreeSet::new();
    if old.num_rows() == 0 {
        return Ok(out);
    }
    let old_table = format!("__{}_left", table_name(t));
    crate::engine::models::register_batch(ctx, &old_table, old.clone())?;
    let keys = t.key.join(", ");
    let on: Vec<String> = t.key.iter().map(|k| format!("o.{k} = c.{k}")).collect();
    let changed = DateSet::of(changed.iter().copied());
    let sql = format!(
        "SELECT DISTINCT CAST(CAST(o.dt AS INT) AS BIGINT) FROM {old_table} AS o \
         JOIN (SELECT DISTINCT {keys} FROM {old_table} WHERE {now}) AS c ON {on} WHERE NOT ({was})",
        now = changed.sql_condition("dt"),
        was = changed.sql_condition("o.dt"),
        on = on.join(" AND "),
    );
    let batches = ctx.sql(&sql).await?.collect().await;
    let _ = ctx.deregister_table(old_table.as_str());
    for b in batches? {
        let days = b.column(0).as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        out.extend(days.iter().flatten());
    }
    Ok(out)
}

/// From a state whose partitions are not known (written by another
/// DataFusion version), every date of its rows: which partitions changed
/// since is not known, and these hold every date a change may reach.
fn stale_dates(rows: &RecordBatch) -> Result<BTreeSet<i64>> {
    let days = cast(rows.column_by_name("dt").expect("states have dt"), &DataType::Int32)?;
    let days = days.as_primitive::<datafusion::arrow::datatypes::Int32Type>();
    Ok(days.iter().flatten().map(i64::from).collect())
}

/// `dates` as a one-column table (`d`, the day number).
fn dates_batch(dates: &BTreeSet<i64>) -> Result<RecordBatch> {
    let days: Vec<i64> = dates.iter().copied().collect();
    let schema = Arc::new(Schema::new(vec![Field::new("d", DataType::Int64, false)]));
    Ok(RecordBatch::try_new(
        schema,
        vec![Arc::new(datafusion::arrow::array::Int64Array::from(days))],
    )?)
}

/// The state after the partitions `changed` (of `now`); `known` is updated to `now`.
async fn update(
    ctx: &SessionContext,
    t: &TableDef,
    schema: &SchemaRef,
    old: &RecordBatch,
    known: &mut BTreeMap<i64, Partition>,
    now: &BTreeMap<i64, Vec<(u64, i64, u64)>>,
    changed: &BTreeSet<i64>,
) -> Result<RecordBatch> {
    let raw = t.raw_table_name();
    let keys = t.key.join(", ");
    let provenance = format!("dt, {SRC_FOLDER}, {SRC_FILE}, {SRC_LINE}");
    let on = |a: &str, b: &str| -> String {
        t.key
            .iter()
            .map(|k| format!("{a}.{k} = {b}.{k}"))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let dates = |days: &BTreeSet<i64>| DateSet::of(days.iter().copied()).sql_condition("dt");
    // The key ranges of the changed partitions that still exist.
    known.retain(|d, _| now.contains_key(d) && !changed.contains(d));
    let present: BTreeSet<i64> = changed.iter().filter(|d| now.contains_key(d)).copied().collect();
    let mut fresh: BTreeMap<i64, Partition> = present
        .iter()
        .map(|d| {
            let p = Partition {
                files: now[d].clone(),
                range: None,
                runs: None,
            };
            (*d, p)
        })
        .collect();
    if !present.is_empty() {
        match t.key {
            [key] => {
                for (day, runs) in partition_runs(ctx, &raw, key, &present).await? {
                    if let (Some(p), Some(first), Some(last)) = (fresh.get_mut(&day), runs.first(), runs.last()) {
                        p.range = Some(vec![(first.0.clone(), last.1.clone())]);
                        p.runs = Some(runs);
                    }
                }
            }
            _ => {
                for (day, range) in partition_ranges(ctx, t, &raw, &dates(&present)).await? {
                    if let Some(p) = fresh.get_mut(&day) {
                        p.range = Some(range);
                    }
                }
            }
        }
    }
    // What the changed partitions can share keys with.
    let mut read: BTreeSet<i64> = present.clone();
    for p in fresh.values() {
        for (d, q) in known.iter() {
            if p.overlaps(q) {
                read.insert(*d);
            }
        }
    }
    let whole = known.is_empty() || read.len() * 2 > now.len();
    let batch = if whole {
        // A first build, or most of the table: group every key once.
        collect(
            ctx,
            &format!(
                "WITH dup AS (SELECT {keys} FROM {raw} GROUP BY {keys} HAVING COUNT(*) > 1) \
                 SELECT {rkeys}, r.dt, r.{SRC_FOLDER}, r.{SRC_FILE}, r.{SRC_LINE} \
                 FROM dup AS d RIGHT SEMI JOIN {raw} AS r ON {on}",
                rkeys = t.key.iter().map(|k| format!("r.{k}")).collect::<Vec<_>>().join(", "),
                on = on("d", "r"),
            ),
            schema,
        )
        .await?
    } else {
        // The keys of the changed partitions, and the listed keys that were in them.
        let old_table = format!("__{}_before", table_name(t));
        crate::engine::models::register_batch(ctx, &old_table, old.clone())?;
        let k = collect(
            ctx,
            &format!(
                "SELECT DISTINCT {keys} FROM {raw} WHERE {c} UNION SELECT {keys} FROM {old_table} WHERE {c}",
                c = dates(changed)
            ),
            &Arc::new(Schema::new(schema.fields()[..t.key.len()].to_vec())),
        )
        .await?;
        let k_table = format!("__{}_keys", table_name(t));
        crate::engine::models::register_batch(ctx, &k_table, k)?;
        // The listed deliveries of those keys tell which other partitions to read.
        let met = ctx
            .sql(&format!(
                "SELECT DISTINCT CAST(o.dt AS BIGINT) FROM {k_table} AS k JOIN {old_table} AS o ON {}",
                on("k", "o")
            ))
            .await?
            .collect()
            .await?;
        for b in met {
            let days = cast(b.column(0), &DataType::Int64)?;
            read.extend(
                days.as_primitive::<datafusion::arrow::datatypes::Int64Type>()
                    .values()
                    .iter()
                    .copied(),
            );
        }
        read.retain(|d| now.contains_key(d));
        let rkeys = t.key.iter().map(|k| format!("r.{k}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {keys}, {provenance} FROM (\
               SELECT {rkeys}, r.dt, r.{SRC_FOLDER}, r.{SRC_FILE}, r.{SRC_LINE}, \
               COUNT(*) OVER (PARTITION BY {rkeys}) AS deliveries \
               FROM {k_table} AS k JOIN (SELECT {keys}, {provenance} FROM {raw} WHERE {r}) AS r ON {on_kr}) \
             WHERE deliveries > 1 \
             UNION ALL \
             SELECT o.* FROM {k_table} AS k RIGHT ANTI JOIN {old_table} AS o ON {on_ko}",
            r = dates(&read),
            on_kr = on("k", "r"),
            on_ko = on("k", "o"),
        );
        let batch = collect(ctx, &sql, schema).await;
        let _ = ctx.deregister_table(old_table.as_str());
        let _ = ctx.deregister_table(k_table.as_str());
        batch?
    };
    known.extend(fresh);
    Ok(batch)
}

/// Per partition of `raw` among `days`, the runs of its one-column key
/// ([`key_runs`]). One partition's keys at a time: a first build summarises
/// every partition of history, and all its keys as text at once would not
/// fit the memory the build is given (outside DataFusion's pool).
async fn partition_runs(
    ctx: &SessionContext,
    raw: &str,
    key: &str,
    days: &BTreeSet<i64>,
) -> Result<BTreeMap<i64, Vec<(String, String)>>> {
    let mut out = BTreeMap::new();
    for &day in days {
        let sql = format!(
            "SELECT CAST({key} AS VARCHAR) FROM {raw} WHERE {} AND {key} IS NOT NULL",
            DateSet::of([day]).sql_condition("dt")
        );
        let mut keys: Vec<String> = Vec::new();
        for b in ctx.sql(&sql).await?.collect().await? {
            let text = cast(b.column(0), &DataType::Utf8)?;
            keys.extend(text.as_string::<i32>().iter().flatten().map(str::to_string));
        }
        if !keys.is_empty() {
            out.insert(day, key_runs(keys));
        }
    }
    Ok(out)
}

/// Per partition of `raw` passing `condition`, each key column's least and greatest value as text.
async fn partition_ranges(
    ctx: &SessionContext,
    t: &TableDef,
    raw: &str,
    condition: &str,
) -> Result<BTreeMap<i64, Vec<(String, String)>>> {
    let ranges: Vec<String> = t
        .key
        .iter()
        .map(|k| format!("MIN(CAST({k} AS VARCHAR)), MAX(CAST({k} AS VARCHAR))"))
        .collect();
    let sql = format!(
        "SELECT CAST(dt AS BIGINT), {} FROM {raw} WHERE {condition} GROUP BY dt",
        ranges.join(", ")
    );
    let mut out = BTreeMap::new();
    for b in ctx.sql(&sql).await?.collect().await? {
        let text: Vec<ArrayRef> = b.columns()[1..]
            .iter()
            .map(|c| cast(c, &DataType::Utf8))
            .collect::<std::result::Result<_, _>>()?;
        let days = cast(b.column(0), &DataType::Int64)?;
        let days = days.as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        for r in 0..b.num_rows() {
            let range = (0..t.key.len())
                .map(|i| {
                    let lo = text[2 * i].as_string::<i32>();
                    let hi = text[2 * i + 1].as_string::<i32>();
                    (lo.value(r).to_string(), hi.value(r).to_string())
                })
                .collect();
            out.insert(days.value(r), range);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(range: &[(&str, &str)]) -> Partition {
        Partition {
            files: vec![(1, 1, 1)],
            range: Some(range.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()),
            runs: None,
        }
    }

    /// A partition of one-column keys `keys`, summed up as the build does.
    fn of_keys(keys: &[String]) -> Partition {
        let runs = key_runs(keys.to_vec());
        Partition {
            files: vec![(1, 1, 1)],
            range: Some(vec![(runs[0].0.clone(), runs[runs.len() - 1].1.clone())]),
            runs: Some(runs),
        }
    }

    fn legs(ids: std::ops::Range<u32>) -> Vec<String> {
        ids.map(|i| format!("LG{i:09}")).collect()
    }

    #[test]
    fn partitions_overlap_only_when_every_key_column_does() {
        // Calls of one day and the next share the ids around midnight.
        assert!(p(&[("CL0100", "CL0200")]).overlaps(&p(&[("CL0190", "CL0300")])));
        assert!(!p(&[("CL0100", "CL0200")]).overlaps(&p(&[("CL0201", "CL0300")])));
        // Agent states: every agent every day, but start times a day apart.
        let monday = p(&[("A01", "A99"), ("2026-11-16 00:00:00", "2026-11-16 23:59:00")]);
        let tuesday = p(&[("A01", "A99"), ("2026-11-17 00:00:00", "2026-11-17 23:59:00")]);
        assert!(!monday.overlaps(&tuesday));
        // An empty partition shares nothing.
        let empty = Partition {
            files: vec![(1, 1, 1)],
            range: None,
            runs: None,
        };
        assert!(!empty.overlaps(&monday));
    }

    #[test]
    fn a_days_two_blocks_of_leg_ids_overlap_no_other_days_blocks() {
        // The growth run's legs: each day a block of ids and a smaller block numbered after
        // the last day's (transfers). One range per day spans every later day's first block.
        let mut day1 = legs(1..37_514);
        day1.extend(legs(1_126_319..1_128_513));
        let mut day29 = legs(1_051_427..1_088_994);
        day29.extend(legs(1_189_672..1_191_817));
        let mut day30 = legs(1_088_994..1_126_301);
        day30.extend(legs(1_191_817..1_194_088));
        let (d1, d29, d30) = (of_keys(&day1), of_keys(&day29), of_keys(&day30));
        assert_eq!(d1.runs.as_ref().map(Vec::len), Some(2), "{:?}", d1.runs);
        assert!(!d1.overlaps(&d30) && !d30.overlaps(&d1));
        assert!(!d29.overlaps(&d30) && !d1.overlaps(&d29));
        // The one-range summary overlapped: day 1's range holds all of day 30's first block.
        let range = |p: &Partition| Partition {
            runs: None,
            ..p.clone()
        };
        assert!(range(&d1).overlaps(&range(&d30)));
        // A key in both days is inside a run of each: they overlap.
        let mut shared = day30.clone();
        shared.push("LG000020000".into());
        assert!(of_keys(&shared).overlaps(&d1));
        // Against a partition summed up by a range only (a state written before runs), the ranges decide.
        assert!(d30.overlaps(&p(&[("LG000000001", "LG001128512")])));
    }

    #[tokio::test]
    async fn a_state_written_before_runs_gets_them_for_its_unchanged_partitions_only() {
        let t = crate::schema::TABLES
            .iter()
            .find(|t| t.name == "agent_legs")
            .expect("agent_legs");
        // Raw legs of two days: day 1 two blocks of ids, day 2 one.
        let mut ids = legs(1..50);
        ids.extend(legs(900..950));
        let mut all_days = vec![1; ids.len()];
        let mut all_ids = ids;
        all_ids.extend(legs(50..99));
        all_days.extend(std::iter::repeat_n(2, 49));
        let batch = RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("leg_id", DataType::Utf8, false),
                Field::new("dt", DataType::Date32, false),
            ])),
            vec![
                Arc::new(datafusion::arrow::array::StringArray::from(all_ids)),
                Arc::new(datafusion::arrow::array::Date32Array::from(all_days)),
            ],
        )
        .unwrap();
        let ctx = SessionContext::new();
        crate::engine::models::register_batch(&ctx, &t.raw_table_name(), batch).unwrap();
        let now: BTreeMap<i64, Vec<(u64, i64, u64)>> = [(1, vec![(1, 1, 1)]), (2, vec![(2, 2, 2)])].into();
        let range_only = |files: Vec<(u64, i64, u64)>, lo: &str, hi: &str| Partition {
            files,
            range: Some(vec![(lo.into(), hi.into())]),
            runs: None,
        };
        // Day 1 as the older state knew it; day 2's files changed since (left to the update).
        let mut known: BTreeMap<i64, Partition> = [
            (1, range_only(vec![(1, 1, 1)], "LG000000001", "LG000000949")),
            (2, range_only(vec![(9, 9, 9)], "LG000000050", "LG000000098")),
        ]
        .into();
        assert!(add_runs(&ctx, t, &mut known, &now).await.unwrap());
        let runs = known[&1].runs.clone().expect("day 1 summed up");
        assert_eq!(
            runs,
            [
                ("LG000000001".to_string(), "LG000000049".to_string()),
                ("LG000000900".to_string(), "LG000000949".to_string())
            ]
        );
        assert_eq!(known[&1].files, vec![(1, 1, 1)], "not marked changed");
        assert!(known[&2].runs.is_none(), "a changed partition is left to the update");
        // Once summed up, nothing more to do.
        assert!(!add_runs(&ctx, t, &mut known, &now).await.unwrap());
    }

    #[test]
    fn key_runs_hold_every_key_in_at_most_max_runs() {
        // Random keys: every gap alike, so few splits; every key inside some run.
        let mut state = 7u64;
        let keys: Vec<String> = (0..5_000)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                format!("{:016x}", state)
            })
            .collect();
        let runs = key_runs(keys.clone());
        assert!(!runs.is_empty() && runs.len() <= MAX_RUNS);
        assert!(runs.windows(2).all(|w| w[0].1 < w[1].0), "disjoint, ascending");
        assert!(keys.iter().all(|k| runs.iter().any(|(lo, hi)| lo <= k && k <= hi)));
        // Forty blocks far apart: split at the widest gaps only, still covering every key.
        let blocks: Vec<String> = (0..40u32).flat_map(|b| legs(b * 100_000..b * 100_000 + 50)).collect();
        let runs = key_runs(blocks.clone());
        assert_eq!(runs.len(), MAX_RUNS);
        assert!(blocks.iter().all(|k| runs.iter().any(|(lo, hi)| lo <= k && k <= hi)));
        assert_eq!(
            key_runs(vec!["a".into(), "a".into()]),
            vec![("a".to_string(), "a".to_string())]
        );
        assert!(key_runs(Vec::new()).is_empty());
    }
}
