//! Property: on generated data, every metric computed at a coarse grain equals the one
//! computed from the summed numerators and denominators of the finer grain (never an
//! average of ratios), stocks (F6, F8) at a coarse grain equal their period's last date, and
//! distinct-user metrics at month equal a direct distinct count.
//! Seeds: fixed, or CALLCUBE_ROLLUP_SEED to try another.

use std::collections::BTreeMap;

use callcube::catalog::query::{self, Finality, MetricRow, Request};
use callcube::catalog::{self, Grain, Kind};
use callcube::config::Params;
use callcube::engine;
use callcube::generate::{GenerateOptions, generate};
use callcube::timefmt::parse_date;

use crate::common::Scratch;
use crate::fixture::Built;

fn generated(seed: u64) -> Built {
    let s = Scratch::new();
    let opts = GenerateOptions {
        seed,
        days: 3,
        start_day: parse_date(b"2026-11-29").unwrap(),
        scale: 0.002,
        out: s.inbox(),
        gbk: vec![],
        gzip: vec![],
        defects: false,
    };
    generate(&opts).unwrap();
    for d in ["2026-11-29", "2026-11-30", "2026-12-01"] {
        s.land_all(d, &[]);
    }
    let params = Params {
        cost_per_agent_hour: Some(42.5),
        ..Params::default()
    };
    // With the marts: their distinct users are checked against direct counts too.
    crate::fixture::build_with_marts(&s.warehouse_root(), &params);
    Built { scratch: s }
}

fn num(s: &Option<String>) -> f64 {
    s.as_deref().map_or(0.0, |v| v.parse().unwrap())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Maps a fine period label to the coarse period containing it.
type PeriodMap = Box<dyn Fn(&str) -> String>;

/// One session over a built warehouse, reused for every query of the check.
struct Session {
    rt: tokio::runtime::Runtime,
    ctx: datafusion::prelude::SessionContext,
}

impl Session {
    fn new(b: &Built) -> Session {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (ctx, _) = rt.block_on(engine::session(&b.scratch.warehouse_root())).unwrap();
        Session { rt, ctx }
    }

    fn metric_rows(&self, id: &str, grain: &str, dim: &str) -> callcube::error::Result<Vec<MetricRow>> {
        let req = Request {
            metric: catalog::find(id).unwrap(),
            grain: Grain::parse(grain).unwrap(),
            dims: vec![dim.to_string()],
            from: None,
            to: None,
            filter: None,
            dates: None,
        };
        self.rt.block_on(query::answer(&self.ctx, &req, &Finality::default()))
    }
}

/// (numerator, denominator) per (period of the coarse grain, member), from a finer grain:
/// summed, or for a stock (F6, F8) the numerator of the coarse period's last fine period
/// with rows (for any member), never a sum over periods.
fn rolled_up(
    b: &Session,
    id: &str,
    fine: &str,
    dim: &str,
    to_coarse: &dyn Fn(&str) -> String,
    stock: bool,
) -> BTreeMap<(String, String), (f64, f64)> {
    let rows = b.metric_rows(id, fine, dim).unwrap();
    let mut last: BTreeMap<String, String> = BTreeMap::new();
    for r in &rows {
        let e = last.entry(to_coarse(&r.period)).or_default();
        if r.period > *e {
            *e = r.period.clone();
        }
    }
    let mut out: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| !stock || last[&to_coarse(&r.period)] == r.period)
    {
        let e = out.entry((to_coarse(&r.period), r.member.clone())).or_default();
        e.0 += num(&r.numerator);
        e.1 += num(&r.denominator);
    }
    out
}

