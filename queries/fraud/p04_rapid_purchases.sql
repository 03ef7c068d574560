-- Pattern 4 (rapid_purchases_flag): purchase_success events paid through payment_platform that
-- come min_seconds to max_seconds (inclusive) after the player's previous purchase_success,
-- also paid through it (identical rows counted once; value = seconds since the previous one,
-- detail = its time).
WITH s AS (
    SELECT DISTINCT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance,
           quantity, price_usd, payment_platform,
           CASE payment_platform WHEN 'apple' THEN transaction_id
                WHEN 'googleplay' THEN google_order_number WHEN 'stash' THEN checkout_id END AS purchase_id
    FROM game_events
    WHERE event_name = 'purchase_success' AND event_time < $until
),
paired AS (
    SELECT *,
           lag(event_time) OVER (PARTITION BY distinct_id ORDER BY event_time, purchase_id) AS prev_time,
           lag(payment_platform) OVER (PARTITION BY distinct_id ORDER BY event_time, purchase_id) AS prev_platform
    FROM s
)
SELECT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance, quantity,
       price_usd, payment_platform, purchase_id, CAST(prev_time AS VARCHAR) AS detail,
       CAST(epoch(event_time) - epoch(prev_time) AS DOUBLE) AS value
FROM paired
WHERE payment_platform = $payment_platform AND prev_platform = $payment_platform
  AND epoch(event_time) - epoch(prev_time) BETWEEN $min_seconds AND $max_seconds
