-- The contract's headline figures over everything loaded (one row): files, records, transactions,
-- errors, users, overdraft rows and users, the out-of-sync share of overdraft rows, out-of-sync
-- users and their precision, and the median lead time in hours.
WITH first_overdraft AS (
    SELECT user_id, min(date_time) AS first_overdraft_at
    FROM lambda_tx
    WHERE payment_balance < 0 AND user_id IS NOT NULL
    GROUP BY user_id
),
lead AS (
    SELECT o.user_id,
           date_diff('millisecond', min(t.date_time), o.first_overdraft_at) / 3600000.0 AS lead_time_hours
    FROM first_overdraft AS o
    LEFT JOIN lambda_tx AS t
      ON t.user_id = o.user_id AND NOT t.in_sync AND t.date_time <= o.first_overdraft_at
    GROUP BY o.user_id, o.first_overdraft_at
),
drifted AS (
    SELECT DISTINCT user_id FROM lambda_tx WHERE NOT in_sync AND user_id IS NOT NULL
)
SELECT
    (SELECT count(*) FROM lambda_log_files) AS files,
    (SELECT coalesce(sum(records), 0) FROM lambda_log_files) AS records,
    (SELECT count(*) FROM lambda_tx) AS transactions,
    (SELECT count(*) FROM lambda_err) AS errors,
    (SELECT count(*) FROM lambda_err WHERE is_sync_error) AS sync_errors,
    (SELECT count(DISTINCT user_id) FROM lambda_tx) AS users,
    (SELECT count(*) FROM lambda_tx WHERE payment_balance < 0) AS overdraft_rows,
    (SELECT count(*) FROM first_overdraft) AS overdraft_users,
    (SELECT avg(CASE WHEN in_sync THEN 0.0 ELSE 1.0 END) FROM lambda_tx WHERE payment_balance < 0)
        AS overdraft_rows_out_of_sync_share,
    (SELECT count(*) FROM drifted) AS out_of_sync_users,
    (SELECT avg(CASE WHEN o.user_id IS NULL THEN 0.0 ELSE 1.0 END)
       FROM drifted AS d LEFT JOIN first_overdraft AS o ON o.user_id = d.user_id) AS out_of_sync_precision,
    (SELECT median(lead_time_hours) FROM lead WHERE lead_time_hours IS NOT NULL) AS median_lead_time_hours
