-- conformed.dq_state_overlap: agent state rows rejected at conforming because they overlap a
-- row of the same agent kept before them; where they came from, to fix at the source.
-- kind: by_date
SELECT agent_id, state, reason, start_ts, end_ts, src_file, src_line, dt
FROM conformed_agent_state_checked
WHERE NOT kept
