//! The incremental build: each node of the build graph rebuilds only the
//! dates that need it.
//!
//! What changed comes in as dates per table: the raw partitions landed since
//! the last build (and the `latest_*` views over them), the dates whose
//! finality moved. Walking the graph in order, a node's dates to rebuild are
//! the changed dates of what it reads, mapped through its declared windows
//! (`-- window:`, see [`crate::engine::model_header`]):
//!
//! - `lo..hi` (no line: `0..0`): an input date x is read by output dates x − hi … x − lo;
//! - `..hi`: by every output date from x − hi on;
//! - `asof`: by x up to the day before the input's next partition;
//! - `latest_or_earliest_by <key>`: by every date from x on, and every date
//!   before x when x is at or before some key's first row; read whole;
//! - `by <key> in <homes>`: by the dates of the home rows whose key changed
//!   ([`crate::engine::key_dates`]); such an input is read whole;
//! - a date window with `reading <columns>` maps only the dates whose rows
//!   changed in those columns;
//! - `all`, an unpartitioned input, a `full` model: any change rebuilds the
//!   node whole (a `full` model with `carry` merges instead, see [`merges`]).
//!
//! A `by_month` model (partitioned on `dt`, its month's first date) maps its
//! inputs' changes through its windows like a by-date one, then rebuilds every
//! date of the months touched: its rows of those months.
//!
//! The tags continue each run of days from the day before (`since`): a change
//! at x rebuilds them from x on ([`crate::tags::build_dates`]).
//!
//! The metric marts read each cube date on its own: they rebuild the changed
//! dates (the weeks and months touching them, [`crate::marts::build_dates`]).
//!
//! A by-date rebuild reads its inputs narrowed to the dates its windows
//! need, keeps only the rows of the rebuilt dates, and carries the other
//! published partitions over ([`Staging::set_scope`]). What it changed for the
//! nodes downstream is only the dates whose rows differ from the published
//! ones (row digests), so a whole rebuild of `dim_date` that adds one row
//! rebuilds one date downstream, not all of them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::catalog::TableProvider;
use datafusion::prelude::SessionContext;

use crate::catalog::query::Finality;
use crate::engine::dateset::DateSet;
use crate::engine::graph::{BuildGraph, Job, Node};
use crate::engine::key_dates;
use crate::engine::model_header::{DayBound, Kind, Window};
use crate::engine::models::{self, ModelCounts, Staging};
use crate::error::{Error, Result};
use crate::warehouse::TableDir;
use crate::warehouse::partitions::partition_dates;

/// What a run rebuilds from.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Tables rebuilt over every date whatever changed (definition changed,
    /// never built, forced).
    pub whole: BTreeSet<String>,
    /// Changed dates of the tables the graph reads but does not build
    /// (`raw_*`, `latest_*`, `finality_dates`).
    pub inputs: BTreeMap<String, DateSet>,
    /// `finality_dates`'s changed dates by what a node reads of it.
    pub finality: FinalityChanges,
}

/// The dates whose finality changed, as each reader of `finality_dates` sees
/// them: a model declaring `-- finality:` is rebuilt only for the thresholds
/// it compares `settled_days` with (the tags: 1 day), not for a date crossing
/// a metric's 35 days.
#[derive(Debug, Clone, Default)]
pub struct FinalityChanges {
    /// Any change: a row added or removed, a threshold crossed, the latest run passed.
    pub any: DateSet,
    /// Rows added or removed, or passed by the latest run (`latest_run`'s readers).
    pub latest_run: DateSet,
    /// Per threshold of settled days, the dates crossing it (and `latest_run`'s).
    pub by_threshold: BTreeMap<i64, DateSet>,
}

impl FinalityChanges {
    /// Every date changed (the thresholds themselves changed).
    pub fn everything() -> FinalityChanges {
        FinalityChanges {
            any: DateSet::all(),
            latest_run: DateSet::all(),
            by_threshold: BTreeMap::new(),
        }
    }

