-- marts.traffic_value_daily (metrics.md E1 rolled up) per date × center × skill group ×
-- business code: answered legs by value class, their shares, the mean value score, and the
-- recommended action of the class with the largest share (ties: complex, then high_value):
--   complex    → specialist_desk         (route to a specialist desk)
--   high_value → agent_service           (keep with agents, priority)
--   low_value  → divert_to_self_service  (push to IVR / self-service)
-- (actions and tie order: callcube convention). mean_value_score sums the legs' value scores
-- as exact decimals (15 places) and divides once, so its bits do not depend on the order the
-- legs are summed in.
-- kind: by_date
WITH classes AS (
    SELECT dt, center_id, skill_group, business_code,
        COUNT(*) AS answered_legs,
        SUM(CASE WHEN value_class = 'complex' THEN 1 ELSE 0 END) AS complex_legs,
        SUM(CASE WHEN value_class = 'high_value' THEN 1 ELSE 0 END) AS high_value_legs,
        SUM(CASE WHEN value_class = 'low_value' THEN 1 ELSE 0 END) AS low_value_legs,
        CAST(SUM(CAST(value_score AS DECIMAL(38, 15))) AS DOUBLE) / NULLIF(COUNT(value_score), 0)
            AS mean_value_score,
        bool_and(is_final) AS is_final
    FROM marts_traffic_value_leg
    GROUP BY dt, center_id, skill_group, business_code
)
SELECT
    center_id, skill_group, business_code, answered_legs,
    complex_legs, high_value_legs, low_value_legs,
    CAST(complex_legs AS DOUBLE) / answered_legs AS complex_share,
    CAST(high_value_legs AS DOUBLE) / answered_legs AS high_value_share,
    CAST(low_value_legs AS DOUBLE) / answered_legs AS low_value_share,
    mean_value_score,
    CASE
        WHEN complex_legs >= high_value_legs AND complex_legs >= low_value_legs THEN 'specialist_desk'
        WHEN high_value_legs >= low_value_legs THEN 'agent_service'
        ELSE 'divert_to_self_service'
    END AS recommended_action,
    is_final,
    dt
FROM classes
