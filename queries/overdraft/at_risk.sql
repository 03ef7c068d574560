-- Subscribers at risk: the latest transaction is out of sync and its payment balance is >= 0;
-- days_to_overdraft = that balance / (debits in the window_days days up to it / window_days),
-- NULL when there were no debits. Sorted by days to overdraft, soonest first.
WITH ranked AS (
    SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY date_time DESC, id DESC) AS recency
    FROM lambda_tx
    WHERE user_id IS NOT NULL
),
latest AS (
    SELECT * FROM ranked WHERE recency = 1 AND NOT in_sync AND payment_balance >= 0
),
debits AS (
    SELECT l.user_id, count(*) AS debits, sum(t.amount) AS debit_sum
    FROM latest AS l
    JOIN lambda_tx AS t
      ON t.user_id = l.user_id AND t.type = 'DEBIT' AND t.amount IS NOT NULL
     AND t.date_time > l.date_time - ($window_days * INTERVAL '1' DAY) AND t.date_time <= l.date_time
    GROUP BY l.user_id
),
drift AS (
    SELECT l.user_id, min(t.date_time) AS out_of_sync_since
    FROM latest AS l
    JOIN lambda_tx AS t ON t.user_id = l.user_id AND NOT t.in_sync
    WHERE NOT EXISTS (
        SELECT 1 FROM lambda_tx AS s
        WHERE s.user_id = l.user_id AND s.in_sync AND s.date_time > t.date_time
    )
    GROUP BY l.user_id
)
SELECT l.user_id,
       l.currency,
       l.payment_balance,
       l.new_balance AS subscription_balance,
       l.date_time AS latest_at,
       l.id AS latest_transaction_id,
       r.out_of_sync_since,
       coalesce(d.debits, 0) AS debits_in_window,
       coalesce(d.debit_sum, 0) AS debit_sum_in_window,
       d.debit_sum / $window_days AS avg_daily_debit,
       CASE WHEN d.debit_sum > 0 THEN l.payment_balance / (d.debit_sum / $window_days) END AS days_to_overdraft
FROM latest AS l
LEFT JOIN debits AS d ON d.user_id = l.user_id
LEFT JOIN drift AS r ON r.user_id = l.user_id
ORDER BY days_to_overdraft NULLS LAST, l.user_id
