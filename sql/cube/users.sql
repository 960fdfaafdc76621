-- cube.users: the customers behind each distinct-user metric (B2, B4, B7, B9, B14), one row per
-- customer and finest cell, so a distinct count at any rollup is exact. The user is the caller
-- of the counted row's own table; rows without a caller are not counted. The counts take
-- customer_id, the key's first 64 bits as an integer (customer_id()): integers count distinct
-- faster and in less memory than 32-character keys.
-- kind: by_date
-- contacts and work orders of d (0..0); a work order delivered again as it progresses changes
-- none of the columns read here
-- window: conformed_fact_work_order 0..0 reading dt,interval_start,center_id,skill_group,team_id,site,agent_id,city_code,brand,wo_type,service_complaint,customer_key
SELECT DISTINCT dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand, measure, customer_key,
    customer_id(customer_key) AS customer_id
FROM (
    SELECT dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand,
        CASE WHEN b1 THEN 'consultation_users' WHEN b3 THEN 'query_users' WHEN b5 THEN 'handling_users' END AS measure,
        customer_key
    FROM conformed_fact_contact
    WHERE b1 OR b3 OR b5
    UNION ALL
    SELECT dt, interval_start, center_id, skill_group, team_id, site, agent_id, city_code, brand,
        CASE WHEN wo_type = 'complaint' THEN 'complaint_users' ELSE 'suggestion_users' END,
        customer_key
    FROM conformed_fact_work_order
    WHERE (wo_type = 'complaint' AND service_complaint) OR wo_type IN ('suggestion', 'requirement')
)
WHERE customer_key IS NOT NULL
