//! SQL models: `sql/<layer>/<name>.sql` is one `SELECT` whose result is the
//! table `<layer>_<name>`, stored at `<warehouse>/<layer>/<name>/`. The order
//! of execution comes from the tables each query reads (a DAG), never from a
//! hand-kept list.
//!
//! A result with a `dt` (date) column is written one file per date
//! (`dt=YYYY-MM-DD/data.parquet`); otherwise as one `data.parquet`. Results
//! stream into staging folders (never collected whole) and later models read
//! the staged Parquet. Every model is rebuilt whole and swapped in only after
//! all models succeeded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::Schema;
use datafusion::datasource::MemTable;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::DFParser;
use datafusion::sql::resolve::resolve_table_references;

use crate::engine::dateset::DateSet;
use crate::engine::materialize;
use crate::engine::model_header::{self, Header};
use crate::error::{Error, Result, io_err};
use crate::warehouse::{self, partitions, stream_writer::Written, stream_writer::write_stream};

/// One SQL model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Table name: `<layer>_<name>`.
    pub table: String,
    /// Folder below the warehouse root: `<layer>/<name>`.
    pub dir: String,
    /// The `.sql` file.
    pub path: PathBuf,
    /// Its query.
    pub sql: String,
    /// Tables it reads (models or warehouse tables), sorted.
    pub reads: Vec<String>,
    /// Its declared kind and input windows (`-- kind:`, `-- window:`).
    pub header: Header,
}

/// Every model under `sql_dir`, in an order where each runs after what it reads.
pub fn load(sql_dir: &Path) -> Result<Vec<Model>> {
    let mut files = Vec::new();
    collect(sql_dir, &mut files)?;
    files.sort();
    let mut models = Vec::new();
    for path in files {
        let rel = path.strip_prefix(sql_dir).unwrap_or(&path).with_extension("");
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        let sql = std::fs::read_to_string(&path).map_err(io_err(&path))?;
        let bad = |reason: String| Error::BadFile {
            file: path.clone(),
            reason,
        };
        let statements = DFParser::parse_sql(&sql).map_err(|e| bad(format!("SQL does not parse: {e}")))?;
        if statements.len() != 1 {
            return Err(bad(format!(
                "a model is one SELECT, found {} statements",
                statements.len()
            )));
        }
        let statement = statements.front().expect("one statement");
        let is_query = matches!(statement, datafusion::sql::parser::Statement::Statement(s)
            if matches!(**s, datafusion::sql::sqlparser::ast::Statement::Query(_)));
        if !is_query {
            return Err(bad("a model must be a plain SELECT query".to_string()));
        }
        let (tables, _ctes) = resolve_table_references(statement, true).map_err(|e| bad(e.to_string()))?;
        let mut reads: BTreeSet<String> = tables.iter().map(|t| t.table().to_string()).collect();
        let header = model_header::parse(&sql).map_err(|e| bad(format!("header, {e}")))?;
        let table = parts.join("_");
        // A carrying model reads its own earlier rows: not an input it waits for.
        if header.carry.is_some() && !reads.remove(&table) {
            return Err(bad(format!(
                "header: `carry` declares that the model reads its own table, but it never reads `{table}`"
            )));
        }
        if let Some(t) = header
            .windows
            .keys()
            .chain(header.keys.keys())
            .find(|t| !reads.contains(*t))
        {
            return Err(bad(format!(
                "header: a window for `{t}`, which the model does not read"
            )));
        }
        // A home gives output dates from its current rows: it must be built before the model.
        let homes = header.keys.values().flatten().flat_map(|k| &k.homes);
        if let Some(h) = homes
            .into_iter()
            .find(|h| *h != model_header::SELF_HOME && !reads.contains(*h))
        {
            return Err(bad(format!(
                "header: a key window's home `{h}` must be `self` or a table the model reads"
            )));
        }
        models.push(Model {
            table,
            dir: parts.join("/"),
            path: path.clone(),
            sql,
            reads: reads.into_iter().collect(),
            header,
        });
    }
    order(models)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(dir)(e)),
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "sql") {
            out.push(p);
        }
    }
    Ok(())
}

