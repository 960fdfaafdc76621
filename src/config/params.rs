//! The parameters of `metrics.md` ("Parameters"), with their defaults.
//! They reach SQL as data (a one-row `params` table), never pasted into text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Base of C10 talk utilisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TalkRateBase {
    /// Logged-in seconds.
    LoggedIn,
    /// Scheduled seconds (上班的时间).
    Scheduled,
}

/// How D7 counts removals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum D7RemovalMode {
    /// Unsubscribes processed by the agent.
    AgentProcessed,
    /// Unsubscribes of what the agent sold.
    MarketedChurn,
}

/// Every tunable of the metric catalog.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    pub single_center_id: Option<String>,
    pub data_timezone: String,
    pub short_abandon_s: i64,
    pub exclude_short_abandons: bool,
    pub service_level_s: i64,
    pub fcr_window_h: i64,
    pub handling_excluded_codes: Vec<String>,
    pub repeat_lookback_days: i64,
    pub b10_all_complaints: bool,
    pub scorecard_weights: BTreeMap<String, f64>,
    pub a8_floor_points: i64,
    pub a13_roles: Vec<String>,
    pub talk_rate_base: TalkRateBase,
    pub adherence_states: Vec<String>,
    pub login_gap_s: i64,
    pub cost_per_agent_hour: Option<f64>,
    pub marketing_pitch_s: i64,
    pub d_min_answered: i64,
    pub d_weights: BTreeMap<String, f64>,
    pub d7_removal_mode: D7RemovalMode,
    pub max_logins_per_day: i64,
    pub outlier_min_talk_s: i64,
    pub outlier_aht_factor: f64,
    pub outlier_share: f64,
    pub offer_complaint_days: i64,
    pub night_start: String,
    pub night_end: String,
    pub night_surge_factor: f64,
    pub night_baseline_days: i64,
    /// Nights with data needed before `night_surge` can flag.
    pub night_baseline_min_nights: i64,
    /// Peers at each end per indicator in the extremes mart (两端员工).
    pub d_extremes_n: i64,
    pub e1_current_cap: f64,
    pub e1_baseline_days: i64,
    pub e1_key_dimensions: Vec<String>,
    pub e1_key_weight: f64,
    pub e1_complex_factor: f64,
    pub e1_high_value_min: f64,
    pub e2_arpu_high: f64,
    pub e2_arpu_low: f64,
    pub service_share: f64,
    pub redundancy_loss: f64,
    pub erlang_target_sl: f64,
    pub max_cost_ratio: f64,
    /// ROI that earns E4's full ROI factor.
    pub e4_roi_target: f64,
    pub e4_weights: BTreeMap<String, f64>,
    pub campaign_factors: BTreeMap<String, [f64; 3]>,
    /// A work order open longer than this is overdue (F8, 两天内答复).
    pub wo_due_hours: i64,
    /// `ivr_code_map(self_service_code, business_code)`; identity when absent.
    pub ivr_code_map: BTreeMap<String, String>,
}

