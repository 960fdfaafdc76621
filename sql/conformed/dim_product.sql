-- conformed.dim_product: BOSS products with price and commission, as of each snapshot date.
-- kind: by_date
SELECT p.product_code, p.name, p.category, p.unit_price, p.commission, p.dt
FROM raw_boss_products AS p
