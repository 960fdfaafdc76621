-- cube.work_order: work orders by accepted_ts (B8, B11–B13, A10), in the skill group of the
-- call's last answered leg, with the order's own city and brand.
-- kind: by_date
SELECT
    dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand,
    SUM(CASE WHEN wo_type = 'complaint' THEN 1 ELSE 0 END) AS complaints,
    SUM(CASE WHEN wo_type = 'complaint' AND service_complaint THEN 1 ELSE 0 END) AS service_complaints,
    SUM(CASE WHEN wo_type = 'complaint' AND service_complaint AND established THEN 1 ELSE 0 END)
        AS established_service_complaints,
    SUM(CASE WHEN is_repeat THEN 1 ELSE 0 END) AS repeat_complaints,
    SUM(CASE WHEN is_escalated THEN 1 ELSE 0 END) AS escalated_complaints,
    SUM(CASE WHEN wo_type IN ('suggestion', 'requirement') THEN 1 ELSE 0 END) AS suggestions
FROM conformed_fact_work_order
GROUP BY dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand
