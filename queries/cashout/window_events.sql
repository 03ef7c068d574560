-- The events of one audited window: player user_id's rows in file source_file (unit unit) from
-- start to end inclusive, in time order, with the balance they add up to (cashouts left out).
SELECT event_time, event_type, amount, won, counterparty_id, device_id, raw_type,
       sum(CASE WHEN lower(event_type) = 'cashout' THEN 0 ELSE amount END) OVER (
           ORDER BY event_time, event_type ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS balance
FROM cashout_events
WHERE source_file = $source_file AND user_id = $user_id AND unit = $unit
  AND event_time >= CAST($start AS TIMESTAMP) AND event_time <= CAST($end AS TIMESTAMP)
ORDER BY event_time, event_type
