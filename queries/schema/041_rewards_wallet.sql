-- Rewards & ROI: rule versions, wallet balances, bonuses (wagering progress and expiry), issued
-- rewards with their expected value, loyalty tiers, and players' status and manual edits.
ALTER TABLE wallet_ledger ADD COLUMN IF NOT EXISTS balance_after DECIMAL(18, 4);
ALTER TABLE wallet_ledger ADD COLUMN IF NOT EXISTS bonus_id VARCHAR;
ALTER TABLE wallet_ledger ADD COLUMN IF NOT EXISTS note VARCHAR;

-- Every saved change to a rule is a new version; the current rule is its highest version.
CREATE TABLE IF NOT EXISTS reward_rule_versions (
    rule_id    VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    definition VARCHAR NOT NULL,   -- the rule's canonical JSON
    diff       VARCHAR NOT NULL,   -- JSON {"path": [old, new]} against the previous version
    action     VARCHAR NOT NULL,   -- created, updated, deactivated, activated, rolled back to vN
    changed_at TIMESTAMP NOT NULL,
    changed_by VARCHAR NOT NULL
);

-- One row per (player, currency), kept in the same transaction as the ledger entries.
CREATE TABLE IF NOT EXISTS wallet_balances (
    player_id  VARCHAR NOT NULL,
    currency   VARCHAR NOT NULL,
    balance    DECIMAL(18, 4) NOT NULL CHECK (balance >= 0),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS wallet_bonuses (
    bonus_id             VARCHAR NOT NULL,
    player_id            VARCHAR NOT NULL,
    amount               DECIMAL(18, 4) NOT NULL,
    wagering_requirement DOUBLE NOT NULL,
    wagering_target      DECIMAL(18, 4) NOT NULL,  -- requirement x amount
    wagered              DECIMAL(18, 4) NOT NULL,
    eligible_games       VARCHAR[],                -- NULL: wagers on every game count
    status               VARCHAR NOT NULL,         -- active, completed, expired
    issued_at            TIMESTAMP NOT NULL,
    expires_at           TIMESTAMP NOT NULL,
    closed_at            TIMESTAMP,
    entry_id             VARCHAR NOT NULL,         -- the wallet_ledger entry that credited it
    rule_id              VARCHAR,
    rule_version         INTEGER
);

CREATE TABLE IF NOT EXISTS bonus_wagers (
    idempotency_key VARCHAR NOT NULL UNIQUE,
    player_id       VARCHAR NOT NULL,
    amount          DECIMAL(18, 4) NOT NULL,
    game_type       VARCHAR,
    wagered_at      TIMESTAMP NOT NULL,
    counted         DECIMAL(18, 4) NOT NULL,       -- the part that counted towards bonuses
    recorded_at     TIMESTAMP NOT NULL,
    recorded_by     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS reward_issues (
    entry_id         VARCHAR NOT NULL,
    player_id        VARCHAR NOT NULL,
    rule_id          VARCHAR NOT NULL,
    rule_version     INTEGER,
    reward_type      VARCHAR NOT NULL,
    amount           DECIMAL(18, 4) NOT NULL,
    segment          VARCHAR NOT NULL,
    expected_wager   DOUBLE,
    expected_revenue DOUBLE,
    expected_profit  DOUBLE,
    roi_percent      DOUBLE,
    abuse_score      INTEGER,
    abuse_action     VARCHAR,
    source_file      VARCHAR,
    idempotency_key  VARCHAR NOT NULL,
    issued_at        TIMESTAMP NOT NULL,
    issued_by        VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS reward_tiers (
    name       VARCHAR NOT NULL,
    min_points DECIMAL(18, 4) NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by VARCHAR NOT NULL
);

-- Deactivation history (the latest row wins) and players created or edited by hand.
CREATE TABLE IF NOT EXISTS player_status (
    player_id  VARCHAR NOT NULL,
    active     BOOLEAN NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS player_edits (
    source_file VARCHAR NOT NULL,
    player_id   VARCHAR NOT NULL,
    edited_at   TIMESTAMP NOT NULL,
    edited_by   VARCHAR NOT NULL
);
