-- cube.offer: marketing pop-ups at their leg (A8, B15, E3, E4), by campaign as well.
-- kind: by_date
SELECT
    dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand, campaign_id,
    COUNT(*) AS offers,
    SUM(CASE WHEN recommended THEN 1 ELSE 0 END) AS recommended_offers,
    SUM(CASE WHEN is_success THEN 1 ELSE 0 END) AS marketing_successes,
    SUM(CASE WHEN recommended THEN pitch_seconds ELSE 0 END) AS recommended_pitch_s,
    SUM(pitch_seconds) AS pitch_s,
    SUM(CASE WHEN pitch_fallback AND recommended THEN 1 ELSE 0 END) AS pitch_fallbacks
FROM conformed_fact_offer
GROUP BY dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand, campaign_id
