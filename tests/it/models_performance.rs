//! D agent relative performance on a hand-made month (center C1, team T1).
//! Parameters: d_min_answered 2, d_weights D1 = 2 (others 1), max_logins_per_day 1,
//! night_baseline_days 1, night_baseline_min_nights 1, night_surge_factor 1.5.
//! Further fixtures below: tied ranks and the extremes mart (`ranked`), and night_surge's
//! baseline over the nights with data (`nights_*`).
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

use crate::fixture::{Built, DAY, Fixture, assert_close, t};

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
        // One previous night with data (the 15th's, L3) is baseline enough here.
        f.params.night_baseline_min_nights = 1;
        f.params.night_surge_factor = 1.5;
        f.build()
    })
}

const COLUMNS: &str = "answered_legs, is_peer, d1_talk_rate, d2_work_time_utilization, \
    d3_satisfaction_rate, d4_answer_timeliness, d5_handle_time_deviation, d6_exam_score, \
    d7_marketing_completion, d1_score, d2_score, d3_score, d4_score, d5_score, d6_score, d7_score, \
    composite, rank, rank_d1, rank_d2, rank_d3, rank_d4, rank_d5, rank_d6, rank_d7, weighted_calls, \
    frequent_login, talk_outlier, post_offer_complaint_count, night_surge";

/// One row of the mart as (column, value) pairs.
fn row(level: &str, member: &str) -> Vec<(String, String)> {
    row_of(built(), level, member)
}

/// One row of the mart of fixture `b` as (column, value) pairs.
fn row_of(b: &Built, level: &str, member: &str) -> Vec<(String, String)> {
    let rows = b.scratch.rows(&format!(
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
    // previous night, which has data (L3) and meets night_baseline_min_nights 1 → 2 > 1.5 × 1.
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

/// An answered leg: queued at `queued` (a full timestamp), answered 10 s later, `handling_s`
/// all talk.
fn answered_leg(id: &str, agent: &str, sg: &str, queued: &str, handling_s: u32) -> String {
    let (day, clock) = queued.split_at(11);
    let answered = format!("{day}{}:10", &clock[..5]);
    format!("{id},K{id},1,ivr,{sg},{queued},{answered},{answered},{agent},{handling_s},0,0,0,customer")
}

/// Ranks and extremes: d_min_answered 2, d_extremes_n 2, weights 1. Center C1 (team T1) has
/// peers A1–A4 and A5 (1 leg, not a peer); center C2 (team T2, skill group S3) has A6 alone.
/// No states, schedules or surveys: D1–D4 are NULL; no offers: D7 = 0 for every agent.
///
/// | agent | legs × handling | C6  | D5 = abs(C6 − center C6) | exam (D6) |
/// |-------|-----------------|-----|--------------------------|-----------|
/// | A1    | 2 × 100         | 100 | 50                       | 90        |
/// | A2    | 2 × 100         | 100 | 50                       | 90        |
/// | A3    | 2 × 150         | 150 | 0                        | 70        |
/// | A4    | 2 × 275         | 275 | 125                      | 80        |
/// | A5    | 1 × 100         | 100 | 50                       | 100       |
/// | A6    | 2 × 120 (S3)    | 120 | 0                        | –         |
/// Center C6: C1 (200 + 200 + 300 + 550 + 100) / 9 = 1350 / 9 = 150; C2 240 / 2 = 120.
fn ranked() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        f.add("hotline/skill_groups", &["S3,C2,二中心技能组,,"]);
        f.add("hr/teams", &["T2,C2,二组,SITE1,"]);
        f.add(
            "hr/agents",
            &[
                "A4,赵六,T1,SITE1,2025-01-01,,S1,S1,agent",
                "A5,钱七,T1,SITE1,2025-01-01,,S1,S1,agent",
                "A6,孙八,T2,SITE1,2025-01-01,,S3,S3,agent",
            ],
        );
        let legs = [
            ("R1", "A1", "S1", "09:00", 100),
            ("R2", "A1", "S1", "09:05", 100),
            ("R3", "A2", "S1", "09:10", 100),
            ("R4", "A2", "S1", "09:15", 100),
            ("R5", "A3", "S1", "09:20", 150),
            ("R6", "A3", "S1", "09:25", 150),
            ("R7", "A4", "S1", "09:30", 275),
            ("R8", "A4", "S1", "09:35", 275),
            ("R9", "A5", "S1", "09:40", 100),
            ("R10", "A6", "S3", "09:45", 120),
            ("R11", "A6", "S3", "09:50", 120),
        ];
        let legs: Vec<String> = legs
            .iter()
            .map(|(id, agent, sg, at, h)| answered_leg(id, agent, sg, &t(&format!("{at}:00")), *h))
            .collect();
        f.add_lines("hotline/agent_legs", &legs);
        f.add(
            "hr/exams",
            &[
                "A1,2026-11-16,业务,90.00",
                "A2,2026-11-16,业务,90.00",
                "A3,2026-11-16,业务,70.00",
                "A4,2026-11-16,业务,80.00",
                "A5,2026-11-16,业务,100.00",
            ],
        );
        f.params.d_min_answered = 2;
        f.params.d_extremes_n = 2;
        f.build()
    })
}

