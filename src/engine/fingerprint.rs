//! Definition fingerprints: what a table's content is a function of, besides
//! the data. A model's fingerprint hashes the callcube version, its SQL text,
//! the parameters its SQL names (with their values), and the fingerprints of
//! the models it reads — so a change anywhere upstream changes every
//! fingerprint downstream of it. Tags hash their files' definitions and the
//! code-written marts the metric catalog. A run rebuilds when a fingerprint
//! differs from the last successful build's, with no `--force` needed.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::config::Params;
use crate::engine::build::Definitions;

/// Tables the pipeline builds from code rather than a `.sql` file.
pub const CODE_TABLES: [&str; 7] = [
    "marts_customer_tags",
    "marts_customer_profile",
    "marts_metrics_hour",
    "marts_metrics_day",
    "marts_metrics_week",
    "marts_metrics_month",
    "marts_scorecard_monthly",
];

/// Fingerprint of every table `defs` builds, by table name.
pub fn fingerprints(defs: &Definitions, params: &Params) -> BTreeMap<String, String> {
    let values = match serde_json::to_value(params).expect("params serialise") {
        serde_json::Value::Object(m) => m,
        _ => unreachable!("params are a struct"),
    };
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    // Models come in dependency order, so what a model reads is already known.
    for m in &defs.models {
        let mut h = Sha256::new();
        h.update(concat!("callcube ", env!("CARGO_PKG_VERSION"), "\n"));
        h.update(m.sql.as_bytes());
        for (name, value) in &values {
            if m.sql.contains(name.as_str()) {
                h.update(format!("\nparam {name}={value}"));
            }
        }
        for r in &m.reads {
            if let Some(f) = out.get(r) {
                h.update(format!("\nreads {r}={f}"));
            }
        }
        out.insert(m.table.clone(), hex::encode(h.finalize()));
    }
    let upstream: String = out.iter().map(|(t, f)| format!("{t}={f}\n")).collect();
    let all_params = serde_json::to_string(params).expect("params serialise");
    let mut tags = Sha256::new();
    tags.update(concat!("callcube ", env!("CARGO_PKG_VERSION"), "\n"));
    for t in &defs.tags {
        // Not the file's path: moving the sql folder changes no definition.
        tags.update(format!(
            "tag {}|{:?}|{}|{}|{:?}|{:?}|{:?}\n",
            t.name, t.label, t.description, t.strategy, t.when, t.evidence, t.sql
        ));
    }
    tags.update(&all_params);
    tags.update(&upstream);
    let tags = hex::encode(tags.finalize());
    let mut marts = Sha256::new();
    marts.update(concat!("callcube ", env!("CARGO_PKG_VERSION"), "\n"));
    marts.update(crate::catalog::CATALOG);
    marts.update(&all_params);
    marts.update(&upstream);
    let marts = hex::encode(marts.finalize());
    // Built only over the models they read (see `engine::build`).
    let builds_tags = !defs.tags.is_empty() && out.contains_key("conformed_customer_day");
    let builds_marts = out.contains_key("cube_params");
    for t in CODE_TABLES {
        let is_tag_table = t.starts_with("marts_customer");
        if is_tag_table && builds_tags {
            out.insert(t.to_string(), tags.clone());
        } else if !is_tag_table && builds_marts {
            out.insert(t.to_string(), marts.clone());
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
