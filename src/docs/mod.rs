//! `callcube docs`: Markdown for every table, column and metric, written from
//! what the code runs on — the source declarations, the build graph and the
//! model files' headers, the metric catalog, and the warehouse's own schemas —
//! so the documentation cannot drift from the build.
//!
//! ```text
//! DIR/index.md                  every table by layer, with its one-line summary
//! DIR/metrics.md                every metric and decision model of the catalog
//! DIR/tables/<sql name>.md      one table: what it holds, how it is built, its columns
//! ```

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::engine::audience::is_pii_free;
use crate::engine::build::Definitions;
use crate::engine::graph::{BuildGraph, Job};

/// A column as documented: name, type, nullable.
pub type Column = (String, String, bool);

/// What `write_docs` wrote.
pub struct Written {
    pub tables: usize,
    pub metrics: usize,
    pub without_columns: Vec<String>,
}

/// One table's page content.
struct TablePage {
    name: String,
    layer: &'static str,
    summary: String,
    body: String,
    reads: Vec<String>,
}

/// Descriptions of the tables code writes (not SQL models), by folder.
const CODE_WRITTEN: &[(&str, &str)] = &[
    (
        "marts/metrics_hour",
        "Every metric of the catalog per hour, by each dimension it allows: numerator, denominator, value, points, flag, finality.",
    ),
    (
        "marts/metrics_day",
        "Every metric of the catalog per business day, by each dimension it allows.",
    ),
    (
        "marts/metrics_week",
        "Every metric per ISO week (dt = the Monday), by dimension.",
    ),
    (
        "marts/metrics_month",
        "Every metric per month, by dimension, with the previous period's and last year's values and the change.",
    ),
    (
        "marts/metrics_quarter",
        "Every metric per quarter, by dimension, with previous-period and year-on-year values.",
    ),
    (
        "marts/metrics_year",
        "Every metric per year, by dimension, with the previous year's value.",
    ),
    (
        "marts/alerts_daily",
        "The day's breaches of the pipeline's [targets]: metric, member, value, target, severity.",
    ),
    (
        "marts/scorecard_monthly",
        "The monthly assessment per center and skill group: points of every scored A metric, A4 pass, A7 band, weighted total, KPIs missing.",
    ),
    ("marts/scorecard_quarterly", "The scorecard per quarter."),
    ("marts/scorecard_yearly", "The scorecard per year."),
    (
        "marts/customer_tags",
        "Per business date, customer key and tag (the definitions of sql/tags/): strategy, since (first date of the unbroken run the tag has held), evidence.",
    ),
    (
        "marts/customer_profile",
        "Per customer and date: tag count, tags and strategies (sorted, comma-separated).",
    ),
];

