//! `callcube run PIPELINE --date D` (or `--from D1 --to D2`).

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::catalog::query::Finality;
use crate::config::{Overrides, Pipeline, locate};
use crate::engine::build::{Definitions, build_into};
use crate::engine::models::Staging;
use crate::engine::{self, models};
use crate::ingest::{TableCounts, land_day};
use crate::ledger::{self, LandingRecord};
use crate::timefmt::{date_string, parse_date};
use crate::warehouse::Warehouse;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Pipeline name (`pipelines/<name>.toml`) or path to a pipeline file.
    pipeline: String,
    /// Business date to run, YYYY-MM-DD.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    date: Option<String>,
    /// First business date of a range (with --to), run in order.
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// Last business date of a range (inclusive).
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// Inbox folder, overriding the pipeline's (env CALLCUBE_INBOX).
    #[arg(long)]
    inbox: Option<String>,
    /// Warehouse path or URL, overriding the pipeline's (env CALLCUBE_WAREHOUSE).
    #[arg(long)]
    warehouse: Option<String>,
}

fn date_arg(flag: &str, v: &str) -> Result<i64> {
    parse_date(v.as_bytes()).with_context(|| format!("--{flag} `{v}` is not a date YYYY-MM-DD"))
}

/// The business dates a run covers.
fn dates(args: &RunArgs) -> Result<Vec<i64>> {
    match (&args.date, &args.from, &args.to) {
        (Some(d), _, _) => Ok(vec![date_arg("date", d)?]),
        (None, Some(f), Some(t)) => {
            let (f, t) = (date_arg("from", f)?, date_arg("to", t)?);
            if t < f {
                bail!("--to {} is before --from {}", date_string(t), date_string(f));
            }
            Ok((f..=t).collect())
        }
        _ => bail!("say which business date to run: --date YYYY-MM-DD, or --from and --to"),
    }
}

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let days = dates(&args)?;
    let overrides = Overrides::from_flags_and_env(args.inbox.clone(), args.warehouse.clone());
    let path = locate(&args.pipeline);
    let pipeline = Pipeline::load(&path, &overrides)?;
    let wh = Warehouse::open(&pipeline.warehouse)?;
    if !pipeline.inbox.is_dir() {
        bail!(
            "inbox {} is not a folder (set `inbox` in {}, --inbox or CALLCUBE_INBOX)",
            pipeline.inbox.display(),
            path.display()
        );
    }
    for day in days {
        let run_id = ledger::new_run_id();
        let started_at = chrono::Utc::now();
        let report = land_day(&pipeline.inbox, &wh, &pipeline.tables, day, &run_id).with_context(|| {
            format!(
                "landing {} of pipeline {}; the warehouse was left unchanged",
                date_string(day),
                pipeline.name
            )
        })?;
        let finished_at = chrono::Utc::now();
        print_counts(day, &run_id, &report.tables);
        ledger::record_landing(
            &wh,
            &LandingRecord {
                run_id: &run_id,
                pipeline: &pipeline.name,
                folder_day: day,
                tables: &report.tables,
                started_at,
                finished_at,
            },
        )?;
    }
    build_models(&pipeline, &wh)?;
    println!("warehouse: {}", wh.root().display());
    Ok(ExitCode::SUCCESS)
}

/// Rebuild every SQL model of the pipeline from the landed data, then the
/// marts; all are swapped in together, or none.
fn build_models(pipeline: &Pipeline, wh: &Warehouse) -> Result<()> {
    let defs = Definitions::load(&pipeline.models)?;
    if defs.models.is_empty() {
        return Ok(());
    }
    models::recover_swaps(wh.root(), &defs.models);
    let run_id = ledger::new_run_id();
    let runtime = tokio::runtime::Runtime::new().context("starting the query runtime")?;
    let counts = runtime
        .block_on(async {
            let ctx = engine::model_session_with(wh.root(), &pipeline.params, &pipeline.engine).await?;
            let finality = Finality::load(&ctx).await?;
            let mut staging = Staging::new(wh.root(), &run_id);
            let result = build_into(&ctx, &defs, &mut staging, Some(&finality)).await;
            staging.finish(result)
        })
        .context("building models and marts; every model and mart table was left as it was")?;
    println!("built {} models and marts (run {run_id})", counts.len());
    for c in counts {
        println!("  {:<40} {:>9} rows {:>7.2} s", c.table, c.rows, c.seconds);
    }
    Ok(())
}

fn print_counts(day: i64, run_id: &str, tables: &[TableCounts]) {
    println!("landed {} (run {run_id})", date_string(day));
    println!(
        "  {:<24} {:>5} {:>9} {:>9} {:>8} {:>9}  partitions",
        "table", "files", "read", "landed", "rejected", "duplicate"
    );
    let mut total = TableCounts::default();
    for t in tables {
        let parts: Vec<String> = t.partitions.iter().map(|d| date_string(*d)).collect();
        println!(
            "  {:<24} {:>5} {:>9} {:>9} {:>8} {:>9}  {}",
            t.table,
            t.files,
            t.read,
            t.landed,
            t.rejected,
            t.duplicates,
            if t.files == 0 {
                "(no delivery)".to_string()
            } else {
                parts.join(" ")
            }
        );
        total.files += t.files;
        total.read += t.read;
        total.landed += t.landed;
        total.rejected += t.rejected;
        total.duplicates += t.duplicates;
    }
    println!(
        "  {:<24} {:>5} {:>9} {:>9} {:>8} {:>9}",
        "total", total.files, total.read, total.landed, total.rejected, total.duplicates
    );
}
