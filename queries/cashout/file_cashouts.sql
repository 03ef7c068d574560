-- The cashout rows of the files files: file id, player, unit and time (to give each file its audits).
SELECT DISTINCT source_file AS file_id, user_id, unit, event_time AS cashout_time
FROM cashout_events
WHERE source_file IN (SELECT f FROM unnest(CAST($files AS VARCHAR[])) AS u(f)) AND lower(event_type) = 'cashout'
