-- cube.qa: QA inspections by inspected_at, in the inspected leg's skill group (A9).
-- kind: by_date
SELECT
    dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand,
    COUNT(*) AS inspections,
    SUM(score) AS qa_score_sum
FROM conformed_fact_qa_inspection
GROUP BY dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand
