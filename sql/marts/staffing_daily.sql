-- marts.staffing_daily (metrics.md E3, the planning identity) per business date × center ×
-- skill group, from that date's actuals:
--   agents × online_utilization × attendance × scheduled_hours × redundancy_loss
--     = (calls × answer_rate × service_share × service_aht_s
--        + calls × answer_rate × popup_rate × recommend_rate × marketing_aht_s) / 3600
-- solved for required_agents and compared with the scheduled agent-days (gap = scheduled −
-- required; negative = short). calls = offered legs = manual requests (C1, manual_requests)
-- + legs transferred into the group (origin 'transfer', transfer_legs), so a group that only
-- receives transfers still has a workload; answer_rate = answered legs / offered legs;
-- service_aht_s = (Σ handling seconds of the answered legs − Σ pitch seconds of the offers on
-- them) / answered legs: C6 already holds the pitch talk, which the marketing term counts (pitch
-- seconds of an offer: pitch_s, else marketing_pitch_s when recommended, else 0 — the same
-- pitch_seconds the marketing term sums); popup_rate = offers / answered requests,
-- recommend_rate = recommended / offers,
-- marketing_aht_s = pitch seconds of recommended offers / recommended offers,
-- online_utilization = C20, attendance = C18, scheduled_hours = scheduled seconds / 3600 /
-- scheduled agent-days; service_share and redundancy_loss are parameters. A day without calls
-- has no workload, one without recommended offers no marketing workload (0, not NULL:
-- callcube convention). Any
-- other factor that divides by zero makes required_agents NULL.
-- Determinism: sums are over integer counts and seconds (scheduled seconds: decimals); each
-- factor is one division of two sums, computed per row.
-- kind: by_date
-- is_final compares settled_days with 1 only
-- finality: 1
WITH legs AS (
    SELECT dt, center_id, skill_group,
           SUM(CASE WHEN is_request THEN 1 ELSE 0 END) AS manual_requests,
           SUM(CASE WHEN origin = 'transfer' THEN 1 ELSE 0 END) AS transfer_legs,
           SUM(CASE WHEN is_answered_request THEN 1 ELSE 0 END) AS answered_requests,
           SUM(CASE WHEN is_answered THEN handling_s ELSE 0 END) AS handling_s,
           SUM(CASE WHEN is_answered THEN 1 ELSE 0 END) AS answered_legs
    FROM conformed_fact_agent_leg
    GROUP BY dt, center_id, skill_group
),
answered_pitch AS (
    -- Offers take their leg's date, center and skill group (conformed_fact_offer), so these are
    -- the offers on the answered legs counted in legs.
    SELECT l.dt, l.center_id, l.skill_group, SUM(o.pitch_seconds) AS pitch_s
    FROM conformed_fact_offer AS o
    JOIN conformed_fact_agent_leg AS l ON l.leg_id = o.leg_id
    WHERE l.is_answered
    GROUP BY l.dt, l.center_id, l.skill_group
),
offers AS (
    SELECT dt, center_id, skill_group,
           SUM(offers) AS offers,
           SUM(recommended_offers) AS recommended_offers,
           SUM(recommended_pitch_s) AS recommended_pitch_s
    FROM cube_offer
    GROUP BY dt, center_id, skill_group
),
agents AS (
    SELECT dt, center_id, skill_group,
           SUM(logged_in_s) AS logged_in_s,
           SUM(talk_state_s + hold_state_s + acw_state_s) AS busy_s,
           SUM(scheduled_s) AS scheduled_s,
           SUM(scheduled_agent_days) AS scheduled_agent_days,
           SUM(attended_agent_days) AS attended_agent_days
    FROM cube_agent_time
    GROUP BY dt, center_id, skill_group
),
keys AS (
    SELECT dt, center_id, skill_group FROM legs
    UNION
    SELECT dt, center_id, skill_group FROM agents
),
factors AS (
    SELECT
        k.dt, k.center_id, k.skill_group,
        COALESCE(l.manual_requests, 0) AS manual_requests,
        COALESCE(l.transfer_legs, 0) AS transfer_legs,
        COALESCE(l.manual_requests, 0) + COALESCE(l.transfer_legs, 0) AS calls,
        CAST(l.answered_legs AS DOUBLE) / NULLIF(l.manual_requests + l.transfer_legs, 0) AS answer_rate,
        CAST(l.handling_s - COALESCE(ap.pitch_s, 0) AS DOUBLE) / NULLIF(l.answered_legs, 0) AS service_aht_s,
        COALESCE(o.offers, 0) AS offers,
        COALESCE(o.recommended_offers, 0) AS recommended_offers,
        CAST(COALESCE(o.offers, 0) AS DOUBLE) / NULLIF(l.answered_requests, 0) AS popup_rate,
        CAST(o.recommended_offers AS DOUBLE) / NULLIF(o.offers, 0) AS recommend_rate,
        CAST(o.recommended_pitch_s AS DOUBLE) / NULLIF(o.recommended_offers, 0) AS marketing_aht_s,
        CAST(a.busy_s AS DOUBLE) / NULLIF(a.logged_in_s, 0) AS online_utilization,
        CAST(a.attended_agent_days AS DOUBLE) / NULLIF(a.scheduled_agent_days, 0) AS attendance,
        CAST(a.scheduled_s AS DOUBLE) / 3600.0 / NULLIF(a.scheduled_agent_days, 0) AS scheduled_hours,
        COALESCE(a.scheduled_agent_days, 0) AS scheduled_agent_days
    FROM keys AS k
    LEFT JOIN legs AS l ON l.dt = k.dt AND l.center_id = k.center_id AND l.skill_group = k.skill_group
    LEFT JOIN answered_pitch AS ap
        ON ap.dt = k.dt AND ap.center_id = k.center_id AND ap.skill_group = k.skill_group
    LEFT JOIN offers AS o ON o.dt = k.dt AND o.center_id = k.center_id AND o.skill_group = k.skill_group
    LEFT JOIN agents AS a ON a.dt = k.dt AND a.center_id = k.center_id AND a.skill_group = k.skill_group
),
workload AS (
    SELECT
        f.*,
        p.service_share,
        p.redundancy_loss,
        CASE
            WHEN f.calls = 0 THEN 0.0
            ELSE f.calls * f.answer_rate * p.service_share * f.service_aht_s / 3600.0
        END AS service_workload_h,
        CASE
            WHEN f.calls = 0 OR f.recommended_offers = 0 THEN 0.0
            ELSE f.calls * f.answer_rate * f.popup_rate * f.recommend_rate * f.marketing_aht_s / 3600.0
        END AS marketing_workload_h
    FROM params AS p
    CROSS JOIN factors AS f
)
SELECT
    x.dt, center_id, skill_group,
    manual_requests, transfer_legs, calls, answer_rate, service_share, service_aht_s,
    offers, popup_rate, recommend_rate, marketing_aht_s,
    online_utilization, attendance, scheduled_hours, redundancy_loss,
    service_workload_h + marketing_workload_h AS workload_hours,
    (service_workload_h + marketing_workload_h)
        / NULLIF(online_utilization * attendance * scheduled_hours * redundancy_loss, 0) AS required_agents,
    scheduled_agent_days,
    scheduled_agent_days - (service_workload_h + marketing_workload_h)
        / NULLIF(online_utilization * attendance * scheduled_hours * redundancy_loss, 0) AS gap_agents,
    COALESCE(fin.settled_days >= 1, false) AS is_final
FROM workload AS x
LEFT JOIN finality_dates AS fin ON fin.dt = x.dt
