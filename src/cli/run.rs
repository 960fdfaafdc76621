//! `callcube run PIPELINE --date D` (or `--from D1 --to D2`): see [`crate::ops::nightly`].

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::config::{Overrides, Pipeline, locate};
use crate::ops::nightly::{RunOptions, run_pipeline};
use crate::timefmt::{date_string, parse_date};

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
    /// Redo dates a successful run already did with the same inputs and parameters.
    #[arg(long)]
    force: bool,
    /// Build with a customer-key secret other than the warehouse's (a deliberate rotation:
    /// every table past raw is rebuilt with the new customer keys).
    #[arg(long)]
    accept_new_key: bool,
    /// Rebuild these tables (SQL names, e.g. `cube_leg`) over every date, whatever changed;
    /// with no table, every table. What reads them rebuilds the dates whose rows changed.
    #[arg(long, num_args = 0.., value_name = "TABLE")]
    full_refresh: Option<Vec<String>>,
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

pub fn run(args: RunArgs, quiet: bool) -> Result<ExitCode> {
    let days = dates(&args)?;
    let overrides = Overrides::from_flags_and_env(args.inbox.clone(), args.warehouse.clone());
    let path = locate(&args.pipeline);
    let pipeline = Pipeline::load(&path, &overrides)?;
    if !pipeline.inbox.is_dir() {
        bail!(
            "inbox {} is not a folder (set `inbox` in {}, --inbox or CALLCUBE_INBOX)",
            pipeline.inbox.display(),
            path.display()
        );
    }
    let opts = RunOptions {
        force: args.force,
        accept_new_key: args.accept_new_key,
        full_refresh: args.full_refresh.clone(),
        trigger: if days.len() > 1 { "backfill" } else { "run" }.to_string(),
        quiet,
    };
    let outcome = run_pipeline(&pipeline, &days, &opts).with_context(|| {
        format!(
            "run of pipeline {} for {}; models and marts were left as they were (see `callcube runs`)",
            pipeline.name,
            crate::ops::schedule::describe(&days)
        )
    })?;
    if !quiet {
        println!(
            "run {}: {} landed, {} skipped{}",
            outcome.run_id,
            outcome.landed.len(),
            outcome.skipped.len(),
            if outcome.built {
                ", models and marts published"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
