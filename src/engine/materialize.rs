//! `-- materialize: <cte>, …`: common table expressions a model computes once.
//!
//! DataFusion plans a CTE again at every reference to it, and runs each copy:
//! a CTE read by three later ones computes its inputs three times. A model
//! names the CTEs worth computing once; before the model runs, each is run on
//! its own (with the CTEs before it), streamed into a scratch Parquet folder
//! beside the model's staging folder (under the build's memory pool, like a
//! model), and the model's SQL then reads that folder in its place. The
//! scratch folders are removed when the model is done; a killed run's are
//! removed by the crash recovery of the model's table (`.<table>.….tmp`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::datasource::MemTable;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use datafusion::sql::sqlparser::ast::{Query, Statement};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use crate::error::{Error, Result};

/// A model's SQL with its materialized CTEs read from scratch folders, and
/// the tables and folders to drop when the model is done.
pub struct Materialized {
    pub sql: String,
    scratch: Vec<(String, PathBuf)>,
}

impl Materialized {
    /// Deregister the scratch tables and remove their folders.
    pub fn drop_scratch(self, ctx: &SessionContext) {
        for (table, dir) in self.scratch {
            let _ = ctx.deregister_table(table.as_str());
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Compute the CTEs `names` of `sql` (a `WITH … SELECT`) in `ctx`, in the
/// order the query declares them, each into `scratch(name)`, and return the
/// SQL that reads them there. `what` names the model in errors.
pub async fn materialize(
    ctx: &SessionContext,
    sql: &str,
    names: &[String],
    scratch: impl Fn(&str) -> PathBuf,
    what: &str,
) -> Result<Materialized> {
    let mut out = Materialized {
        sql: String::new(),
        scratch: Vec::new(),
    };
    match rewrite(ctx, sql, names, &scratch, what, &mut out).await {
        Ok(sql) => {
            out.sql = sql;
            Ok(out)
        }
        Err(e) => {
            out.drop_scratch(ctx);
            Err(e)
        }
    }
}

async fn rewrite(
    ctx: &SessionContext,
    sql: &str,
    names: &[String],
    scratch: &impl Fn(&str) -> PathBuf,
    what: &str,
    out: &mut Materialized,
) -> Result<String> {
    let bad = |reason: String| Error::Query {
        what: what.to_string(),
        source: datafusion::error::DataFusionError::Plan(reason),
    };
    let dialect = GenericDialect {};
    let mut statements = Parser::parse_sql(&dialect, sql).map_err(|e| bad(e.to_string()))?;
    let [Statement::Query(query)] = statements.as_mut_slice() else {
        return Err(bad("`materialize` needs the model to be one query".into()));
    };
    let Some(with) = query.with.as_mut() else {
        return Err(bad("`materialize` names CTEs, but the query has no WITH".into()));
    };
    let declared: Vec<String> = with.cte_tables.iter().map(|c| c.alias.name.value.clone()).collect();
    if let Some(missing) = names.iter().find(|n| !declared.contains(n)) {
        return Err(bad(format!(
            "`materialize: {missing}`: the query declares no CTE `{missing}` (it has {})",
            declared.join(", ")
        )));
    }
    for i in 0..with.cte_tables.len() {
        let name = with.cte_tables[i].alias.name.value.clone();
        if !names.contains(&name) {
            continue;
        }
        let ctes: Vec<String> = with.cte_tables[..=i].iter().map(ToString::to_string).collect();
        let cte_sql = format!("WITH {} SELECT * FROM {name}", ctes.join(", "));
        let started = std::time::Instant::now();
        let table = format!("__materialized_{}", name.to_lowercase());
        let dir = scratch(&name);
        out.scratch.push((table.clone(), dir.clone()));
        let columns = compute(ctx, &cte_sql, &table, &dir).await.map_err(|e| Error::Query {
            what: format!("{what}, CTE `{name}`"),
            source: e,
        })?;
        tracing::debug!(model = what, cte = %name, seconds = started.elapsed().as_secs_f64(), "CTE materialized");
        let read = format!("SELECT {} FROM {table}", columns.join(", "));
        with.cte_tables[i].query = parse_query(&dialect, &read).map_err(bad)?;
    }
    Ok(statements[0].to_string())
}

fn parse_query(dialect: &GenericDialect, sql: &str) -> std::result::Result<Box<Query>, String> {
    Parser::new(dialect)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_query())
        .map_err(|e| e.to_string())
}

/// Run `sql`, write its rows to `dir` and register them as `table` with the
/// query's own schema (Parquet would read strings back as views). Returns the
/// result's column names, quoted, in order.
async fn compute(ctx: &SessionContext, sql: &str, table: &str, dir: &Path) -> datafusion::error::Result<Vec<String>> {
    let df = ctx.sql(sql).await?;
    let schema = Arc::new(df.schema().as_arrow().clone());
    let columns = schema
        .fields()
        .iter()
        .map(|f| format!("\"{}\"", f.name().replace('"', "\"\"")))
        .collect();
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let mut options = datafusion::config::TableParquetOptions::default();
    // Read once, within the model: spend no time compressing it.
    options.global.compression = Some("uncompressed".into());
    options.global.max_row_group_size = 64 * 1024;
    let url = format!("{}/", std::path::absolute(dir)?.to_string_lossy());
    df.write_parquet(&url, DataFrameWriteOptions::new(), Some(options))
        .await?;
    let _ = ctx.deregister_table(table);
    let written = std::fs::read_dir(dir)?
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "parquet"));
    if written {
        let read = ParquetReadOptions::default().schema(&schema);
        ctx.register_parquet(table, &url, read).await?;
    } else {
        ctx.register_table(table, Arc::new(MemTable::try_new(schema, vec![vec![]])?))?;
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQL: &str = "WITH doubled AS (SELECT x, 2 * x AS y, name FROM t), \
                       big AS (SELECT * FROM doubled WHERE y > 2) \
                       SELECT a.x, a.y, b.name FROM big AS a JOIN big AS b ON a.x = b.x ORDER BY a.x";

    async fn context() -> SessionContext {
        let ctx = SessionContext::new();
        ctx.sql("CREATE VIEW t AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, CAST(NULL AS VARCHAR))) AS v(x, name)")
            .await
            .unwrap();
        ctx
    }

    async fn rows(ctx: &SessionContext, sql: &str) -> Vec<String> {
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        datafusion::arrow::util::pretty::pretty_format_batches(&batches)
            .unwrap()
            .to_string()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[tokio::test]
    async fn materialized_ctes_give_the_same_rows_and_leave_no_scratch() {
        let ctx = context().await;
        let dir = std::env::temp_dir().join(format!("callcube-materialize-{}", std::process::id()));
        let names = vec!["doubled".to_string(), "big".to_string()];
        let m = materialize(&ctx, SQL, &names, |cte| dir.join(cte), "model `t`")
            .await
            .unwrap();
        assert!(m.sql.contains("__materialized_big"), "{}", m.sql);
        assert!(dir.join("big").exists() && dir.join("doubled").exists());
        // x = 2, 3 have y = 4, 6 > 2; the NULL name survives the round trip through Parquet.
        let expected = rows(&ctx, SQL).await;
        assert_eq!(rows(&ctx, &m.sql).await, expected);
        assert_eq!(expected.len(), 6, "{expected:?}");
        m.drop_scratch(&ctx);
        assert!(!dir.join("big").exists());
        assert!(!ctx.table_exist("__materialized_big").unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn an_unknown_cte_is_named_in_the_error() {
        let ctx = context().await;
        let dir = std::env::temp_dir().join(format!("callcube-materialize-x-{}", std::process::id()));
        let names = vec!["tripled".to_string()];
        let e = materialize(&ctx, SQL, &names, |cte| dir.join(cte), "model `t`")
            .await
            .err()
            .expect("an error")
            .to_string();
        assert!(e.contains("no CTE `tripled`") && e.contains("doubled, big"), "{e}");
    }

    #[tokio::test]
    async fn an_empty_cte_reads_as_no_rows() {
        let ctx = context().await;
        let dir = std::env::temp_dir().join(format!("callcube-materialize-e-{}", std::process::id()));
        let sql = "WITH none AS (SELECT x, name FROM t WHERE x > 9) \
                   SELECT COUNT(*) AS n FROM none AS a JOIN none AS b ON a.x = b.x";
        let m = materialize(&ctx, sql, &["none".to_string()], |cte| dir.join(cte), "model `t`")
            .await
            .unwrap();
        assert_eq!(rows(&ctx, &m.sql).await, rows(&ctx, sql).await);
        m.drop_scratch(&ctx);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
