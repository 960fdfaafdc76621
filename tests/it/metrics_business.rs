//! Survey, marketing, business-volume, work-order, QA, IVR and turnover metrics (A3, A4, A6,
//! A8–A13, B1–B17, C1_ivr, C14) on one hand-made day at a one-center site (single_center_id C1).
//!
//! Calls and legs of 2026-11-16 (all answered except L5; caller Pn = 139000000 0n):
//!
//! | leg | call | caller | origin   | group | agent | contact (type, code, flags)          |
//! |-----|------|--------|----------|-------|-------|--------------------------------------|
//! | L1  | K1   | P1     | ivr      | S1    | A1    | consult X1                           |
//! | L2  | K1   | P1     | transfer | S2    | A2    | consult X1, misrouted                |
//! | L3  | K2   | P2     | ivr      | S2    | A2    | consult X2, guided to self-service   |
//! | L4  | K3   | P3     | ivr      | S2    | A2    | query Q1 (city 572)                  |
//! | L5  | K4   | P4     | ivr      | S1    | –     | abandoned                            |
//! | L6  | K5   | P5     | ivr      | S1    | A1    | handle H1                            |
//! | L7  | K6   | P6     | ivr      | S1    | A1    | handle PAYMENT (excluded code)       |
//! | L8  | K7   | P7     | ivr      | S1    | A1    | handle H2, guided                    |
//! | L9  | K8   | P5     | ivr      | S1    | A1    | handle H1                            |
//! | L12 | K9   | P1     | ivr      | S1    | A1    | query Q1, indirect                   |
//!
//! Answered requests: L1 L3 L4 L6 L7 L8 L9 L12 = 8. IVR-only calls: K20, K21 (self-service
//! BAL), K22 (hang-up): 12 IVR calls in all.

use std::sync::OnceLock;

use crate::fixture::{Built, DAY, Fixture, assert_count, assert_ratio, t};

