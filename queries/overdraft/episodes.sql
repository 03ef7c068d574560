-- Out-of-sync episodes (runs of consecutive out-of-sync transactions of one subscriber) that began
-- at or after since: first transaction, start, last time, size, latest balance, still open or not.
WITH t AS (
    SELECT user_id, id, date_time, in_sync, payment_balance, currency,
           row_number() OVER (PARTITION BY user_id ORDER BY date_time, id) AS n,
           row_number() OVER (PARTITION BY user_id, in_sync ORDER BY date_time, id) AS m,
           count(*) OVER (PARTITION BY user_id) AS total
    FROM lambda_tx
    WHERE user_id IS NOT NULL
)
SELECT user_id,
       arg_min(id, n) AS first_transaction_id,
       min(date_time) AS started_at,
       max(date_time) AS last_at,
       count(*) AS transactions,
       arg_max(payment_balance, n) AS payment_balance,
       arg_max(currency, n) AS currency,
       max(n) = max(total) AS still_open
FROM t
WHERE NOT in_sync
GROUP BY user_id, n - m
HAVING min(date_time) >= $since
ORDER BY started_at, user_id
