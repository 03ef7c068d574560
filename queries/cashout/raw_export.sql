-- The raw audit-query export of one player (player: user id or username), as liveops download it
-- from Athena: every game-server event of that player plus the SetInviter rows of the players
-- they invited, oldest first, with the columns the raw export reader maps (server_events is the
-- game server's event log table).
SELECT "time", userid, username, deviceid, "type", balancechange, escrowchange, prevbalance,
       reason, "result", opponentusername, istransaction, awardedprizetype, usedpowerup,
       inviterusername, iserror, "count"
FROM server_events
WHERE userid = $player
   OR username = $player
   OR ("type" = 'SetInviter' AND inviterusername IN (
        SELECT username FROM server_events WHERE userid = $player OR username = $player))
ORDER BY "time", userid
