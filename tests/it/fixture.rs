//! Tiny hand-made warehouses for metric tests: write a few extract rows per
//! table, land them the way a nightly run does, build every shipped model,
//! and ask the catalog for a metric.

use std::collections::BTreeMap;
use std::path::Path;

use callcube::catalog::query::{self, Finality, MetricRow, Request};
use callcube::catalog::{self, Grain};
use callcube::config::{EngineConfig, Params};
use callcube::engine::build::{Definitions, build_into};
use callcube::engine::{self, models};

use crate::common::{Scratch, csv};

/// The business date most fixtures use.
pub const DAY: &str = "2026-11-16";

/// `"09:00:20"` → `"2026-11-16 09:00:20"`.
pub fn t(clock: &str) -> String {
    format!("{DAY} {clock}")
}

/// Rows per (table, delivery folder), built into a warehouse on demand.
pub struct Fixture {
    rows: BTreeMap<(String, String), Vec<String>>,
    pub params: Params,
}

/// A built fixture.
pub struct Built {
    pub scratch: Scratch,
}

impl Fixture {
    /// One center C1 with skill groups S1 and S2, team T1 and agents A1 (primary S1), A2
    /// (primary S2), A3 (primary S1), all voice agents hired long ago.
    pub fn new() -> Fixture {
        let mut f = Fixture {
            rows: BTreeMap::new(),
            params: Params::default(),
        };
        f.add("hotline/skill_groups", &["S1,C1,普通技能组,,", "S2,C1,VIP技能组,vip,"]);
        f.add("hr/teams", &["T1,C1,一组,SITE1,"]);
        f.add(
            "hr/agents",
            &[
                "A1,张三,T1,SITE1,2025-01-01,,S1,S1,agent",
                "A2,李四,T1,SITE1,2025-01-01,,S1|S2,S2,agent",
                "A3,王五,T1,SITE1,2025-01-01,,S1,S1,agent",
            ],
        );
        f
    }

    /// Add rows (CSV lines in the column order of `sources.md`) to the folder of [`DAY`].
    pub fn add(&mut self, table: &str, rows: &[&str]) -> &mut Fixture {
        self.add_at(table, DAY, rows)
    }

    /// Add rows built as `String`s to the folder of [`DAY`].
    pub fn add_lines(&mut self, table: &str, rows: &[String]) -> &mut Fixture {
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        self.add_at(table, DAY, &rows)
    }

    /// Add rows delivered in another folder.
    pub fn add_at(&mut self, table: &str, folder: &str, rows: &[&str]) -> &mut Fixture {
        self.rows
            .entry((table.to_string(), folder.to_string()))
            .or_default()
            .extend(rows.iter().map(|r| r.to_string()));
        self
    }

    /// Land every folder in date order and build the shipped models.
    pub fn build(&self) -> Built {
        self.build_and(false)
    }

    /// [`Fixture::build`], then the metric marts and scorecards, as `run` does.
    pub fn build_with_marts(&self) -> Built {
        self.build_and(true)
    }

    /// Write every folder's rows into `s`'s inbox; the delivery folders, in date order.
    pub fn deliver(&self, s: &Scratch) -> Vec<String> {
        for ((table, folder), rows) in &self.rows {
            let lines: Vec<&str> = rows.iter().map(String::as_str).collect();
            s.deliver(table, folder, "part-0001.csv", &csv(table, &lines));
        }
        let mut folders: Vec<String> = self.rows.keys().map(|(_, f)| f.clone()).collect();
        folders.sort();
        folders.dedup();
        folders
    }

    fn build_and(&self, marts: bool) -> Built {
        let s = Scratch::new();
        for folder in self.deliver(&s) {
            let report = s.land_all(&folder, &[]);
            let rejected: u64 = report.tables.iter().map(|t| t.rejected).sum();
            assert_eq!(
                rejected,
                0,
                "a fixture row was rejected: {:?}",
                s.rows("select * from rejects")
            );
        }
        match marts {
            true => build_with_marts(&s.warehouse_root(), &self.params),
            false => build_models(&s.warehouse_root(), &self.params),
        }
        Built { scratch: s }
    }
}

/// Build the shipped models and tags (`sql/`) into the warehouse at `root`, as `run` does before the marts.
pub fn build_models(root: &Path, params: &Params) {
    build_from(root, params, &Path::new(env!("CARGO_MANIFEST_DIR")).join("sql"), false);
}

