//! Leg metrics (A1, A2, A5, C1–C7, C15, C17) on a hand-made day of one skill group.
//!
//! The day (2026-11-16, center C1, skill group S1), wait = answer (or end) − queue start:
//!
//! | leg | call | origin   | queued   | answered | wait | agent | talk/hold/acw | note                       |
//! |-----|------|----------|----------|----------|------|-------|---------------|----------------------------|
//! | L1  | K1   | ivr      | 09:00:00 | 09:00:20 | 20   | A1    | 240/30/30     | SL20 boundary              |
//! | L2  | K2   | ivr      | 09:10:00 | 09:10:21 | 21   | A1    | 100/0/20      | transferred                |
//! | L3  | K2   | transfer | 09:12:00 | 09:12:05 | 5    | A2    | 150/10/20     | not a request              |
//! | L4  | K3   | ivr      | 09:20:00 | –        | 4    |       |               | short abandon (customer)   |
//! | L5  | K4   | ivr      | 09:30:00 | –        | 60   |       |               | abandon (customer)         |
//! | L6  | K5   | ivr      | 09:40:00 | –        | 30   |       |               | released by system: other  |
//! | L7  | K6   | ivr      | 09:50:00 | 09:50:00 | 0    | A2    | 8/0/12        | talk ≤ 10: not effective   |
//! | L8  | K7   | ivr      | 09:59:50 | 10:00:15 | 25   | A1    | 200/0/25      | caller back after 25 h     |
//! | L10 | K8   | ivr      | 11:00:00 | 11:00:10 | 10   | A2    | 500/0/30      | complaint 23 h later       |
//!
//! Manual requests: L1 L2 L4 L5 L6 L7 L8 L10 = 8. Answered requests: L1 L2 L7 L8 L10 = 5.
//! Answered legs: those and L3 = 6. K1's caller calls again 23 h after K1 ended (next day).

use std::sync::OnceLock;

use crate::fixture::{Built, DAY, Fixture, assert_count, assert_ratio, t};

fn day_one(f: &mut Fixture) {
    let call =
        |id: &str, n: u32, at: &str| format!("{id},C1,139000000{n:02},571,gotone,{},{},agent_request,", t(at), t(at));
    let calls: Vec<String> = [
        ("K1", 1, "08:59:00"),
        ("K2", 2, "09:09:00"),
        ("K3", 3, "09:19:00"),
        ("K4", 4, "09:29:00"),
        ("K5", 5, "09:39:00"),
        ("K6", 6, "09:49:00"),
        ("K7", 7, "09:59:00"),
        ("K8", 8, "10:59:00"),
    ]
    .iter()
    .map(|(id, n, at)| call(id, *n, at))
    .collect();
    f.add_lines("hotline/ivr_calls", &calls);
    let legs = [
        format!(
            "L1,K1,1,ivr,S1,{},{},{},A1,240,30,30,0,customer",
            t("09:00:00"),
            t("09:00:20"),
            t("09:05:20")
        ),
        format!(
            "L2,K2,1,ivr,S1,{},{},{},A1,100,0,20,1,agent",
            t("09:10:00"),
            t("09:10:21"),
            t("09:12:00")
        ),
        format!(
            "L3,K2,2,transfer,S1,{},{},{},A2,150,10,20,0,customer",
            t("09:12:00"),
            t("09:12:05"),
            t("09:15:00")
        ),
        format!("L4,K3,1,ivr,S1,{},,{},,0,0,0,0,customer", t("09:20:00"), t("09:20:04")),
        format!("L5,K4,1,ivr,S1,{},,{},,0,0,0,0,customer", t("09:30:00"), t("09:31:00")),
        format!("L6,K5,1,ivr,S1,{},,{},,0,0,0,0,system", t("09:40:00"), t("09:40:30")),
        format!(
            "L7,K6,1,ivr,S1,{},{},{},A2,8,0,12,0,customer",
            t("09:50:00"),
            t("09:50:00"),
            t("09:52:00")
        ),
        format!(
            "L8,K7,1,ivr,S1,{},{},{},A1,200,0,25,0,customer",
            t("09:59:50"),
            t("10:00:15"),
            t("10:04:00")
        ),
        format!(
            "L10,K8,1,ivr,S1,{},{},{},A2,500,0,30,0,customer",
            t("11:00:00"),
            t("11:00:10"),
            t("11:10:00")
        ),
    ];
    f.add_lines("hotline/agent_legs", &legs);
    // The next day: K1's caller again 23 h after K1 ended (09:05:20), K7's 25 h after K7
    // ended (10:04:00); a complaint about K8 accepted 22 h 50 min after K8 ended (11:10:00).
    let next = "2026-11-17";
    f.add_at(
        "hotline/ivr_calls",
        next,
        &[
            "K9,C1,13900000001,571,gotone,2026-11-17 08:04:00,2026-11-17 08:05:20,agent_request,",
            "K10,C1,13900000007,571,gotone,2026-11-17 11:03:00,2026-11-17 11:04:00,agent_request,",
        ],
    );
    f.add_at(
        "hotline/agent_legs",
        next,
        &[
            "L9,K9,1,ivr,S1,2026-11-17 08:05:20,2026-11-17 08:05:30,2026-11-17 08:09:00,A1,200,0,10,0,customer",
            "L11,K10,1,ivr,S1,2026-11-17 11:04:00,2026-11-17 11:04:05,2026-11-17 11:09:00,A1,200,0,10,0,customer",
        ],
    );
    f.add_at(
        "crm/work_orders",
        next,
        &["W1,K8,13900000008,571,gotone,complaint,CAT1,1,0,none,2026-11-17 10:00:00,,,open,,,"],
    );
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        day_one(&mut f);
        f.build()
    })
}

