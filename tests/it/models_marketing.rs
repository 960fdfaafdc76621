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
//! | O6    | CAMP3    | P5G     | 700     | yes         | yes      | R6 success | yes     |
//! | O7    | CAMP4    | P5G     | 500     | yes         | yes      | R7 success | yes     |
//!
//! Weights: 1 per factor, roi 2; e4_roi_target 3.0 (default).

use std::sync::OnceLock;

use crate::fixture::{Built, Fixture, assert_close, t};

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        let legs: Vec<String> = ["10:00:00", "10:10:00", "10:20:00", "10:30:00", "10:40:00", "10:50:00"]
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
            format!("O6,L4,A1,CAMP3,P5G,{},700,1,1,R6", t("10:41:00")),
            format!("O7,L5,A1,CAMP4,P5G,{},500,1,1,R7", t("10:51:00")),
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
            format!(
                "R6,13800000004,hotline,K4,A1,P5G,subscribe,success,{},30.00,1",
                t("10:45:00")
            ),
            format!(
                "R7,13800000005,hotline,K5,A1,P5G,subscribe,success,{},30.00,1",
                t("10:55:00")
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
    // 2 × 100·min(max(3.545, 0) / 3, 1) = 2 × 100) / 6 = 476.667 / 6 = 79.4444…
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

#[test]
fn roi_factor_grows_up_to_the_roi_target() {
    // Two campaigns, neither paused, each one success of P5G (price 30, commission 5) from one
    // recommended offer: acceptance 1/1 → 100; default factors 50, 50, 50.
    // CAMP3: pitch 700 s → 700/3600 × 36 = 7 元, + commission 5 = cost 12; revenue 30;
    // ROI = (30 − 12)/12 = 1.5; cost/revenue = 0.4 ≤ 0.5 → no pause; ROI factor =
    // 100 × min(1.5 / 3, 1) = 50. Evaluation = (50 + (100 − 50) + 50 + 100 + 2 × 50) / 6 =
    // 350/6 = 58.333…; efficiency 1 / (700/3600) = 36/7 = 5.142857… per pitch hour.
    let r = campaign("CAMP3");
    assert_eq!(&r[..5], &["2026-11-01", "1", "1", "1", "700"]);
    assert_close(&r[5], 12.0);
    assert_close(&r[6], 30.0);
    assert_close(&r[7], 1.5);
    assert_eq!(r[8], "false");
    assert_close(&r[9], 1.0);
    assert_close(&r[10], 36.0 / 7.0);
    assert_close(&r[11], 350.0 / 6.0);
    // CAMP4: pitch 500 s → 5 元, + 5 = cost 10; revenue 30; ROI = 20/10 = 2; cost/revenue =
    // 0.333 → no pause; ROI factor = 100 × min(2 / 3, 1) = 66.667. Evaluation = (50 + 50 + 50 +
    // 100 + 2 × 200/3) / 6 = (250 + 133.333) / 6 = 63.888…; efficiency 3600/500 = 7.2.
    // (Capped at ROI = 1, both factors were 100 and both scores 450/6 = 75.)
    let r = campaign("CAMP4");
    assert_close(&r[5], 10.0);
    assert_close(&r[6], 30.0);
    assert_close(&r[7], 2.0);
    assert_eq!(r[8], "false");
    assert_close(&r[10], 7.2);
    assert_close(&r[11], (250.0 + 400.0 / 3.0) / 6.0);
}

/// The product snapshot in force on each success's date, on its own fixture. Product PX is
/// sent on the 10th (price 30.00), the 12th (30.00 again), the 14th (40.00) and the 16th (30.00
/// again); commission 1.00 throughout. CAMPX has one success on each of the 9th, 13th, 15th and
/// 17th (popup 10:01, order 10:05, leg queued 10:00 the same day):
/// - the 9th: no snapshot on or before it → the earliest after it, the 10th's: 30;
/// - the 13th: the latest on or before it is the 12th's: 30;
/// - the 15th: the 14th's: 40;
/// - the 17th: the 16th's: 30 (the 10th–12th's price again, but a later snapshot than the 14th's).
///
/// Revenue 30 + 30 + 40 + 30 = 130; commission 4 × 1 = 4, pitch 4 × 60 s = 240 s → 240/3600 × 36 =
/// 2.4 元: cost 6.4. (Taking the 17th's price from the first run of 30.00, as one run, would give
/// the 14th's 40 and revenue 140.)
#[test]
fn each_success_is_priced_by_the_product_snapshot_in_force_on_its_date() {
    let mut f = Fixture::new();
    for (day, price) in [("10", "30.00"), ("12", "30.00"), ("14", "40.00"), ("16", "30.00")] {
        let folder = format!("2026-11-{day}");
        f.add_at("boss/products", &folder, &[&format!("PX,产品X,plan,{price},1.00")]);
    }
    for (i, day) in ["09", "13", "15", "17"].iter().enumerate() {
        let folder = format!("2026-11-{day}");
        let at = |clock: &str| format!("{folder} {clock}");
        let q = at("10:00:00");
        f.add_at(
            "hotline/agent_legs",
            &folder,
            &[&format!("LX{i},KX{i},1,ivr,S1,{q},{q},{q},A1,100,0,20,0,customer")],
        );
        f.add_at(
            "hotline/offers",
            &folder,
            &[&format!("OX{i},LX{i},A1,CAMPX,PX,{},60,1,1,RX{i}", at("10:01:00"))],
        );
        f.add_at(
            "boss/orders",
            &folder,
            &[&format!(
                "RX{i},1380000009{i},hotline,KX{i},A1,PX,subscribe,success,{},30.00,1",
                at("10:05:00")
            )],
        );
    }
    f.params.cost_per_agent_hour = Some(36.0);
    let built = f.build();
    let rows = built.scratch.rows(
        "SELECT CAST(month AS VARCHAR), marketing_successes, revenue, cost \
         FROM marts_marketing_benefit_monthly WHERE campaign_id = 'CAMPX'",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(&rows[0][..2], &["2026-11-01", "4"]);
    assert_close(&rows[0][2], 130.0);
    assert_close(&rows[0][3], 6.4);
}
