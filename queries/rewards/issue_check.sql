-- Rewards about to be issued (table issue_input) checked again inside the issuing transaction:
-- a key already in the wallet ledger or earlier in the batch is a duplicate; a reward taking the
-- player past the daily or weekly cap (table issued_now: rewards already issued) is declined.
WITH keyed AS (
    SELECT
        i.*,
        row_number() OVER (PARTITION BY i.idempotency_key ORDER BY i.seq) AS key_rank,
        l.idempotency_key IS NOT NULL AS posted
    FROM issue_input AS i
    LEFT JOIN (
        SELECT DISTINCT idempotency_key FROM wallet_ledger WHERE idempotency_key IS NOT NULL
    ) AS l ON l.idempotency_key = i.idempotency_key
),
fresh AS (
    SELECT
        k.seq,
        round(coalesce(s.issued_day, 0) + sum(k.amount) OVER (
            PARTITION BY k.player_id ORDER BY k.seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ), 4) AS day_total,
        round(coalesce(s.issued_week, 0) + sum(k.amount) OVER (
            PARTITION BY k.player_id ORDER BY k.seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ), 4) AS week_total
    FROM keyed AS k
    LEFT JOIN issued_now AS s ON s.player_id = k.player_id
    WHERE NOT k.posted AND k.key_rank = 1
)
SELECT
    k.*,
    CASE
        WHEN k.posted OR k.key_rank > 1 THEN 'duplicate'
        WHEN f.day_total > $daily_cap THEN 'daily_cap'
        WHEN f.week_total > $weekly_cap THEN 'weekly_cap'
        ELSE 'issued'
    END AS status
FROM keyed AS k
LEFT JOIN fresh AS f ON f.seq = k.seq
ORDER BY k.seq
