//! `[targets]`: what a day's metric value must meet, per metric and
//! optionally per dimension member (metrics.md F, Targets and alerts). A
//! breach is a row of `marts_alerts_daily`.
//!
//! ```toml
//! [targets]
//! C13 = { min = 0.92 }                                   # every member of every dimension
//! "A1 city=571" = { min = 0.95, severity = "critical" }  # one member: wins over "A1"
//! C10 = {}                                               # no target: silences the default
//! ```
//!
//! Bounds are in the metric's value unit (a ratio as a fraction, seconds …),
//! inclusive: a value equal to `min` or `max` meets it. `min_points` alerts
//! below those score points, `flag = true` when A4 fails or A7 is out of band.
//! A metric the pipeline does not name keeps the defaults of the sources.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog;

/// One target, as written.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// Alert when the points are below this.
    #[serde(default)]
    pub min_points: Option<i64>,
    /// Alert when the metric's flag fails (A4 `fail`, A7 `out_of_band`).
    #[serde(default)]
    pub flag: bool,
    /// `info`, `warning` (default) or `critical`.
    #[serde(default = "warning")]
    pub severity: String,
}

fn warning() -> String {
    "warning".into()
}

impl Default for Target {
    /// No bound: meets everything (silences a default), severity `warning`.
    fn default() -> Self {
        Target {
            min: None,
            max: None,
            min_points: None,
            flag: false,
            severity: warning(),
        }
    }
}

/// A target with where it applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetRule {
    pub metric_id: String,
    /// With `member`: only that member of that dimension.
    pub dimension: Option<String>,
    pub member: Option<String>,
    pub target: Target,
}

impl TargetRule {
    /// How the target reads: `≥ 0.92`, `30 – 60`, `≥ 4 points`, `pass`.
    pub fn describe(&self) -> String {
        let t = &self.target;
        let mut parts = Vec::new();
        match (t.min, t.max) {
            (Some(lo), Some(hi)) => parts.push(format!("{lo} – {hi}")),
            (Some(lo), None) => parts.push(format!("≥ {lo}")),
            (None, Some(hi)) => parts.push(format!("≤ {hi}")),
            (None, None) => {}
        }
        if let Some(p) = t.min_points {
            parts.push(format!("≥ {p} points"));
        }
        if t.flag {
            parts.push(
                match catalog::find(&self.metric_id).and_then(|m| m.flag.as_ref()) {
                    Some(f) if f.name == "pass" => "pass",
                    _ => "in band",
                }
                .to_string(),
            );
        }
        parts.join(", ")
    }
}

/// Every target in force: the pipeline's, and the defaults for the metrics it does not name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Targets {
    pub rules: Vec<TargetRule>,
}

impl Default for Targets {
    fn default() -> Self {
        Targets::resolve(&BTreeMap::new()).expect("the defaults are valid")
    }
}

/// The sources' defaults (metrics.md F): an A KPI with score bands below 4
/// points, A4 failing, A7 out of band, C13 ≥ 0.92, C7_acw 30–60 s, C4 20–60 s,
/// C10 0.69–0.74.
fn defaults() -> Vec<(String, Target)> {
    let bounds = |min: f64, max: Option<f64>| Target {
        min: Some(min),
        max,
        ..Target::default()
    };
    let mut out: Vec<(String, Target)> = catalog::catalog()
        .iter()
        .filter(|m| m.id.starts_with('A') && !m.bands.is_empty())
        .map(|m| {
            let t = Target {
                min_points: Some(4),
                ..Target::default()
            };
            (m.id.clone(), t)
        })
        .collect();
    for id in ["A4", "A7"] {
        out.push((
            id.to_string(),
            Target {
                flag: true,
                ..Target::default()
            },
        ));
    }
    out.push(("C13".into(), bounds(0.92, None)));
    out.push(("C7_acw".into(), bounds(30.0, Some(60.0))));
    out.push(("C4".into(), bounds(20.0, Some(60.0))));
    out.push(("C10".into(), bounds(0.69, Some(0.74))));
    out
}

