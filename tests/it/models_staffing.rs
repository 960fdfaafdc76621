//! E3 staffing on one hand-made day in skill group S1 (agents A1 and A3, primary S1).
//!
//! Legs (all `ivr`, handling = talk 150 + hold 0 + acw 30 = 180 s when answered):
//! - 10:00–10:29: 100 answered legs (the published Erlang C example: a = 100 × 180 / 1800 = 10)
//! - 11:00: 1 answered leg; 11:30: 1 abandoned leg (no AHT in that interval → the day's:
//!   (101 × 180) / 101 = 180)
//!
//! States: A1 READY 10:00–10:30, TALK 11:00–11:30; A3 READY 10:00–10:15, TALK 11:00–11:30.
//! Logged in: 10:00 → 1800 + 900 = 2700 s = 1.5 agents; 11:00 → 3600 s = 2 agents.
//! Shifts: A1 09:00–17:00, meal 12:00 + 60 min → 25200 s; A3 09:00–13:00, no meal → 14400 s.

use std::sync::OnceLock;

use crate::fixture::{Built, Fixture, assert_close, t};

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        let mut legs: Vec<String> = (0..100)
            .map(|i| {
                let q = t(&format!("10:{:02}:{:02}", i / 4, (i % 4) * 10));
                format!("L{i},K{i},1,ivr,S1,{q},{q},{q},A1,150,0,30,0,customer")
            })
            .collect();
        legs.push(format!(
            "LX,KX,1,ivr,S1,{},{},{},A1,150,0,30,0,customer",
            t("11:00:00"),
            t("11:00:05"),
            t("11:03:05")
        ));
        legs.push(format!(
            "LY,KY,1,ivr,S1,{},,{},,0,0,0,0,customer",
            t("11:30:00"),
            t("11:31:00")
        ));
        f.add_lines("hotline/agent_legs", &legs);
        let states = [
            format!("A1,READY,,{},{}", t("10:00:00"), t("10:30:00")),
            format!("A1,TALK,,{},{}", t("11:00:00"), t("11:30:00")),
            format!("A3,READY,,{},{}", t("10:00:00"), t("10:15:00")),
            format!("A3,TALK,,{},{}", t("11:00:00"), t("11:30:00")),
        ];
        f.add_lines("hotline/agent_states", &states);
        let shifts = [
            format!("A1,2026-11-16,{},{},{},60", t("09:00:00"), t("17:00:00"), t("12:00:00")),
            format!("A3,2026-11-16,{},{},,0", t("09:00:00"), t("13:00:00")),
        ];
        f.add_lines("hr/schedules", &shifts);
        f.build()
    })
}

fn interval(at: &str) -> Vec<String> {
    let rows = built().scratch.rows(&format!(
        "SELECT calls, aht_s, aht_source, traffic_erlangs, required_agents, staffed_agents, over_under, \
         expected_service_level, expected_asa_s FROM marts_staffing_interval \
         WHERE skill_group = 'S1' AND interval_start = TIMESTAMP '{}'",
        t(at)
    ));
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows[0].clone()
}

#[test]
fn interval_with_the_published_example_traffic() {
    // a = 100 × 180 / 1800 = 10 Erlangs; target 0.86 in 20 s: 14 agents give 88.84 % (13 give
    // 79.56 %) → 14. Staffed 1.5 → over_under 1.5 − 14 = −12.5. One whole server for 10
    // Erlangs is an unstable queue: expected service level 0, ASA unbounded (NULL).
    let r = interval("10:00:00");
    assert_eq!(r[0], "100");
    assert_close(&r[1], 180.0);
    assert_eq!(r[2], "interval");
    assert_close(&r[3], 10.0);
    assert_eq!(r[4], "14");
    assert_close(&r[5], 1.5);
    assert_close(&r[6], -12.5);
    assert_close(&r[7], 0.0);
    assert_eq!(r[8], "NULL");
}

#[test]
fn interval_with_light_traffic_and_two_agents() {
    // a = 1 × 180 / 1800 = 0.1. N = 1: P = a = 0.1, SL = 1 − 0.1·e^(−0.9·20/180) = 0.90952 ≥ 0.86
    // → required 1. Staffed 2: Σ_{k<2} = 1 + 0.1 = 1.1, b = 0.01/2 × 2/1.9 = 0.0052632,
    // P = b/(1.1 + b) = 1/210; SL = 1 − (1/210)·e^(−1.9·20/180) = 0.9961444;
    // ASA = (1/210) × 180 / 1.9 = 0.4511278 s. over_under = 2 − 1 = 1.
    let r = interval("11:00:00");
    assert_close(&r[3], 0.1);
    assert_eq!(r[4], "1");
    assert_close(&r[5], 2.0);
    assert_close(&r[6], 1.0);
    assert_close(&r[7], 1.0 - (1.0 / 210.0) * (-1.9f64 * 20.0 / 180.0).exp());
    assert_close(&r[8], (1.0 / 210.0) * 180.0 / 1.9);
}

#[test]
fn interval_without_answered_legs_takes_the_day_aht() {
    // 1 abandoned call, no answered leg: AHT = the day's C6 of S1 = 101 × 180 / 101 = 180,
    // a = 0.1 → 1 required; nobody logged in: staffed 0, over_under −1, service level 0.
    let r = interval("11:30:00");
    assert_eq!(r[0], "1");
    assert_close(&r[1], 180.0);
    assert_eq!(r[2], "day");
    assert_eq!(r[4], "1");
    assert_close(&r[5], 0.0);
    assert_close(&r[6], -1.0);
    assert_close(&r[7], 0.0);
}

#[test]
fn daily_planning_identity() {
    // calls 102, answer_rate 101/102, service_share 1, AHT 180 → service workload
    // 102 × 101/102 × 180 / 3600 = 5.05 h; no offers → marketing workload 0.
    // online_utilization = TALK 3600 / logged-in 6300 = 4/7; attendance 2/2 = 1;
    // scheduled_hours = (25200 + 14400) / 3600 / 2 = 5.5; redundancy_loss 0.9.
    // required = 5.05 / (4/7 × 1 × 5.5 × 0.9) = 35.35 / 19.8 = 1.7853535…; gap = 2 − that.
    let rows = built().scratch.rows(
        "SELECT calls, answer_rate, service_aht_s, online_utilization, attendance, scheduled_hours, \
         workload_hours, required_agents, scheduled_agent_days, gap_agents \
         FROM marts_staffing_daily WHERE skill_group = 'S1'",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r[0], "102");
    assert_close(&r[1], 101.0 / 102.0);
    assert_close(&r[2], 180.0);
    assert_close(&r[3], 4.0 / 7.0);
    assert_close(&r[4], 1.0);
    assert_close(&r[5], 5.5);
    assert_close(&r[6], 5.05);
    assert_close(&r[7], 35.35 / 19.8);
    assert_eq!(r[8], "2");
    assert_close(&r[9], 2.0 - 35.35 / 19.8);
}
