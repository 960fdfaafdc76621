//! The added metrics of metrics.md F (F1–F8) on a hand-made center, days 2026-11-16 … 19.
//!
//! IVR calls on 2026-11-16 (all center C1):
//!
//! | call | city/brand   | ivr_start | outcome       |
//! |------|--------------|-----------|---------------|
//! | K1   | 571 gotone   | 09:00:00  | agent_request |
//! | K2   | 571 gotone   | 09:10:00  | agent_request |
//! | K3   | 572 mzone    | 09:20:00  | hangup        |
//! | K4   | 572 mzone    | 09:30:00  | self_service  |
//! | K5   | 571 gotone   | 09:40:00  | hangup        |
//!
//! Legs: L1 (K1, ivr, S1, A1) queued 09:00:30 answered 09:00:50 and transferred to L2 (K1,
//! transfer, S2, A2) answered 09:05:10; L3 (K2, ivr, S1, A1) answered 09:12:00. Answered legs
//! L1 L2 L3 = 3 (A1: 2, A2: 1); answered requests L1 L3.
//!
//! A self-service call K6 on 11-19 makes it a date with data.
//!
//! QA inspections by inspected_at: Q1 of L1 (A1) and Q2 of L2 (A2) on 11-16; Q3 of L3 (A1) on 11-18.
//!
//! Agent states on 11-16: A1 (primary S1) READY 1800, NOT_READY break 600, TALK 1200, NOT_READY
//! meal 1800, training 1200, other 300 → logged-in 6900; A2 (primary S2) READY 3600, NOT_READY
//! meeting 1800, break 600 → 6000. Center: 12900.
//!
//! Work orders (K1's last answered leg is L2: S2; K2's is L3: S1), wo_due_hours = 48:
//!
//! | wo | call | city | accepted    | closed (delivered)       | open at the end of   | overdue from |
//! |----|------|------|-------------|--------------------------|----------------------|--------------|
//! | W1 | K1   | 571  | 11-16 10:00 | 11-16 18:00 (same)       | never                | –            |
//! | W2 | K1   | 571  | 11-16 20:00 | 11-18 21:00 (on 11-18)   | 16, 17               | 11-18: closed that day, never |
//! | W3 | K2   | 572  | 11-16 23:00 | –                        | 16, 17, 18, 19       | 11-18 (23:00 < midnight) |
//! | W4 | K2   | 571  | 11-17 09:00 | 11-19 10:00 (on 11-19)   | 17, 18               | 11-19: closed that day, never |
//! | W5 | K1   | 571  | 11-17 00:00 | –                        | 17, 18, 19           | 11-19 (48 h exactly at the end of 11-18: not older) |

use std::sync::OnceLock;

use crate::fixture::{Built, DAY, Fixture, assert_count, assert_ratio, t};

