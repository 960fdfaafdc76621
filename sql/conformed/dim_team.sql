-- conformed.dim_team: teams as of each snapshot date.
-- kind: by_date
SELECT t.team_id, t.center_id, t.name, t.site, t.supervisor_id, t.dt
FROM raw_hr_teams AS t
