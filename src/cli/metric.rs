//! `callcube metrics` (the catalog) and `callcube metric ID --grain … --by …`
//! (one metric from the cube, as value, numerator, denominator and points).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::sql::{OutputFormat, warehouse_url};
use crate::catalog::listing::{CATALOG_COLUMNS, metric_json};
use crate::catalog::query::{Finality, MetricRow, Request};
use crate::catalog::{self, Grain};
use crate::timefmt::parse_date;
use crate::warehouse::Warehouse;

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    /// Show the parameter values of this pipeline (default: the catalog defaults).
    #[arg(long)]
    pipeline: Option<String>,
}

#[derive(Debug, Args)]
pub struct MetricArgs {
    /// Metric id (A1) or English key (answer_rate); `callcube metrics` lists them.
    metric: String,
    /// Time grain: interval, hour, day, week, month, quarter, year.
    #[arg(long, default_value = "day")]
    grain: String,
    /// Dimension: center, skill_group, site, team, agent, city, brand, self_service_code, total.
    #[arg(long)]
    by: Option<String>,
    /// First business date, YYYY-MM-DD.
    #[arg(long)]
    from: Option<String>,
    /// Last business date, YYYY-MM-DD (inclusive).
    #[arg(long)]
    to: Option<String>,
    /// Extra condition on cube columns, e.g. "brand = 'vip'".
    #[arg(long = "where")]
    filter: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    /// Print the generated SQL instead of running it.
    #[arg(long)]
    show_sql: bool,
    /// Warehouse path or URL (env CALLCUBE_WAREHOUSE; default ./warehouse).
    #[arg(long)]
    warehouse: Option<String>,
    /// Take the warehouse from this pipeline instead.
    #[arg(long, conflicts_with = "warehouse")]
    pipeline: Option<String>,
}

