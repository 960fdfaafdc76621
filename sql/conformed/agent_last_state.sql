-- conformed.agent_last_state: on each business date d, each agent's last kept state row that
-- started on d or before (agent_state_checked order: start_ts, end_ts, state), however long ago.
-- It is the previous row of the agent's first row after d (login_start, break_start) and, when
-- it ends after d, the one row of an earlier date still running into d + 1 (kept rows never
-- overlap, so no other can). fact_agent_state reads it for the day before the first date it
-- rebuilds instead of every earlier state row. One row per agent seen so far and date.
-- kind: by_date
-- The last row as of d is the last of d's rows, else the last as of d - 1: a change at x
-- reaches every date from x on (..0), until the agent's next row (digests stop it there).
-- window: conformed_agent_state_checked ..0
-- What came before build_start() is its own row of the day before (an empty table before the
-- first build, and NULL build_start() in a whole build: every date is read).
-- carry: agent_id VARCHAR, state VARCHAR, reason VARCHAR, start_ts TIMESTAMP, end_ts TIMESTAMP
WITH daily_last AS (
    SELECT agent_id, state, reason, start_ts, end_ts, dt
    FROM (
        SELECT agent_id, state, reason, start_ts, end_ts, dt,
            ROW_NUMBER() OVER (PARTITION BY agent_id, dt ORDER BY start_ts DESC, end_ts DESC, state DESC) AS rn
        FROM conformed_agent_state_checked
        WHERE kept AND dt >= COALESCE(build_start(), DATE '0001-01-01')
    )
    WHERE rn = 1
    UNION ALL
    SELECT agent_id, state, reason, start_ts, end_ts, dt
    FROM conformed_agent_last_state
    WHERE dt = CAST(build_start() - INTERVAL '1 day' AS DATE)
),
days AS (
    SELECT DISTINCT dt FROM conformed_dim_date
)
SELECT agent_id, state, reason, start_ts, end_ts, dt
FROM (
    SELECT l.agent_id, l.state, l.reason, l.start_ts, l.end_ts, d.dt,
        ROW_NUMBER() OVER (PARTITION BY d.dt, l.agent_id ORDER BY l.dt DESC) AS rn
    FROM days AS d
    JOIN daily_last AS l ON l.dt <= d.dt
)
WHERE rn = 1
