-- Abuse signals per player from the stored transaction ledger (exact duplicate rows counted once):
-- bonus-only play, a withdrawal soon after a bonus or a win, a bet jump after a bonus's wagering
-- completed, and a device or ip shared with another player. The player_id parameter: one player's signals
-- only (NULL: every player's); sharing is still judged against the whole ledger.
WITH tx AS (
    SELECT DISTINCT player_id, time, type, amount, game_type, device_id, ip
    FROM player_transactions
    WHERE $player_id IS NULL OR player_id = $player_id
),
sums AS (
    SELECT
        player_id,
        sum(CASE WHEN type = 'deposit' THEN amount ELSE 0 END) AS deposits,
        sum(CASE WHEN type = 'bonus' THEN amount ELSE 0 END) AS bonuses
    FROM tx
    GROUP BY player_id
),
credits AS (
    SELECT
        player_id,
        type,
        time,
        max(CASE WHEN type IN ('bonus', 'win') THEN time END) OVER (
            PARTITION BY player_id ORDER BY time RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS last_credit
    FROM tx
    WHERE type IN ('bonus', 'win', 'withdrawal')
),
fast AS (
    SELECT DISTINCT player_id
    FROM credits
    WHERE type = 'withdrawal' AND date_diff('second', last_credit, time) <= $fast_withdrawal_seconds
),
wagers AS (
    SELECT
        player_id,
        time,
        amount,
        row_number() OVER (PARTITION BY player_id ORDER BY time, amount) AS seq
    FROM tx
    WHERE type = 'wager'
),
bonuses AS (
    SELECT
        player_id,
        time AS bonus_time,
        amount AS bonus_amount,
        row_number() OVER (PARTITION BY player_id ORDER BY time, amount) AS bonus_no
    FROM tx
    WHERE type = 'bonus'
),
phase AS (
    SELECT
        b.player_id,
        b.bonus_no,
        b.bonus_amount,
        w.seq,
        w.time,
        sum(w.amount) OVER (
            PARTITION BY b.player_id, b.bonus_no ORDER BY w.seq
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS wagered,
        row_number() OVER (PARTITION BY b.player_id, b.bonus_no ORDER BY w.seq) AS n
    FROM bonuses AS b
    INNER JOIN wagers AS w ON w.player_id = b.player_id AND w.time > b.bonus_time
),
completion AS (
    SELECT player_id, bonus_no, min(n) AS done_n
    FROM phase
    WHERE wagered >= $wagering_requirement * bonus_amount
    GROUP BY player_id, bonus_no
),
completed AS (
    SELECT p.player_id, p.seq AS done_seq, p.time AS done_time, p.wagered / p.n AS phase_mean
    FROM phase AS p
    INNER JOIN completion AS c ON c.player_id = p.player_id AND c.bonus_no = p.bonus_no AND c.done_n = p.n
),
jump AS (
    SELECT DISTINCT c.player_id
    FROM completed AS c
    INNER JOIN wagers AS w
        ON w.player_id = c.player_id
        AND w.seq > c.done_seq
        AND date_diff('second', c.done_time, w.time) <= $bet_jump_window_seconds
        AND w.amount > $bet_jump_factor * c.phase_mean
),
identities AS (
    SELECT DISTINCT player_id, 'device' AS kind, device_id AS ident
    FROM player_transactions WHERE device_id IS NOT NULL
    UNION
    SELECT DISTINCT player_id, 'ip' AS kind, ip AS ident FROM player_transactions WHERE ip IS NOT NULL
),
shared_idents AS (
    SELECT kind, ident FROM identities GROUP BY kind, ident HAVING count(DISTINCT player_id) > 1
),
shared AS (
    SELECT DISTINCT i.player_id
    FROM identities AS i
    INNER JOIN shared_idents AS s ON s.kind = i.kind AND s.ident = i.ident
)
SELECT
    s.player_id,
    TRUE AS has_ledger,
    s.deposits = 0 AND s.bonuses > 0 AS bonus_only,
    f.player_id IS NOT NULL AS fast_withdrawal,
    j.player_id IS NOT NULL AS bet_jump,
    m.player_id IS NOT NULL AS multi_accounting
FROM sums AS s
LEFT JOIN fast AS f ON f.player_id = s.player_id
LEFT JOIN jump AS j ON j.player_id = s.player_id
LEFT JOIN shared AS m ON m.player_id = s.player_id
ORDER BY s.player_id
