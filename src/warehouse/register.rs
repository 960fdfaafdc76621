//! Registering every table of a warehouse in a DataFusion session, from its layout.
//!
//! A folder holding `dt=…` partition folders, or Parquet files directly, is a
//! table; its SQL name is its path below the root joined with `_`
//! (`raw/hotline/agent_legs` → `raw_hotline_agent_legs`, `rejects` → `rejects`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTableUrl};
use datafusion::prelude::SessionContext;

use crate::error::Result;

/// A table found in the warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDir {
    /// SQL name.
    pub name: String,
    /// Folder.
    pub path: PathBuf,
    /// Whether rows are partitioned in `dt=YYYY-MM-DD` folders.
    pub partitioned: bool,
}

/// Every table folder under `root`, sorted by name.
pub fn table_dirs(root: &Path) -> Vec<TableDir> {
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<TableDir>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut subdirs = Vec::new();
    let (mut partitioned, mut has_files) = (false, false);
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        let path = e.path();
        if path.is_dir() {
            if name.starts_with("dt=") {
                // A partition folder a killed run created but never filled is not data.
                partitioned |= has_parquet(&path);
            } else {
                subdirs.push(path);
            }
        } else if name.ends_with(".parquet") {
            has_files = true;
        }
    }
    if partitioned || has_files {
        let rel = dir.strip_prefix(root).unwrap_or(dir);
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("_");
        if !name.is_empty() {
            out.push(TableDir {
                name,
                path: dir.to_path_buf(),
                partitioned,
            });
        }
        return;
    }
    for s in subdirs {
        walk(root, &s, out);
    }
}

/// Whether `dir` holds a committed Parquet file (temporaries start with `.`).
fn has_parquet(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            !n.starts_with('.') && n.ends_with(".parquet")
        })
    })
}

/// Register every table under `root` in `ctx` (the ledger's as
/// [`register_ledger`] does); returns their names.
pub async fn register_all(ctx: &SessionContext, root: &Path) -> Result<Vec<String>> {
    register_tables(ctx, root, table_dirs(root)).await
}

/// Register the run ledger's tables (`<root>/ledger/…`, named as
/// [`register_all`] names them), each with the schema of all its files:
/// runs of older versions lack columns added since (`key_fingerprint`), and
/// a ledger table is small.
pub async fn register_ledger(ctx: &SessionContext, root: &Path) -> Result<Vec<String>> {
    let mut tables = Vec::new();
    walk(root, &root.join("ledger"), &mut tables);
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    register_tables(ctx, root, tables).await
}

/// Register `tables` of the warehouse at `root`: the ledger's with every
/// file's schema, the others with their newest files'.
async fn register_tables(ctx: &SessionContext, root: &Path, tables: Vec<TableDir>) -> Result<Vec<String>> {
    let ledger = root.join("ledger");
    let mut names = Vec::new();
    for t in tables {
        let schemas = match t.path.starts_with(&ledger) {
            true => Schemas::EveryFile,
            false => Schemas::Newest,
        };
        register_with(ctx, &t, schemas).await?;
        names.push(t.name);
    }
    Ok(names)
}

/// Which files a table's schema is inferred from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Schemas {
    /// The newest: see [`register_dir`].
    Newest,
    /// Every file, as DataFusion infers it.
    EveryFile,
}

/// Register the table folder `t` in `ctx` under its name, replacing any table of that name.
///
/// Its schema is that of its newest data files: the one written last and
/// the one of the latest partition (by name), merged. DataFusion would
/// otherwise read the footer of every file of the table to merge their
/// schemas: a cost that grows with history, paid for every table each
/// session and for every table a build stages. A model's files are written
/// by its current definition (a changed definition rebuilds every date);
/// a raw table's latest partition and latest landing are the current
/// version's (the latest partition by name also when a copy lost the files'
/// times). An older file without one of its columns reads it as nulls.
pub async fn register_dir(ctx: &SessionContext, t: &TableDir) -> Result<()> {
    register_with(ctx, t, Schemas::Newest).await
}

async fn register_with(ctx: &SessionContext, t: &TableDir, schemas: Schemas) -> Result<()> {
    let mut options = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
    if t.partitioned {
        options = options.with_table_partition_cols(vec![("dt".to_string(), DataType::Date32)]);
    }
    let mut url = std::path::absolute(&t.path)
        .map_err(crate::error::io_err(&t.path))?
        .to_string_lossy()
        .to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    let files = match schemas {
        Schemas::Newest => newest_files(&t.path, t.partitioned),
        Schemas::EveryFile => Vec::new(),
    };
    let schema = match files.is_empty() {
        true => None,
        false => Some(files_schema(ctx, &options, &files).await?),
    };
    let _ = ctx.deregister_table(t.name.as_str());
    ctx.register_listing_table(t.name.as_str(), url, options, schema, None)
        .await?;
    Ok(())
}