#[test]
fn tied_ranks_per_indicator_and_composite() {
    // C1 peers A1–A4 (A5 has 1 leg < 2). Scores, min-max over the peers:
    // D5 (smaller is better; lo 0, hi 125): A3 100, A1 = A2 = 100 × (125 − 50)/125 = 60, A4 0;
    // ranked on D5 ascending: A3 1, A1 2, A2 2, A4 4.
    // D6 (lo 70, hi 90 — A5's 100 is no peer's): A1 = A2 100, A4 50, A3 0; ranks 1, 1, 3, 4.
    // D7 = 0 for all: max = min, every peer 100, rank 1. D1–D4 NULL: no score, no rank.
    // Composite (weights 1, over D5, D6, D7): A1 = A2 = (60 + 100 + 100)/3 = 260/3;
    // A3 (100 + 0 + 100)/3 = 200/3; A4 (0 + 50 + 100)/3 = 50 → rank 1, 1, 3, 4.
    let b = ranked();
    for (agent, composite, rank, d5, d6) in [
        ("A1", 260.0 / 3.0, 1.0, 2.0, 1.0),
        ("A2", 260.0 / 3.0, 1.0, 2.0, 1.0),
        ("A3", 200.0 / 3.0, 3.0, 1.0, 4.0),
        ("A4", 50.0, 4.0, 4.0, 3.0),
    ] {
        let r = row_of(b, "agent", agent);
        expect(&r, "composite", Some(composite));
        expect(&r, "rank", Some(rank));
        expect(&r, "rank_d5", Some(d5));
        expect(&r, "rank_d6", Some(d6));
        expect(&r, "rank_d7", Some(1.0));
        for c in ["rank_d1", "rank_d2", "rank_d3", "rank_d4"] {
            expect(&r, c, None);
        }
    }
    // A non-peer has indicators but no rank.
    let a5 = row_of(b, "agent", "A5");
    expect(&a5, "d6_exam_score", Some(100.0));
    for c in ["rank_d5", "rank_d6", "rank_d7"] {
        expect(&a5, c, None);
    }
    // C2 ranks its only peer apart from C1's.
    let a6 = row_of(b, "agent", "A6");
    expect(&a6, "rank", Some(1.0));
    expect(&a6, "rank_d5", Some(1.0));
    expect(&a6, "rank_d6", None);
    // The first fixture: D1 2·A1 over A2 → ranks 1, 2; D5 ascending: A1 125/6 < A2 355/6
    // → A1 1; D4 A2 is a peer with a NULL value → no rank, A1 alone 1; A3 no peer.
    let a1 = row("agent", "A1");
    let a2 = row("agent", "A2");
    expect(&a1, "rank_d1", Some(1.0));
    expect(&a2, "rank_d1", Some(2.0));
    expect(&a1, "rank_d5", Some(1.0));
    expect(&a2, "rank_d5", Some(2.0));
    expect(&a2, "rank_d3", Some(1.0));
    expect(&a1, "rank_d4", Some(1.0));
    expect(&a2, "rank_d4", None);
    expect(&row("agent", "A3"), "rank_d1", None);
}

#[test]
fn extremes_are_the_two_ends_of_the_ranked_peers() {
    // d_extremes_n 2; order = rank, then agent_id; bottom reads it from the end. Ranks and
    // scores as in tied_ranks_per_indicator_and_composite.
    // C1 D5: order A3 (1), A1 (2), A2 (2), A4 (4): top A3, A1 — A1 and A2 tie across the cut,
    //   the smaller agent_id stays; bottom A4, A2 — the larger stays.
    // C1 D6: order A1 (1), A2 (1), A4 (3), A3 (4): top A1, A2; bottom A3, A4.
    // C1 D7: all rank 1 (value 0, score 100): top A1, A2; bottom A4, A3.
    // C2 has one peer (< 2 × 2): A6 is both top 1 and bottom 1 of D5 (value 0) and D7; it has
    // no exam, so no D6 rows. D1–D4 are NULL for everyone: no rows.
    let rows = ranked().scratch.rows(
        "SELECT center_id, indicator, side, position, agent_id, team_id, rank, value, score, \
         is_final \
         FROM marts_agent_extremes_monthly WHERE month = DATE '2026-11-01' \
         ORDER BY center_id, indicator, side DESC, position",
    );
    let expected = [
        ("C1", "D5", "top", "1", "A3", "1", 0.0, 100.0),
        ("C1", "D5", "top", "2", "A1", "2", 50.0, 60.0),
        ("C1", "D5", "bottom", "1", "A4", "4", 125.0, 0.0),
        ("C1", "D5", "bottom", "2", "A2", "2", 50.0, 60.0),
        ("C1", "D6", "top", "1", "A1", "1", 90.0, 100.0),
        ("C1", "D6", "top", "2", "A2", "1", 90.0, 100.0),
        ("C1", "D6", "bottom", "1", "A3", "4", 70.0, 0.0),
        ("C1", "D6", "bottom", "2", "A4", "3", 80.0, 50.0),
        ("C1", "D7", "top", "1", "A1", "1", 0.0, 100.0),
        ("C1", "D7", "top", "2", "A2", "1", 0.0, 100.0),
        ("C1", "D7", "bottom", "1", "A4", "1", 0.0, 100.0),
        ("C1", "D7", "bottom", "2", "A3", "1", 0.0, 100.0),
        ("C2", "D5", "top", "1", "A6", "1", 0.0, 100.0),
        ("C2", "D5", "bottom", "1", "A6", "1", 0.0, 100.0),
        ("C2", "D7", "top", "1", "A6", "1", 0.0, 100.0),
        ("C2", "D7", "bottom", "1", "A6", "1", 0.0, 100.0),
    ];
    assert_eq!(rows.len(), expected.len(), "{rows:#?}");
    for (r, (center, indicator, side, position, agent, rank, value, score)) in rows.iter().zip(expected) {
        let team = if center == "C1" { "T1" } else { "T2" };
        let text = [center, indicator, side, position, agent, team, rank];
        assert_eq!(r[..7], text, "{r:?}");
        assert_close(&r[7], value);
        assert_close(&r[8], score);
        // The fixture's month is not over: not final, as in the performance mart.
        assert_eq!(r[9], "false", "{r:?}");
    }
}

