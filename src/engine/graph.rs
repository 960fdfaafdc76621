//! One build graph: every table a pipeline builds — each SQL model, the
//! customer tags, the catalog's metric marts — is a node with the tables it
//! reads and the folders it writes, run in dependency order through one
//! staging path. What is derived from "every table the pipeline builds"
//! (crash recovery, definition fingerprints, progress) comes from here, so a
//! new code-written mart is one more node, not edits in three places.

use std::collections::{BTreeMap, BTreeSet};

use datafusion::prelude::SessionContext;

use crate::catalog::query::Finality;
use crate::engine::build::Definitions;
use crate::engine::models::{Model, ModelCounts, Staging};
use crate::error::{Error, Result};
use crate::tags::TagDef;

/// What a node runs.
#[derive(Debug, Clone)]
pub enum Job {
    /// One `.sql` model.
    Sql(Box<Model>),
    /// Every declared tag → `marts_customer_tags`, `marts_customer_profile`.
    Tags(Vec<TagDef>),
    /// The catalog's metrics at every grain, the day's alerts against these
    /// targets, and the scorecards.
    MetricMarts(crate::config::Targets),
}

/// One step of the build.
#[derive(Debug, Clone)]
pub struct Node {
    /// A model's table name, or `tags` / `metric_marts`.
    pub name: String,
    /// Folders it writes, below the warehouse root (`marts/customer_tags`).
    pub outputs: Vec<String>,
    /// Tables it reads (models, warehouse tables, parameter tables).
    pub reads: Vec<String>,
    pub job: Job,
}

impl Node {
    /// SQL names of the tables it writes.
    pub fn tables(&self) -> impl Iterator<Item = String> + '_ {
        self.outputs.iter().map(|d| d.replace('/', "_"))
    }
}

/// Folders of the tags node.
pub const TAG_TABLES: [&str; 2] = ["marts/customer_tags", "marts/customer_profile"];

/// Folders of the metric marts node, scorecards last.
pub fn metric_mart_dirs() -> Vec<String> {
    crate::marts::METRIC_MARTS
        .iter()
        .map(|(_, d)| d.to_string())
        .chain(std::iter::once(crate::marts::ALERTS.to_string()))
        .chain(crate::marts::SCORECARDS.iter().map(|(_, d, _)| d.to_string()))
        .collect()
}

/// The nodes of a pipeline, in an order where each runs after what it reads.
#[derive(Debug, Clone, Default)]
pub struct BuildGraph {
    pub nodes: Vec<Node>,
}

