-- Rewards & ROI (contracts/players.md): player exports, the transaction ledger, the wallet ledger.
CREATE TABLE IF NOT EXISTS players (
    player_id       VARCHAR NOT NULL,
    total_deposited DECIMAL(18, 4) NOT NULL,
    total_wagered   DECIMAL(18, 4) NOT NULL,
    total_won       DECIMAL(18, 4) NOT NULL,
    sessions        BIGINT NOT NULL,
    playtime_hours  DOUBLE NOT NULL,
    total_withdrawn DECIMAL(18, 4),
    bonus_received  DECIMAL(18, 4),
    registered_at   TIMESTAMP,
    last_active_at  TIMESTAMP,
    tier            VARCHAR,
    source_file     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS player_transactions (
    player_id   VARCHAR NOT NULL,
    time        TIMESTAMP NOT NULL,
    type        VARCHAR NOT NULL,
    amount      DECIMAL(18, 4) NOT NULL,
    game_type   VARCHAR,
    device_id   VARCHAR,
    ip          VARCHAR,
    source_file VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS wallet_ledger (
    entry_id        VARCHAR NOT NULL,
    player_id       VARCHAR NOT NULL,
    currency        VARCHAR NOT NULL,  -- LOYALTY_POINTS, REWARD_POINTS, BONUS_BALANCE, TICKETS, CASH
    amount          DECIMAL(18, 4) NOT NULL,
    kind            VARCHAR NOT NULL,  -- reward, credit, debit, bonus, bonus_release, expiry
    rule_id         VARCHAR,
    rule_version    INTEGER,
    idempotency_key VARCHAR UNIQUE,
    created_at      TIMESTAMP NOT NULL,
    created_by      VARCHAR NOT NULL
);
