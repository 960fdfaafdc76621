-- conformed.fact_agent_leg: one row per queue entry, business date dt = date of queue_start.
-- wait_s follows metrics.md: answer_time - queue_start if answered, else end_time - queue_start.
SELECT
    l.leg_id,
    l.call_id,
    l.seq,
    l.origin,
    l.skill_group,
    l.queue_start,
    l.answer_time,
    l.end_time,
    l.agent_id,
    l.talk_s,
    l.hold_s,
    l.acw_s,
    l.transferred,
    l.released_by,
    CAST(EXTRACT(EPOCH FROM COALESCE(l.answer_time, l.end_time)) - EXTRACT(EPOCH FROM l.queue_start) AS BIGINT) AS wait_s,
    l.dt
FROM (
    SELECT
        *,
        ROW_NUMBER() OVER (PARTITION BY leg_id ORDER BY _src_folder DESC, _src_file DESC, _src_line DESC) AS delivery_rank
    FROM raw_hotline_agent_legs
) AS l
WHERE l.delivery_rank = 1