    /// The changed dates for a reader of `thresholds` (`None`: all of them; an
    /// untracked threshold counts as any change).
    pub fn read_by(&self, thresholds: Option<&[i64]>) -> DateSet {
        let Some(thresholds) = thresholds else {
            return self.any.clone();
        };
        let mut out = self.latest_run.clone();
        for t in thresholds {
            match self.by_threshold.get(t) {
                Some(dates) => out.union(dates),
                None => return self.any.clone(),
            }
        }
        out
    }
}

/// The table of each date's settled days.
const FINALITY: &str = "finality_dates";

/// The settled-day thresholds the customer tags and profile compare with
/// (`is_final`: settled for a day).
const TAGS_FINALITY: &[i64] = &[1];

/// One node's rebuild.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    /// The dates rebuilt (every date for a whole rebuild).
    pub dates: DateSet,
    pub counts: Vec<ModelCounts>,
}

/// Run the nodes of `graph` that `changes` reach, each over the dates that
/// need it, into `staging`. `params` gives window bounds their values; a
/// by-date model with more than `batch_days` dates to rebuild runs in batches.
pub async fn build(
    graph: &BuildGraph,
    ctx: &SessionContext,
    staging: &mut Staging,
    finality: Option<&Finality>,
    changes: &Changes,
    params: &crate::config::Params,
    limits: Limits,
) -> Result<Vec<Rebuilt>> {
    let batch_days = limits.batch_days;
    let params = match serde_json::to_value(params).expect("params serialise") {
        serde_json::Value::Object(m) => m,
        _ => unreachable!("params are a struct"),
    };
    let root = staging.root().to_path_buf();
    let published: BTreeMap<String, TableDir> = crate::warehouse::table_dirs(&root)
        .into_iter()
        .map(|t| (t.name.clone(), t))
        .collect();
    let mut changed = changes.inputs.clone();
    let mut out = Vec::new();
    for node in &graph.nodes {
        let dirs = Dirs {
            staging,
            published: &published,
        };
        let mut dates = dates_to_rebuild(ctx, node, &changed, changes, &params, &dirs).await?;
        if matches!(&node.job, Job::Sql(m) if m.header.kind == Kind::ByMonth) {
            // A month's row reads every date of the month: the months touched, whole.
            dates = dates.whole_months();
        }
        // The metric marts and the tags recompute the dates whose inputs changed, and only
        // work out is_final again on the dates whose finality alone moved.
        let mut refinal = match &node.job {
            Job::MetricMarts(_) => changed.get(FINALITY).map_or_else(DateSet::empty, |f| f.minus(&dates)),
            Job::Tags(_) => changes.finality.read_by(Some(TAGS_FINALITY)).minus(&dates),
            _ => DateSet::empty(),
        };
        if refinal.is_all() {
            dates = DateSet::all();
            refinal = DateSet::empty();
        }
        if dates.is_empty() && refinal.is_empty() {
            continue;
        }
        // By-date models and the tags (30 days of every customer's tag rows do not fit in memory
        // at a province's scale) run batch by batch, in date order: a tag row's `since` continues
        // the row of the day before, staged by the batch before.
        // The tags go a date at a time: each date's `since` then continues the day before's
        // rows in one hash join, where a batch of consecutive dates ranks every tag row of
        // the batch (a sort by customer and tag) to find its runs of days.
        let (span, batch_days) = match &node.job {
            Job::Sql(m) if m.header.kind == Kind::ByDate => (span(&m.reads, &m.table, &dirs), batch_days),
            Job::Tags(_) => (span(&node.reads, TAGS_TABLE, &dirs), 1),
            _ => (None, batch_days),
        };
        let batches = match span {
            Some(span) => dates.batches(span, batch_days),
            None => vec![dates.clone()],
        };
        let mut counts: Vec<ModelCounts> = Vec::new();
        let mut queue: std::collections::VecDeque<DateSet> = batches.into();
        let mut first = true;
        while let Some(batch) = queue.pop_front() {
            // The dates refinalised go with the first batch; the others carry its partitions.
            let refinal = match first {
                true => refinal.clone(),
                false => DateSet::empty(),
            };
            let dirs = Dirs {
                staging,
                published: &published,
            };
            let merge = merges(node) && !batch.is_all();
            let narrowed = match (&node.job, batch.is_all()) {
                (Job::Sql(m), false) if !merge => narrow_inputs(ctx, m, &batch, &params, &dirs).await?,
                _ => Vec::new(),
            };
            match merge {
                // The table is written whole; the model reads its inputs from build_start() on.
                true => staging.set_merge_from(batch.first()),
                false => staging.set_scope(Some(batch.clone())),
            }
            staging.set_span_end(span.map(|s| s.1));
            let run = run_node(node, ctx, staging, finality, &batch, &refinal);
            let built = within(limits.node_timeout, run, || {
                format!(
                    "{} did not finish building {batch} within {} s ([engine] node_timeout_s): stopped; \
                     the published tables are unchanged",
                    node.name,
                    limits.node_timeout.map_or(0, |t| t.as_secs())
                )
            })
            .await;
            staging.set_scope(None);
            staging.set_merge_from(None);
            staging.set_span_end(None);
            restore(ctx, narrowed)?;
            match built {
                Ok(c) => add_counts(&mut counts, c),
                // A batch the memory pool cannot hold is built again in two halves, in order.
                Err(e) if e.is_out_of_memory() => match halves(&batch, span) {
                    Some((a, b)) => {
                        eprintln!(
                            "note: {} ran out of memory over {batch}; building it again in two batches ({a}; {b})",
                            node.name
                        );
                        queue.push_front(b);
                        queue.push_front(a);
                        continue;
                    }
                    None => return Err(e),
                },
                Err(e) => return Err(e),
            }
            first = false;
        }
        for t in node.tables() {
            let c = staging.changed(&t).cloned().unwrap_or_else(DateSet::all);
            changed.insert(t, c);
        }
        dates.union(&refinal);
        out.push(Rebuilt { dates, counts });
    }
    Ok(out)
}

