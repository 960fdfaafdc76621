-- conformed.fact_order: BOSS orders, business date dt = date of created_ts. msisdn becomes
-- customer_key.
-- kind: by_date
SELECT
    o.order_id,
    customer_key(o.msisdn) AS customer_key,
    o.channel,
    o.call_id,
    o.agent_id,
    o.product_code,
    o.op_type,
    o.status,
    o.created_ts,
    o.amount,
    o.marketing,
    o.dt
FROM latest_boss_orders AS o
