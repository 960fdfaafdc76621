-- conformed.agent_day: each agent's team, center, site, skill groups and role on every business
-- date, from the agents snapshot in force that day (metrics.md, Grains). Agent time and
-- headcount belong to the team's center and the primary skill group (dim_agent checks that the
-- group belongs to that center).
-- kind: by_date
-- the agents snapshot in force on d (dim_date.agents_snapshot_dt = latest dim_agent partition <= d)
-- window: conformed_dim_agent asof
SELECT
    a.agent_id,
    a.team_id,
    a.center_id,
    a.site,
    a.hire_date,
    a.leave_date,
    a.skill_groups,
    a.primary_skill_group,
    a.role,
    d.dt
FROM conformed_dim_date AS d
JOIN conformed_dim_agent AS a ON a.dt = d.agents_snapshot_dt
