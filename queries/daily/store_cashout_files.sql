-- Files in the store holding a cashout row on one UTC day (day_start inclusive, day_end exclusive)
-- that no daily pull has recorded yet (no recorded audit of that file, player and time): their
-- file ids, so only the day's new cashouts are audited.
SELECT DISTINCT e.source_file
FROM cashout_events AS e
WHERE lower(e.event_type) = 'cashout'
  AND e.event_time >= $day_start
  AND e.event_time < $day_end
  AND NOT EXISTS (
      SELECT 1
      FROM cashout_audits AS a
      JOIN daily_cashouts AS d ON d.audit_id = a.audit_id
      WHERE a.source_file = e.source_file
        AND a.user_id = e.user_id
        AND a.cashout_time = e.event_time)
ORDER BY e.source_file
