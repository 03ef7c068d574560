-- Stored simulator runs, newest first: id, seed, counts, who made each and when.
SELECT run_id, seed, transactions, drops, legit_clients, created_at, created_by
FROM drop_runs
ORDER BY created_at DESC, run_id
LIMIT $limit
