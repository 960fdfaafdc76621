-- cube.answer: answered legs by the interval of answer_time (C16 counts calls where they were
-- talked, callcube convention), with the leg's skill group and agent.
-- kind: by_date
-- dt = answer date: answered legs queued on d-1 or d (wait < 24 h)
-- window: conformed_fact_agent_leg -1..0
SELECT
    answer_date AS dt,
    answer_interval_start AS interval_start,
    center_id,
    skill_group,
    team_id,
    site,
    agent_id,
    COUNT(*) AS answered_legs
FROM conformed_fact_agent_leg
WHERE is_answered
GROUP BY answer_date, answer_interval_start, center_id, skill_group, team_id, site, agent_id
