//! The output dates a change reaches through a key window
//! (`-- window: <input> by <key> in <homes> [reading <columns>]`,
//! [`crate::engine::model_header::KeyWindow`]).
//!
//! The rows of the changed input dates, projected on the columns the model
//! reads, are compared as multisets with the published rows of those dates:
//! the keys of the rows only one side has are the changed keys. The dates to
//! rebuild are the `dt` of the home rows carrying one, before and after this
//! run (a key that moves to another date leaves the old one to rebuild too).
//! A `latest_*` input has no published rows to compare: every key of its
//! raw rows on the changed dates (every delivery) counts as changed.
//!
//! Work order progress shows why the projection matters: a work order
//! delivered again when it closes changes its partition's rows, but a model
//! that reads only its `call_id` has nothing to rebuild. A date window may
//! name the columns it reads too (`reading`): only the dates whose projected
//! rows changed go through it ([`dates_read_differently`]).

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Date32Type;
use datafusion::prelude::SessionContext;

use crate::engine::dateset::DateSet;
use crate::engine::model_header::{KeyWindow, SELF_HOME};
use crate::engine::models::Model;
use crate::error::{Error, Result};
use crate::warehouse::TableDir;

/// The dates of model `m` that the changed dates `changed` of `input` reach
/// through `window`. `before` gives the published folder of a table this
/// run rebuilt (its rows before: an input's to compare with, a home's to
/// find the dates a key leaves); `own` is `m`'s published folder.
pub async fn dates<'a>(
    ctx: &SessionContext,
    m: &Model,
    input: &str,
    window: &KeyWindow,
    changed: &DateSet,
    before: &dyn Fn(&str) -> Option<&'a TableDir>,
    own: Option<&'a TableDir>,
) -> Result<DateSet> {
    let what = format!("key window of `{input}`");
    let columns = columns(ctx, m, input, &window.reading, &what).await?;
    // A `latest_*` view's keys come from every delivery of those dates (its raw table), so a
    // key delivered again elsewhere is found by its superseded row too.
    let (source, columns) = match input.strip_prefix("latest_") {
        Some(rest) => (format!("raw_{rest}"), vec![window.key.clone()]),
        None => (input.to_string(), columns),
    };
    let key = quote(&window.key);
    // Temporary names for published folders, removed whatever happens.
    let mut temporary = Temporary { ctx, names: Vec::new() };
    let diff = projected_diff(&mut temporary, input, &source, &columns, changed, before(input)).await?;
    let mut homes = Vec::new();
    for h in &window.homes {
        if h == SELF_HOME {
            // Never published: the model is built whole anyway.
            if let Some(dir) = own {
                homes.push(temporary.register(&format!("{}__self", m.table), dir).await?);
            }
        } else {
            homes.push(h.clone());
            if let Some(dir) = before(h) {
                homes.push(temporary.register(&format!("{h}__before"), dir).await?);
            }
        }
    }
    if homes.is_empty() {
        return Ok(DateSet::empty());
    }
    // The changed keys once (a CTE is computed again at every reference), held as a
    // table that knows its size, on the build side of each lookup's join.
    let sql = format!("SELECT DISTINCT {key} FROM ({diff}) AS d WHERE {key} IS NOT NULL");
    let batches = header_query(ctx, m, &what, &sql).await?;
    let Some(schema) = batches.first().map(|b| b.schema()) else {
        return Ok(DateSet::empty());
    };
    let keys = datafusion::arrow::compute::concat_batches(&schema, &batches)?;
    if keys.num_rows() == 0 {
        return Ok(DateSet::empty());
    }
    let keys_table = temporary.register_batch(&format!("{}__changed_keys", m.table), keys)?;
    let lookups = homes
        .iter()
        .map(|h| format!("SELECT h.dt FROM {keys_table} AS k JOIN {h} AS h ON h.{key} = k.{key}"))
        .collect::<Vec<_>>()
        .join(" UNION ");
    let sql = format!("SELECT DISTINCT dt FROM ({lookups}) AS h");
    let (lo, hi) = window.around;
    Ok(dates_of(ctx, m, &what, &sql).await?.widen(-hi, -lo))
}