/// Topological order (Kahn), ties broken by name so runs are reproducible.
fn order(models: Vec<Model>) -> Result<Vec<Model>> {
    let names: BTreeSet<String> = models.iter().map(|m| m.table.clone()).collect();
    let mut waiting: BTreeMap<String, BTreeSet<String>> = models
        .iter()
        .map(|m| {
            (
                m.table.clone(),
                m.reads
                    .iter()
                    .filter(|r| names.contains(*r) && **r != m.table)
                    .cloned()
                    .collect(),
            )
        })
        .collect();
    if let Some(m) = models.iter().find(|m| m.reads.contains(&m.table)) {
        return Err(Error::BadFile {
            file: m.path.clone(),
            reason: format!(
                "model `{}` reads itself (a model carrying its earlier rows declares `-- carry:`)",
                m.table
            ),
        });
    }
    let mut by_name: BTreeMap<String, Model> = models.into_iter().map(|m| (m.table.clone(), m)).collect();
    let mut out = Vec::new();
    while !waiting.is_empty() {
        let ready: Vec<String> = waiting
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(n, _)| n.clone())
            .collect();
        if ready.is_empty() {
            let cycle: Vec<&String> = waiting.keys().collect();
            let first = &by_name[cycle[0]];
            return Err(Error::BadFile {
                file: first.path.clone(),
                reason: format!(
                    "models read each other in a cycle: {}",
                    cycle.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        for n in ready {
            waiting.remove(&n);
            for deps in waiting.values_mut() {
                deps.remove(&n);
            }
            out.push(by_name.remove(&n).expect("each model once"));
        }
    }
    Ok(out)
}

/// Names a table whose physical plan, with each operator's metrics (rows,
/// time, memory of hash joins), is printed to stderr once it is built or failed:
/// how to find which step of a model holds the memory.
pub const ENV_PROFILE: &str = "CALLCUBE_PROFILE";

/// Set (to anything), every query run through [`collect_sql`] (the metric
/// marts' queries) and each step of a run before its models (the session,
/// the build state, the changed dates) prints its seconds and what it was
/// for to stderr: how to find which step takes the time.
pub const ENV_QUERY_TIMES: &str = "CALLCUBE_QUERY_TIMES";

/// Rows written per model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCounts {
    /// Table name.
    pub table: String,
    /// Rows written.
    pub rows: u64,
    /// Wall time to compute and stage it.
    pub seconds: f64,
}

impl ModelCounts {
    /// The count of the table in folder `dir`, started at `started`.
    pub fn of(dir: &str, rows: u64, started: std::time::Instant) -> ModelCounts {
        ModelCounts {
            table: dir.replace('/', "_"),
            rows,
            seconds: started.elapsed().as_secs_f64(),
        }
    }
}

/// Told the folder of each staged table.
type Observer = Box<dyn Fn(&str) + Send>;

/// Tables written by a run but not yet visible: each lands in a hidden
/// folder beside its destination and is swapped in by [`Staging::commit`].
pub struct Staging {
    root: PathBuf,
    run_id: String,
    staged: Vec<(PathBuf, PathBuf)>,
    /// Told the folder of each table once it is staged (progress reporting).
    observer: Option<Observer>,
    /// The dates the tables staged next rebuild (`None`: every date). The
    /// published partitions outside it are carried over unchanged.
    scope: Option<DateSet>,
    /// For a `full` model that carries its published rows: the first input date
    /// it reads again (`build_start()`); the table itself is written whole.
    merge_from: Option<i64>,
    /// Where a scope open above ends: the last date of the node's dated inputs
    /// and its own table (`build_end()`).
    span_end: Option<i64>,
    /// Per staged table, the dates whose rows differ from the published table's.
    changed: BTreeMap<String, DateSet>,
    /// Folders staged so far: a table rebuilt in batches gets a new one per batch.
    folders: usize,
}

impl std::fmt::Debug for Staging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staging")
            .field("root", &self.root)
            .field("run_id", &self.run_id)
            .field("staged", &self.staged)
            .finish_non_exhaustive()
    }
}

impl Staging {
    pub fn new(root: &Path, run_id: &str) -> Staging {
        Staging {
            root: root.to_path_buf(),
            run_id: run_id.to_string(),
            staged: Vec::new(),
            observer: None,
            scope: None,
            merge_from: None,
            span_end: None,
            changed: BTreeMap::new(),
            folders: 0,
        }
    }

