-- Pattern 13 (multiple_chapter1_purchases_flag): purchase_success events in chapter chapter of
-- players installed on or after installed_from who made more than more_than_purchases of them
-- (identical rows counted once; value = their number).
WITH s AS (
    SELECT DISTINCT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance,
           quantity, price_usd, payment_platform, install_time,
           CASE payment_platform WHEN 'apple' THEN transaction_id
                WHEN 'googleplay' THEN google_order_number WHEN 'stash' THEN checkout_id END AS purchase_id
    FROM game_events
    WHERE event_name = 'purchase_success' AND chapter = $chapter AND event_time < $until
      AND install_time >= CAST($installed_from AS TIMESTAMP)
),
players AS (
    SELECT distinct_id, count(*) AS n FROM s GROUP BY distinct_id HAVING count(*) > $more_than_purchases
)
SELECT s.distinct_id, s.event_time, s.event_name, s.chapter, s.credits_balance, s.metapoints_balance,
       s.quantity, s.price_usd, s.payment_platform, s.purchase_id, CAST(NULL AS VARCHAR) AS detail,
       CAST(p.n AS DOUBLE) AS value
FROM s JOIN players AS p ON p.distinct_id = s.distinct_id
