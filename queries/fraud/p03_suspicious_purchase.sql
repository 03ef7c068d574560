-- Pattern 3 (suspicious_purchase_flag): purchase_success events at price_usd = price_usd
-- (identical rows counted once; value = the price).
WITH s AS (
    SELECT DISTINCT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance,
           quantity, price_usd, payment_platform,
           CASE payment_platform WHEN 'apple' THEN transaction_id
                WHEN 'googleplay' THEN google_order_number WHEN 'stash' THEN checkout_id END AS purchase_id
    FROM game_events
    WHERE event_name = 'purchase_success' AND event_time < $until
)
SELECT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance, quantity,
       price_usd, payment_platform, purchase_id, CAST(NULL AS VARCHAR) AS detail,
       CAST(price_usd AS DOUBLE) AS value
FROM s
WHERE price_usd = CAST($price_usd AS DECIMAL(12, 4))
