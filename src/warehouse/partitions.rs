//! A table folder's `dt=` partitions, seen by the incremental build: which
//! dates a folder holds, carrying the untouched ones into a staged folder
//! (hard links: no bytes copied), and which dates a rebuild really changed
//! (row digests, [`super::digest`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::engine::dateset::DateSet;
use crate::error::{Result, io_err};
use crate::timefmt::parse_date;
use crate::warehouse::DATA_FILE;
use crate::warehouse::digest::read_digest;
use crate::warehouse::stream_writer::{WHOLE_TABLE, Written};

/// The `dt=` partition folders of `dir` holding data, by date (none if `dir` is absent).
pub fn partition_dates(dir: &Path) -> BTreeMap<i64, PathBuf> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(day) = name.strip_prefix("dt=").and_then(|d| parse_date(d.as_bytes())) else {
            continue;
        };
        if data_files(&e.path()).next().is_some() {
            out.insert(day, e.path());
        }
    }
    out
}

/// The committed data files of a folder (temporaries start with `.`).
pub fn data_files(dir: &Path) -> impl Iterator<Item = PathBuf> {
    std::fs::read_dir(dir).into_iter().flatten().flatten().filter_map(|e| {
        let n = e.file_name().to_string_lossy().to_string();
        (!n.starts_with('.') && n.ends_with(".parquet")).then(|| e.path())
    })
}

/// Hard-link into `to` every partition of `from` whose date `keep` accepts;
/// how many were linked.
pub fn link_partitions(from: &Path, to: &Path, keep: impl Fn(i64) -> bool) -> Result<usize> {
    let mut linked = 0;
    for (day, src) in partition_dates(from) {
        if !keep(day) {
            continue;
        }
        let dst = to.join(src.file_name().expect("a partition folder"));
        std::fs::create_dir_all(&dst).map_err(io_err(&dst))?;
        for f in data_files(&src) {
            let target = dst.join(f.file_name().expect("a data file"));
            std::fs::hard_link(&f, &target).map_err(io_err(&target))?;
        }
        linked += 1;
    }
    Ok(linked)
}

/// The dates of the table at `published` that `written` (its rebuild over
/// `scope`, every date when `None`) changes: dates written or dropped whose
/// rows differ from the published partition's. A table without `dt`, or one
/// that was not there or not partitioned before, changes as a whole.
pub fn changed_dates(published: &Path, written: &Written, scope: Option<&DateSet>) -> DateSet {
    if !published.exists() {
        return DateSet::all();
    }
    let before = partition_dates(published);
    let was_partitioned = !before.is_empty();
    if !written.partitioned {
        let whole = written.digests.get(&WHOLE_TABLE);
        // An empty rebuild of some dates of a partitioned table: those dates are dropped.
        if was_partitioned && written.rows == 0 {
            let dropped = before.keys().copied().filter(|d| scope.is_none_or(|s| s.contains(*d)));
            return DateSet::of(dropped);
        }
        let same = !was_partitioned && whole.is_some() && whole.cloned() == read_digest(&published.join(DATA_FILE));
        return if same { DateSet::empty() } else { DateSet::all() };
    }
    if !was_partitioned && published.join(DATA_FILE).exists() && written.rows > 0 {
        // It held one (empty) file; now it has partitions.
        return DateSet::all();
    }
    let mut dates: Vec<i64> = written.dates.clone();
    dates.extend(before.keys().copied().filter(|d| scope.is_none_or(|s| s.contains(*d))));
    dates.sort_unstable();
    dates.dedup();
    DateSet::of(dates.into_iter().filter(|d| {
        let old = before.get(d).and_then(|p| read_digest(&p.join(DATA_FILE)));
        old.is_none() || old.as_ref() != written.digests.get(d)
    }))
}
