//! `callcube report --month YYYY-MM --out report.html` (see `crate::report`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::sql::WarehouseFlags;
use crate::warehouse::Warehouse;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The month, YYYY-MM.
    #[arg(long)]
    month: String,
    /// Where to write the page.
    #[arg(long, default_value = "report.html")]
    out: PathBuf,
    #[command(flatten)]
    at: WarehouseFlags,
}

pub fn run(args: ReportArgs) -> Result<ExitCode> {
    let wh = Warehouse::open(&args.at.url()?)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the query runtime")?;
    let report = runtime.block_on(crate::report::write_report(wh.root(), &args.month, &args.out))?;
    println!(
        "{}: {} scorecard rows, {} ranked agents, {} staffing intervals{}",
        args.out.display(),
        report.scorecard.len(),
        report.agents.len(),
        report.staffing.len(),
        if report.provisional() {
            " (provisional: not all figures are final)"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}
