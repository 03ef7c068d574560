-- Finished fraud pipeline runs, newest first: who ran them, thresholds version, cut-off, counts.
SELECT run_id, started_at, ended_at, run_by, success, threshold_version, as_of_date, until_time,
       events, potential, offerwall, fraudsters, new_fraudsters, manual_players, out_dir
FROM fraud_runs
WHERE ended_at IS NOT NULL
ORDER BY started_at DESC
LIMIT $limit
