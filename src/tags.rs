//! Customer tags (metrics.md E2) declared as data: every `*.toml` under
//! `<sql>/tags/` holds `[[tag]]` entries, so adding a tag is adding an entry
//! or a file, never code.
//!
//! ```toml
//! [[tag]]
//! name = "value_high"                      # [a-z][a-z0-9_]*, unique
//! label = "高价值客户"                     # optional
//! description = "arpu_3m ≥ e2_arpu_high"
//! strategy = "priority_routing"            # the service strategy the tag calls for
//! when = "c.arpu_3m >= p.e2_arpu_high"     # SQL over conformed_customer_day AS c, params AS p
//! evidence = "'arpu_3m=' || CAST(c.arpu_3m AS VARCHAR)"   # optional SQL text
//! ```
//!
//! Instead of `when`, a tag may give `sql`: a whole SELECT over any conformed
//! table returning `dt`, `customer_key` and `evidence`, for rules the
//! customer-day columns cannot express.
//!
//! Outputs: `marts_customer_tags` (dt, customer_key, tag, strategy, since,
//! evidence, is_final; `since` = first business date of the unbroken run of dates the
//! tag has held) and `marts_customer_profile` (one row per customer of
//! `conformed_customer_day` and date, with its tags and strategies).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use datafusion::prelude::SessionContext;
use serde::Deserialize;

use crate::engine::dateset::DateSet;
use crate::engine::models::{ModelCounts, Staging};
use crate::error::{Error, Result, io_err};

/// One tag, as declared.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagDef {
    pub name: String,
    #[serde(default)]
    pub label: Option<String>,
    pub description: String,
    pub strategy: String,
    #[serde(default)]
    pub when: Option<String>,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub sql: Option<String>,
    /// The file that declared it.
    #[serde(skip)]
    pub file: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TagFile {
    #[serde(default)]
    tag: Vec<TagDef>,
}

/// Every tag under `dir` (sorted by file, then as written); none if `dir` is absent.
pub fn load(dir: &Path) -> Result<Vec<TagDef>> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(dir)(e)),
    };
    files.sort();
    let mut tags: Vec<TagDef> = Vec::new();
    let mut names = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(io_err(&file))?;
        let bad = |reason: String| Error::BadFile {
            file: file.clone(),
            reason,
        };
        let parsed: TagFile = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
        for mut t in parsed.tag {
            let valid_name = t.name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && t.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid_name {
                return Err(bad(format!(
                    "tag name `{}` must be lower-case letters, digits and _",
                    t.name
                )));
            }
            if !names.insert(t.name.clone()) {
                return Err(bad(format!("tag `{}` is declared twice", t.name)));
            }
            if t.strategy.trim().is_empty() {
                return Err(bad(format!("tag `{}` needs a strategy", t.name)));
            }
            match (&t.when, &t.sql) {
                (Some(_), None) | (None, Some(_)) => {}
                _ => {
                    return Err(bad(format!(
                        "tag `{}`: give exactly one of `when` (a condition) or `sql` (a query)",
                        t.name
                    )));
                }
            }
            if t.sql.is_some() && t.evidence.is_some() {
                return Err(bad(format!(
                    "tag `{}`: with `sql`, return evidence as a column instead of `evidence`",
                    t.name
                )));
            }
            t.file = file.clone();
            tags.push(t);
        }
    }
    Ok(tags)
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl TagDef {
    /// Tables this tag's query reads.
    pub fn reads(&self) -> Result<Vec<String>> {
        let bad = |reason: String| Error::BadFile {
            file: self.file.clone(),
            reason: format!("tag `{}`: {reason}", self.name),
        };
        let statements = datafusion::sql::parser::DFParser::parse_sql(&self.query())
            .map_err(|e| bad(format!("SQL does not parse: {e}")))?;
        let statement = statements.front().ok_or_else(|| bad("no query".into()))?;
        let (tables, _ctes) =
            datafusion::sql::resolve::resolve_table_references(statement, true).map_err(|e| bad(e.to_string()))?;
        Ok(tables.iter().map(|t| t.table().to_string()).collect())
    }

    /// The query giving this tag's rows: dt, customer_key, tag, strategy,
    /// evidence — one row per customer and date. A `when` tag reads
    /// `conformed_customer_day`, one row per customer and date already; a
    /// `sql` tag's rows are grouped, with the least evidence.
    pub fn query(&self) -> String {
        let inner = match (&self.when, &self.sql) {
            (Some(when), _) => format!(
                "SELECT c.dt, c.customer_key, {} AS evidence \
                 FROM params AS p CROSS JOIN conformed_customer_day AS c WHERE ({when})",
                self.evidence.as_deref().unwrap_or("NULL")
            ),
            (None, Some(sql)) => format!(
                "SELECT CAST(s.dt AS DATE) AS dt, CAST(s.customer_key AS VARCHAR) AS customer_key, \
                 MIN(CAST(s.evidence AS VARCHAR)) AS evidence FROM ({}) AS s GROUP BY 1, 2",
                sql.trim().trim_end_matches(';')
            ),
            (None, None) => unreachable!("checked at load"),
        };
        format!(
            "SELECT CAST(t.dt AS DATE) AS dt, CAST(t.customer_key AS VARCHAR) AS customer_key, \
             {} AS tag, {} AS strategy, CAST(t.evidence AS VARCHAR) AS evidence \
             FROM ({inner}) AS t WHERE t.customer_key IS NOT NULL",
            quote(&self.name),
            quote(&self.strategy)
        )
    }
}

