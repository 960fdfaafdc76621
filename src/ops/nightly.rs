//! One run of a pipeline over business dates, as `run` and `schedule` do it:
//!
//! 1. take the run lock (refuse if held; take over a killed run's);
//! 2. undo half-finished swaps a killed run left;
//! 3. per date, in order: fingerprint the delivery; skip it if a successful
//!    run already had the same inputs and parameters (unless `force`); stop
//!    with "input missing" if an expected extract has no file; land it;
//! 4. build models, tags and marts into staging; run the data-quality gates;
//!    publish only if no blocking check failed;
//! 5. write the run's ledger records — on success and on failure.

use std::path::Path;

use crate::catalog::query::Finality;
use crate::config::Pipeline;
use crate::engine::build::{Definitions, build_graph_incremental};
use crate::engine::dateset::DateSet;
use crate::engine::graph::BuildGraph;
use crate::engine::incremental::{Changes, Rebuilt};
use crate::engine::models::{self, ModelCounts, Staging};
use crate::engine::{self, fingerprint, pii};
use crate::error::{Error, Result};
use crate::ingest::{LandReport, land_day};
use crate::ledger::runs::{self, CheckResult, InputFile, ModelRow, RunDate, RunRecord, RunStatus, TableRow};
use crate::ledger::{self, LandingRecord};
use crate::ops::build_state::{self, BuildState};
use crate::ops::inputs::{inputs_of_day, params_hash};
use crate::ops::lock::RunLock;
use crate::ops::progress::Stage;
use crate::ops::quality;
use crate::ops::retry::with_retries;
use crate::timefmt::date_string;
use crate::warehouse::Warehouse;

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Land and rebuild dates even when a successful run had the same inputs.
    pub force: bool,
    /// `run`, `backfill` or `schedule`, for the ledger.
    pub trigger: String,
    /// Print only warnings and errors.
    pub quiet: bool,
    /// Build with a customer-key secret other than the one the warehouse was
    /// built with (a deliberate rotation: everything past raw is rebuilt).
    pub accept_new_key: bool,
    /// Rebuild these tables over every date whatever changed (empty: every table).
    pub full_refresh: Option<Vec<String>>,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    pub run_id: String,
    pub landed: Vec<i64>,
    pub skipped: Vec<i64>,
    pub late: Vec<i64>,
    /// Models and marts were rebuilt and published.
    pub built: bool,
    pub checks: Vec<CheckResult>,
}

/// Everything the run learned, kept for the ledger whatever happens.
#[derive(Default)]
struct Progress {
    outcome: RunOutcome,
    inputs: Vec<InputFile>,
    dates: Vec<RunDate>,
    tables: Vec<TableRow>,
    models: Vec<ModelRow>,
}

