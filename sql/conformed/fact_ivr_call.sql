-- conformed.fact_ivr_call: one row per IVR call, business date dt = date of ivr_start.
-- The caller's number stops here: it becomes customer_key (HMAC), see src/engine/pii.rs.
-- It reads latest_hotline_ivr_calls: a call delivered twice with different dates keeps its latest delivery.
-- kind: by_date
SELECT
    c.call_id,
    COALESCE(c.center_id, p.single_center_id, '(none)') AS center_id,
    customer_key(c.caller) AS customer_key,
    c.city_code,
    c.brand,
    c.ivr_start,
    c.ivr_end,
    c.ivr_outcome,
    c.self_service_code,
    c.dt
FROM params AS p
CROSS JOIN latest_hotline_ivr_calls AS c
