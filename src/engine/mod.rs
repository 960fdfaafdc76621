//! The query engine: one DataFusion session per command, with every warehouse
//! table registered from the layout.

use std::path::Path;

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::{Error, Result};
use crate::warehouse;

pub mod audience;
pub mod build;
pub mod build_scope;
pub mod dateset;
pub mod erlang_udf;
pub mod fingerprint;
pub mod graph;
pub mod incremental;
pub mod key_dates;
pub mod materialize;
pub mod memory_pool;
pub mod model_header;
pub mod models;
pub mod overlap;
pub mod param_tables;
pub mod params_table;
pub mod pii;
pub mod raw_partitions;
pub mod redelivered;

/// A session over the warehouse at `root`, with its tables registered.
pub async fn session(root: &Path) -> Result<(SessionContext, Vec<String>)> {
    let config = SessionConfig::new().with_information_schema(true);
    let ctx = SessionContext::new_with_config(config);
    let tables = warehouse::register_all(&ctx, root).await?;
    register_functions(&ctx);
    Ok((ctx, tables))
}

/// A session for building models: the warehouse tables plus the `params`
/// table and the `customer_key` function, with default engine limits.
pub async fn model_session(root: &Path, params: &crate::config::Params) -> Result<SessionContext> {
    model_session_with(root, params, &crate::config::EngineConfig::default()).await
}

/// A model session whose memory is limited as `engine` says: past the limit,
/// sorts, joins and aggregations spill to disk instead of growing.
pub async fn model_session_with(
    root: &Path,
    params: &crate::config::Params,
    engine: &crate::config::EngineConfig,
) -> Result<SessionContext> {
    model_session_keyed(root, params, engine, pii::hmac_key(root)?).await
}

/// [`model_session_with`] whose `customer_key` uses `key` (see [`pii::resolve_key`]).
pub async fn model_session_keyed(
    root: &Path,
    params: &crate::config::Params,
    engine: &crate::config::EngineConfig,
    key: Vec<u8>,
) -> Result<SessionContext> {
    use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
    use datafusion::execution::memory_pool::TrackConsumersPool;
    use datafusion::execution::runtime_env::RuntimeEnvBuilder;
    let limit = usize::try_from(engine.memory_limit_mb.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX);
    let mut disk = DiskManagerBuilder::default();
    if let Some(dir) = &engine.spill_dir {
        std::fs::create_dir_all(dir).map_err(crate::error::io_err(dir))?;
        disk = disk.with_mode(DiskManagerMode::Directories(vec![dir.into()]));
    }
    if let Some(mb) = engine.max_spill_mb {
        disk = disk.with_max_temp_directory_size(mb.saturating_mul(1024 * 1024));
    }
    let runtime = RuntimeEnvBuilder::new()
        // Tracked: a refusal names the five largest holders of the pool.
        .with_memory_pool(std::sync::Arc::new(TrackConsumersPool::new(
            memory_pool::StartingFairPool::new(limit),
            std::num::NonZeroUsize::new(5).expect("five"),
        )))
        .with_disk_manager_builder(disk)
        .build_arc()?;
    let mut config = SessionConfig::new().with_information_schema(true);
    if let Some(n) = engine.target_partitions {
        config = config.with_target_partitions(n);
    }
    // Every sort partition sets aside this much for its final merge (10 MiB by
    // default): a plan with several sorts (window functions) over many
    // partitions in a small pool exhausts it with set-asides alone. A 128th
    // of the pool each leaves room to work.
    config.options_mut().execution.sort_spill_reservation_bytes = (limit / 128).min(10 * 1024 * 1024);
    // Every operator of a plan holds a batch or more at once, and the larger marts run fifty
    // and more of them: in a small pool, batches of 8192 wide rows alone exhaust it (joins
    // cannot spill). A row per 32 KiB of pool (1024 at least, 8192 from 256 MiB up) keeps
    // each operator's working set a small share of it.
    config = config.with_batch_size((limit / (32 * 1024)).clamp(1024, 8192));
    let ctx = SessionContext::new_with_config_rt(config, runtime);
    let started = std::time::Instant::now();
    let present = warehouse::register_all(&ctx, root).await?;
    register_missing_sources(&ctx, &present)?;
    models::report_time("session: register the warehouse's tables", started);
    let started = std::time::Instant::now();
    raw_partitions::register(&ctx, root)?;
    models::report_time("session: raw_partitions", started);
    let batch = params_table::params_batch(params)?;
    let table = datafusion::datasource::MemTable::try_new(batch.schema(), vec![vec![batch]])?;
    ctx.register_table("params", std::sync::Arc::new(table))?;
    ctx.register_udf(pii::customer_key_udf(key));
    ctx.register_udwf(overlap::kept_after_overlap_udwf());
    register_functions(&ctx);
    param_tables::register(&ctx, params)?;
    let started = std::time::Instant::now();
    register_latest_views(&ctx, root).await?;
    models::report_time("session: re-delivered keys and latest_* views", started);
    Ok(ctx)
}

/// Functions every session has: the build's date bounds, `customer_id`, the Erlang C staffing math.
fn register_functions(ctx: &SessionContext) {
    ctx.register_udf(pii::customer_id_udf());
    ctx.register_udf(build_scope::in_build_udf(None));
    ctx.register_udf(build_scope::build_start_udf(None));
    ctx.register_udf(build_scope::build_end_udf(None));
    for f in erlang_udf::erlang_udfs() {
        ctx.register_udf(f);
    }
}

