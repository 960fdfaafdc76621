-- conformed.dim_agent: each agent's team, site, skill groups and role per snapshot date dt.
-- The agent's name (PII) stops at raw. primary_skill_group must belong to the team's
-- center (metrics.md, Center), else the agent's time goes to '(none)'.
-- kind: by_date
SELECT
    a.agent_id,
    a.team_id,
    t.center_id,
    a.site,
    a.hire_date,
    a.leave_date,
    a.skill_groups,
    CASE
        WHEN a.primary_skill_group IS NULL THEN '(none)'
        WHEN sg.center_id IS NULL OR sg.center_id <> t.center_id THEN '(none)'
        ELSE a.primary_skill_group
    END AS primary_skill_group,
    a.primary_skill_group AS primary_skill_group_declared,
    a.role,
    a.dt
FROM raw_hr_agents AS a
LEFT JOIN raw_hr_teams AS t ON t.team_id = a.team_id AND t.dt = a.dt
LEFT JOIN conformed_dim_skill_group AS sg ON sg.skill_group = a.primary_skill_group AND sg.dt = a.dt
