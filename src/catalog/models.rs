//! The decision models of metrics.md sections D and E: what each computes,
//! the marts it writes and the parameters it reads, for `callcube metrics`.
//! The models themselves are SQL under `sql/marts/` (tags: `sql/tags/`).

/// One model, as the catalog prints it.
#[derive(Debug, Clone, Copy)]
pub struct ModelDoc {
    pub id: &'static str,
    pub key: &'static str,
    pub zh: &'static str,
    pub marts: &'static [&'static str],
    pub params: &'static [&'static str],
    pub description: &'static str,
}

/// Every model, in the order of metrics.md.
pub const MODELS: &[ModelDoc] = &[
    ModelDoc {
        id: "D",
        key: "agent_performance",
        zh: "相对绩效评价模型",
        marts: &["marts_agent_performance_monthly", "marts_agent_extremes_monthly"],
        params: &[
            "d_min_answered",
            "d_weights",
            "d7_removal_mode",
            "talk_rate_base",
            "max_logins_per_day",
            "outlier_min_talk_s",
            "outlier_aht_factor",
            "outlier_share",
            "offer_complaint_days",
            "night_start",
            "night_end",
            "night_surge_factor",
            "night_baseline_days",
            "night_baseline_min_nights",
            "d_extremes_n",
        ],
        description: "Per agent and team per month: indicators D1–D7, min-max scores 0–100 among the \
                      center's peers (≥ d_min_answered answered legs), weighted composite, rank, \
                      rank per indicator (rank_d1–rank_d7, 此指标排名), weighted calls (测算电话数) \
                      and control flags. Per center, month and indicator: the top and bottom \
                      d_extremes_n agent peers (两端员工).",
    },
    ModelDoc {
        id: "E1",
        key: "traffic_value",
        zh: "话务价值评估",
        marts: &["marts_traffic_value_leg", "marts_traffic_value_daily"],
        params: &[
            "e1_current_cap",
            "e1_baseline_days",
            "e1_key_dimensions",
            "e1_key_weight",
            "e1_complex_factor",
            "e1_high_value_min",
            "fcr_window_h",
            "ivr_code_map",
        ],
        description: "Per answered leg: historical (ARPU percent rank; NULL without an arpu_3m), \
                      current, future, influence and elastic scores, value score and class \
                      (complex / high_value / low_value); per day, business code and skill group: \
                      class shares and the recommended action.",
    },
    ModelDoc {
        id: "E2",
        key: "customer_tags",
        zh: "客户标签",
        marts: &["marts_customer_tags", "marts_customer_profile"],
        params: &["e2_arpu_high", "e2_arpu_low", "repeat_lookback_days"],
        description: "Tags declared as data (sql/tags/*.toml: name, SQL rule, strategy), evaluated \
                      per customer as of each business date (dissatisfied: a valid survey result 3 \
                      or a service complaint in 30 days → service_repair); the profile lists each \
                      customer's tags and service strategies.",
    },
    ModelDoc {
        id: "E3",
        key: "staffing",
        zh: "人力资源配置",
        marts: &["marts_staffing_daily", "marts_staffing_interval"],
        params: &[
            "service_share",
            "redundancy_loss",
            "erlang_target_sl",
            "service_level_s",
            "marketing_pitch_s",
        ],
        description: "Per day and skill group: the planning identity solved for agents, against the \
                      scheduled agent-days; calls are the legs offered to the group (manual \
                      requests plus transfers in), service AHT leaves out the pitch seconds the \
                      marketing term counts. Per 30-minute interval: Erlang C agents required for \
                      the target and the agents staffed (READY, TALK, HOLD, ACW seconds / 1800), \
                      over/under staffing, and for both P(wait), service level, ASA and \
                      occupancy. Calculator: `callcube staffing`.",
    },
    ModelDoc {
        id: "E4",
        key: "marketing_benefit",
        zh: "营销效益评估",
        marts: &["marts_marketing_benefit_monthly"],
        params: &[
            "cost_per_agent_hour",
            "max_cost_ratio",
            "e4_roi_target",
            "e4_weights",
            "campaign_factors",
            "marketing_pitch_s",
        ],
        description: "Per campaign and month: cost, revenue, ROI, pause flag, acceptance rate, \
                      execution efficiency and the weighted evaluation score (ROI factor \
                      100 × min(max(ROI, 0) / e4_roi_target, 1)).",
    },
];

/// What `erlang_target_sl` means on the scorecard: the A2 points a service
/// level equal to the target would score.
pub fn erlang_target_points(params: &serde_json::Value) -> Option<i64> {
    let target = params.get("erlang_target_sl")?.as_f64()?;
    super::find("A2")?.points_at(target * 100.0, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_target_maps_onto_a2_bands() {
        // A2 bands: 5: x > 85 · 4: 83 < x ≤ 85 · 3: 80 < x ≤ 83 · else 2.
        let at = |t: f64| erlang_target_points(&serde_json::json!({ "erlang_target_sl": t }));
        assert_eq!(at(0.86), Some(5));
        assert_eq!(at(0.85), Some(4));
        assert_eq!(at(0.81), Some(3));
        assert_eq!(at(0.80), Some(2));
    }
}