/// Whether `node` is a `full` model that carries its published rows: a night
/// merges them with its inputs' rows from the first changed date on
/// (`build_start()`) and writes the table whole, instead of reading all history.
fn merges(node: &Node) -> bool {
    matches!(&node.job, Job::Sql(m) if m.header.kind == Kind::Full && m.header.carry.is_some())
}

/// How a build cuts and watches its work.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most dates a by-date node builds at once.
    pub batch_days: usize,
    /// How long one batch of one node may take (`None`: no limit).
    pub node_timeout: Option<std::time::Duration>,
}

/// `run`, or [`Error::Stalled`] saying `what` when it has not finished within `limit`.
/// Dropping the unfinished build drops its streams; staging is discarded by the caller.
async fn within<T>(
    limit: Option<std::time::Duration>,
    run: impl std::future::Future<Output = Result<T>>,
    what: impl FnOnce() -> String,
) -> Result<T> {
    match limit {
        None => run.await,
        Some(limit) => tokio::time::timeout(limit, run)
            .await
            .unwrap_or_else(|_| Err(crate::error::Error::Stalled(what()))),
    }
}

/// The table of the customer tags, whose node runs in batches of dates.
const TAGS_TABLE: &str = "marts_customer_tags";

/// The first and last dates of a node's dated inputs (`reads`) and of its own
/// published table `own`: where its batches are cut (`None`: no dated input).
fn span(reads: &[String], own: &str, dirs: &Dirs<'_>) -> Option<(i64, i64)> {
    let own = dirs
        .published
        .get(own)
        .map(|t| partition_dates(&t.path).into_keys().collect::<Vec<_>>());
    let dates: Vec<i64> = reads
        .iter()
        .filter_map(|r| dirs.partitions(r))
        .chain(own)
        .flat_map(|p| p.first().copied().into_iter().chain(p.last().copied()))
        .collect();
    Some((*dates.iter().min()?, *dates.iter().max()?))
}

