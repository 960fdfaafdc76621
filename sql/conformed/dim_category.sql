-- conformed.dim_category: the complaint and request category tree as of each snapshot date,
-- with each node's parent and root (categories are at most a few levels deep).
-- kind: by_date
SELECT
    c.category_code,
    c.parent_code,
    c.name,
    c.level,
    COALESCE(p3.category_code, p2.category_code, p1.category_code, c.category_code) AS root_code,
    c.dt
FROM raw_crm_categories AS c
LEFT JOIN raw_crm_categories AS p1 ON p1.category_code = c.parent_code AND p1.dt = c.dt
LEFT JOIN raw_crm_categories AS p2 ON p2.category_code = p1.parent_code AND p2.dt = c.dt
LEFT JOIN raw_crm_categories AS p3 ON p3.category_code = p2.parent_code AND p3.dt = c.dt