    /// The warehouse root the tables are staged for.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Rebuild only `dates` of the tables staged next (`None` or every date: whole tables).
    pub fn set_scope(&mut self, dates: Option<DateSet>) {
        self.scope = dates.filter(|d| !d.is_all());
    }

    /// The dates the tables staged next are rebuilt for (`None`: every date).
    pub fn scope(&self) -> Option<&DateSet> {
        self.scope.as_ref()
    }

    /// The last date of the dated inputs and own table of the node staged
    /// next: where `build_end()` puts the end of a scope open above.
    pub fn set_span_end(&mut self, last: Option<i64>) {
        self.span_end = last;
    }

    /// What `build_end()` answers: the scope's last date, or where its
    /// inputs end when it is open above; `None` without a scope.
    fn build_end(&self) -> Option<i64> {
        let scope = self.scope.as_ref().filter(|s| !s.is_empty())?;
        scope.last().or(self.span_end)
    }

    /// A `full` model staged next merges its published rows with its inputs'
    /// rows from `from` on (`None`: it reads every input row, a whole build).
    pub fn set_merge_from(&mut self, from: Option<i64>) {
        self.merge_from = from;
    }

    /// What `build_start()` answers: the first date of the scope, else the merge's first date.
    fn build_start(&self) -> Option<DateSet> {
        match (&self.scope, self.merge_from) {
            (Some(scope), _) => Some(scope.clone()),
            (None, Some(from)) => Some(DateSet::from(from)),
            (None, None) => None,
        }
    }

    /// The dates of `table` (SQL name) that its staged rebuild changed; `None` if not staged.
    pub fn changed(&self, table: &str) -> Option<&DateSet> {
        self.changed.get(table)
    }

    /// The folder `table` (SQL name) is staged in, if it is.
    pub fn staged_dir(&self, table: &str) -> Option<&Path> {
        self.staged
            .iter()
            .find(|(_, dest)| {
                dest.strip_prefix(&self.root)
                    .is_ok_and(|d| d.to_string_lossy().replace('/', "_") == table)
            })
            .map(|(tmp, _)| tmp.as_path())
    }

    /// Call `observer` with each table's folder once it is staged.
    pub fn observe(&mut self, observer: impl Fn(&str) + Send + 'static) {
        self.observer = Some(Box::new(observer));
    }

    /// A scratch folder beside `<root>/<dir>` for the model's CTE `name`
    /// (see [`materialize`]); crash recovery removes it like a staging folder.
    pub fn scratch_dir(&self, dir: &str, name: &str) -> PathBuf {
        let dest = self.root.join(dir);
        dest.with_file_name(format!(
            ".{}.{}.cte-{name}.tmp",
            dest.file_name().expect("table dir").to_string_lossy(),
            self.run_id
        ))
    }

    /// A fresh hidden folder beside `<root>/<dir>`, to be swapped in by
    /// [`Staging::commit`], and the folder of the batch staged before it in
    /// this run, if any: it leaves the list, its partitions to be carried over.
    fn stage_dir(&mut self, dir: &str) -> (PathBuf, Option<PathBuf>) {
        let dest = self.root.join(dir);
        let earlier = self.staged.iter().position(|(_, d)| *d == dest);
        let previous = earlier.map(|i| self.staged.remove(i).0);
        self.folders += 1;
        let batch = match &previous {
            Some(_) => format!("-{}", self.folders),
            None => String::new(),
        };
        let tmp = dest.with_file_name(format!(
            ".{}.{}{batch}.tmp",
            dest.file_name().expect("table dir").to_string_lossy(),
            self.run_id
        ));
        let _ = std::fs::remove_dir_all(&tmp);
        self.staged.push((tmp.clone(), dest));
        (tmp, previous)
    }

