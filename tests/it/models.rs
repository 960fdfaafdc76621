//! SQL models: DAG order from the tables each query reads, params as data,
//! and PII stopping at raw.

use std::path::Path;
use std::sync::OnceLock;

use callcube::config::Params;
use callcube::engine::{self, models};
use callcube::generate::{GenerateOptions, generate};
use callcube::timefmt::parse_date;

use crate::common::{Scratch, to_strings};

fn write(dir: &Path, rel: &str, sql: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, sql).unwrap();
}

/// Build the models of `sql` into the warehouse at `root` with default parameters.
fn build(root: &Path, sql: &Path, run_id: &str) -> callcube::error::Result<Vec<models::ModelCounts>> {
    std::fs::create_dir_all(root).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = engine::model_session(root, &Params::default()).await?;
        models::run_all(&ctx, root, &models::load(sql)?, run_id).await
    })
}

#[test]
fn models_run_after_the_tables_they_read() {
    let s = Scratch::new();
    let sql = s.dir.path().join("sql");
    // Named so that alphabetical order would be wrong: a reads c, c reads b.
    write(&sql, "marts/a.sql", "select x * 10 as y from conformed_c");
    write(&sql, "conformed/c.sql", "select x + 1 as x from conformed_b");
    write(&sql, "conformed/b.sql", "select 1 as x");
    let order: Vec<String> = models::load(&sql).unwrap().into_iter().map(|m| m.table).collect();
    assert_eq!(order, ["conformed_b", "conformed_c", "marts_a"]);
    let counts = build(&s.warehouse_root(), &sql, "t1").unwrap();
    assert_eq!(counts.iter().map(|c| c.rows).collect::<Vec<_>>(), [1, 1, 1]);
    // (1 + 1) * 10 = 20, read back from the written Parquet.
    assert_eq!(s.rows("select y from marts_a"), vec![vec!["20".to_string()]]);
}

#[test]
fn a_cycle_or_a_non_query_is_refused_naming_the_file() {
    let s = Scratch::new();
    let sql = s.dir.path().join("sql");
    write(&sql, "conformed/a.sql", "select * from conformed_b");
    write(&sql, "conformed/b.sql", "select * from conformed_a");
    let err = models::load(&sql).unwrap_err().to_string();
    assert!(
        err.contains("cycle") && err.contains("conformed_a") && err.contains("a.sql"),
        "{err}"
    );
    let sql2 = s.dir.path().join("sql2");
    write(&sql2, "conformed/x.sql", "insert into t values (1)");
    let err = models::load(&sql2).unwrap_err().to_string();
    assert!(err.contains("x.sql") && err.contains("SELECT"), "{err}");
}

#[test]
fn a_model_header_is_read_and_a_bad_one_refused_naming_the_file_and_line() {
    use callcube::engine::model_header::{Kind, Window};
    let s = Scratch::new();
    let sql = s.dir.path().join("sql");
    write(
        &sql,
        "conformed/b.sql",
        "-- conformed.b: one row per date\n-- kind: by_date\n-- window: conformed_a -1..0\n\
         select x, dt from conformed_a",
    );
    write(&sql, "conformed/a.sql", "select 1 as x, current_date as dt");
    let models = models::load(&sql).unwrap();
    let b = models.iter().find(|m| m.table == "conformed_b").unwrap();
    assert_eq!(b.header.kind, Kind::ByDate);
    assert!(matches!(b.header.windows["conformed_a"], Window::Days { .. }));
    // Without a header a model is rebuilt whole.
    assert_eq!(models[0].header.kind, Kind::Full);

    write(
        &sql,
        "conformed/b.sql",
        "-- conformed.b\n-- kind: by_day\nselect x from conformed_a",
    );
    let err = models::load(&sql).unwrap_err().to_string();
    assert!(
        err.contains("b.sql") && err.contains("line 2") && err.contains("by_day"),
        "{err}"
    );
    write(
        &sql,
        "conformed/b.sql",
        "-- window: conformed_z 0..0\nselect x from conformed_a",
    );
    let err = models::load(&sql).unwrap_err().to_string();
    assert!(err.contains("b.sql") && err.contains("does not read"), "{err}");
}

