-- conformed.fact_qa_inspection: QA inspections by inspected_at (metrics.md, Attribution), in
-- the skill group and center of the inspected leg ('(none)' when the leg is unknown). The agent
-- is the leg's, else the inspection's own agent_id.
-- kind: by_date
-- inspections run weeks after the call (metrics.md, Attribution): the inspected leg can be of
-- any earlier date, found by leg_id; it rebuilds the dates of the inspections that name it
-- window: conformed_fact_agent_leg by leg_id in self reading leg_id,center_id,skill_group,agent_id,team_id,site,city_code,brand
SELECT
    q.inspection_id,
    q.leg_id,
    q.score,
    q.inspected_at,
    date_bin(INTERVAL '30 minutes', q.inspected_at, TIMESTAMP '2000-01-01 00:00:00') AS interval_start,
    l.leg_id IS NOT NULL AS leg_known,
    COALESCE(l.center_id, p.single_center_id, '(none)') AS center_id,
    COALESCE(l.skill_group, '(none)') AS skill_group,
    COALESCE(l.agent_id, q.agent_id, '(none)') AS agent_id,
    COALESCE(l.team_id, a.team_id, '(none)') AS team_id,
    COALESCE(l.site, a.site, '(none)') AS site,
    COALESCE(l.city_code, '(none)') AS city_code,
    COALESCE(l.brand, '(none)') AS brand,
    q.dt
FROM params AS p
CROSS JOIN latest_hr_qa_inspections AS q
LEFT JOIN conformed_fact_agent_leg AS l ON l.leg_id = q.leg_id
LEFT JOIN conformed_agent_day AS a ON a.agent_id = q.agent_id AND a.dt = q.dt
