-- conformed.fact_exam: exam results by exam_date, with the agent's team and center that day.
-- kind: by_date
SELECT
    e.agent_id,
    COALESCE(a.center_id, p.single_center_id, '(none)') AS center_id,
    COALESCE(a.team_id, '(none)') AS team_id,
    COALESCE(a.site, '(none)') AS site,
    e.exam_date,
    e.subject,
    e.score,
    e.dt
FROM params AS p
CROSS JOIN latest_hr_exams AS e
LEFT JOIN conformed_agent_day AS a ON a.agent_id = e.agent_id AND a.dt = e.dt
