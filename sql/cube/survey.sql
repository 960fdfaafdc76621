-- cube.survey: counted valid surveys (one per call) at their attribution: the call's first
-- answered request (A3, A4, A6).
-- kind: by_date
SELECT
    dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand,
    COUNT(*) AS valid_surveys,
    SUM(CASE WHEN result IN (1, 2) THEN 1 ELSE 0 END) AS satisfied_surveys,
    SUM(CASE WHEN result = 3 AND reason = 'attitude' THEN 1 ELSE 0 END) AS attitude_defects
FROM conformed_fact_survey
WHERE is_counted
GROUP BY dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand
