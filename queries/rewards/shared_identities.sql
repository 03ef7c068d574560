-- Devices and ips of the stored ledger used by more than one player: each player, the shared
-- device or ip, and the other players using it (the multi-accounting signal's evidence).
WITH identities AS (
    SELECT DISTINCT player_id, 'device' AS kind, device_id AS ident
    FROM player_transactions
    WHERE device_id IS NOT NULL
    UNION
    SELECT DISTINCT player_id, 'ip' AS kind, ip AS ident
    FROM player_transactions
    WHERE ip IS NOT NULL
),
shared AS (
    SELECT kind, ident, count(DISTINCT player_id) AS players
    FROM identities
    GROUP BY kind, ident
    HAVING count(DISTINCT player_id) > 1
)
SELECT i.player_id, i.kind, i.ident, s.players, o.player_id AS other_player
FROM identities AS i
INNER JOIN shared AS s ON s.kind = i.kind AND s.ident = i.ident
INNER JOIN identities AS o ON o.kind = i.kind AND o.ident = i.ident AND o.player_id <> i.player_id
ORDER BY i.player_id, i.kind, i.ident, o.player_id
