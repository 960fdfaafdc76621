//! `callcube sql "SELECT …"`: read-only SQL over every table of the warehouse.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use datafusion::arrow::record_batch::RecordBatch;

use crate::config::{ENV_WAREHOUSE, Overrides, Pipeline, locate};
use crate::engine;
use crate::warehouse::{Warehouse, WarehouseUrl};

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    /// Aligned text table.
    Table,
    /// CSV with a header.
    Csv,
    /// A JSON array of objects.
    Json,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The query (omit with --file).
    query: Option<String>,
    /// Read the query from a file.
    #[arg(long, conflicts_with = "query")]
    file: Option<PathBuf>,
    #[command(flatten)]
    at: WarehouseFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
}

/// `--warehouse` or `--pipeline`: which warehouse a read-only command reads.
#[derive(Debug, Args)]
pub struct WarehouseFlags {
    /// Warehouse path or URL (env CALLCUBE_WAREHOUSE; default ./warehouse).
    #[arg(long)]
    warehouse: Option<String>,
    /// Take the warehouse from this pipeline instead.
    #[arg(long, conflicts_with = "warehouse")]
    pipeline: Option<String>,
}

impl WarehouseFlags {
    /// The warehouse they name (see [`warehouse_url`]).
    pub fn url(&self) -> Result<WarehouseUrl> {
        warehouse_url(self.warehouse.as_deref(), self.pipeline.as_deref())
    }
}

/// The warehouse of `--warehouse`, else of `--pipeline`, else CALLCUBE_WAREHOUSE, else ./warehouse.
pub fn warehouse_url(warehouse: Option<&str>, pipeline: Option<&str>) -> Result<WarehouseUrl> {
    if let Some(p) = pipeline {
        let overrides = Overrides::from_flags_and_env(None, None);
        return Ok(Pipeline::load(&locate(p), &overrides)?.warehouse);
    }
    let w = warehouse
        .map(str::to_string)
        .or_else(|| std::env::var(ENV_WAREHOUSE).ok())
        .unwrap_or_else(|| "warehouse".into());
    WarehouseUrl::parse(&w, &PathBuf::new()).map_err(anyhow::Error::msg)
}

pub fn run(args: SqlArgs) -> Result<ExitCode> {
    let sql = match (&args.query, &args.file) {
        (Some(q), _) => q.clone(),
        (None, Some(f)) => std::fs::read_to_string(f).with_context(|| format!("reading query file {}", f.display()))?,
        (None, None) => bail!("give a query: callcube sql \"SELECT …\" or --file query.sql"),
    };
    let url = args.at.url()?;
    let wh = Warehouse::open(&url)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the query runtime")?;
    let batches = runtime.block_on(async {
        let (ctx, _) = engine::audience::read_session(wh.root(), engine::audience::Audience::Engineers).await?;
        engine::query(&ctx, &sql).await
    })?;
    print_batches(&batches, args.format)?;
    Ok(ExitCode::SUCCESS)
}

/// Write query results to stdout in the chosen format.
pub fn print_batches(batches: &[RecordBatch], format: OutputFormat) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        OutputFormat::Table => {
            writeln!(
                out,
                "{}",
                datafusion::arrow::util::pretty::pretty_format_batches(batches)?
            )?;
        }
        OutputFormat::Csv => {
            let mut w = datafusion::arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(&mut out);
            for b in batches {
                w.write(b)?;
            }
        }
        OutputFormat::Json => {
            let mut w = datafusion::arrow::json::ArrayWriter::new(&mut out);
            let refs: Vec<&RecordBatch> = batches.iter().collect();
            w.write_batches(&refs)?;
            w.finish()?;
            drop(w);
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Column `i` of every batch as text (NULL as empty).
pub fn column_strings(batches: &[RecordBatch], i: usize) -> Vec<String> {
    use datafusion::arrow::array::{Array, AsArray};
    let mut out = Vec::new();
    for b in batches {
        let col = datafusion::arrow::compute::cast(b.column(i), &datafusion::arrow::datatypes::DataType::Utf8)
            .expect("any column casts to text");
        let col = col.as_string::<i32>();
        out.extend((0..col.len()).map(|r| {
            if col.is_null(r) {
                String::new()
            } else {
                col.value(r).to_string()
            }
        }));
    }
    out
}
