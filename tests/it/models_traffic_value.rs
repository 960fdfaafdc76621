//! E1 traffic value on one hand-made day. ivr_code_map SS_BAL → BAL; defaults otherwise
//! (key dimensions historical, current weigh 2; cap 100 元; complex factor 2; high ≥ 60).
//!
//! Snapshot (status, arpu): pA active 100 (4g, 5G device, tenure 30); pB active 50 (5g,
//! tenure 60); pC closed 10 (left out of the ranking); pD active 200. PERCENT_RANK by arpu over
//! pB, pA, pD → 0, ½, 1: historical pA 50, pB 0. pE is not a subscriber.
//!
//! | leg | call | caller | seq | code | handling | note                                        |
//! |-----|------|--------|-----|------|----------|---------------------------------------------|
//! | L1  | K1   | pA vip | 1   | BAL  | 100      | transferred; offer O1 → order R1 at 10:02    |
//! | L2  | K1   | pA vip | 2   | PLAN | 100      | last answered leg of K1: R1 30.00 subscribe  |
//! | L3  | K2   | pB     | 1   | BAL  | 100      | 11:00                                       |
//! | L4  | K3   | pB     | 1   | BAL  | 100      | 12:00: pB's K2 an hour before → repeat      |
//! | L5  | K4   | pE     | 1   | BAL  | 500      | 500 > 2 × BAL mean 200                      |
//! Two IVR self-service calls SS_BAL; BAL contact requests K1, K2, K3, K4: s = 2/6 → elastic
//! 66.667; PLAN: s = 0/1 → 100. pA has complaint W1 (escalated by media) at 09:00.

use std::sync::OnceLock;

use crate::fixture::{Built, Fixture, assert_close, t};

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        let (pa, pb, pc, pd, pe) = (
            "13600000001",
            "13600000002",
            "13600000003",
            "13600000004",
            "13600000005",
        );
        let subscribers = [
            format!("{pa},571,vip,PL1,4g,1,30,100.00,active,0"),
            format!("{pb},571,gotone,PL1,5g,0,60,50.00,active,0"),
            format!("{pc},571,gotone,PL1,4g,0,12,10.00,closed,0"),
            format!("{pd},571,gotone,PL1,5g,0,12,200.00,active,0"),
        ];
        f.add_lines("boss/subscribers", &subscribers);
        let call = |id: &str, caller: &str, brand: &str, at: &str, outcome: &str, code: &str| {
            format!("{id},C1,{caller},571,{brand},{},{},{outcome},{code}", t(at), t(at))
        };
        let calls = [
            call("K1", pa, "vip", "09:59:00", "agent_request", ""),
            call("K2", pb, "gotone", "10:59:00", "agent_request", ""),
            call("K3", pb, "gotone", "11:59:00", "agent_request", ""),
            call("K4", pe, "gotone", "12:59:00", "agent_request", ""),
            call("K5", pd, "gotone", "08:00:00", "self_service", "SS_BAL"),
            call("K6", pd, "gotone", "08:10:00", "self_service", "SS_BAL"),
        ];
        f.add_lines("hotline/ivr_calls", &calls);
        let leg = |id: &str, k: &str, seq: u32, origin: &str, sg: &str, at: &str, talk: u32, transferred: u32| {
            let q = t(at);
            format!("{id},{k},{seq},{origin},{sg},{q},{q},{q},A1,{talk},0,20,{transferred},customer")
        };
        let legs = [
            leg("L1", "K1", 1, "ivr", "S1", "10:00:00", 80, 1),
            leg("L2", "K1", 2, "transfer", "S2", "10:05:00", 80, 0),
            leg("L3", "K2", 1, "ivr", "S1", "11:00:00", 80, 0),
            leg("L4", "K3", 1, "ivr", "S1", "12:00:00", 80, 0),
            leg("L5", "K4", 1, "ivr", "S1", "13:00:00", 480, 0),
        ];
        f.add_lines("hotline/agent_legs", &legs);
        let contacts = [
            format!("L1,K1,{pa},query,BAL,0,0,0,"),
            format!("L2,K1,{pa},handle,PLAN,0,0,0,"),
            format!("L3,K2,{pb},query,BAL,0,0,0,"),
            format!("L4,K3,{pb},query,BAL,0,0,0,"),
            format!("L5,K4,{pe},query,BAL,0,0,0,"),
        ];
        f.add_lines("crm/contacts", &contacts);
        f.add(
            "hotline/offers",
            &[format!("O1,L1,A1,CAMP1,P5G,{},30,1,1,R1", t("10:01:00")).as_str()],
        );
        let orders = [
            format!("R1,{pa},hotline,K1,A1,P5G,subscribe,success,{},30.00,1", t("10:02:00")),
            format!("R2,{pa},hotline,K1,A1,PX,payment,success,{},50.00,0", t("10:03:00")),
        ];
        f.add_lines("boss/orders", &orders);
        f.add(
            "crm/work_orders",
            &[format!("W1,,{pa},571,vip,complaint,CAT1,1,0,media,{},,,open,,,", t("09:00:00")).as_str()],
        );
        f.params.ivr_code_map.insert("SS_BAL".into(), "BAL".into());
        f.build()
    })
}