#[test]
fn a_failing_model_leaves_every_model_table_as_it_was() {
    let s = Scratch::new();
    let sql = s.dir.path().join("sql");
    write(&sql, "conformed/a.sql", "select 1 as x");
    let run = |id: &str| build(&s.warehouse_root(), &sql, id);
    run("r1").unwrap();
    write(&sql, "conformed/a.sql", "select 2 as x");
    write(&sql, "conformed/b.sql", "select no_such_column from conformed_a");
    let err = run("r2").unwrap_err().to_string();
    assert!(err.contains("b.sql"), "{err}");
    assert_eq!(
        s.rows("select x from conformed_a"),
        vec![vec!["1".to_string()]],
        "a was not swapped in"
    );
}

#[test]
fn params_reach_sql_as_a_one_row_table() {
    let s = Scratch::new();
    let root = s.warehouse_root();
    std::fs::create_dir_all(&root).unwrap();
    let params = Params {
        handling_excluded_codes: vec!["PAYMENT".into()],
        ..Params::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rows = rt.block_on(async {
        let ctx = engine::model_session(&root, &params).await.unwrap();
        let df = ctx
            .sql(
                "select short_abandon_s, service_level_s, array_has(handling_excluded_codes, 'PAYMENT') as excluded, \
                 cost_per_agent_hour is null as no_cost, 100 * cost_per_agent_hour as cost from params",
            )
            .await
            .unwrap();
        to_strings(&df.collect().await.unwrap())
    });
    assert_eq!(rows, vec![vec!["5", "20", "true", "true", "NULL"]]);
}

#[test]
fn customer_keys_are_stable_for_a_key_and_differ_across_keys() {
    let (a, b) = (Scratch::new(), Scratch::new());
    let key_of = |s: &Scratch| {
        let root = s.warehouse_root();
        std::fs::create_dir_all(&root).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let ctx = engine::model_session(&root, &Params::default()).await.unwrap();
            let df = ctx
                .sql("select customer_key('13800000001') as k, customer_key(cast(null as varchar)) as n")
                .await
                .unwrap();
            to_strings(&df.collect().await.unwrap())[0].clone()
        })
    };
    let (ka, ka2, kb) = (key_of(&a), key_of(&a), key_of(&b));
    assert_eq!(ka, ka2, "the warehouse keeps its key");
    assert_ne!(ka[0], kb[0], "another warehouse, another key");
    assert_eq!(ka[0].len(), 32);
    assert!(!ka[0].contains("13800000001"));
    assert_eq!(ka[1], "NULL");
}

/// The shipped models built over two generated days.
pub fn built() -> &'static Scratch {
    static BUILT: OnceLock<Scratch> = OnceLock::new();
    BUILT.get_or_init(|| {
        let s = Scratch::new();
        let opts = GenerateOptions {
            seed: 11,
            days: 2,
            start_day: parse_date(b"2026-11-16").unwrap(),
            scale: 0.002,
            out: s.inbox(),
            gbk: vec!["hr/agents".into()],
            gzip: vec![],
            defects: true,
        };
        generate(&opts).unwrap();
        s.land_all("2026-11-16", &["hr/agents"]);
        s.land_all("2026-11-17", &["hr/agents"]);
        crate::fixture::build_with_marts(&s.warehouse_root(), &Params::default());
        s
    })
}