/// Evaluate every tag and stage `marts_customer_tags` and `marts_customer_profile`.
/// The tags' rows are never gathered: `tag_rows` is a view, the UNION ALL of
/// every tag's query, streamed into the tags mart.
pub async fn build(ctx: &SessionContext, tags: &[TagDef], staging: &mut Staging) -> Result<Vec<ModelCounts>> {
    build_dates(ctx, tags, staging, None, &DateSet::empty()).await
}

/// [`build`] for `dates` only (`None`: every date). A tag row's `since` is
/// carried from the published row of the day before the first date of each
/// range rebuilt, so a night computes its own dates, not the whole history
/// of each run of days; the ranges must reach from the first date whose tag
/// rows changed to the last date (see `crate::engine::incremental`). A long
/// rebuild comes in batches of dates, in date order: the day before a batch
/// is then read from the batch staged before it. `refinal`: dates whose
/// inputs did not change but whose finality did; their published rows are
/// kept with `is_final` worked out again, not evaluated again.
pub async fn build_dates(
    ctx: &SessionContext,
    tags: &[TagDef],
    staging: &mut Staging,
    dates: Option<&DateSet>,
    refinal: &DateSet,
) -> Result<Vec<ModelCounts>> {
    let mut started = std::time::Instant::now();
    // Plan each tag alone first, so a mistake names its file and tag.
    for t in tags {
        ctx.sql(&t.query()).await.map_err(|e| Error::BadFile {
            file: t.file.clone(),
            reason: format!("tag `{}` failed: {e}", t.name),
        })?;
    }
    let union = if tags.is_empty() {
        "SELECT CAST(NULL AS DATE) AS dt, CAST(NULL AS VARCHAR) AS customer_key, CAST(NULL AS VARCHAR) AS tag, \
         CAST(NULL AS VARCHAR) AS strategy, CAST(NULL AS VARCHAR) AS evidence WHERE false"
            .to_string()
    } else {
        tags.iter().map(TagDef::query).collect::<Vec<_>>().join("\nUNION ALL\n")
    };
    let view = ctx.sql(&union).await?.into_view();
    let _ = ctx.deregister_table("tag_rows");
    ctx.register_table("tag_rows", view)?;

    let mut counts = Vec::new();
    let refinal = match dates {
        None => DateSet::empty(),
        Some(d) => refinal.minus(d),
    };
    let lone = no_two_days_running(ctx, dates).await?;
    let tags_sql = tags_on_dates_sql(dates.unwrap_or(&DateSet::all()), lone);
    let profile = profile_sql(tags, dates);
    let (tags_sql, profile) = match refinal.is_empty() {
        true => (tags_sql, profile),
        false => (
            with_refinalised(ctx, tags_sql, "marts_customer_tags", &refinal).await?,
            with_refinalised(ctx, profile, "marts_customer_profile", &refinal).await?,
        ),
    };
    let mut scope = dates.cloned();
    if let Some(s) = &mut scope {
        s.union(&refinal);
    }
    staging.set_scope(scope);
    // The queries hold the small side of each join (dates, the day before's
    // rows, each customer's list) and stream the tag rows: as written.
    let ctx = &crate::engine::models::joins_as_written(ctx);
    for (table, dir, sql) in [
        ("marts_customer_tags", "marts/customer_tags", tags_sql),
        ("marts_customer_profile", "marts/customer_profile", profile),
    ] {
        let written = staging.stage_sql(ctx, dir, &sql, table).await?;
        counts.push(ModelCounts::of(dir, written.rows, started));
        started = std::time::Instant::now();
    }
    Ok(counts)
}

