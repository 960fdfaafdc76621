-- conformed.fact_work_order: CRM work orders, business date dt = date of accepted_ts.
-- Skill group and agent are those of the last answered leg of the order's call (largest seq
-- with an answer); none → skill group '(none)', center single_center_id else '(none)'
-- (metrics.md, Skill group of a work order). City and brand are the order's own.
-- is_repeat (B11): a complaint whose caller has another complaint with the same leaf
-- category archived (closed when not archived) before this one's accepted_ts and no more
-- than repeat_lookback_days before it.
-- kind: by_date
-- B11: the earlier complaint must be archived/closed within repeat_lookback_days before
-- accepted_ts, but its own accepted_ts (its partition) can be any earlier date (..0)
-- window: latest_crm_work_orders ..0
-- the last answered leg of the order's call: the call can be any time before the order, found
-- by call_id; it rebuilds the dates of the work orders that name the call
-- window: conformed_fact_agent_leg by call_id in self reading call_id,leg_id,seq,is_answered,skill_group,center_id,agent_id,team_id,site
-- Only the work orders of the dates rebuilt are computed (in_build): the window and the
-- look-up of their calls' legs, which are read whole, stay the size of those dates. The
-- lookups are held in memory and the legs and earlier complaints streamed past them.
-- joins: as written
-- computed once: the latest delivery of the work orders the rebuilt rows need and their
-- customer key (an HMAC per row), read by the rebuilt rows, their calls and the repeat
-- look-back: those of the dates rebuilt and the complaints archived (closed) no more than
-- repeat_lookback_days before build_start(), not every work order ever accepted
-- materialize: wo
WITH wo AS (
    SELECT
        -- the caller's number stays out of the scratch folder: only its key is read below
        w.* EXCLUDE (caller),
        customer_key(w.caller) AS customer_key
    FROM params AS p
    CROSS JOIN latest_crm_work_orders AS w
    WHERE in_build(w.dt)
        OR (w.wo_type = 'complaint'
            AND (build_start() IS NULL
                OR date_part('epoch', COALESCE(w.archived_ts, w.closed_ts))
                    >= date_part('epoch', CAST(build_start() AS TIMESTAMP)) - p.repeat_lookback_days * 86400))
),
built AS (
    SELECT * FROM wo WHERE in_build(dt)
),
last_answered AS (
    SELECT call_id, skill_group, center_id, agent_id, team_id, site
    FROM (
        SELECT
            l.call_id, l.skill_group, l.center_id, l.agent_id, l.team_id, l.site,
            ROW_NUMBER() OVER (PARTITION BY l.call_id ORDER BY l.seq DESC, l.leg_id DESC) AS rn
        FROM (SELECT DISTINCT call_id FROM built WHERE call_id IS NOT NULL) AS c
        JOIN conformed_fact_agent_leg AS l ON l.call_id = c.call_id
        WHERE l.is_answered
    )
    WHERE rn = 1
),
repeats AS (
    SELECT DISTINCT w.wo_id
    FROM (SELECT * FROM built WHERE wo_type = 'complaint') AS w
    CROSS JOIN params AS p
    JOIN wo AS e ON e.customer_key = w.customer_key AND e.category_code = w.category_code
    WHERE e.wo_type = 'complaint'
        AND e.wo_id <> w.wo_id
        AND COALESCE(e.archived_ts, e.closed_ts) < w.accepted_ts
        AND date_part('epoch', COALESCE(e.archived_ts, e.closed_ts))
            >= date_part('epoch', w.accepted_ts) - p.repeat_lookback_days * 86400
)
SELECT
    w.wo_id,
    w.call_id,
    w.customer_key,
    COALESCE(w.city_code, '(none)') AS city_code,
    COALESCE(w.brand, '(none)') AS brand,
    w.wo_type,
    w.category_code,
    w.service_complaint,
    w.established,
    w.escalation_source,
    w.accepted_ts,
    date_bin(INTERVAL '30 minutes', w.accepted_ts, TIMESTAMP '2000-01-01 00:00:00') AS interval_start,
    w.closed_ts,
    date_bin(INTERVAL '30 minutes', w.closed_ts, TIMESTAMP '2000-01-01 00:00:00') AS closed_interval_start,
    w.archived_ts,
    w.status,
    w.refund_amount,
    w.transfer_correct,
    w.satisfaction,
    COALESCE(l.skill_group, '(none)') AS skill_group,
    COALESCE(l.center_id, p.single_center_id, '(none)') AS center_id,
    COALESCE(l.agent_id, '(none)') AS agent_id,
    COALESCE(l.team_id, '(none)') AS team_id,
    COALESCE(l.site, '(none)') AS site,
    r.wo_id IS NOT NULL AS is_repeat,
    w.wo_type = 'complaint' AND w.escalation_source IN (
        'hotline_repeat', 'higher_level', 'government', 'social_organisation', 'media', 'regulator',
        'supervision_hotline'
    ) AS is_escalated,
    w.dt
FROM params AS p
CROSS JOIN built AS w
LEFT JOIN last_answered AS l ON l.call_id = w.call_id
LEFT JOIN repeats AS r ON r.wo_id = w.wo_id
