-- conformed.customer_event: the events E2's customer windows count (conformed_customer_day), one
-- row each, at the date they count on: manual requests by queue_start, complaint work orders
-- (and repeat, escalated ones) by accepted_ts, successful unsubscribe orders by created_ts,
-- marketing successes by their order's created_ts, refunds by closed_ts. Work orders are
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
SELECT customer_key, dt, kind
FROM (
    SELECT customer_key, dt, 'request' AS kind
    FROM conformed_fact_agent_leg WHERE is_request
    UNION ALL
    SELECT customer_key, CAST(accepted_ts AS DATE), 'complaint'
    FROM conformed_fact_work_order WHERE wo_type = 'complaint'
    UNION ALL
    SELECT customer_key, CAST(accepted_ts AS DATE), 'repeat_complaint'
    FROM conformed_fact_work_order WHERE wo_type = 'complaint' AND is_repeat
    UNION ALL
    SELECT customer_key, CAST(accepted_ts AS DATE), 'escalated_complaint'
    FROM conformed_fact_work_order WHERE wo_type = 'complaint' AND COALESCE(escalation_source, 'none') <> 'none'
    UNION ALL
    SELECT customer_key, CAST(created_ts AS DATE), 'unsubscribe'
    FROM conformed_fact_order WHERE op_type = 'unsubscribe' AND status = 'success'
    UNION ALL
    SELECT customer_key, dt, 'marketing_success'
    FROM conformed_marketing_success
    UNION ALL
    SELECT customer_key, CAST(closed_ts AS DATE), 'refund'
    FROM conformed_fact_work_order WHERE wo_type = 'refund' AND closed_ts IS NOT NULL
) AS e
WHERE customer_key IS NOT NULL
