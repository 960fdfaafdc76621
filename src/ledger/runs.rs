//! The run ledger: what every `run` (and scheduled run) did, as warehouse
//! tables readable with `callcube sql` and listed by `callcube runs`.
//!
//! - `ledger_runs`: one row per run: pipeline, trigger, dates, parameters
//!   (JSON and hash), status, error, late-data and skipped dates, a taken-over
//!   lock, the customer-key fingerprint, start and end
//! - `ledger_run_dates`: per run and business date: the inputs' fingerprint,
//!   the parameters' hash, `landed` or `skipped`, and the earlier dates its
//!   delivery brought rows for (late data)
//! - `ledger_run_inputs`: per run, every delivered file with size and SHA-256
//! - `ledger_run_tables`: per run, rows read / rejected / duplicate / written
//!   per source table and date (`land`: read = rejected + duplicate +
//!   written), rows written and seconds per model and mart (`build`)
//! - `ledger_run_checks`: per run, each data-quality check, pass or fail, why
//! - `ledger_run_models`: per run and table it built: the definition
//!   fingerprint (see `engine::fingerprint`), why it was built, and the dates
//!   it rebuilt
//!
//! A run's record is written when it starts (status `running`) and replaced
//! when it ends; a record left `running` while nobody holds the lock is a run
//! that was killed (`callcube runs` shows it as `killed`).

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;

use crate::error::Result;
use crate::timefmt::date_string;
use crate::warehouse::{self, Warehouse};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Success,
    Failed,
    DataQualityFailed,
    InputMissing,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Success => "success",
            RunStatus::Failed => "failed",
            RunStatus::DataQualityFailed => "dq_failed",
            RunStatus::InputMissing => "input_missing",
        }
    }
}

/// One run.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub run_id: String,
    pub pipeline: String,
    /// `run`, `backfill` or `schedule`.
    pub trigger: String,
    pub dates: Vec<i64>,
    pub params_json: String,
    pub params_hash: String,
    pub status: RunStatus,
    pub error: Option<String>,
    /// Earlier dates that deliveries of this run brought rows for: rebuilt with it.
    pub late_dates: Vec<i64>,
    /// Dates skipped because a successful run already had the same inputs and parameters.
    pub skipped_dates: Vec<i64>,
    /// The lock holder this run took over from (a killed run), if any.
    pub took_over: Option<String>,
    /// Fingerprint of the customer-key secret the run used (never the key).
    pub key_fingerprint: Option<String>,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One delivered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    pub folder_date: i64,
    pub table: String,
    /// Path below the inbox.
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

/// One business date of a run.
#[derive(Debug, Clone)]
pub struct RunDate {
    pub date: i64,
    pub fingerprint: String,
    pub action: &'static str,
    pub late_partitions: Vec<i64>,
}

/// Rows per table and stage.
#[derive(Debug, Clone)]
pub struct TableRow {
    /// `land` or `build`.
    pub stage: &'static str,
    pub table: String,
    pub folder_date: Option<i64>,
    pub rows_read: Option<u64>,
    pub rows_rejected: Option<u64>,
    /// Landing: rows dropped because a later delivery of the same key won.
    pub rows_duplicate: Option<u64>,
    pub rows_written: u64,
    pub seconds: Option<f64>,
}

/// A table a run built.
#[derive(Debug, Clone)]
pub struct ModelRow {
    pub table: String,
    /// Its definition fingerprint.
    pub fingerprint: String,
    /// Why: `forced`, `new` (never built before), `definition` (its
    /// fingerprint changed), `data` (new or re-landed dates), or `full_build`
    /// (unchanged, rebuilt because the build rebuilds every table).
    pub reason: &'static str,
    /// Business dates rebuilt, or `all`.
    pub dates: String,
}

/// One data-quality check's outcome.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub check: String,
    pub table: String,
    /// `block` or `warn`.
    pub severity: String,
    pub passed: bool,
    pub detail: String,
}

fn strings<S: AsRef<str>>(v: impl Iterator<Item = Option<S>>) -> ArrayRef {
    Arc::new(v.map(|s| s.map(|s| s.as_ref().to_string())).collect::<StringArray>())
}

fn dates_text(d: &[i64]) -> String {
    d.iter().map(|d| date_string(*d)).collect::<Vec<_>>().join(",")
}

fn ts(t: Option<chrono::DateTime<chrono::Utc>>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(vec![t.map(|t| t.timestamp_micros())]).with_timezone("UTC"))
}

/// Write `columns` as `ledger/<table>/<run_id>.parquet`, replacing an earlier version.
fn write(wh: &Warehouse, table: &str, run_id: &str, columns: Vec<(&str, ArrayRef)>) -> Result<()> {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns.into_iter().map(|(_, a)| a).collect())?;
    let dest = wh.root().join("ledger").join(table).join(format!("{run_id}.parquet"));
    let staged = warehouse::stage(dest, schema, &[batch], run_id)?;
    warehouse::commit(vec![staged])
}

