-- conformed.fact_schedule: each shift sliced at every 30-minute boundary (metrics.md, Scheduled
-- seconds). scheduled_s of a slice = overlap of [shift_start, shift_end) with the interval minus
-- the overlap of the meal window [meal_start, meal_start + meal_minutes) with both; with no
-- meal_start the meal minutes are taken pro rata to the slice's share of the shift, and no meal
-- window exists (meal_start/meal_end NULL). work_date is kept for attendance (C18); dt is the
-- slice's business date. Exact decimals: a pro-rata share is not a whole second.
-- kind: by_date
-- a shift sits in its work_date partition and may cross midnight: slices of d come from shifts
-- of work_date d-1 and d (assumes shift_start on work_date and a shift < 24 h)
-- window: latest_hr_schedules -1..0
WITH shift AS (
    SELECT
        s.agent_id,
        s.work_date,
        s.shift_start,
        s.shift_end,
        s.meal_start,
        to_timestamp_seconds(CAST(date_part('epoch', s.meal_start) AS BIGINT) + s.meal_minutes * 60) AS meal_end,
        s.meal_minutes,
        CAST(date_part('epoch', s.shift_end) - date_part('epoch', s.shift_start) AS BIGINT) AS shift_s
    FROM latest_hr_schedules AS s
),
sliced AS (
    SELECT
        s.*,
        unnest(generate_series(
            date_bin(INTERVAL '30 minutes', s.shift_start, TIMESTAMP '2000-01-01 00:00:00'),
            s.shift_end - INTERVAL '1 microsecond',
            INTERVAL '30 minutes'
        )) AS interval_start
    FROM shift AS s
),
bounded AS (
    SELECT
        s.*,
        GREATEST(s.shift_start, s.interval_start) AS slice_start,
        LEAST(s.shift_end, s.interval_start + INTERVAL '30 minutes') AS slice_end
    FROM sliced AS s
),
measured AS (
    SELECT
        b.*,
        CAST(date_part('epoch', b.slice_end) - date_part('epoch', b.slice_start) AS BIGINT) AS shift_overlap_s,
        CASE
            WHEN b.meal_start IS NULL THEN 0
            ELSE GREATEST(0, CAST(date_part('epoch', LEAST(b.slice_end, b.meal_end)) - date_part('epoch', GREATEST(b.slice_start, b.meal_start)) AS BIGINT))
        END AS meal_overlap_s
    FROM bounded AS b
)
SELECT
    m.agent_id,
    COALESCE(a.center_id, p.single_center_id, '(none)') AS center_id,
    COALESCE(a.primary_skill_group, '(none)') AS skill_group,
    COALESCE(a.team_id, '(none)') AS team_id,
    COALESCE(a.site, '(none)') AS site,
    m.work_date,
    m.shift_start,
    m.shift_end,
    m.meal_start,
    CASE WHEN m.meal_start IS NULL THEN NULL ELSE m.meal_end END AS meal_end,
    m.interval_start,
    m.slice_start,
    m.slice_end,
    CASE
        WHEN m.meal_start IS NULL THEN
            CAST(CAST(m.shift_overlap_s AS DECIMAL(30, 10))
                - CAST(m.meal_minutes * 60 * m.shift_overlap_s AS DECIMAL(30, 6)) / CAST(m.shift_s AS DECIMAL(20, 0))
                AS DECIMAL(38, 10))
        ELSE CAST(m.shift_overlap_s - m.meal_overlap_s AS DECIMAL(38, 10))
    END AS scheduled_s,
    CAST(m.interval_start AS DATE) AS dt
FROM params AS p
CROSS JOIN measured AS m
LEFT JOIN conformed_agent_day AS a ON a.agent_id = m.agent_id AND a.dt = CAST(m.interval_start AS DATE)