    /// Stream `stream` into the table at `<root>/<dir>` (one file per `dt`,
    /// or one file) and register the staged folder in `ctx` as the table
    /// `<dir with / as _>`, so what is built next reads it from Parquet.
    pub async fn stage_stream(
        &mut self,
        ctx: &SessionContext,
        dir: &str,
        stream: SendableRecordBatchStream,
    ) -> Result<Written> {
        let (tmp, previous) = self.stage_dir(dir);
        let pool = Arc::clone(&ctx.runtime_env().memory_pool);
        let published = self.root.join(dir);
        let written = match write_stream(&tmp, stream, &pool, published.exists()).await {
            Ok(w) => w,
            Err(e) => {
                // As if never tried: the batch can be built again, smaller (see `incremental`).
                self.staged.retain(|(t, _)| *t != tmp);
                let _ = std::fs::remove_dir_all(&tmp);
                if let Some(previous) = previous {
                    self.staged.push((previous, published));
                }
                return Err(e);
            }
        };
        let changed = partitions::changed_dates(&published, &written, self.scope.as_ref());
        let mut partitioned = written.partitioned;
        // A table rebuilt in batches of dates carries over the batch before's partitions.
        let base = previous.as_deref().unwrap_or(&published);
        if let Some(scope) = &self.scope {
            if !written.partitioned && written.rows > 0 {
                return Err(Error::BadFile {
                    file: published,
                    reason: "rebuilt for some dates, but the result has no `dt` date column \
                             (declare the model `-- kind: full`)"
                        .into(),
                });
            }
            let linked = partitions::link_partitions(base, &tmp, |d| !scope.contains(d))?;
            if linked > 0 && !written.partitioned {
                // No rows on the rebuilt dates: the kept partitions are the table.
                let empty = tmp.join(warehouse::DATA_FILE);
                std::fs::remove_file(&empty).map_err(io_err(&empty))?;
                partitioned = true;
            }
        }
        if let Some(previous) = previous {
            let _ = std::fs::remove_dir_all(previous);
        }
        self.changed.entry(dir.replace('/', "_")).or_default().union(&changed);
        warehouse::register_dir(
            ctx,
            &warehouse::TableDir {
                name: dir.replace('/', "_"),
                path: tmp,
                partitioned,
            },
        )
        .await?;
        if let Some(o) = &self.observer {
            o(dir);
        }
        Ok(written)
    }

    /// Run `sql` and stream its result into the table at `<root>/<dir>`; a
    /// failure says `what` was being built. Only the rows of the staging's
    /// scope (its `dt` in the dates rebuilt) are kept.
    pub async fn stage_sql(&mut self, ctx: &SessionContext, dir: &str, sql: &str, what: &str) -> Result<Written> {
        let failed = |source| Error::Query {
            what: what.to_string(),
            source,
        };
        let mut df = ctx.sql(sql).await.map_err(failed)?;
        if let Some(scope) = &self.scope {
            if !df.schema().has_column_with_unqualified_name("dt") {
                return Err(Error::BadFile {
                    file: self.root.join(dir),
                    reason: format!("{what} is rebuilt by date, but its result has no `dt` column"),
                });
            }
            df = df.filter(scope.predicate("dt")).map_err(failed)?;
        }
        let table = dir.replace('/', "_");
        let profiled = std::env::var(ENV_PROFILE).is_ok_and(|t| t == table);
        let plan = df.create_physical_plan().await.map_err(failed)?;
        let stream = datafusion::physical_plan::execute_stream(Arc::clone(&plan), ctx.task_ctx()).map_err(failed)?;
        let staged = self.stage_stream(ctx, dir, stream).await.map_err(|e| match e {
            Error::DataFusion(source) => failed(source),
            other => other,
        });
        if profiled {
            let shown = datafusion::physical_plan::display::DisplayableExecutionPlan::with_metrics(plan.as_ref());
            eprintln!(
                "{ENV_PROFILE}: the plan of `{table}`, with what each step did:\n{}",
                shown.indent(true)
            );
        }
        staged
    }

    /// Stage a result computed in memory (small code-written marts).
    pub async fn stage_batch(&mut self, ctx: &SessionContext, dir: &str, batch: RecordBatch) -> Result<Written> {
        let stream = RecordBatchStreamAdapter::new(batch.schema(), futures::stream::iter(vec![Ok(batch)]));
        self.stage_stream(ctx, dir, Box::pin(stream)).await
    }

    /// Swap every staged table in.
    pub fn commit(self) -> Result<()> {
        for (tmp, dest) in &self.staged {
            swap_dir(tmp, dest, &self.run_id)?;
        }
        Ok(())
    }

    /// Commit after a successful build, discard after a failed one; the build's result either way.
    pub fn finish<T>(self, build: Result<T>) -> Result<T> {
        match build {
            Ok(v) => {
                self.commit()?;
                Ok(v)
            }
            Err(e) => {
                self.discard();
                Err(e)
            }
        }
    }

