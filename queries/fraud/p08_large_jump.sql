-- Pattern 8 (large_jump_flag): events where credits_balance rose by >= credits_rise (or
-- metapoints_balance by >= metapoints_rise) from the player's previous event carrying that
-- balance, when neither the event nor the player's next next_events events is a reward
-- event (reward_events: comma-separated names). detail = which balance, value = the rise.
-- Only players whose balance spread (max - min) reaches a limit can have such a rise, so the
-- ordered window runs over their events alone.
WITH candidates AS (
    SELECT distinct_id
    FROM game_events
    WHERE event_time < $until
    GROUP BY distinct_id
    HAVING max(credits_balance) - min(credits_balance) >= $credits_rise
        OR max(metapoints_balance) - min(metapoints_balance) >= $metapoints_rise
),
ev AS (
    SELECT e.distinct_id, e.event_time, e.event_name, e.chapter, e.credits_balance, e.metapoints_balance,
           e.quantity, e.price_usd, e.payment_platform,
           list_contains(string_split($reward_events, ','), e.event_name) AS is_reward
    FROM game_events AS e
    WHERE e.event_time < $until AND e.distinct_id IN (SELECT distinct_id FROM candidates)
),
w AS (
    SELECT *,
           credits_balance - lag(credits_balance IGNORE NULLS) OVER o AS credits_up,
           metapoints_balance - lag(metapoints_balance IGNORE NULLS) OVER o AS metapoints_up,
           bool_or(is_reward) OVER (o ROWS BETWEEN CURRENT ROW AND $next_events FOLLOWING) AS near_reward
    FROM ev
    WINDOW o AS (PARTITION BY distinct_id ORDER BY event_time)
)
SELECT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance, quantity,
       price_usd, payment_platform, CAST(NULL AS VARCHAR) AS purchase_id,
       CASE WHEN credits_up >= $credits_rise THEN 'credits' ELSE 'metapoints' END AS detail,
       CAST(CASE WHEN credits_up >= $credits_rise THEN credits_up ELSE metapoints_up END AS DOUBLE) AS value
FROM w
WHERE (credits_up >= $credits_rise OR metapoints_up >= $metapoints_rise) AND NOT near_reward
