-- conformed.customer_day: one row per customer and business date, the facts customer tags
-- (metrics.md E2, sql/tags/*.toml) are written against. Customers: those in the subscriber
-- snapshot in force on the date, and those with an event in the 180 days ending on it.
-- Dates: the business dates up to the latest one a run has loaded (finality_dates.latest_run;
-- every date of the spine when no run is recorded) — not the spine's extra day after the last,
-- which exists for states crossing midnight and would tag a million customers once more.
-- Snapshot columns (NULL for a customer not in it): city_code, brand, network, device_5g,
-- tenure_months, arpu_3m, status. Windowed counts, "N days ending on the date" = event date
-- in (date − N days, date]:
--   manual_requests_30d       manual requests (legs with origin ivr), by queue_start
--   complaints_30d, complaints_90d   complaint work orders, by accepted_ts
--   repeat_complaints_90d     complaint work orders that are B11 repeats, by accepted_ts
--   escalated_complaints_90d  complaint work orders with escalation_source <> 'none'
--   unsubscribes_30d          successful unsubscribe orders, by created_ts
--   marketing_successes_180d  marketing successes, by their order's created_ts
--                             (conformed_marketing_success)
--   refunds_closed_90d        refund work orders, by closed_ts
--   unsatisfied_surveys_30d   the call's latest valid survey with result 3, by its leg's
--                             queue_start
--   service_complaints_30d    complaint work orders with service_complaint, by accepted_ts
--   events_180d               every event in the 180 days (of any kind): a customer has a
--                             windowed row while it is > 0 (what a night carries forward)
-- kind: by_date
-- Each window is carried from the day before: an event enters every window on its date and
-- leaves the N-day one N days later, so the counts of d are those of build_start() − 1 (its
-- own rows) plus the changes on build_start() … d. A rebuild reads the events of
-- build_start() … build_end() and of the same dates 30, 90 and 180 days earlier, not the
-- 180 days before each date. In a whole build (NULL build_start()) nothing is carried and
-- every event up to d enters and leaves: the same counts.
-- carry: customer_key VARCHAR, manual_requests_30d BIGINT, complaints_30d BIGINT, complaints_90d BIGINT, repeat_complaints_90d BIGINT, escalated_complaints_90d BIGINT, unsubscribes_30d BIGINT, marketing_successes_180d BIGINT, refunds_closed_90d BIGINT, unsatisfied_surveys_30d BIGINT, service_complaints_30d BIGINT, events_180d BIGINT
-- events (conformed_customer_event, at the date each counts on) in the 180 days ending on d,
-- and those of d − 180, which leave the 180-day window on d
-- window: conformed_customer_event -180..0
-- the subscriber snapshot in force on d (dim_date.subscribers_snapshot_dt)
-- window: conformed_fact_subscriber asof
-- finality_dates (0..0): MAX(latest_run) is on every row, and the runner reads it whole and
-- counts a date as changed when the latest run passes it (the dates up to it exist); a date
-- whose settled days cross a threshold changes nothing here
-- finality: latest_run
WITH dates AS (
    SELECT d.business_date, d.subscribers_snapshot_dt
    FROM conformed_dim_date AS d
    WHERE d.business_date <= COALESCE((SELECT MAX(latest_run) FROM finality_dates), d.business_date)
        AND in_build(d.business_date)
        AND d.business_date >= COALESCE(build_start(), d.business_date)
),
-- One row per event and window it enters or leaves on a date of the build: +1 to every
-- window on its date (d30, d90, d180), −1 to the N-day one N days later.
changes AS (
    SELECT customer_key, kind, dt AS on_date, 1 AS d30, 1 AS d90, 1 AS d180
    FROM conformed_customer_event
    WHERE dt >= COALESCE(build_start(), DATE '0001-01-01') AND dt <= COALESCE(build_end(), DATE '9999-12-31')
    UNION ALL
    SELECT customer_key, kind, CAST(dt + INTERVAL '30 days' AS DATE), -1, 0, 0
    FROM conformed_customer_event
    WHERE dt >= COALESCE(build_start() - INTERVAL '30 days', DATE '0001-01-01')
        AND dt <= COALESCE(build_end() - INTERVAL '30 days', DATE '9999-12-31')
    UNION ALL
    SELECT customer_key, kind, CAST(dt + INTERVAL '90 days' AS DATE), 0, -1, 0
    FROM conformed_customer_event
    WHERE dt >= COALESCE(build_start() - INTERVAL '90 days', DATE '0001-01-01')
        AND dt <= COALESCE(build_end() - INTERVAL '90 days', DATE '9999-12-31')
    UNION ALL
    SELECT customer_key, kind, CAST(dt + INTERVAL '180 days' AS DATE), 0, 0, -1
    FROM conformed_customer_event
    WHERE dt >= COALESCE(build_start() - INTERVAL '180 days', DATE '0001-01-01')
        AND dt <= COALESCE(build_end() - INTERVAL '180 days', DATE '9999-12-31')
),
-- Per date of the build and customer, the changes since build_start().
moved AS (
    SELECT
        d.business_date AS dt,
        c.customer_key,
        SUM(CASE WHEN c.kind = 'request' THEN c.d30 ELSE 0 END) AS manual_requests_30d,
        SUM(CASE WHEN c.kind = 'complaint' THEN c.d30 ELSE 0 END) AS complaints_30d,
        SUM(CASE WHEN c.kind = 'complaint' THEN c.d90 ELSE 0 END) AS complaints_90d,
        SUM(CASE WHEN c.kind = 'repeat_complaint' THEN c.d90 ELSE 0 END) AS repeat_complaints_90d,
        SUM(CASE WHEN c.kind = 'escalated_complaint' THEN c.d90 ELSE 0 END) AS escalated_complaints_90d,
        SUM(CASE WHEN c.kind = 'unsubscribe' THEN c.d30 ELSE 0 END) AS unsubscribes_30d,
        SUM(CASE WHEN c.kind = 'marketing_success' THEN c.d180 ELSE 0 END) AS marketing_successes_180d,
        SUM(CASE WHEN c.kind = 'refund' THEN c.d90 ELSE 0 END) AS refunds_closed_90d,
        SUM(CASE WHEN c.kind = 'unsatisfied_survey' THEN c.d30 ELSE 0 END) AS unsatisfied_surveys_30d,
        SUM(CASE WHEN c.kind = 'service_complaint' THEN c.d30 ELSE 0 END) AS service_complaints_30d,
        SUM(c.d180) AS events_180d
    FROM dates AS d
    JOIN changes AS c ON c.on_date <= d.business_date
    WHERE c.customer_key IS NOT NULL
    GROUP BY d.business_date, c.customer_key
),
-- The customers in a window on the day before build_start() (none in a whole build), once
-- per date of the build.
carried AS (
    SELECT d.business_date AS dt, k.customer_key, k.manual_requests_30d, k.complaints_30d, k.complaints_90d,
        k.repeat_complaints_90d, k.escalated_complaints_90d, k.unsubscribes_30d, k.marketing_successes_180d,
        k.refunds_closed_90d, k.unsatisfied_surveys_30d, k.service_complaints_30d, k.events_180d
    FROM dates AS d
    CROSS JOIN conformed_customer_day AS k
    WHERE k.dt = CAST(build_start() - INTERVAL '1 day' AS DATE) AND k.events_180d > 0
),
windowed AS (
    SELECT
        COALESCE(m.dt, k.dt) AS dt,
        COALESCE(m.customer_key, k.customer_key) AS customer_key,
        COALESCE(k.manual_requests_30d, 0) + COALESCE(m.manual_requests_30d, 0) AS manual_requests_30d,
        COALESCE(k.complaints_30d, 0) + COALESCE(m.complaints_30d, 0) AS complaints_30d,
        COALESCE(k.complaints_90d, 0) + COALESCE(m.complaints_90d, 0) AS complaints_90d,
        COALESCE(k.repeat_complaints_90d, 0) + COALESCE(m.repeat_complaints_90d, 0) AS repeat_complaints_90d,
        COALESCE(k.escalated_complaints_90d, 0) + COALESCE(m.escalated_complaints_90d, 0) AS escalated_complaints_90d,
        COALESCE(k.unsubscribes_30d, 0) + COALESCE(m.unsubscribes_30d, 0) AS unsubscribes_30d,
        COALESCE(k.marketing_successes_180d, 0) + COALESCE(m.marketing_successes_180d, 0) AS marketing_successes_180d,
        COALESCE(k.refunds_closed_90d, 0) + COALESCE(m.refunds_closed_90d, 0) AS refunds_closed_90d,
        COALESCE(k.unsatisfied_surveys_30d, 0) + COALESCE(m.unsatisfied_surveys_30d, 0) AS unsatisfied_surveys_30d,
        COALESCE(k.service_complaints_30d, 0) + COALESCE(m.service_complaints_30d, 0) AS service_complaints_30d,
        COALESCE(k.events_180d, 0) + COALESCE(m.events_180d, 0) AS events_180d
    FROM carried AS k
    FULL JOIN moved AS m ON m.dt = k.dt AND m.customer_key = k.customer_key
),
snapshot AS (
    SELECT d.business_date AS dt, s.customer_key, s.city_code, s.brand, s.network, s.device_5g,
        s.tenure_months, s.arpu_3m, s.status
    FROM dates AS d
    JOIN conformed_fact_subscriber AS s ON s.dt = d.subscribers_snapshot_dt
    WHERE s.customer_key IS NOT NULL
)
SELECT
    COALESCE(s.dt, w.dt) AS dt,
    COALESCE(s.customer_key, w.customer_key) AS customer_key,
    s.customer_key IS NOT NULL AS in_snapshot,
    s.city_code, s.brand, s.network, s.device_5g, s.tenure_months, s.arpu_3m, s.status,
    COALESCE(w.manual_requests_30d, 0) AS manual_requests_30d,
    COALESCE(w.complaints_30d, 0) AS complaints_30d,
    COALESCE(w.complaints_90d, 0) AS complaints_90d,
    COALESCE(w.repeat_complaints_90d, 0) AS repeat_complaints_90d,
    COALESCE(w.escalated_complaints_90d, 0) AS escalated_complaints_90d,
    COALESCE(w.unsubscribes_30d, 0) AS unsubscribes_30d,
    COALESCE(w.marketing_successes_180d, 0) AS marketing_successes_180d,
    COALESCE(w.refunds_closed_90d, 0) AS refunds_closed_90d,
    COALESCE(w.unsatisfied_surveys_30d, 0) AS unsatisfied_surveys_30d,
    COALESCE(w.service_complaints_30d, 0) AS service_complaints_30d,
    COALESCE(w.events_180d, 0) AS events_180d
FROM snapshot AS s
FULL JOIN (SELECT * FROM windowed WHERE events_180d > 0) AS w ON w.dt = s.dt AND w.customer_key = s.customer_key
