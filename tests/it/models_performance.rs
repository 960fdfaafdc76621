//! D agent relative performance on a hand-made month (center C1, team T1).
//! Parameters: d_min_answered 2, d_weights D1 = 2 (others 1), max_logins_per_day 1,
//! night_baseline_days 1, night_surge_factor 1.5.
//!
//! Legs (handling = talk + hold + acw):
//! | leg | agent | group | queued   | wait | talk/hold/acw | note                                  |
//! |-----|-------|-------|----------|------|---------------|---------------------------------------|
//! | L1  | A1    | S1    | 09:10:00 | 5    | 100/0/20      | offer O1 → success R1                 |
//! | L2  | A1    | S1    | 10:10:00 | 20   | 100/0/20      |                                       |
//! | L3  | A2    | S2    | 05:00:00 | 10   | 180/0/20      | night of the 15th                     |
//! | L4  | A2    | S2    | 23:00:00 | 10   | 180/0/20      | night of the 16th                     |
//! | L5  | A2    | S2    | 23:30:00 | 10   | 180/0/20      | night of the 16th                     |
//! | L6  | A3    | S1    | 09:20:00 | 30   | 5/0/0         | talk < outlier_min_talk_s             |
//! | L7  | –     | S1    | 10:40:00 | 10   | abandoned     |                                       |
//! Center C6 = (120 + 120 + 3 × 200 + 5) / 6 = 845 / 6 = 140.8333.
//!
//! States: A1 READY 09:00–09:30, TALK 09:30–10:00, READY 12:00–12:10 (a 2nd login):
//! logged-in 4200, TALK 1800, READY 2400. A2 READY 09:00–10:00, TALK 10:00–10:15, NOT_READY
//! 10:15–10:30: logged-in 5400, TALK 900, READY 3600. A3: none.
//! Schedules: A1 09:00–11:00 (hours 9 and 10 ≥ 1800 s); A2 10:00–10:20 (1200 s: no hour).
//! Surveys: L1 result 1, L2 result 3 (A1: 1/2); L3 result 2 (A2: 1/1).
//! Exams: A1 80 and 90, A2 70. Orders: R1 subscribe success (A1's O1); R9 unsubscribe success
//! processed by A2. Work order W1: complaint of L1's caller 2 days after O1.

use std::sync::OnceLock;

use crate::fixture::{Built, DAY, Fixture, t};

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        let leg = |id: &str, agent: &str, sg: &str, at: &str, wait: u32, talk: u32, acw: u32| {
            let q = t(at);
            let (h, m) = (&at[..2], &at[3..5]);
            let answered = t(&format!("{h}:{m}:{wait:02}"));
            format!("{id},K{id},1,ivr,{sg},{q},{answered},{answered},{agent},{talk},0,{acw},0,customer")
        };
        let mut legs = vec![
            leg("L1", "A1", "S1", "09:10:00", 5, 100, 20),
            leg("L2", "A1", "S1", "10:10:00", 20, 100, 20),
            leg("L3", "A2", "S2", "05:00:00", 10, 180, 20),
            leg("L4", "A2", "S2", "23:00:00", 10, 180, 20),
            leg("L5", "A2", "S2", "23:30:00", 10, 180, 20),
            leg("L6", "A3", "S1", "09:20:00", 30, 5, 0),
        ];
        legs.push(format!(
            "L7,KL7,1,ivr,S1,{},,{},,0,0,0,0,customer",
            t("10:40:00"),
            t("10:40:10")
        ));
        f.add_lines("hotline/agent_legs", &legs);
        let calls: Vec<String> = ["L1", "L2", "L3", "L4", "L5", "L6", "L7"]
            .iter()
            .enumerate()
            .map(|(i, l)| {
                format!(
                    "K{l},C1,1390000000{i},571,gotone,{},{},agent_request,",
                    t("05:00:00"),
                    t("05:00:01")
                )
            })
            .collect();
        f.add_lines("hotline/ivr_calls", &calls);
        let states = [
            format!("A1,READY,,{},{}", t("09:00:00"), t("09:30:00")),
            format!("A1,TALK,,{},{}", t("09:30:00"), t("10:00:00")),
            format!("A1,READY,,{},{}", t("12:00:00"), t("12:10:00")),
            format!("A2,READY,,{},{}", t("09:00:00"), t("10:00:00")),
            format!("A2,TALK,,{},{}", t("10:00:00"), t("10:15:00")),
            format!("A2,NOT_READY,other,{},{}", t("10:15:00"), t("10:30:00")),
        ];
        f.add_lines("hotline/agent_states", &states);
        let shifts = [
            format!("A1,{DAY},{},{},,0", t("09:00:00"), t("11:00:00")),
            format!("A2,{DAY},{},{},,0", t("10:00:00"), t("10:20:00")),
        ];
        f.add_lines("hr/schedules", &shifts);
        let surveys = [
            format!("V1,L1,A1,ivr,1,,{}", t("12:00:00")),
            format!("V2,L2,A1,ivr,3,other,{}", t("12:00:00")),
            format!("V3,L3,A2,ivr,2,,{}", t("12:00:00")),
        ];
        f.add_lines("hotline/surveys", &surveys);
        f.add(
            "hr/exams",
            &[
                "A1,2026-11-16,业务,80.00",
                "A1,2026-11-17,服务,90.00",
                "A2,2026-11-16,业务,70.00",
            ],
        );
        let offers = [format!("O1,L1,A1,CAMP1,P5G,{},60,1,1,R1", t("09:11:00"))];
        f.add_lines("hotline/offers", &offers);
        let orders = [
            format!(
                "R1,13900000000,hotline,KL1,A1,P5G,subscribe,success,{},30.00,1",
                t("09:12:00")
            ),
            format!(
                "R9,13900000005,hotline,KL6,A2,PX,unsubscribe,success,{},0.00,0",
                t("09:40:00")
            ),
        ];
        f.add_lines("boss/orders", &orders);
        f.add(
            "crm/work_orders",
            &["W1,,13900000000,571,gotone,complaint,CAT1,1,0,none,2026-11-18 09:00:00,,,open,,,"],
        );
        f.params.d_min_answered = 2;
        f.params.d_weights.insert("D1".into(), 2.0);
        f.params.max_logins_per_day = 1;
        f.params.night_baseline_days = 1;
        f.params.night_surge_factor = 1.5;
        f.build()
    })
}

