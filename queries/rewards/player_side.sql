-- One row per player with a ledger signal or a reward already issued: the ledger's abuse signals
-- (table abuse_signals) beside the rewards issued today and this week (table issued_totals).
SELECT
    coalesce(s.player_id, i.player_id) AS player_id,
    s.has_ledger,
    s.bonus_only,
    s.fast_withdrawal,
    s.bet_jump,
    s.multi_accounting,
    i.issued_day,
    i.issued_week
FROM abuse_signals AS s
FULL OUTER JOIN issued_totals AS i ON i.player_id = s.player_id
