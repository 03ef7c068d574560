-- Cashouts that finished on one UTC day (day_start inclusive, day_end exclusive) in the game
-- server's event log: one row per successful CashOutFinish (player and count), earliest first.
SELECT userid, username, "count", min("time") AS finished_at
FROM server_events
WHERE "type" = 'CashOutFinish'
  AND (iserror IS NULL OR lower(CAST(iserror AS VARCHAR)) NOT IN ('true', 't', '1', 'yes', 'y'))
  AND "time" >= $day_start
  AND "time" < $day_end
GROUP BY userid, username, "count"
ORDER BY finished_at, userid, "count"