impl Default for Params {
    fn default() -> Self {
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        Params {
            single_center_id: None,
            data_timezone: "Asia/Shanghai".into(),
            short_abandon_s: 5,
            exclude_short_abandons: false,
            service_level_s: 20,
            fcr_window_h: 24,
            handling_excluded_codes: Vec::new(),
            repeat_lookback_days: 90,
            b10_all_complaints: false,
            scorecard_weights: BTreeMap::new(),
            a8_floor_points: 2,
            a13_roles: strings(&["agent"]),
            talk_rate_base: TalkRateBase::LoggedIn,
            adherence_states: strings(&["READY", "TALK", "HOLD", "ACW"]),
            login_gap_s: 5,
            cost_per_agent_hour: None,
            marketing_pitch_s: 30,
            d_min_answered: 100,
            d_weights: BTreeMap::new(),
            d7_removal_mode: D7RemovalMode::AgentProcessed,
            max_logins_per_day: 4,
            outlier_min_talk_s: 10,
            outlier_aht_factor: 3.0,
            outlier_share: 0.05,
            offer_complaint_days: 7,
            night_start: "22:00".into(),
            night_end: "06:00".into(),
            night_surge_factor: 2.0,
            night_baseline_days: 28,
            night_baseline_min_nights: 7,
            d_extremes_n: 5,
            e1_current_cap: 100.0,
            e1_baseline_days: 30,
            e1_key_dimensions: strings(&["historical", "current"]),
            e1_key_weight: 2.0,
            e1_complex_factor: 2.0,
            e1_high_value_min: 60.0,
            e2_arpu_high: 150.0,
            e2_arpu_low: 50.0,
            service_share: 1.0,
            redundancy_loss: 0.9,
            erlang_target_sl: 0.86,
            max_cost_ratio: 0.5,
            e4_roi_target: 3.0,
            e4_weights: BTreeMap::new(),
            campaign_factors: BTreeMap::new(),
            wo_due_hours: 48,
            ivr_code_map: BTreeMap::new(),
        }
    }
}

type Invalid = (&'static str, String);

fn at_least(key: &'static str, v: i64, min: i64) -> Result<(), Invalid> {
    if v < min {
        Err((key, format!("expected an integer ≥ {min}, found {v}")))
    } else {
        Ok(())
    }
}

fn fraction(key: &'static str, v: f64, open_low: bool) -> Result<(), Invalid> {
    let ok = if open_low {
        v > 0.0 && v <= 1.0
    } else {
        (0.0..=1.0).contains(&v)
    };
    if ok {
        Ok(())
    } else {
        Err((
            key,
            format!(
                "expected a number in {}0, 1], found {v}",
                if open_low { "(" } else { "[" }
            ),
        ))
    }
}

fn positive(key: &'static str, v: f64) -> Result<(), Invalid> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err((key, format!("expected a number > 0, found {v}")))
    }
}

fn clock(key: &'static str, v: &str) -> Result<(), Invalid> {
    chrono::NaiveTime::parse_from_str(v, "%H:%M")
        .map(|_| ())
        .map_err(|_| (key, format!("expected HH:MM, found `{v}`")))
}

fn weights(key: &'static str, w: &BTreeMap<String, f64>, allowed: &[&str]) -> Result<(), Invalid> {
    for (k, v) in w {
        if !allowed.contains(&k.as_str()) {
            return Err((
                key,
                format!("unknown weight `{k}`; expected one of {}", allowed.join(", ")),
            ));
        }
        if !(v.is_finite() && *v >= 0.0) {
            return Err((key, format!("weight `{k}` must be ≥ 0, found {v}")));
        }
    }
    Ok(())
}

