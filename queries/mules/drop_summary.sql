-- One row per drop of a run: kind, first inbound, blocked time, transactions, batches, declines, periods.
SELECT a.account_id,
       a.drop_type,
       min(t."timestamp") AS first_seen,
       a.blocked_at,
       count(*) AS transactions,
       count(*) FILTER (WHERE t.direction = 'in' AND t.status = 'approved') AS batches,
       count(*) FILTER (WHERE t.status = 'declined') AS declines,
       max(t.period) AS periods,
       sum(t.amount) FILTER (WHERE t.direction = 'in' AND t.status = 'approved') AS received
FROM drop_accounts AS a
JOIN drop_transactions AS t ON t.run_id = a.run_id AND t.account_id = a.account_id
WHERE a.run_id = $run_id AND a.is_drop = 1
GROUP BY a.account_id, a.drop_type, a.blocked_at
ORDER BY a.account_id