/// The same day with exclude_short_abandons = true and fcr_window_h = 26.
fn built_variant() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        day_one(&mut f);
        f.params.exclude_short_abandons = true;
        f.params.fcr_window_h = 26;
        f.build()
    })
}

#[test]
fn a1_answer_rate() {
    // answered requests 5 / manual requests 8 = 0.625 → 62.5 % ≤ 90 → 2 points.
    let a = built().day("A1");
    assert_ratio(&a, "5", "8", 0.625);
    assert_eq!(a.points.as_deref(), Some("2"));
    // Hour 09: requests L1 L2 L4 L5 L6 L7 L8 (queued 09:59:50) = 7, answered L1 L2 L7 L8 = 4.
    assert_ratio(
        &built().metric("A1", "hour", "center", "2026-11-16 09:00", "C1"),
        "4",
        "7",
        4.0 / 7.0,
    );
    // exclude_short_abandons drops L4 from the denominator: 5 / 7.
    assert_ratio(&built_variant().day("A1"), "5", "7", 5.0 / 7.0);
}

#[test]
fn a2_service_level_at_15_20_30_seconds() {
    // Waits of answered requests: 20, 21, 0, 25, 10.
    // ≤ 15 s: L7 (0), L10 (10) = 2 / 8 = 0.25.
    assert_ratio(&built().day("A2_15"), "2", "8", 0.25);
    // ≤ 20 s: L1 (exactly 20) counts, L2 (21) does not: 3 / 8 = 0.375 → 2 points.
    let a = built().day("A2_20");
    assert_ratio(&a, "3", "8", 0.375);
    assert_eq!(a.points.as_deref(), Some("2"));
    // ≤ 30 s: all five answered: 5 / 8.
    assert_ratio(&built().day("A2_30"), "5", "8", 0.625);
    // The scored A2 uses service_level_s = 20.
    assert_ratio(&built().day("A2"), "3", "8", 0.375);
    // By the call's city and brand (every call is 571 gotone): the same.
    assert_ratio(&built().metric("A2", "day", "city", DAY, "571"), "3", "8", 0.375);
    assert_ratio(&built().metric("A2_15", "day", "brand", DAY, "gotone"), "2", "8", 0.25);
}

#[test]
fn a5_fcr_with_callers_back_at_23_and_25_hours() {
    // Effective calls: L1 L2 L8 L10 (L7 talked 8 s) = 4.
    // L1: caller back 23 h after K1 ended → unresolved. L2: transferred, nothing after → resolved.
    // L8: caller back after 25 h, outside 24 h → resolved. L10: complaint within 24 h → unresolved.
    // 2 / 4 = 0.5 → 50 % ≤ 78 → 2 points.
    let a = built().day("A5");
    assert_ratio(&a, "2", "4", 0.5);
    assert_eq!(a.points.as_deref(), Some("2"));
    // fcr_window_h = 26 also catches L8's caller (25 h): 1 / 4.
    assert_ratio(&built_variant().day("A5"), "1", "4", 0.25);
    // By the effective call's agent (metrics.md F): A1 answered L1 (unresolved), L2 and L8
    // (resolved) → 2 / 3; A2 answered L10 (unresolved) → 0 / 1; their team T1 2 / 4.
    assert_ratio(&built().metric("A5", "day", "agent", DAY, "A1"), "2", "3", 2.0 / 3.0);
    assert_ratio(&built().metric("A5", "day", "agent", DAY, "A2"), "0", "1", 0.0);
    assert_ratio(&built().metric("A5", "day", "team", DAY, "T1"), "2", "4", 0.5);
}

#[test]
fn c1_offered_and_c2_abandons() {
    // C1: 8 manual requests (L3 is a transfer leg).
    assert_count(&built().day("C1"), "8");
    // C2: abandoned = released by the customer unanswered: L4, L5 → 2 / 8 = 0.25.
    assert_ratio(&built().day("C2"), "2", "8", 0.25);
    assert_count(&built().day("C2_abandoned"), "2");
    // Short abandons: L4 (4 s < 5 s). Unanswered-other: L6 (released by system).
    assert_count(&built().day("C2_short"), "1");
    assert_count(&built().day("C2_other"), "1");
    // exclude_short_abandons removes L4 from numerator and denominator: 1 / 7.
    assert_ratio(&built_variant().day("C2"), "1", "7", 1.0 / 7.0);
    // By the call's city and brand (metrics.md F): every call is 571 gotone, so the same.
    assert_count(&built().metric("C1", "day", "city", DAY, "571"), "8");
    assert_ratio(&built().metric("C2", "day", "brand", DAY, "gotone"), "2", "8", 0.25);
    assert_ratio(&built().metric("A1", "day", "city", DAY, "571"), "5", "8", 0.625);
}