fn center(f: &mut Fixture) {
    let call = |id: &str, n: u32, city: &str, brand: &str, at: &str, outcome: &str| {
        format!("{id},C1,139000000{n:02},{city},{brand},{},{},{outcome},", t(at), t(at))
    };
    f.add_lines(
        "hotline/ivr_calls",
        &[
            call("K1", 1, "571", "gotone", "09:00:00", "agent_request"),
            call("K2", 2, "571", "gotone", "09:10:00", "agent_request"),
            call("K3", 3, "572", "mzone", "09:20:00", "hangup"),
            call("K4", 4, "572", "mzone", "09:30:00", "self_service"),
            call("K5", 5, "571", "gotone", "09:40:00", "hangup"),
        ],
    );
    let leg = |id: &str, call: &str, seq: u32, origin: &str, sg: &str, q: &str, a: &str, e: &str, agent: &str| {
        format!(
            "{id},{call},{seq},{origin},{sg},{},{},{},{agent},120,0,20,0,customer",
            t(q),
            t(a),
            t(e)
        )
    };
    f.add_lines(
        "hotline/agent_legs",
        &[
            leg("L1", "K1", 1, "ivr", "S1", "09:00:30", "09:00:50", "09:05:00", "A1"),
            leg(
                "L2", "K1", 2, "transfer", "S2", "09:05:00", "09:05:10", "09:08:00", "A2",
            ),
            leg("L3", "K2", 1, "ivr", "S1", "09:11:00", "09:12:00", "09:15:00", "A1"),
        ],
    );
    f.add_lines(
        "hr/qa_inspections",
        &[
            format!("Q1,L1,A1,{},90", t("15:00:00")),
            format!("Q2,L2,A2,{},80", t("16:00:00")),
        ],
    );
    f.add_at("hr/qa_inspections", "2026-11-18", &["Q3,L3,A1,2026-11-18 10:00:00,85"]);
    let state =
        |a: &str, s: &str, reason: &str, from: &str, to: &str| format!("{a},{s},{reason},{},{}", t(from), t(to));
    f.add_lines(
        "hotline/agent_states",
        &[
            state("A1", "READY", "", "09:00:00", "09:30:00"),
            state("A1", "NOT_READY", "break", "09:30:00", "09:40:00"),
            state("A1", "TALK", "", "09:40:00", "10:00:00"),
            state("A1", "NOT_READY", "meal", "12:00:00", "12:30:00"),
            state("A1", "NOT_READY", "training", "14:00:00", "14:20:00"),
            state("A1", "NOT_READY", "other", "15:00:00", "15:05:00"),
            state("A2", "READY", "", "09:00:00", "10:00:00"),
            state("A2", "NOT_READY", "meeting", "10:00:00", "10:30:00"),
            state("A2", "NOT_READY", "break", "10:30:00", "10:40:00"),
        ],
    );
    let wo = |id: &str, call: &str, n: u32, city: &str, brand: &str, ty: &str, accepted: &str, closed: &str| {
        let status = if closed.is_empty() { "open" } else { "closed" };
        let refund = if ty == "refund" { "10.00" } else { "" };
        format!(
            "{id},{call},139000000{n:02},{city},{brand},{ty},CAT1,0,0,none,{accepted},{closed},,{status},{refund},,"
        )
    };
    f.add_lines(
        "crm/work_orders",
        &[
            wo(
                "W1",
                "K1",
                1,
                "571",
                "gotone",
                "complaint",
                &t("10:00:00"),
                &t("18:00:00"),
            ),
            wo("W2", "K1", 1, "571", "gotone", "complaint", &t("20:00:00"), ""),
            wo("W3", "K2", 2, "572", "mzone", "suggestion", &t("23:00:00"), ""),
        ],
    );
    let next = [
        wo("W4", "K2", 2, "571", "gotone", "refund", "2026-11-17 09:00:00", ""),
        wo("W5", "K1", 1, "571", "gotone", "complaint", "2026-11-17 00:00:00", ""),
    ];
    f.add_at("crm/work_orders", "2026-11-17", &[next[0].as_str(), next[1].as_str()]);
    let w2_closed = wo(
        "W2",
        "K1",
        1,
        "571",
        "gotone",
        "complaint",
        &t("20:00:00"),
        "2026-11-18 21:00:00",
    );
    f.add_at("crm/work_orders", "2026-11-18", &[w2_closed.as_str()]);
    let w4_closed = wo(
        "W4",
        "K2",
        2,
        "571",
        "gotone",
        "refund",
        "2026-11-17 09:00:00",
        "2026-11-19 10:00:00",
    );
    f.add_at("crm/work_orders", "2026-11-19", &[w4_closed.as_str()]);
    // A call on 11-19 makes it a date with data (a stock is kept for dates with data).
    f.add_at(
        "hotline/ivr_calls",
        "2026-11-19",
        &["K6,C1,13900000006,571,gotone,2026-11-19 09:00:00,2026-11-19 09:01:00,self_service,"],
    );
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        center(&mut f);
        f.build()
    })
}

#[test]
fn f1_answered_legs() {
    // L1 L2 L3 = 3; A1 answered L1 L3, A2 L2; team T1 all three.
    assert_count(&built().day("F1"), "3");
    assert_count(&built().metric("F1", "day", "agent", DAY, "A1"), "2");
    assert_count(&built().metric("F1", "day", "agent", DAY, "A2"), "1");
    assert_count(&built().metric("F1", "day", "team", DAY, "T1"), "3");
    assert_count(&built().metric("F1", "day", "skill_group", DAY, "S2"), "1");
}