/// `fresh` (a query of the tags mart's or the profile's rows) followed by the
/// published rows of `table` on `dates`, with `is_final` worked out again
/// (settled for a day). The published rows are cast to the fresh query's
/// types, column by column: Parquet reads strings back as views, and files of
/// one table written with other types cannot be read together.
async fn with_refinalised(ctx: &SessionContext, fresh: String, table: &str, dates: &DateSet) -> Result<String> {
    let schema = ctx.sql(&fresh).await?.schema().clone();
    let columns: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| {
            let value = match f.name().as_str() {
                "is_final" => "COALESCE(f.settled_days >= 1, false)".to_string(),
                name => format!("t.{name}"),
            };
            format!("arrow_cast({value}, '{}') AS {}", f.data_type(), f.name())
        })
        .collect();
    Ok(format!(
        "{fresh}\nUNION ALL\nSELECT {} FROM finality_dates AS f RIGHT JOIN {table} AS t ON f.dt = t.dt WHERE {}",
        columns.join(", "),
        dates.sql_condition("t.dt")
    ))
}

/// The business dates `d` tags are evaluated on: up to the latest date a run
/// has loaded, as `conformed_customer_day`'s (every date before any run).
/// `dim_date` runs a day past it, which must not make a first day's build
/// look like two days running.
const UP_TO_LATEST_RUN: &str =
    "d.business_date <= COALESCE((SELECT MAX(latest_run) FROM finality_dates), d.business_date)";

/// Whether no two business dates in a row are among `dates` (`None`: every
/// date) up to the latest run: each island of a tag's days is then one date
/// (a night's usual rebuild, or the first day ever), found without sorting
/// (and grouping) every tag row — 6 s of a scale-1 day's first build.
async fn no_two_days_running(ctx: &SessionContext, dates: Option<&DateSet>) -> Result<bool> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::{DataType, Date32Type};
    let b = ctx
        .sql(&format!(
            "SELECT business_date FROM conformed_dim_date AS d WHERE {UP_TO_LATEST_RUN} ORDER BY 1"
        ))
        .await?
        .collect()
        .await?;
    let mut days = Vec::new();
    for batch in &b {
        let column = datafusion::arrow::compute::cast(batch.column(0), &DataType::Date32)?;
        let column = column.as_primitive::<Date32Type>();
        days.extend(
            (0..column.len())
                .filter(|&i| column.is_valid(i))
                .map(|i| i64::from(column.value(i))),
        );
    }
    let taken = |d: &i64| dates.is_none_or(|s| s.contains(*d));
    Ok(!days.windows(2).any(|w| taken(&w[0]) && taken(&w[1])))
}

