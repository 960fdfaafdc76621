-- conformed.fact_subscriber: the daily subscriber snapshot (dt = snapshot date), keyed by
-- customer_key instead of the number.
-- kind: by_date
SELECT
    customer_key(s.msisdn) AS customer_key,
    COALESCE(s.city_code, '(none)') AS city_code,
    COALESCE(s.brand, '(none)') AS brand,
    s.plan_code,
    s.network,
    s.device_5g,
    s.tenure_months,
    s.arpu_3m,
    s.status,
    s.points,
    s.dt
FROM raw_boss_subscribers AS s
