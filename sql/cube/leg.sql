-- cube.leg: additive leg measures by queue_start interval × center × skill group × team × site
-- × agent × city × brand (metrics.md, Attribution). "scored" counts drop short abandons when
-- exclude_short_abandons is set (A1, A2, C2, C4, C5, C17); the plain counts never do.
-- kind: by_date
WITH l AS (
    SELECT
        f.*,
        f.is_request AND NOT (p.exclude_short_abandons AND f.is_short_abandon) AS is_scored_request,
        f.is_abandoned AND NOT (p.exclude_short_abandons AND f.is_short_abandon) AS is_scored_abandon,
        p.service_level_s,
        COALESCE(e.resolved, false) AS resolved
    FROM params AS p
    CROSS JOIN conformed_fact_agent_leg AS f
    LEFT JOIN conformed_fact_effective_call AS e ON e.leg_id = f.leg_id
)
SELECT
    dt,
    interval_start,
    center_id,
    skill_group,
    team_id,
    site,
    agent_id,
    city_code,
    brand,
    SUM(CASE WHEN is_request THEN 1 ELSE 0 END) AS requests,
    SUM(CASE WHEN is_scored_request THEN 1 ELSE 0 END) AS scored_requests,
    SUM(CASE WHEN is_answered_request THEN 1 ELSE 0 END) AS answered_requests,
    SUM(CASE WHEN is_answered THEN 1 ELSE 0 END) AS answered_legs,
    SUM(CASE WHEN is_answered_request AND wait_s <= 15 THEN 1 ELSE 0 END) AS answered_within_15s,
    SUM(CASE WHEN is_answered_request AND wait_s <= 20 THEN 1 ELSE 0 END) AS answered_within_20s,
    SUM(CASE WHEN is_answered_request AND wait_s <= 30 THEN 1 ELSE 0 END) AS answered_within_30s,
    SUM(CASE WHEN is_answered_request AND wait_s <= service_level_s THEN 1 ELSE 0 END) AS answered_within_sl,
    SUM(CASE WHEN is_abandoned THEN 1 ELSE 0 END) AS abandoned,
    SUM(CASE WHEN is_scored_abandon THEN 1 ELSE 0 END) AS scored_abandoned,
    SUM(CASE WHEN is_short_abandon THEN 1 ELSE 0 END) AS short_abandons,
    SUM(CASE WHEN is_unanswered_other THEN 1 ELSE 0 END) AS unanswered_other,
    SUM(CASE WHEN is_answered_request THEN wait_s ELSE 0 END) AS wait_answered_s,
    -- F3: answer_time − the call's ivr_start; a request whose call is unknown adds nothing
    SUM(CASE WHEN is_answered_request AND ivr_start IS NOT NULL
        THEN CAST(date_part('epoch', answer_time) - date_part('epoch', ivr_start) AS BIGINT) ELSE 0 END)
        AS time_to_agent_s,
    SUM(CASE WHEN is_scored_abandon THEN wait_s ELSE 0 END) AS wait_abandoned_s,
    SUM(CASE WHEN is_scored_request THEN wait_s ELSE 0 END) AS wait_requests_s,
    SUM(CASE WHEN is_scored_request AND wait_s > 0 THEN 1 ELSE 0 END) AS queued_requests,
    SUM(CASE WHEN is_answered THEN handling_s ELSE 0 END) AS handling_s,
    SUM(CASE WHEN is_answered THEN talk_s ELSE 0 END) AS talk_s,
    SUM(CASE WHEN is_answered THEN hold_s ELSE 0 END) AS hold_s,
    SUM(CASE WHEN is_answered THEN acw_s ELSE 0 END) AS acw_s,
    SUM(CASE WHEN is_answered AND transferred THEN 1 ELSE 0 END) AS transferred_legs,
    SUM(CASE WHEN is_effective THEN 1 ELSE 0 END) AS effective_calls,
    SUM(CASE WHEN is_effective AND resolved THEN 1 ELSE 0 END) AS resolved_calls
FROM l
GROUP BY dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand
