-- conformed.dim_interval: the 48 half-hour intervals of a day (interval_no 0..47).
-- kind: full
-- no dt and no input: the 48 half hours of a day
SELECT
    CAST(n AS INT) AS interval_no,
    lpad(CAST(n / 2 AS VARCHAR), 2, '0') || ':' || CASE WHEN n % 2 = 0 THEN '00' ELSE '30' END AS starts,
    lpad(CAST((n + 1) / 2 AS VARCHAR), 2, '0') || ':' || CASE WHEN n % 2 = 0 THEN '30' ELSE '00' END AS ends,
    CAST(n / 2 AS INT) AS hour
FROM (SELECT unnest(generate_series(0, 47)) AS n)
