-- The limit subscribers with the highest average order amount (orders as in daily_orders).
SELECT user_id,
       coalesce(any_value(currency), 'unknown') AS currency,
       count(*) AS orders,
       avg(amount) AS avg_amount,
       sum(amount) AS total_amount
FROM lambda_tx
WHERE type = $order_type
  AND (source IS NULL OR NOT list_contains($exclude_sources, source))
  AND user_id IS NOT NULL AND amount IS NOT NULL
GROUP BY user_id
ORDER BY avg_amount DESC, user_id
LIMIT $limit
