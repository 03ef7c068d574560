-- Pattern 14 (duplicate_transaction_flag): purchase_success events whose purchase id
-- (transaction_id for apple, google_order_number for googleplay, checkout_id for stash) is on
-- more than more_than_events purchase_success events, of any player (identical rows counted
-- once; detail = the id, value = how many purchase_success carry it).
WITH s AS (
    SELECT DISTINCT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance,
           quantity, price_usd, payment_platform,
           CASE payment_platform WHEN 'apple' THEN transaction_id
                WHEN 'googleplay' THEN google_order_number WHEN 'stash' THEN checkout_id END AS purchase_id
    FROM game_events
    WHERE event_name = 'purchase_success' AND event_time < $until
),
ids AS (
    SELECT payment_platform, purchase_id, count(*) AS n
    FROM s WHERE purchase_id IS NOT NULL
    GROUP BY payment_platform, purchase_id HAVING count(*) > $more_than_events
)
SELECT s.distinct_id, s.event_time, s.event_name, s.chapter, s.credits_balance, s.metapoints_balance,
       s.quantity, s.price_usd, s.payment_platform, s.purchase_id, s.purchase_id AS detail,
       CAST(i.n AS DOUBLE) AS value
FROM s JOIN ids AS i ON i.payment_platform = s.payment_platform AND i.purchase_id = s.purchase_id
