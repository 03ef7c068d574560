-- One row per player with events before until: platform (of the latest event), install_time
-- (the earliest given), last_purchase_time (latest purchase_success, null when none), events.
SELECT distinct_id,
       arg_max(platform, event_time) AS platform,
       min(install_time) AS install_time,
       max(CASE WHEN event_name = 'purchase_success' THEN event_time END) AS last_purchase_time,
       count(*) AS events
FROM game_events
WHERE event_time < $until
GROUP BY distinct_id