/// Write (or replace) the run's record.
pub fn write_run(wh: &Warehouse, r: &RunRecord) -> Result<()> {
    write(
        wh,
        "runs",
        &r.run_id,
        vec![
            ("run_id", strings(std::iter::once(Some(&r.run_id)))),
            ("pipeline", strings(std::iter::once(Some(&r.pipeline)))),
            ("trigger", strings(std::iter::once(Some(&r.trigger)))),
            ("dates", strings(std::iter::once(Some(dates_text(&r.dates))))),
            ("status", strings(std::iter::once(Some(r.status.as_str())))),
            ("error", strings(std::iter::once(r.error.as_ref()))),
            ("late_dates", strings(std::iter::once(Some(dates_text(&r.late_dates))))),
            (
                "skipped_dates",
                strings(std::iter::once(Some(dates_text(&r.skipped_dates)))),
            ),
            ("took_over_lock", strings(std::iter::once(r.took_over.as_ref()))),
            ("key_fingerprint", strings(std::iter::once(r.key_fingerprint.as_ref()))),
            ("params_hash", strings(std::iter::once(Some(&r.params_hash)))),
            ("params", strings(std::iter::once(Some(&r.params_json)))),
            ("started_at", ts(Some(r.started_at))),
            ("finished_at", ts(r.finished_at)),
            (
                "seconds",
                Arc::new(Float64Array::from(vec![
                    r.finished_at
                        .map(|f| (f - r.started_at).num_milliseconds() as f64 / 1000.0),
                ])),
            ),
        ],
    )
}

/// Record the run's inputs.
pub fn write_inputs(wh: &Warehouse, run_id: &str, files: &[InputFile]) -> Result<()> {
    let n = files.len();
    write(
        wh,
        "run_inputs",
        run_id,
        vec![
            ("run_id", strings(std::iter::repeat_n(Some(run_id), n))),
            (
                "folder_date",
                Arc::new(Date32Array::from(
                    files.iter().map(|f| f.folder_date as i32).collect::<Vec<_>>(),
                )),
            ),
            ("table_name", strings(files.iter().map(|f| Some(&f.table)))),
            ("file", strings(files.iter().map(|f| Some(&f.file)))),
            (
                "bytes",
                Arc::new(Int64Array::from(
                    files.iter().map(|f| f.bytes as i64).collect::<Vec<_>>(),
                )),
            ),
            ("sha256", strings(files.iter().map(|f| Some(&f.sha256)))),
        ],
    )
}

/// Record the run's business dates.
pub fn write_dates(wh: &Warehouse, run_id: &str, params_hash: &str, dates: &[RunDate]) -> Result<()> {
    let n = dates.len();
    write(
        wh,
        "run_dates",
        run_id,
        vec![
            ("run_id", strings(std::iter::repeat_n(Some(run_id), n))),
            (
                "business_date",
                Arc::new(Date32Array::from(
                    dates.iter().map(|d| d.date as i32).collect::<Vec<_>>(),
                )),
            ),
            (
                "inputs_fingerprint",
                strings(dates.iter().map(|d| Some(&d.fingerprint))),
            ),
            ("params_hash", strings(std::iter::repeat_n(Some(params_hash), n))),
            ("action", strings(dates.iter().map(|d| Some(d.action)))),
            (
                "late_partitions",
                strings(dates.iter().map(|d| Some(dates_text(&d.late_partitions)))),
            ),
        ],
    )
}

/// Record rows per table.
pub fn write_tables(wh: &Warehouse, run_id: &str, rows: &[TableRow]) -> Result<()> {
    let n = rows.len();
    let opt_int = |f: &dyn Fn(&TableRow) -> Option<u64>| -> ArrayRef {
        Arc::new(rows.iter().map(|r| f(r).map(|v| v as i64)).collect::<Int64Array>())
    };
    write(
        wh,
        "run_tables",
        run_id,
        vec![
            ("run_id", strings(std::iter::repeat_n(Some(run_id), n))),
            ("stage", strings(rows.iter().map(|r| Some(r.stage)))),
            ("table_name", strings(rows.iter().map(|r| Some(&r.table)))),
            (
                "folder_date",
                Arc::new(
                    rows.iter()
                        .map(|r| r.folder_date.map(|d| d as i32))
                        .collect::<Date32Array>(),
                ),
            ),
            ("rows_read", opt_int(&|r| r.rows_read)),
            ("rows_rejected", opt_int(&|r| r.rows_rejected)),
            ("rows_duplicate", opt_int(&|r| r.rows_duplicate)),
            ("rows_written", opt_int(&|r| Some(r.rows_written))),
            (
                "seconds",
                Arc::new(rows.iter().map(|r| r.seconds).collect::<Float64Array>()),
            ),
        ],
    )
}

