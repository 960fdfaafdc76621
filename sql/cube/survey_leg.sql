-- cube.survey_leg: the counted valid surveys of cube_survey at the surveyed leg instead of the
-- call's first answered request: the leg's queue_start, its agent and the agent's team that
-- day (A3, A4, A6 by team and agent, metrics.md F; D3's attribution).
-- kind: by_date
-- a counted survey sits at its call's first answered request's date, within a day of the
-- surveyed leg (a call lasts < 24 h)
-- window: conformed_fact_survey -1..1
SELECT
    dt,
    interval_start,
    team_id,
    agent_id,
    COUNT(*) AS valid_surveys,
    SUM(CASE WHEN result IN (1, 2) THEN 1 ELSE 0 END) AS satisfied_surveys,
    SUM(CASE WHEN result = 3 AND reason = 'attitude' THEN 1 ELSE 0 END) AS attitude_defects
FROM (
    SELECT
        CAST(leg_interval_start AS DATE) AS dt,
        leg_interval_start AS interval_start,
        COALESCE(leg_team_id, '(none)') AS team_id,
        COALESCE(leg_agent_id, '(none)') AS agent_id,
        result,
        reason
    FROM conformed_fact_survey
    WHERE is_counted
)
GROUP BY dt, interval_start, team_id, agent_id
