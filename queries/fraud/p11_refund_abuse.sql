-- Pattern 11 (refund_abuse_flag): the purchase_success and purchase_refund events of platform
-- players with more than more_than_purchases purchase_success and purchase_refund /
-- purchase_success above refund_ratio_above (identical rows counted once; value = the ratio).
WITH s AS (
    SELECT DISTINCT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance,
           quantity, price_usd, payment_platform,
           CASE payment_platform WHEN 'apple' THEN transaction_id
                WHEN 'googleplay' THEN google_order_number WHEN 'stash' THEN checkout_id END AS purchase_id
    FROM game_events
    WHERE event_name IN ('purchase_success', 'purchase_refund') AND platform = $platform
      AND event_time < $until
),
players AS (
    SELECT distinct_id,
           CAST(count(*) FILTER (WHERE event_name = 'purchase_refund') AS DOUBLE)
               / count(*) FILTER (WHERE event_name = 'purchase_success') AS ratio
    FROM s GROUP BY distinct_id
    HAVING count(*) FILTER (WHERE event_name = 'purchase_success') > $more_than_purchases
       AND CAST(count(*) FILTER (WHERE event_name = 'purchase_refund') AS DOUBLE)
           / count(*) FILTER (WHERE event_name = 'purchase_success') > $refund_ratio_above
)
SELECT s.distinct_id, s.event_time, s.event_name, s.chapter, s.credits_balance, s.metapoints_balance,
       s.quantity, s.price_usd, s.payment_platform, s.purchase_id, CAST(NULL AS VARCHAR) AS detail,
       p.ratio AS value
FROM s JOIN players AS p ON p.distinct_id = s.distinct_id