    /// Drop every staged table; what was there stays.
    pub fn discard(self) {
        for (tmp, _) in self.staged {
            let _ = std::fs::remove_dir_all(tmp);
        }
    }
}

/// Run every model in order against `ctx`, staging the results; swap them all
/// in at the end. A failing model names its file and leaves every table as it was.
pub async fn run_all(ctx: &SessionContext, root: &Path, models: &[Model], run_id: &str) -> Result<Vec<ModelCounts>> {
    let mut staging = Staging::new(root, run_id);
    let built = run_into(ctx, models, &mut staging).await;
    staging.finish(built)
}

/// Run every model in order, streaming each result into staging and
/// registering the staged Parquet in `ctx` for the models and marts that read it.
pub async fn run_into(ctx: &SessionContext, models: &[Model], staging: &mut Staging) -> Result<Vec<ModelCounts>> {
    let mut counts = Vec::new();
    // `in_build(dt)` answers for the dates being rebuilt while the models run, and for every
    // date afterwards.
    ctx.register_udf(crate::engine::build_scope::in_build_udf(staging.scope()));
    ctx.register_udf(crate::engine::build_scope::build_start_udf(
        staging.build_start().as_ref(),
    ));
    ctx.register_udf(crate::engine::build_scope::build_end_udf(staging.build_end()));
    let built = run_each(ctx, models, staging, &mut counts).await;
    ctx.register_udf(crate::engine::build_scope::in_build_udf(None));
    ctx.register_udf(crate::engine::build_scope::build_start_udf(None));
    ctx.register_udf(crate::engine::build_scope::build_end_udf(None));
    built.map(|()| counts)
}

async fn run_each(
    ctx: &SessionContext,
    models: &[Model],
    staging: &mut Staging,
    counts: &mut Vec<ModelCounts>,
) -> Result<()> {
    for m in models {
        let started = std::time::Instant::now();
        let as_written;
        let ctx = match m.header.joins_as_written {
            true => {
                as_written = joins_as_written(ctx);
                &as_written
            }
            false => ctx,
        };
        if let Some(columns) = &m.header.carry {
            let whole = staging.build_start().and_then(|d| d.first()).is_none();
            register_carried(ctx, &m.table, columns, whole).await?;
        }
        let what = format!("model `{}`", m.table);
        let in_file = |e: Error| Error::BadFile {
            file: m.path.clone(),
            reason: e.to_string(),
        };
        let materialized = match m.header.materialize.is_empty() {
            true => None,
            false => Some(
                materialize::materialize(
                    ctx,
                    &m.sql,
                    &m.header.materialize,
                    |cte| staging.scratch_dir(&m.dir, cte),
                    &what,
                )
                .await
                .map_err(in_file)?,
            ),
        };
        let sql = materialized.as_ref().map_or(m.sql.as_str(), |x| x.sql.as_str());
        let written = staging.stage_sql(ctx, &m.dir, sql, &what).await;
        if let Some(x) = materialized {
            x.drop_scratch(ctx);
        }
        let written = written.map_err(in_file)?;
        counts.push(ModelCounts::of(&m.dir, written.rows, started));
    }
    Ok(())
}

/// What a carrying model reads of its own table when it was never built, or
/// in a whole build (`whole`: no `build_start()`, so it reads none of its
/// rows): no rows, the declared columns and `dt`. A whole build must not plan
/// against the published table, which an older definition may have written
/// without the columns declared now (a changed definition rebuilds whole).
async fn register_carried(ctx: &SessionContext, table: &str, columns: &[(String, String)], whole: bool) -> Result<()> {
    if ctx.table_exist(table)? {
        if !whole {
            return Ok(());
        }
        ctx.deregister_table(table)?;
    }
    let columns: Vec<String> = columns
        .iter()
        .map(|(c, t)| format!("CAST(NULL AS {t}) AS {c}"))
        .chain(["CAST(NULL AS DATE) AS dt".to_string()])
        .collect();
    let empty = ctx.sql(&format!("SELECT {} WHERE false", columns.join(", "))).await?;
    ctx.register_table(table, empty.into_view())?;
    Ok(())
}

