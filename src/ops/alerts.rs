//! `[alerts] command`: after a successful publish, the alerts of the run's
//! last business date (`marts_alerts_daily`) go to a shell command as a JSON
//! array on standard input — a mail or IM hook. The command learns the
//! date, pipeline and run from `CALLCUBE_ALERTS_DATE`, `CALLCUBE_PIPELINE`
//! and `CALLCUBE_RUN_ID`. Whatever it does, the run's result stands: its
//! outcome is a `warn` row of `ledger_run_checks` (`alerts_command`).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use datafusion::arrow::array::RecordBatch;

use crate::config::Pipeline;
use crate::engine;
use crate::error::Result;
use crate::ledger::runs::CheckResult;
use crate::timefmt::date_string;

/// How long a command may run when `[alerts] timeout_s` is not set.
const DEFAULT_TIMEOUT_S: u64 = 60;

/// The alerts of `day` in the published warehouse at `root` (none before the mart exists).
pub async fn alerts_of(root: &Path, day: i64) -> Result<Vec<RecordBatch>> {
    let (ctx, _) = engine::session(root).await?;
    if !ctx.table_exist("marts_alerts_daily")? {
        return Ok(Vec::new());
    }
    engine::query(
        &ctx,
        &format!(
            "SELECT dt, metric_id, metric_key, dimension, member, value, target, severity, is_final \
             FROM marts_alerts_daily WHERE dt = DATE '{}' ORDER BY severity, metric_id, dimension, member",
            date_string(day)
        ),
    )
    .await
}

/// The batches as a JSON array of objects.
pub fn to_json(batches: &[RecordBatch]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut w = datafusion::arrow::json::ArrayWriter::new(&mut out);
    let refs: Vec<&RecordBatch> = batches.iter().collect();
    w.write_batches(&refs)?;
    w.finish()?;
    drop(w);
    if out.is_empty() {
        out.extend_from_slice(b"[]");
    }
    Ok(out)
}

/// Run the pipeline's alerts command for `day`, if it has one and the day
/// has alerts; the ledger row says how it went. Never an error.
pub fn notify(
    runtime: &tokio::runtime::Runtime,
    pipeline: &Pipeline,
    root: &Path,
    run_id: &str,
    day: i64,
) -> Option<CheckResult> {
    let command = pipeline.alerts.command.as_deref()?;
    let result = |passed: bool, detail: String| {
        if !passed {
            eprintln!("warning: the alerts command failed ({detail}); the run's result stands");
        }
        Some(CheckResult {
            check: "alerts_command".into(),
            table: "marts_alerts_daily".into(),
            severity: "warn".into(),
            passed,
            detail,
        })
    };
    let batches = match runtime.block_on(alerts_of(root, day)) {
        Ok(b) => b,
        Err(e) => return result(false, format!("reading the alerts of {}: {e}", date_string(day))),
    };
    let count: usize = batches.iter().map(RecordBatch::num_rows).sum();
    if count == 0 {
        return None;
    }
    let json = match to_json(&batches) {
        Ok(j) => j,
        Err(e) => return result(false, format!("writing the alerts as JSON: {e}")),
    };
    let timeout = Duration::from_secs(pipeline.alerts.timeout_s.unwrap_or(DEFAULT_TIMEOUT_S));
    match run_command(
        command,
        &json,
        timeout,
        &[
            ("CALLCUBE_ALERTS_DATE", date_string(day)),
            ("CALLCUBE_PIPELINE", pipeline.name.clone()),
            ("CALLCUBE_RUN_ID", run_id.to_string()),
        ],
    ) {
        Ok(()) => result(true, format!("{count} alert(s) of {} sent", date_string(day))),
        Err(why) => result(false, format!("`{command}`: {why}")),
    }
}

/// Run `command` with `sh -c`, `input` on its standard input; wait at most `timeout`.
fn run_command(
    command: &str,
    input: &[u8],
    timeout: Duration,
    env: &[(&str, String)],
) -> std::result::Result<(), String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start it: {e}"))?;
    // Written beside the wait: a command that reads nothing would block a large write.
    let writer = child.stdin.take().map(|mut stdin| {
        let input = input.to_vec();
        std::thread::spawn(move || {
            // A command that does not read its input is not a failure.
            let _ = stdin.write_all(&input);
        })
    });
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                if let Some(w) = writer {
                    let _ = w.join();
                }
                return match status.success() {
                    true => Ok(()),
                    false => Err(format!("{status}")),
                };
            }
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("still running after {} s: stopped", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for it: {e}")),
        }
    }
}
