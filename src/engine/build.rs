//! What a pipeline builds from landed data, in order: the SQL models, the
//! customer tags, then the metric marts — all staged, so the caller swaps
//! them in together or not at all.

use std::path::Path;

use datafusion::prelude::SessionContext;

use crate::catalog::query::Finality;
use crate::engine::graph::BuildGraph;
use crate::engine::incremental;
use crate::engine::models::{self, Model, ModelCounts, Staging};
use crate::error::Result;
use crate::tags::{self, TagDef};

/// The pipeline's definitions: `<sql>/**/*.sql` models and `<sql>/tags/*.toml` tags.
#[derive(Debug, Clone)]
pub struct Definitions {
    pub models: Vec<Model>,
    pub tags: Vec<TagDef>,
    /// What the alerts mart checks the day's metrics against (the pipeline's
    /// `[targets]`; the sources' defaults otherwise).
    pub targets: crate::config::Targets,
}

impl Definitions {
    /// The models and tags under `sql_dir`, with the default targets.
    pub fn load(sql_dir: &Path) -> Result<Definitions> {
        Ok(Definitions {
            models: models::load(sql_dir)?,
            tags: tags::load(&sql_dir.join("tags"))?,
            targets: crate::config::Targets::default(),
        })
    }
}

/// Build models and tags into `staging`; the metric marts too when `finality` is given.
/// `finality` (or, without marts, the landing ledger) also becomes the table
/// `finality_dates` the model marts read their `is_final` from.
pub async fn build_into(
    ctx: &SessionContext,
    defs: &Definitions,
    staging: &mut Staging,
    finality: Option<&Finality>,
) -> Result<Vec<ModelCounts>> {
    let loaded;
    let known = match finality {
        Some(f) => f,
        None => {
            loaded = Finality::load(ctx).await?;
            &loaded
        }
    };
    register_finality_dates(ctx, known)?;
    BuildGraph::new(defs, finality.is_some())?
        .build_into(ctx, staging, finality)
        .await
}

/// [`build_into`] for a graph already made (with its metric marts when `finality` is given).
pub async fn build_graph_into(
    ctx: &SessionContext,
    graph: &BuildGraph,
    staging: &mut Staging,
    finality: &Finality,
) -> Result<Vec<ModelCounts>> {
    register_finality_dates(ctx, finality)?;
    graph.build_into(ctx, staging, Some(finality)).await
}

/// [`build_graph_into`], rebuilding only what `changes` reach (see [`incremental`]).
pub async fn build_graph_incremental(
    ctx: &SessionContext,
    graph: &BuildGraph,
    staging: &mut Staging,
    finality: &Finality,
    changes: &incremental::Changes,
    params: &crate::config::Params,
    limits: incremental::Limits,
) -> Result<Vec<incremental::Rebuilt>> {
    register_finality_dates(ctx, finality)?;
    incremental::build(graph, ctx, staging, Some(finality), changes, params, limits).await
}

/// `finality_dates(dt, settled_days, latest_run)`: for every date from the
/// first one the ledger knows to two days past the latest run, the days between
/// the latest run and the later of the date and the last delivery that touched
/// it. A date's rows are final once `settled_days` ≥ the model's
/// `final_after_days`; a month's once its last date's are and no date of it
/// was touched later (metrics.md, Restatement). Absent dates are not final.
fn register_finality_dates(ctx: &SessionContext, f: &Finality) -> Result<()> {
    use datafusion::arrow::array::{Date32Array, Int64Array};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    let (dt, settled): (Vec<i32>, Vec<i64>) = f
        .settled_days()
        .into_iter()
        .map(|(d, s)| (i32::try_from(d).expect("a date"), s))
        .unzip();
    let n = dt.len();
    let latest = f.latest_run.map(|l| i32::try_from(l).expect("a date"));
    let schema = std::sync::Arc::new(Schema::new(vec![
        Field::new("dt", DataType::Date32, false),
        Field::new("settled_days", DataType::Int64, false),
        Field::new("latest_run", DataType::Date32, true),
    ]));
    let batch = datafusion::arrow::record_batch::RecordBatch::try_new(
        schema,
        vec![
            std::sync::Arc::new(Date32Array::from(dt)),
            std::sync::Arc::new(Int64Array::from(settled)),
            std::sync::Arc::new(Date32Array::from(vec![latest; n])),
        ],
    )?;
    models::register_batch(ctx, "finality_dates", batch)
}