#[test]
fn f2_qa_sampling_rate() {
    // 11-16: Q1 Q2 / L1 L2 L3 = 2 / 3; A1: Q1 / L1 L3 = 1 / 2; A2: Q2 / L2 = 1 / 1.
    assert_ratio(&built().day("F2"), "2", "3", 2.0 / 3.0);
    assert_ratio(&built().metric("F2", "day", "agent", DAY, "A1"), "1", "2", 0.5);
    assert_ratio(&built().metric("F2", "day", "agent", DAY, "A2"), "1", "1", 1.0);
    // The month: Q1 Q2 Q3 / 3 legs; A1: Q1 Q3 / L1 L3; S1 (L1, L3 inspected by Q1, Q3) 2 / 2.
    assert_ratio(&built().metric("F2", "month", "center", "2026-11", "C1"), "3", "3", 1.0);
    assert_ratio(&built().metric("F2", "month", "agent", "2026-11", "A1"), "2", "2", 1.0);
    assert_ratio(
        &built().metric("F2", "month", "skill_group", "2026-11", "S1"),
        "2",
        "2",
        1.0,
    );
    // 11-18: Q3 and no answered leg: division by zero gives NULL.
    let q3 = built().metric("F2", "day", "center", "2026-11-18", "C1");
    assert_eq!((q3.n.as_deref(), q3.value.as_deref()), (Some("1"), None), "{q3:?}");
}

#[test]
fn f3_time_to_agent() {
    // L1: 09:00:50 − K1's 09:00:00 = 50 s; L3: 09:12:00 − K2's 09:10:00 = 120 s. L2 is a
    // transfer leg, not a request. (50 + 120) / 2 = 85 s.
    assert_ratio(&built().day("F3"), "170", "2", 85.0);
    assert_ratio(&built().metric("F3", "day", "city", DAY, "571"), "170", "2", 85.0);
    assert_ratio(&built().metric("F3", "day", "skill_group", DAY, "S1"), "170", "2", 85.0);
}

#[test]
fn f4_ivr_hangup_rate() {
    // K3, K5 hang up of K1–K5: 2 / 5; city 571 (K1 K2 K5): 1 / 3; 572 (K3 K4): 1 / 2.
    assert_ratio(&built().day("F4"), "2", "5", 0.4);
    assert_ratio(&built().metric("F4", "day", "city", DAY, "571"), "1", "3", 1.0 / 3.0);
    assert_ratio(&built().metric("F4", "day", "brand", DAY, "mzone"), "1", "2", 0.5);
}

#[test]
fn f5_not_ready_reason_shares() {
    // Center: logged-in 6900 + 6000 = 12900. break: A1 600 + A2 600 = 1200; meal 1800;
    // training 1200; meeting 1800; other 300.
    assert_ratio(&built().day("F5_break"), "1200", "12900", 1200.0 / 12900.0);
    assert_ratio(&built().day("F5_meal"), "1800", "12900", 1800.0 / 12900.0);
    assert_ratio(&built().day("F5_training"), "1200", "12900", 1200.0 / 12900.0);
    assert_ratio(&built().day("F5_meeting"), "1800", "12900", 1800.0 / 12900.0);
    assert_ratio(&built().day("F5_other"), "300", "12900", 300.0 / 12900.0);
    // A2: break 600 / 6000; its primary skill group S2 the same; A1: meal 1800 / 6900.
    assert_ratio(
        &built().metric("F5_break", "day", "agent", DAY, "A2"),
        "600",
        "6000",
        0.1,
    );
    assert_ratio(
        &built().metric("F5_break", "day", "skill_group", DAY, "S2"),
        "600",
        "6000",
        0.1,
    );
    assert_ratio(
        &built().metric("F5_meal", "day", "agent", DAY, "A1"),
        "1800",
        "6900",
        1800.0 / 6900.0,
    );
}

