-- conformed.agent_state_checked: every agent state row (latest delivery of each agent and
-- start_ts) with `kept`: false for a row starting before the end of a row kept before it in
-- (start_ts, end_ts, state) order. Overlapping rows are a data-quality finding
-- (dq_state_overlap), never summed twice (metrics.md, Event counts).
-- kind: by_date
-- kept is a chain over each agent's whole history: whether a row of d is kept depends on which
-- earlier rows were kept, back to the agent's first row (a rejected row does not extend the
-- limit), and a state row has no maximum duration. But a row sits at its start_ts date (the
-- raw partition; its key holds start_ts, so a delivery never moves it) and the chain runs in
-- start_ts order, so a row of d depends on rows of d and earlier only, and a change at x
-- reaches the rows from x on (..0)
-- window: latest_hotline_agent_states ..0
-- What came before the first date rebuilt is carried, not read again: the chain of each agent
-- continues from the end of the last row it kept before build_start(). Only a kept row ending
-- after build_start() can hold a later row back, and there is at most one per agent (kept rows
-- do not overlap, and a row of an earlier date starts before build_start()); the filter on
-- end_ts skips, by their statistics, the files of every other earlier date.
-- carry: agent_id VARCHAR, state VARCHAR, start_ts TIMESTAMP, end_ts TIMESTAMP, kept BOOLEAN
-- The view's repeated keys are the hash table its raw rows stream past (as written): with the
-- raw rows of a week of scale-1 states as the build side instead, the join emitted its kept
-- rows as one 658 MB batch, which a 1 GiB pool could not sort.
-- joins: as written
WITH carried AS (
    SELECT agent_id, end_ts
    FROM (
        SELECT agent_id, end_ts,
            ROW_NUMBER() OVER (PARTITION BY agent_id ORDER BY start_ts DESC, end_ts DESC, state DESC) AS last
        FROM conformed_agent_state_checked
        WHERE dt < build_start() AND kept AND end_ts > CAST(build_start() AS TIMESTAMP)
    )
    WHERE last = 1
)
SELECT
    s.agent_id,
    s.state,
    s.reason,
    s.start_ts,
    s.end_ts,
    kept_after_overlap(s.start_ts, s.end_ts, arrow_cast(c.end_ts, 'Timestamp(Microsecond, None)'))
        OVER (PARTITION BY s.agent_id ORDER BY s.start_ts, s.end_ts, s.state) AS kept,
    s._src_file AS src_file,
    s._src_line AS src_line,
    s.dt
FROM carried AS c
RIGHT JOIN latest_hotline_agent_states AS s ON c.agent_id = s.agent_id
WHERE build_start() IS NULL OR s.dt >= build_start()
