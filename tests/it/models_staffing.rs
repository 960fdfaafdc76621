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
//!
//! A second day ([`mixed`]) has a skill group that only receives transfers, agents with
//! NOT_READY time and offers with pitch seconds.

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
         service_level_staffed, asa_staffed_s FROM marts_staffing_interval \
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

#[test]
fn interval_required_side_of_the_published_example() {
    // 10:00 above: a = 10, N = 14. Published Erlang C for 14 agents: P(wait) 0.1741,
    // SL 88.84 %, ASA 7.8 s; occupancy a / N = 10 / 14. Staffed ⌊1.5⌋ = 1 agent for 10 Erlangs:
    // P(wait) 1 (unstable), occupancy 10 / 1 = 10 (a / N as written).
    let rows = built().scratch.rows(&format!(
        "SELECT p_wait_required, service_level_required, asa_required_s, occupancy_required, \
         staffed_whole_agents, p_wait_staffed, occupancy_staffed FROM marts_staffing_interval \
         WHERE skill_group = 'S1' AND interval_start = TIMESTAMP '{}'",
        t("10:00:00")
    ));
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    let near = |v: &str, want: f64, tol: f64| {
        let v: f64 = v.parse().unwrap();
        assert!((v - want).abs() < tol, "{v} ≠ {want}");
    };
    near(&r[0], 0.1741, 5e-5);
    near(&r[1], 0.8884, 5e-5);
    near(&r[2], 7.8, 0.05);
    assert_close(&r[3], 10.0 / 14.0);
    assert_eq!(r[4], "1");
    assert_close(&r[5], 1.0);
    assert_close(&r[6], 10.0);
}

/// A day with three skill groups (S3 added, center C1) and two more agents, A4 and A5
/// (primary S2):
///
/// - 10:00–10:09, calls T0..T9: an `ivr` leg in S3 answered by A1 and transferred (talk 50 +
///   acw 10), then a `transfer` leg in S2, answered, handling talk 150 + hold 0 + acw 30 = 180 s.
///   S2 gets no manual request: it only receives transfers.
/// - States 10:00–10:30 of S2's agents: A2 READY 1800 s; A4 TALK 900 + HOLD 300 + ACW 600 s;
///   A5 READY 900 s then NOT_READY (break) 900 s. Logged in 5400 s, serving 4500 s.
/// - 14:00, S1: legs P1 (A1) and P2 (A3) answered, handling 240 + 0 + 60 = 300 s each; P3
///   abandoned. Offers on P1: O1 recommended, pitch_s 40; O2 not recommended, pitch_s 10. On
///   P2: O3 recommended, pitch_s NULL → marketing_pitch_s 30; O4 not recommended, pitch_s NULL
///   → 0.
fn mixed() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        f.add("hotline/skill_groups", &["S3,C1,一线技能组,,"]);
        f.add(
            "hr/agents",
            &[
                "A4,赵六,T1,SITE1,2025-01-01,,S2,S2,agent",
                "A5,钱七,T1,SITE1,2025-01-01,,S2,S2,agent",
            ],
        );
        let mut legs = Vec::new();
        for i in 0..10 {
            let (q, x) = (t(&format!("10:0{i}:00")), t(&format!("10:0{i}:30")));
            legs.push(format!("I{i},T{i},1,ivr,S3,{q},{q},{x},A1,50,0,10,1,agent"));
            legs.push(format!("X{i},T{i},2,transfer,S2,{x},{x},{x},A4,150,0,30,0,customer"));
        }
        let (p1, p2, p3) = (t("14:00:00"), t("14:01:00"), t("14:02:00"));
        legs.push(format!("P1,KP1,1,ivr,S1,{p1},{p1},{p1},A1,240,0,60,0,customer"));
        legs.push(format!("P2,KP2,1,ivr,S1,{p2},{p2},{p2},A3,240,0,60,0,customer"));
        legs.push(format!("P3,KP3,1,ivr,S1,{p3},,{},,0,0,0,0,customer", t("14:03:00")));
        f.add_lines("hotline/agent_legs", &legs);
        let states = [
            format!("A2,READY,,{},{}", t("10:00:00"), t("10:30:00")),
            format!("A4,TALK,,{},{}", t("10:00:00"), t("10:15:00")),
            format!("A4,HOLD,,{},{}", t("10:15:00"), t("10:20:00")),
            format!("A4,ACW,,{},{}", t("10:20:00"), t("10:30:00")),
            format!("A5,READY,,{},{}", t("10:00:00"), t("10:15:00")),
            format!("A5,NOT_READY,break,{},{}", t("10:15:00"), t("10:30:00")),
        ];
        f.add_lines("hotline/agent_states", &states);
        let offers = [
            format!("O1,P1,A1,CAMP1,P5G,{},40,1,0,", t("14:00:30")),
            format!("O2,P1,A1,CAMP1,PFLOW,{},10,0,0,", t("14:00:40")),
            format!("O3,P2,A3,CAMP1,P5G,{},,1,0,", t("14:01:30")),
            format!("O4,P2,A3,CAMP1,PFLOW,{},,0,0,", t("14:01:40")),
        ];
        f.add_lines("hotline/offers", &offers);
        f.build()
    })
}

/// The named columns of S2's 10:00 interval on the [`mixed`] day.
fn s2_interval(columns: &str) -> Vec<String> {
    let rows = mixed().scratch.rows(&format!(
        "SELECT {columns} FROM marts_staffing_interval \
         WHERE skill_group = 'S2' AND interval_start = TIMESTAMP '{}'",
        t("10:00:00")
    ));
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows[0].clone()
}

