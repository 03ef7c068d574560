-- The effective configuration (JSON text) and counts of one stored run.
SELECT run_id, seed, config, transactions, drops, legit_clients, created_at, created_by
FROM drop_runs
WHERE run_id = $run_id