fn business_day(f: &mut Fixture) {
    f.params.single_center_id = Some("C1".into());
    f.params.handling_excluded_codes = vec!["PAYMENT".into()];
    let p = |n: u32| format!("139000000{n:02}");
    let mut calls = Vec::new();
    for (i, (k, caller, city, at)) in [
        ("K1", 1, "571", "08:59:00"),
        ("K2", 2, "571", "09:59:00"),
        ("K3", 3, "572", "10:09:00"),
        ("K4", 4, "571", "10:19:00"),
        ("K5", 5, "571", "10:29:00"),
        ("K6", 6, "571", "10:39:00"),
        ("K7", 7, "571", "10:49:00"),
        ("K8", 5, "571", "10:59:00"),
        ("K9", 1, "571", "11:09:00"),
    ]
    .into_iter()
    .enumerate()
    {
        let brand = if i == 2 { "vip" } else { "gotone" };
        calls.push(format!(
            "{k},,{},{city},{brand},{},{},agent_request,",
            p(caller),
            t(at),
            t(at)
        ));
    }
    calls.push(format!(
        "K20,,{},571,gotone,{},{},self_service,BAL",
        p(20),
        t("12:00:00"),
        t("12:01:00")
    ));
    calls.push(format!(
        "K21,,{},571,gotone,{},{},self_service,BAL",
        p(21),
        t("12:10:00"),
        t("12:11:00")
    ));
    calls.push(format!(
        "K22,,{},571,gotone,{},{},hangup,",
        p(22),
        t("12:20:00"),
        t("12:20:30")
    ));
    f.add_lines("hotline/ivr_calls", &calls);
    let leg = |id: &str, call: &str, seq: u32, origin: &str, sg: &str, at: &str, agent: &str| {
        let q = t(at);
        if agent.is_empty() {
            format!("{id},{call},{seq},{origin},{sg},{q},,{q},,0,0,0,0,customer")
        } else {
            let (h, m) = (&at[..2], &at[3..5]);
            format!(
                "{id},{call},{seq},{origin},{sg},{q},{},{},{agent},120,0,20,{},customer",
                t(&format!("{h}:{m}:10")),
                t(&format!("{h}:{m}:59")),
                u8::from(id == "L1")
            )
        }
    };
    let legs = [
        leg("L1", "K1", 1, "ivr", "S1", "09:00:00", "A1"),
        leg("L2", "K1", 2, "transfer", "S2", "09:05:00", "A2"),
        leg("L3", "K2", 1, "ivr", "S2", "10:00:00", "A2"),
        leg("L4", "K3", 1, "ivr", "S2", "10:10:00", "A2"),
        leg("L5", "K4", 1, "ivr", "S1", "10:20:00", ""),
        leg("L6", "K5", 1, "ivr", "S1", "10:30:00", "A1"),
        leg("L7", "K6", 1, "ivr", "S1", "10:40:00", "A1"),
        leg("L8", "K7", 1, "ivr", "S1", "10:50:00", "A1"),
        leg("L9", "K8", 1, "ivr", "S1", "11:00:00", "A1"),
        leg("L12", "K9", 1, "ivr", "S1", "11:10:00", "A1"),
    ];
    f.add_lines("hotline/agent_legs", &legs);
    let surveys = [
        format!("V1,L2,A2,ivr,1,,{}", t("11:00:00")),
        format!("V2,L1,A1,ivr,3,attitude,{}", t("10:00:00")),
        format!("V3,L3,A2,ivr,9,,{}", t("10:30:00")),
        format!("V4,L3,A2,sms,3,attitude,{}", t("11:30:00")),
        format!("V5,L4,A2,ivr,2,,{}", t("12:00:00")),
        format!("V6,L4,A2,ivr,1,,{}", t("12:00:00")),
        format!("V7,LX,A1,ivr,1,,{}", t("12:00:00")),
    ];
    f.add_lines("hotline/surveys", &surveys);
    let offers = [
        format!("O1,L6,A1,CAMP1,P5G,{},60,1,1,R1", t("10:31:00")),
        format!("O2,L7,A1,CAMP1,P5G,{},,1,1,R2", t("10:41:00")),
        format!("O3,L8,A1,CAMP1,P5G,{},30,1,0,", t("10:51:00")),
        format!("O4,L9,A1,CAMP1,P5G,{},,0,0,", t("11:01:00")),
        format!("O5,L6,A1,CAMP2,PFLOW,{},45,1,1,R3", t("10:32:00")),
    ];
    f.add_lines("hotline/offers", &offers);
    let orders = [
        format!(
            "R1,{},hotline,K5,A1,P5G,subscribe,success,{},30.00,1",
            p(5),
            t("10:35:00")
        ),
        format!(
            "R2,{},hotline,K6,A1,P5G,subscribe,failed,{},30.00,1",
            p(6),
            t("10:45:00")
        ),
        format!(
            "R3,{},hotline,K5,A1,PFLOW,subscribe,success,{},10.00,1",
            p(5),
            t("10:36:00")
        ),
        format!("R4,{},hotline,K5,A1,PX,payment,success,{},50.00,0", p(5), t("10:37:00")),
        format!("R5,{},web,K5,,PX,subscribe,success,{},5.00,0", p(5), t("10:38:00")),
        format!("R6,{},hotline,K8,A1,PX,change,success,{},0.00,0", p(5), t("11:05:00")),
    ];
    f.add_lines("boss/orders", &orders);
    let contacts = [
        format!("L1,K1,{},consult,X1,0,0,0,", p(1)),
        format!("L2,K1,{},consult,X1,0,0,1,", p(1)),
        format!("L3,K2,{},consult,X2,1,0,0,", p(2)),
        format!("L4,K3,{},query,Q1,0,0,0,", p(3)),
        format!("L6,K5,{},handle,H1,0,0,0,", p(5)),
        format!("L7,K6,{},handle,PAYMENT,0,0,0,", p(6)),
        format!("L8,K7,{},handle,H2,1,0,0,", p(7)),
        format!("L9,K8,{},handle,H1,0,0,0,", p(5)),
        format!("L12,K9,{},query,Q1,0,1,0,", p(1)),
    ];
    f.add_lines("crm/contacts", &contacts);
    let wo = |id: &str, call: &str, caller: u32, city: &str, brand: &str, rest: &str| {
        format!("{id},{call},{},{city},{brand},{rest}", p(caller))
    };
    let work_orders = [
        wo(
            "W1",
            "K1",
            1,
            "571",
            "gotone",
            &format!(
                "complaint,CAT1,1,1,none,{},{},,closed,,,satisfied",
                t("10:00:00"),
                t("12:00:00")
            ),
        ),
        wo(
            "W2",
            "",
            1,
            "571",
            "gotone",
            &format!("complaint,CAT1,1,0,media,{},,,open,,,", t("15:00:00")),
        ),
        wo(
            "W3",
            "",
            2,
            "571",
            "gotone",
            &format!(
                "complaint,CAT2,0,0,none,{},{},,closed,,,unsatisfied",
                t("11:00:00"),
                t("13:00:00")
            ),
        ),
        wo(
            "W4",
            "",
            3,
            "571",
            "gotone",
            &format!("suggestion,,,,none,{},,,open,,,", t("09:00:00")),
        ),
        wo(
            "W5",
            "",
            3,
            "571",
            "gotone",
            &format!("requirement,,,,none,{},,,open,,,", t("09:30:00")),
        ),
        wo(
            "W6",
            "",
            4,
            "572",
            "vip",
            &format!("refund,,,,none,{},{},,closed,12.34,1,", t("08:00:00"), t("16:00:00")),
        ),
        wo(
            "W7",
            "",
            4,
            "572",
            "vip",
            &format!("refund,,,,none,2026-11-15 08:00:00,{},,closed,0.66,0,", t("17:00:00")),
        ),
        wo(
            "W8",
            "",
            4,
            "572",
            "vip",
            &format!("refund,,,,none,{},,,open,5.00,,", t("08:30:00")),
        ),
    ];
    f.add_lines("crm/work_orders", &work_orders);
    let subscribers = [
        format!("{},571,gotone,PL1,4g,1,24,88.50,active,100", p(1)),
        format!("{},571,gotone,PL1,4g,0,24,50.00,closed,0", p(2)),
        format!("{},571,gotone,PL1,5g,1,3,120.00,active,0", p(3)),
        format!("{},572,vip,PL2,5g,1,60,300.00,arrears,0", p(4)),
    ];
    f.add_lines("boss/subscribers", &subscribers);
    let inspections = [
        format!("Q1,L1,A1,{},95.50", t("14:00:00")),
        format!("Q2,L6,A1,{},84.50", t("14:30:00")),
        format!("Q3,LZ,A2,{},90.00", t("15:00:00")),
    ];
    f.add_lines("hr/qa_inspections", &inspections);
    // Turnover: A4 leaves on the 10th, A6 joins on the 5th, A7 left in October, A5 leads.
    f.add(
        "hr/agents",
        &[
            "A4,赵六,T1,SITE1,2024-03-01,2026-11-10,S2,S2,agent",
            "A5,钱七,T1,SITE1,2024-03-01,,S1,S1,team_leader",
            "A6,孙八,T1,SITE1,2026-11-05,,S2,S2,agent",
            "A7,周九,T1,SITE1,2024-03-01,2026-10-20,S2,S2,agent",
        ],
    );
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        business_day(&mut f);
        f.build()
    })
}

