//! What a pipeline builds from landed data, in order: the SQL models, the
//! customer tags, then the metric marts — all staged, so the caller swaps
//! them in together or not at all.

use std::path::Path;

use datafusion::prelude::SessionContext;

use crate::catalog::query::Finality;
use crate::engine::models::{self, Model, ModelCounts, Staging};
use crate::error::Result;
use crate::tags::{self, TagDef};

/// The pipeline's definitions: `<sql>/**/*.sql` models and `<sql>/tags/*.toml` tags.
#[derive(Debug, Clone)]
pub struct Definitions {
    pub models: Vec<Model>,
    pub tags: Vec<TagDef>,
}

impl Definitions {
    pub fn load(sql_dir: &Path) -> Result<Definitions> {
        Ok(Definitions {
            models: models::load(sql_dir)?,
            tags: tags::load(&sql_dir.join("tags"))?,
        })
    }
}

/// Build models and tags into `staging`; the metric marts too when `finality` is given.
pub async fn build_into(
    ctx: &SessionContext,
    defs: &Definitions,
    staging: &mut Staging,
    finality: Option<&Finality>,
) -> Result<Vec<ModelCounts>> {
    let mut counts = models::run_into(ctx, &defs.models, staging).await?;
    if !defs.tags.is_empty() && ctx.table_exist("conformed_customer_day")? {
        counts.extend(tags::build(ctx, &defs.tags, staging).await?);
    }
    if let Some(finality) = finality
        && ctx.table_exist("cube_params")?
    {
        counts.extend(crate::marts::build(ctx, staging, finality).await?);
    }
    Ok(counts)
}
