//! What the published tables were built from: each raw partition's file
//! signature and each date's finality, saved with every publish in
//! `<warehouse>/_state/build-<pipeline>.json`. The next run compares the
//! warehouse with it to find what changed since — the partitions its own
//! landing wrote, and those a failed run landed but never built.
//!
//! While a publish swaps tables in, `_state/publishing-<pipeline>` exists: a
//! run that finds it (the previous one was killed mid-publish, so tables may
//! be a mix of two builds) rebuilds everything once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};

use crate::catalog::query::Finality;
use crate::engine::dateset::DateSet;
use crate::engine::incremental::FinalityChanges;
use crate::error::{Result, io_err};
use crate::timefmt::{date_string, parse_date};
use crate::warehouse::partitions::partition_dates;

/// Settled days are saved up to this many: every threshold is below it.
pub const FINALITY_HORIZON_DAYS: i64 = 60;

/// The settled-day thresholds a date's finality is read at: 1 and 7 (the
/// models' `is_final`, and the monthly marts' 7 days after the month's last
/// date) and each metric's `final_after_days` (1, 3, 7, 35, and
/// ⌈`fcr_window_h` / 24⌉ for A5). A date's finality "changes" only when it
/// crosses one of them — so a night changes about five dates of
/// `finality_dates`, not every date settled less than 35 days. A by-date
/// model must compare `settled_days` with one of these, never output it
/// (`month_finality`, by month, is rebuilt whole).
pub fn finality_thresholds(fcr_window_h: i64) -> Vec<i64> {
    let mut t: Vec<i64> = crate::catalog::catalog()
        .iter()
        .map(|m| m.final_after(fcr_window_h))
        .chain([1, 7])
        .filter(|t| *t < FINALITY_HORIZON_DAYS)
        .collect();
    t.sort_unstable();
    t.dedup();
    t
}

/// The state of the inputs a build saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildState {
    /// Per raw table, per partition date, the signature of its files.
    pub raw: BTreeMap<String, BTreeMap<String, String>>,
    /// Per date, its settled days (capped at the horizon).
    pub finality: BTreeMap<String, i64>,
    /// The latest run date finality counted from.
    pub latest_run: Option<String>,
    /// The thresholds settled days were read at ([`finality_thresholds`]).
    #[serde(default)]
    pub thresholds: Vec<i64>,
}

fn state_dir(root: &Path) -> PathBuf {
    root.join("_state")
}

fn state_file(root: &Path, pipeline: &str) -> PathBuf {
    state_dir(root).join(format!("build-{pipeline}.json"))
}

fn marker_file(root: &Path, pipeline: &str) -> PathBuf {
    state_dir(root).join(format!("publishing-{pipeline}"))
}

