//! `callcube schedule [PIPELINE…] [--once]`: run pipelines when their cron
//! schedule says, catching up every business date missed since the last
//! successful run. `--once` runs what is due and exits (for cron, systemd
//! timers, Airflow); without it, a daemon that sleeps until the next fire.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::Args;

use crate::config::{Overrides, Pipeline, locate};
use crate::engine;
use crate::ledger::runs::completed_dates;
use crate::ops::nightly::{RunOptions, run_pipeline};
use crate::ops::{exit, exit_code, schedule};
use crate::timefmt::parse_date;
use crate::warehouse::Warehouse;

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// Pipelines (names or files); default: every `pipelines/*.toml` with a `[schedule]`.
    pipelines: Vec<String>,
    /// Run what is due now (with catch-up), then exit with the run's code.
    #[arg(long)]
    once: bool,
    /// Take this instant as now (RFC 3339, e.g. 2026-11-23T03:00:00+08:00): replays and tests.
    #[arg(long)]
    now: Option<String>,
}

fn scheduled_pipelines(args: &ScheduleArgs) -> Result<Vec<Pipeline>> {
    let files: Vec<PathBuf> = if args.pipelines.is_empty() {
        let dir = Path::new("pipelines");
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("listing {} (or name the pipelines to schedule)", dir.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        v.sort();
        v
    } else {
        args.pipelines.iter().map(|p| locate(p)).collect()
    };
    let mut out = Vec::new();
    for f in files {
        let p = Pipeline::load(&f, &Overrides::from_flags_and_env(None, None))?;
        match p.schedule {
            Some(_) => out.push(p),
            None if !args.pipelines.is_empty() => bail!("{} has no [schedule]", f.display()),
            None => {}
        }
    }
    if out.is_empty() {
        bail!("no pipeline with a [schedule]");
    }
    Ok(out)
}

fn now(args: &ScheduleArgs) -> Result<DateTime<Utc>> {
    match &args.now {
        Some(s) => Ok(DateTime::parse_from_rfc3339(s)
            .with_context(|| format!("--now `{s}` is not an RFC 3339 time"))?
            .with_timezone(&Utc)),
        None => Ok(Utc::now()),
    }
}

/// Run every pipeline's due dates; the exit code of the first failure, else success.
fn run_due(pipelines: &[Pipeline], now: DateTime<Utc>, quiet: bool) -> u8 {
    let mut code = exit::SUCCESS;
    for p in pipelines {
        let result = (|| -> Result<()> {
            let s = p.schedule.as_ref().expect("scheduled");
            let wh = Warehouse::open(&p.warehouse)?;
            let runtime = tokio::runtime::Runtime::new()?;
            let done = runtime.block_on(async {
                let (ctx, _) = engine::session(wh.root()).await?;
                completed_dates(&ctx, &p.name).await
            })?;
            let start = s.start.as_deref().and_then(|d| parse_date(d.as_bytes()));
            let days = schedule::due_dates(s, done.keys().next_back().copied(), start, now)?;
            if days.is_empty() {
                if !quiet {
                    println!("{}: nothing due", p.name);
                }
                return Ok(());
            }
            if !quiet {
                println!("{}: running {}", p.name, schedule::describe(&days));
            }
            let opts = RunOptions {
                trigger: "schedule".into(),
                quiet,
                ..RunOptions::default()
            };
            run_pipeline(p, &days, &opts)
                .with_context(|| format!("scheduled run of {} for {}", p.name, schedule::describe(&days)))?;
            Ok(())
        })();
        if let Err(e) = result {
            eprintln!("error: {e:#}");
            if code == exit::SUCCESS {
                code = exit_code(&e);
            }
        }
    }
    code
}

pub fn run(args: ScheduleArgs, quiet: bool) -> Result<ExitCode> {
    let pipelines = scheduled_pipelines(&args)?;
    if args.once {
        return Ok(ExitCode::from(run_due(&pipelines, now(&args)?, quiet)));
    }
    if args.now.is_some() {
        bail!("--now works with --once only");
    }
    loop {
        run_due(&pipelines, Utc::now(), quiet);
        let after = Utc::now();
        let mut next: Option<DateTime<Utc>> = None;
        for p in &pipelines {
            let t = schedule::next_fire(p.schedule.as_ref().expect("scheduled"), after)?;
            next = Some(next.map_or(t, |n| n.min(t)));
        }
        let next = next.expect("at least one pipeline");
        if !quiet {
            println!("next run at {} (UTC)", next.format("%Y-%m-%d %H:%M:%S"));
        }
        // Sleep in short steps so a changed clock (suspend, NTP) is noticed.
        while Utc::now() < next {
            let left = (next - Utc::now()).to_std().unwrap_or_default();
            std::thread::sleep(left.min(std::time::Duration::from_secs(60)));
        }
    }
}