#[test]
fn transfer_only_skill_group_needs_agents() {
    // S2: 0 manual requests + 10 transfer legs = 10 offered legs, AHT 10 × 180 / 10 = 180 s,
    // a = 10 × 180 / 1800 = 1 Erlang. Target 0.86 within 20 s:
    //   N = 2: P = 2ρ²/(1 + ρ), ρ = ½ → 1/3; SL = 1 − (1/3)·e^(−1·20/180) = 0.70172 < 0.86
    //   N = 3: Σ_{k<3} 1^k/k! = 2.5, b = 1/6 × 3/2 = ¼, P = ¼ / 2.75 = 1/11;
    //          SL = 1 − (1/11)·e^(−2·20/180) = 0.92721 ≥ 0.86 → required 3.
    // (With calls = C1 only, S2 had calls 0 and required 0.)
    let r = s2_interval("manual_requests, transfer_legs, calls, aht_s, traffic_erlangs, required_agents");
    assert_eq!(r[..3], ["0", "10", "10"]);
    assert_close(&r[3], 180.0);
    assert_close(&r[4], 1.0);
    assert_eq!(r[5], "3");
    // The day: calls 10, answered legs 10 → answer_rate 10 / 10 = 1; service AHT 180 (no
    // offers); workload = 10 × 1 × service_share 1 × 180 / 3600 = 0.5 h (was 0).
    let rows = mixed().scratch.rows(
        "SELECT manual_requests, transfer_legs, calls, answer_rate, service_aht_s, workload_hours \
         FROM marts_staffing_daily WHERE skill_group = 'S2'",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    let d = &rows[0];
    assert_eq!(d[..3], ["0", "10", "10"]);
    assert_close(&d[3], 1.0);
    assert_close(&d[4], 180.0);
    assert_close(&d[5], 0.5);
}

#[test]
fn staffed_agents_exclude_not_ready() {
    // READY + TALK + HOLD + ACW of S2's agents at 10:00: A2 1800 + A4 (900 + 300 + 600) + A5 900
    // = 4500 s → 4500 / 1800 = 2.5 staffed, ⌊2.5⌋ = 2 servers; A5's 900 s break (NOT_READY) is
    // logged in but serves no call (logged-in seconds would give 5400 / 1800 = 3).
    // over_under = 2.5 − 3 = −0.5.
    let r = s2_interval("staffed_agents, staffed_whole_agents, over_under");
    assert_close(&r[0], 2.5);
    assert_eq!(r[1], "2");
    assert_close(&r[2], -0.5);
}

#[test]
fn interval_wait_service_level_asa_and_occupancy() {
    // a = 1 Erlang, AHT 180 s, 20 s threshold.
    // Required N = 3: P = 1/11; SL = 1 − (1/11)·e^(−(3 − 1)·20/180) = 1 − e^(−2/9)/11
    //   = 0.9272057; ASA = P·AHT/(N − a) = (1/11)·180/2 = 90/11 = 8.1818 s; occupancy 1/3.
    // Staffed ⌊2.5⌋ = 2: P = 1/3 (M/M/2 closed form, ρ = ½); SL = 1 − e^(−1/9)/3 = 0.7017202;
    //   ASA = (1/3)·180/1 = 60 s; occupancy 1/2.
    let r = s2_interval(
        "p_wait_required, service_level_required, asa_required_s, occupancy_required, \
         p_wait_staffed, service_level_staffed, asa_staffed_s, occupancy_staffed",
    );
    assert_close(&r[0], 1.0 / 11.0);
    assert_close(&r[1], 1.0 - (-2.0f64 / 9.0).exp() / 11.0);
    assert_close(&r[2], 90.0 / 11.0);
    assert_close(&r[3], 1.0 / 3.0);
    assert_close(&r[4], 1.0 / 3.0);
    assert_close(&r[5], 1.0 - (-1.0f64 / 9.0).exp() / 3.0);
    assert_close(&r[6], 60.0);
    assert_close(&r[7], 0.5);
}

#[test]
fn service_aht_counts_pitch_seconds_once() {
    // S1 on the mixed day: offered 3 (P1, P2, P3), answered legs 2 → answer_rate 2/3.
    // Handling of the answered legs 300 + 300 = 600 s holds the pitch talk; pitch seconds of
    // the offers on them: O1 40 + O2 10 + O3 (NULL, recommended → 30) + O4 (NULL, not
    // recommended → 0) = 80 → service AHT = (600 − 80) / 2 = 260 s (C6 would be 300).
    // Marketing: offers 4 / answered requests 2 → popup_rate 2; recommended 2 / 4 → ½;
    // marketing AHT = (40 + 30) / 2 = 35 s.
    // Workload = (3 × 2/3 × 1 × 260 + 3 × 2/3 × 2 × ½ × 35) / 3600 = (520 + 70) / 3600 h.
    let rows = mixed().scratch.rows(
        "SELECT calls, answer_rate, service_aht_s, popup_rate, recommend_rate, marketing_aht_s, \
         workload_hours FROM marts_staffing_daily WHERE skill_group = 'S1'",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r[0], "3");
    assert_close(&r[1], 2.0 / 3.0);
    assert_close(&r[2], 260.0);
    assert_close(&r[3], 2.0);
    assert_close(&r[4], 0.5);
    assert_close(&r[5], 35.0);
    assert_close(&r[6], 590.0 / 3600.0);
}
