-- Pattern 5 (purchase_flow_anomaly_flag): purchase_success events whose previous purchase event
-- (purchase_click or purchase_success; a click at the same time comes first) is also a
-- purchase_success: no click between them (identical rows counted once; value = seconds
-- since the previous success, detail = its time).
WITH s AS (
    SELECT DISTINCT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance,
           quantity, price_usd, payment_platform,
           CASE payment_platform WHEN 'apple' THEN transaction_id
                WHEN 'googleplay' THEN google_order_number WHEN 'stash' THEN checkout_id END AS purchase_id
    FROM game_events
    WHERE event_name IN ('purchase_click', 'purchase_success') AND event_time < $until
),
flow AS (
    SELECT *,
           lag(event_name) OVER w AS prev_name,
           lag(event_time) OVER w AS prev_time
    FROM s
    WINDOW w AS (PARTITION BY distinct_id ORDER BY event_time, event_name, purchase_id)
)
SELECT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance, quantity,
       price_usd, payment_platform, purchase_id, CAST(prev_time AS VARCHAR) AS detail,
       CAST(epoch(event_time) - epoch(prev_time) AS DOUBLE) AS value
FROM flow
WHERE event_name = 'purchase_success' AND prev_name = 'purchase_success'
