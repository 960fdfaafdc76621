-- conformed.dim_customer: every customer seen as a caller or subscriber, with the city and
-- brand of the latest subscriber snapshot (NULL if never in one).
-- kind: full
-- no dt: one row per customer ever seen, with the latest subscriber snapshot over all history
WITH seen AS (
    SELECT customer_key FROM conformed_fact_ivr_call WHERE customer_key IS NOT NULL
    UNION SELECT customer_key FROM conformed_fact_subscriber WHERE customer_key IS NOT NULL
),
latest AS (
    SELECT customer_key, city_code, brand, status,
        -- (customer_key, dt) is unique; the other columns only make the order total regardless.
        ROW_NUMBER() OVER (PARTITION BY customer_key ORDER BY dt DESC, city_code, brand, status) AS rn
    FROM conformed_fact_subscriber
)
SELECT s.customer_key, l.city_code, l.brand, l.status
FROM seen AS s
LEFT JOIN latest AS l ON l.customer_key = s.customer_key AND l.rn = 1