fn check_seed(seed: u64) {
    let built = generated(seed);
    let b = Session::new(&built);
    let mut checked = 0;
    // Distinct users are not additive: they are checked against a direct count below.
    let users = |m: &catalog::Metric| m.numerator.as_ref().is_some_and(|n| n.table == "cube_users");
    for m in catalog::catalog().iter().filter(|m| m.kind == Kind::Ratio && !users(m)) {
        let snapshot_den = m.denominator.as_ref().is_some_and(|d| d.at.is_some());
        let stock = m.numerator.as_ref().is_some_and(|n| n.at.is_some());
        // The default dimension and the finest one the metric allows (a debug-build query
        // takes a few hundred ms, so not every dimension: they share the same SQL).
        let mut dims = vec![m.default_dim().to_string(), m.dims.last().unwrap().clone()];
        dims.dedup();
        for dim in &dims {
            // interval → day (when allowed), day → month, and for the default dimension day → ISO week.
            let mut steps: Vec<(&str, &str, PeriodMap)> = Vec::new();
            if m.min_grain() == catalog::Grain::Interval {
                steps.push(("interval", "day", Box::new(|p: &str| p[..10].to_string())));
            }
            steps.push(("day", "month", Box::new(|p: &str| p[..7].to_string())));
            if dim == m.default_dim() {
                steps.push((
                    "day",
                    "week",
                    Box::new(|p: &str| {
                        let d = chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d").unwrap();
                        d.format("%G-W%V").to_string()
                    }),
                ));
            }
            for (fine, coarse, map) in steps {
                let sums = rolled_up(&b, &m.id, fine, dim, map.as_ref(), stock);
                let rows = b.metric_rows(&m.id, coarse, dim).unwrap();
                assert_eq!(
                    rows.len(),
                    sums.len(),
                    "{} {fine}→{coarse} by {dim}: members differ",
                    m.id
                );
                for r in rows {
                    let (n, d) = sums[&(r.period.clone(), r.member.clone())];
                    let what = format!("{} {coarse} {} {} by {dim} (seed {seed})", m.id, r.period, r.member);
                    assert!(
                        close(num(&r.numerator), n),
                        "{what}: numerator {:?} ≠ Σ {n}",
                        r.numerator
                    );
                    if m.denominator.is_some() && !snapshot_den {
                        assert!(
                            close(num(&r.denominator), d),
                            "{what}: denominator {:?} ≠ Σ {d}",
                            r.denominator
                        );
                        // The value is the ratio of the sums, not a mean of the finer values.
                        if let Some(v) = &r.value {
                            let scale = match m.scale.as_deref() {
                                None => 1.0,
                                Some("params.cost_per_agent_hour / 3600") => 42.5 / 3600.0,
                                Some(s) => s.parse().unwrap(),
                            };
                            let want = n * scale / d;
                            let got: f64 = v.parse().unwrap();
                            assert!(
                                (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                                "{what}: value {got} ≠ {want}"
                            );
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} rows checked");
    // Distinct users at month = a direct distinct count over the month's facts, per center.
    let direct = [
        (
            "B2",
            "select center_id, count(distinct customer_key) from conformed_fact_contact where b1 group by 1",
        ),
        (
            "B4",
            "select center_id, count(distinct customer_key) from conformed_fact_contact where b3 group by 1",
        ),
        (
            "B7",
            "select center_id, count(distinct customer_key) from conformed_fact_contact where b5 group by 1",
        ),
        (
            "B9",
            "select center_id, count(distinct customer_key) from conformed_fact_work_order \
             where wo_type = 'complaint' and service_complaint and dt >= date '2026-11-01' and dt <= date '2026-11-30' group by 1",
        ),
    ];
    for (id, sql) in direct {
        let sql = if id == "B9" {
            sql.to_string()
        } else {
            sql.replace(
                " group by",
                " and dt >= date '2026-11-01' and dt <= date '2026-11-30' group by",
            )
        };
        let want: BTreeMap<String, String> = built
            .scratch
            .rows(&sql)
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        assert!(!want.is_empty(), "{id}: no users in the sample");
        for r in b.metric_rows(id, "month", "center").unwrap() {
            if r.period == "2026-11" {
                assert_eq!(r.value.as_ref(), want.get(&r.member), "{id} {} (seed {seed})", r.member);
            }
        }
        // The marts count them as well: the month's, and the quarter's and the year's (the
        // fixture's 29 November to 1 December: two months) once across months, as a direct
        // count over the quarter does.
        let whole = sql
            .replace("date '2026-11-01'", "date '2026-10-01'")
            .replace("date '2026-11-30'", "date '2026-12-31'");
        let direct_count = |sql: &str| -> BTreeMap<String, f64> {
            let rows = built.scratch.rows(sql);
            rows.into_iter()
                .map(|r| (r[0].clone(), r[1].parse().unwrap()))
                .collect()
        };
        for (mart, period, sql) in [
            ("month", "2026-11", sql.as_str()),
            ("quarter", "2026-Q4", whole.as_str()),
            ("year", "2026", whole.as_str()),
        ] {
            let got = direct_count(&format!(
                "SELECT member, CAST(value AS DOUBLE) FROM marts_metrics_{mart} \
                 WHERE metric_id = '{id}' AND dimension = 'center' AND period = '{period}'"
            ));
            assert_eq!(got, direct_count(sql), "{id} in the {mart} mart (seed {seed})");
        }
        // And users are not additive: the month is not more than the sum of its days.
        let days: f64 = b
            .metric_rows(id, "day", "center")
            .unwrap()
            .iter()
            .filter(|r| r.period.starts_with("2026-11"))
            .map(|r| num(&r.value))
            .sum();
        let month: f64 = want.values().map(|v| v.parse::<f64>().unwrap()).sum();
        assert!(month <= days, "{id}: month {month} > Σ days {days}");
    }
}

#[test]
fn ratios_roll_up_from_numerators_and_denominators_and_users_count_once() {
    let seeds: Vec<u64> = match std::env::var("CALLCUBE_ROLLUP_SEED") {
        Ok(s) => vec![s.parse().expect("CALLCUBE_ROLLUP_SEED is a number")],
        Err(_) => vec![5],
    };
    for seed in seeds {
        check_seed(seed);
    }
}
