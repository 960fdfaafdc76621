-- conformed.dim_customer: every customer seen as a caller or subscriber, with the city, brand
-- and status of their latest subscriber snapshot (NULL if never in one), that snapshot's date
-- (snapshot_dt) and the first date they were seen (first_seen_dt).
-- kind: full
-- No dt: one row per customer ever seen. A night does not read all history again: it carries
-- the published rows and reads its inputs from build_start() on, the first date whose rows
-- changed (the dates before are as they were; NULL in a whole build, which reads everything).
-- A customer first seen before build_start() is still seen; one first seen since is kept only
-- if seen there now. A snapshot since build_start() is later than any before, so it wins;
-- else a carried snapshot from before build_start() still holds. A customer whose latest
-- snapshot was since build_start() and who is in none of them now (a corrected delivery
-- dropped them) is looked up in the snapshots before it: usually nobody, and the lookup's
-- scan is skipped when nobody is lost.
-- carry: customer_key VARCHAR, city_code VARCHAR, brand VARCHAR, status VARCHAR, snapshot_dt DATE, first_seen_dt DATE
-- computed once: each customer's latest snapshot since build_start(), read by `lost` and `snapshot`
-- materialize: latest_since
WITH carried AS (
    SELECT customer_key, city_code, brand, status, snapshot_dt, first_seen_dt
    FROM conformed_dim_customer
    WHERE build_start() IS NOT NULL
),
seen AS (
    SELECT customer_key, MIN(first_seen_dt) AS first_seen_dt
    FROM (
        SELECT customer_key, first_seen_dt FROM carried WHERE first_seen_dt < build_start()
        UNION ALL
        SELECT customer_key, dt FROM conformed_fact_ivr_call
        WHERE customer_key IS NOT NULL AND dt >= COALESCE(build_start(), DATE '0001-01-01')
        UNION ALL
        SELECT customer_key, dt FROM conformed_fact_subscriber
        WHERE customer_key IS NOT NULL AND dt >= COALESCE(build_start(), DATE '0001-01-01')
    )
    GROUP BY customer_key
),
-- Each customer's latest snapshot row: aggregates per customer ((customer_key, dt) is unique,
-- so ordering by dt alone picks one row), where a ROW_NUMBER over a window partition per
-- customer sorted a million subscribers' rows at scale 1.
latest_since AS (
    SELECT customer_key,
        first_value(city_code ORDER BY dt DESC) AS city_code,
        first_value(brand ORDER BY dt DESC) AS brand,
        first_value(status ORDER BY dt DESC) AS status,
        MAX(dt) AS snapshot_dt
    FROM conformed_fact_subscriber
    WHERE customer_key IS NOT NULL AND dt >= COALESCE(build_start(), DATE '0001-01-01')
    GROUP BY customer_key
),
lost AS (
    SELECT c.customer_key
    FROM carried AS c
    LEFT JOIN latest_since AS s ON s.customer_key = c.customer_key
    WHERE c.snapshot_dt >= build_start() AND s.customer_key IS NULL
),
looked_up AS (
    SELECT f.customer_key,
        first_value(f.city_code ORDER BY f.dt DESC) AS city_code,
        first_value(f.brand ORDER BY f.dt DESC) AS brand,
        first_value(f.status ORDER BY f.dt DESC) AS status,
        MAX(f.dt) AS snapshot_dt
    FROM lost AS l
    JOIN conformed_fact_subscriber AS f ON f.customer_key = l.customer_key
    WHERE f.dt < build_start()
    GROUP BY f.customer_key
),
-- At most one row per customer from each source, their dates in disjoint ranges: the latest wins.
snapshot AS (
    SELECT customer_key,
        first_value(city_code ORDER BY snapshot_dt DESC) AS city_code,
        first_value(brand ORDER BY snapshot_dt DESC) AS brand,
        first_value(status ORDER BY snapshot_dt DESC) AS status,
        MAX(snapshot_dt) AS snapshot_dt
    FROM (
        SELECT * FROM latest_since
        UNION ALL
        SELECT customer_key, city_code, brand, status, snapshot_dt FROM carried WHERE snapshot_dt < build_start()
        UNION ALL
        SELECT * FROM looked_up
    )
    GROUP BY customer_key
)
SELECT s.customer_key, l.city_code, l.brand, l.status, l.snapshot_dt, s.first_seen_dt
FROM seen AS s
LEFT JOIN snapshot AS l ON l.customer_key = s.customer_key
