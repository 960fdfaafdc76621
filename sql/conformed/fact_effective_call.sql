-- conformed.fact_effective_call: every effective call (metrics.md, A5) with `resolved`:
-- call_end = max(end_time) over the call's legs; unresolved if (a) an ivr-origin leg of a
-- different call with the same caller entered the queue in (call_end, call_end + fcr_window_h],
-- or (b) a complaint or refund work order of this call was accepted at or before
-- call_end + fcr_window_h. A transfer alone does not make it unresolved.
-- kind: by_date
-- recalls: a leg queued in (call_end, call_end + fcr_window_h]; call_end < the leg's queue_start
-- + 24 h (assumes a call (and each of its legs) lasts < 24 h)
-- window: conformed_fact_agent_leg 0..1+fcr_window_h/24
-- work orders of the call accepted <= call_end + fcr_window_h; no lower bound in the SQL:
-- assumes a call's work order is not accepted before the call began (d-1); a work order
-- delivered again as it progresses changes none of the columns read here
-- window: conformed_fact_work_order -1..1+fcr_window_h/24 reading call_id,wo_type,accepted_ts
WITH eff AS (
    SELECT * FROM conformed_fact_agent_leg WHERE is_effective
),
recalled AS (
    SELECT DISTINCT e.leg_id
    FROM params AS p
    CROSS JOIN eff AS e
    JOIN conformed_fact_agent_leg AS m ON m.customer_key = e.customer_key
    WHERE m.origin = 'ivr'
        AND m.call_id <> e.call_id
        AND m.queue_start > e.call_end
        AND date_part('epoch', m.queue_start) <= date_part('epoch', e.call_end) + p.fcr_window_h * 3600
),
ticketed AS (
    SELECT DISTINCT e.leg_id
    FROM params AS p
    CROSS JOIN eff AS e
    JOIN conformed_fact_work_order AS w ON w.call_id = e.call_id
    WHERE w.wo_type IN ('complaint', 'refund')
        AND date_part('epoch', w.accepted_ts) <= date_part('epoch', e.call_end) + p.fcr_window_h * 3600
)
SELECT
    e.leg_id,
    e.call_id,
    e.center_id,
    e.skill_group,
    e.agent_id,
    e.team_id,
    e.site,
    e.city_code,
    e.brand,
    e.interval_start,
    e.call_end,
    r.leg_id IS NULL AND t.leg_id IS NULL AS resolved,
    r.leg_id IS NOT NULL AS recalled,
    t.leg_id IS NOT NULL AS ticketed,
    e.dt
FROM eff AS e
LEFT JOIN recalled AS r ON r.leg_id = e.leg_id
LEFT JOIN ticketed AS t ON t.leg_id = e.leg_id
