-- cube.agent_time: agent time by interval × center × primary skill group × team × site × agent
-- (metrics.md, Agent time is split; Skill group of agent time). State seconds from the sliced
-- states; scheduled seconds from the sliced shifts; busy_in_shift_s (A7: TALK+HOLD+ACW) and
-- adherent_in_shift_s (C13: adherence_states) count state seconds inside a shift and outside
-- its meal window; not_ready_<reason>_s split NOT_READY by reason (F5); breaks and logins are
-- event counts; agent-days (C18) sit at 00:00 of the work_date: scheduled = (agent, work_date)
-- with a shift, attended = with a state row overlapping one of that day's shifts.
-- kind: by_date
-- agent-days sit at work_date d; that day's shifts have slices on d and d+1 (a night shift)
-- window: conformed_fact_schedule 0..1
-- attendance: a kept state row overlapping a shift of work_date d starts by the shift's end
-- (d or d+1), or earlier: then it is the agent's last kept row before d (state rows have no
-- maximum duration, but kept rows never overlap), agent_last_state of d - 1. The SQL reads that
-- for each date read just after one it does not read (the dates rebuilt can have gaps), unless
-- the row started on a date read, and so is read already.
-- window: conformed_agent_state_checked 0..1
-- window: conformed_agent_last_state -1..-1
-- (A row taken twice only repeats a match: attendance is whether any row overlaps.)
WITH kept_rows AS (
    SELECT agent_id, start_ts, end_ts
    FROM conformed_agent_state_checked
    WHERE kept
    UNION ALL
    SELECT l.agent_id, l.start_ts, l.end_ts
    FROM conformed_agent_last_state AS l
    WHERE in_build(CAST(l.dt + INTERVAL '1 day' AS DATE)) AND NOT in_build(l.dt)
        AND NOT in_build(CAST(l.start_ts AS DATE))
        AND NOT in_build(CAST(l.start_ts AS DATE) - INTERVAL '1 day')
),
in_shift AS (
    SELECT
        s.dt,
        s.interval_start,
        s.center_id,
        s.skill_group,
        s.team_id,
        s.site,
        s.agent_id,
        s.state,
        GREATEST(0, CAST(date_part('epoch', LEAST(s.slice_end, h.shift_end))
            - date_part('epoch', GREATEST(s.slice_start, h.shift_start)) AS BIGINT))
        - CASE
            WHEN h.meal_start IS NULL THEN 0
            ELSE GREATEST(0, CAST(date_part('epoch', LEAST(s.slice_end, h.shift_end, h.meal_end))
                - date_part('epoch', GREATEST(s.slice_start, h.shift_start, h.meal_start)) AS BIGINT))
        END AS seconds
    FROM conformed_fact_agent_state AS s
    JOIN (SELECT DISTINCT agent_id, shift_start, shift_end, meal_start, meal_end FROM conformed_fact_schedule) AS h
        ON h.agent_id = s.agent_id AND h.shift_start < s.slice_end AND h.shift_end > s.slice_start
),
shift_days AS (
    SELECT DISTINCT agent_id, work_date, shift_start, shift_end FROM conformed_fact_schedule
),
agent_days AS (
    SELECT
        d.agent_id,
        d.work_date,
        MAX(CASE WHEN s.agent_id IS NOT NULL THEN 1 ELSE 0 END) AS attended
    FROM shift_days AS d
    LEFT JOIN kept_rows AS s
        ON s.agent_id = d.agent_id AND s.start_ts < d.shift_end AND s.end_ts > d.shift_start
    GROUP BY d.agent_id, d.work_date
),
measures AS (
    SELECT
        dt, interval_start, center_id, skill_group, team_id, site, agent_id,
        seconds AS logged_in_s,
        CASE WHEN state = 'READY' THEN seconds ELSE 0 END AS ready_s,
        CASE WHEN state = 'TALK' THEN seconds ELSE 0 END AS talk_state_s,
        CASE WHEN state = 'HOLD' THEN seconds ELSE 0 END AS hold_state_s,
        CASE WHEN state = 'ACW' THEN seconds ELSE 0 END AS acw_state_s,
        CASE WHEN state = 'NOT_READY' THEN seconds ELSE 0 END AS not_ready_s,
        CASE WHEN state = 'NOT_READY' AND reason = 'break' THEN seconds ELSE 0 END AS not_ready_break_s,
        CASE WHEN state = 'NOT_READY' AND reason = 'meal' THEN seconds ELSE 0 END AS not_ready_meal_s,
        CASE WHEN state = 'NOT_READY' AND reason = 'training' THEN seconds ELSE 0 END AS not_ready_training_s,
        CASE WHEN state = 'NOT_READY' AND reason = 'meeting' THEN seconds ELSE 0 END AS not_ready_meeting_s,
        CASE WHEN state = 'NOT_READY' AND reason = 'other' THEN seconds ELSE 0 END AS not_ready_other_s,
        0 AS busy_in_shift_s,
        0 AS adherent_in_shift_s,
        CAST(0 AS DECIMAL(38, 10)) AS scheduled_s,
        CASE WHEN break_start THEN 1 ELSE 0 END AS breaks,
        CASE WHEN login_start THEN 1 ELSE 0 END AS logins,
        0 AS scheduled_agent_days,
        0 AS attended_agent_days
    FROM conformed_fact_agent_state
    UNION ALL
    SELECT
        i.dt, i.interval_start, i.center_id, i.skill_group, i.team_id, i.site, i.agent_id,
        0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0,
        CASE WHEN i.state IN ('TALK', 'HOLD', 'ACW') THEN i.seconds ELSE 0 END,
        CASE WHEN array_has(p.adherence_states, i.state) THEN i.seconds ELSE 0 END,
        CAST(0 AS DECIMAL(38, 10)),
        0, 0, 0, 0
    FROM params AS p
    CROSS JOIN in_shift AS i
    UNION ALL
    SELECT
        dt, interval_start, center_id, skill_group, team_id, site, agent_id,
        0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0,
        0, 0,
        scheduled_s,
        0, 0, 0, 0
    FROM conformed_fact_schedule
    UNION ALL
    SELECT
        d.work_date,
        CAST(d.work_date AS TIMESTAMP),
        COALESCE(a.center_id, p.single_center_id, '(none)'),
        COALESCE(a.primary_skill_group, '(none)'),
        COALESCE(a.team_id, '(none)'),
        COALESCE(a.site, '(none)'),
        d.agent_id,
        0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0,
        0, 0,
        CAST(0 AS DECIMAL(38, 10)),
        0, 0,
        1,
        d.attended
    FROM params AS p
    CROSS JOIN agent_days AS d
    LEFT JOIN conformed_agent_day AS a ON a.agent_id = d.agent_id AND a.dt = d.work_date
)
SELECT
    dt, interval_start, center_id, skill_group, team_id, site, agent_id,
    SUM(logged_in_s) AS logged_in_s,
    SUM(ready_s) AS ready_s,
    SUM(talk_state_s) AS talk_state_s,
    SUM(hold_state_s) AS hold_state_s,
    SUM(acw_state_s) AS acw_state_s,
    SUM(not_ready_s) AS not_ready_s,
    SUM(not_ready_break_s) AS not_ready_break_s,
    SUM(not_ready_meal_s) AS not_ready_meal_s,
    SUM(not_ready_training_s) AS not_ready_training_s,
    SUM(not_ready_meeting_s) AS not_ready_meeting_s,
    SUM(not_ready_other_s) AS not_ready_other_s,
    SUM(busy_in_shift_s) AS busy_in_shift_s,
    SUM(adherent_in_shift_s) AS adherent_in_shift_s,
    SUM(scheduled_s) AS scheduled_s,
    SUM(breaks) AS breaks,
    SUM(logins) AS logins,
    SUM(scheduled_agent_days) AS scheduled_agent_days,
    SUM(attended_agent_days) AS attended_agent_days
FROM measures
GROUP BY dt, interval_start, center_id, skill_group, team_id, site, agent_id