/// Write the documentation of `defs` (and the columns of `warehouse`'s tables,
/// when given and built) to `out`.
pub async fn write_docs(
    defs: &Definitions,
    models_dir: &Path,
    warehouse: Option<&Path>,
    out: &Path,
) -> Result<Written> {
    let graph = BuildGraph::new(defs, true)?;
    let columns = match warehouse {
        Some(root) if root.exists() => warehouse_columns(root).await?,
        _ => BTreeMap::new(),
    };
    let mut pages = raw_pages();
    for node in &graph.nodes {
        match &node.job {
            Job::Sql(model) => {
                let text = std::fs::read_to_string(&model.path)
                    .with_context(|| format!("reading {}", model.path.display()))?;
                let (summary, build) = split_comments(&text);
                let rel = model.path.strip_prefix(models_dir).unwrap_or(&model.path);
                pages.push(TablePage {
                    name: model.table.clone(),
                    layer: layer_of(&model.table),
                    summary: summary.lines().next().unwrap_or_default().to_string(),
                    body: format!(
                        "{summary}\n\n**Built by** `sql/{}` (kind `{}`).\n\n```text\n{build}\n```\n",
                        rel.display(),
                        model.header.kind.as_str()
                    ),
                    reads: node.reads.clone(),
                });
            }
            _ => {
                for dir in &node.outputs {
                    let text = CODE_WRITTEN.iter().find(|(d, _)| d == dir).map_or("", |(_, t)| *t);
                    pages.push(TablePage {
                        name: dir.replace('/', "_"),
                        layer: "marts",
                        summary: text.to_string(),
                        body: format!(
                            "{text}\n\n**Built by** callcube's code (`{}` step of the build graph).\n",
                            node.name
                        ),
                        reads: node.reads.clone(),
                    });
                }
            }
        }
    }
    pages.sort_by(|a, b| a.name.cmp(&b.name));
    let tables_dir = out.join("tables");
    std::fs::create_dir_all(&tables_dir).with_context(|| format!("creating {}", tables_dir.display()))?;

    let mut read_by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in &pages {
        for r in &p.reads {
            read_by.entry(r.as_str()).or_default().push(p.name.as_str());
        }
    }
    let known: std::collections::BTreeSet<&str> = pages.iter().map(|p| p.name.as_str()).collect();
    let link = |t: &str| {
        if known.contains(t) {
            format!("[`{t}`]({t}.md)")
        } else {
            format!("`{t}`")
        }
    };
    let mut without_columns = Vec::new();
    for p in &pages {
        let mut md = format!(
            "# `{}`\n\nLayer: **{}** · {}\n\n{}\n",
            p.name,
            p.layer,
            privacy_note(&p.name),
            p.body
        );
        if !p.reads.is_empty() {
            let _ = writeln!(
                md,
                "**Reads** {}\n",
                p.reads.iter().map(|r| link(r)).collect::<Vec<_>>().join(", ")
            );
        }
        if let Some(by) = read_by.get(p.name.as_str()) {
            let _ = writeln!(
                md,
                "**Read by** {}\n",
                by.iter().map(|r| link(r)).collect::<Vec<_>>().join(", ")
            );
        }
        if let Some(declared) = raw_columns(&p.name) {
            md.push_str(&declared);
        } else if let Some(cols) = columns.get(&p.name) {
            md.push_str("| column | type | nullable |\n|---|---|---|\n");
            for (name, ty, nullable) in cols {
                let _ = writeln!(md, "| `{name}` | {ty} | {} |", if *nullable { "yes" } else { "no" });
            }
        } else {
            without_columns.push(p.name.clone());
            md.push_str("Columns: not built in this warehouse yet (run a build, then `callcube docs` again).\n");
        }
        std::fs::write(tables_dir.join(format!("{}.md", p.name)), md)?;
    }

    let mut index = String::from(
        "# Warehouse tables\n\nWritten by `callcube docs` from the source declarations, the build graph, the model files \
         and the warehouse's schemas. Metrics: [metrics.md](metrics.md).\n",
    );
    for layer in ["raw", "conformed", "cube", "marts"] {
        let _ = write!(index, "\n## {layer}\n\n| table | holds |\n|---|---|\n");
        for p in pages.iter().filter(|p| p.layer == layer) {
            let _ = writeln!(
                index,
                "| [`{0}`](tables/{0}.md) | {1} |",
                p.name,
                p.summary.replace('|', "\\|")
            );
        }
    }
    std::fs::write(out.join("index.md"), index)?;
    let metrics = metrics_page();
    std::fs::write(out.join("metrics.md"), metrics)?;
    Ok(Written {
        tables: pages.len(),
        metrics: crate::catalog::catalog().len(),
        without_columns,
    })
}

fn layer_of(table: &str) -> &'static str {
    ["raw", "conformed", "cube", "marts"]
        .into_iter()
        .find(|l| table.starts_with(&format!("{l}_")))
        .unwrap_or("marts")
}

fn privacy_note(table: &str) -> &'static str {
    if is_pii_free(table) {
        "PII-free: customer keys, no caller numbers or names (served to analysts)"
    } else {
        "**holds caller numbers or agent names**: engineers only (`--include-raw`)"
    }
}

/// A model file's leading comment: (what the table holds, the build header
/// from the first `kind:`/`window:`… line on), without the `-- ` markers.
fn split_comments(text: &str) -> (String, String) {
    let comments: Vec<&str> = text
        .lines()
        .take_while(|l| l.trim_start().starts_with("--"))
        .map(|l| {
            l.trim_start()
                .trim_start_matches("--")
                .strip_prefix(' ')
                .unwrap_or(l.trim_start().trim_start_matches("--"))
        })
        .collect();
    let directive = |l: &str| {
        ["kind:", "window:", "joins:", "finality:", "carry:"]
            .iter()
            .any(|d| l.starts_with(d))
    };
    let split = comments.iter().position(|l| directive(l)).unwrap_or(comments.len());
    (comments[..split].join("\n"), comments[split..].join("\n"))
}