const COLUMNS: [&str; 9] = [
    "historical_score",
    "current_score",
    "future_score",
    "influence_score",
    "elastic_score",
    "value_score",
    "value_class",
    "is_repeat_call",
    "code_mean_handling_s",
];

fn leg(id: &str) -> Vec<String> {
    let rows = built().scratch.rows(&format!(
        "SELECT {} FROM marts_traffic_value_leg WHERE leg_id = '{id}'",
        COLUMNS.join(", ")
    ));
    assert_eq!(rows.len(), 1, "{id}: {rows:?}");
    rows[0].clone()
}

#[track_caller]
fn scores(id: &str, expected: [Option<f64>; 6], class: &str) {
    let r = leg(id);
    for (i, e) in expected.iter().enumerate() {
        match e {
            None => assert_eq!(r[i], "NULL", "{id} {}", COLUMNS[i]),
            Some(e) => {
                let v: f64 = r[i]
                    .parse()
                    .unwrap_or_else(|_| panic!("{id} {}: {:?}", COLUMNS[i], r[i]));
                assert!((v - e).abs() < 1e-9, "{id} {}: {v} ≠ {e}", COLUMNS[i]);
            }
        }
    }
    assert_eq!(r[6], class, "{id} class");
}

#[test]
fn scores_of_a_vip_caller() {
    // L1: historical 50; current 0 (not K1's last answered leg); future 40 (5G device on 4g)
    // + 30 × 30/60 = 15 + 0 (R1 comes after 10:00) = 55; influence 20 × 1 complaint + 20 × 1
    // escalated + 40 (vip) = 80; elastic 100 × (1 − 2/6) = 66.667.
    // value = (2·50 + 2·0 + 55 + 80 + 66.667) / 7 = 301.667 / 7; transferred → complex.
    let elastic_bal = 100.0 * (1.0 - 2.0 / 6.0);
    scores(
        "L1",
        [
            Some(50.0),
            Some(0.0),
            Some(55.0),
            Some(80.0),
            Some(elastic_bal),
            Some((100.0 + 55.0 + 80.0 + elastic_bal) / 7.0),
        ],
        "complex",
    );
    // L2 (PLAN, K1's last answered leg): current = min(100, 100 × 30.00 / 100) = 30 (the
    // payment R2 is left out); future 55 + 30 (R1 at 10:02, before 10:05) = 85; elastic 100.
    // value = (100 + 60 + 85 + 80 + 100) / 7 = 425/7 = 60.71 ≥ 60 → high_value.
    scores(
        "L2",
        [
            Some(50.0),
            Some(30.0),
            Some(85.0),
            Some(80.0),
            Some(100.0),
            Some(425.0 / 7.0),
        ],
        "high_value",
    );
}

#[test]
fn classes_of_ordinary_and_repeat_calls() {
    // L3 (pB): historical 0, current 0, future 0 + 30 × 60/60 + 0 = 30, influence 0, elastic
    // 66.667 → value (30 + 66.667)/7 = 13.81 < 60 → low_value.
    let elastic_bal = 100.0 * (1.0 - 2.0 / 6.0);
    let value_b = (30.0 + elastic_bal) / 7.0;
    let pb = [
        Some(0.0),
        Some(0.0),
        Some(30.0),
        Some(0.0),
        Some(elastic_bal),
        Some(value_b),
    ];
    scores("L3", pb, "low_value");
    // L4: the same scores, but pB's K2 was queued an hour before → repeat call → complex.
    scores("L4", pb, "complex");
    assert_eq!(leg("L4")[7], "true");
    assert_eq!(leg("L3")[7], "false");
    // L5 (pE, not a subscriber): historical and future NULL; value over current, influence,
    // elastic = (2·0 + 0 + 66.667)/4; BAL mean handling (100 + 100 + 100 + 500)/4 = 200 and
    // 500 > 2 × 200 → complex.
    scores(
        "L5",
        [
            None,
            Some(0.0),
            None,
            Some(0.0),
            Some(elastic_bal),
            Some(elastic_bal / 4.0),
        ],
        "complex",
    );
    assert_eq!(leg("L5")[8], "200.0");
}

