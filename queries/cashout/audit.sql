-- One row per cashout found in the cashout_events of the files files (NULL: every file), with the
-- figures of its audit (contracts/cashout_events.md): window, games, winrate, take per game (also
-- for live games and matchups apart), the six value totals, audited value and discrepancy,
-- lifetime invites, related players and the value won from them in matchups, the top top_n
-- opponents, the player's devices and the other accounts seen on them anywhere in cashout_events.
-- A row found identically in several files counts once; each (user_id, unit) is audited apart.
WITH multi_file AS (  -- players whose rows come from several files: there, identical rows count once
    SELECT user_id, unit
    FROM cashout_events
    WHERE $files IS NULL OR source_file IN (SELECT f FROM unnest(CAST($files AS VARCHAR[])) AS u(f))
    GROUP BY user_id, unit
    HAVING count(DISTINCT source_file) > 1
),
events AS (  -- w: how many times a row counts (as often as in the one file holding it most)
    SELECT s.event_time, s.user_id, lower(s.event_type) AS event_type, s.amount, s.won,
           s.counterparty_id, s.counterparty_name, s.unit, s.raw_type, 1 AS w
    FROM cashout_events AS s
    WHERE ($files IS NULL OR s.source_file IN (SELECT f FROM unnest(CAST($files AS VARCHAR[])) AS u(f)))
      AND NOT EXISTS (SELECT 1 FROM multi_file AS m WHERE m.user_id = s.user_id AND m.unit = s.unit)
    UNION ALL
    SELECT event_time, user_id, event_type, amount, won, counterparty_id, counterparty_name,
           unit, raw_type, max(n) AS w
    FROM (
        SELECT s.event_time, s.user_id, s.username, lower(s.event_type) AS event_type, s.amount,
               s.won, s.counterparty_id, s.counterparty_name, s.device_id, s.cashout_id, s.unit,
               s.raw_type, s.source_file, count(*) AS n
        FROM cashout_events AS s
        JOIN multi_file AS m ON m.user_id = s.user_id AND m.unit = s.unit
        WHERE $files IS NULL OR s.source_file IN (SELECT f FROM unnest(CAST($files AS VARCHAR[])) AS u(f))
        GROUP BY s.event_time, s.user_id, s.username, lower(s.event_type), s.amount, s.won,
                 s.counterparty_id, s.counterparty_name, s.device_id, s.cashout_id, s.unit,
                 s.raw_type, s.source_file
    ) AS per_file
    GROUP BY event_time, user_id, username, event_type, amount, won, counterparty_id,
             counterparty_name, device_id, cashout_id, unit, raw_type
),
cashouts AS (  -- every cashout row; one found in several files is read from the first file id
    SELECT user_id, unit, event_time AS cashout_time, cashout_id, username, amount,
           min(source_file) AS source_file
    FROM cashout_events
    WHERE ($files IS NULL OR source_file IN (SELECT f FROM unnest(CAST($files AS VARCHAR[])) AS u(f)))
      AND lower(event_type) = 'cashout'
    GROUP BY user_id, unit, event_time, cashout_id, username, amount
),
bounds AS (  -- each window (win_prev, win_end] of a player, numbered win_id
    SELECT user_id, unit, win_end,
           lag(win_end) OVER (PARTITION BY user_id, unit ORDER BY win_end) AS win_prev,
           row_number() OVER (ORDER BY user_id, unit, win_end) AS win_id
    FROM (SELECT DISTINCT user_id, unit, cashout_time AS win_end FROM cashouts) AS times
),
facts AS (  -- each window's events summed by type, result, counterparty and sign
    SELECT b.win_id, e.event_type, e.won,
           CASE WHEN e.event_type IN ('matchup_end', 'invite_accepted') THEN e.counterparty_id END
               AS counterparty_id,
           CASE WHEN e.event_type IN ('matchup_end', 'invite_accepted') THEN e.counterparty_name END
               AS counterparty_name,
           coalesce(e.raw_type, e.event_type) AS kind, e.amount > 0 AS positive,
           sum(e.w) AS n, sum(e.amount * e.w) AS value, min(e.event_time) AS first_time
    FROM events AS e
    JOIN bounds AS b
        ON b.user_id = e.user_id AND b.unit = e.unit AND e.event_time <= b.win_end
       AND (b.win_prev IS NULL OR e.event_time > b.win_prev)
    GROUP BY b.win_id, e.event_type, e.won,
             CASE WHEN e.event_type IN ('matchup_end', 'invite_accepted') THEN e.counterparty_id END,
             CASE WHEN e.event_type IN ('matchup_end', 'invite_accepted') THEN e.counterparty_name END,
             coalesce(e.raw_type, e.event_type), e.amount > 0
),
unresolved AS (  -- raw exports' opponent usernames the file itself could not turn into user ids
    SELECT DISTINCT counterparty_name AS name
    FROM cashout_events
    WHERE ($files IS NULL OR source_file IN (SELECT f FROM unnest(CAST($files AS VARCHAR[])) AS u(f)))
      AND counterparty_name IS NOT NULL AND counterparty_id = counterparty_name
),
names AS (  -- username -> user id pairs seen anywhere in the data loaded (the latest one wins)
    SELECT username AS name, arg_max(user_id, event_time) AS user_id
    FROM cashout_events
    WHERE EXISTS (SELECT 1 FROM unresolved) AND username IN (SELECT name FROM unresolved)
      AND user_id <> username
    GROUP BY username
),
resolved AS (
    SELECT f.win_id, f.event_type, f.won, f.kind, f.positive, f.n, f.value, f.first_time,
           coalesce(nm.user_id, f.counterparty_id) AS counterparty_id
    FROM facts AS f
    LEFT JOIN names AS nm ON f.counterparty_name = nm.name AND f.counterparty_id = f.counterparty_name
),
windows AS (
    SELECT win_id,
           min(first_time) AS window_start,
           sum(CASE WHEN event_type = 'game_end' THEN n ELSE 0 END) AS live_games,
           sum(CASE WHEN event_type = 'game_end' AND won THEN n ELSE 0 END) AS live_wins,
           sum(CASE WHEN event_type = 'game_end' AND won IS NOT NULL THEN n ELSE 0 END) AS live_known,
           sum(CASE WHEN event_type = 'game_end' THEN value ELSE 0 END) AS live_net,
           sum(CASE WHEN event_type = 'matchup_end' THEN n ELSE 0 END) AS matchups,
           sum(CASE WHEN event_type = 'matchup_end' AND won THEN n ELSE 0 END) AS matchup_wins,
           sum(CASE WHEN event_type = 'matchup_end' AND won IS NOT NULL THEN n ELSE 0 END)
               AS matchup_known,
           sum(CASE WHEN event_type = 'matchup_end' THEN value ELSE 0 END) AS matchup_net,
           sum(CASE WHEN event_type <> 'cashout' THEN value ELSE 0 END) AS audited_value,
           sum(CASE WHEN event_type = 'game_end' AND positive THEN value ELSE 0 END) AS total_game_end,
           sum(CASE WHEN event_type = 'matchup_end' AND positive THEN value ELSE 0 END)
               AS total_matchup_end,
           sum(CASE WHEN event_type = 'tournament_end' AND positive THEN value ELSE 0 END)
               AS total_tournament_end,
           sum(CASE WHEN event_type = 'goal_claim' AND positive THEN value ELSE 0 END) AS total_goal_claim,
           sum(CASE WHEN event_type = 'mega_spin' AND positive THEN value ELSE 0 END) AS total_mega_spin,
           sum(CASE WHEN event_type = 'admin_add_balance' AND positive THEN value ELSE 0 END)
               AS total_admin_add_balance,
           sum(CASE WHEN event_type = 'invite_accepted' THEN n ELSE 0 END) AS window_invites
    FROM resolved
    GROUP BY win_id
),
figures AS (
    SELECT w.*, b.user_id, b.unit, b.win_end,
           w.live_games + w.matchups AS games,
           w.live_wins + w.matchup_wins AS wins,
           w.live_known + w.matchup_known AS known,
           w.live_net + w.matchup_net AS game_net,
           w.total_game_end + w.total_matchup_end + w.total_tournament_end + w.total_goal_claim
               + w.total_mega_spin + w.total_admin_add_balance AS value_total,
           sum(w.window_invites) OVER (
               PARTITION BY b.user_id, b.unit ORDER BY b.win_end
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS invites
    FROM windows AS w
    JOIN bounds AS b ON b.win_id = w.win_id
),
others AS (  -- events of a type the contract does not name: counted as other, named in warnings
    SELECT win_id, kind, sum(n) AS n, sum(value) AS value
    FROM resolved
    WHERE event_type NOT IN ('game_end', 'matchup_end', 'tournament_end', 'tournament_entry',
                             'goal_claim', 'mega_spin', 'admin_add_balance', 'cashout',
                             'invite_accepted')
    GROUP BY win_id, kind
),
other_lists AS (
    SELECT win_id, list(kind ORDER BY kind) AS other_kinds,
           list(n ORDER BY kind) AS other_counts, list(value ORDER BY kind) AS other_values
    FROM others
    GROUP BY win_id
),
inviters AS (  -- who invited whom, anywhere in the files audited
    SELECT counterparty_id AS invitee, user_id AS inviter, min(event_time) AS invited_at
    FROM cashout_events
    WHERE ($files IS NULL OR source_file IN (SELECT f FROM unnest(CAST($files AS VARCHAR[])) AS u(f)))
      AND lower(event_type) = 'invite_accepted' AND counterparty_id IS NOT NULL
    GROUP BY counterparty_id, user_id
),
invites AS (  -- each invite with the player who sent it and the window it is in
    SELECT b.user_id, b.unit, b.win_end, r.counterparty_id AS invitee
    FROM resolved AS r
    JOIN bounds AS b ON b.win_id = r.win_id
    WHERE r.event_type = 'invite_accepted' AND r.counterparty_id IS NOT NULL
),
related AS (  -- the player's invitees up to the cashout, and the player who invited them
    SELECT f.win_id, i.invitee AS related_id
    FROM figures AS f
    JOIN invites AS i ON i.user_id = f.user_id AND i.unit = f.unit AND i.win_end <= f.win_end
    UNION
    SELECT f.win_id, v.inviter AS related_id
    FROM figures AS f
    JOIN inviters AS v ON v.invitee = f.user_id AND v.invited_at <= f.win_end
),
related_lists AS (
    SELECT win_id, list(related_id ORDER BY related_id) AS related_players
    FROM related
    GROUP BY win_id
),
from_related AS (
    SELECT t.win_id, sum(t.value) AS related_value
    FROM resolved AS t
    JOIN related AS r ON r.win_id = t.win_id AND r.related_id = t.counterparty_id
    WHERE t.event_type = 'matchup_end' AND t.positive
    GROUP BY t.win_id
),
opponents AS (
    SELECT win_id, counterparty_id AS opponent, sum(value) AS net
    FROM resolved
    WHERE event_type = 'matchup_end' AND counterparty_id IS NOT NULL
    GROUP BY win_id, counterparty_id
),
ranked AS (
    SELECT win_id, opponent, net,
           row_number() OVER (PARTITION BY win_id ORDER BY net DESC, opponent) AS rk
    FROM opponents
    WHERE net > 0
),
top_lists AS (
    SELECT win_id, list(opponent ORDER BY rk) AS top_ids, list(net ORDER BY rk) AS top_amounts
    FROM ranked
    WHERE rk <= $top_n
    GROUP BY win_id
),
device_first AS (  -- when each of a player's devices first shows up in the files audited
    SELECT user_id, unit, device_id, min(event_time) AS first_seen
    FROM cashout_events
    WHERE ($files IS NULL OR source_file IN (SELECT f FROM unnest(CAST($files AS VARCHAR[])) AS u(f))) AND device_id IS NOT NULL
    GROUP BY user_id, unit, device_id
),
device_users AS (  -- who uses those devices, anywhere in the data loaded
    SELECT DISTINCT device_id, user_id
    FROM cashout_events
    WHERE device_id IN (SELECT device_id FROM device_first)
),
sharing AS (
    SELECT f.win_id, d.device_id, u.user_id AS other
    FROM figures AS f
    JOIN device_first AS d ON d.user_id = f.user_id AND d.unit = f.unit AND d.first_seen <= f.win_end
    LEFT JOIN device_users AS u ON u.device_id = d.device_id AND u.user_id <> f.user_id
),
device_lists AS (
    SELECT win_id,
           list(DISTINCT device_id) AS devices,
           list(DISTINCT other) FILTER (WHERE other IS NOT NULL) AS other_accounts,
           list(DISTINCT device_id) FILTER (WHERE other IS NOT NULL) AS shared_devices
    FROM sharing
    GROUP BY win_id
)
SELECT c.cashout_id, c.user_id, c.username, c.cashout_time, c.amount, c.unit, c.source_file,
       f.window_start,
       f.games AS games_to_cashout,
       f.wins::DOUBLE / NULLIF(f.known, 0) AS winrate,
       f.game_net::DOUBLE / NULLIF(f.games, 0) AS take_per_game,
       f.live_games,
       f.live_wins::DOUBLE / NULLIF(f.live_known, 0) AS live_winrate,
       f.live_net::DOUBLE / NULLIF(f.live_games, 0) AS live_take_per_game,
       f.matchups,
       f.matchup_wins::DOUBLE / NULLIF(f.matchup_known, 0) AS matchup_winrate,
       f.matchup_net::DOUBLE / NULLIF(f.matchups, 0) AS matchup_take_per_game,
       f.audited_value,
       CASE WHEN c.amount = 0 AND f.audited_value = 0 THEN 0.0
            WHEN c.amount > 0 THEN abs(c.amount - f.audited_value)::DOUBLE / c.amount::DOUBLE
       END AS discrepancy_share,
       f.total_game_end, f.total_matchup_end, f.total_tournament_end, f.total_goal_claim,
       f.total_mega_spin, f.total_admin_add_balance, f.value_total,
       f.invites,
       coalesce(fr.related_value, 0) AS related_value,
       CASE WHEN f.value_total > 0 THEN coalesce(fr.related_value, 0)::DOUBLE / f.value_total::DOUBLE
            ELSE 0.0 END AS invited_share,
       r.related_players, t.top_ids, t.top_amounts,
       d.devices, d.other_accounts, d.shared_devices,
       o.other_kinds, o.other_counts, o.other_values
FROM cashouts AS c
JOIN figures AS f ON f.user_id = c.user_id AND f.unit = c.unit AND f.win_end = c.cashout_time
LEFT JOIN related_lists AS r ON r.win_id = f.win_id
LEFT JOIN from_related AS fr ON fr.win_id = f.win_id
LEFT JOIN top_lists AS t ON t.win_id = f.win_id
LEFT JOIN device_lists AS d ON d.win_id = f.win_id
LEFT JOIN other_lists AS o ON o.win_id = f.win_id
ORDER BY c.cashout_time, c.cashout_id, c.user_id