fn by(id: &str, dim: &str, member: &str) -> crate::fixture::Answer {
    built().metric(id, "day", dim, DAY, member)
}

#[test]
fn a3_a4_a6_valid_surveys_one_per_call_at_the_first_answered_request() {
    // Valid: V1 V2 V4 V5 V6 (V3 pressed 9). One per call, latest survey_ts then smallest id:
    // K1 → V1 (result 1; V2 is earlier), K2 → V4 (3, attitude), K3 → V5 (2; V6 ties, larger id).
    // V7's leg is unknown. A3 = (V1 + V5) / 3 = 66.7 % → 2 points.
    let a3 = built().day("A3");
    assert_ratio(&a3, "2", "3", 2.0 / 3.0);
    assert_eq!(a3.points.as_deref(), Some("2"));
    // V1 was given on the transfer leg L2 (S2) but goes to K1's first answered request L1 (S1).
    assert_ratio(&by("A3", "skill_group", "S1"), "1", "1", 1.0);
    assert_ratio(&by("A3", "skill_group", "S2"), "1", "2", 0.5);
    // A4 = 3 valid surveys / 8 answered requests = 37.5 % → fail (pass above 70 %).
    let a4 = built().day("A4");
    assert_ratio(&a4, "3", "8", 0.375);
    assert_eq!(a4.flag.as_deref(), Some("fail"));
    // A6 = 1 attitude defect (V4) / 8 answered requests = 12.5 % > 0.6 → 2 points.
    let a6 = built().day("A6");
    assert_ratio(&a6, "1", "8", 0.125);
    assert_eq!(a6.points.as_deref(), Some("2"));
}

