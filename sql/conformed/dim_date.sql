-- conformed.dim_date: every business date from the first date with data to the day after the
-- last (a state row or shift crossing midnight lands there), with its calendar labels and the
-- snapshot in force that day: the snapshot of that date, else the latest earlier one
-- (metrics.md, Grains). NULL when no snapshot is that old.
-- kind: by_date
-- the spine runs from the first to the day after the last data date of all these tables:
-- whether row d exists depends on MIN/MAX over every partition (a new date adds rows d, d+1;
-- a back-filled earlier date adds rows before the old start)
-- window: raw_hotline_ivr_calls all
-- window: raw_hotline_agent_legs all
-- window: raw_hotline_agent_states all
-- window: raw_hr_schedules all
-- window: raw_crm_work_orders all
-- window: raw_hotline_surveys all
-- window: raw_hr_qa_inspections all
-- window: raw_boss_orders all
-- raw_hr_agents: in the spine (all) and the agents snapshot in force (asof)
-- window: raw_hr_agents all
-- snapshot in force on d: the latest snapshot partition <= d
-- window: raw_hr_teams asof
-- window: raw_hotline_skill_groups asof
-- window: raw_boss_subscribers asof
WITH data_dates AS (
    SELECT DISTINCT dt FROM raw_hotline_ivr_calls
    UNION SELECT DISTINCT dt FROM raw_hotline_agent_legs
    UNION SELECT DISTINCT dt FROM raw_hotline_agent_states
    UNION SELECT DISTINCT dt FROM raw_hr_schedules
    UNION SELECT DISTINCT dt FROM raw_crm_work_orders
    UNION SELECT DISTINCT dt FROM raw_hotline_surveys
    UNION SELECT DISTINCT dt FROM raw_hr_qa_inspections
    UNION SELECT DISTINCT dt FROM raw_boss_orders
    UNION SELECT DISTINCT dt FROM raw_hr_agents
),
days AS (
    SELECT unnest(generate_series(MIN(dt), MAX(dt) + INTERVAL '1 day', INTERVAL '1 day')) AS dt
    FROM data_dates
    HAVING COUNT(*) > 0
),
snapshots AS (
    SELECT DISTINCT 'agents' AS kind, dt FROM raw_hr_agents
    UNION ALL SELECT DISTINCT 'teams' AS kind, dt FROM raw_hr_teams
    UNION ALL SELECT DISTINCT 'skill_groups' AS kind, dt FROM raw_hotline_skill_groups
    UNION ALL SELECT DISTINCT 'subscribers' AS kind, dt FROM raw_boss_subscribers
)
SELECT
    d.dt AS business_date,
    to_char(d.dt, '%Y') AS year,
    to_char(d.dt, '%Y') || '-Q' || CAST(date_part('quarter', d.dt) AS INT) AS quarter,
    to_char(d.dt, '%Y-%m') AS month,
    to_char(d.dt, '%G-W%V') AS iso_week,
    CAST(date_part('dow', d.dt) AS INT) AS weekday,
    MAX(CASE WHEN s.kind = 'agents' THEN s.dt END) AS agents_snapshot_dt,
    MAX(CASE WHEN s.kind = 'teams' THEN s.dt END) AS teams_snapshot_dt,
    MAX(CASE WHEN s.kind = 'skill_groups' THEN s.dt END) AS skill_groups_snapshot_dt,
    MAX(CASE WHEN s.kind = 'subscribers' THEN s.dt END) AS subscribers_snapshot_dt,
    d.dt
FROM days AS d
LEFT JOIN snapshots AS s ON s.dt <= d.dt
GROUP BY d.dt
