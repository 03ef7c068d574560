-- A fingerprint of what the rewards views read (rows of each input table), for caching them.
SELECT
    (SELECT count(*) FROM loaded_files) AS files,
    (SELECT count(*) FROM player_edits) AS edits,
    (SELECT count(*) FROM player_status) AS statuses,
    (SELECT count(*) FROM reward_rule_versions) AS rule_versions,
    (SELECT count(*) FROM wallet_ledger) AS ledger_entries,
    (SELECT count(*) FROM reward_tiers) AS tiers
