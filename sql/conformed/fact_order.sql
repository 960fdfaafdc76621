-- conformed.fact_order: BOSS orders, business date dt = date of created_ts. msisdn becomes
-- customer_key.
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
FROM (
    SELECT
        *,
        ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY _src_folder DESC, _src_file DESC, _src_line DESC) AS delivery_rank
    FROM raw_boss_orders
) AS o
WHERE o.delivery_rank = 1