#[test]
fn f6_backlog_is_a_stock() {
    let b = built();
    let open = |period: &str| b.metric("F6", "day", "center", period, "C1");
    // End of 11-16: W2 W3 (W1 closed the same day); 11-17: W2–W5; 11-18: W2 closed → W3 W4 W5;
    // 11-19: W4 closed → W3 W5.
    assert_count(&open("2026-11-16"), "2");
    assert_count(&open("2026-11-17"), "4");
    assert_count(&open("2026-11-18"), "3");
    assert_count(&open("2026-11-19"), "2");
    // 11-18 by city: 571 W4 W5 = 2, 572 W3 = 1; 11-19 by skill group: S1 W3, S2 W5.
    assert_count(&b.metric("F6", "day", "city", "2026-11-18", "571"), "2");
    assert_count(&b.metric("F6", "day", "city", "2026-11-18", "572"), "1");
    assert_count(&b.metric("F6", "day", "skill_group", "2026-11-19", "S2"), "1");
    // A week and a month take their last date (11-19), not the sum 2 + 4 + 3 + 2 = 11.
    assert_count(&b.metric("F6", "week", "center", "2026-W47", "C1"), "2");
    assert_count(&b.metric("F6", "month", "center", "2026-11", "C1"), "2");
    // A stock has no hour.
    assert!(b.metric_rows("F6", "hour", "center").is_err());
}

#[test]
fn f7_time_to_close() {
    let b = built();
    // By closed date: 11-16 W1 8 h; 11-18 W2 49 h; 11-19 W4 49 h.
    assert_ratio(&b.day("F7"), "8", "1", 8.0);
    assert_ratio(&b.metric("F7", "day", "center", "2026-11-19", "C1"), "49", "1", 49.0);
    // The month: (8 + 49 + 49) / 3; S2 (W1, W2): 57 / 2.
    assert_ratio(
        &b.metric("F7", "month", "center", "2026-11", "C1"),
        "106",
        "3",
        106.0 / 3.0,
    );
    assert_ratio(
        &b.metric("F7", "month", "skill_group", "2026-11", "S2"),
        "57",
        "2",
        28.5,
    );
}

#[test]
fn f8_overdue_work_orders_at_the_boundary() {
    let b = built();
    let overdue = |period: &str| {
        b.metric_rows("F8", "day", "center")
            .unwrap()
            .into_iter()
            .find(|r| r.period == period)
    };
    // 11-16, 11-17: nothing open for 48 h (F8 has no row where nothing is overdue).
    for d in ["2026-11-16", "2026-11-17"] {
        assert!(overdue(d).is_none_or(|r| r.value.as_deref() == Some("0")), "{d}");
    }
    // 11-18: W3 (accepted 11-16 23:00, due 11-18 23:00 < midnight). W2 was due the same day
    // but closed that day; W5 is exactly 48 h old at midnight: not older.
    assert_count(&b.metric("F8", "day", "center", "2026-11-18", "C1"), "1");
    // 11-19: W3 and W5; W4 closed on its due date.
    assert_count(&b.metric("F8", "day", "center", "2026-11-19", "C1"), "2");
    assert_count(&b.metric("F8", "month", "center", "2026-11", "C1"), "2");
}

/// wo_due_hours = 24: W2 is due 11-17 20:00 and still open at the end of 11-17.
#[test]
fn f8_follows_wo_due_hours() {
    let mut f = Fixture::new();
    center(&mut f);
    f.params.wo_due_hours = 24;
    let b = f.build();
    // End of 11-17 with a 24 h limit: W2 (due 11-17 20:00), W3 (due 11-17 23:00); W5 due
    // 11-18 00:00 exactly: not older. 2.
    assert_count(&b.metric("F8", "day", "center", "2026-11-17", "C1"), "2");
}

