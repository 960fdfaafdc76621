//! `callcube docs PIPELINE --out DIR`: Markdown for every table, column and metric.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::config::{Overrides, Pipeline, locate};

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// Pipeline name (`pipelines/<name>.toml`) or path: its models, and its
    /// warehouse for the columns.
    #[arg(default_value = "nightly")]
    pipeline: String,
    /// Folder to write into (index.md, metrics.md, tables/).
    #[arg(long, default_value = "docs/warehouse")]
    out: PathBuf,
}

pub fn run(args: DocsArgs) -> Result<ExitCode> {
    let pipeline = Pipeline::load(&locate(&args.pipeline), &Overrides::from_flags_and_env(None, None))?;
    let defs = crate::engine::build::Definitions::load(&pipeline.models)?;
    let root = match &pipeline.warehouse {
        crate::warehouse::WarehouseUrl::Local(root) => Some(root.clone()),
        _ => None,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let written = runtime.block_on(crate::docs::write_docs(
        &defs,
        &pipeline.models,
        root.as_deref(),
        &args.out,
    ))?;
    println!(
        "{}: {} tables, {} metrics{}",
        args.out.display(),
        written.tables,
        written.metrics,
        if written.without_columns.is_empty() {
            String::new()
        } else {
            format!(
                " ({} tables not built yet, without columns)",
                written.without_columns.len()
            )
        }
    );
    Ok(ExitCode::SUCCESS)
}