/// The dates of `changed` on which `input`'s rows, projected on `reading`
/// (a date window's `reading` list), differ from the published ones: a
/// work order delivered again because it closed changes its partition, but
/// not the columns a model reading only `call_id` and `accepted_ts` uses.
/// `changed` itself when `input` has no published rows to compare with.
pub async fn dates_read_differently(
    ctx: &SessionContext,
    m: &Model,
    input: &str,
    reading: &[String],
    changed: &DateSet,
    before: Option<&TableDir>,
) -> Result<DateSet> {
    let Some(before) = before else {
        return Ok(changed.clone());
    };
    let what = format!("window of `{input}`");
    let mut columns = columns(ctx, m, input, reading, &what).await?;
    if !columns.iter().any(|c| c == "dt") {
        columns.push("dt".to_string());
    }
    let mut temporary = Temporary { ctx, names: Vec::new() };
    let diff = projected_diff(&mut temporary, input, input, &columns, changed, Some(before)).await?;
    let sql = format!("SELECT DISTINCT dt FROM ({diff}) AS d");
    dates_of(ctx, m, &what, &sql).await
}

/// `reading`, checked against `input`'s columns; every column when empty.
async fn columns(ctx: &SessionContext, m: &Model, input: &str, reading: &[String], what: &str) -> Result<Vec<String>> {
    let schema = ctx.table_provider(input).await?.schema();
    if reading.is_empty() {
        return Ok(schema.fields().iter().map(|f| f.name().clone()).collect());
    }
    match reading.iter().find(|c| schema.field_with_name(c).is_err()) {
        Some(c) => Err(Error::BadFile {
            file: m.path.clone(),
            reason: format!("header, {what}: `{input}` has no column `{c}`"),
        }),
        None => Ok(reading.to_vec()),
    }
}

/// The SQL of `source`'s rows on `changed` projected on `columns` that only
/// one side has, counted as multisets against the published rows of
/// `before` (every row of `source` on `changed` without `before`). One
/// aggregate over both sides (+1 for a row now, −1 for a row before; a row
/// whose counts differ sums to non-zero), which spills: two `EXCEPT`s each
/// held one side whole in a hash table, and a night correcting weeks of
/// dates ran the pool out.
async fn projected_diff(
    temporary: &mut Temporary<'_>,
    input: &str,
    source: &str,
    columns: &[String],
    changed: &DateSet,
    before: Option<&TableDir>,
) -> Result<String> {
    let cols = columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
    let cond = changed.sql_condition("dt");
    Ok(match before {
        Some(dir) => {
            let name = temporary.register(&format!("{input}__before"), dir).await?;
            format!(
                "SELECT {cols} FROM (\
                 SELECT {cols}, 1 AS sign__ FROM {source} WHERE {cond} \
                 UNION ALL SELECT {cols}, -1 AS sign__ FROM {name} WHERE {cond}\
                 ) AS both__ GROUP BY {cols} HAVING SUM(sign__) <> 0"
            )
        }
        None => format!("SELECT {cols} FROM {source} WHERE {cond}"),
    })
}

/// The rows `sql`, a query a header of `m` asks for, returns; an error names the header.
async fn header_query(
    ctx: &SessionContext,
    m: &Model,
    what: &str,
    sql: &str,
) -> Result<Vec<datafusion::arrow::array::RecordBatch>> {
    match ctx.sql(sql).await {
        Ok(df) => df.collect().await,
        Err(e) => Err(e),
    }
    .map_err(|e| Error::BadFile {
        file: m.path.clone(),
        reason: format!("header, {what}: {e}; in {sql}"),
    })
}

/// The dates `sql` (one `dt` column) returns; an error names `m`'s header.
async fn dates_of(ctx: &SessionContext, m: &Model, what: &str, sql: &str) -> Result<DateSet> {
    let batches = header_query(ctx, m, what, sql).await?;
    let mut out = Vec::new();
    for b in batches {
        let dt = b.column(0).as_primitive::<Date32Type>();
        out.extend(
            (0..dt.len())
                .filter(|&i| dt.is_valid(i))
                .map(|i| i64::from(dt.value(i))),
        );
    }
    Ok(DateSet::of(out))
}

fn quote(column: &str) -> String {
    format!("\"{column}\"")
}

/// Published folders registered for one lookup, deregistered on drop.
struct Temporary<'a> {
    ctx: &'a SessionContext,
    names: Vec<String>,
}

impl Temporary<'_> {
    /// Register the published table `t` as `name`; returns `name`.
    async fn register(&mut self, name: &str, t: &TableDir) -> Result<String> {
        let table = TableDir {
            name: name.to_string(),
            ..t.clone()
        };
        crate::warehouse::register_dir(self.ctx, &table).await?;
        self.names.push(name.to_string());
        Ok(name.to_string())
    }

    /// Register `batch` as `name`; returns `name`.
    fn register_batch(&mut self, name: &str, batch: datafusion::arrow::array::RecordBatch) -> Result<String> {
        crate::engine::models::register_batch(self.ctx, name, batch)?;
        self.names.push(name.to_string());
        Ok(name.to_string())
    }
}

impl Drop for Temporary<'_> {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = self.ctx.deregister_table(n.as_str());
        }
    }
}
