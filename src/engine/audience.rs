//! Who reads the warehouse, and so which tables a read-only session shows.
//!
//! Caller numbers and agent names exist only in `raw` and `rejects`, and the
//! ledger names the delivered files; from `conformed` on a customer is a keyed
//! hash. Analysts and reporting tools (`serve`, `shell --analyst`, `report`)
//! therefore see only the PII-free layers unless the operator asks for more.

use std::sync::Arc;

use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::Result;
use crate::warehouse;

/// The table of the metric catalog every read-only session offers.
pub const METRIC_CATALOG_TABLE: &str = "metric_catalog";

/// Which tables a read-only session registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Only the PII-free layers: `conformed_*`, `cube_*`, `marts_*` and the metric catalog.
    Analysts,
    /// Every table, `raw_*`, `rejects` and `ledger_*` included: the pipeline's engineers.
    Engineers,
}

impl Audience {
    /// Analysts, or engineers when the operator passed `--include-raw`.
    pub fn from_include_raw(include_raw: bool) -> Audience {
        if include_raw {
            Audience::Engineers
        } else {
            Audience::Analysts
        }
    }

    /// Whether a reader of this audience may see the warehouse table `name`.
    pub fn sees(self, name: &str) -> bool {
        match self {
            Audience::Engineers => true,
            Audience::Analysts => is_pii_free(name),
        }
    }
}

/// Whether the warehouse table `name` belongs to a layer past raw, which holds
/// customer keys but no caller numbers, names or file names.
pub fn is_pii_free(name: &str) -> bool {
    ["conformed_", "cube_", "marts_"]
        .iter()
        .any(|layer| name.starts_with(layer))
}

/// A session over the warehouse at `root` with the tables `audience` sees, the
/// metric catalog as [`METRIC_CATALOG_TABLE`] and the `erlang_*` functions;
/// returns the warehouse tables registered, sorted.
///
/// File listings are not cached: a long-lived reader (the shell, the server)
/// sees the partitions a nightly run publishes while it is open.
pub async fn read_session(root: &std::path::Path, audience: Audience) -> Result<(SessionContext, Vec<String>)> {
    use datafusion::execution::cache::cache_manager::CacheManagerConfig;
    use datafusion::execution::runtime_env::RuntimeEnvBuilder;
    let runtime = RuntimeEnvBuilder::new()
        .with_cache_manager(CacheManagerConfig::default().with_list_files_cache_limit(0))
        .build_arc()?;
    let ctx = SessionContext::new_with_config_rt(SessionConfig::new().with_information_schema(true), runtime);
    let mut names = Vec::new();
    for t in warehouse::table_dirs(root) {
        if audience.sees(&t.name) {
            warehouse::register_dir(&ctx, &t).await?;
            names.push(t.name);
        }
    }
    let catalog = crate::catalog::listing::catalog_batch();
    let table = MemTable::try_new(catalog.schema(), vec![vec![catalog]])?;
    ctx.register_table(METRIC_CATALOG_TABLE, Arc::new(table))?;
    super::register_functions(&ctx);
    Ok((ctx, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysts_see_only_the_layers_past_raw() {
        for name in [
            "conformed_fact_agent_leg",
            "cube_leg",
            "marts_metrics_day",
            "marts_customer_tags",
        ] {
            assert!(Audience::Analysts.sees(name), "{name}");
        }
        for name in [
            "raw_hotline_agent_legs",
            "rejects",
            "ledger_run_inputs",
            "ledger_landing",
            "raw_hr_agents",
        ] {
            assert!(!Audience::Analysts.sees(name), "{name}");
            assert!(Audience::Engineers.sees(name), "{name}");
        }
    }
}