/// The committed, non-empty data files of a table folder written last and
/// with the greatest path (one file when they are the same).
fn newest_files(dir: &Path, partitioned: bool) -> Vec<PathBuf> {
    let folders: Vec<PathBuf> = match partitioned {
        true => std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("dt="))
            .map(|e| e.path())
            .collect(),
        false => vec![dir.to_path_buf()],
    };
    let files: Vec<(std::time::SystemTime, PathBuf)> = folders
        .iter()
        .filter_map(|f| std::fs::read_dir(f).ok())
        .flat_map(|entries| entries.flatten())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            !n.starts_with('.') && n.ends_with(".parquet")
        })
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            (meta.len() > 0).then_some(())?;
            Some((meta.modified().ok()?, e.path()))
        })
        .collect();
    let mut out: Vec<PathBuf> = Vec::new();
    for newest in [files.iter().max(), files.iter().max_by(|a, b| a.1.cmp(&b.1))]
        .into_iter()
        .flatten()
    {
        if !out.contains(&newest.1) {
            out.push(newest.1.clone());
        }
    }
    out
}

/// The schema DataFusion infers from the Parquet files `files` (merged).
async fn files_schema(
    ctx: &SessionContext,
    options: &ListingOptions,
    files: &[PathBuf],
) -> Result<datafusion::arrow::datatypes::SchemaRef> {
    use datafusion::object_store::ObjectStoreExt;
    let mut store = None;
    let mut metas = Vec::new();
    for file in files {
        let absolute = std::path::absolute(file).map_err(crate::error::io_err(file))?;
        let url = ListingTableUrl::parse(absolute.to_string_lossy())?;
        let s = ctx.runtime_env().object_store(&url)?;
        let meta = s
            .head(url.prefix())
            .await
            .map_err(|e| datafusion::error::DataFusionError::ObjectStore(Box::new(e)))?;
        metas.push(meta);
        store = Some(s);
    }
    let store = store.expect("at least one file");
    Ok(options.format.infer_schema(&ctx.state(), &store, &metas).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, RecordBatch};
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::parquet::arrow::ArrowWriter;

    fn write(path: &Path, columns: &[&str], value: i64) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let fields: Vec<Field> = columns.iter().map(|c| Field::new(*c, DataType::Int64, true)).collect();
        let schema = Arc::new(Schema::new(fields));
        let arrays = columns
            .iter()
            .map(|_| Arc::new(Int64Array::from(vec![value])) as _)
            .collect();
        let batch = RecordBatch::try_new(Arc::clone(&schema), arrays).unwrap();
        let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }

    #[tokio::test]
    async fn a_table_reads_with_its_newest_files_columns_and_older_files_miss_them_as_nulls() {
        let root = tempfile::tempdir().unwrap();
        let t = root.path().join("conformed").join("facts");
        // Written by an older definition: `dropped` is gone since, `added` is new.
        write(&t.join("dt=2026-11-01").join("data.parquet"), &["id", "dropped"], 1);
        std::thread::sleep(std::time::Duration::from_millis(20));
        write(&t.join("dt=2026-11-02").join("data.parquet"), &["id", "added"], 2);
        let ctx = SessionContext::new();
        assert_eq!(register_all(&ctx, root.path()).await.unwrap(), vec!["conformed_facts"]);
        let df = ctx
            .sql("SELECT id, added FROM conformed_facts ORDER BY id")
            .await
            .unwrap();
        let columns: Vec<String> = df.schema().fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(columns, ["id", "added"]);
        let rows = df.collect().await.unwrap();
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&rows)
            .unwrap()
            .to_string();
        assert!(text.contains("| 1  |       |"), "{text}");
        assert!(text.contains("| 2  | 2     |"), "{text}");
        // A re-landed old partition with a column added since, and the latest partition: both.
        let t = root.path().join("raw").join("calls");
        write(&t.join("dt=2026-11-02").join("data.parquet"), &["id", "later"], 2);
        write(&t.join("dt=2026-11-01").join("data.parquet"), &["id", "relanded"], 1);
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        let file = std::fs::File::options()
            .write(true)
            .open(t.join("dt=2026-11-02").join("data.parquet"))
            .unwrap();
        file.set_modified(old).unwrap();
        // An empty file a crash left is not a schema.
        std::fs::create_dir_all(t.join("dt=2026-11-03")).unwrap();
        std::fs::write(t.join("dt=2026-11-03").join("data.parquet"), b"").unwrap();
        let ctx = SessionContext::new();
        register_dir(
            &ctx,
            &TableDir {
                name: "raw_calls".into(),
                path: t,
                partitioned: true,
            },
        )
        .await
        .unwrap();
        let calls = ctx.table("raw_calls").await.unwrap();
        let names: Vec<String> = calls.schema().fields().iter().map(|f| f.name().clone()).collect();
        assert!(
            names.contains(&"later".to_string()) && names.contains(&"relanded".to_string()),
            "{names:?}"
        );
        let ctx = SessionContext::new();
        register_all(&ctx, root.path()).await.unwrap();
        let all = ctx.table("conformed_facts").await.unwrap();
        assert!(all.schema().field_with_unqualified_name("dropped").is_err());
        assert!(all.schema().field_with_unqualified_name("dt").is_ok());
    }
}
