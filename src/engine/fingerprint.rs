//! Definition fingerprints: what a table's content is a function of, besides
//! the data. A node's fingerprint hashes the callcube version, its
//! definition (a model's SQL text; the tags' declarations; for the metric
//! marts, the catalog), the parameters its SQL names with their values (every
//! parameter for code-written nodes and for a model selecting `*` of `params`), and the fingerprints of the tables it
//! reads — so a change anywhere upstream changes every fingerprint downstream
//! of it. A run rebuilds when a fingerprint differs from the last successful
//! build's, with no `--force` needed.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::config::Params;
use crate::engine::graph::{BuildGraph, Job};

/// Fingerprint of every table `graph` builds, by table name.
/// `key_fingerprint` (of the customer-key secret) is part of every table's:
/// a new key gives every customer a new key, so everything past raw is rebuilt.
pub fn fingerprints(graph: &BuildGraph, params: &Params, key_fingerprint: &str) -> BTreeMap<String, String> {
    let values = match serde_json::to_value(params).expect("params serialise") {
        serde_json::Value::Object(m) => m,
        _ => unreachable!("params are a struct"),
    };
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    // Nodes come in dependency order, so what a node reads is already known.
    for n in &graph.nodes {
        let mut h = Sha256::new();
        h.update(concat!("callcube ", env!("CARGO_PKG_VERSION"), "\n"));
        h.update(format!("customer key {key_fingerprint}\n"));
        let definition = match &n.job {
            Job::Sql(m) => m.sql.clone(),
            Job::Tags(tags) => tags
                .iter()
                // Not the file's path: moving the sql folder changes no definition.
                .map(|t| {
                    format!(
                        "tag {}|{:?}|{}|{}|{:?}|{:?}|{:?}\n",
                        t.name, t.label, t.description, t.strategy, t.when, t.evidence, t.sql
                    )
                })
                .collect(),
            Job::MetricMarts(targets) => format!(
                "{}\n{}\n{}",
                crate::marts::LAYOUT,
                crate::catalog::CATALOG,
                serde_json::to_string(targets).expect("targets serialise")
            ),
        };
        h.update(definition.as_bytes());
        // A model reading the params table whole (`SELECT * FROM params`, `params.*`) reads them all.
        let lower = definition
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let reads_every_param = n.reads.iter().any(|r| r == "params")
            && (lower.contains("select * from params") || lower.contains("params.*"));
        for (name, value) in &values {
            if !matches!(n.job, Job::Sql(_)) || reads_every_param || definition.contains(name.as_str()) {
                h.update(format!("\nparam {name}={value}"));
            }
        }
        for r in &n.reads {
            if let Some(f) = out.get(r) {
                h.update(format!("\nreads {r}={f}"));
            }
        }
        let f = hex::encode(h.finalize());
        for t in n.tables() {
            out.insert(t, f.clone());
        }
    }
    out
}

/// The tables whose fingerprint differs from `before` (or that `before` lacks).
pub fn changed(now: &BTreeMap<String, String>, before: &BTreeMap<String, String>) -> Vec<String> {
    now.iter()
        .filter(|(t, f)| before.get(*t) != Some(f))
        .map(|(t, _)| t.clone())
        .collect()
}
