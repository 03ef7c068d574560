-- One row per overdraft user: first overdraft time, the first out-of-sync transaction at or before
-- it, and the lead time in hours between them (NULL when the user was never out of sync before).
WITH first_overdraft AS (
    SELECT user_id, min(date_time) AS first_overdraft_at
    FROM lambda_tx
    WHERE payment_balance < 0 AND user_id IS NOT NULL
    GROUP BY user_id
)
SELECT o.user_id,
       o.first_overdraft_at,
       min(t.date_time) AS first_out_of_sync_at,
       date_diff('millisecond', min(t.date_time), o.first_overdraft_at) / 3600000.0 AS lead_time_hours
FROM first_overdraft AS o
LEFT JOIN lambda_tx AS t
  ON t.user_id = o.user_id AND NOT t.in_sync AND t.date_time <= o.first_overdraft_at
GROUP BY o.user_id, o.first_overdraft_at
ORDER BY lead_time_hours NULLS LAST, o.user_id
