-- marts.traffic_value_leg (metrics.md E1): one row per answered leg (both origins), on the
-- date of its queue_start. The caller is the call's customer_key; business_code is that of
-- the leg's contact (NULL without one).
--   historical_score  100 × PERCENT_RANK() of the caller's arpu_3m among the subscribers with
--                     status <> 'closed' and a non-NULL arpu_3m in the snapshot in force on the
--                     date; NULL if the caller is not among them or has no arpu_3m (a new
--                     subscriber is not ranked: PERCENT_RANK sorts NULLs last, i.e. ≈ 100)
--   current_score     on the call's last answered leg: min(100, 100 × Σ amount of the call's
--                     successful orders with op_type <> 'payment' / e1_current_cap); 0 on its
--                     other legs
--   future_score      40 × [5G device on 4g] + 30 × min(tenure_months, 60)/60 + 30 × [a
--                     marketing success (order created_ts) in the 180 days before queue_start];
--                     NULL if the caller is not in the snapshot
--   influence_score   min(100, 20 × complaint work orders accepted in the 90 days before
--                     queue_start + 20 × those escalated (B12) + 40 × [brand = 'vip'])
--   elastic_score     100 × (1 − s), s = self-service share of the business code over the
--                     e1_baseline_days ending the date: IVR self-service calls whose
--                     self_service_code maps to it (ivr_code_map, identity when unmapped) /
--                     (those + contact requests with that code); NULL without a code or calls
--   value_score       Σ(w·score)/Σw over the non-NULL scores (e1_key_dimensions weigh
--                     e1_key_weight, others 1)
--   value_class       complex if handling > e1_complex_factor × the mean handling of answered
--                     legs with that business code over the e1_baseline_days ending the date,
--                     or transferred, or a repeat call (the caller had a manual request of
--                     another call queued within fcr_window_h before), or a work order carries
--                     its call_id; else high_value if value_score ≥ e1_high_value_min; else
--                     low_value
--   is_final          final 7 days after the date (metrics.md, Restatement)
-- Determinism: sums and counts are over integers and decimals; every score is a function of
-- its own row, and value_score is a fixed expression over the five dimensions (historical,
-- current, future, influence, elastic, in that order), never a SUM over rows of floats.
-- kind: by_date
-- is_final compares settled_days with 7 only
-- finality: 7
-- legs: repeat calls queued within fcr_window_h before (d-fcr_window_h/24 .. d); is_last_answered
-- needs the call's legs queued on d+1 (assumes a call (and each of its legs) lasts < 24 h)
-- window: conformed_fact_agent_leg -fcr_window_h/24..1
-- the business code of each leg of d: its contact, at the leg's date
-- window: conformed_fact_contact 0..0
-- self-service share and code mean: the per-date counts of the e1_baseline_days ending d
-- window: conformed_business_code_day 1-e1_baseline_days..0
-- complaint work orders accepted in the 90 days and marketing successes (by their order's
-- created_ts) in the 180 days before queue_start, at the date each counts on
-- window: conformed_customer_event -180..0
-- current_score sums every order of the call, whatever its created date: found by call_id
-- window: conformed_fact_order by call_id in conformed_fact_agent_leg reading call_id,status,op_type,amount
-- has_work_order: any work order carrying the call_id, accepted at any later date
-- window: conformed_fact_work_order by call_id in conformed_fact_agent_leg reading call_id
-- the subscriber snapshot in force on d
-- window: conformed_fact_subscriber asof
-- Memory: a hash join holds its left input whole and streams its right one past it, and
-- `joins: as written` keeps the optimiser from swapping them (it misjudges aggregates). So
-- the wide legs are always on the right, streamed: each lookup is a narrow table keyed by
-- leg, call or code, built from the legs' keys and joined as `lookup RIGHT JOIN legs`.
-- joins: as written
-- Each call's last answered leg (largest seq, then leg_id): one aggregate per call, where a
-- ROW_NUMBER over a window partition per call spent most of this model's time (2.2 s of
-- 2.6 s on night 30 of the growth run: a window operator's cost per partition).
WITH last_answered AS (
    SELECT first_value(leg_id ORDER BY seq DESC, leg_id DESC) AS leg_id
    FROM conformed_fact_agent_leg
    WHERE is_answered
    GROUP BY call_id
),
legs AS (
    SELECT l.leg_id, l.call_id, l.seq, l.dt, l.queue_start, l.center_id, l.skill_group, l.agent_id,
        l.customer_key, l.brand, l.handling_s, l.transferred, c.business_code,
        a.leg_id IS NOT NULL AS is_last_answered
    FROM last_answered AS a
    RIGHT JOIN (
        conformed_fact_contact AS c
        RIGHT JOIN conformed_fact_agent_leg AS l ON c.leg_id = l.leg_id
    ) ON a.leg_id = l.leg_id
    WHERE l.is_answered
),
-- The keys the lookups are found by: narrow, so holding them is cheap.
leg_keys AS (
    SELECT leg_id, call_id, dt, queue_start, customer_key
    FROM conformed_fact_agent_leg
    WHERE is_answered
),
-- Only subscribers with an arpu_3m are ranked, and only they get a historical score; the
-- others keep their future score (they are in the snapshot). Ranked once per snapshot.
ranked_subscribers AS (
    SELECT dt AS snapshot_dt, customer_key, network, device_5g, tenure_months,
        CASE WHEN arpu_3m IS NOT NULL
            THEN 100.0 * PERCENT_RANK() OVER (PARTITION BY dt, arpu_3m IS NULL ORDER BY arpu_3m)
        END AS historical
    FROM conformed_fact_subscriber
    WHERE status <> 'closed' AND customer_key IS NOT NULL
),
-- Each leg's caller in the snapshot in force on the leg's date.
leg_snapshot AS (
    SELECT k.leg_id, r.network, r.device_5g, r.tenure_months, r.historical
    FROM (
        SELECT l.leg_id, l.customer_key, d.subscribers_snapshot_dt
        FROM conformed_dim_date AS d
        JOIN leg_keys AS l ON l.dt = d.business_date
    ) AS k
    JOIN ranked_subscribers AS r
        ON r.snapshot_dt = k.subscribers_snapshot_dt AND r.customer_key = k.customer_key
),
recent_success AS (
    SELECT l.leg_id
    FROM leg_keys AS l
    JOIN conformed_customer_event AS s
        ON s.customer_key = l.customer_key AND s.kind = 'marketing_success'
        AND s.event_ts < l.queue_start AND s.event_ts >= l.queue_start - INTERVAL '180 days'
    GROUP BY l.leg_id
),
complaints AS (
    SELECT l.leg_id,
        SUM(CASE WHEN w.kind = 'complaint' THEN 1 ELSE 0 END) AS complaints,
        SUM(CASE WHEN w.kind = 'escalated_complaint' THEN 1 ELSE 0 END) AS escalated
    FROM leg_keys AS l
    JOIN conformed_customer_event AS w
        ON w.customer_key = l.customer_key AND w.kind IN ('complaint', 'escalated_complaint')
        AND w.event_ts < l.queue_start AND w.event_ts >= l.queue_start - INTERVAL '90 days'
    GROUP BY l.leg_id
),
repeats AS (
    SELECT l.leg_id
    FROM params AS p
    CROSS JOIN leg_keys AS l
    JOIN conformed_fact_agent_leg AS m
        ON m.customer_key = l.customer_key AND m.is_request AND m.call_id <> l.call_id
        AND m.queue_start < l.queue_start
        AND date_part('epoch', m.queue_start) >= date_part('epoch', l.queue_start) - p.fcr_window_h * 3600
    GROUP BY l.leg_id
),
-- Everything known per leg, one row per leg that has any of it.
leg_features AS (
    SELECT leg_id,
        bool_or(in_snapshot) AS in_snapshot, MAX(network) AS network, bool_or(device_5g) AS device_5g,
        MAX(tenure_months) AS tenure_months, MAX(historical) AS historical,
        bool_or(recent_success) AS recent_success,
        SUM(complaints) AS complaints, SUM(escalated) AS escalated, bool_or(is_repeat) AS is_repeat
    FROM (
        SELECT leg_id, true AS in_snapshot, network, device_5g, tenure_months, historical,
            false AS recent_success, 0 AS complaints, 0 AS escalated, false AS is_repeat
        FROM leg_snapshot
        UNION ALL
        SELECT leg_id, false, NULL, NULL, NULL, NULL, true, 0, 0, false FROM recent_success
        UNION ALL
        SELECT leg_id, false, NULL, NULL, NULL, NULL, false, complaints, escalated, false FROM complaints
        UNION ALL
        SELECT leg_id, false, NULL, NULL, NULL, NULL, false, 0, 0, true FROM repeats
    ) AS f
    GROUP BY leg_id
),
-- current_score's orders and has_work_order, for the calls of the legs read.
batch_calls AS (
    SELECT DISTINCT call_id FROM leg_keys
),
call_features AS (
    SELECT call_id, SUM(amount) AS amount, bool_or(has_work_order) AS has_work_order
    FROM (
        SELECT o.call_id, o.amount, false AS has_work_order
        FROM batch_calls AS k
        JOIN conformed_fact_order AS o ON o.call_id = k.call_id
        WHERE o.status = 'success' AND o.op_type <> 'payment'
        UNION ALL
        SELECT w.call_id, NULL, true
        FROM batch_calls AS k
        JOIN conformed_fact_work_order AS w ON w.call_id = k.call_id
    ) AS c
    GROUP BY call_id
),
-- Elastic and the code mean: the per-date counts (conformed_business_code_day) summed over the window.
code_window AS (
    SELECT d.business_date AS dt, k.business_code,
        CAST(SUM(k.self_service) AS DOUBLE) / NULLIF(SUM(k.self_service) + SUM(k.requests), 0) AS self_service_share,
        CAST(SUM(k.handling_s) AS DOUBLE) / NULLIF(SUM(k.answered_legs), 0) AS mean_handling_s
    FROM params AS p
    CROSS JOIN conformed_dim_date AS d
    JOIN conformed_business_code_day AS k
        ON k.dt <= d.business_date
        AND CAST(k.dt AS BIGINT) > CAST(d.business_date AS BIGINT) - p.e1_baseline_days
    GROUP BY d.business_date, k.business_code
),
scored AS (
    SELECT
        l.*,
        f.historical AS historical_score,
        CASE
            WHEN l.is_last_answered
                THEN LEAST(100.0, 100.0 * CAST(COALESCE(o.amount, 0) AS DOUBLE) / p.e1_current_cap)
            ELSE 0.0
        END AS current_score,
        CASE WHEN f.in_snapshot THEN
            40.0 * CASE WHEN f.device_5g AND f.network = '4g' THEN 1 ELSE 0 END
            + 30.0 * LEAST(f.tenure_months, 60) / 60.0
            + 30.0 * CASE WHEN f.recent_success THEN 1 ELSE 0 END
        END AS future_score,
        LEAST(100.0,
            20.0 * COALESCE(f.complaints, 0) + 20.0 * COALESCE(f.escalated, 0)
            + 40.0 * CASE WHEN l.brand = 'vip' THEN 1 ELSE 0 END) AS influence_score,
        100.0 * (1.0 - w.self_service_share) AS elastic_score,
        w.mean_handling_s AS code_mean_handling_s,
        COALESCE(f.is_repeat, false) AS is_repeat_call,
        COALESCE(o.has_work_order, false) AS has_work_order,
        p.e1_complex_factor,
        p.e1_high_value_min
    FROM params AS p
    CROSS JOIN (
        code_window AS w
        RIGHT JOIN (
            call_features AS o
            RIGHT JOIN (
                leg_features AS f
                RIGHT JOIN legs AS l ON f.leg_id = l.leg_id
            ) ON o.call_id = l.call_id
        ) ON w.dt = l.dt AND w.business_code = l.business_code
    )
),
-- The dimensions' weights as one row (a dimension missing from param_e1_weights weighs nothing).
e1_weights AS (
    SELECT
        MAX(CASE WHEN dimension = 'historical' THEN weight END) AS w_historical,
        MAX(CASE WHEN dimension = 'current' THEN weight END) AS w_current,
        MAX(CASE WHEN dimension = 'future' THEN weight END) AS w_future,
        MAX(CASE WHEN dimension = 'influence' THEN weight END) AS w_influence,
        MAX(CASE WHEN dimension = 'elastic' THEN weight END) AS w_elastic
    FROM param_e1_weights
),
valued AS (
    SELECT s.*,
        (COALESCE(e.w_historical * s.historical_score, 0.0) + COALESCE(e.w_current * s.current_score, 0.0)
            + COALESCE(e.w_future * s.future_score, 0.0) + COALESCE(e.w_influence * s.influence_score, 0.0)
            + COALESCE(e.w_elastic * s.elastic_score, 0.0))
        / NULLIF(
            COALESCE(CASE WHEN s.historical_score IS NOT NULL THEN e.w_historical END, 0.0)
            + COALESCE(CASE WHEN s.current_score IS NOT NULL THEN e.w_current END, 0.0)
            + COALESCE(CASE WHEN s.future_score IS NOT NULL THEN e.w_future END, 0.0)
            + COALESCE(CASE WHEN s.influence_score IS NOT NULL THEN e.w_influence END, 0.0)
            + COALESCE(CASE WHEN s.elastic_score IS NOT NULL THEN e.w_elastic END, 0.0), 0.0) AS value_score
    FROM e1_weights AS e
    CROSS JOIN scored AS s
)
SELECT
    s.leg_id, s.call_id, s.center_id, s.skill_group, s.agent_id, s.customer_key,
    COALESCE(s.business_code, '(none)') AS business_code,
    s.queue_start, s.handling_s, s.transferred, s.is_repeat_call, s.has_work_order,
    s.code_mean_handling_s,
    s.historical_score, s.current_score, s.future_score, s.influence_score, s.elastic_score,
    s.value_score,
    CASE
        WHEN s.handling_s > s.e1_complex_factor * s.code_mean_handling_s OR s.transferred
            OR s.is_repeat_call OR s.has_work_order THEN 'complex'
        WHEN s.value_score >= s.e1_high_value_min THEN 'high_value'
        ELSE 'low_value'
    END AS value_class,
    COALESCE(fin.settled_days >= 7, false) AS is_final,
    s.dt
FROM finality_dates AS fin
RIGHT JOIN valued AS s ON fin.dt = s.dt
