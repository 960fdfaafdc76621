-- marts.marketing_benefit_monthly (metrics.md E4) per campaign × month; offers go to their
-- leg's queue_start (an offer with an unknown leg: its popup_ts).
--   pitch_s          Σ pitch seconds of the campaign's offers (pitch_s, else marketing_pitch_s
--                    when recommended, else 0)
--   cost             pitch_s / 3600 × cost_per_agent_hour + Σ products.commission of its
--                    marketing successes (NULL while cost_per_agent_hour is unset)
--   revenue          Σ products.unit_price of its marketing successes
--   roi              (revenue − cost) / cost
--   pause            revenue = 0 < cost, or cost / revenue > max_cost_ratio
--   acceptance_rate  successes / recommended offers   (客户接受度)
--   efficiency       successes / (pitch_s / 3600)     (执行效率, successes per pitch hour)
--   evaluation_score weighted mean (e4_weights) over the non-NULL of: importance,
--                    100 − difficulty, channel_fit (campaign_factors, 50 each unless set),
--                    100 × acceptance_rate, 100 × min(max(roi, 0) / e4_roi_target, 1) (NULL
--                    while roi is, i.e. while cost is unset or 0). A campaign that is not
--                    paused already has roi ≥ 1/max_cost_ratio − 1 (1 by default), so the factor
--                    saturates at e4_roi_target, not at roi = 1.
-- is_final: 7 days after the month's last date (metrics.md, Restatement).
-- Prices and commissions are those of the product snapshot in force on the offer's date (the
-- latest on or before it, else the earliest after it).
-- Determinism: sums are over integers and decimals (prices, commissions); the money columns and
-- ratios are computed once per row from them, and evaluation_score is a fixed expression over
-- the five factors (in the order above), never a SUM over rows of floats.
-- dt: the month's first date, one partition per month: a night rebuilds the months it touches.
-- kind: by_month
-- the product snapshot in force on the offer's date, else the earliest after it: products are
-- sent only on change, so the snapshot used can be any partition before or after
-- window: conformed_dim_product latest_or_earliest_by product_code
-- a month is final once its finality row says so (is_final flips once; settled_days grows nightly)
-- window: conformed_month_finality 0..0 reading month,is_final
WITH offers AS (
    SELECT o.*, CAST(date_trunc('month', o.dt) AS DATE) AS month
    FROM conformed_fact_offer AS o
),
-- Each product's snapshots as runs of unchanged price and commission, from the run's first
-- snapshot date: the latest snapshot on or before a date lies in the run with the latest start
-- on or before it, and the earliest snapshot of all in the first run. Joining the successes
-- with every daily snapshot instead made products × days rows per success (1 M rows on night
-- 30 of the scale-0.1 growth run), growing with history.
product_runs AS (
    SELECT product_code, unit_price, commission, MIN(dt) AS run_start
    FROM (
        SELECT product_code, unit_price, commission, dt,
            ROW_NUMBER() OVER (PARTITION BY product_code ORDER BY dt)
                - ROW_NUMBER() OVER (PARTITION BY product_code, unit_price, commission ORDER BY dt) AS run
        FROM conformed_dim_product
    )
    GROUP BY product_code, unit_price, commission, run
),
priced AS (
    SELECT p.offer_id, p.unit_price, p.commission
    FROM (
        SELECT
            o.offer_id, pr.unit_price, pr.commission,
            ROW_NUMBER() OVER (
                PARTITION BY o.offer_id
                ORDER BY CASE WHEN pr.run_start <= o.dt THEN 0 ELSE 1 END,
                    CASE WHEN pr.run_start <= o.dt THEN -CAST(pr.run_start AS BIGINT)
                        ELSE CAST(pr.run_start AS BIGINT) END
            ) AS rn
        FROM offers AS o
        JOIN product_runs AS pr ON pr.product_code = o.product_code
        WHERE o.is_success
    ) AS p
    WHERE p.rn = 1
),
campaign_month AS (
    SELECT
        o.month,
        o.campaign_id,
        COUNT(*) AS offers,
        SUM(CASE WHEN o.recommended THEN 1 ELSE 0 END) AS recommended_offers,
        SUM(CASE WHEN o.is_success THEN 1 ELSE 0 END) AS marketing_successes,
        SUM(o.pitch_seconds) AS pitch_s,
        SUM(CASE WHEN o.is_success THEN COALESCE(pr.commission, 0) ELSE 0 END) AS commission,
        SUM(CASE WHEN o.is_success THEN COALESCE(pr.unit_price, 0) ELSE 0 END) AS revenue,
        SUM(CASE WHEN o.is_success AND pr.offer_id IS NULL THEN 1 ELSE 0 END) AS unpriced_successes
    FROM offers AS o
    LEFT JOIN priced AS pr ON pr.offer_id = o.offer_id
    GROUP BY o.month, o.campaign_id
),
money AS (
    SELECT
        c.*,
        CAST(c.pitch_s AS DOUBLE) / 3600.0 * p.cost_per_agent_hour + CAST(c.commission AS DOUBLE) AS cost,
        CAST(c.revenue AS DOUBLE) AS revenue_yuan,
        CAST(c.marketing_successes AS DOUBLE) / NULLIF(c.recommended_offers, 0) AS acceptance_rate,
        CAST(c.marketing_successes AS DOUBLE) / NULLIF(CAST(c.pitch_s AS DOUBLE) / 3600.0, 0) AS efficiency,
        COALESCE(f.importance, 50.0) AS importance,
        COALESCE(f.difficulty, 50.0) AS difficulty,
        COALESCE(f.channel_fit, 50.0) AS channel_fit,
        p.max_cost_ratio
    FROM params AS p
    CROSS JOIN campaign_month AS c
    LEFT JOIN param_campaign_factors AS f ON f.campaign_id = c.campaign_id
),
scored AS (
    SELECT
        m.*,
        (m.revenue_yuan - m.cost) / NULLIF(m.cost, 0) AS roi
    FROM money AS m
),
-- The factors' weights as one row (a factor missing from param_e4_weights weighs nothing).
e4_weights AS (
    SELECT
        MAX(CASE WHEN factor = 'importance' THEN weight END) AS w_importance,
        MAX(CASE WHEN factor = 'difficulty' THEN weight END) AS w_difficulty,
        MAX(CASE WHEN factor = 'channel_fit' THEN weight END) AS w_channel_fit,
        MAX(CASE WHEN factor = 'acceptance' THEN weight END) AS w_acceptance,
        MAX(CASE WHEN factor = 'roi' THEN weight END) AS w_roi
    FROM param_e4_weights
),
-- Each factor of a campaign-month; NULL when its input is (GREATEST and LEAST skip NULLs, so
-- the ROI factor tests roi itself).
factors AS (
    SELECT s.month, s.campaign_id,
        s.importance AS f_importance,
        100.0 - s.difficulty AS f_difficulty,
        s.channel_fit AS f_channel_fit,
        100.0 * s.acceptance_rate AS f_acceptance,
        CASE WHEN s.roi IS NOT NULL THEN 100.0 * LEAST(GREATEST(s.roi, 0.0) / p.e4_roi_target, 1.0) END AS f_roi
    FROM params AS p
    CROSS JOIN scored AS s
),
evaluation AS (
    SELECT f.month, f.campaign_id,
        (COALESCE(w.w_importance * f.f_importance, 0.0) + COALESCE(w.w_difficulty * f.f_difficulty, 0.0)
            + COALESCE(w.w_channel_fit * f.f_channel_fit, 0.0) + COALESCE(w.w_acceptance * f.f_acceptance, 0.0)
            + COALESCE(w.w_roi * f.f_roi, 0.0))
        / NULLIF(
            COALESCE(CASE WHEN f.f_importance IS NOT NULL THEN w.w_importance END, 0.0)
            + COALESCE(CASE WHEN f.f_difficulty IS NOT NULL THEN w.w_difficulty END, 0.0)
            + COALESCE(CASE WHEN f.f_channel_fit IS NOT NULL THEN w.w_channel_fit END, 0.0)
            + COALESCE(CASE WHEN f.f_acceptance IS NOT NULL THEN w.w_acceptance END, 0.0)
            + COALESCE(CASE WHEN f.f_roi IS NOT NULL THEN w.w_roi END, 0.0), 0.0) AS evaluation_score
    FROM e4_weights AS w
    CROSS JOIN factors AS f
)
SELECT
    s.month,
    s.campaign_id,
    s.offers,
    s.recommended_offers,
    s.marketing_successes,
    s.pitch_s,
    s.cost,
    s.revenue_yuan AS revenue,
    s.roi,
    CASE
        WHEN s.cost IS NULL THEN NULL
        ELSE (s.revenue_yuan = 0 AND s.cost > 0)
            OR COALESCE(s.cost / NULLIF(s.revenue_yuan, 0) > s.max_cost_ratio, false)
    END AS pause,
    s.acceptance_rate,
    s.efficiency,
    s.importance,
    s.difficulty,
    s.channel_fit,
    e.evaluation_score,
    s.unpriced_successes,
    COALESCE(mf.is_final, false) AS is_final,
    s.month AS dt
FROM scored AS s
JOIN evaluation AS e ON e.month = s.month AND e.campaign_id = s.campaign_id
LEFT JOIN conformed_month_finality AS mf ON mf.month = s.month
