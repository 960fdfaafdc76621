-- conformed.marketing_success: every marketing success (metrics.md, Base events: an offers row
-- recommended and accepted whose order's status is 'success'; several products in one call
-- count several times) with its customer, at its order's created date — the date E2's 180-day
-- window counts it on (conformed_customer_day). The offer sits at its leg's date and its order
-- can be created at any date: an offer that changes is found by its order_id, and rebuilds
-- that order's created date.
-- kind: by_date
-- the offer of a success sits at its leg's date: nothing bounds it from the order's date
-- window: conformed_fact_offer by order_id in conformed_fact_order reading order_id,customer_key,is_success
-- fact_order's partition is the order's created date, the output date (0..0)
SELECT o.customer_key, r.order_id, r.created_ts, CAST(r.created_ts AS DATE) AS dt
FROM conformed_fact_offer AS o
JOIN conformed_fact_order AS r ON r.order_id = o.order_id
WHERE o.is_success