#[test]
fn daily_rollup_with_recommended_action() {
    // S1 / BAL: L1, L3, L4, L5 → complex 3, low 1 → complex share 0.75 → specialist_desk.
    // S2 / PLAN: L2 high_value → agent_service.
    let rows = built().scratch.rows(
        "SELECT skill_group, business_code, answered_legs, complex_legs, high_value_legs, low_value_legs, \
         complex_share, recommended_action FROM marts_traffic_value_daily ORDER BY skill_group",
    );
    assert_eq!(
        rows,
        [
            ["S1", "BAL", "4", "3", "0", "1", "0.75", "specialist_desk"],
            ["S2", "PLAN", "1", "0", "1", "0", "0.0", "agent_service"],
        ]
    );
}

/// A snapshot with a new subscriber who has no arpu_3m yet: pX active 100 (5g, tenure 60),
/// pY active 50 (4g, tenure 12), pN active NULL (4g with a 5G device, tenure 2). pX calls at
/// 10:00 (K1, leg M1), pN at 11:00 (K2, leg M2); neither has a contact (no business code →
/// elastic NULL), an order, a complaint or a work order.
fn built_with_new_subscriber() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        let (px, py, pn) = ("13600000011", "13600000012", "13600000013");
        let subscribers = [
            format!("{px},571,gotone,PL1,5g,0,60,100.00,active,0"),
            format!("{py},571,gotone,PL1,4g,0,12,50.00,active,0"),
            format!("{pn},571,gotone,PL1,4g,1,2,,active,0"),
        ];
        f.add_lines("boss/subscribers", &subscribers);
        let calls = [
            format!(
                "K1,C1,{px},571,gotone,{},{},agent_request,",
                t("09:59:00"),
                t("09:59:00")
            ),
            format!(
                "K2,C1,{pn},571,gotone,{},{},agent_request,",
                t("10:59:00"),
                t("10:59:00")
            ),
        ];
        f.add_lines("hotline/ivr_calls", &calls);
        let legs = [
            format!("M1,K1,1,ivr,S1,{q},{q},{q},A1,80,0,20,0,customer", q = t("10:00:00")),
            format!("M2,K2,1,ivr,S1,{q},{q},{q},A1,80,0,20,0,customer", q = t("11:00:00")),
        ];
        f.add_lines("hotline/agent_legs", &legs);
        f.build()
    })
}

#[test]
fn a_subscriber_without_arpu_is_not_ranked() {
    let row = |id: &str| {
        let rows = built_with_new_subscriber().scratch.rows(&format!(
            "SELECT {} FROM marts_traffic_value_leg WHERE leg_id = '{id}'",
            COLUMNS.join(", ")
        ));
        assert_eq!(rows.len(), 1, "{id}: {rows:?}");
        rows[0].clone()
    };
    // Ranked: pY 50, pX 100 (pN has no arpu_3m and is left out) → PERCENT_RANK 0, 1/1:
    // historical pX = 100 (with pN ranked last as NULLs sort, pX would be 1/2 → 50).
    // M1 (pX): current 0 (no order), future 0 + 30 × 60/60 + 0 = 30, influence 0, elastic
    // NULL → value = (2·100 + 2·0 + 30 + 0) / (2 + 2 + 1 + 1) = 230/6 = 38.33 < 60 → low_value.
    let m1 = row("M1");
    assert_close(&m1[0], 100.0);
    assert_close(&m1[2], 30.0);
    assert_eq!(m1[4], "NULL");
    assert_close(&m1[5], 230.0 / 6.0);
    assert_eq!(m1[6], "low_value");
    // M2 (pN): historical NULL (never ranked as the highest: NULLs last would give 100);
    // current 0; future 40 (5G device on 4g) + 30 × 2/60 = 1 + 0 = 41 (pN is in the
    // snapshot); influence 0; elastic NULL → value over current, future, influence only =
    // (2·0 + 41 + 0) / (2 + 1 + 1) = 10.25 (with historical 100 it would be 241/6 = 40.17).
    let m2 = row("M2");
    assert_eq!(m2[0], "NULL");
    assert_close(&m2[1], 0.0);
    assert_close(&m2[2], 41.0);
    assert_close(&m2[3], 0.0);
    assert_eq!(m2[4], "NULL");
    assert_close(&m2[5], 10.25);
    assert_eq!(m2[6], "low_value");
}