impl BuildGraph {
    /// The graph of `defs`: its models; the tags when there are tags and a
    /// `conformed_customer_day` model for them to read; the metric marts when
    /// `with_metric_marts` and a `cube_params` model (the cube) exists.
    pub fn new(defs: &Definitions, with_metric_marts: bool) -> Result<BuildGraph> {
        let mut nodes: Vec<Node> = defs
            .models
            .iter()
            .map(|m| Node {
                name: m.table.clone(),
                outputs: vec![m.dir.clone()],
                reads: m.reads.clone(),
                job: Job::Sql(Box::new(m.clone())),
            })
            .collect();
        let built: BTreeSet<String> = nodes.iter().map(|n| n.name.clone()).collect();
        if !defs.tags.is_empty() && built.contains("conformed_customer_day") {
            let mut reads: BTreeSet<String> = ["conformed_customer_day", "conformed_dim_date", "finality_dates"]
                .map(String::from)
                .into();
            for t in &defs.tags {
                reads.extend(t.reads()?);
            }
            nodes.push(Node {
                name: "tags".into(),
                outputs: TAG_TABLES.map(String::from).to_vec(),
                reads: reads.into_iter().collect(),
                job: Job::Tags(defs.tags.clone()),
            });
        }
        if with_metric_marts && built.contains("cube_params") {
            let reads = built
                .iter()
                .filter(|t| t.starts_with("cube_"))
                .cloned()
                .chain(["scorecard_weights".to_string(), "finality_dates".to_string()])
                .collect();
            nodes.push(Node {
                name: "metric_marts".into(),
                outputs: metric_mart_dirs(),
                reads,
                job: Job::MetricMarts(defs.targets.clone()),
            });
        }
        Ok(BuildGraph { nodes: order(nodes)? })
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every folder the graph writes.
    pub fn dirs(&self) -> Vec<String> {
        self.nodes.iter().flat_map(|n| n.outputs.iter().cloned()).collect()
    }

    /// How many tables it writes.
    pub fn table_count(&self) -> usize {
        self.nodes.iter().map(|n| n.outputs.len()).sum()
    }

    /// Run every node into `staging`, registering each staged table in `ctx`
    /// for the nodes after it. The metric marts need `finality`.
    pub async fn build_into(
        &self,
        ctx: &SessionContext,
        staging: &mut Staging,
        finality: Option<&Finality>,
    ) -> Result<Vec<ModelCounts>> {
        let mut counts = Vec::new();
        let every_date = crate::engine::dateset::DateSet::all();
        for n in &self.nodes {
            counts.extend(
                crate::engine::incremental::run_node(
                    n,
                    ctx,
                    staging,
                    finality,
                    &every_date,
                    &crate::engine::dateset::DateSet::empty(),
                )
                .await?,
            );
        }
        Ok(counts)
    }
}

/// Topological order (Kahn): a node runs after the nodes writing what it
/// reads; ties keep the given order, so runs are reproducible.
fn order(nodes: Vec<Node>) -> Result<Vec<Node>> {
    let writer: BTreeMap<String, usize> = nodes
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.tables().map(move |t| (t, i)).collect::<Vec<_>>())
        .collect();
    let mut waiting: Vec<BTreeSet<usize>> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            n.reads
                .iter()
                .filter_map(|r| writer.get(r).copied())
                .filter(|&w| w != i)
                .collect()
        })
        .collect();
    let mut done = vec![false; nodes.len()];
    let mut out = Vec::with_capacity(nodes.len());
    while out.len() < nodes.len() {
        let Some(next) = (0..nodes.len()).find(|&i| !done[i] && waiting[i].is_empty()) else {
            let cycle: Vec<&str> = (0..nodes.len())
                .filter(|&i| !done[i])
                .map(|i| nodes[i].name.as_str())
                .collect();
            return Err(Error::Config {
                file: std::path::PathBuf::from("(build graph)"),
                key: "models".into(),
                reason: format!("tables read each other in a cycle: {}", cycle.join(", ")),
            });
        };
        done[next] = true;
        out.push(next);
        for w in &mut waiting {
            w.remove(&next);
        }
    }
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    Ok(out
        .into_iter()
        .map(|i| slots[i].take().expect("each node once"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(table: &str, reads: &[&str]) -> Model {
        let (layer, name) = table.split_once('_').expect("layer_name");
        Model {
            table: table.into(),
            dir: format!("{layer}/{name}"),
            path: format!("sql/{layer}/{name}.sql").into(),
            sql: String::new(),
            reads: reads.iter().map(|r| r.to_string()).collect(),
            header: Default::default(),
        }
    }

    #[test]
    fn code_written_marts_are_nodes_a_model_can_read() {
        let defs = Definitions {
            models: vec![
                model("cube_params", &[]),
                model("cube_leg", &["conformed_fact_agent_leg"]),
                // Reads the scorecard, which the metric-marts node writes.
                model("marts_league", &["marts_scorecard_monthly"]),
            ],
            tags: Vec::new(),
            targets: crate::config::Targets::default(),
        };
        let graph = BuildGraph::new(&defs, true).unwrap();
        let names: Vec<&str> = graph.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["cube_params", "cube_leg", "metric_marts", "marts_league"]);
        assert!(graph.dirs().contains(&"marts/scorecard_monthly".to_string()));
        // Three models, six metric marts, the alerts and three scorecards.
        assert_eq!(graph.table_count(), 3 + 6 + 1 + 3);
        // Without the metric marts (a fixture build), the reader of the scorecard still plans last.
        let names: Vec<String> = BuildGraph::new(&defs, false)
            .unwrap()
            .nodes
            .into_iter()
            .map(|n| n.name)
            .collect();
        assert_eq!(names, ["cube_params", "cube_leg", "marts_league"]);
    }

    #[test]
    fn a_cycle_through_a_code_node_is_refused() {
        let defs = Definitions {
            // The cube reads a metric mart that is computed from the cube.
            models: vec![model("cube_params", &["marts_metrics_day"])],
            tags: Vec::new(),
            targets: crate::config::Targets::default(),
        };
        let e = BuildGraph::new(&defs, true).unwrap_err().to_string();
        assert!(e.contains("cycle") && e.contains("metric_marts"), "{e}");
    }
}
