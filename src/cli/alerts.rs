//! `callcube alerts --date D`: the day's breaches of `[targets]` (`marts_alerts_daily`).

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::sql::{OutputFormat, WarehouseFlags, print_batches};
use crate::timefmt::parse_date;
use crate::warehouse::Warehouse;

#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// Business date, YYYY-MM-DD.
    #[arg(long)]
    date: String,
    #[command(flatten)]
    at: WarehouseFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
}

pub fn run(args: AlertsArgs) -> Result<ExitCode> {
    let day =
        parse_date(args.date.as_bytes()).with_context(|| format!("--date `{}` is not a date YYYY-MM-DD", args.date))?;
    let url = args.at.url()?;
    let wh = Warehouse::open(&url)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the query runtime")?;
    let batches = runtime.block_on(crate::ops::alerts::alerts_of(wh.root(), day))?;
    match args.format {
        OutputFormat::Json => println!("{}", String::from_utf8(crate::ops::alerts::to_json(&batches)?)?),
        _ if batches.iter().all(|b| b.num_rows() == 0) && matches!(args.format, OutputFormat::Table) => {
            println!("no alerts on {}", args.date);
        }
        format => print_batches(&batches, format)?,
    }
    Ok(ExitCode::SUCCESS)
}
