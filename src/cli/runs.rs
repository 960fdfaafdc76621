//! `callcube runs [show ID]`: the run ledger (`ledger_runs` and friends).

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use crate::cli::sql::{OutputFormat, print_batches, warehouse_url};
use crate::engine;
use crate::warehouse::{Warehouse, WarehouseUrl};

#[derive(Debug, Args)]
pub struct RunsArgs {
    #[command(subcommand)]
    command: Option<RunsCommand>,
    /// Warehouse path or URL (env CALLCUBE_WAREHOUSE; default ./warehouse).
    #[arg(long, global = true)]
    warehouse: Option<String>,
    /// Take the warehouse from this pipeline instead (and list only its runs).
    #[arg(long, global = true, conflicts_with = "warehouse")]
    pipeline: Option<String>,
    /// How many runs to list, latest first.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table, global = true)]
    format: OutputFormat,
}

#[derive(Debug, Subcommand)]
enum RunsCommand {
    /// One run: its record, dates, inputs, rows per table, the tables it built and why, and
    /// data-quality checks.
    Show {
        /// Run id (a unique prefix is enough).
        id: String,
    },
}

pub fn run(args: RunsArgs) -> Result<ExitCode> {
    let url = warehouse_url(args.warehouse.as_deref(), args.pipeline.as_deref())?;
    let WarehouseUrl::Local(root) = &url else {
        bail!("{url}: this version reads the ledger of local warehouses only");
    };
    let wh = Warehouse::open(&url)?;
    let pipeline_name = match &args.pipeline {
        Some(p) => Some(
            crate::config::Pipeline::load(
                &crate::config::locate(p),
                &crate::config::Overrides::from_flags_and_env(None, None),
            )?
            .name,
        ),
        None => None,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let (ctx, tables) = engine::session(wh.root()).await?;
        if !tables.iter().any(|t| t == "ledger_runs") {
            println!("no runs recorded in {}", root.display());
            return Ok(ExitCode::SUCCESS);
        }
        // A run still marked running while nobody holds its pipeline's lock was killed.
        let live: Vec<String> = pipelines(&ctx)
            .await?
            .into_iter()
            .filter(|p| crate::ops::lock::is_held(wh.root(), p))
            .collect();
        let live_list = if live.is_empty() {
            "''".to_string()
        } else {
            live.iter()
                .map(|p| format!("'{}'", p.replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let status =
            format!("CASE WHEN status = 'running' AND pipeline NOT IN ({live_list}) THEN 'killed' ELSE status END");
        match &args.command {
            None => {
                let filter = pipeline_name
                    .as_ref()
                    .map(|p| format!("WHERE pipeline = '{}'", p.replace('\'', "''")))
                    .unwrap_or_default();
                let sql = format!(
                    "SELECT run_id, pipeline, trigger, {status} AS status, dates, skipped_dates, late_dates, \
                     CAST(started_at AS VARCHAR) AS started_at, seconds, error \
                     FROM ledger_runs {filter} ORDER BY started_at DESC LIMIT {}",
                    args.limit
                );
                print_batches(&engine::query(&ctx, &sql).await?, args.format)?;
            }
            Some(RunsCommand::Show { id }) => {
                let id = resolve(&ctx, id).await?;
                let key_fingerprint = column_or_null(&ctx, "ledger_runs", "key_fingerprint", "VARCHAR").await?;
                let rows_duplicate = column_or_null(&ctx, "ledger_run_tables", "rows_duplicate", "BIGINT").await?;
                let q = |sql: String| {
                    let ctx = &ctx;
                    async move { engine::query(ctx, &sql).await }
                };
                println!("run");
                print_batches(
                    &q(format!(
                        "SELECT run_id, pipeline, trigger, {status} AS status, dates, skipped_dates, late_dates, \
                         took_over_lock, params_hash, {key_fingerprint}, CAST(started_at AS VARCHAR) AS started_at, \
                         CAST(finished_at AS VARCHAR) AS finished_at, seconds, error \
                         FROM ledger_runs WHERE run_id = '{id}'"
                    ))
                    .await?,
                    args.format,
                )?;
                for (title, table, sql) in [
                    (
                        "dates",
                        "ledger_run_dates",
                        format!(
                            "SELECT business_date, action, late_partitions, inputs_fingerprint \
                             FROM ledger_run_dates WHERE run_id = '{id}' ORDER BY business_date"
                        ),
                    ),
                    (
                        "inputs (per table and date)",
                        "ledger_run_inputs",
                        format!(
                            "SELECT folder_date, table_name, COUNT(*) AS files, SUM(bytes) AS bytes \
                             FROM ledger_run_inputs WHERE run_id = '{id}' \
                             GROUP BY folder_date, table_name ORDER BY folder_date, table_name"
                        ),
                    ),
                    (
                        "tables",
                        "ledger_run_tables",
                        format!(
                            "SELECT stage, table_name, folder_date, rows_read, rows_rejected, {rows_duplicate}, rows_written, \
                             round(seconds, 2) AS seconds \
                             FROM ledger_run_tables WHERE run_id = '{id}' ORDER BY stage DESC, folder_date, table_name"
                        ),
                    ),
                    (
                        "tables built (why, and the definition each was built from)",
                        "ledger_run_models",
                        format!(
                            "SELECT table_name, reason, dates, substr(fingerprint, 1, 12) AS fingerprint \
                             FROM ledger_run_models WHERE run_id = '{id}' ORDER BY table_name"
                        ),
                    ),
                    (
                        "data-quality checks",
                        "ledger_run_checks",
                        format!(
                            "SELECT check_name, severity, passed, detail \
                             FROM ledger_run_checks WHERE run_id = '{id}' ORDER BY passed, check_name"
                        ),
                    ),
                ] {
                    if !ctx.table_exist(table)? {
                        continue;
                    }
                    println!("\n{title}");
                    print_batches(&q(sql).await?, args.format)?;
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `column`, or a NULL standing in for it when no file of a ledger written by
/// an earlier version has it (a column added later is NULL in older files).
async fn column_or_null(
    ctx: &datafusion::prelude::SessionContext,
    table: &str,
    column: &str,
    sql_type: &str,
) -> Result<String> {
    let present = ctx.table_exist(table)?
        && ctx
            .table(table)
            .await?
            .schema()
            .has_column_with_unqualified_name(column);
    Ok(if present {
        column.to_string()
    } else {
        format!("CAST(NULL AS {sql_type}) AS {column}")
    })
}

async fn pipelines(ctx: &datafusion::prelude::SessionContext) -> Result<Vec<String>> {
    let batches = engine::query(ctx, "SELECT DISTINCT pipeline FROM ledger_runs").await?;
    Ok(crate::cli::sql::column_strings(&batches, 0))
}

/// The run id that `prefix` names, or why none.
async fn resolve(ctx: &datafusion::prelude::SessionContext, prefix: &str) -> Result<String> {
    let safe = prefix.replace('\'', "''");
    let batches = engine::query(
        ctx,
        &format!("SELECT run_id FROM ledger_runs WHERE starts_with(run_id, '{safe}') ORDER BY run_id"),
    )
    .await?;
    let ids = crate::cli::sql::column_strings(&batches, 0);
    match ids.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("no run `{prefix}` in the ledger (`callcube runs` lists them)"),
        many => bail!("`{prefix}` names {} runs: {}", many.len(), many.join(", ")),
    }
}