/// `batch` cut in two halves of its dates within `span`, in date order (the
/// dates outside the span go with the half at their end), or `None` when it
/// holds a single date of the span (or no span is known: nothing to cut by).
fn halves(batch: &DateSet, span: Option<(i64, i64)>) -> Option<(DateSet, DateSet)> {
    let span = span?;
    let inside = batch.intersect(&DateSet::range(span.0, span.1));
    let dates: Vec<i64> = inside.intervals().iter().flat_map(|&(a, b)| a..=b).collect();
    if dates.len() < 2 {
        return None;
    }
    let cut = dates[dates.len() / 2];
    Some((
        batch.intersect(&DateSet::range(i64::MIN, cut - 1)),
        batch.intersect(&DateSet::range(cut, i64::MAX)),
    ))
}

/// Fold one batch's counts into the node's: rows and seconds add up per table.
fn add_counts(total: &mut Vec<ModelCounts>, batch: Vec<ModelCounts>) {
    for c in batch {
        match total.iter_mut().find(|t| t.table == c.table) {
            Some(t) => {
                t.rows += c.rows;
                t.seconds += c.seconds;
            }
            None => total.push(c),
        }
    }
}

/// Run `node` over `dates` (every date: whole) into `staging`; `refinal`: the
/// dates whose finality alone changed (the metric marts').
pub(crate) async fn run_node(
    node: &Node,
    ctx: &SessionContext,
    staging: &mut Staging,
    finality: Option<&Finality>,
    dates: &DateSet,
    refinal: &DateSet,
) -> Result<Vec<ModelCounts>> {
    match &node.job {
        Job::Sql(m) => models::run_into(ctx, std::slice::from_ref(m.as_ref()), staging).await,
        Job::Tags(tags) => {
            crate::tags::build_dates(ctx, tags, staging, (!dates.is_all()).then_some(dates), refinal).await
        }
        Job::MetricMarts(targets) => match finality {
            Some(f) => {
                let dates = (!dates.is_all()).then_some(dates);
                crate::marts::build_dates(ctx, staging, f, dates, refinal, targets).await
            }
            None => Ok(Vec::new()),
        },
    }
}

/// Where a table's partitions are now: staged in this run, else published.
struct Dirs<'a> {
    staging: &'a Staging,
    published: &'a BTreeMap<String, TableDir>,
}

impl<'a> Dirs<'a> {
    /// The published folder of `table` when this run rebuilt it: its rows before the run.
    fn before(&self, table: &str) -> Option<&'a TableDir> {
        self.published
            .get(table)
            .filter(|_| self.staging.staged_dir(table).is_some())
    }

    /// The partition dates of `table` (a `latest_*` view has its raw table's).
    fn partitions(&self, table: &str) -> Option<Vec<i64>> {
        let name = match table.strip_prefix("latest_") {
            Some(rest) => format!("raw_{rest}"),
            None => table.to_string(),
        };
        let dir: &Path = match self.staging.staged_dir(&name) {
            Some(d) => d,
            None => &self.published.get(&name)?.path,
        };
        Some(partition_dates(dir).into_keys().collect())
    }
}

