-- Mule lab (contracts/drops.md): simulator runs with their accounts and transactions.
CREATE TABLE IF NOT EXISTS drop_runs (
    run_id        VARCHAR NOT NULL,
    seed          BIGINT NOT NULL,
    config        VARCHAR NOT NULL,   -- the effective configuration, JSON
    transactions  BIGINT NOT NULL,
    drops         BIGINT NOT NULL,
    legit_clients BIGINT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    created_by    VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS drop_transactions (
    run_id       VARCHAR NOT NULL,
    txn_id       VARCHAR NOT NULL,
    timestamp    TIMESTAMP NOT NULL,
    account_id   VARCHAR NOT NULL,
    counterparty VARCHAR,
    amount       DECIMAL(18, 2) NOT NULL,
    direction    VARCHAR NOT NULL,
    txn_type     VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    merchant_id  VARCHAR,
    lat          DOUBLE,
    lon          DOUBLE,
    ip           VARCHAR,
    city         VARCHAR,
    device_id    VARCHAR,
    channel      VARCHAR,
    is_fraud     TINYINT NOT NULL,
    fraud_type   VARCHAR,
    scenario     VARCHAR,
    period       INTEGER,
    rule         VARCHAR
);

CREATE TABLE IF NOT EXISTS drop_accounts (
    run_id     VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    client_id  VARCHAR NOT NULL,
    is_drop    TINYINT NOT NULL,
    drop_type  VARCHAR,
    blocked_at TIMESTAMP
);