/// Tag rows on `dates` (every date: a whole build), with `since` from gaps
/// and islands: within a customer and tag, dates whose position among the
/// business dates minus their rank is equal form one unbroken run. An island
/// starting on the first date of a range continues the published row of the
/// day before (same `since`).
fn tags_on_dates_sql(dates: &DateSet, lone: bool) -> String {
    // The day before the first date of each range (a range open below has none: nothing
    // before it), named as dates of `dt` itself so only those partitions are read.
    let days_before: Vec<String> = dates
        .starts()
        .into_iter()
        .map(|a| format!("DATE '{}'", crate::timefmt::date_string(a - 1)))
        .collect();
    let prev = if days_before.is_empty() {
        "SELECT CAST(NULL AS VARCHAR) AS customer_key, CAST(NULL AS VARCHAR) AS tag, CAST(NULL AS DATE) AS since, \
         CAST(NULL AS DATE) AS next_dt WHERE false"
            .to_string()
    } else {
        format!(
            "SELECT customer_key, tag, since, CAST(dt + INTERVAL '1 day' AS DATE) AS next_dt FROM marts_customer_tags \
             WHERE dt IN ({})",
            days_before.join(", ")
        )
    };
    // Where no two business dates in a row are rebuilt, each island is one date: no
    // numbering of the business dates, and no sort of every tag row to find the islands.
    // Each tag's query gives one row per customer and date, so the islands' GROUP BY only
    // stands between the tags' UNION ALL and the window sort: without it DataFusion 55 takes
    // each branch's constant `tag` for an order of the whole union and fails its plan check
    // ("does not satisfy order requirements") with one partition.
    let islands = if lone {
        "rows AS (
    SELECT t.dt, t.customer_key, t.tag, t.strategy, t.evidence
    FROM conformed_dim_date AS d JOIN tag_rows AS t ON d.business_date = t.dt
    WHERE {cond} AND {up_to_latest_run}
),
islands AS (SELECT r.*, r.dt AS island_start FROM rows AS r)"
    } else {
        "days AS (
    SELECT business_date, ROW_NUMBER() OVER (ORDER BY business_date) AS day_no FROM conformed_dim_date
),
rows AS (
    SELECT t.dt, t.customer_key, t.tag, t.strategy, MIN(t.evidence) AS evidence, d.day_no
    FROM days AS d JOIN tag_rows AS t ON d.business_date = t.dt
    WHERE {cond} AND {up_to_latest_run}
    GROUP BY t.dt, t.customer_key, t.tag, t.strategy, d.day_no
),
ranked AS (
    SELECT r.*, r.day_no - ROW_NUMBER() OVER (PARTITION BY r.customer_key, r.tag ORDER BY r.dt) AS run
    FROM rows AS r
),
islands AS (
    SELECT r.*, MIN(r.dt) OVER (PARTITION BY r.customer_key, r.tag, r.run) AS island_start
    FROM ranked AS r
)"
    }
    .replace("{cond}", &dates.sql_condition("t.dt"))
    .replace("{up_to_latest_run}", UP_TO_LATEST_RUN);
    format!(
        "
WITH {islands},
prev AS ({prev})
SELECT i.customer_key, i.tag, i.strategy, COALESCE(p.since, i.island_start) AS since,
    i.evidence, COALESCE(f.settled_days >= 1, false) AS is_final, i.dt
FROM finality_dates AS f
RIGHT JOIN (prev AS p
    RIGHT JOIN islands AS i ON p.customer_key = i.customer_key AND p.tag = i.tag AND p.next_dt = i.island_start)
    ON f.dt = i.dt"
    )
}