/// Run `pipeline` over `days` (in order).
pub fn run_pipeline(pipeline: &Pipeline, days: &[i64], opts: &RunOptions) -> Result<RunOutcome> {
    let wh = Warehouse::open(&pipeline.warehouse)?;
    let run_id = ledger::new_run_id();
    let lock = RunLock::acquire(wh.root(), &pipeline.name, &run_id)?;
    let runtime = tokio::runtime::Runtime::new().map_err(crate::error::io_err(wh.root()))?;
    let before = runtime.block_on(read_ledger(&wh, &pipeline.name))?;
    // Before anything is written: a different key would silently give every customer a new identity.
    let key = customer_key(pipeline, &wh, opts, before.key_fingerprint.as_deref())?;
    if let Some(previous) = &lock.took_over {
        eprintln!(
            "warning: the previous run of `{}` did not finish ({previous}); its lock is taken over and \
             half-finished writes are undone",
            pipeline.name
        );
    }
    let mut defs = Definitions::load(&pipeline.models)?;
    defs.targets = pipeline.targets.clone();
    let graph = BuildGraph::new(&defs, true)?;
    check_full_refresh(pipeline, &graph, opts)?;
    recover(wh.root(), &graph);
    let params_json = serde_json::to_string(&pipeline.params).expect("params serialise");
    let mut record = RunRecord {
        run_id: run_id.clone(),
        pipeline: pipeline.name.clone(),
        trigger: if opts.trigger.is_empty() {
            "run".into()
        } else {
            opts.trigger.clone()
        },
        dates: days.to_vec(),
        params_hash: params_hash(&params_json),
        params_json,
        status: RunStatus::Running,
        error: None,
        late_dates: Vec::new(),
        skipped_dates: Vec::new(),
        took_over: lock.took_over.clone(),
        key_fingerprint: Some(key.fingerprint.clone()),
        started_at: chrono::Utc::now(),
        finished_at: None,
    };
    runs::write_run(&wh, &record)?;
    tracing::info!(run_id = %run_id, pipeline = %pipeline.name, dates = %crate::ops::schedule::describe(days), "run started");
    let mut progress = Progress::default();
    progress.outcome.run_id = run_id.clone();
    let plan = Plan {
        graph: &graph,
        key: &key,
        before: &before,
        params_hash: &record.params_hash,
    };
    let result = execute(&runtime, pipeline, &wh, &plan, days, opts, &mut progress);
    record.finished_at = Some(chrono::Utc::now());
    record.late_dates = progress.outcome.late.clone();
    record.skipped_dates = progress.outcome.skipped.clone();
    record.status = match &result {
        Ok(()) => RunStatus::Success,
        Err(Error::DataQuality(_)) => RunStatus::DataQualityFailed,
        Err(Error::InputMissing(_)) => RunStatus::InputMissing,
        Err(_) => RunStatus::Failed,
    };
    record.error = result.as_ref().err().map(|e| e.to_string());
    // The details first, the run's status last: a run marked success has them all.
    runs::write_inputs(&wh, &run_id, &progress.inputs)?;
    runs::write_dates(&wh, &run_id, &record.params_hash, &progress.dates)?;
    runs::write_tables(&wh, &run_id, &progress.tables)?;
    runs::write_checks(&wh, &run_id, &progress.outcome.checks)?;
    runs::write_models(&wh, &run_id, &progress.models)?;
    runs::write_run(&wh, &record)?;
    tracing::info!(
        run_id = %run_id,
        status = record.status.as_str(),
        landed = progress.outcome.landed.len(),
        skipped = progress.outcome.skipped.len(),
        "run finished"
    );
    drop(lock);
    result.map(|()| progress.outcome)
}

/// What a run builds, with which customer key, and what the ledger said before it.
struct Plan<'a> {
    graph: &'a BuildGraph,
    key: &'a CustomerKey,
    before: &'a LedgerState,
    params_hash: &'a str,
}

/// What the ledger said when the run took the lock: read once.
struct LedgerState {
    /// Per business date, the inputs fingerprint and parameters hash of the last successful run.
    done: std::collections::BTreeMap<i64, (String, String)>,
    /// Per table, the definition fingerprint of its last successful build.
    built_with: std::collections::BTreeMap<String, String>,
    /// The customer key the warehouse was built with.
    key_fingerprint: Option<String>,
}

async fn read_ledger(wh: &Warehouse, pipeline: &str) -> Result<LedgerState> {
    // The ledger's tables only: registering the whole warehouse lists every partition.
    let ctx = datafusion::prelude::SessionContext::new();
    crate::warehouse::register_ledger(&ctx, wh.root()).await?;
    Ok(LedgerState {
        done: runs::completed_dates(&ctx, pipeline).await?,
        built_with: runs::built_fingerprints(&ctx, pipeline).await?,
        key_fingerprint: runs::warehouse_key_fingerprint(&ctx).await?,
    })
}

/// The customer-key secret a run builds with.
struct CustomerKey {
    key: Vec<u8>,
    fingerprint: String,
}

/// Resolve the key, warn when it lives inside the warehouse, and refuse one
/// that differs from the key the warehouse was built with, unless accepted.
fn customer_key(
    pipeline: &Pipeline,
    wh: &Warehouse,
    opts: &RunOptions,
    built_with: Option<&str>,
) -> Result<CustomerKey> {
    let (key, source) = pii::resolve_key(wh.root(), pipeline.key_file.as_deref())?;
    if let Some(w) = source.warning() {
        eprintln!("warning: {w}");
    }
    let fingerprint = pii::key_fingerprint(&key);
    match built_with {
        Some(before) if before != fingerprint && !opts.accept_new_key => Err(Error::Config {
            file: pipeline.file.clone(),
            key: "customer key".into(),
            reason: format!(
                "the customer-key secret from {source} (fingerprint {fingerprint}) is not the one this \
                 warehouse was built with (fingerprint {before}): every customer would get a new identity. \
                 Use the warehouse's key, or rotate it on purpose with `run --accept-new-key` (everything \
                 past raw is rebuilt; README: Privacy). Nothing was changed"
            ),
        }),
        Some(before) if before != fingerprint => {
            eprintln!(
                "warning: customer key rotated (fingerprint {before} → {fingerprint}): every table past raw is rebuilt"
            );
            Ok(CustomerKey { key, fingerprint })
        }
        _ => Ok(CustomerKey { key, fingerprint }),
    }
}