impl Targets {
    /// The rules of a pipeline's `[targets]` (key `METRIC` or `METRIC DIMENSION=MEMBER`)
    /// and the defaults of the metrics it does not name; an error names the bad key.
    pub fn resolve(written: &BTreeMap<String, Target>) -> Result<Targets, (String, String)> {
        let mut rules = Vec::new();
        for (key, target) in written {
            let bad = |why: String| (format!("targets.\"{key}\""), why);
            let (id, scope) = match key.split_once(' ') {
                None => (key.as_str(), None),
                Some((id, scope)) => (id, Some(scope.trim())),
            };
            let metric = catalog::find(id).ok_or_else(|| bad(format!("no metric `{id}`")))?;
            let (dimension, member) = match scope {
                None => (None, None),
                Some(s) => {
                    let (d, m) = s
                        .split_once('=')
                        .ok_or_else(|| bad("expected `METRIC` or `METRIC DIMENSION=MEMBER`".into()))?;
                    if !metric.dims.iter().any(|x| x == d.trim()) {
                        return Err(bad(format!(
                            "{} is not available by `{}`; allowed: {}",
                            metric.id,
                            d.trim(),
                            metric.dims.join(", ")
                        )));
                    }
                    (Some(d.trim().to_string()), Some(m.trim().to_string()))
                }
            };
            if !matches!(target.severity.as_str(), "info" | "warning" | "critical") {
                return Err(bad(format!(
                    "severity `{}`: expected info, warning or critical",
                    target.severity
                )));
            }
            if let (Some(lo), Some(hi)) = (target.min, target.max)
                && lo > hi
            {
                return Err(bad(format!("min {lo} is above max {hi}")));
            }
            if target.flag && metric.flag.is_none() {
                return Err(bad(format!("{} has no pass or in-band flag", metric.id)));
            }
            if target.min_points.is_some() && metric.bands.is_empty() {
                return Err(bad(format!("{} scores no points", metric.id)));
            }
            rules.push(TargetRule {
                metric_id: metric.id.clone(),
                dimension,
                member,
                target: target.clone(),
            });
        }
        // A metric's own target replaces its default; a member's only adds to it.
        let named: std::collections::BTreeSet<String> = rules
            .iter()
            .filter(|r| r.dimension.is_none())
            .map(|r| r.metric_id.clone())
            .collect();
        for (id, target) in defaults() {
            if !named.contains(&id) {
                rules.push(TargetRule {
                    metric_id: id,
                    dimension: None,
                    member: None,
                    target,
                });
            }
        }
        rules.sort_by(|a, b| (&a.metric_id, &a.dimension, &a.member).cmp(&(&b.metric_id, &b.dimension, &b.member)));
        Ok(Targets { rules })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(pairs: &[(&str, Target)]) -> BTreeMap<String, Target> {
        pairs.iter().map(|(k, t)| (k.to_string(), t.clone())).collect()
    }

    #[test]
    fn defaults_cover_the_scored_kpis_and_the_sources_ranges() {
        let t = Targets::default();
        let rule = |id: &str| t.rules.iter().find(|r| r.metric_id == id).unwrap().clone();
        assert_eq!(rule("A1").target.min_points, Some(4));
        assert!(rule("A4").target.flag);
        assert_eq!(rule("C13").describe(), "≥ 0.92");
        assert_eq!(rule("C7_acw").describe(), "30 – 60");
        assert_eq!(rule("A4").describe(), "pass");
        assert_eq!(rule("A7").describe(), "in band");
    }

    #[test]
    fn a_named_metric_replaces_its_default_and_a_member_rule_adds_to_it() {
        let t = Targets::resolve(&written(&[
            ("C10", Target::default()),
            (
                "A1 city=571",
                Target {
                    min: Some(0.95),
                    severity: "critical".into(),
                    ..Target::default()
                },
            ),
        ]))
        .unwrap();
        let c10: Vec<&TargetRule> = t.rules.iter().filter(|r| r.metric_id == "C10").collect();
        assert_eq!(c10.len(), 1);
        assert_eq!(c10[0].describe(), "");
        let a1: Vec<&TargetRule> = t.rules.iter().filter(|r| r.metric_id == "A1").collect();
        assert_eq!(a1.len(), 2, "the default for every member and city 571's: {a1:?}");
        assert_eq!(a1[0].target.min_points, Some(4));
        assert_eq!(a1[1].member.as_deref(), Some("571"));
    }

    #[test]
    fn bad_keys_are_refused_with_the_reason() {
        let err = |k: &str, t: Target| Targets::resolve(&written(&[(k, t)])).unwrap_err();
        assert!(err("Z9", Target::default()).1.contains("no metric"));
        assert!(err("A1 agent=A1", Target::default()).1.contains("allowed"));
        let bad = Target {
            severity: "loud".into(),
            ..Target::default()
        };
        assert!(err("A1", bad).1.contains("severity"));
        let flag = Target {
            flag: true,
            ..Target::default()
        };
        assert!(err("C13", flag).1.contains("no pass"));
    }
}
