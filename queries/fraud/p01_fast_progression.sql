-- Pattern 1 (fast_progression_flag): events with chapter >= min_chapter within within_hours of
-- install_time and no purchase_success before them; one evidence row per such event
-- (value = hours since install).
WITH ev AS (
    SELECT * FROM game_events WHERE event_time < $until
),
first_buy AS (
    SELECT distinct_id, min(event_time) AS first_purchase
    FROM ev WHERE event_name = 'purchase_success' GROUP BY distinct_id
)
SELECT e.distinct_id, e.event_time, e.event_name, e.chapter, e.credits_balance, e.metapoints_balance,
       e.quantity, e.price_usd, e.payment_platform, CAST(NULL AS VARCHAR) AS purchase_id,
       'chapter ' || CAST(e.chapter AS VARCHAR) AS detail,
       CAST(epoch(e.event_time) - epoch(e.install_time) AS DOUBLE) / 3600.0 AS value
FROM ev AS e
LEFT JOIN first_buy AS f ON f.distinct_id = e.distinct_id
WHERE e.chapter >= $min_chapter
  AND epoch(e.event_time) - epoch(e.install_time) <= $within_hours * 3600.0
  AND (f.first_purchase IS NULL OR f.first_purchase >= e.event_time)
