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
    let models = crate::engine::models::load(&pipeline.models)?.len();
    println!(
        "{}: ok — {} source tables, warehouse {}, inbox {}, {} SQL model(s)",
        path.display(),
        pipeline.tables.len(),
        pipeline.warehouse,
        pipeline.inbox.display(),
        models
    );
    Ok(ExitCode::SUCCESS)
}