impl Params {
    /// Range checks serde cannot express; returns the offending key and why.
    pub fn validate(&self) -> Result<(), Invalid> {
        self.data_timezone.parse::<chrono_tz::Tz>().map_err(|_| {
            (
                "data_timezone",
                format!("`{}` is not an IANA time zone", self.data_timezone),
            )
        })?;
        at_least("short_abandon_s", self.short_abandon_s, 0)?;
        at_least("service_level_s", self.service_level_s, 1)?;
        at_least("fcr_window_h", self.fcr_window_h, 1)?;
        at_least("repeat_lookback_days", self.repeat_lookback_days, 1)?;
        at_least("login_gap_s", self.login_gap_s, 0)?;
        at_least("marketing_pitch_s", self.marketing_pitch_s, 0)?;
        at_least("d_min_answered", self.d_min_answered, 0)?;
        at_least("max_logins_per_day", self.max_logins_per_day, 1)?;
        at_least("offer_complaint_days", self.offer_complaint_days, 1)?;
        at_least("night_baseline_days", self.night_baseline_days, 1)?;
        at_least("night_baseline_min_nights", self.night_baseline_min_nights, 1)?;
        at_least("d_extremes_n", self.d_extremes_n, 1)?;
        at_least("e1_baseline_days", self.e1_baseline_days, 1)?;
        at_least("wo_due_hours", self.wo_due_hours, 0)?;
        if !(0..=5).contains(&self.a8_floor_points) {
            return Err((
                "a8_floor_points",
                format!("expected 0..=5 points, found {}", self.a8_floor_points),
            ));
        }
        // 1.0 would need infinitely many agents: required_agents would silently be NULL.
        if !(self.erlang_target_sl > 0.0 && self.erlang_target_sl < 1.0) {
            return Err((
                "erlang_target_sl",
                format!(
                    "expected a share in (0, 1) — 1.0 needs infinitely many agents — found {}",
                    self.erlang_target_sl
                ),
            ));
        }
        fraction("outlier_share", self.outlier_share, false)?;
        fraction("service_share", self.service_share, true)?;
        fraction("redundancy_loss", self.redundancy_loss, true)?;
        for (k, v) in [
            ("outlier_aht_factor", self.outlier_aht_factor),
            ("night_surge_factor", self.night_surge_factor),
            ("e1_current_cap", self.e1_current_cap),
            ("e1_key_weight", self.e1_key_weight),
            ("e1_complex_factor", self.e1_complex_factor),
            ("max_cost_ratio", self.max_cost_ratio),
            ("e4_roi_target", self.e4_roi_target),
        ] {
            positive(k, v)?;
        }
        if let Some(c) = self.cost_per_agent_hour {
            positive("cost_per_agent_hour", c)?;
        }
        if self.e2_arpu_low > self.e2_arpu_high {
            return Err((
                "e2_arpu_low",
                format!("{} is above e2_arpu_high {}", self.e2_arpu_low, self.e2_arpu_high),
            ));
        }
        clock("night_start", &self.night_start)?;
        clock("night_end", &self.night_end)?;
        const STATES: &[&str] = &["READY", "NOT_READY", "TALK", "HOLD", "ACW"];
        if let Some(s) = self.adherence_states.iter().find(|s| !STATES.contains(&s.as_str())) {
            return Err((
                "adherence_states",
                format!("`{s}` is not an agent state; expected {}", STATES.join(", ")),
            ));
        }
        const ROLES: &[&str] = &[
            "agent",
            "online_agent",
            "team_leader",
            "qa_inspector",
            "trainer",
            "manager",
        ];
        if let Some(r) = self.a13_roles.iter().find(|r| !ROLES.contains(&r.as_str())) {
            return Err((
                "a13_roles",
                format!("`{r}` is not a role; expected {}", ROLES.join(", ")),
            ));
        }
        const DIMS: &[&str] = &["historical", "current", "future", "influence", "elastic"];
        if let Some(d) = self.e1_key_dimensions.iter().find(|d| !DIMS.contains(&d.as_str())) {
            return Err((
                "e1_key_dimensions",
                format!("`{d}` is not a dimension; expected {}", DIMS.join(", ")),
            ));
        }
        weights(
            "scorecard_weights",
            &self.scorecard_weights,
            &["A1", "A2", "A3", "A5", "A6", "A8", "A9", "A10", "A11", "A12", "A13"],
        )?;
        weights(
            "d_weights",
            &self.d_weights,
            &["D1", "D2", "D3", "D4", "D5", "D6", "D7"],
        )?;
        weights(
            "e4_weights",
            &self.e4_weights,
            &["importance", "difficulty", "channel_fit", "acceptance", "roi"],
        )?;
        for (campaign, f) in &self.campaign_factors {
            if f.iter().any(|x| !(0.0..=100.0).contains(x)) {
                return Err((
                    "campaign_factors",
                    format!("`{campaign}`: factors must be 0..=100, found {f:?}"),
                ));
            }
        }
        Ok(())
    }
}
