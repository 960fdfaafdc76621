//! `callcube check PIPELINE`: validate a pipeline and the SQL models without running anything.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use datafusion::sql::parser::{DFParser, Statement};

use crate::config::{Overrides, Pipeline, locate};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Pipeline name (`pipelines/<name>.toml`) or path.
    pipeline: String,
    /// Folder of SQL models to check.
    #[arg(long, default_value = "sql")]
    sql_dir: String,
}

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let path = locate(&args.pipeline);
    let pipeline = Pipeline::load(&path, &Overrides::from_flags_and_env(None, None))?;
    let models = check_sql_dir(Path::new(&args.sql_dir))?;
    println!(
        "{}: ok — {} source tables, warehouse {}, inbox {}, {} SQL model(s)",
        path.display(),
        pipeline.tables.len(),
        pipeline.warehouse,
        pipeline.inbox.display(),
        models
    );
    Ok(ExitCode::SUCCESS)
}

/// Every `*.sql` under `dir` must be exactly one query. Returns how many were checked.
pub fn check_sql_dir(dir: &Path) -> Result<usize> {
    let mut files = Vec::new();
    collect_sql(dir, &mut files);
    files.sort();
    for f in &files {
        let text = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        let statements = DFParser::parse_sql(&text).with_context(|| format!("{}: SQL does not parse", f.display()))?;
        if statements.len() != 1 {
            bail!(
                "{}: a model is one SELECT, found {} statements",
                f.display(),
                statements.len()
            );
        }
        let is_query = matches!(statements.front(), Some(Statement::Statement(s)) if matches!(**s, datafusion::sql::sqlparser::ast::Statement::Query(_)));
        if !is_query {
            bail!("{}: a model must be a plain SELECT query", f.display());
        }
    }
    Ok(files.len())
}

fn collect_sql(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_sql(&p, out);
        } else if p.extension().is_some_and(|x| x == "sql") {
            out.push(p);
        }
    }
}
