-- Runs of consecutive transactions of one subscriber during which the subscriber was at risk with
-- days to overdraft under the limit (out of sync, payment balance >= 0, balance / average daily
-- debit over the window_days days up to that transaction < limit): first transaction, start,
-- days to overdraft and balance at the run's last transaction, and whether the run is still open.
WITH t AS (
    SELECT user_id, id, date_time, in_sync, payment_balance, type, amount, currency,
           row_number() OVER (PARTITION BY user_id ORDER BY date_time, id) AS n,
           count(*) OVER (PARTITION BY user_id) AS total
    FROM lambda_tx
    WHERE user_id IS NOT NULL
),
candidates AS (
    SELECT c.user_id, c.n, c.payment_balance / (sum(d.amount) / $window_days) AS days_to_overdraft
    FROM t AS c
    JOIN t AS d
      ON d.user_id = c.user_id AND d.type = 'DEBIT' AND d.amount IS NOT NULL
     AND d.date_time > c.date_time - ($window_days * INTERVAL '1' DAY) AND d.date_time <= c.date_time
    WHERE NOT c.in_sync AND c.payment_balance >= 0
    GROUP BY c.user_id, c.n, c.payment_balance
    HAVING sum(d.amount) > 0
),
flagged AS (
    SELECT t.*, c.days_to_overdraft, coalesce(c.days_to_overdraft < $limit, false) AS under
    FROM t
    LEFT JOIN candidates AS c ON c.user_id = t.user_id AND c.n = t.n
),
runs AS (
    SELECT *, n - row_number() OVER (PARTITION BY user_id, under ORDER BY n) AS run
    FROM flagged
)
SELECT user_id,
       arg_min(id, n) AS first_transaction_id,
       min(date_time) AS started_at,
       arg_max(days_to_overdraft, n) AS days_to_overdraft,
       arg_max(payment_balance, n) AS payment_balance,
       arg_max(currency, n) AS currency,
       max(n) = max(total) AS still_open
FROM runs
WHERE under
GROUP BY user_id, run
ORDER BY started_at, user_id