/// Night fixture: legs answered at 23:00 (night d = [d 22:00, d+1 06:00)), one per entry.
fn night_legs(f: &mut Fixture, nights: &[(&str, &str, u32)]) {
    let mut n = 0;
    for (date, agent, legs) in nights {
        let lines: Vec<String> = (0..*legs)
            .map(|i| {
                n += 1;
                answered_leg(&format!("N{n}"), agent, "S1", &format!("{date} 23:{:02}:00", i * 5), 60)
            })
            .collect();
        f.add_at(
            "hotline/agent_legs",
            date,
            &lines.iter().map(String::as_str).collect::<Vec<_>>(),
        );
    }
}

/// A warehouse of 3 nights, default parameters (night_baseline_days 28, night_baseline_min_nights
/// 7, night_surge_factor 2). A2 answers 1 leg each night; A3 1, 1, then 3.
fn nights_new_warehouse() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        night_legs(
            &mut f,
            &[
                ("2026-11-15", "A2", 1),
                ("2026-11-15", "A3", 1),
                ("2026-11-16", "A2", 1),
                ("2026-11-16", "A3", 1),
                ("2026-11-17", "A2", 1),
                ("2026-11-17", "A3", 3),
            ],
        );
        f.build()
    })
}

#[test]
fn night_surge_needs_enough_nights_with_data() {
    // Night 16 has 1 previous night with data (15), night 17 has 2 (15, 16): both < 7, so
    // nothing flags — not A2's steady traffic (before: mean 1/28 over 28 nights, 1 > 2/28
    // flagged night 16) and not A3's 3 legs on night 17 (mean 1, 3 > 2 × 1).
    for agent in ["A2", "A3"] {
        expect_text(&row_of(nights_new_warehouse(), "agent", agent), "night_surge", "false");
    }
}

/// Nights 12–16, night_baseline_days 4, night_baseline_min_nights 3, night_surge_factor 2
/// (legs per night; "–": the warehouse has no answered leg that night):
/// | night | 12 | 13 | 14 | 15 | 16 |
/// |-------|----|----|----|----|----|
/// | A2    | 1  | –  | 1  | 1  | 2  |
/// | A3    | 1  | –  | 0  | 1  | 2  |
fn nights_with_gaps() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        night_legs(
            &mut f,
            &[
                ("2026-11-12", "A2", 1),
                ("2026-11-12", "A3", 1),
                ("2026-11-14", "A2", 1),
                ("2026-11-15", "A2", 1),
                ("2026-11-15", "A3", 1),
                ("2026-11-16", "A2", 2),
                ("2026-11-16", "A3", 2),
            ],
        );
        f.params.night_baseline_days = 4;
        f.params.night_baseline_min_nights = 3;
        f.build()
    })
}

#[test]
fn night_surge_baseline_counts_only_nights_with_data() {
    // Night 16's baseline nights are 12–15; 13 has no data and is left out: 3 nights (≥ 3).
    // A2: (1 + 1 + 1)/3 = 1; 2 > 2 × 1? no. (Were 13 counted as 0: 3/4, 2 > 1.5 would flag.)
    // Nights 14 and 15 have 1 and 2 nights with data (< 3): no flag (before: night 14's mean
    // 1/4 over 4 nights, 1 > 0.5 flagged).
    expect_text(&row_of(nights_with_gaps(), "agent", "A2"), "night_surge", "false");
    // A3: night 14 has data (A2's leg), so it counts as 0: (1 + 0 + 1)/3 = 2/3; 2 > 2 × 2/3
    // → flagged. (Without night 14 it would have 2 nights < 3 and not flag.)
    expect_text(&row_of(nights_with_gaps(), "agent", "A3"), "night_surge", "true");
}
