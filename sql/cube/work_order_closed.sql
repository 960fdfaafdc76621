-- cube.work_order_closed: work orders by closed_ts (B16, B17, A11, F7); rows without closed_ts
-- are not counted there. close_s (F7) = Σ closed_ts − accepted_ts of every closed order.
-- kind: by_date
-- dt = closed date; the order's accepted_ts (its partition) can be any earlier date, never a
-- later one (landing refuses closed_ts before accepted_ts): ..0
-- window: conformed_fact_work_order ..0
SELECT
    CAST(closed_ts AS DATE) AS dt,
    closed_interval_start AS interval_start,
    center_id, skill_group, team_id, site, agent_id, city_code, brand,
    SUM(CASE WHEN wo_type = 'refund' THEN 1 ELSE 0 END) AS refunds,
    SUM(CASE WHEN wo_type = 'refund' THEN COALESCE(refund_amount, 0) ELSE 0 END) AS refund_amount,
    SUM(CASE WHEN wo_type = 'complaint' AND satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS rated_complaints,
    SUM(CASE WHEN wo_type = 'complaint' AND satisfaction IN ('very_satisfied', 'satisfied') THEN 1 ELSE 0 END)
        AS satisfied_complaints,
    COUNT(*) AS closed_work_orders,
    SUM(CAST(date_part('epoch', closed_ts) - date_part('epoch', accepted_ts) AS BIGINT)) AS close_s
FROM conformed_fact_work_order
WHERE closed_ts IS NOT NULL
GROUP BY CAST(closed_ts AS DATE), closed_interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand
