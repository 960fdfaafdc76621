//! The metric catalog of `metrics.md` as data (`metrics.toml`, compiled in):
//! every metric's id, names, numerator, denominator, scale, unit, bands,
//! dimensions, grains and restatement delay. Metric SQL (`query`), the
//! `callcube metrics` listing and the marts are generated from it.

use std::fmt;

use serde::Deserialize;

pub mod bands;
pub mod listing;
pub mod models;
pub mod query;

pub use bands::{Band, Cmp};

pub(crate) const CATALOG: &str = include_str!("metrics.toml");

/// One aggregate over a cube table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregate {
    /// Cube table.
    pub table: String,
    /// Aggregate SQL over its columns (`params.<name>` reads a parameter).
    pub expr: String,
    /// Row filter, SQL.
    #[serde(default)]
    pub filter: Option<String>,
    /// `period_end`: only the period's last business date counts (snapshots).
    #[serde(default)]
    pub at: Option<String>,
}

impl Aggregate {
    /// The function's name when `expr` is one call and nothing after its
    /// closing parenthesis (`count(DISTINCT customer_key)` → `count`); `None`
    /// for any other expression. Parentheses inside quotes are not counted.
    pub fn single_call(&self) -> Option<&str> {
        let e = self.expr.trim();
        let (name, _) = e.split_once('(')?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        for (i, c) in e.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '(') => depth += 1,
                (None, ')') => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return (i == e.len() - 1).then_some(name);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// How a metric is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Σ numerator × scale / Σ denominator over cube tables.
    #[default]
    Ratio,
    /// A13: leavers over mean headcount, from the agent snapshots.
    Turnover,
}

/// `final_after_days`: a number of days, or `"fcr"` = ⌈fcr_window_h / 24⌉.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FinalAfter {
    Days(i64),
    Named(String),
}

impl Default for FinalAfter {
    fn default() -> Self {
        FinalAfter::Days(1)
    }
}

/// A pass / in-band flag (A4, A7): all tests hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flag {
    pub name: String,
    pub tests: Vec<String>,
}

/// Points when no band holds: a number, or the parameter that gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ElsePoints {
    Points(i64),
    Param(String),
}

/// Other aggregates for some of a metric's dimensions: A3, A4 and A6 by team
/// and agent go by the surveyed leg, not the call's first answered request,
/// and A4's and A6's denominator there is the agent's answered legs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForDims {
    pub dims: Vec<String>,
    pub numerator: Aggregate,
    #[serde(default)]
    pub denominator: Option<Aggregate>,
}

/// One metric of the catalog.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub id: String,
    pub key: String,
    pub zh: String,
    pub en: String,
    pub unit: String,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default)]
    pub numerator: Option<Aggregate>,
    #[serde(default)]
    pub denominator: Option<Aggregate>,
    #[serde(default)]
    pub scale: Option<String>,
    pub dims: Vec<String>,
    #[serde(default)]
    pub min_grain: Option<String>,
    #[serde(default)]
    pub bands: Vec<String>,
    #[serde(default, rename = "else")]
    pub else_points: Option<ElsePoints>,
    #[serde(default)]
    pub flag: Option<Flag>,
    #[serde(default)]
    pub final_after_days: FinalAfter,
    #[serde(default)]
    pub params: Vec<String>,
    pub description: String,
    /// Other aggregates for these of `dims`.
    #[serde(default)]
    pub for_dims: Option<ForDims>,
}

/// A figure the sources ask for that no source column supports.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unsupported {
    pub zh: String,
    pub en: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    metric: Vec<Metric>,
    unsupported: Vec<Unsupported>,
}

fn catalog_file() -> &'static CatalogFile {
    static FILE: std::sync::OnceLock<CatalogFile> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let file: CatalogFile = toml::from_str(CATALOG).expect("metrics.toml parses");
        for m in &file.metric {
            check(m).unwrap_or_else(|e| panic!("metrics.toml, metric {}: {e}", m.id));
        }
        file
    })
}

