-- A fingerprint of the loaded log files (count and latest load time): cached views refresh when it moves.
SELECT count(*) AS files, max(loaded_at) AS last_loaded_at
FROM loaded_files
WHERE contract = 'lambda_logs'
