-- conformed.month_finality: per month, the days it has settled: the latest run's date minus
-- the later of the month's last date and the last delivery that touched one of its dates
-- (from finality_dates, which the run derives from the landing ledger). A monthly row is final
-- once settled_days ≥ its final_after_days (metrics.md, Restatement: D and E4, 7).
-- is_final: settled_days ≥ 7, the final_after_days of every monthly mart (D, E4). The marts read
-- it, not settled_days, so a month's row changes for them once, when it becomes final, not every
-- night (settled_days grows with each run).
-- dt: the month's first date (one partition per month).
-- kind: full
-- Every month's settled_days grows with each run (latest_run is on every row): rebuilt whole,
-- from finality_dates (a row per date). Its readers declare `reading month,is_final`, so only
-- the months whose is_final flipped reach them.
SELECT month, settled_days, COALESCE(settled_days >= 7, false) AS is_final, month AS dt
FROM (
    SELECT
        CAST(date_trunc('month', dt) AS DATE) AS month,
        LEAST(
            MIN(settled_days),
            CAST(MAX(latest_run) AS BIGINT)
                - CAST(CAST(date_trunc('month', MIN(dt)) + INTERVAL '1 month' - INTERVAL '1 day' AS DATE) AS BIGINT)
        ) AS settled_days
    FROM finality_dates
    GROUP BY 1
)