/// A time grain of the cube.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grain {
    Interval,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Grain {
    pub const ALL: [Grain; 7] = [
        Grain::Interval,
        Grain::Hour,
        Grain::Day,
        Grain::Week,
        Grain::Month,
        Grain::Quarter,
        Grain::Year,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Grain::Interval => "interval",
            Grain::Hour => "hour",
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }

    pub fn parse(s: &str) -> Option<Grain> {
        Grain::ALL.into_iter().find(|g| g.name() == s)
    }
}

impl fmt::Display for Grain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The organisation and customer dimensions, with their cube columns.
pub const DIMENSIONS: &[(&str, &str)] = &[
    ("total", "'all'"),
    ("center", "center_id"),
    ("skill_group", "skill_group"),
    ("site", "site"),
    ("team", "team_id"),
    ("agent", "agent_id"),
    ("city", "city_code"),
    ("brand", "brand"),
    ("self_service_code", "self_service_code"),
];

/// The column (or constant) of a dimension.
pub fn dimension_column(dim: &str) -> Option<&'static str> {
    DIMENSIONS.iter().find(|(d, _)| *d == dim).map(|(_, c)| *c)
}

impl Metric {
    /// Whether a period's Σ numerator and Σ denominator are the sums of its
    /// days' (a ratio of plain `sum(…)`s, no snapshot, allowed by day): a
    /// week or month then folds the day mart's rows instead of reading the
    /// cube again. A distinct count, a period-end snapshot or A13 does not.
    pub fn sums_add_up(&self) -> bool {
        let adds_up = |a: &Option<Aggregate>| {
            a.as_ref().is_none_or(|a| {
                let e = a.expr.trim().to_lowercase();
                a.at.is_none()
                    && a.single_call().is_some_and(|f| f.eq_ignore_ascii_case("sum"))
                    && !e.contains("distinct")
            })
        };
        self.kind == Kind::Ratio
            && self.numerator.is_some()
            && adds_up(&self.numerator)
            && adds_up(&self.denominator)
            && self
                .for_dims
                .as_ref()
                .is_none_or(|f| adds_up(&Some(f.numerator.clone())) && adds_up(&f.denominator))
            && self.min_grain() <= Grain::Day
    }

    /// The numerator and denominator of `dim`: those of `for_dims` when it
    /// names `dim`, else the metric's.
    pub fn aggregates_for(&self, dim: &str) -> (Option<&Aggregate>, Option<&Aggregate>) {
        match &self.for_dims {
            Some(f) if f.dims.iter().any(|d| d == dim) => (Some(&f.numerator), f.denominator.as_ref()),
            _ => (self.numerator.as_ref(), self.denominator.as_ref()),
        }
    }

    /// The finest grain allowed.
    pub fn min_grain(&self) -> Grain {
        self.min_grain
            .as_deref()
            .and_then(Grain::parse)
            .unwrap_or(Grain::Interval)
    }

    /// Grains allowed, finest first.
    pub fn grains(&self) -> Vec<Grain> {
        Grain::ALL.into_iter().filter(|g| *g >= self.min_grain()).collect()
    }

    /// The dimension used when none is asked for: center, else the first allowed.
    pub fn default_dim(&self) -> &str {
        if self.dims.iter().any(|d| d == "center") {
            "center"
        } else {
            &self.dims[0]
        }
    }

    /// Whether value is a fraction whose bands are written in percent.
    pub fn is_ratio(&self) -> bool {
        self.unit == "ratio"
    }

    /// Days after which a date's value is final, with the parameters in force.
    pub fn final_after(&self, fcr_window_h: i64) -> i64 {
        match &self.final_after_days {
            FinalAfter::Days(d) => *d,
            FinalAfter::Named(_) => (fcr_window_h + 23) / 24,
        }
    }

    /// Parsed score bands, in evaluation order.
    pub fn parsed_bands(&self) -> Vec<Band> {
        self.bands
            .iter()
            .map(|b| Band::parse_scored(b).expect("catalog bands are checked at load"))
            .collect()
    }