/// The dates of `node` to rebuild, from what changed upstream.
async fn dates_to_rebuild(
    ctx: &SessionContext,
    node: &Node,
    changed: &BTreeMap<String, DateSet>,
    changes: &Changes,
    params: &serde_json::Map<String, serde_json::Value>,
    dirs: &Dirs<'_>,
) -> Result<DateSet> {
    if node.tables().any(|t| changes.whole.contains(&t)) {
        return Ok(DateSet::all());
    }
    if merges(node) {
        // Every input date from the first changed one on: what came before is in the
        // published rows it carries.
        let mut x = DateSet::empty();
        for read in &node.reads {
            x.union(changed.get(read).unwrap_or(&DateSet::empty()));
        }
        return Ok(match x.first() {
            _ if x.is_empty() => DateSet::empty(),
            Some(first) => DateSet::from(first),
            None => DateSet::all(), // open below
        });
    }
    // The windows of a by-date node: a model's header; the metric marts read
    // each cube date on its own (every input `0..0`).
    let no_windows = BTreeMap::new();
    let tag_windows: BTreeMap<String, Window>;
    let (windows, model) = match &node.job {
        // A by-month model's windows are relative to each date of its months.
        Job::Sql(m) if m.header.kind != Kind::Full => (Some(&m.header.windows), Some(m)),
        Job::MetricMarts(_) => (Some(&no_windows), None),
        // A tag row's `since` continues the day before's: a change at x reaches every later
        // date (`..0`); finality only its own date's `is_final`.
        Job::Tags(_) => {
            tag_windows = node
                .reads
                .iter()
                .filter(|r| *r != FINALITY)
                .map(|r| (r.clone(), Window::UpTo { hi: DayBound::zero() }))
                .collect();
            (Some(&tag_windows), None)
        }
        _ => (None, None),
    };
    let mut dates = DateSet::empty();
    for read in &node.reads {
        // What the node reads of finality_dates: only some thresholds' changes reach it.
        let finality;
        let x = match (read.as_str(), &node.job) {
            (FINALITY, Job::Sql(m)) if m.header.finality.is_some() => {
                finality = changes.finality.read_by(m.header.finality.as_deref());
                Some(&finality)
            }
            (FINALITY, Job::Tags(_)) => {
                finality = changes.finality.read_by(Some(TAGS_FINALITY));
                Some(&finality)
            }
            _ => changed.get(read),
        };
        let Some(x) = x.filter(|x| !x.is_empty()) else {
            continue;
        };
        if read == FINALITY && matches!(node.job, Job::MetricMarts(_) | Job::Tags(_)) {
            continue; // refinalised, see `build`
        }
        let Some(windows) = windows else {
            return Ok(DateSet::all());
        };
        if let Some((m, keys)) = model.and_then(|m| Some((m, m.header.keys.get(read)?))) {
            let before = |t: &str| dirs.before(t);
            let own = dirs.published.get(&m.table);
            for key in keys {
                dates.union(&key_dates::dates(ctx, m, read, key, x, &before, own).await?);
            }
            if !windows.contains_key(read) {
                continue; // found by key only
            }
        }
        // Only the dates whose rows changed in the columns the window reads.
        let narrowed;
        let x = match model.and_then(|m| Some((m, m.header.reading.get(read)?))) {
            Some((m, columns)) => {
                narrowed = key_dates::dates_read_differently(ctx, m, read, columns, x, dirs.before(read)).await?;
                &narrowed
            }
            None => x,
        };
        match windows.get(read) {
            None => dates.union(x),
            Some(Window::Days { lo, hi }) => {
                let m = model.expect("only models declare windows");
                let (lo, hi) = (bound(lo, params, m)?, bound(hi, params, m)?);
                dates.union(&x.widen(-hi, -lo));
            }
            Some(Window::UpTo { hi }) => {
                let hi = match model {
                    Some(m) => bound(hi, params, m)?,
                    None => 0,
                };
                if let Some(&(a, _)) = x.intervals().first() {
                    dates.union(&DateSet::from(a).widen(-hi, 0));
                }
            }
            Some(Window::AsOf) => {
                // A snapshot of x is in force until the next one.
                let parts = dirs.partitions(read).unwrap_or_default();
                for &(a, b) in x.intervals() {
                    match parts.iter().find(|&&p| p > b) {
                        Some(&next) => dates.union(&DateSet::range(a, next - 1)),
                        None => dates.union(&DateSet::from(a)),
                    }
                }
            }
            Some(Window::LatestOrEarliestBy { key }) => {
                // Open below (a new table, every date): every date.
                let Some(a) = x.first() else {
                    return Ok(DateSet::all());
                };
                dates.union(&DateSet::from(a));
                if latest_first_row(ctx, read, key, dirs.before(read)).await? >= Some(a) {
                    dates.union(&DateSet::range(i64::MIN, a));
                }
            }
            Some(Window::All) => return Ok(DateSet::all()),
        }
    }
    Ok(dates)
}

