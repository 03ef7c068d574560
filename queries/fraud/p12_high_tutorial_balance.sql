-- Pattern 12 (high_tutorial_balance_flag): events with credits_balance > credits_above in
-- chapters min_chapter to max_chapter and no purchase_success before them (value = credits).
WITH ev AS (
    SELECT * FROM game_events WHERE event_time < $until
),
first_buy AS (
    SELECT distinct_id, min(event_time) AS first_purchase
    FROM ev WHERE event_name = 'purchase_success' GROUP BY distinct_id
)
SELECT e.distinct_id, e.event_time, e.event_name, e.chapter, e.credits_balance, e.metapoints_balance,
       e.quantity, e.price_usd, e.payment_platform, CAST(NULL AS VARCHAR) AS purchase_id,
       'chapter ' || CAST(e.chapter AS VARCHAR) AS detail, CAST(e.credits_balance AS DOUBLE) AS value
FROM ev AS e
LEFT JOIN first_buy AS f ON f.distinct_id = e.distinct_id
WHERE e.credits_balance > $credits_above AND e.chapter BETWEEN $min_chapter AND $max_chapter
  AND (f.first_purchase IS NULL OR f.first_purchase >= e.event_time)
