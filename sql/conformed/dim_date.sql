-- conformed.dim_date: every business date from the first date with data to the day after the
-- last (a state row or shift crossing midnight lands there), with its calendar labels and the
-- snapshot in force that day: the snapshot of that date, else the latest earlier one
-- (metrics.md, Grains). NULL when no snapshot is that old.
-- kind: by_date
-- The spine and the snapshot dates come from raw_partitions (the raw tables' partition listing:
-- table, dt, row_count), not from a scan of every raw row. It runs from the first to the day
-- after the last data date of the tables below: whether row d exists depends on MIN/MAX over
-- every partition (a new date adds rows d, d+1; a back-filled earlier date adds rows before
-- the old start), and the snapshot in force on d on the latest snapshot partition <= d. Any
-- partition landed or re-landed rebuilds the whole table (a few rows per date); digests pass
-- on only the dates whose rows changed.
-- window: raw_partitions all
WITH data_dates AS (
    SELECT DISTINCT dt
    FROM raw_partitions
    WHERE row_count > 0 AND table_name IN (
        'raw_hotline_ivr_calls', 'raw_hotline_agent_legs', 'raw_hotline_agent_states', 'raw_hr_schedules',
        'raw_crm_work_orders', 'raw_hotline_surveys', 'raw_hr_qa_inspections', 'raw_boss_orders', 'raw_hr_agents'
    )
),
days AS (
    SELECT unnest(generate_series(MIN(dt), MAX(dt) + INTERVAL '1 day', INTERVAL '1 day')) AS dt
    FROM data_dates
    HAVING COUNT(*) > 0
),
snapshots AS (
    SELECT
        CASE table_name
            WHEN 'raw_hr_agents' THEN 'agents'
            WHEN 'raw_hr_teams' THEN 'teams'
            WHEN 'raw_hotline_skill_groups' THEN 'skill_groups'
            ELSE 'subscribers'
        END AS kind,
        dt
    FROM raw_partitions
    WHERE row_count > 0 AND table_name IN (
        'raw_hr_agents', 'raw_hr_teams', 'raw_hotline_skill_groups', 'raw_boss_subscribers'
    )
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
