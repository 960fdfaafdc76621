-- cube.subscriber: subscribers not closed, per snapshot date × city × brand (B10's
-- denominator, read at the period's last business date).
-- kind: by_date
SELECT dt, CAST(dt AS TIMESTAMP) AS interval_start, city_code, brand, COUNT(*) AS subscribers
FROM conformed_fact_subscriber
WHERE status <> 'closed'
GROUP BY dt, city_code, brand