#[test]
fn marts_hold_every_metric_as_the_metric_command_answers_it() {
    let s = built();
    // Every metric of the catalog is in the month mart.
    let ids: std::collections::BTreeSet<String> = s
        .rows("select distinct metric_id from marts_metrics_month")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    for m in callcube::catalog::catalog() {
        assert!(ids.contains(&m.id), "{} missing from marts_metrics_month", m.id);
    }
    // The day mart's A1 by skill group equals what `callcube metric` computes.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let answer = rt.block_on(async {
        let (ctx, _) = engine::session(&s.warehouse_root()).await.unwrap();
        let req = callcube::catalog::query::Request {
            metric: callcube::catalog::find("A1").unwrap(),
            grain: callcube::catalog::Grain::Day,
            dims: vec!["skill_group".into()],
            from: None,
            to: None,
            filter: None,
            dates: None,
        };
        let finality = callcube::catalog::query::Finality::default();
        callcube::catalog::query::answer(&ctx, &req, &finality).await.unwrap()
    });
    let mart = s.rows(
        "select period, member, cast(numerator as bigint), cast(denominator as bigint), points          from marts_metrics_day where metric_id = 'A1' and dimension = 'skill_group' order by period, member",
    );
    assert!(!answer.is_empty());
    assert_eq!(mart.len(), answer.len());
    for (m, a) in mart.iter().zip(&answer) {
        assert_eq!(
            (&m[0], &m[1], Some(&m[2]), Some(&m[3]), Some(&m[4])),
            (
                &a.period,
                &a.member,
                a.numerator.as_ref(),
                a.denominator.as_ref(),
                a.points.as_ref()
            )
        );
    }
    // The scorecard: one row per center and skill group and month; with every weight 1 the
    // total is the mean of the points it has.
    let rows = s.rows(
        "select member, weighted_total, (coalesce(a1_points,0) + coalesce(a2_points,0) + coalesce(a3_points,0)          + coalesce(a5_points,0) + coalesce(a6_points,0) + coalesce(a8_points,0) + coalesce(a9_points,0)          + coalesce(a10_points,0) + coalesce(a11_points,0) + coalesce(a12_points,0) + coalesce(a13_points,0))          / cast(11 - coalesce(cardinality(string_to_array(nullif(kpis_missing, ''), ',')), 0) as double)          from marts_scorecard_monthly where dimension = 'center' and member <> '(none)'",
    );
    assert!(!rows.is_empty());
    for r in rows {
        let (got, want): (f64, f64) = (r[1].parse().unwrap(), r[2].parse().unwrap());
        assert!((got - want).abs() < 1e-9, "{r:?}");
    }
}

/// The week and month marts fold the day mart's sums for the metrics whose
/// sums add up, the quarter and year marts the month mart's, and the others
/// read the cube: either way every row must equal what `callcube metric`
/// computes from the cube for that period.
#[test]
fn week_month_quarter_and_year_marts_equal_the_metric_command_on_the_cube() {
    use callcube::catalog::{Grain, query};
    let s = built();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (ctx, _) = rt.block_on(engine::session(&s.warehouse_root())).unwrap();
    let close = |a: &Option<String>, b: &str| match (a, b) {
        (None, b) => b == "NULL",
        (Some(a), b) => {
            let (x, y): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
            (x - y).abs() <= 1e-9 * x.abs().max(1.0)
        }
    };
    let mut folded = 0;
    // The partition: the period's first date (2026-11-16 is a Monday).
    for (grain, table, first) in [
        (Grain::Week, "marts_metrics_week", "2026-11-16"),
        (Grain::Month, "marts_metrics_month", "2026-11-01"),
        (Grain::Quarter, "marts_metrics_quarter", "2026-10-01"),
        (Grain::Year, "marts_metrics_year", "2026-01-01"),
    ] {
        for m in callcube::catalog::catalog().iter().filter(|m| grain >= m.min_grain()) {
            folded += usize::from(m.sums_add_up());
            let req = query::Request {
                metric: m,
                grain,
                dims: m.dims.clone(),
                from: None,
                to: None,
                filter: None,
                dates: None,
            };
            let answer = rt
                .block_on(query::answer(&ctx, &req, &query::Finality::default()))
                .unwrap();
            let mart = s.rows(&format!(
                "select period, dimension, member, numerator, denominator, value, points, flag, dt from {table} \
                 where metric_id = '{}' order by period, dimension, member",
                m.id
            ));
            assert_eq!(mart.len(), answer.len(), "{} by {grain}", m.id);
            for (row, a) in mart.iter().zip(&answer) {
                let what = format!("{} by {grain}: {row:?} against {a:?}", m.id);
                assert_eq!(
                    (&row[0], &row[1], &row[2]),
                    (&a.period, &a.dimension, &a.member),
                    "{what}"
                );
                assert!(close(&a.numerator, &row[3]), "{what}");
                assert!(close(&a.denominator, &row[4]), "{what}");
                assert!(close(&a.value, &row[5]), "{what}");
                assert_eq!(a.points.as_deref().unwrap_or("NULL"), row[6], "{what}");
                assert_eq!(a.flag.as_deref().unwrap_or("NULL"), row[7], "{what}");
                assert_eq!(row[8], first, "{what}");
            }
        }
    }
    // Most metrics fold a finer mart; the distinct counts, B10, A13 and the stocks do not.
    assert!(folded > 160, "{folded}");
}