/// Build the shipped models, tags and then the marts into the warehouse at `root`, as `run` does.
pub fn build_with_marts(root: &Path, params: &Params) {
    build_from(root, params, &Path::new(env!("CARGO_MANIFEST_DIR")).join("sql"), true);
}

/// Build the definitions under `sql` (models, `tags/`), with or without the metric marts.
pub fn build_from(root: &Path, params: &Params, sql: &Path, marts: bool) {
    build_with_engine(root, params, sql, marts, &EngineConfig::default());
}

/// [`build_from`] with the engine's limits and parallelism as `engine` says.
pub fn build_with_engine(root: &Path, params: &Params, sql: &Path, marts: bool, engine_config: &EngineConfig) {
    try_build_with_engine(root, params, sql, marts, engine_config).unwrap();
}

/// [`build_with_engine`], its error returned.
pub fn try_build_with_engine(
    root: &Path,
    params: &Params,
    sql: &Path,
    marts: bool,
    engine_config: &EngineConfig,
) -> callcube::error::Result<()> {
    let defs = Definitions::load(sql)?;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = engine::model_session_with(root, params, engine_config).await?;
        let finality = Finality::load(&ctx).await?;
        let mut staging = models::Staging::new(root, "test");
        let built = build_into(&ctx, &defs, &mut staging, marts.then_some(&finality)).await;
        staging.finish(built).map(|_| ())
    })
}

/// A metric's answer row in short: numerator, denominator, value, points (None = NULL).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub n: Option<String>,
    pub d: Option<String>,
    pub value: Option<String>,
    pub points: Option<String>,
    pub flag: Option<String>,
}

impl Built {
    /// Every row of a metric at a grain and dimension.
    pub fn metric_rows(&self, id: &str, grain: &str, by: &str) -> callcube::error::Result<Vec<MetricRow>> {
        let metric = catalog::find(id).unwrap_or_else(|| panic!("no metric {id}"));
        let req = Request {
            metric,
            grain: Grain::parse(grain).unwrap(),
            dims: vec![by.to_string()],
            from: None,
            to: None,
            filter: None,
            dates: None,
        };
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let (ctx, _) = engine::session(&self.scratch.warehouse_root()).await?;
            query::answer(&ctx, &req, &Finality::default()).await
        })
    }

    /// The answer for one period and member.
    pub fn metric(&self, id: &str, grain: &str, by: &str, period: &str, member: &str) -> Answer {
        let rows = self.metric_rows(id, grain, by).unwrap();
        let r = rows
            .iter()
            .find(|r| r.period == period && r.member == member)
            .unwrap_or_else(|| panic!("{id} {grain} {by}: no row for {period} {member}; rows: {rows:#?}"));
        Answer {
            n: r.numerator.clone(),
            d: r.denominator.clone(),
            value: r.value.clone(),
            points: r.points.clone(),
            flag: r.flag.clone(),
        }
    }

    /// The day value of a metric for center C1 on [`DAY`].
    pub fn day(&self, id: &str) -> Answer {
        self.metric(id, "day", "center", DAY, "C1")
    }
}

/// Expect numerator, denominator and value; `value` is compared to 12 decimals.
#[track_caller]
pub fn assert_ratio(a: &Answer, n: &str, d: &str, value: f64) {
    assert_eq!(a.n.as_deref(), Some(n), "numerator of {a:?}");
    assert_eq!(a.d.as_deref(), Some(d), "denominator of {a:?}");
    let v: f64 = a.value.as_deref().expect("a value").parse().unwrap();
    assert!((v - value).abs() < 1e-9, "value {v} ≠ {value} ({a:?})");
}

/// Expect a text number within 1e-9 of `expected`.
#[track_caller]
pub fn assert_close(actual: &str, expected: f64) {
    let v: f64 = actual.parse().unwrap_or_else(|_| panic!("not a number: {actual:?}"));
    assert!((v - expected).abs() < 1e-9, "{v} ≠ {expected}");
}

/// Expect a count.
#[track_caller]
pub fn assert_count(a: &Answer, n: &str) {
    assert_eq!(a.value.as_deref(), Some(n), "{a:?}");
}
