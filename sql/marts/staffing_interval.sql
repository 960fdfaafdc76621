-- marts.staffing_interval (metrics.md E3, Erlang C): per 30-minute interval × center × skill
-- group, the agents required for the target service level and what the agents actually
-- logged in gave.
--   calls                  C1: manual requests queued in the interval
--   aht_s                  C6 of the interval (Σ handling / answered legs); the day's C6 of the
--                          skill group when the interval has no answered leg (aht_source 'day')
--   traffic_erlangs        a = calls × aht_s / 1800
--   required_agents        smallest N > a with 1 − P·e^(−(N − a)·service_level_s / AHT) ≥
--                          erlang_target_sl (0 without calls)
--   staffed_agents         logged-in seconds of the skill group (primary) / 1800
--   over_under             staffed_agents − required_agents (negative = understaffed)
--   expected_service_level, expected_asa_s  Erlang C with floor(staffed_agents) agents
--                          (an agent logged in for part of the interval is not a server)
WITH legs AS (
    SELECT dt, interval_start, center_id, skill_group,
           SUM(requests) AS calls, SUM(handling_s) AS handling_s, SUM(answered_legs) AS answered_legs
    FROM cube_leg
    GROUP BY dt, interval_start, center_id, skill_group
),
day_aht AS (
    SELECT dt, center_id, skill_group,
           CAST(SUM(handling_s) AS DOUBLE) / NULLIF(SUM(answered_legs), 0) AS aht_s
    FROM legs
    GROUP BY dt, center_id, skill_group
),
staffed AS (
    SELECT dt, interval_start, center_id, skill_group, SUM(logged_in_s) AS logged_in_s
    FROM cube_agent_time
    GROUP BY dt, interval_start, center_id, skill_group
),
slots AS (
    SELECT
        COALESCE(l.dt, s.dt) AS dt,
        COALESCE(l.interval_start, s.interval_start) AS interval_start,
        COALESCE(l.center_id, s.center_id) AS center_id,
        COALESCE(l.skill_group, s.skill_group) AS skill_group,
        COALESCE(l.calls, 0) AS calls,
        CAST(l.handling_s AS DOUBLE) / NULLIF(l.answered_legs, 0) AS interval_aht_s,
        COALESCE(s.logged_in_s, 0) AS logged_in_s
    FROM legs AS l
    FULL JOIN staffed AS s
        ON s.dt = l.dt AND s.interval_start = l.interval_start
        AND s.center_id = l.center_id AND s.skill_group = l.skill_group
),
traffic AS (
    SELECT
        t.*,
        COALESCE(t.interval_aht_s, d.aht_s) AS aht_s,
        CASE WHEN t.interval_aht_s IS NOT NULL THEN 'interval' WHEN d.aht_s IS NOT NULL THEN 'day' END
            AS aht_source,
        CAST(t.calls AS DOUBLE) * COALESCE(t.interval_aht_s, d.aht_s) / 1800.0 AS traffic_erlangs,
        CAST(t.logged_in_s AS DOUBLE) / 1800.0 AS staffed_agents
    FROM slots AS t
    LEFT JOIN day_aht AS d ON d.dt = t.dt AND d.center_id = t.center_id AND d.skill_group = t.skill_group
),
required AS (
    SELECT
        t.*,
        p.erlang_target_sl AS target_service_level,
        p.service_level_s AS service_level_s,
        CASE
            WHEN t.calls = 0 THEN 0
            ELSE erlang_required_agents(t.traffic_erlangs, t.aht_s, CAST(p.service_level_s AS DOUBLE),
                p.erlang_target_sl)
        END AS required_agents
    FROM params AS p
    CROSS JOIN traffic AS t
)
SELECT
    x.dt,
    interval_start,
    center_id,
    skill_group,
    calls,
    aht_s,
    aht_source,
    traffic_erlangs,
    target_service_level,
    service_level_s,
    required_agents,
    staffed_agents,
    staffed_agents - required_agents AS over_under,
    erlang_service_level(staffed_agents, traffic_erlangs, aht_s, CAST(service_level_s AS DOUBLE))
        AS expected_service_level,
    erlang_asa(staffed_agents, traffic_erlangs, aht_s) AS expected_asa_s,
    COALESCE(fin.settled_days >= 1, false) AS is_final
FROM required AS x
LEFT JOIN finality_dates AS fin ON fin.dt = x.dt
