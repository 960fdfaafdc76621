-- conformed.fact_agent_leg: one row per queue entry, business date dt = date of queue_start,
-- with the base events of metrics.md as flags:
--   manual request   origin = 'ivr'
--   answered leg     answer_time not null (both origins); answered request: also origin = 'ivr'
--   wait_s           answer_time - queue_start if answered, else end_time - queue_start
--   abandoned        manual request, not answered, released_by = 'customer'
--   short abandon    abandoned with wait_s < short_abandon_s
--   unanswered-other manual request, not answered, released by agent or system
--   effective call   answered request with talk_s > 10 and a known caller
-- The leg's center is its skill group's (Center rule); its team and site are its agent's on
-- that date. city_code, brand, customer_key and ivr_start come from the leg's call. A key delivered in
-- two folders keeps the latest delivery.
-- kind: by_date
-- call_end = MAX(end_time) over every leg of the call: a call crossing midnight has legs
-- queued on d-1 and d+1 (assumes a call (and each of its legs) lasts < 24 h)
-- window: latest_hotline_agent_legs -1..1
-- the leg's call began at most a day before it was queued (ivr_start <= queue_start, assumes a call (and each of its legs) lasts < 24 h)
-- window: conformed_fact_ivr_call -1..0
WITH leg AS (
    SELECT
        *,
        CAST(date_part('epoch', COALESCE(answer_time, end_time)) - date_part('epoch', queue_start) AS BIGINT) AS wait_s
    FROM latest_hotline_agent_legs
),
call_end AS (
    SELECT call_id, MAX(end_time) AS call_end FROM leg GROUP BY call_id
)
SELECT
    l.leg_id,
    l.call_id,
    l.seq,
    l.origin,
    l.skill_group,
    COALESCE(sg.center_id, p.single_center_id, '(none)') AS center_id,
    COALESCE(l.agent_id, '(none)') AS agent_id,
    COALESCE(a.team_id, '(none)') AS team_id,
    COALESCE(a.site, '(none)') AS site,
    COALESCE(c.city_code, '(none)') AS city_code,
    COALESCE(c.brand, '(none)') AS brand,
    c.customer_key,
    c.ivr_start,
    l.queue_start,
    date_bin(INTERVAL '30 minutes', l.queue_start, TIMESTAMP '2000-01-01 00:00:00') AS interval_start,
    l.answer_time,
    date_bin(INTERVAL '30 minutes', l.answer_time, TIMESTAMP '2000-01-01 00:00:00') AS answer_interval_start,
    CAST(l.answer_time AS DATE) AS answer_date,
    l.end_time,
    ce.call_end,
    l.talk_s,
    l.hold_s,
    l.acw_s,
    l.talk_s + l.hold_s + l.acw_s AS handling_s,
    l.transferred,
    l.released_by,
    l.wait_s,
    l.origin = 'ivr' AS is_request,
    l.answer_time IS NOT NULL AS is_answered,
    l.origin = 'ivr' AND l.answer_time IS NOT NULL AS is_answered_request,
    l.origin = 'ivr' AND l.answer_time IS NULL AND l.released_by = 'customer' AS is_abandoned,
    l.origin = 'ivr' AND l.answer_time IS NULL AND l.released_by = 'customer' AND l.wait_s < p.short_abandon_s
        AS is_short_abandon,
    l.origin = 'ivr' AND l.answer_time IS NULL AND l.released_by <> 'customer' AS is_unanswered_other,
    l.origin = 'ivr' AND l.answer_time IS NOT NULL AND l.talk_s > 10 AND c.customer_key IS NOT NULL AS is_effective,
    c.call_id IS NOT NULL AS call_known,
    l.dt
FROM params AS p
CROSS JOIN leg AS l
JOIN call_end AS ce ON ce.call_id = l.call_id
LEFT JOIN conformed_fact_ivr_call AS c ON c.call_id = l.call_id
LEFT JOIN conformed_skill_group_day AS sg ON sg.skill_group = l.skill_group AND sg.dt = l.dt
LEFT JOIN conformed_agent_day AS a ON a.agent_id = l.agent_id AND a.dt = l.dt