/// The scorecard per quarter (metrics.md F: points on the period's value). Center C1, one
/// request on 2026-10-15 answered after 10 s, three on 2026-11-16 of which one answered after
/// 10 s and two abandoned (talk 5 s: no effective call, so no A5).
///
/// | period  | A1 = A2 (wait ≤ 20 s) | points |
/// |---------|-----------------------|--------|
/// | 2026-10 | 1 / 1 = 100 %         | 5      |
/// | 2026-11 | 1 / 3 = 33.3 %        | 2      |
/// | 2026-Q4 | 2 / 4 = 50 %          | 2 (not the mean of the months' 5 and 2) |
///
/// Q4 also scores A6 (0 defects / 2 answered = 0 % ≤ 0.2: 5), A10 (0 complaints: 5) and A13
/// (no leaver among 3 agents: 0 % ≤ 5: 5); A3, A5, A8, A9, A11 and A12 have no value.
/// Weighted total (weights 1): (2 + 2 + 5 + 5 + 5) / 5 = 3.8.
#[test]
fn the_quarter_scorecard_scores_the_quarters_value() {
    let mut f = Fixture::new();
    let oct = "2026-10-15";
    f.add_at(
        "hotline/skill_groups",
        oct,
        &["S1,C1,普通技能组,,", "S2,C1,VIP技能组,vip,"],
    );
    f.add_at("hr/teams", oct, &["T1,C1,一组,SITE1,"]);
    f.add_at(
        "hr/agents",
        oct,
        &[
            "A1,张三,T1,SITE1,2025-01-01,,S1,S1,agent",
            "A2,李四,T1,SITE1,2025-01-01,,S1|S2,S2,agent",
            "A3,王五,T1,SITE1,2025-01-01,,S1,S1,agent",
        ],
    );
    f.add_at(
        "hotline/ivr_calls",
        oct,
        &["KO,C1,13900000011,571,gotone,2026-10-15 10:00:00,2026-10-15 10:00:10,agent_request,"],
    );
    f.add_at(
        "hotline/agent_legs",
        oct,
        &["LO,KO,1,ivr,S1,2026-10-15 10:00:10,2026-10-15 10:00:20,2026-10-15 10:01:00,A1,5,0,10,0,customer"],
    );
    let call = |id: &str, n: u32| {
        format!(
            "{id},C1,139000000{n:02},571,gotone,{},{},agent_request,",
            t("09:00:00"),
            t("09:00:10")
        )
    };
    f.add_lines(
        "hotline/ivr_calls",
        &[call("KN1", 21), call("KN2", 22), call("KN3", 23)],
    );
    f.add_lines(
        "hotline/agent_legs",
        &[
            format!(
                "LN1,KN1,1,ivr,S1,{},{},{},A1,5,0,10,0,customer",
                t("09:00:10"),
                t("09:00:20"),
                t("09:01:00")
            ),
            format!(
                "LN2,KN2,1,ivr,S1,{},,{},,0,0,0,0,customer",
                t("09:00:10"),
                t("09:01:10")
            ),
            format!(
                "LN3,KN3,1,ivr,S1,{},,{},,0,0,0,0,customer",
                t("09:00:10"),
                t("09:00:40")
            ),
        ],
    );
    let b = f.build_with_marts();
    let card = |table: &str, column: &str, period: &str| {
        b.scratch.rows(&format!(
            "select a1_points, a2_points, a6_points, a10_points, a13_points, weighted_total, kpis_missing \
             from {table} where dimension = 'center' and member = 'C1' and {column} = '{period}'"
        ))
    };
    let q4 = card("marts_scorecard_quarterly", "quarter", "2026-Q4");
    assert_eq!(q4.len(), 1, "{q4:?}");
    assert_eq!(q4[0][..5], ["2", "2", "5", "5", "5"], "{q4:?}");
    crate::fixture::assert_close(&q4[0][5], 3.8);
    assert_eq!(q4[0][6], "A3,A5,A8,A9,A11,A12");
    assert_eq!(card("marts_scorecard_monthly", "month", "2026-10")[0][0], "5");
    assert_eq!(card("marts_scorecard_monthly", "month", "2026-11")[0][0], "2");
    // The year holds the same two months: the same value and points.
    let y = card("marts_scorecard_yearly", "year", "2026");
    assert_eq!(y[0][..2], ["2", "2"], "{y:?}");
}

