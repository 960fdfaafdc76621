//! Command line: one file per subcommand.

mod alerts;
mod check;
mod docs;
mod generate;
mod metric;
mod report;
mod run;
mod runs;
mod schedule;
mod serve;
mod shell;
mod sources;
pub mod sql;
mod staffing;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Exit code of a failed command (clap uses 2 for usage errors).
pub const EXIT_ERROR: u8 = 1;

/// callcube: a batch data warehouse for telecom call centers.
#[derive(Debug, Parser)]
#[command(name = "callcube", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print only warnings and errors (no progress, no report).
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Log every step (models built, checks run) with timings.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Land a pipeline's deliveries for a business date (or a range) into the warehouse.
    Run(run::RunArgs),
    /// Run pipelines on their cron schedule (daemon), or what is due now with --once.
    Schedule(schedule::ScheduleArgs),
    /// List the runs of the ledger, or show one: dates, inputs, rows per table, checks.
    Runs(runs::RunsArgs),
    /// Validate a pipeline file and the SQL models without running anything.
    Check(check::CheckArgs),
    /// Run a read-only SQL query over every table of the warehouse.
    Sql(sql::SqlArgs),
    /// An interactive read-only SQL shell: history, completion, \d, \metrics, timing.
    Shell(shell::ShellArgs),
    /// Serve the warehouse read-only over Arrow Flight SQL (ADBC, JDBC, BI tools).
    Serve(serve::ServeArgs),
    /// Write a month's report as one self-contained HTML page (scorecard, curves, agents, staffing).
    Report(report::ReportArgs),
    /// Write Markdown for every table, column and metric (from the code's own definitions).
    Docs(docs::DocsArgs),
    /// Print the metric catalog: every metric, its formula, standard and grains.
    Metrics(metric::MetricsArgs),
    /// Answer one metric from the cube at a grain and dimension.
    Metric(metric::MetricArgs),
    /// The day's breaches of the pipeline's targets (marts_alerts_daily).
    Alerts(alerts::AlertsArgs),
    /// List the source tables, their columns and types.
    Sources(sources::SourcesArgs),
    /// Erlang C calculator: agents needed for a service-level target, and what N agents give.
    Staffing(staffing::StaffingArgs),
    /// Generate synthetic extracts of every source table into an inbox.
    Generate(generate::GenerateArgs),
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    use crate::ops::progress::{Verbosity, init};
    init(if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    });
    let quiet = cli.quiet;
    match cli.command {
        Command::Run(args) => run::run(args, quiet),
        Command::Runs(args) => runs::run(args),
        Command::Schedule(args) => schedule::run(args, quiet),
        Command::Check(args) => check::run(args),
        Command::Sql(args) => sql::run(args),
        Command::Shell(args) => shell::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Report(args) => report::run(args),
        Command::Docs(args) => docs::run(args),
        Command::Metrics(args) => metric::list(args),
        Command::Metric(args) => metric::run(args),
        Command::Alerts(args) => alerts::run(args),
        Command::Sources(args) => sources::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Staffing(args) => staffing::run(args),
    }
}

/// An error and its causes on one line, each cause once: a cause whose text the
/// message before it already holds (DataFusion repeats its source) is left out.
pub fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
    }
    text
}
