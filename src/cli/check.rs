//! `callcube check PIPELINE`: validate a pipeline and the SQL models without running anything.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::config::{Overrides, Pipeline, locate};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Pipeline name (`pipelines/<name>.toml`) or path.
    pipeline: String,
}

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let path = locate(&args.pipeline);
    let pipeline = Pipeline::load(&path, &Overrides::from_flags_and_env(None, None))?;
    let defs = crate::engine::build::Definitions::load(&pipeline.models)?;
    // The whole graph, so a cycle through the tags or the metric marts is found too.
    let graph = crate::engine::graph::BuildGraph::new(&defs, true)?;
    // Window bounds name parameters: each must be a whole number of this pipeline.
    let serde_json::Value::Object(params) = serde_json::to_value(&pipeline.params)? else {
        unreachable!("params are a struct")
    };
    let mut kinds = std::collections::BTreeMap::new();
    for m in &defs.models {
        *kinds.entry(m.header.kind.as_str()).or_insert(0) += 1;
        for (table, w) in &m.header.windows {
            if let crate::engine::model_header::Window::Days { lo, hi } = w {
                for b in [lo, hi] {
                    b.days(&params)
                        .map_err(|e| anyhow::anyhow!("{}: header, window of `{table}`: {e}", m.path.display()))?;
                }
            }
        }
    }
    println!(
        "{}: ok — {} source tables, warehouse {}, inbox {}, {} SQL model(s) ({}), {} customer tag(s), {} tables built",
        path.display(),
        pipeline.tables.len(),
        pipeline.warehouse,
        pipeline.inbox.display(),
        defs.models.len(),
        kinds
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", "),
        defs.tags.len(),
        graph.table_count()
    );
    println!("customer key: {}", key_source(&pipeline)?);
    Ok(ExitCode::SUCCESS)
}

/// Where runs of `pipeline` will take the customer-key secret from, without creating one.
fn key_source(pipeline: &Pipeline) -> Result<String> {
    use crate::engine::pii::{self, KeySource};
    if let Some((_, source)) = pii::configured_key(pipeline.key_file.as_deref())? {
        return Ok(format!("from {source}"));
    }
    let crate::warehouse::WarehouseUrl::Local(root) = &pipeline.warehouse else {
        return Ok(format!("set {} or [privacy] key_file", pii::ENV_HMAC_KEY));
    };
    let path = pii::warehouse_key_path(root);
    let stored = KeySource::Warehouse(path.clone());
    let warning = stored.warning().expect("a warehouse key warns");
    Ok(if path.exists() {
        format!("from {stored}\nwarning: {warning}")
    } else {
        format!(
            "none yet: the first run generates {} (mode 0600)\nwarning: {warning}",
            path.display()
        )
    })
}