#[test]
fn c3_asa_c4_abandon_time_c5_queue_time() {
    // C3: waits of answered requests 20 + 21 + 0 + 25 + 10 = 76 / 5 = 15.2 s.
    assert_ratio(&built().day("C3"), "76", "5", 15.2);
    // Agent A1 answered L1, L2, L8: (20 + 21 + 25) / 3 = 22.
    assert_ratio(&built().metric("C3", "day", "agent", DAY, "A1"), "66", "3", 22.0);
    // C4: abandoned waits 4 + 60 = 64 / 2 = 32 s; without short abandons 60 / 1.
    assert_ratio(&built().day("C4"), "64", "2", 32.0);
    assert_ratio(&built_variant().day("C4"), "60", "1", 60.0);
    // C5: all requests 20 + 21 + 4 + 60 + 30 + 0 + 25 + 10 = 170 / 8 = 21.25 s.
    assert_ratio(&built().day("C5"), "170", "8", 21.25);
    // By the call's city and brand (every call is 571 gotone): the same.
    assert_ratio(&built().metric("C3", "day", "city", DAY, "571"), "76", "5", 15.2);
    assert_ratio(&built().metric("C4", "day", "brand", DAY, "gotone"), "64", "2", 32.0);
    assert_ratio(&built().metric("C5", "day", "city", DAY, "571"), "170", "8", 21.25);
}

#[test]
fn c6_aht_and_c7_talk_hold_acw() {
    // Handling of answered legs: L1 300, L2 120, L3 180, L7 20, L8 225, L10 530 = 1375 / 6.
    assert_ratio(&built().day("C6"), "1375", "6", 1375.0 / 6.0);
    // Talk 240 + 100 + 150 + 8 + 200 + 500 = 1198; hold 30 + 10 = 40; acw 30+20+20+12+25+30 = 137.
    assert_ratio(&built().day("C7_talk"), "1198", "6", 1198.0 / 6.0);
    assert_ratio(&built().day("C7_hold"), "40", "6", 40.0 / 6.0);
    assert_ratio(&built().day("C7_acw"), "137", "6", 137.0 / 6.0);
    // Agent A2 answered L3, L7, L10: (180 + 20 + 530) / 3.
    assert_ratio(
        &built().metric("C6", "day", "agent", DAY, "A2"),
        "730",
        "3",
        730.0 / 3.0,
    );
}

#[test]
fn c15_transfer_rate_and_c17_queued_rate() {
    // C15: L2 ended by a transfer, of 6 answered legs.
    assert_ratio(&built().day("C15"), "1", "6", 1.0 / 6.0);
    // C17: requests with wait > 0: all but L7 → 7 / 8.
    assert_ratio(&built().day("C17"), "7", "8", 0.875);
    assert_ratio(&built().metric("C17", "day", "brand", DAY, "gotone"), "7", "8", 0.875);
}

#[test]
fn bands_compare_the_exact_value_at_the_boundary() {
    // 20 requests: 17 answered after exactly 20 s, 2 after 21 s, 1 abandoned after 40 s.
    // A1 = 19 / 20 = 95 % exactly: not > 95 → 4 points (a float 0.95 × 100 may be 95.00000000000001).
    // A2_20 = 17 / 20 = 85 % exactly: not > 85 → 4 points.
    let mut f = Fixture::new();
    let mut calls = Vec::new();
    let mut legs = Vec::new();
    for i in 0..20 {
        let q = format!("10:{i:02}:00");
        calls.push(format!(
            "B{i},C1,139000001{i:02},571,gotone,{},{},agent_request,",
            t(&q),
            t(&q)
        ));
        let (answer, end, released) = match i {
            0..=16 => (t(&format!("10:{i:02}:20")), t(&format!("10:{i:02}:50")), "customer"),
            17 | 18 => (t(&format!("10:{i:02}:21")), t(&format!("10:{i:02}:50")), "customer"),
            _ => (String::new(), t(&format!("10:{i:02}:40")), "customer"),
        };
        let agent = if answer.is_empty() { "" } else { "A1" };
        legs.push(format!(
            "Q{i},B{i},1,ivr,S1,{},{answer},{end},{agent},20,0,0,0,{released}",
            t(&q)
        ));
    }
    f.add_lines("hotline/ivr_calls", &calls);
    f.add_lines("hotline/agent_legs", &legs);
    let b = f.build();
    let a1 = b.day("A1");
    assert_ratio(&a1, "19", "20", 0.95);
    assert_eq!(a1.points.as_deref(), Some("4"));
    let a2 = b.day("A2_20");
    assert_ratio(&a2, "17", "20", 0.85);
    assert_eq!(a2.points.as_deref(), Some("4"));
}