/// Refuse `--full-refresh` naming a table the pipeline does not build.
fn check_full_refresh(pipeline: &Pipeline, graph: &BuildGraph, opts: &RunOptions) -> Result<()> {
    let built: std::collections::BTreeSet<String> = graph.nodes.iter().flat_map(|n| n.tables()).collect();
    let unknown: Vec<&String> = opts
        .full_refresh
        .iter()
        .flatten()
        .filter(|t| !built.contains(*t))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Error::Config {
        file: pipeline.file.clone(),
        key: "--full-refresh".into(),
        reason: format!(
            "the pipeline builds no table {} (it builds {})",
            unknown.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "),
            describe_tables(&built.into_iter().collect::<Vec<_>>())
        ),
    })
}

/// Put back what a killed run left half-swapped, and drop its staging folders.
fn recover(root: &Path, graph: &BuildGraph) {
    crate::warehouse::sweep_temporaries(root);
    models::recover_swaps(root, &graph.dirs());
}

fn execute(
    runtime: &tokio::runtime::Runtime,
    pipeline: &Pipeline,
    wh: &Warehouse,
    plan: &Plan,
    days: &[i64],
    opts: &RunOptions,
    progress: &mut Progress,
) -> Result<()> {
    let (done, built_with) = (&plan.before.done, &plan.before.built_with);
    let fingerprints = fingerprint::fingerprints(plan.graph, &pipeline.params, &plan.key.fingerprint);
    let redefined = fingerprint::changed(&fingerprints, built_with);
    let expected = pipeline.quality.expected.clone().unwrap_or_default();
    let landing = Stage::start("landing", days.len() as u64);
    for &day in days {
        let (inputs, fingerprint) = with_retries(
            &pipeline.retry,
            &format!("reading the {} delivery", date_string(day)),
            || inputs_of_day(&pipeline.inbox, &pipeline.tables, day),
        )?;
        let same = done
            .get(&day)
            .is_some_and(|(f, p)| *f == fingerprint && p == plan.params_hash);
        if same && !opts.force {
            if !opts.quiet {
                println!(
                    "skipped {}: a successful run had the same inputs and parameters (--force to redo)",
                    date_string(day)
                );
            }
            progress.outcome.skipped.push(day);
            landing.step(&format!("{} (skipped)", date_string(day)));
            progress.dates.push(RunDate {
                date: day,
                fingerprint,
                action: "skipped",
                late_partitions: Vec::new(),
            });
            continue;
        }
        let missing: Vec<&String> = expected
            .iter()
            .filter(|t| !inputs.iter().any(|f| &f.table == *t))
            .collect();
        progress.inputs.extend(inputs);
        if !missing.is_empty() {
            let folder = pipeline.inbox.join("<system>/<table>").join(date_string(day));
            return Err(Error::InputMissing(format!(
                "{}: no file for {} (looked in {})",
                date_string(day),
                missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                folder.display()
            )));
        }
        let started_at = chrono::Utc::now();
        let report = with_retries(&pipeline.retry, &format!("landing {}", date_string(day)), || {
            land_day(&pipeline.inbox, wh, &pipeline.tables, day, &progress.outcome.run_id)
        })?;
        ledger::record_landing(
            wh,
            &LandingRecord {
                run_id: &progress.outcome.run_id,
                pipeline: &pipeline.name,
                folder_day: day,
                tables: &report.tables,
                started_at,
                finished_at: chrono::Utc::now(),
            },
        )?;
        if !opts.quiet {
            print_landing(day, &progress.outcome.run_id, &report);
        }
        let late = late_partitions(day, &report);
        for d in &late {
            if !progress.outcome.late.contains(d) {
                progress.outcome.late.push(*d);
            }
        }
        progress.outcome.checks.extend(quality::reconcile(day, &report.tables));
        progress.tables.extend(report.tables.iter().map(|t| TableRow {
            stage: "land",
            table: t.table.clone(),
            folder_date: Some(day),
            rows_read: Some(t.read),
            rows_rejected: Some(t.rejected),
            rows_duplicate: Some(t.duplicates),
            rows_written: t.landed,
            seconds: None,
        }));
        progress.outcome.landed.push(day);
        landing.step(&date_string(day));
        progress.dates.push(RunDate {
            date: day,
            fingerprint,
            action: "landed",
            late_partitions: late,
        });
    }
    drop(landing);
    progress.outcome.late.sort_unstable();
    if !progress.outcome.late.is_empty() && !opts.quiet {
        println!(
            "late rows for {}: their cube and marts are rebuilt in this run",
            progress
                .outcome
                .late
                .iter()
                .map(|d| date_string(*d))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let failures = quality::blocking_failures(&progress.outcome.checks);
    if !failures.is_empty() {
        return Err(Error::DataQuality(failures.join("; ")));
    }
    if plan.graph.is_empty() {
        return Ok(());
    }
    if !redefined.is_empty() && !opts.force && !opts.quiet {
        println!(
            "definitions changed since the last build ({}): rebuilding them and what reads them",
            describe_tables(&redefined)
        );
    }
    let Some(built) = runtime.block_on(build_and_publish(pipeline, wh, plan, opts, &redefined, progress))? else {
        if !opts.quiet {
            println!("nothing new to build");
        }
        return Ok(());
    };
    progress.models = built
        .rebuilt
        .iter()
        .flat_map(|r| r.counts.iter().map(move |c| (r, c)))
        .map(|(r, c)| ModelRow {
            table: c.table.clone(),
            fingerprint: fingerprints.get(&c.table).cloned().unwrap_or_default(),
            reason: if opts.force || refreshed(opts, &c.table) {
                "forced"
            } else if !built_with.contains_key(&c.table) {
                "new"
            } else if redefined.contains(&c.table) {
                "definition"
            } else if built.whole {
                // No record of what the published tables were built from (a first
                // build by this version, or a publish that was interrupted).
                "full_build"
            } else {
                "data"
            },
            dates: r.dates.to_string(),
        })
        .collect();
    progress.outcome.built = true;
    if let Some(day) = days.iter().max() {
        let sent = crate::ops::alerts::notify(runtime, pipeline, wh.root(), &progress.outcome.run_id, *day);
        progress.outcome.checks.extend(sent);
    }
    if !opts.quiet {
        let counts: Vec<(&ModelCounts, &DateSet)> = built
            .rebuilt
            .iter()
            .flat_map(|r| r.counts.iter().map(move |c| (c, &r.dates)))
            .collect();
        println!(
            "built {} of {} models and marts (run {})",
            counts.len(),
            plan.graph.table_count(),
            progress.outcome.run_id
        );
        for (c, dates) in counts {
            println!("  {:<40} {:>9} rows {:>7.2} s  {dates}", c.table, c.rows, c.seconds);
        }
    }
    Ok(())
}

/// Whether `--full-refresh` names `table` (or names none: every table).
fn refreshed(opts: &RunOptions, table: &str) -> bool {
    opts.full_refresh
        .as_ref()
        .is_some_and(|t| t.is_empty() || t.iter().any(|t| t == table))
}

/// What a build rebuilt.
struct Built {
    rebuilt: Vec<Rebuilt>,
    /// Every table was rebuilt whole for want of a record of the last build.
    whole: bool,
}

/// Find what changed since the last publish; build it into staging, run the
/// declared checks on what was built, publish if none blocks. `None`: nothing
/// changed.
async fn build_and_publish(
    pipeline: &Pipeline,
    wh: &Warehouse,
    plan: &Plan<'_>,
    opts: &RunOptions,
    redefined: &[String],
    progress: &mut Progress,
) -> Result<Option<Built>> {
    let (graph, key, root) = (plan.graph, plan.key, wh.root());
    let time = |what: &str, started| crate::engine::models::report_time(what, started);
    let started = std::time::Instant::now();
    let ctx = engine::model_session_keyed(root, &pipeline.params, &pipeline.engine, key.key.clone()).await?;
    time("the build's session", started);
    let started = std::time::Instant::now();
    let finality = Finality::load(&ctx).await?;
    let thresholds = build_state::finality_thresholds(pipeline.params.fcr_window_h);
    let now = BuildState::scan(root, &finality, thresholds);
    time("build state: finality and raw partitions' signatures", started);
    let started = std::time::Instant::now();
    let mut changes = Changes::default();
    let before = BuildState::read(root, &pipeline.name).filter(|_| !opts.force);
    match &before {
        Some(before) => {
            changes.whole = redefined.iter().cloned().collect();
            let all: Vec<String> = graph.nodes.iter().flat_map(|n| n.tables()).collect();
            changes.whole.extend(all.into_iter().filter(|t| refreshed(opts, t)));
            let raw = now.raw_changes(before);
            changes.inputs.extend(build_state::latest_changes(&ctx, &raw).await?);
            // The partition listing changes with any raw partition (its row count).
            let mut listed = crate::engine::dateset::DateSet::empty();
            raw.values().for_each(|d| listed.union(d));
            if !listed.is_empty() {
                changes
                    .inputs
                    .insert(crate::engine::raw_partitions::TABLE.into(), listed);
            }
            changes.inputs.extend(raw);
            let finality_changed = now.finality_changes(before);
            if !finality_changed.any.is_empty() {
                changes
                    .inputs
                    .insert("finality_dates".into(), finality_changed.any.clone());
            }
            changes.finality = finality_changed;
        }
        None => changes.whole = graph.nodes.iter().flat_map(|n| n.tables()).collect(),
    }
    time("changed inputs", started);
    if changes.whole.is_empty() && changes.inputs.is_empty() {
        return Ok(None);
    }
    let mut staging = Staging::new(root, &progress.outcome.run_id);
    let stage = std::sync::Arc::new(Stage::start("building", graph.table_count() as u64));
    let observer = std::sync::Arc::clone(&stage);
    staging.observe(move |dir| observer.step(dir));
    let built = async {
        let rebuilt = build_graph_incremental(
            &ctx,
            graph,
            &mut staging,
            &finality,
            &changes,
            &pipeline.params,
            crate::engine::incremental::Limits {
                batch_days: pipeline.engine.rebuild_batch_days,
                node_timeout: pipeline.engine.node_timeout(),
            },
        )
        .await?;
        let checks = quality::run_checks(&ctx, &pipeline.quality.check).await?;
        let failures = quality::blocking_failures(&checks);
        progress.outcome.checks.extend(checks);
        progress
            .tables
            .extend(rebuilt.iter().flat_map(|r| &r.counts).map(|c| TableRow {
                stage: "build",
                table: c.table.clone(),
                folder_date: None,
                rows_read: None,
                rows_rejected: None,
                rows_duplicate: None,
                rows_written: c.rows,
                seconds: Some(c.seconds),
            }));
        if failures.is_empty() {
            Ok(rebuilt)
        } else {
            Err(Error::DataQuality(failures.join("; ")))
        }
    }
    .await;
    match built {
        Ok(rebuilt) => {
            // Until the state is saved, a killed publish makes the next run rebuild everything.
            BuildState::begin_publish(root, &pipeline.name)?;
            staging.commit()?;
            now.publish(root, &pipeline.name, &progress.outcome.run_id)?;
            // Only now: a failed build must find the re-delivered keys as they were before.
            crate::engine::redelivered::save_pending(root);
            Ok(Some(Built {
                rebuilt,
                whole: before.is_none(),
            }))
        }
        Err(e) => {
            staging.discard();
            Err(e)
        }
    }
}

/// `a, b, c` or `a, b, c and 9 more`.
fn describe_tables(tables: &[String]) -> String {
    const SHOWN: usize = 4;
    let head = tables.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    match tables.len().saturating_sub(SHOWN) {
        0 => head,
        more => format!("{head} and {more} more"),
    }
}

/// Business dates before `day` that its delivery wrote rows for.
fn late_partitions(day: i64, report: &LandReport) -> Vec<i64> {
    let mut late: Vec<i64> = report
        .tables
        .iter()
        .flat_map(|t| t.partitions.iter().copied())
        .filter(|d| *d < day)
        .collect();
    late.sort_unstable();
    late.dedup();
    late
}

fn print_landing(day: i64, run_id: &str, report: &LandReport) {
    println!("landed {} (run {run_id})", date_string(day));
    println!(
        "  {:<24} {:>5} {:>9} {:>9} {:>8} {:>9}  partitions",
        "table", "files", "read", "landed", "rejected", "duplicate"
    );
    let mut total = crate::ingest::TableCounts::default();
    for t in &report.tables {
        let parts: Vec<String> = t.partitions.iter().map(|d| date_string(*d)).collect();
        println!(
            "  {:<24} {:>5} {:>9} {:>9} {:>8} {:>9}  {}",
            t.table,
            t.files,
            t.read,
            t.landed,
            t.rejected,
            t.duplicates,
            if t.files == 0 {
                "(no delivery)".to_string()
            } else {
                parts.join(" ")
            }
        );
        total.files += t.files;
        total.read += t.read;
        total.landed += t.landed;
        total.rejected += t.rejected;
        total.duplicates += t.duplicates;
    }
    println!(
        "  {:<24} {:>5} {:>9} {:>9} {:>8} {:>9}",
        "total", total.files, total.read, total.landed, total.rejected, total.duplicates
    );
}
