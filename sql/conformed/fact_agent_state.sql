-- conformed.fact_agent_state: kept agent state rows sliced at every 30-minute boundary (and so
-- at midnight): a row from 09:50 to 10:20 gives a 600 s slice in 09:30 and a 1200 s slice in
-- 10:00 (metrics.md, Agent time is split). dt is the slice's business date.
-- Event flags sit on the row's first slice only (Event counts go to the interval of the
-- event's first start_ts):
--   login_start  the row starts a login session: no previous row, or it starts more than
--                login_gap_s after the previous row's end
--   break_start  a NOT_READY 'break' row whose previous row is not one (a maximal run of
--                consecutive break rows is one break)
-- Team, center, site and primary skill group are the agent's on the slice's date.
-- kind: by_date
-- Slices of d come from the rows of d and from rows of any earlier date still running (no
-- maximum state duration), and login_start and break_start look at the agent's previous kept
-- row however long ago it was (a break run continues across any gap). Both are in
-- agent_last_state of d - 1: each agent's last kept row before d, the only earlier row that can
-- run into d (kept rows never overlap). So a rebuild reads the state rows of its own dates and,
-- for the first date of each run of dates it rebuilds (they can have gaps), the last rows of the
-- day before — unless that row started on a rebuilt date, and so is read already.
-- window: conformed_agent_state_checked 0..0
-- window: conformed_agent_last_state -1..-1
WITH kept_rows AS (
    SELECT agent_id, state, reason, start_ts, end_ts
    FROM conformed_agent_state_checked
    WHERE kept
    UNION ALL
    -- DISTINCT: an agent without rows between two runs has the same last row before both.
    SELECT DISTINCT agent_id, state, reason, start_ts, end_ts
    FROM conformed_agent_last_state
    WHERE in_build(CAST(dt + INTERVAL '1 day' AS DATE)) AND NOT in_build(dt)
        AND NOT in_build(CAST(start_ts AS DATE))
),
ordered AS (
    SELECT
        s.*,
        LAG(s.end_ts) OVER w AS prev_end,
        LAG(s.state) OVER w AS prev_state,
        LAG(s.reason) OVER w AS prev_reason
    FROM kept_rows AS s
    WINDOW w AS (PARTITION BY s.agent_id ORDER BY s.start_ts, s.end_ts, s.state)
),
flagged AS (
    SELECT
        o.agent_id,
        o.state,
        o.reason,
        o.start_ts,
        o.end_ts,
        o.prev_end IS NULL
            OR date_part('epoch', o.start_ts) - date_part('epoch', o.prev_end) > p.login_gap_s AS login_start,
        o.state = 'NOT_READY' AND COALESCE(o.reason = 'break', false)
            AND NOT COALESCE(o.prev_state = 'NOT_READY' AND o.prev_reason = 'break', false) AS break_start
    FROM params AS p
    CROSS JOIN ordered AS o
    -- Only the rows with a slice on a date being rebuilt are sliced (the flags above need
    -- every earlier row): a row of at most a day has its slices on its first and last
    -- dates; a longer one (rare) is always sliced.
    WHERE in_build(CAST(o.start_ts AS DATE))
        OR in_build(CAST(o.end_ts - INTERVAL '1 microsecond' AS DATE))
        OR date_part('epoch', o.end_ts) - date_part('epoch', o.start_ts) > 86400
),
sliced AS (
    SELECT
        f.*,
        unnest(generate_series(
            date_bin(INTERVAL '30 minutes', f.start_ts, TIMESTAMP '2000-01-01 00:00:00'),
            f.end_ts - INTERVAL '1 microsecond',
            INTERVAL '30 minutes'
        )) AS interval_start
    FROM flagged AS f
),
bounded AS (
    SELECT
        s.*,
        GREATEST(s.start_ts, s.interval_start) AS slice_start,
        LEAST(s.end_ts, s.interval_start + INTERVAL '30 minutes') AS slice_end,
        s.interval_start <= s.start_ts AS is_first_slice
    FROM sliced AS s
)
SELECT
    b.agent_id,
    COALESCE(a.center_id, p.single_center_id, '(none)') AS center_id,
    COALESCE(a.primary_skill_group, '(none)') AS skill_group,
    COALESCE(a.team_id, '(none)') AS team_id,
    COALESCE(a.site, '(none)') AS site,
    b.state,
    b.reason,
    b.start_ts,
    b.end_ts,
    b.interval_start,
    b.slice_start,
    b.slice_end,
    CAST(date_part('epoch', b.slice_end) - date_part('epoch', b.slice_start) AS BIGINT) AS seconds,
    b.is_first_slice AND b.login_start AS login_start,
    b.is_first_slice AND b.break_start AS break_start,
    CAST(b.interval_start AS DATE) AS dt
FROM params AS p
CROSS JOIN bounded AS b
LEFT JOIN conformed_agent_day AS a ON a.agent_id = b.agent_id AND a.dt = CAST(b.interval_start AS DATE)