/// Record the data-quality checks.
pub fn write_checks(wh: &Warehouse, run_id: &str, checks: &[CheckResult]) -> Result<()> {
    let n = checks.len();
    write(
        wh,
        "run_checks",
        run_id,
        vec![
            ("run_id", strings(std::iter::repeat_n(Some(run_id), n))),
            ("check_name", strings(checks.iter().map(|c| Some(&c.check)))),
            ("table_name", strings(checks.iter().map(|c| Some(&c.table)))),
            ("severity", strings(checks.iter().map(|c| Some(&c.severity)))),
            (
                "passed",
                Arc::new(BooleanArray::from(checks.iter().map(|c| c.passed).collect::<Vec<_>>())),
            ),
            ("detail", strings(checks.iter().map(|c| Some(&c.detail)))),
        ],
    )
}

/// Record the tables the run built.
pub fn write_models(wh: &Warehouse, run_id: &str, rows: &[ModelRow]) -> Result<()> {
    let n = rows.len();
    write(
        wh,
        "run_models",
        run_id,
        vec![
            ("run_id", strings(std::iter::repeat_n(Some(run_id), n))),
            ("table_name", strings(rows.iter().map(|r| Some(&r.table)))),
            ("fingerprint", strings(rows.iter().map(|r| Some(&r.fingerprint)))),
            ("reason", strings(rows.iter().map(|r| Some(r.reason)))),
            ("dates", strings(rows.iter().map(|r| Some(&r.dates)))),
        ],
    )
}

/// Per table, the definition fingerprint it was last built with by a
/// successful run of `pipeline` (empty for a warehouse without such runs).
pub async fn built_fingerprints(ctx: &SessionContext, pipeline: &str) -> Result<BTreeMap<String, String>> {
    let rows = of_successful_runs(ctx, pipeline, "ledger_run_models", &["table_name", "fingerprint"]).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r[0].clone()?, r[1].clone()?)))
        .collect())
}

/// The customer-key fingerprint of the latest successful run of any pipeline
/// on this warehouse that recorded one: the key its customer keys were made with.
pub async fn warehouse_key_fingerprint(ctx: &SessionContext) -> Result<Option<String>> {
    if !ctx.table_exist("ledger_runs")? {
        return Ok(None);
    }
    let has_column = ctx
        .table("ledger_runs")
        .await?
        .schema()
        .has_column_with_unqualified_name("key_fingerprint");
    if !has_column {
        return Ok(None); // a warehouse from before fingerprints
    }
    let batches = ctx
        .sql(
            "SELECT key_fingerprint FROM ledger_runs WHERE status = 'success' AND key_fingerprint IS NOT NULL \
             ORDER BY started_at DESC LIMIT 1",
        )
        .await?
        .collect()
        .await?;
    let Some(b) = batches.iter().find(|b| b.num_rows() > 0) else {
        return Ok(None);
    };
    let col = datafusion::arrow::compute::cast(b.column(0), &datafusion::arrow::datatypes::DataType::Utf8)?;
    let col = col.as_any().downcast_ref::<StringArray>().expect("utf8");
    Ok(Some(col.value(0).to_string()))
}

/// For each business date, the inputs fingerprint and parameters hash of the
/// latest successful run of `pipeline` that covered it (landed or skipped).
pub async fn completed_dates(ctx: &SessionContext, pipeline: &str) -> Result<BTreeMap<i64, (String, String)>> {
    let rows = of_successful_runs(
        ctx,
        pipeline,
        "ledger_run_dates",
        &[
            "CAST(CAST(t.business_date AS INT) AS BIGINT)",
            "inputs_fingerprint",
            "params_hash",
        ],
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let day = r[0].as_deref()?.parse().ok()?;
            Some((day, (r[1].clone()?, r[2].clone()?)))
        })
        .collect())
}

/// `columns` (as text) of the ledger table `table` (`t`) for every successful
/// run of `pipeline`, oldest run first; none when the ledger has no such table.
async fn of_successful_runs(
    ctx: &SessionContext,
    pipeline: &str,
    table: &str,
    columns: &[&str],
) -> Result<Vec<Vec<Option<String>>>> {
    if !ctx.table_exist("ledger_runs")? || !ctx.table_exist(table)? {
        return Ok(Vec::new());
    }
    let select: Vec<String> = columns
        .iter()
        .map(|c| {
            if c.contains('(') {
                c.to_string()
            } else {
                format!("t.{c}")
            }
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM {table} AS t JOIN ledger_runs AS r ON r.run_id = t.run_id \
         WHERE r.status = 'success' AND r.pipeline = '{}' ORDER BY r.started_at",
        select.join(", "),
        pipeline.replace('\'', "''")
    );
    let mut out = Vec::new();
    for b in ctx.sql(&sql).await?.collect().await? {
        let text: Vec<ArrayRef> = b
            .columns()
            .iter()
            .map(|c| datafusion::arrow::compute::cast(c, &datafusion::arrow::datatypes::DataType::Utf8))
            .collect::<std::result::Result<_, _>>()?;
        for r in 0..b.num_rows() {
            out.push(
                text.iter()
                    .map(|c| {
                        let c = c.as_any().downcast_ref::<StringArray>().expect("utf8");
                        (!c.is_null(r)).then(|| c.value(r).to_string())
                    })
                    .collect(),
            );
        }
    }
    Ok(out)
}
