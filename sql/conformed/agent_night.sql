-- conformed.agent_night: per agent and night, the answered legs whose answer_time is in
-- [d night_start, d+1 night_end) (metrics.md D, night_surge); dt = d. An agent without such a
-- leg that night has no row, and a night without any row has no data. Read by
-- marts.agent_performance_monthly for the month's nights and their baselines: one small row per
-- agent and night instead of the month's legs, and once instead of once per use.
-- kind: by_date
-- night d counts legs answered on d or d + 1, queued from d − 1 on (a queue lasts < 24 h)
-- window: conformed_fact_agent_leg -1..1
WITH night_window AS (
    SELECT
        CAST(split_part(night_start, ':', 1) AS BIGINT) * 3600 + CAST(split_part(night_start, ':', 2) AS BIGINT) * 60
            AS start_s,
        CAST(split_part(night_end, ':', 1) AS BIGINT) * 3600 + CAST(split_part(night_end, ':', 2) AS BIGINT) * 60
            AS end_s
    FROM params
),
-- A leg answered on date a lies in night a (from its start on) or night a − 1 (before its end).
nights AS (
    SELECT l.agent_id, CAST(l.answer_date AS BIGINT) - b.back AS night
    FROM night_window AS w
    CROSS JOIN (VALUES (0), (1)) AS b(back)
    CROSS JOIN conformed_fact_agent_leg AS l
    WHERE l.is_answered
        AND date_part('epoch', l.answer_time) >= (CAST(l.answer_date AS BIGINT) - b.back) * 86400 + w.start_s
        AND date_part('epoch', l.answer_time) < (CAST(l.answer_date AS BIGINT) - b.back + 1) * 86400 + w.end_s
)
SELECT agent_id, COUNT(*) AS legs, CAST(CAST(night AS INT) AS DATE) AS dt
FROM nights
GROUP BY agent_id, night
