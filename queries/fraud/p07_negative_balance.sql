-- Pattern 7 (negative_balance_flag): events with credits_balance < credits_below or
-- metapoints_balance < metapoints_below (detail = which balance, value = that balance).
SELECT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance, quantity,
       price_usd, payment_platform, CAST(NULL AS VARCHAR) AS purchase_id,
       CASE WHEN credits_balance < $credits_below THEN 'credits' ELSE 'metapoints' END AS detail,
       CAST(CASE WHEN credits_balance < $credits_below THEN credits_balance
                 ELSE metapoints_balance END AS DOUBLE) AS value
FROM game_events
WHERE event_time < $until
  AND (credits_balance < $credits_below OR metapoints_balance < $metapoints_below)