const COLUMNS: &str = "answered_legs, is_peer, d1_talk_rate, d2_work_time_utilization, \
    d3_satisfaction_rate, d4_answer_timeliness, d5_handle_time_deviation, d6_exam_score, \
    d7_marketing_completion, d1_score, d2_score, d3_score, d4_score, d5_score, d6_score, d7_score, \
    composite, rank, weighted_calls, frequent_login, talk_outlier, post_offer_complaint_count, night_surge";

/// One row of the mart as (column, value) pairs.
fn row(level: &str, member: &str) -> Vec<(String, String)> {
    let rows = built().scratch.rows(&format!(
        "SELECT {COLUMNS} FROM marts_agent_performance_monthly \
         WHERE level = '{level}' AND member = '{member}' AND month = DATE '2026-11-01'"
    ));
    assert_eq!(rows.len(), 1, "{level} {member}: {rows:?}");
    COLUMNS
        .split(',')
        .map(|c| c.trim().to_string())
        .zip(rows[0].iter().cloned())
        .collect()
}

#[track_caller]
fn expect(row: &[(String, String)], column: &str, expected: Option<f64>) {
    let v = &row
        .iter()
        .find(|(c, _)| c == column)
        .unwrap_or_else(|| panic!("{column}"))
        .1;
    match expected {
        None => assert_eq!(v, "NULL", "{column}"),
        Some(e) => {
            let v: f64 = v.parse().unwrap_or_else(|_| panic!("{column}: {v:?}"));
            assert!((v - e).abs() < 1e-9, "{column}: {v} ≠ {e}");
        }
    }
}

#[track_caller]
fn expect_text(row: &[(String, String)], column: &str, expected: &str) {
    let v = &row
        .iter()
        .find(|(c, _)| c == column)
        .unwrap_or_else(|| panic!("{column}"))
        .1;
    assert_eq!(v, expected, "{column}");
}

#[test]
fn indicators_of_a_peer() {
    // A1: D1 = 1800/4200 = 3/7; D2 = (2400 + 1800 + 0)/4200 = 1; D3 = 1/2;
    // D4: hour 9, S1 requests L1 (5 s ≤ 15) and L6 (30 s) → 1/2; hour 10, L2 (20 s) and L7
    // (abandoned) → 0/2; mean 0.25. D5 = |120 − 845/6| = 125/6; D6 = (80 + 90)/2 = 85;
    // D7 = (1 success − 0 removals)/2 = 0.5.
    let a1 = row("agent", "A1");
    expect(&a1, "answered_legs", Some(2.0));
    expect(&a1, "d1_talk_rate", Some(3.0 / 7.0));
    expect(&a1, "d2_work_time_utilization", Some(1.0));
    expect(&a1, "d3_satisfaction_rate", Some(0.5));
    expect(&a1, "d4_answer_timeliness", Some(0.25));
    expect(&a1, "d5_handle_time_deviation", Some(125.0 / 6.0));
    expect(&a1, "d6_exam_score", Some(85.0));
    expect(&a1, "d7_marketing_completion", Some(0.5));
    // A2: D1 = 900/5400 = 1/6; D2 = (3600 + 900)/5400 = 5/6; D3 = 1; D4 NULL (no hour with
    // 1800 scheduled s); D5 = |200 − 845/6| = 355/6; D6 = 70; D7 = (0 − 1 unsubscribe)/3.
    let a2 = row("agent", "A2");
    expect(&a2, "d1_talk_rate", Some(1.0 / 6.0));
    expect(&a2, "d2_work_time_utilization", Some(5.0 / 6.0));
    expect(&a2, "d3_satisfaction_rate", Some(1.0));
    expect(&a2, "d4_answer_timeliness", None);
    expect(&a2, "d5_handle_time_deviation", Some(355.0 / 6.0));
    expect(&a2, "d6_exam_score", Some(70.0));
    expect(&a2, "d7_marketing_completion", Some(-1.0 / 3.0));
}

