//! Restatement: a date becomes final `final_after_days` after it, counted from the latest
//! run; a late delivery for a final date re-opens it and its numbers change.

use callcube::catalog::query::{self, Finality, Request};
use callcube::catalog::{self, Grain};
use callcube::config::Params;
use callcube::engine;
use callcube::ledger::{LandingRecord, record_landing};
use callcube::timefmt::parse_date;

use crate::common::{Scratch, csv};

/// Land `folder` as a nightly run does (ledger included) and rebuild the models.
fn nightly(s: &Scratch, folder: &str) {
    let report = s.land_all(folder, &[]);
    let now = chrono::Utc::now();
    record_landing(
        &s.warehouse(),
        &LandingRecord {
            run_id: folder,
            pipeline: "test",
            folder_day: parse_date(folder.as_bytes()).unwrap(),
            tables: &report.tables,
            started_at: now,
            finished_at: now,
        },
    )
    .unwrap();
    crate::fixture::build_models(&s.warehouse_root(), &Params::default());
}

/// (numerator, denominator, is_final) of a metric for center C1 on 2026-11-16.
fn on_the_16th(s: &Scratch, id: &str) -> (String, String, bool) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (ctx, _) = engine::session(&s.warehouse_root()).await.unwrap();
        let finality = Finality::load(&ctx).await.unwrap();
        let req = Request {
            metric: catalog::find(id).unwrap(),
            grain: Grain::Day,
            dims: vec!["center".into()],
            from: None,
            to: None,
            filter: None,
            dates: None,
        };
        let rows = query::answer(&ctx, &req, &finality).await.unwrap();
        let r = rows
            .iter()
            .find(|r| r.period == "2026-11-16")
            .expect("a row for the 16th");
        (
            r.numerator.clone().unwrap(),
            r.denominator.clone().unwrap_or_default(),
            r.is_final,
        )
    })
}

/// The distinct `is_final` of a model mart's rows dated the 16th.
fn model_final(s: &Scratch, table: &str) -> Vec<String> {
    s.rows(&format!(
        "SELECT DISTINCT CAST(is_final AS VARCHAR) FROM {table} WHERE dt = DATE '2026-11-16'"
    ))
    .into_iter()
    .map(|r| r[0].clone())
    .collect()
}

fn leg(id: &str, day: &str, answered: bool) -> String {
    let q = format!("{day} 10:00:00");
    if answered {
        format!("{id},K{id},1,ivr,S1,{q},{day} 10:00:10,{day} 10:05:00,A1,100,0,10,0,customer")
    } else {
        format!("{id},K{id},1,ivr,S1,{q},,{day} 10:01:00,,0,0,0,0,customer")
    }
}

#[test]
fn dates_become_final_and_a_late_file_reopens_them() {
    let s = Scratch::new();
    for day in ["2026-11-16", "2026-11-17", "2026-11-18"] {
        s.deliver(
            "hotline/skill_groups",
            day,
            "a.csv",
            &csv("hotline/skill_groups", &["S1,C1,普通,,"]),
        );
        s.deliver("hr/teams", day, "a.csv", &csv("hr/teams", &["T1,C1,一组,SITE1,"]));
        let agents = ["A1,张三,T1,SITE1,2025-01-01,,S1,S1,agent"];
        s.deliver("hr/agents", day, "a.csv", &csv("hr/agents", &agents));
    }
    let l1 = leg("L1", "2026-11-16", true);
    s.deliver(
        "hotline/agent_legs",
        "2026-11-16",
        "a.csv",
        &csv("hotline/agent_legs", &[&l1]),
    );
    nightly(&s, "2026-11-16");
    // Run of the 16th: D − X = 0 < 1 → A1 provisional.
    assert_eq!(on_the_16th(&s, "A1"), ("1".into(), "1".into(), false));
    nightly(&s, "2026-11-17");
    // Run of the 17th: 17 − 16 = 1 ≥ 1 → A1 final; A3 needs 3 days (no surveys: its
    // numerator is 0 and its denominator NULL, still provisional).
    assert_eq!(on_the_16th(&s, "A1"), ("1".into(), "1".into(), true));
    // The model marts follow the same rule: staffing (1 day) is final for the 16th, traffic
    // value (7 days) and the month's agent performance (7 days after the 30th) are not.
    assert_eq!(model_final(&s, "marts_staffing_daily"), ["true"]);
    assert_eq!(model_final(&s, "marts_traffic_value_leg"), ["false"]);
    let month = s.rows("SELECT DISTINCT is_final FROM marts_agent_performance_monthly");
    assert_eq!(month, [["false"]]);
    // A late leg of the 16th in the 18th's folder re-opens the 16th and changes A1: 1 / 2.
    let late = leg("L2", "2026-11-16", false);
    s.deliver(
        "hotline/agent_legs",
        "2026-11-18",
        "a.csv",
        &csv("hotline/agent_legs", &[&late]),
    );
    nightly(&s, "2026-11-18");
    assert_eq!(on_the_16th(&s, "A1"), ("1".into(), "2".into(), false));
    assert_eq!(model_final(&s, "marts_staffing_daily"), ["false"]);
    // A10 (35 days) is still provisional either way.
    assert!(!on_the_16th(&s, "A10").2);
}