/// `ctx` (its tables, memory pool and functions) with joins planned as written:
/// the optimiser does not swap a join's inputs, so the left one is what a hash
/// join holds in memory; and without join dynamic filters (see below).
pub fn joins_as_written(ctx: &SessionContext) -> SessionContext {
    let mut state = ctx.state();
    let optimizer = &mut state.config_mut().options_mut().optimizer;
    optimizer.join_reordering = false;
    // A small left side held as written is often empty in some partitions, and a
    // partitioned hash join with dynamic filters then waits forever for them
    // (apache/datafusion#21625; night 24 of the growth run hung in the tags).
    optimizer.enable_join_dynamic_filter_pushdown = false;
    SessionContext::new_with_state(state)
}

/// With [`ENV_QUERY_TIMES`] set, print the seconds since `started` that `what` took.
pub fn report_time(what: &str, started: std::time::Instant) {
    if std::env::var_os(ENV_QUERY_TIMES).is_some() {
        eprintln!("{ENV_QUERY_TIMES}: {:.3} s {what}", started.elapsed().as_secs_f64());
    }
}

/// Run `sql` and gather its result in one batch; a failure says `what` was being built.
pub async fn collect_sql(ctx: &SessionContext, sql: &str, what: &str) -> Result<RecordBatch> {
    let failed = |source| Error::Query {
        what: what.to_string(),
        source,
    };
    let started = std::time::Instant::now();
    let df = ctx.sql(sql).await.map_err(failed)?;
    let logical: Arc<Schema> = Arc::new(df.schema().as_arrow().clone());
    let batches = df.collect().await.map_err(failed)?;
    report_time(what, started);
    // The physical types (e.g. Utf8View from Parquet) can differ from the logical ones.
    let schema = batches.first().map_or(logical, |b| b.schema());
    Ok(concat_batches(&schema, &batches)?)
}

/// Make `batch` readable as `table` in `ctx`, replacing what had that name.
pub fn register_batch(ctx: &SessionContext, table: &str, batch: RecordBatch) -> Result<()> {
    let _ = ctx.deregister_table(table);
    ctx.register_table(table, Arc::new(MemTable::try_new(batch.schema(), vec![vec![batch]])?))?;
    Ok(())
}

/// Replace `dest` by `tmp`. The old folder is moved aside first and removed
/// after; if a crash falls between the two renames, the next run's
/// [`recover_swaps`] puts the old folder back.
fn swap_dir(tmp: &Path, dest: &Path, run_id: &str) -> Result<()> {
    let aside = dest.with_file_name(format!(
        ".{}.{run_id}.old",
        dest.file_name().expect("model dir").to_string_lossy()
    ));
    if dest.exists() {
        std::fs::rename(dest, &aside).map_err(io_err(dest))?;
    }
    std::fs::rename(tmp, dest).map_err(io_err(dest))?;
    let _ = std::fs::remove_dir_all(&aside);
    Ok(())
}

/// Undo half-finished swaps and remove staging folders left by a killed run.
pub fn recover_swaps(root: &Path, dirs: &[String]) {
    for dir in dirs {
        let dest = root.join(dir);
        let (Some(parent), Some(name)) = (dest.parent(), dest.file_name()) else {
            continue;
        };
        let name = name.to_string_lossy().to_string();
        let Ok(entries) = std::fs::read_dir(parent) else {
            continue;
        };
        for e in entries.flatten() {
            let f = e.file_name().to_string_lossy().to_string();
            if f.starts_with(&format!(".{name}.")) && f.ends_with(".old") && !dest.exists() {
                let _ = std::fs::rename(e.path(), &dest);
            } else if f.starts_with(&format!(".{name}.")) && (f.ends_with(".tmp") || f.ends_with(".old")) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `build_end()`: the scope's last date; for a scope open above, where the node's inputs end;
    /// nothing without a scope (a whole build).
    #[test]
    fn build_end_is_the_scopes_last_date_or_where_the_inputs_end() {
        let mut staging = Staging::new(Path::new("unused"), "run");
        staging.set_span_end(Some(40));
        assert_eq!(staging.build_end(), None, "a whole build");
        staging.set_scope(Some(DateSet::range(10, 12)));
        assert_eq!(staging.build_end(), Some(12));
        staging.set_scope(Some(DateSet::from(10)));
        assert_eq!(staging.build_end(), Some(40), "open above: the inputs' last date");
        staging.set_span_end(None);
        assert_eq!(staging.build_end(), None, "open above, no dated input");
    }
}