#[test]
fn scores_composite_and_rank() {
    // Peers A1, A2 (A3 has 1 answered leg < 2). Min-max per indicator:
    // D1 A1 100 / A2 0; D2 100 / 0; D3 0 / 100; D4 A1 alone → 100 / NULL;
    // D5 (smaller is better) A1 100 / A2 0; D6 100 / 0; D7 100 / 0.
    // Composite A1 = (2·100 + 100 + 0 + 100 + 100 + 100 + 100) / 8 = 87.5;
    // A2 = (2·0 + 0 + 100 + 0 + 0 + 0) / 7 = 100/7 (D4 left out).
    // Weighted calls: A1 2 × 87.5/100 = 1.75; A2 3 × (100/7)/100 = 3/7.
    let a1 = row("agent", "A1");
    for (c, v) in [
        ("d1_score", 100.0),
        ("d2_score", 100.0),
        ("d3_score", 0.0),
        ("d4_score", 100.0),
        ("d5_score", 100.0),
        ("d6_score", 100.0),
        ("d7_score", 100.0),
    ] {
        expect(&a1, c, Some(v));
    }
    expect(&a1, "composite", Some(87.5));
    expect(&a1, "rank", Some(1.0));
    expect(&a1, "weighted_calls", Some(1.75));
    let a2 = row("agent", "A2");
    expect(&a2, "d4_score", None);
    expect(&a2, "d3_score", Some(100.0));
    expect(&a2, "composite", Some(100.0 / 7.0));
    expect(&a2, "rank", Some(2.0));
    expect(&a2, "weighted_calls", Some(3.0 / 7.0));
    // A3 is not a peer: indicators, no scores.
    let a3 = row("agent", "A3");
    expect_text(&a3, "is_peer", "false");
    expect(&a3, "d5_handle_time_deviation", Some(845.0 / 6.0 - 5.0));
    expect(&a3, "d7_marketing_completion", Some(0.0));
    expect(&a3, "d1_talk_rate", None);
    expect(&a3, "composite", None);
    expect(&a3, "rank", None);
}

#[test]
fn control_flags() {
    // frequent_login: A1 has 2 login sessions on the 16th > 1. talk_outlier: A3's only leg
    // talks 5 s < 10 → share 1 > 0.05. post_offer_complaints: W1 2 days after A1's O1 (≤ 7).
    // night_surge: A2 answered 2 legs on the night of the 16th; baseline = 1 leg over the 1
    // previous night → 2 > 1.5 × 1.
    let a1 = row("agent", "A1");
    expect_text(&a1, "frequent_login", "true");
    expect_text(&a1, "talk_outlier", "false");
    expect(&a1, "post_offer_complaint_count", Some(1.0));
    expect_text(&a1, "night_surge", "false");
    let a2 = row("agent", "A2");
    expect_text(&a2, "frequent_login", "false");
    expect(&a2, "post_offer_complaint_count", Some(0.0));
    expect_text(&a2, "night_surge", "true");
    let a3 = row("agent", "A3");
    expect_text(&a3, "talk_outlier", "true");
}

#[test]
fn team_on_summed_parts() {
    // T1 = A1 + A2 + A3: D1 = (1800 + 900)/(4200 + 5400) = 0.28125; D2 = (4200 + 4500)/9600;
    // D3 = (1 + 1)/(2 + 1) = 2/3; D4 = mean of members' D4 = 0.25; D5 = |845/6 − 845/6| = 0;
    // D6 = (80 + 90 + 70)/3 = 80; D7 = (1 − 1)/6 = 0. The only peer team: every score 100.
    let t1 = row("team", "T1");
    expect(&t1, "answered_legs", Some(6.0));
    expect(&t1, "d1_talk_rate", Some(0.28125));
    expect(&t1, "d2_work_time_utilization", Some(8700.0 / 9600.0));
    expect(&t1, "d3_satisfaction_rate", Some(2.0 / 3.0));
    expect(&t1, "d4_answer_timeliness", Some(0.25));
    expect(&t1, "d5_handle_time_deviation", Some(0.0));
    expect(&t1, "d6_exam_score", Some(80.0));
    expect(&t1, "d7_marketing_completion", Some(0.0));
    expect(&t1, "composite", Some(100.0));
    expect(&t1, "rank", Some(1.0));
    expect_text(&t1, "frequent_login", "NULL");
}
