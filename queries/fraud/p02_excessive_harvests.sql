-- Pattern 2 (excessive_harvests_flag): the harvest events of each UTC day whose net harvests
-- (sum of quantity, blank = 1) reach min_daily_net_harvests, for players with more than
-- more_than_days such days (value = the day's net harvests).
WITH h AS (
    SELECT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance,
           quantity, price_usd, payment_platform, CAST(event_time AS DATE) AS day
    FROM game_events
    WHERE event_name = 'harvest' AND event_time < $until
),
days AS (
    SELECT distinct_id, day, sum(coalesce(quantity, 1)) AS net
    FROM h GROUP BY distinct_id, day
    HAVING sum(coalesce(quantity, 1)) >= $min_daily_net_harvests
),
players AS (
    SELECT distinct_id FROM days GROUP BY distinct_id HAVING count(*) > $more_than_days
)
SELECT h.distinct_id, h.event_time, h.event_name, h.chapter, h.credits_balance, h.metapoints_balance,
       h.quantity, h.price_usd, h.payment_platform, CAST(NULL AS VARCHAR) AS purchase_id,
       CAST(h.day AS VARCHAR) AS detail, CAST(d.net AS DOUBLE) AS value
FROM h
JOIN days AS d ON d.distinct_id = h.distinct_id AND d.day = h.day
JOIN players AS p ON p.distinct_id = h.distinct_id
