//! `callcube check PIPELINE`: validate a pipeline and the SQL models without running anything.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::config::{Overrides, Pipeline, locate};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Pipeline name (`pipelines/<name>.toml`) or path.
    pipeline: String,
}

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let path = locate(&args.pipeline);
    let pipeline = Pipeline::load(&path, &Overrides::from_flags_and_env(None, None))?;
    let defs = crate::engine::build::Definitions::load(&pipeline.models)?;
    // The whole graph, so a cycle through the tags or the metric marts is found too.
    let graph = crate::engine::graph::BuildGraph::new(&defs, true)?;
    println!(
        "{}: ok — {} source tables, warehouse {}, inbox {}, {} SQL model(s), {} customer tag(s), {} tables built",
        path.display(),
        pipeline.tables.len(),
        pipeline.warehouse,
        pipeline.inbox.display(),
        defs.models.len(),
        defs.tags.len(),
        graph.table_count()
    );
    Ok(ExitCode::SUCCESS)
}
