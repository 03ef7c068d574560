-- Per transaction of one run: running counts and sums of its account's history up to and including it
-- (approved amounts in cents, shares' parts, declines, night operations, distinct counterparties).
WITH base AS (
    SELECT account_id,
           txn_id,
           epoch("timestamp")::BIGINT AS ts,
           counterparty,
           txn_type,
           direction,
           status = 'approved' AS ok,
           round(amount * 100)::BIGINT AS cents,
           hour("timestamp") >= $night_from AND hour("timestamp") < $night_to AS night,
           counterparty IS NOT NULL
               AND row_number() OVER (PARTITION BY account_id, counterparty ORDER BY "timestamp", txn_id) = 1
               AS new_counterparty
    FROM drop_transactions
    WHERE run_id = $run_id
)
SELECT account_id,
       txn_id,
       ts,
       counterparty,
       txn_type,
       direction,
       ok,
       cents,
       sum(CASE WHEN ok AND direction = 'in' THEN cents ELSE 0 END) OVER w AS in_cents,
       sum(CASE WHEN ok AND direction = 'out' THEN cents ELSE 0 END) OVER w AS out_cents,
       sum(CASE WHEN ok AND txn_type = 'atm_withdrawal' THEN cents ELSE 0 END) OVER w AS atm_cents,
       sum(CASE WHEN ok AND txn_type = 'crypto_purchase' THEN cents ELSE 0 END) OVER w AS crypto_cents,
       sum(CASE WHEN ok AND txn_type = 'online_purchase' THEN cents ELSE 0 END) OVER w AS online_cents,
       sum(CASE WHEN ok AND txn_type IN ('card_payment', 'bill_payment') THEN cents ELSE 0 END) OVER w
           AS everyday_cents,
       sum(CASE WHEN ok AND txn_type = 'transfer_in' THEN 1 ELSE 0 END) OVER w AS inbound_transfers,
       sum(CASE WHEN ok AND txn_type = 'salary_in' THEN 1 ELSE 0 END) OVER w AS salaries,
       sum(CASE WHEN NOT ok THEN 1 ELSE 0 END) OVER w AS declines,
       sum(CASE WHEN night THEN 1 ELSE 0 END) OVER w AS night_operations,
       count(*) OVER w AS operations,
       sum(CASE WHEN new_counterparty THEN 1 ELSE 0 END) OVER w AS counterparties
FROM base
WINDOW w AS (PARTITION BY account_id ORDER BY ts, txn_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY account_id, ts, txn_id