/// The caller numbers and agent names of a built warehouse's raw tables: what no
/// reader past raw may ever see.
pub struct KnownPii {
    pub callers: std::collections::HashSet<String>,
    pub names: std::collections::HashSet<String>,
}

impl KnownPii {
    pub fn of(s: &Scratch) -> KnownPii {
        let set = |sql: &str| s.rows(sql).into_iter().map(|r| r[0].clone()).collect();
        let known = KnownPii {
            callers: set("select caller from raw_hotline_ivr_calls where caller is not null \
                          union select caller from raw_crm_contacts where caller is not null"),
            names: set("select distinct name from raw_hr_agents where name is not null"),
        };
        assert!(known.callers.len() > 100 && known.names.len() > 5);
        known
    }

    /// Panics naming `place` if `value` is a caller number (or looks like a mobile
    /// number) or an agent name.
    pub fn assert_clean(&self, place: &str, value: &str) {
        let phone_like = value.len() == 11 && value.starts_with('1') && value.bytes().all(|b| b.is_ascii_digit());
        assert!(
            !phone_like && !self.callers.contains(value),
            "{place} holds a caller number: {value}"
        );
        assert!(!self.names.contains(value), "{place} holds an agent name: {value}");
    }

    /// No caller number or agent name anywhere in a text (a cell, an HTML page):
    /// the whole text and each of its words are checked as values, each run of
    /// digits (a number glued to other text) against the known callers, and no
    /// agent name may occur in it even inside a longer word. (A digit run inside
    /// a hex customer key can look like a mobile number, so runs are matched
    /// against the callers only.)
    pub fn assert_text_clean(&self, place: &str, text: &str) {
        self.assert_clean(place, text);
        for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            self.assert_clean(place, word);
        }
        for digits in text.split(|c: char| !c.is_ascii_digit()).filter(|d| !d.is_empty()) {
            assert!(
                !self.callers.contains(digits),
                "{place} holds the caller number {digits}"
            );
        }
        for name in &self.names {
            assert!(!text.contains(name.as_str()), "{place} holds the agent name {name}");
        }
    }
}

#[test]
fn no_table_analysts_are_served_holds_a_caller_number_or_an_agent_name() {
    let s = built();
    let pii = KnownPii::of(s);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (ctx, tables) = rt
        .block_on(engine::audience::read_session(
            &s.warehouse_root(),
            engine::audience::Audience::Analysts,
        ))
        .unwrap();
    assert!(tables.iter().any(|t| t == "conformed_fact_ivr_call"), "{tables:?}");
    assert!(tables.iter().any(|t| t == "marts_customer_tags"), "{tables:?}");
    // What `serve`, `shell --analyst` and `report` expose: no raw, rejects or ledger table.
    let listed = to_strings(
        &rt.block_on(engine::query(
            &ctx,
            "select table_name from information_schema.tables where table_schema = 'public'",
        ))
        .unwrap(),
    );
    let listed: Vec<&str> = listed.iter().map(|r| r[0].as_str()).collect();
    assert!(listed.contains(&"metric_catalog"), "{listed:?}");
    for t in &listed {
        assert!(
            !t.starts_with("raw_") && !t.starts_with("ledger_") && *t != "rejects",
            "analysts are served {t}"
        );
        for row in to_strings(&rt.block_on(engine::query(&ctx, &format!("select * from {t}"))).unwrap()) {
            for v in row {
                pii.assert_text_clean(t, &v);
            }
        }
    }
}

#[test]
fn conformed_facts_keep_one_row_per_key_and_resolve_centers() {
    let s = built();
    assert_eq!(
        s.count("select count(*) from conformed_fact_ivr_call"),
        s.count("select count(distinct call_id) from raw_hotline_ivr_calls")
    );
    // NULL center → single_center_id (unset) → '(none)'.
    assert_eq!(
        s.count("select count(*) from conformed_fact_ivr_call where center_id = '(none)'"),
        s.count("select count(*) from raw_hotline_ivr_calls where center_id is null")
    );
    // wait_s = answer_time - queue_start when answered.
    let rows = s.rows(
        "select count(*) from conformed_fact_agent_leg where answer_time is not null \
         and wait_s <> extract(epoch from answer_time) - extract(epoch from queue_start)",
    );
    assert_eq!(rows, vec![vec!["0".to_string()]]);
}