/// One row per customer and date of `conformed_customer_day`: its tags and
/// strategies, comma-separated and sorted, and how many tags it holds. A
/// `when` tag holds where its condition does, so those are worked out on the
/// customer's row itself: a projection of `customer_day`, with no grouping of
/// the tag rows (a million customers' tag lists took a hash aggregate 4 s on
/// a scale-1 day). A `sql` tag's rows are read back from the tags mart,
/// grouped per customer and date, and joined.
fn profile_sql(tags: &[TagDef], dates: Option<&DateSet>) -> String {
    let sql_tags: Vec<&TagDef> = tags.iter().filter(|t| t.when.is_none()).collect();
    // The condition under which each tag holds on a row of `c`.
    let holds = |t: &TagDef| -> String {
        match &t.when {
            Some(when) => format!("({when})"),
            None => format!("s.{} IS NOT NULL", column_of(&t.name)),
        }
    };
    let mut by_name: Vec<&TagDef> = tags.iter().collect();
    by_name.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<String> = by_name
        .iter()
        .map(|t| format!("CASE WHEN {} THEN {} END", holds(t), quote(&t.name)))
        .collect();
    let strategies: BTreeSet<&str> = tags.iter().map(|t| t.strategy.as_str()).collect();
    let strategies: Vec<String> = strategies
        .iter()
        .map(|st| {
            let any: Vec<String> = tags.iter().filter(|t| t.strategy == *st).map(holds).collect();
            format!("CASE WHEN {} THEN {} END", any.join(" OR "), quote(st))
        })
        .collect();
    let counted: Vec<String> = tags
        .iter()
        .map(|t| format!("CASE WHEN {} THEN 1 ELSE 0 END", holds(t)))
        .collect();
    let list = |parts: &[String]| match parts.is_empty() {
        true => "''".to_string(),
        false => format!("COALESCE(concat_ws(',', {}), '')", parts.join(", ")),
    };
    let cond = dates.map_or("true".to_string(), |d| d.sql_condition("c.dt"));
    // The small side first: with joins as written, a hash join holds its left side.
    let customers = match sql_tags.is_empty() {
        true => "conformed_customer_day AS c".to_string(),
        false => {
            let columns: Vec<String> = sql_tags
                .iter()
                .map(|t| {
                    format!(
                        "MAX(CASE WHEN tag = {} THEN 1 END) AS {}",
                        quote(&t.name),
                        column_of(&t.name)
                    )
                })
                .collect();
            let names: Vec<String> = sql_tags.iter().map(|t| quote(&t.name)).collect();
            format!(
                "((SELECT dt, customer_key, {} FROM marts_customer_tags WHERE {} AND tag IN ({}) \
                 GROUP BY dt, customer_key) AS s \
                 RIGHT JOIN conformed_customer_day AS c ON s.dt = c.dt AND s.customer_key = c.customer_key)",
                columns.join(", "),
                dates.map_or("true".to_string(), |d| d.sql_condition("dt")),
                names.join(", ")
            )
        }
    };
    format!(
        "SELECT g.customer_key, g.tag_count, g.tags, g.strategies,
    COALESCE(f.settled_days >= 1, false) AS is_final,
    g.dt
FROM finality_dates AS f
RIGHT JOIN (
    SELECT c.dt, c.customer_key, CAST({count} AS BIGINT) AS tag_count, {tags} AS tags, {strategies} AS strategies
    FROM params AS p CROSS JOIN {customers}
    WHERE {cond}
) AS g ON f.dt = g.dt",
        count = match counted.is_empty() {
            true => "0".to_string(),
            false => counted.join(" + "),
        },
        tags = list(&names),
        strategies = list(&strategies),
    )
}

/// The column of the sql-tag join that says a `sql` tag holds.
fn column_of(name: &str) -> String {
    format!("holds_{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &str) {
        std::fs::write(dir.join(name), body).unwrap();
    }

    #[test]
    fn load_checks_names_and_rules() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.toml",
            "[[tag]]\nname = \"vip\"\ndescription = \"d\"\nstrategy = \"s\"\nwhen = \"c.brand = 'vip'\"\n",
        );
        let tags = load(dir.path()).unwrap();
        assert_eq!(tags.len(), 1);
        assert!(tags[0].query().contains("c.brand = 'vip'"));
        write(
            dir.path(),
            "b.toml",
            "[[tag]]\nname = \"vip\"\ndescription = \"d\"\nstrategy = \"s\"\nwhen = \"true\"\n",
        );
        let e = load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("b.toml") && e.contains("declared twice"), "{e}");
        write(
            dir.path(),
            "b.toml",
            "[[tag]]\nname = \"Bad Name\"\ndescription = \"d\"\nstrategy = \"s\"\nwhen = \"true\"\n",
        );
        assert!(load(dir.path()).unwrap_err().to_string().contains("lower-case"));
        write(
            dir.path(),
            "b.toml",
            "[[tag]]\nname = \"both\"\ndescription = \"d\"\nstrategy = \"s\"\nwhen = \"true\"\nsql = \"SELECT 1\"\n",
        );
        assert!(load(dir.path()).unwrap_err().to_string().contains("exactly one"));
        assert!(load(&dir.path().join("absent")).unwrap().is_empty());
    }
}
