-- conformed.month_finality: per month, the days it has settled: the latest run's date minus
-- the later of the month's last date and the last delivery that touched one of its dates
-- (from finality_dates, which the run derives from the landing ledger). A monthly row is final
-- once settled_days ≥ its final_after_days (metrics.md, Restatement: D and E4, 7).
-- kind: by_month
-- a month's row reads the finality_dates rows of its own dates (latest_run is on every row)
SELECT
    CAST(date_trunc('month', dt) AS DATE) AS month,
    LEAST(
        MIN(settled_days),
        CAST(MAX(latest_run) AS BIGINT)
            - CAST(CAST(date_trunc('month', MIN(dt)) + INTERVAL '1 month' - INTERVAL '1 day' AS DATE) AS BIGINT)
    ) AS settled_days
FROM finality_dates
GROUP BY 1
