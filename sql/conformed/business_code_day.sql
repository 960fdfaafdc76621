-- conformed.business_code_day (metrics.md E1): per business date and business code, the counts
-- E1's elastic score and complexity threshold sum over the e1_baseline_days ending a date
-- (marts_traffic_value_leg): IVR self-service calls whose self_service_code maps to the code
-- (param_ivr_code_map, identity when unmapped), contact requests with the code, and the answered
-- legs whose contact has the code with their handling seconds. Kept per date so that a night
-- sums e1_baseline_days small partitions instead of re-reading every leg of the baseline.
-- kind: by_date
-- every input at the output date (0..0): a contact with a known leg sits at its leg's date
WITH legs AS (
    SELECT l.dt, l.handling_s, c.business_code
    FROM conformed_fact_agent_leg AS l
    LEFT JOIN conformed_fact_contact AS c ON c.leg_id = l.leg_id
    WHERE l.is_answered
),
self_service_day AS (
    SELECT i.dt, COALESCE(m.business_code, i.self_service_code) AS business_code, COUNT(*) AS self_service
    FROM conformed_fact_ivr_call AS i
    LEFT JOIN param_ivr_code_map AS m ON m.self_service_code = i.self_service_code
    WHERE i.ivr_outcome = 'self_service' AND i.self_service_code IS NOT NULL
    GROUP BY 1, 2
),
contact_day AS (
    SELECT dt, business_code, COUNT(*) AS requests
    FROM conformed_fact_contact
    WHERE is_request AND business_code IS NOT NULL
    GROUP BY 1, 2
),
handling_day AS (
    SELECT dt, business_code, SUM(handling_s) AS handling_s, COUNT(*) AS answered_legs
    FROM legs
    WHERE business_code IS NOT NULL
    GROUP BY 1, 2
)
SELECT
    COALESCE(s.business_code, c.business_code, h.business_code) AS business_code,
    COALESCE(s.self_service, 0) AS self_service,
    COALESCE(c.requests, 0) AS requests,
    COALESCE(h.handling_s, 0) AS handling_s,
    COALESCE(h.answered_legs, 0) AS answered_legs,
    COALESCE(s.dt, c.dt, h.dt) AS dt
FROM self_service_day AS s
FULL JOIN contact_day AS c ON c.dt = s.dt AND c.business_code = s.business_code
FULL JOIN handling_day AS h
    ON h.dt = COALESCE(s.dt, c.dt) AND h.business_code = COALESCE(s.business_code, c.business_code)
