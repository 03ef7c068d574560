-- One player's balance in each currency.
SELECT currency, balance, updated_at
FROM wallet_balances
WHERE player_id = $player_id
ORDER BY currency
