-- cube.transfer_check: A12 transfer accuracy checks: answered transfer legs with a contacts row
-- (correct when misrouted = false), by queue_start; and work orders with transfer_correct set,
-- by accepted_ts.
-- kind: by_date
WITH checks AS (
    SELECT
        dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand,
        CASE WHEN NOT misrouted THEN 1 ELSE 0 END AS correct
    FROM conformed_fact_contact
    WHERE is_answered_transfer
    UNION ALL
    SELECT
        dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand,
        CASE WHEN transfer_correct THEN 1 ELSE 0 END
    FROM conformed_fact_work_order
    WHERE transfer_correct IS NOT NULL
)
SELECT
    dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand,
    COUNT(*) AS transfer_checks,
    SUM(correct) AS correct_transfers
FROM checks
GROUP BY dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand
