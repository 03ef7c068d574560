-- Players with offerwall_reward events before until: how many, the first and the last.
SELECT distinct_id, count(*) AS offerwall_rewards, min(event_time) AS first_offerwall,
       max(event_time) AS last_offerwall
FROM game_events
WHERE event_name = 'offerwall_reward' AND event_time < $until
GROUP BY distinct_id
