-- conformed.skill_group_day: each skill group's center and brand on every business date, from
-- the skill_groups snapshot in force that day (dim_date).
-- kind: by_date
-- the skill_groups snapshot in force on d (dim_date.skill_groups_snapshot_dt)
-- window: conformed_dim_skill_group asof
SELECT
    s.skill_group,
    s.center_id,
    s.name,
    s.brand,
    s.routing_mode,
    d.dt
FROM conformed_dim_date AS d
JOIN conformed_dim_skill_group AS s ON s.dt = d.skill_groups_snapshot_dt
