-- conformed.dim_skill_group: the ACD's queues as of each snapshot date dt.
-- An empty center falls back to single_center_id, else '(none)' (metrics.md, Center).
-- kind: by_date
SELECT
    s.skill_group,
    COALESCE(s.center_id, p.single_center_id, '(none)') AS center_id,
    s.name,
    s.brand,
    s.routing_mode,
    s.dt
FROM params AS p
CROSS JOIN raw_hotline_skill_groups AS s