/// The latest date on which some value of `key` has its first row in the
/// table `read`, now or (`before`: its published folder) before this run:
/// a change on or before it can change which row is a value's earliest.
async fn latest_first_row(
    ctx: &SessionContext,
    read: &str,
    key: &str,
    before: Option<&crate::warehouse::TableDir>,
) -> Result<Option<i64>> {
    use datafusion::arrow::array::AsArray;
    async fn latest(ctx: &SessionContext, table: &str, key: &str) -> Result<Option<i64>> {
        if !ctx.table_exist(table)? {
            return Ok(None);
        }
        let sql = format!(
            "SELECT CAST(CAST(MAX(f) AS INT) AS BIGINT) FROM (SELECT MIN(dt) AS f FROM {table} GROUP BY {key})"
        );
        let batches = ctx.sql(&sql).await?.collect().await?;
        Ok(batches
            .iter()
            .flat_map(|b| {
                b.column(0)
                    .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
                    .iter()
            })
            .flatten()
            .max())
    }
    let now = latest(ctx, read, key).await?;
    let Some(dir) = before else { return Ok(now) };
    let name = format!("__before_{read}");
    let table = crate::warehouse::TableDir {
        name: name.clone(),
        ..dir.clone()
    };
    crate::warehouse::register_dir(ctx, &table).await?;
    let then = latest(ctx, &name, key).await;
    let _ = ctx.deregister_table(name.as_str());
    Ok(now.max(then?))
}

fn bound(
    b: &crate::engine::model_header::DayBound,
    params: &serde_json::Map<String, serde_json::Value>,
    m: &models::Model,
) -> Result<i64> {
    b.days(params).map_err(|reason| Error::BadFile {
        file: m.path.clone(),
        reason: format!("header, {reason}"),
    })
}

/// A table replaced by a narrowed view for one node, and what to put back.
type Narrowed = (String, Arc<dyn TableProvider>);

/// Replace each dated input of `m` by a view of the dates its window needs
/// for output `dates` (an `all` window: every date).
async fn narrow_inputs(
    ctx: &SessionContext,
    m: &models::Model,
    dates: &DateSet,
    params: &serde_json::Map<String, serde_json::Value>,
    dirs: &Dirs<'_>,
) -> Result<Vec<Narrowed>> {
    let mut narrowed = Vec::new();
    for read in &m.reads {
        let window = m.header.windows.get(read);
        // finality_dates is one row per date, and a model may read a value every row carries.
        let whole =
            matches!(window, Some(Window::All | Window::LatestOrEarliestBy { .. })) || m.header.keys.contains_key(read);
        if whole || read == FINALITY || !ctx.table_exist(read.as_str())? {
            continue;
        }
        let original = ctx.table_provider(read.as_str()).await?;
        let dated = original
            .schema()
            .field_with_name("dt")
            .is_ok_and(|f| f.data_type() == &DataType::Date32);
        if !dated {
            continue;
        }
        let needed = match window {
            None => dates.clone(),
            Some(Window::Days { lo, hi }) => dates.widen(bound(lo, params, m)?, bound(hi, params, m)?),
            // A carrying model has what came before build_start() in its own rows.
            Some(Window::UpTo { hi }) => match dates.intervals().last() {
                Some(&(_, b)) => {
                    let from = dates.first().filter(|_| m.header.carry.is_some()).unwrap_or(i64::MIN);
                    DateSet::range(from, b).widen(0, bound(hi, params, m)?)
                }
                None => DateSet::empty(),
            },
            Some(Window::AsOf) => {
                let parts = dirs.partitions(read).unwrap_or_default();
                let mut needed = DateSet::empty();
                for &(a, b) in dates.intervals() {
                    // From the snapshot in force on a (or every earlier date when unknown).
                    let from = parts.iter().rev().find(|&&p| p <= a).copied();
                    needed.union(&match from {
                        Some(f) => DateSet::range(f, b),
                        None => DateSet::range(i64::MIN, b),
                    });
                }
                needed
            }
            Some(Window::All | Window::LatestOrEarliestBy { .. }) => unreachable!("skipped above"),
        };
        let latest = crate::schema::TABLES
            .iter()
            .find(|t| crate::engine::latest_view_name(t) == *read);
        let view = match latest {
            // Made anew over the raw rows of those dates, not filtered after
            // ranking every delivery of every date — unless the dates reach back
            // to the first (`..hi`): then the whole view, which hashes out the
            // keys delivered once, beats looking up every key's deliveries.
            Some(t) if needed.first().is_some() => ctx
                .sql(&crate::engine::latest_view_sql(t, Some(&needed)))
                .await?
                .into_view(),
            _ => ctx
                .read_table(Arc::clone(&original))?
                .filter(needed.predicate("dt"))?
                .into_view(),
        };
        ctx.deregister_table(read.as_str())?;
        ctx.register_table(read.as_str(), view)?;
        narrowed.push((read.clone(), original));
    }
    Ok(narrowed)
}