pub fn list(args: MetricsArgs) -> Result<ExitCode> {
    let cat = catalog::catalog();
    let params = match &args.pipeline {
        Some(p) => {
            crate::config::Pipeline::load(&crate::config::locate(p), &crate::config::Overrides::default())?.params
        }
        None => crate::config::Params::default(),
    };
    let values = serde_json::to_value(&params)?;
    let in_force = |m: &catalog::Metric| -> String {
        m.params
            .iter()
            .map(|p| format!("{p} = {}", values.get(p).map_or("?".to_string(), |v| v.to_string())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => {
            let rows: Vec<serde_json::Value> = cat
                .iter()
                .map(|m| {
                    let mut j = metric_json(m);
                    j["params"] = serde_json::Value::String(in_force(m));
                    j
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CATALOG_COLUMNS)?;
            for m in cat {
                let mut j = metric_json(m);
                j["params"] = serde_json::Value::String(in_force(m));
                let s = |k: &str| match &j[k] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    v => v.to_string(),
                };
                w.write_record(CATALOG_COLUMNS.map(s))?;
            }
            w.flush()?;
        }
        OutputFormat::Table => {
            for m in cat {
                writeln!(out, "{:<13} {:<34} {}  ({})", m.id, m.key, m.zh, m.en)?;
                writeln!(out, "{:14}{}", "", m.description)?;
                let j = metric_json(m);
                let plain = |v: &serde_json::Value| v.as_str().map_or_else(|| "—".to_string(), str::to_string);
                writeln!(out, "{:14}= {}", "", plain(&j["numerator"]))?;
                if !j["denominator"].is_null() {
                    writeln!(out, "{:14}/ {}", "", plain(&j["denominator"]))?;
                }
                if let Some(f) = &m.for_dims {
                    let agg = |a: &catalog::Aggregate| format!("{} from {}", a.expr, a.table);
                    let den = f
                        .denominator
                        .as_ref()
                        .map_or(String::new(), |d| format!(" / {}", agg(d)));
                    writeln!(out, "{:14}by {}: {}{den}", "", f.dims.join(", "), agg(&f.numerator))?;
                }
                let std = m.standard();
                if !std.is_empty() {
                    writeln!(out, "{:14}standard: {std}", "")?;
                }
                if !m.params.is_empty() {
                    writeln!(out, "{:14}parameters: {}", "", in_force(m))?;
                }
                writeln!(
                    out,
                    "{:14}unit {} · by {} · grains from {} · final after {} day(s)",
                    "",
                    m.unit,
                    m.dims.join(", "),
                    m.min_grain(),
                    plain(&j["final_after_days"])
                )?;
            }
            print_models(&mut out, &values)?;
            writeln!(out, "\nNot supported")?;
            for u in catalog::unsupported() {
                writeln!(out, "{:<13} {}: {}", u.zh, u.en, u.reason)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The D and E models after the metrics: marts, parameters in force, and
/// the A2 points the Erlang C target corresponds to.
fn print_models(out: &mut impl Write, values: &serde_json::Value) -> Result<()> {
    writeln!(out, "\nModels (metrics.md D, E)")?;
    for m in catalog::models::MODELS {
        writeln!(out, "{:<13} {:<34} {}", m.id, m.key, m.zh)?;
        writeln!(out, "{:14}{}", "", m.description)?;
        writeln!(out, "{:14}marts: {}", "", m.marts.join(", "))?;
        let params: Vec<String> = m
            .params
            .iter()
            .map(|p| format!("{p} = {}", values.get(*p).map_or("?".to_string(), |v| v.to_string())))
            .collect();
        writeln!(out, "{:14}parameters: {}", "", params.join(", "))?;
        if m.id == "E3" {
            let points = catalog::models::erlang_target_points(values)
                .map_or("no points".to_string(), |p| format!("{p} points"));
            writeln!(
                out,
                "{:14}erlang_target_sl = {} corresponds to A2 (service level) {points}",
                "", values["erlang_target_sl"]
            )?;
        }
    }
    Ok(())
}

fn date_flag(flag: &str, v: &Option<String>) -> Result<Option<i64>> {
    v.as_ref()
        .map(|s| parse_date(s.as_bytes()).with_context(|| format!("--{flag} `{s}` is not a date YYYY-MM-DD")))
        .transpose()
}

pub fn run(args: MetricArgs) -> Result<ExitCode> {
    let metric = catalog::find(&args.metric).with_context(|| {
        format!(
            "no metric `{}`; known: {}",
            args.metric,
            catalog::catalog()
                .iter()
                .map(|m| format!("{} {}", m.id, m.key))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let grain = Grain::parse(&args.grain).with_context(|| {
        format!(
            "no grain `{}`; allowed: {}",
            args.grain,
            metric.grains().iter().map(|g| g.name()).collect::<Vec<_>>().join(", ")
        )
    })?;
    let request = Request {
        metric,
        grain,
        dims: vec![args.by.clone().unwrap_or_else(|| metric.default_dim().to_string())],
        from: date_flag("from", &args.from)?,
        to: date_flag("to", &args.to)?,
        filter: args.filter.clone(),
        dates: None,
    };
    request.check()?;
    if args.show_sql {
        println!("{};", request.sql());
        return Ok(ExitCode::SUCCESS);
    }
    let url = warehouse_url(args.warehouse.as_deref(), args.pipeline.as_deref())?;
    let wh = Warehouse::open(&url)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the query runtime")?;
    let rows = runtime.block_on(async {
        let (ctx, tables) = crate::engine::session(wh.root()).await?;
        if !tables.iter().any(|t| t == "cube_params") {
            return Err(crate::error::Error::Request(format!(
                "no cube in {}: run the pipeline first (callcube run nightly --date …)",
                wh.root().display()
            )));
        }
        let finality = Finality::load(&ctx).await?;
        catalog::query::answer(&ctx, &request, &finality).await
    })?;
    print_rows(&rows, args.format)?;
    Ok(ExitCode::SUCCESS)
}

/// The CSV columns of a metric answer.
pub const CSV_COLUMNS: [&str; 10] = [
    "metric_id",
    "grain",
    "period",
    "dimension",
    "member",
    "numerator",
    "denominator",
    "value",
    "points",
    "is_final",
];

fn print_rows(rows: &[MetricRow], format: OutputFormat) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let cells = |r: &MetricRow| -> [String; 10] {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        [
            r.metric_id.clone(),
            r.grain.clone(),
            r.period.clone(),
            r.dimension.clone(),
            r.member.clone(),
            o(&r.numerator),
            o(&r.denominator),
            o(&r.value),
            o(&r.points),
            r.is_final.to_string(),
        ]
    };
    match format {
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CSV_COLUMNS)?;
            for r in rows {
                w.write_record(cells(r))?;
            }
            w.flush()?;
        }
        OutputFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(rows)?)?,
        OutputFormat::Table => {
            let mut table: Vec<Vec<String>> = vec![CSV_COLUMNS.iter().map(|s| s.to_string()).collect()];
            table[0].push("flag".into());
            for r in rows {
                let mut c = cells(r).to_vec();
                c.push(r.flag.clone().unwrap_or_default());
                table.push(c);
            }
            let widths: Vec<usize> = (0..table[0].len())
                .map(|i| table.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
                .collect();
            for row in &table {
                let line: Vec<String> = row
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c:<w$}", w = *w))
                    .collect();
                writeln!(out, "{}", line.join("  ").trim_end())?;
            }
            if rows.is_empty() {
                writeln!(out, "(no rows)")?;
            }
        }
    }
    Ok(())
}