/// The raw tables, from the source declarations.
fn raw_pages() -> Vec<TablePage> {
    crate::schema::TABLES
        .iter()
        .map(|t| {
            let date = match t.date {
                crate::schema::DateRule::Column(c) => format!("the local date of `{c}`"),
                crate::schema::DateRule::Folder => "the delivery folder's date (a snapshot)".to_string(),
            };
            TablePage {
                name: t.raw_table_name(),
                layer: "raw",
                summary: format!(
                    "`{}` as delivered, typed; key ({}); dt = {date}",
                    t.qualified(),
                    t.key.join(", ")
                ),
                body: format!(
                    "The source extract `{}` landed as typed Parquet, one partition per business date (dt = {date}). \
                     A key ({}) delivered twice keeps the latest delivery; every row names its delivery in \
                     `_src_folder`, `_src_file`, `_src_line`. `callcube sources` prints the declaration.\n",
                    t.qualified(),
                    t.key.join(", ")
                ),
                reads: Vec::new(),
            }
        })
        .collect()
}

/// The column table of a raw table, from its declaration.
fn raw_columns(name: &str) -> Option<String> {
    let t = crate::schema::TABLES.iter().find(|t| t.raw_table_name() == name)?;
    let mut md = String::from("| column | type | nullable | allowed values |\n|---|---|---|---|\n");
    for c in t.columns {
        let _ = writeln!(
            md,
            "| `{}` | {:?} | {} | {} |",
            c.name,
            c.ty,
            if c.nullable { "yes" } else { "no" },
            c.allowed.join(", ")
        );
    }
    for (c, what) in [
        ("_src_folder", "delivery folder"),
        ("_src_file", "file, inbox-relative"),
        ("_src_line", "line in the file"),
    ] {
        let _ = writeln!(md, "| `{c}` | provenance | no | {what} |");
    }
    md.push_str("| `dt` | Date32 | no | business date (partition) |\n");
    Some(md)
}

/// Every table's columns in the warehouse at `root`.
async fn warehouse_columns(root: &Path) -> Result<BTreeMap<String, Vec<Column>>> {
    let (ctx, tables) =
        crate::engine::audience::read_session(root, crate::engine::audience::Audience::Engineers).await?;
    let mut out = BTreeMap::new();
    for t in tables {
        let table = ctx.table_provider(t.as_str()).await?;
        let cols = table
            .schema()
            .fields()
            .iter()
            .map(|f| (f.name().clone(), f.data_type().to_string(), f.is_nullable()))
            .collect();
        out.insert(t, cols);
    }
    Ok(out)
}

/// Every metric and model of the catalog.
fn metrics_page() -> String {
    let mut md = String::from(
        "# Metrics\n\nThe metric catalog (`src/catalog/metrics.toml`), as `callcube metrics` prints it and as the \
         table `metric_catalog` holds it. Values are in the marts `marts_metrics_<grain>`.\n\n",
    );
    for m in crate::catalog::catalog() {
        let j = crate::catalog::listing::metric_json(m);
        let text = |k: &str| j[k].as_str().map(str::to_string).unwrap_or_default();
        let _ = write!(
            md,
            "## {} `{}` — {} ({})\n\n{}\n\n| | |\n|---|---|\n| numerator | {} |\n| denominator | {} |\n| unit | {} |\n\
             | standard | {} |\n| dimensions | {} |\n| grains | {} |\n| final after (days) | {} |\n| parameters | {} |\n\n",
            m.id,
            m.key,
            m.zh,
            m.en,
            m.description,
            text("numerator").replace('|', "\\|"),
            text("denominator").replace('|', "\\|"),
            m.unit,
            text("standard"),
            m.dims.join(", "),
            text("grains").replace('|', ", "),
            text("final_after_days"),
            m.params.join(", ")
        );
    }
    md.push_str("# Decision models (metrics.md D and E)\n\n");
    for m in crate::catalog::models::MODELS {
        let _ = write!(
            md,
            "## {} `{}` — {}\n\n{}\n\nMarts: {}. Parameters: {}.\n\n",
            m.id,
            m.key,
            m.zh,
            m.description,
            m.marts
                .iter()
                .map(|t| format!("[`{t}`](tables/{t}.md)"))
                .collect::<Vec<_>>()
                .join(", "),
            m.params.join(", ")
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_comment_splits_into_what_it_holds_and_how_it_is_built() {
        let (what, build) = split_comments(
            "-- one row per leg\n-- and more\n-- kind: by_date\n-- window: x -1..1\nSELECT 1\n-- not this",
        );
        assert_eq!(what, "one row per leg\nand more");
        assert_eq!(build, "kind: by_date\nwindow: x -1..1");
    }
}
