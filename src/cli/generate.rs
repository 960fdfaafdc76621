//! `callcube generate`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use crate::generate::{GenerateOptions, generate};
use crate::timefmt::parse_date;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Seed of the simulation: the same seed and options give identical files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of business days to generate.
    #[arg(long, default_value_t = 1)]
    days: i64,
    /// First business date, YYYY-MM-DD.
    #[arg(long)]
    start: String,
    /// Size: 1 = one province-day (≈1.5 M IVR calls, ≈400 k legs, ≈3,000 agents).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Inbox folder to write (`<out>/<system>/<table>/<date>/part-*.csv`).
    #[arg(long)]
    out: PathBuf,
    /// Tables delivered GBK-encoded, comma-separated `system/table`.
    #[arg(long, value_delimiter = ',', default_value = "hr/agents")]
    gbk: Vec<String>,
    /// Tables delivered gzip-compressed (`.csv.gz`), comma-separated.
    #[arg(long, value_delimiter = ',')]
    gzip: Vec<String>,
    /// Plant bad rows (at least one per reject reason) on the first day.
    #[arg(long)]
    defects: bool,
}

pub fn run(args: GenerateArgs) -> Result<ExitCode> {
    let start_day = parse_date(args.start.as_bytes())
        .with_context(|| format!("--start `{}` is not a date YYYY-MM-DD", args.start))?;
    let opts = GenerateOptions {
        seed: args.seed,
        days: args.days,
        start_day,
        scale: args.scale,
        out: args.out,
        gbk: args.gbk.into_iter().filter(|s| !s.is_empty()).collect(),
        gzip: args.gzip,
        defects: args.defects,
    };
    let started = Instant::now();
    let summary = generate(&opts)?;
    let (mut rows, mut bytes) = (0, 0);
    for (table, r, b) in &summary.tables {
        println!("{table:<26} {r:>10} rows {:>10.1} MB", *b as f64 / 1e6);
        rows += r;
        bytes += b;
    }
    println!(
        "generated {rows} rows, {:.1} MB in {:.1} s into {}",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        opts.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
