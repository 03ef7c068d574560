-- The time of the latest stored transaction (NULL when none is stored).
SELECT max(date_time) AS latest_at FROM lambda_tx