    /// Points a value `x` (in the bands' unit, e.g. percent) would score,
    /// with `params` giving an `else` that names a parameter.
    pub fn points_at(&self, x: f64, params: &serde_json::Value) -> Option<i64> {
        if let Some(b) = self.parsed_bands().iter().find(|b| b.holds(x)) {
            return b.points;
        }
        match &self.else_points {
            Some(ElsePoints::Points(p)) => Some(*p),
            Some(ElsePoints::Param(p)) => params.get(p).and_then(serde_json::Value::as_i64),
            None => None,
        }
    }

    /// The standard as people read it: "5: x > 95 · 4: x > 93 · … · else 2".
    pub fn standard(&self) -> String {
        let mut parts: Vec<String> = self.bands.clone();
        match &self.else_points {
            Some(ElsePoints::Points(p)) => parts.push(format!("else {p}")),
            Some(ElsePoints::Param(p)) => parts.push(format!("else {p}")),
            None => {}
        }
        if let Some(f) = &self.flag {
            parts.push(format!("{}: {}", f.name, f.tests.join(" and ")));
        }
        parts.join(" · ")
    }
}

/// The whole catalog, in the order of `metrics.md`.
pub fn catalog() -> &'static [Metric] {
    &catalog_file().metric
}

/// What the catalog does not compute, and why.
pub fn unsupported() -> &'static [Unsupported] {
    &catalog_file().unsupported
}

fn check(m: &Metric) -> Result<(), String> {
    for b in &m.bands {
        Band::parse_scored(b).map_err(|e| format!("band `{b}`: {e}"))?;
    }
    if let Some(f) = &m.flag {
        for t in &f.tests {
            Band::parse_test(t).map_err(|e| format!("flag test `{t}`: {e}"))?;
        }
    }
    if !m.bands.is_empty() && m.else_points.is_none() {
        return Err("bands need an `else`".into());
    }
    if m.kind == Kind::Ratio && m.numerator.is_none() {
        return Err("a ratio metric needs a numerator".into());
    }
    if let Some(d) = m.dims.iter().find(|d| dimension_column(d).is_none()) {
        return Err(format!("unknown dimension `{d}`"));
    }
    if m.min_grain.as_deref().is_some_and(|g| Grain::parse(g).is_none()) {
        return Err("unknown min_grain".into());
    }
    if let Some(f) = &m.for_dims {
        if let Some(d) = f.dims.iter().find(|d| !m.dims.contains(d)) {
            return Err(format!("for_dims names `{d}`, not one of dims"));
        }
        if f.denominator.is_some() != m.denominator.is_some() {
            return Err("for_dims needs a denominator exactly when the metric has one".into());
        }
    }
    Ok(())
}

/// Find a metric by id (`A1`) or key (`answer_rate`), case-insensitively.
pub fn find(name: &str) -> Option<&'static Metric> {
    catalog()
        .iter()
        .find(|m| m.id.eq_ignore_ascii_case(name) || m.key.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_loads_with_unique_ids_and_keys() {
        let cat = catalog();
        let mut ids: Vec<&str> = cat.iter().map(|m| m.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), cat.len());
        let mut keys: Vec<String> = cat.iter().map(|m| m.key.to_lowercase()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), cat.len());
    }

    #[test]
    fn every_metric_id_of_sections_a_b_c_f_is_there() {
        let mut wanted: Vec<String> = (1..=13).map(|i| format!("A{i}")).collect();
        wanted.extend((1..=17).map(|i| format!("B{i}")));
        wanted.extend((1..=21).filter(|i| *i != 7).map(|i| format!("C{i}")));
        wanted.extend(["B1s", "B5s", "C7_talk", "C7_hold", "C7_acw"].map(String::from));
        wanted.extend(["F1", "F2", "F3", "F4", "F6", "F7", "F8"].map(String::from));
        wanted.extend(["break", "meal", "training", "meeting", "other"].map(|r| format!("F5_{r}")));
        for id in wanted {
            assert!(find(&id).is_some(), "{id} missing");
        }
        assert_eq!(find("answer_rate").unwrap().id, "A1");
    }
}