/// Put back the tables [`narrow_inputs`] replaced.
fn restore(ctx: &SessionContext, narrowed: Vec<Narrowed>) -> Result<()> {
    for (name, original) in narrowed {
        ctx.deregister_table(name.as_str())?;
        ctx.register_table(name.as_str(), original)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::error::DataFusionError;

    #[test]
    fn a_build_that_waits_forever_is_stopped_naming_it() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let limit = Some(std::time::Duration::from_millis(50));
        let stuck = rt.block_on(within(limit, std::future::pending::<Result<()>>(), || {
            "cube_leg".into()
        }));
        assert!(
            matches!(&stuck, Err(crate::error::Error::Stalled(w)) if w == "cube_leg"),
            "{stuck:?}"
        );
        let quick = rt.block_on(within(limit, async { Ok(7) }, || unreachable!()));
        assert_eq!(quick.unwrap(), 7);
        // No limit: it waits as long as the build takes.
        assert_eq!(
            rt.block_on(within(None, async { Ok(1) }, || unreachable!())).unwrap(),
            1
        );
    }

    #[test]
    fn a_batch_splits_in_date_order_down_to_one_date() {
        let (a, b) = halves(&DateSet::range(10, 16), Some((10, 40))).unwrap();
        assert_eq!((a, b), (DateSet::range(10, 12), DateSet::range(13, 16)));
        // The dates outside the span stay with the half at their end.
        let (a, b) = halves(&DateSet::range(i64::MIN, 11), Some((10, 40))).unwrap();
        assert_eq!((a, b), (DateSet::range(i64::MIN, 10), DateSet::range(11, 11)));
        assert_eq!(halves(&DateSet::range(12, 12), Some((10, 40))), None);
        assert_eq!(halves(&DateSet::all(), None), None);
    }

    #[test]
    fn out_of_memory_is_told_apart_however_wrapped() {
        let exhausted = DataFusionError::ResourcesExhausted("Failed to allocate".into());
        assert!(Error::DataFusion(exhausted).is_out_of_memory());
        let wrapped = DataFusionError::Context(
            "sorting".into(),
            Box::new(DataFusionError::ResourcesExhausted("x".into())),
        );
        let query = Error::Query {
            what: "model `x`".into(),
            source: wrapped,
        };
        assert!(query.is_out_of_memory());
        // A model's failure carries the message in its reason.
        let model = Error::BadFile {
            file: "m.sql".into(),
            reason: query.to_string(),
        };
        assert!(model.is_out_of_memory());
        assert!(!Error::Request("no".into()).is_out_of_memory());
    }
}