/// `latest_<system>_<table>`: each key's latest delivery (later folder, then
/// file, then line), for models to read instead of the raw table. Landing
/// dedupes within a date; a key whose date changed between deliveries sits in
/// two partitions, and this keeps the newer. Snapshots keep one row per key
/// and snapshot date. The keys in more than one partition come from
/// [`redelivered`], brought up to date first.
async fn register_latest_views(ctx: &SessionContext, root: &Path) -> Result<()> {
    for t in crate::schema::TABLES {
        if !t.is_snapshot() {
            let started = std::time::Instant::now();
            redelivered::refresh(ctx, root, t).await?;
            models::report_time(&format!("session: re-delivered keys of {}", t.qualified()), started);
        }
        let view = ctx.sql(&latest_view_sql(t, None)).await?.into_view();
        ctx.register_table(latest_view_name(t).as_str(), view)?;
    }
    Ok(())
}

/// `latest_<system>_<table>`.
pub fn latest_view_name(t: &crate::schema::TableDef) -> String {
    format!("latest_{}_{}", t.system, t.name)
}

/// The query of `t`'s `latest_*` view: every date, or only the rows of
/// `dates` — still each key's latest delivery over every date, so a key
/// delivered again on a date outside `dates` is not kept at its old date.
///
/// A partition holds one row per key (landing keeps the latest), so a row is
/// superseded only by a later delivery of its key into another partition:
/// the deliveries [`redelivered`] lists, ranked, tell which rows (key and
/// `dt`) lose. They are the small side of an anti join the raw rows stream
/// past: one scan of the dates read, however long the history. A snapshot's
/// key includes its date, so its rows are its latest.
pub fn latest_view_sql(t: &crate::schema::TableDef, dates: Option<&dateset::DateSet>) -> String {
    let columns: Vec<String> = t
        .raw_schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .chain(std::iter::once("dt".to_string()))
        .collect();
    let raw = t.raw_table_name();
    let cond = dates.map_or_else(|| "true".to_string(), |d| d.sql_condition("dt"));
    if t.is_snapshot() {
        return format!("SELECT {} FROM {raw} WHERE {cond}", columns.join(", "));
    }
    let key = t.key.join(", ");
    let on: Vec<String> = t
        .key
        .iter()
        .chain(std::iter::once(&"dt"))
        .map(|k| format!("s.{k} = r.{k}"))
        .collect();
    let cols: Vec<String> = columns.iter().map(|c| format!("r.{c}")).collect();
    format!(
        "WITH superseded AS (SELECT {key}, dt FROM (SELECT {key}, dt, ROW_NUMBER() OVER (PARTITION BY {key} \
         ORDER BY _src_folder DESC, _src_file DESC, _src_line DESC) AS delivery_rank FROM {redelivered}) \
         WHERE delivery_rank > 1 AND {cond}) \
         SELECT {cols} FROM superseded AS s RIGHT ANTI JOIN (SELECT * FROM {raw} WHERE {cond}) AS r ON {on}",
        redelivered = redelivered::table_name(t),
        cols = cols.join(", "),
        on = on.join(" AND "),
    )
}

/// A source never delivered (a site without QA data, a test fixture without
/// exams) is an empty raw table, so every model still plans.
fn register_missing_sources(ctx: &SessionContext, present: &[String]) -> Result<()> {
    for t in crate::schema::TABLES {
        let name = t.raw_table_name();
        if present.contains(&name) {
            continue;
        }
        let mut fields = t.raw_schema().fields().to_vec();
        fields.push(std::sync::Arc::new(datafusion::arrow::datatypes::Field::new(
            "dt",
            datafusion::arrow::datatypes::DataType::Date32,
            false,
        )));
        let schema = std::sync::Arc::new(datafusion::arrow::datatypes::Schema::new(fields));
        let table = datafusion::datasource::MemTable::try_new(schema, vec![vec![]])?;
        ctx.register_table(name.as_str(), std::sync::Arc::new(table))?;
    }
    Ok(())
}

/// Refuse anything but one read-only query (SELECT, WITH, VALUES, EXPLAIN of
/// those, SHOW, DESCRIBE) before it is planned: planning an `INSERT` into an
/// unknown table would otherwise fail with a misleading "table not found".
pub fn ensure_read_only(sql: &str) -> Result<()> {
    use datafusion::sql::parser::{DFParser, Statement};
    use datafusion::sql::sqlparser::ast::Statement as Sql;
    fn allowed(s: &Statement) -> bool {
        match s {
            Statement::Statement(s) => {
                matches!(
                    **s,
                    Sql::Query(_) | Sql::ShowTables { .. } | Sql::ShowColumns { .. } | Sql::ExplainTable { .. }
                )
            }
            Statement::Explain(e) => allowed(&e.statement),
            _ => false,
        }
    }
    let statements = DFParser::parse_sql(sql)?;
    if statements.len() != 1 {
        return Err(Error::NotAQuery(format!(
            "give exactly one statement, found {}",
            statements.len()
        )));
    }
    let s = statements.front().expect("one statement");
    if !allowed(s) {
        let text = s.to_string();
        let verb: String = text.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        return Err(Error::NotAQuery(format!(
            "`{verb} …` would change data or settings; use SELECT"
        )));
    }
    Ok(())
}

/// Run a read-only query. DDL, DML and statements (SET, COPY, INSERT,
/// CREATE …) are refused before anything executes.
pub async fn query(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
    ensure_read_only(sql)?;
    let options = SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false);
    let df = ctx
        .sql_with_options(sql, options)
        .await
        .map_err(|e| match e.find_root() {
            datafusion::error::DataFusionError::Plan(msg)
                if msg.contains("not supported") || msg.contains("Unsupported") =>
            {
                Error::NotAQuery(msg.clone())
            }
            _ => Error::DataFusion(e),
        })?;
    Ok(df.collect().await?)
}
