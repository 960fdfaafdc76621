//! E4 marketing benefit on a hand-made month (cost_per_agent_hour 36 元: 100 pitch seconds = 1 元).
//!
//! Products: P5G price 30.00, commission 5.00; PFLOW price 10.00, commission 2.00.
//!
//! | offer | campaign | product | pitch_s | recommended | accepted | order      | success |
//! |-------|----------|---------|---------|-------------|----------|------------|---------|
//! | O1    | CAMP1    | P5G     | 60      | yes         | yes      | R1 success | yes     |
//! | O2    | CAMP1    | P5G     | NULL→30 | yes         | yes      | R2 failed  | no      |
//! | O3    | CAMP1    | PFLOW   | 90      | yes         | yes      | R3 success | yes     |
//! | O4    | CAMP1    | PFLOW   | NULL→0  | no          | no       |            | no      |
//! | O5    | CAMP2    | P5G     | 120     | yes         | no       |            | no      |

use std::sync::OnceLock;

use crate::fixture::{Built, Fixture, assert_close, t};

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        let legs: Vec<String> = ["10:00:00", "10:10:00", "10:20:00", "10:30:00"]
            .iter()
            .enumerate()
            .map(|(i, at)| {
                let q = t(at);
                format!("L{i},K{i},1,ivr,S1,{q},{q},{q},A1,100,0,20,0,customer")
            })
            .collect();
        f.add_lines("hotline/agent_legs", &legs);
        let offers = [
            format!("O1,L0,A1,CAMP1,P5G,{},60,1,1,R1", t("10:01:00")),
            format!("O2,L1,A1,CAMP1,P5G,{},,1,1,R2", t("10:11:00")),
            format!("O3,L2,A1,CAMP1,PFLOW,{},90,1,1,R3", t("10:21:00")),
            format!("O4,L2,A1,CAMP1,PFLOW,{},,0,0,", t("10:22:00")),
            format!("O5,L3,A1,CAMP2,P5G,{},120,1,0,", t("10:31:00")),
        ];
        f.add_lines("hotline/offers", &offers);
        let orders = [
            format!(
                "R1,13800000001,hotline,K0,A1,P5G,subscribe,success,{},30.00,1",
                t("10:05:00")
            ),
            format!(
                "R2,13800000002,hotline,K1,A1,P5G,subscribe,failed,{},30.00,1",
                t("10:15:00")
            ),
            format!(
                "R3,13800000003,hotline,K2,A1,PFLOW,subscribe,success,{},10.00,1",
                t("10:25:00")
            ),
        ];
        f.add_lines("boss/orders", &orders);
        f.add(
            "boss/products",
            &["P5G,5G套餐,plan,30.00,5.00", "PFLOW,流量包,addon,10.00,2.00"],
        );
        f.params.cost_per_agent_hour = Some(36.0);
        f.params.campaign_factors.insert("CAMP1".into(), [80.0, 30.0, 60.0]);
        f.params.e4_weights.insert("roi".into(), 2.0);
        f.build()
    })
}

fn campaign(id: &str) -> Vec<String> {
    let rows = built().scratch.rows(&format!(
        "SELECT CAST(month AS VARCHAR), offers, recommended_offers, marketing_successes, pitch_s, cost, revenue, \
         roi, pause, acceptance_rate, efficiency, evaluation_score \
         FROM marts_marketing_benefit_monthly WHERE campaign_id = '{id}'"
    ));
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows[0].clone()
}

#[test]
fn profitable_campaign() {
    // CAMP1: pitch 60 + 30 + 90 + 0 = 180 s → 180/3600 × 36 = 1.8 元, + commission 5 + 2 = 8.8;
    // revenue 30 + 10 = 40; ROI = (40 − 8.8)/8.8 = 3.5454…; cost/revenue = 0.22 ≤ 0.5 → no pause.
    // acceptance = 2/3; efficiency = 2 / (180/3600) = 40 successes per pitch hour.
    // Evaluation (weights 1, roi 2; factors 80, 30, 60): (80 + (100 − 30) + 60 + 66.667 +
    // 2 × 100·min(max(3.545, 0), 1)) / 6 = 476.667 / 6 = 79.4444…
    let r = campaign("CAMP1");
    assert_eq!(&r[..5], &["2026-11-01", "4", "3", "2", "180"]);
    assert_close(&r[5], 8.8);
    assert_close(&r[6], 40.0);
    assert_close(&r[7], 31.2 / 8.8);
    assert_eq!(r[8], "false");
    assert_close(&r[9], 2.0 / 3.0);
    assert_close(&r[10], 40.0);
    assert_close(&r[11], (80.0 + 70.0 + 60.0 + 200.0 / 3.0 + 200.0) / 6.0);
}

#[test]
fn campaign_without_revenue_is_paused() {
    // CAMP2: cost 120/3600 × 36 = 1.2, revenue 0 → ROI = −1, pause (revenue = 0 < cost);
    // acceptance 0/1 = 0; efficiency 0. Evaluation with default factors 50:
    // (50 + 50 + 50 + 0 + 2 × 0) / 6 = 25.
    let r = campaign("CAMP2");
    assert_close(&r[5], 1.2);
    assert_close(&r[6], 0.0);
    assert_close(&r[7], -1.0);
    assert_eq!(r[8], "true");
    assert_close(&r[9], 0.0);
    assert_close(&r[10], 0.0);
    assert_close(&r[11], 25.0);
}
