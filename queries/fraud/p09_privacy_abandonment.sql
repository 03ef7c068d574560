-- Pattern 9 (privacy_abandonment_flag): privacy_impression events of players with no
-- privacy_agree_click at all.
WITH agreed AS (
    SELECT DISTINCT distinct_id FROM game_events
    WHERE event_name = 'privacy_agree_click' AND event_time < $until
)
SELECT e.distinct_id, e.event_time, e.event_name, e.chapter, e.credits_balance, e.metapoints_balance,
       e.quantity, e.price_usd, e.payment_platform, CAST(NULL AS VARCHAR) AS purchase_id,
       CAST(NULL AS VARCHAR) AS detail, CAST(NULL AS DOUBLE) AS value
FROM game_events AS e
WHERE e.event_name = 'privacy_impression' AND e.event_time < $until
  AND e.distinct_id NOT IN (SELECT distinct_id FROM agreed)
