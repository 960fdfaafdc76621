-- conformed.fact_offer: marketing pop-ups, attributed to their leg's queue_start, skill group
-- and agent (metrics.md, Attribution). is_success: recommended, accepted, and the order's
-- status is success (Marketing success). pitch_seconds: pitch_s, else marketing_pitch_s for a
-- recommended offer and 0 otherwise; pitch_fallback says the fallback was used. An offer whose
-- leg is unknown (leg_known false) goes to its popup_ts and skill group '(none)'.
-- kind: by_date
-- an offer pops up during its leg: popup date = the leg's date or the next (assumes a call (and each of its legs) lasts < 24 h);
-- an offer with an unknown leg stays on its popup date
-- window: latest_hotline_offers 0..1
-- to know whether an offer of d has a known leg of d-1 (then it belongs to d-1)
-- window: conformed_fact_agent_leg -1..0
-- the offer's order (is_success) may be created at any later date: nothing bounds it, so it is
-- found by order_id, and rebuilds the dates of the offers that name it
-- window: conformed_fact_order by order_id in self reading order_id,status
WITH o AS (
    SELECT * FROM latest_hotline_offers
)
SELECT
    o.offer_id,
    o.leg_id,
    l.call_id,
    l.customer_key,
    o.agent_id AS offer_agent_id,
    o.campaign_id,
    o.product_code,
    o.popup_ts,
    o.recommended,
    o.accepted,
    o.order_id,
    COALESCE(o.pitch_s, CASE WHEN o.recommended THEN p.marketing_pitch_s ELSE 0 END) AS pitch_seconds,
    o.pitch_s IS NULL AS pitch_fallback,
    o.recommended AND o.accepted AND COALESCE(ord.status = 'success', false) AS is_success,
    l.leg_id IS NOT NULL AS leg_known,
    COALESCE(l.interval_start, date_bin(INTERVAL '30 minutes', o.popup_ts, TIMESTAMP '2000-01-01 00:00:00'))
        AS interval_start,
    COALESCE(l.center_id, p.single_center_id, '(none)') AS center_id,
    COALESCE(l.skill_group, '(none)') AS skill_group,
    COALESCE(l.agent_id, o.agent_id, '(none)') AS agent_id,
    COALESCE(l.team_id, '(none)') AS team_id,
    COALESCE(l.site, '(none)') AS site,
    COALESCE(l.city_code, '(none)') AS city_code,
    COALESCE(l.brand, '(none)') AS brand,
    COALESCE(l.dt, o.dt) AS dt
FROM params AS p
CROSS JOIN o
-- Only a leg within the window counts: a leg dated after its offer (a corrected delivery that
-- moved the leg) leaves the offer unknown-leg on its popup date, whatever dates a run rebuilds
-- together, so a night-by-night build equals a from-scratch one.
LEFT JOIN conformed_fact_agent_leg AS l
    ON l.leg_id = o.leg_id AND l.dt <= o.dt AND l.dt >= CAST(o.dt - INTERVAL '1 day' AS DATE)
LEFT JOIN conformed_fact_order AS ord ON ord.order_id = o.order_id