impl BuildState {
    /// The state of the last publish; `None` when there is none or it was
    /// interrupted (then everything is rebuilt).
    pub fn read(root: &Path, pipeline: &str) -> Option<BuildState> {
        if marker_file(root, pipeline).exists() {
            return None;
        }
        let text = std::fs::read_to_string(state_file(root, pipeline)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The state of the warehouse now, with `finality` as the build will use it.
    pub fn scan(root: &Path, finality: &Finality, thresholds: Vec<i64>) -> BuildState {
        let raw = crate::warehouse::table_dirs(root)
            .into_iter()
            .filter(|t| t.name.starts_with("raw_"))
            .map(|t| {
                let parts = partition_dates(&t.path)
                    .into_iter()
                    .map(|(d, dir)| (date_string(d), signature(&dir)))
                    .collect();
                (t.name, parts)
            })
            .collect();
        BuildState {
            raw,
            finality: finality
                .settled_days()
                .into_iter()
                .map(|(d, s)| (date_string(d), s.min(FINALITY_HORIZON_DAYS)))
                .collect(),
            latest_run: finality.latest_run.map(date_string),
            thresholds,
        }
    }

    /// Per raw table, the partitions added, removed or rewritten since `before`.
    pub fn raw_changes(&self, before: &BuildState) -> BTreeMap<String, DateSet> {
        let empty = BTreeMap::new();
        let mut out = BTreeMap::new();
        let tables = self.raw.keys().chain(before.raw.keys());
        for t in tables {
            let (now, was) = (self.raw.get(t).unwrap_or(&empty), before.raw.get(t).unwrap_or(&empty));
            let dates = now
                .keys()
                .chain(was.keys())
                .filter(|d| now.get(*d) != was.get(*d))
                .filter_map(|d| parse_date(d.as_bytes()));
            let set = DateSet::of(dates);
            if !set.is_empty() {
                out.insert(t.clone(), set);
            }
        }
        out
    }

    /// The dates of `finality_dates` whose meaning changed since `before`: a
    /// row added or removed, its settled days crossed a threshold, or the
    /// date passed the latest run (the dates up to it exist), kept per
    /// threshold for models that compare with only some of them. Other
    /// thresholds than before: every date.
    pub fn finality_changes(&self, before: &BuildState) -> FinalityChanges {
        if self.thresholds != before.thresholds {
            return FinalityChanges::everything();
        }
        let parse = |d: &Option<String>| d.as_deref().and_then(|d| parse_date(d.as_bytes()));
        let (latest, latest_before) = (parse(&self.latest_run), parse(&before.latest_run));
        let mut out = FinalityChanges::default();
        let mut by_threshold: BTreeMap<i64, Vec<i64>> = self.thresholds.iter().map(|t| (*t, Vec::new())).collect();
        let (mut any, mut passed_latest) = (Vec::new(), Vec::new());
        for d in self.finality.keys().chain(before.finality.keys()) {
            let Some(day) = parse_date(d.as_bytes()) else {
                continue;
            };
            let (now, was) = (self.finality.get(d), before.finality.get(d));
            let passed = |l: Option<i64>| l.is_some_and(|l| day <= l);
            // A row added or removed counts as a change at every threshold.
            let row_changed = now.is_some() != was.is_some() || passed(latest) != passed(latest_before);
            if row_changed {
                passed_latest.push(day);
            }
            for (t, dates) in &mut by_threshold {
                if row_changed || now.is_some_and(|s| s >= t) != was.is_some_and(|s| s >= t) {
                    dates.push(day);
                    any.push(day);
                }
            }
            if row_changed {
                any.push(day);
            }
        }
        out.any = DateSet::of(any);
        out.latest_run = DateSet::of(passed_latest);
        out.by_threshold = by_threshold.into_iter().map(|(t, d)| (t, DateSet::of(d))).collect();
        out
    }

    /// Mark a publish as started: until [`BuildState::publish`], a killed run
    /// makes the next one rebuild everything.
    pub fn begin_publish(root: &Path, pipeline: &str) -> Result<()> {
        let marker = marker_file(root, pipeline);
        std::fs::create_dir_all(state_dir(root)).map_err(io_err(state_dir(root)))?;
        std::fs::write(&marker, b"").map_err(io_err(&marker))
    }

    /// Save this state as the published one (atomically) and clear the marker.
    pub fn publish(&self, root: &Path, pipeline: &str, run_id: &str) -> Result<()> {
        let text = serde_json::to_string(self).expect("state serialises");
        let staged = crate::warehouse::stage_bytes(state_file(root, pipeline), text.as_bytes(), run_id)?;
        crate::warehouse::commit(vec![staged])?;
        let marker = marker_file(root, pipeline);
        std::fs::remove_file(&marker).map_err(io_err(&marker))
    }
}

/// A partition's files: name, length, modification time and inode. Landing
/// replaces a partition by renaming a new file over it, which changes all but the name.
fn signature(dir: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some(format!(
                "{}:{}:{}.{}:{}",
                e.file_name().to_string_lossy(),
                m.len(),
                m.mtime(),
                m.mtime_nsec(),
                m.ino()
            ))
        })
        .collect();
    files.sort();
    files.join(";")
}

/// The changed dates of each `latest_<system>_<table>` view, from its raw
/// table's changed partitions: those, and the partitions holding an earlier
/// delivery of a key delivered again (the view drops it there), and those
/// holding another delivery of a key a changed partition held before (the
/// view may keep it there again: `redelivered_left_*`). A key in a changed
/// partition and in another is one `redelivered_*` lists (brought up to date
/// when `ctx` was made), so only the changed partitions are read.
pub async fn latest_changes(
    ctx: &SessionContext,
    raw: &BTreeMap<String, DateSet>,
) -> Result<BTreeMap<String, DateSet>> {
    let mut out = BTreeMap::new();
    for t in crate::schema::TABLES {
        let Some(changed) = raw.get(&t.raw_table_name()) else {
            continue;
        };
        let mut dates = changed.clone();
        if !t.is_snapshot() && changed.is_bounded() && ctx.table_exist(t.raw_table_name().as_str())? {
            let keys = t.key.join(", ");
            let on: Vec<String> = t.key.iter().map(|k| format!("o.{k} = n.{k}")).collect();
            let sql = format!(
                "SELECT DISTINCT CAST(CAST(o.dt AS INT) AS BIGINT) AS d FROM {listed} AS o \
                 JOIN (SELECT DISTINCT {keys} FROM {raw} WHERE {now}) AS n ON {on} WHERE NOT ({was})",
                raw = t.raw_table_name(),
                listed = crate::engine::redelivered::table_name(t),
                now = changed.sql_condition("dt"),
                was = changed.sql_condition("o.dt"),
                on = on.join(" AND "),
            );
            // And the other partitions of keys listed before with a delivery in a changed one.
            let left = crate::engine::redelivered::left_table_name(t);
            let sql = match ctx.table_exist(left.as_str())? {
                true => format!("{sql} UNION SELECT d FROM {left}"),
                false => sql,
            };
            for b in ctx.sql(&sql).await?.collect().await? {
                let col = b
                    .column(0)
                    .as_any()
                    .downcast_ref::<datafusion::arrow::array::Int64Array>()
                    .expect("int64");
                dates.union(&DateSet::of(col.iter().flatten()));
            }
        }
        out.insert(format!("latest_{}_{}", t.system, t.name), dates);
    }
    Ok(out)
}
