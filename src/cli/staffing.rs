//! `callcube staffing --calls 1200 --aht 240 --interval 1800 --target 0.8/20`:
//! the Erlang C calculator behind the staffing mart (metrics.md E3).

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::erlang;

#[derive(Debug, Args)]
pub struct StaffingArgs {
    /// Calls offered in the interval.
    #[arg(long)]
    calls: f64,
    /// Average handling time in seconds.
    #[arg(long)]
    aht: f64,
    /// Interval length in seconds.
    #[arg(long, default_value_t = 1800.0)]
    interval: f64,
    /// Service-level target as SHARE/SECONDS, e.g. 0.8/20 = 80 % answered within 20 s.
    #[arg(long, default_value = "0.86/20")]
    target: String,
    /// Also evaluate this many agents (service level and ASA they would give).
    #[arg(long)]
    agents: Option<u32>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// The parsed `--target`: share and threshold seconds.
fn parse_target(t: &str) -> Result<(f64, f64)> {
    let (share, secs) = t
        .split_once('/')
        .with_context(|| format!("--target `{t}`: expected SHARE/SECONDS, e.g. 0.8/20"))?;
    let share: f64 = share
        .trim()
        .parse()
        .with_context(|| format!("--target `{t}`: `{share}` is not a number"))?;
    let secs: f64 = secs
        .trim()
        .parse()
        .with_context(|| format!("--target `{t}`: `{secs}` is not a number of seconds"))?;
    if !(share > 0.0 && share < 1.0) {
        bail!("--target `{t}`: the share must be between 0 and 1 (exclusive), e.g. 0.8");
    }
    if !(secs >= 0.0 && secs.is_finite()) {
        bail!("--target `{t}`: the seconds must be ≥ 0");
    }
    Ok((share, secs))
}

pub fn run(args: StaffingArgs) -> Result<ExitCode> {
    let (target, threshold) = parse_target(&args.target)?;
    if !(args.calls >= 0.0 && args.calls.is_finite()) {
        bail!("--calls must be ≥ 0");
    }
    if !(args.aht > 0.0 && args.aht.is_finite()) {
        bail!("--aht must be > 0 seconds");
    }
    if !(args.interval > 0.0 && args.interval.is_finite()) {
        bail!("--interval must be > 0 seconds");
    }
    let a = erlang::traffic(args.calls, args.aht, args.interval);
    let required =
        erlang::required_agents(a, args.aht, threshold, target).context("no number of agents reaches the target")?;
    let row = |n: u32| {
        (
            n,
            erlang::wait_probability(n, a),
            erlang::service_level(n, a, args.aht, threshold),
            erlang::average_speed_of_answer(n, a, args.aht),
            (n > 0).then(|| a / f64::from(n)),
        )
    };
    let mut shown: Vec<u32> = (required.saturating_sub(2)..=required + 2).filter(|&n| n > 0).collect();
    if let Some(n) = args.agents.filter(|n| !shown.contains(n)) {
        shown.push(n);
        shown.sort_unstable();
    }
    let rows: Vec<_> = shown.into_iter().map(row).collect();
    if args.json {
        let rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|(n, p, sl, asa, occ)| {
                serde_json::json!({"agents": n, "wait_probability": p, "service_level": sl,
                    "asa_s": asa, "occupancy": occ})
            })
            .collect();
        let out = serde_json::json!({
            "calls": args.calls, "aht_s": args.aht, "interval_s": args.interval,
            "target_share": target, "target_s": threshold,
            "traffic_erlangs": a, "required_agents": required, "agents": rows,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "traffic: {} calls × {} s / {} s = {a:.4} Erlangs",
        args.calls, args.aht, args.interval
    );
    println!(
        "required agents for {:.1} % answered within {threshold} s: {required}",
        target * 100.0
    );
    println!();
    println!(
        "{:>7} {:>10} {:>14} {:>10} {:>10}",
        "agents", "P(wait)", "service level", "ASA s", "occupancy"
    );
    let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.2} %", v * 100.0));
    for (n, p, sl, asa, occ) in rows {
        println!(
            "{:>7} {:>10.4} {:>14} {:>10} {:>10}{}",
            n,
            p,
            pct(sl),
            asa.map_or("unbounded".to_string(), |v| format!("{v:.1}")),
            pct(occ),
            if n == required { "  ← required" } else { "" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_target;

    #[test]
    fn targets() {
        assert_eq!(parse_target("0.8/20").unwrap(), (0.8, 20.0));
        assert!(parse_target("80/20").is_err());
        assert!(parse_target("0.8").is_err());
        assert!(parse_target("0.8/x").is_err());
    }
}