/// metrics.md F: by team and agent a counted survey goes to the surveyed leg's agent, and A4's
/// and A6's denominator is the agent's answered legs of both origins.
#[test]
fn a3_a4_a6_by_agent_go_by_the_surveyed_leg() {
    // The counted surveys V1, V4, V5 were given on L2, L3, L4: all A2's legs (V1 goes to L1,
    // A1's, by center and skill group). A3 for A2 = (V1 + V5) / 3; A1 has no survey.
    assert_ratio(&by("A3", "agent", "A2"), "2", "3", 2.0 / 3.0);
    assert!(
        built()
            .metric_rows("A3", "day", "agent")
            .unwrap()
            .iter()
            .all(|r| r.member != "A1")
    );
    // A4: A2's answered legs L2 (transfer), L3, L4 = 3 → 3 / 3 = 100 % → pass; A1 answered
    // L1 L6 L7 L8 L9 L12 = 6 → 0 / 6 → fail. Team T1: 3 / 9 answered legs.
    let a2 = by("A4", "agent", "A2");
    assert_ratio(&a2, "3", "3", 1.0);
    assert_eq!(a2.flag.as_deref(), Some("pass"));
    let a1 = by("A4", "agent", "A1");
    assert_ratio(&a1, "0", "6", 0.0);
    assert_eq!(a1.flag.as_deref(), Some("fail"));
    assert_ratio(&by("A4", "team", "T1"), "3", "9", 1.0 / 3.0);
    // A6: V4 (attitude, on L3) / A2's 3 answered legs = 33.3 % > 0.6 → 2 points.
    let a6 = by("A6", "agent", "A2");
    assert_ratio(&a6, "1", "3", 1.0 / 3.0);
    assert_eq!(a6.points.as_deref(), Some("2"));
}

#[test]
fn a1_by_city_and_brand_and_a9_by_agent() {
    // Requests: K3 (572, vip) answered; the 8 others 571 gotone, L5 (K4) abandoned.
    assert_ratio(&by("A1", "city", "572"), "1", "1", 1.0);
    assert_ratio(&by("A1", "city", "571"), "7", "8", 7.0 / 8.0);
    assert_ratio(&by("A1", "brand", "vip"), "1", "1", 1.0);
    // A9 by the inspected agent: Q1 (L1) 95.50 + Q2 (L6) 84.50 of A1 = 180 / 2 = 90 → 4 points.
    let a9 = by("A9", "agent", "A1");
    assert_ratio(&a9, "180", "2", 90.0);
    assert_eq!(a9.points.as_deref(), Some("4"));
}

#[test]
fn a8_marketing_success_rate_and_b15() {
    // Recommended: O1 O2 O3 O5. Successes: O1 (R1 success), O5 (R3 success, a second product
    // in the same call); O2's order failed, O3 was refused. 2 / 4 = 50 % ≥ 40 → 5 points.
    let a8 = built().day("A8");
    assert_ratio(&a8, "2", "4", 0.5);
    assert_eq!(a8.points.as_deref(), Some("5"));
    assert_count(&built().day("B15"), "2");
}

#[test]
fn a9_qa_score_at_the_90_point_boundary() {
    // S1: (95.50 + 84.50) / 2 = 90 exactly: not > 90 → 4 points. Q3's leg is unknown: '(none)'.
    let s1 = by("A9", "skill_group", "S1");
    assert_ratio(&s1, "180", "2", 90.0);
    assert_eq!(s1.points.as_deref(), Some("4"));
    assert_ratio(&by("A9", "skill_group", "(none)"), "90", "1", 90.0);
    // Center (single center C1): 270 / 3 = 90 → 4 points.
    assert_ratio(&built().day("A9"), "270", "3", 90.0);
}

#[test]
fn a10_a11_a12_complaints_and_transfers() {
    // A10: established service complaints (W1) × 100000 / 8 answered requests = 12500 → 2 points.
    let a10 = built().day("A10");
    assert_ratio(&a10, "1", "8", 12500.0);
    assert_eq!(a10.points.as_deref(), Some("2"));
    // A11 by closed_ts: W1 satisfied, W3 unsatisfied (W2 still open) → 1 / 2.
    assert_ratio(&built().day("A11"), "1", "2", 0.5);
    // A12: answered transfer leg L2 has a contact marked misrouted (0 of 1); work orders with
    // transfer_correct accepted on the 16th: W6 correct (1 of 1); W7 was accepted on the 15th.
    assert_ratio(&built().day("A12"), "1", "2", 0.5);
    assert_ratio(
        &built().metric("A12", "day", "center", "2026-11-15", "C1"),
        "0",
        "1",
        0.0,
    );
}

#[test]
fn a13_staff_turnover_for_the_month() {
    // Voice agents (role agent): A1 A2 A3 (since 2025), A4 (left 11-10), A6 (joined 11-05),
    // A7 (left in October); A5 is a team leader. Headcount 11-01: A1 A2 A3 A4 = 4;
    // 11-30: A1 A2 A3 A6 = 4; leavers in November: A4. 1 / ((4 + 4) / 2) = 25 % ≥ 10 → 2 points.
    let a = built().metric("A13", "month", "center", "2026-11", "C1");
    assert_ratio(&a, "1", "4", 0.25);
    assert_eq!(a.points.as_deref(), Some("2"));
    // S2 (primary group of A2 A4 A6 A7): (A2 A4 + A2 A6) / 2 = 2, leaver A4: 1 / 2.
    assert_ratio(
        &built().metric("A13", "month", "skill_group", "2026-11", "S2"),
        "1",
        "2",
        0.5,
    );
    // S1 (A1 A3): nobody left: 0 % → 5 points.
    let s1 = built().metric("A13", "month", "skill_group", "2026-11", "S1");
    assert_ratio(&s1, "0", "2", 0.0);
    assert_eq!(s1.points.as_deref(), Some("5"));
}

