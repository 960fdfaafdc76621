-- conformed.customer_event: the events E2's customer windows count (conformed_customer_day) and
-- E1's look-backs read (marts_traffic_value_leg: complaints in the 90 days and marketing
-- successes in the 180 days before a call), one row each, with its time (event_ts), at the date
-- it counts on: manual requests by queue_start, complaint work orders
-- (and repeat, escalated ones) by accepted_ts, successful unsubscribe orders by created_ts,
-- marketing successes by their order's created_ts, refunds by closed_ts, unsatisfied surveys
-- (the call's latest valid survey, result 3) by their leg's queue_start, service complaints by
-- accepted_ts. Work orders are
-- delivered again as they progress (closed, archived), landing in their accepted date's
-- partition however old: keyed here by the date an event counts on, only the dates whose events
-- changed reach customer_day (a refund closed today changes today's count, not every date since
-- the order was accepted).
-- kind: by_date
-- complaints by accepted_ts (the work order's partition) and refunds by closed_ts, never before
-- accepted_ts (landing refuses it): every partition up to d
-- window: conformed_fact_work_order ..0
-- requests (fact_agent_leg), unsubscribes (fact_order) and marketing successes are in the
-- partition of the date they count on (0..0)
-- an unsatisfied survey counts at its leg's date d, and sits at its call's first answered
-- request or its leg: within a day of d
-- window: conformed_fact_survey -1..1 reading leg_id,result,is_call_latest_valid
-- The complaints of the dates rebuilt are in their partitions (dt = accepted date), so those
-- branches read from build_start() on; a refund closed on a date rebuilt can sit in any earlier
-- partition, and `closed_ts >= build_start()` skips the row groups that closed none since.
-- escalated_complaint: escalation_source <> 'none' (E2); landing admits only 'none' and B12's
-- sources, so these are also B12's escalated complaints (E1).
SELECT customer_key, dt, kind, event_ts
FROM (
    SELECT customer_key, dt, 'request' AS kind, queue_start AS event_ts
    FROM conformed_fact_agent_leg WHERE is_request
    UNION ALL
    SELECT customer_key, CAST(accepted_ts AS DATE), 'complaint', accepted_ts
    FROM conformed_fact_work_order WHERE wo_type = 'complaint' AND dt >= COALESCE(build_start(), DATE '0001-01-01')
    UNION ALL
    SELECT customer_key, CAST(accepted_ts AS DATE), 'repeat_complaint', accepted_ts
    FROM conformed_fact_work_order WHERE wo_type = 'complaint' AND is_repeat AND dt >= COALESCE(build_start(), DATE '0001-01-01')
    UNION ALL
    SELECT customer_key, CAST(accepted_ts AS DATE), 'escalated_complaint', accepted_ts
    FROM conformed_fact_work_order WHERE wo_type = 'complaint' AND COALESCE(escalation_source, 'none') <> 'none' AND dt >= COALESCE(build_start(), DATE '0001-01-01')
    UNION ALL
    SELECT customer_key, CAST(created_ts AS DATE), 'unsubscribe', created_ts
    FROM conformed_fact_order WHERE op_type = 'unsubscribe' AND status = 'success'
    UNION ALL
    SELECT customer_key, dt, 'marketing_success', created_ts
    FROM conformed_marketing_success
    UNION ALL
    SELECT customer_key, CAST(closed_ts AS DATE), 'refund', closed_ts
    FROM conformed_fact_work_order WHERE wo_type = 'refund' AND closed_ts IS NOT NULL
        AND (build_start() IS NULL OR closed_ts >= CAST(build_start() AS TIMESTAMP))
    UNION ALL
    SELECT l.customer_key, l.dt, 'unsatisfied_survey', l.queue_start
    FROM conformed_fact_survey AS s
    JOIN conformed_fact_agent_leg AS l ON l.leg_id = s.leg_id
    WHERE s.is_call_latest_valid AND s.result = 3
    UNION ALL
    SELECT customer_key, CAST(accepted_ts AS DATE), 'service_complaint', accepted_ts
    FROM conformed_fact_work_order WHERE wo_type = 'complaint' AND service_complaint AND dt >= COALESCE(build_start(), DATE '0001-01-01')
) AS e
WHERE customer_key IS NOT NULL
