-- cube.wo_backlog: the work orders open at the end of each date (F6) and, of those, the ones
-- open longer than wo_due_hours (F8), by center × skill group × city × brand. Both are stocks,
-- read at a period's last date (metrics.md F). An order is open at the end of date d when it
-- was accepted on d or before and is not closed by then (closed_ts NULL or on a later date);
-- it is overdue when also accepted_ts + wo_due_hours < the midnight ending d, i.e. from the
-- date of accepted_ts + wo_due_hours on. Each order adds 1 on the date it opens (becomes
-- overdue) and takes it back on the date it closes; a date's stock is the running sum up to
-- it. Dates are those of dim_date but its last (the day after the last data date); a member
-- with nothing open on a date has no row there.
-- kind: by_date
-- the stock of d counts every order accepted on d or before, however long ago: ..0
-- window: conformed_fact_work_order ..0
-- d is a date with data when dim_date has d + 1 too
-- window: conformed_dim_date 0..1
WITH o AS (
    SELECT
        w.center_id,
        w.skill_group,
        w.city_code,
        w.brand,
        w.dt AS opened,
        CAST(w.closed_ts AS DATE) AS closed,
        CAST(to_timestamp_seconds(CAST(date_part('epoch', w.accepted_ts) AS BIGINT) + p.wo_due_hours * 3600)
            AS DATE) AS overdue_from
    FROM params AS p
    CROSS JOIN conformed_fact_work_order AS w
),
events AS (
    SELECT opened AS day, center_id, skill_group, city_code, brand, 1 AS open_delta, 0 AS overdue_delta
    FROM o
    UNION ALL
    SELECT closed, center_id, skill_group, city_code, brand, -1, 0
    FROM o
    WHERE closed IS NOT NULL
    UNION ALL
    SELECT overdue_from, center_id, skill_group, city_code, brand, 0, 1
    FROM o
    WHERE closed IS NULL OR closed > overdue_from
    UNION ALL
    SELECT closed, center_id, skill_group, city_code, brand, 0, -1
    FROM o
    WHERE closed > overdue_from
),
daily AS (
    SELECT
        day, center_id, skill_group, city_code, brand,
        SUM(open_delta) AS open_delta,
        SUM(overdue_delta) AS overdue_delta
    FROM events
    GROUP BY day, center_id, skill_group, city_code, brand
),
-- the dates rebuilt that have data: a date of the spine whose next date is in it too (the
-- spine ends the day after the last data date)
days AS (
    SELECT d.dt AS day
    FROM conformed_dim_date AS d
    JOIN conformed_dim_date AS n ON n.dt = d.dt + INTERVAL '1 day'
    WHERE in_build(d.dt)
),
members AS (
    SELECT DISTINCT center_id, skill_group, city_code, brand FROM daily
),
-- every member on every date rebuilt, after that date's own changes
marked AS (
    SELECT day, center_id, skill_group, city_code, brand, open_delta, overdue_delta, false AS is_day
    FROM daily
    UNION ALL
    SELECT d.day, m.center_id, m.skill_group, m.city_code, m.brand, 0, 0, true
    FROM days AS d
    CROSS JOIN members AS m
),
running AS (
    SELECT
        day,
        is_day,
        center_id,
        skill_group,
        city_code,
        brand,
        SUM(open_delta) OVER w AS open_work_orders,
        SUM(overdue_delta) OVER w AS overdue_work_orders
    FROM marked
    WINDOW w AS (
        PARTITION BY center_id, skill_group, city_code, brand
        ORDER BY day, is_day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
)
SELECT
    day AS dt,
    CAST(day AS TIMESTAMP) AS interval_start,
    center_id,
    skill_group,
    city_code,
    brand,
    open_work_orders,
    overdue_work_orders
FROM running
WHERE is_day AND (open_work_orders <> 0 OR overdue_work_orders <> 0)