#[test]
fn b1_to_b7_requests_and_users() {
    // One request per (call, type, code): L2 repeats K1's consult X1 and is not counted again.
    assert_count(&built().day("B1"), "1"); // L1
    assert_count(&built().day("B1s"), "1"); // L3, guided
    assert_count(&built().day("B2"), "1"); // P1
    assert_count(&built().day("B3"), "1"); // L4; L12 is indirect
    assert_count(&built().day("B4"), "1"); // P3
    assert_count(&by("B3", "city", "572"), "1");
    // Handling: L6 and L9 (H1); L7 has an excluded code; L8 was guided (B5s).
    assert_count(&built().day("B5"), "2");
    assert_count(&built().day("B5s"), "1");
    // Both handling requests came from P5: one user.
    assert_count(&built().day("B7"), "1");
    // B6: successful hotline orders, not payment or suspend, of calls with a B5 request:
    // K5 → R1, R3 (R4 is a payment, R5 came from the web); K8 → R6. K6 (R2) has no B5. 3.
    assert_count(&built().day("B6"), "3");
}

#[test]
fn b8_to_b14_work_orders() {
    // B8 service complaints: W1, W2 (W3 is not about the service).
    assert_count(&built().day("B8"), "2");
    // W1's call K1 ended on the transfer leg L2 (S2); W2 has no call: skill group '(none)'.
    assert_count(&by("B8", "skill_group", "S2"), "1");
    assert_count(&by("B8", "skill_group", "(none)"), "1");
    assert_count(&built().day("B9"), "1"); // P1
    // B11: W2 (P1, CAT1) was accepted at 15:00 after W1 (P1, CAT1) closed at 12:00.
    assert_count(&built().day("B11"), "1");
    // B12: W2 came through the media.
    assert_count(&built().day("B12"), "1");
    assert_count(&built().day("B13"), "2"); // W4 suggestion, W5 requirement
    assert_count(&built().day("B14"), "1"); // P3
}

#[test]
fn b10_complaints_per_10k_subscribers() {
    // Subscribers not closed in the snapshot of the 16th: P1, P3 (571), P4 (572) = 3.
    // Total: 2 × 10000 / 3.
    let total = built().metric("B10", "day", "total", DAY, "all");
    assert_ratio(&total, "2", "3", 20000.0 / 3.0);
    // City 571: W1, W2 / P1, P3 → 10000. Month: the snapshot of the month's last loaded date.
    assert_ratio(&by("B10", "city", "571"), "2", "2", 10000.0);
    assert_ratio(
        &built().metric("B10", "month", "city", "2026-11", "571"),
        "2",
        "2",
        10000.0,
    );
}

#[test]
fn b16_b17_refunds_by_closed_date_in_exact_decimals() {
    // Closed on the 16th: W6 (12.34) and W7 (0.66, accepted on the 15th); W8 is open.
    assert_count(&built().day("B16"), "2");
    assert_count(&built().day("B17"), "13");
    assert_count(&by("B17", "city", "572"), "13");
}

#[test]
fn c1_ivr_calls_and_c14_self_service() {
    // 9 calls that asked for an agent + K20 K21 (self-service, code BAL) + K22 (hang-up) = 12.
    assert_count(&built().day("C1_ivr"), "12");
    assert_ratio(&built().day("C14"), "2", "12", 2.0 / 12.0);
    assert_ratio(&by("C14", "self_service_code", "BAL"), "2", "2", 1.0);
}

#[test]
fn requests_the_catalog_does_not_allow_are_refused_with_what_is_allowed() {
    let err = built().metric_rows("A1", "day", "agent").unwrap_err().to_string();
    assert!(err.contains("allowed: center, skill_group"), "{err}");
    let err = built()
        .metric_rows("staff_turnover", "day", "center")
        .unwrap_err()
        .to_string();
    assert!(err.contains("month, quarter, year"), "{err}");
    let err = built().metric_rows("B10", "day", "center").unwrap_err().to_string();
    assert!(err.contains("total, city, brand"), "{err}");
}
