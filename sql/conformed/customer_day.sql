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
-- kind: by_date
-- events (conformed_customer_event, at the date each counts on) in the 180 days ending on d
-- window: conformed_customer_event -179..0
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
),
events AS (
    SELECT customer_key, dt AS event_date, kind FROM conformed_customer_event
),
windowed AS (
    SELECT
        d.business_date AS dt,
        e.customer_key,
        SUM(CASE WHEN e.kind = 'request' AND e.event_date > d.business_date - INTERVAL '30 days' THEN 1 ELSE 0 END)
            AS manual_requests_30d,
        SUM(CASE WHEN e.kind = 'complaint' AND e.event_date > d.business_date - INTERVAL '30 days' THEN 1 ELSE 0 END)
            AS complaints_30d,
        SUM(CASE WHEN e.kind = 'complaint' AND e.event_date > d.business_date - INTERVAL '90 days' THEN 1 ELSE 0 END)
            AS complaints_90d,
        SUM(CASE WHEN e.kind = 'repeat_complaint' AND e.event_date > d.business_date - INTERVAL '90 days'
            THEN 1 ELSE 0 END) AS repeat_complaints_90d,
        SUM(CASE WHEN e.kind = 'escalated_complaint' AND e.event_date > d.business_date - INTERVAL '90 days'
            THEN 1 ELSE 0 END) AS escalated_complaints_90d,
        SUM(CASE WHEN e.kind = 'unsubscribe' AND e.event_date > d.business_date - INTERVAL '30 days' THEN 1 ELSE 0 END)
            AS unsubscribes_30d,
        SUM(CASE WHEN e.kind = 'marketing_success' THEN 1 ELSE 0 END) AS marketing_successes_180d,
        SUM(CASE WHEN e.kind = 'refund' AND e.event_date > d.business_date - INTERVAL '90 days' THEN 1 ELSE 0 END)
            AS refunds_closed_90d,
        SUM(CASE WHEN e.kind = 'unsatisfied_survey' AND e.event_date > d.business_date - INTERVAL '30 days'
            THEN 1 ELSE 0 END) AS unsatisfied_surveys_30d,
        SUM(CASE WHEN e.kind = 'service_complaint' AND e.event_date > d.business_date - INTERVAL '30 days'
            THEN 1 ELSE 0 END) AS service_complaints_30d
    FROM dates AS d
    JOIN events AS e
        ON e.event_date <= d.business_date AND e.event_date > d.business_date - INTERVAL '180 days'
    WHERE e.customer_key IS NOT NULL
    GROUP BY d.business_date, e.customer_key
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
    COALESCE(w.service_complaints_30d, 0) AS service_complaints_30d
FROM snapshot AS s
FULL JOIN windowed AS w ON w.dt = s.dt AND w.customer_key = s.customer_key
