-- marts.staffing_interval (metrics.md E3, Erlang C): per 30-minute interval × center × skill
-- group, the agents required for the target service level and what the agents serving calls
-- gave.
--   manual_requests        C1: legs with origin 'ivr' queued in the interval
--   transfer_legs          legs transferred into the skill group (origin 'transfer')
--   calls                  offered legs = manual_requests + transfer_legs (a group that only
--                          receives transfers still needs agents)
--   aht_s                  C6 of the interval (Σ handling / answered legs); the day's C6 of the
--                          skill group when the interval has no answered leg (aht_source 'day')
--   traffic_erlangs        a = calls × aht_s / 1800
--   required_agents        N = smallest integer > a with 1 − P·e^(−(N − a)·service_level_s / AHT)
--                          ≥ erlang_target_sl (0 when no leg is offered)
--   staffed_agents         READY + TALK + HOLD + ACW seconds of the skill group (primary) / 1800;
--                          NOT_READY (breaks, meals, training …) serves no call
--   staffed_whole_agents   ⌊staffed_agents⌋: an agent serving for part of the interval is not a
--                          server
--   over_under             staffed_agents − required_agents (negative = understaffed)
--   p_wait_required, service_level_required, asa_required_s, occupancy_required
--                          Erlang C with N agents: P(wait), share answered within
--                          service_level_s, ASA in seconds, occupancy a / N
--   p_wait_staffed, service_level_staffed, asa_staffed_s, occupancy_staffed
--                          the same with staffed_whole_agents
-- Without traffic P(wait), service level and ASA are NULL (nothing offered); with N ≤ a (an
-- unstable queue) P(wait) is 1, the service level 0 and ASA NULL (unbounded). Occupancy is a / N
-- as written (NULL for N = 0; above 1 when fewer agents than Erlangs serve).
-- Determinism: sums are over integer counts and seconds; each ratio is taken once per row.
-- kind: by_date
-- is_final compares settled_days with 1 only
-- finality: 1
WITH legs AS (
    SELECT dt, interval_start, center_id, skill_group,
           SUM(CASE WHEN is_request THEN 1 ELSE 0 END) AS manual_requests,
           SUM(CASE WHEN origin = 'transfer' THEN 1 ELSE 0 END) AS transfer_legs,
           SUM(CASE WHEN is_answered THEN handling_s ELSE 0 END) AS handling_s,
           SUM(CASE WHEN is_answered THEN 1 ELSE 0 END) AS answered_legs
    FROM conformed_fact_agent_leg
    GROUP BY dt, interval_start, center_id, skill_group
),
day_aht AS (
    SELECT dt, center_id, skill_group,
           CAST(SUM(handling_s) AS DOUBLE) / NULLIF(SUM(answered_legs), 0) AS aht_s
    FROM legs
    GROUP BY dt, center_id, skill_group
),
staffed AS (
    SELECT dt, interval_start, center_id, skill_group,
           SUM(ready_s + talk_state_s + hold_state_s + acw_state_s) AS serving_s
    FROM cube_agent_time
    GROUP BY dt, interval_start, center_id, skill_group
),
slots AS (
    SELECT
        COALESCE(l.dt, s.dt) AS dt,
        COALESCE(l.interval_start, s.interval_start) AS interval_start,
        COALESCE(l.center_id, s.center_id) AS center_id,
        COALESCE(l.skill_group, s.skill_group) AS skill_group,
        COALESCE(l.manual_requests, 0) AS manual_requests,
        COALESCE(l.transfer_legs, 0) AS transfer_legs,
        COALESCE(l.manual_requests, 0) + COALESCE(l.transfer_legs, 0) AS calls,
        CAST(l.handling_s AS DOUBLE) / NULLIF(l.answered_legs, 0) AS interval_aht_s,
        COALESCE(s.serving_s, 0) AS serving_s
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
        CAST(t.serving_s AS DOUBLE) / 1800.0 AS staffed_agents,
        -- Integer division of non-negative seconds: exactly ⌊serving_s / 1800⌋.
        CAST(t.serving_s AS BIGINT) / 1800 AS staffed_whole_agents
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
    manual_requests,
    transfer_legs,
    calls,
    aht_s,
    aht_source,
    traffic_erlangs,
    target_service_level,
    service_level_s,
    required_agents,
    erlang_wait_probability(CAST(required_agents AS DOUBLE), traffic_erlangs) AS p_wait_required,
    erlang_service_level(CAST(required_agents AS DOUBLE), traffic_erlangs, aht_s,
        CAST(service_level_s AS DOUBLE)) AS service_level_required,
    erlang_asa(CAST(required_agents AS DOUBLE), traffic_erlangs, aht_s) AS asa_required_s,
    traffic_erlangs / CAST(NULLIF(required_agents, 0) AS DOUBLE) AS occupancy_required,
    staffed_agents,
    staffed_whole_agents,
    staffed_agents - required_agents AS over_under,
    erlang_wait_probability(CAST(staffed_whole_agents AS DOUBLE), traffic_erlangs) AS p_wait_staffed,
    erlang_service_level(CAST(staffed_whole_agents AS DOUBLE), traffic_erlangs, aht_s,
        CAST(service_level_s AS DOUBLE)) AS service_level_staffed,
    erlang_asa(CAST(staffed_whole_agents AS DOUBLE), traffic_erlangs, aht_s) AS asa_staffed_s,
    traffic_erlangs / CAST(NULLIF(staffed_whole_agents, 0) AS DOUBLE) AS occupancy_staffed,
    COALESCE(fin.settled_days >= 1, false) AS is_final
FROM required AS x
LEFT JOIN finality_dates AS fin ON fin.dt = x.dt