/// Trend columns (metrics.md F) across a month, quarter and year boundary. A1 of center C1:
///
/// | date       | requests | answered | month value |
/// |------------|----------|----------|-------------|
/// | 2025-11-16 | 1        | 1        | 1           |
/// | 2025-12-15 | 2        | 1        | 0.5         |
/// | 2026-01-15 | 4        | 3        | 0.75        |
/// | 2026-11-16 | 2        | 1        | 0.5         |
///
/// Months: 2025-12 prev 1 (change −0.5); 2026-01 prev 0.5 (December, across the year
/// boundary; change 0.25), no 2025-01 for yoy; 2026-11 has no 2026-10 (prev NULL) and yoy
/// 2025-11 = 1. Quarters: 2025-Q4 = 2/3, 2026-Q1 = 3/4 (prev 2/3, change 1/12), 2026-Q4 = 1/2
/// (yoy 2/3). Years: 2025 = 2/3, 2026 = (3 + 1) / (4 + 2) = 2/3 (prev and yoy 2/3, change 0).
#[test]
fn trends_compare_with_the_previous_period_and_a_year_earlier() {
    let mut f = Fixture::new();
    let first = "2025-11-16";
    f.add_at("hotline/skill_groups", first, &["S1,C1,普通技能组,,"]);
    f.add_at("hr/teams", first, &["T1,C1,一组,SITE1,"]);
    f.add_at("hr/agents", first, &["A1,张三,T1,SITE1,2025-01-01,,S1,S1,agent"]);
    let mut n = 30;
    for (day, requests, answered) in [(first, 1, 1), ("2025-12-15", 2, 1), ("2026-01-15", 4, 3), (DAY, 2, 1)] {
        let mut calls = Vec::new();
        let mut legs = Vec::new();
        for i in 0..requests {
            n += 1;
            calls.push(format!(
                "K{n},C1,139000000{n:02},571,gotone,{day} 09:00:00,{day} 09:00:10,agent_request,"
            ));
            legs.push(match i < answered {
                true => format!("L{n},K{n},1,ivr,S1,{day} 09:00:10,{day} 09:00:20,{day} 09:01:00,A1,5,0,10,0,customer"),
                false => format!("L{n},K{n},1,ivr,S1,{day} 09:00:10,,{day} 09:01:10,,0,0,0,0,customer"),
            });
        }
        let calls: Vec<&str> = calls.iter().map(String::as_str).collect();
        let legs: Vec<&str> = legs.iter().map(String::as_str).collect();
        f.add_at("hotline/ivr_calls", day, &calls);
        f.add_at("hotline/agent_legs", day, &legs);
    }
    let b = f.build_with_marts();
    let trend = |grain: &str, period: &str| -> Vec<String> {
        let rows = b.scratch.rows(&format!(
            "select value, value_prev, value_yoy, change_prev from marts_metrics_{grain} \
             where metric_id = 'A1' and dimension = 'center' and member = 'C1' and period = '{period}'"
        ));
        assert_eq!(rows.len(), 1, "{grain} {period}: {rows:?}");
        rows.into_iter().next().unwrap()
    };
    let check = |grain: &str, period: &str, want: [Option<f64>; 4]| {
        let got = trend(grain, period);
        for (g, w) in got.iter().zip(want) {
            match w {
                None => assert!(g.is_empty() || g == "NULL", "{grain} {period}: {got:?}"),
                Some(w) => crate::fixture::assert_close(g, w),
            }
        }
    };
    check("month", "2025-12", [Some(0.5), Some(1.0), None, Some(-0.5)]);
    check("month", "2026-01", [Some(0.75), Some(0.5), None, Some(0.25)]);
    check("month", "2026-11", [Some(0.5), None, Some(1.0), None]);
    check(
        "quarter",
        "2026-Q1",
        [Some(0.75), Some(2.0 / 3.0), None, Some(0.75 - 2.0 / 3.0)],
    );
    check("quarter", "2026-Q4", [Some(0.5), None, Some(2.0 / 3.0), None]);
    check(
        "year",
        "2026",
        [Some(2.0 / 3.0), Some(2.0 / 3.0), Some(2.0 / 3.0), Some(0.0)],
    );
}
