-- Players to evaluate: with parameter file_id NULL each player's latest stored row (newest load or edit;
-- within one file its last row), else the rows of that one file; parameter player_id NULL means every player.
-- Each row says whether the player is active (not deactivated) and how often it appears in its file.
WITH stamped AS (
    SELECT
        p.*,
        p.rowid AS row_order,
        coalesce(f.loaded_at, e.edited_at) AS stamped_at
    FROM players AS p
    LEFT JOIN loaded_files AS f ON f.file_id = p.source_file
    LEFT JOIN player_edits AS e ON e.source_file = p.source_file AND e.player_id = p.player_id
    WHERE (CAST($player_id AS VARCHAR) IS NULL OR p.player_id = $player_id)
        AND (CAST($file_id AS VARCHAR) IS NULL OR p.source_file = $file_id)
),
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY player_id ORDER BY stamped_at DESC NULLS LAST, row_order DESC
        ) AS newest,
        count(*) OVER (PARTITION BY player_id, source_file) AS rows_in_file
    FROM stamped
),
status AS (
    SELECT
        player_id,
        active,
        row_number() OVER (PARTITION BY player_id ORDER BY changed_at DESC) AS newest
    FROM player_status
)
SELECT
    r.player_id,
    r.total_deposited,
    r.total_wagered,
    r.total_won,
    r.sessions,
    r.playtime_hours,
    r.total_withdrawn,
    r.bonus_received,
    r.registered_at,
    r.last_active_at,
    r.tier,
    r.source_file,
    coalesce(s.active, TRUE) AS player_active,
    r.stamped_at AS updated_at,
    r.rows_in_file
FROM ranked AS r
LEFT JOIN status AS s ON s.player_id = r.player_id AND s.newest = 1
WHERE r.newest = 1
ORDER BY r.player_id
