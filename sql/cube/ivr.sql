-- cube.ivr: IVR calls by ivr_start (C1's ivr_calls, C14, F4), with the IVR code used.
-- kind: by_date
SELECT
    dt,
    date_bin(INTERVAL '30 minutes', ivr_start, TIMESTAMP '2000-01-01 00:00:00') AS interval_start,
    center_id,
    COALESCE(city_code, '(none)') AS city_code,
    COALESCE(brand, '(none)') AS brand,
    COALESCE(self_service_code, '(none)') AS self_service_code,
    COUNT(*) AS ivr_calls,
    SUM(CASE WHEN ivr_outcome = 'self_service' THEN 1 ELSE 0 END) AS self_service_calls,
    SUM(CASE WHEN ivr_outcome = 'hangup' THEN 1 ELSE 0 END) AS hangup_calls
FROM conformed_fact_ivr_call
GROUP BY 1, 2, 3, 4, 5, 6
