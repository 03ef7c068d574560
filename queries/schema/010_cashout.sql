-- Cashout audits (contracts/cashout_events.md): events, stored audits, append-only decisions.
CREATE TABLE IF NOT EXISTS cashout_events (
    event_time      TIMESTAMP NOT NULL,
    user_id         VARCHAR NOT NULL,
    username        VARCHAR NOT NULL,
    event_type      VARCHAR NOT NULL,
    amount          DECIMAL(18, 4) NOT NULL,
    won             BOOLEAN,
    counterparty_id VARCHAR,
    device_id       VARCHAR,
    cashout_id      VARCHAR,
    unit            VARCHAR NOT NULL DEFAULT 'currency',  -- 'currency' or 'pennies' (raw exports)
    source_file     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS cashout_audits (
    audit_id     VARCHAR NOT NULL,
    cashout_id   VARCHAR NOT NULL,
    user_id      VARCHAR NOT NULL,
    username     VARCHAR,
    cashout_time TIMESTAMP NOT NULL,
    amount       DECIMAL(18, 4),
    verdict      VARCHAR NOT NULL,
    take_per_game DOUBLE,
    result       VARCHAR NOT NULL,    -- the audit's JSON as the CLI prints it
    auditor      VARCHAR NOT NULL,
    audited_at   TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS cashout_decisions (
    decision_id VARCHAR NOT NULL,
    audit_id    VARCHAR NOT NULL,
    cashout_id  VARCHAR NOT NULL,
    decision    VARCHAR NOT NULL,     -- approve / reject / escalate
    comment     VARCHAR,
    decided_by  VARCHAR NOT NULL,
    decided_at  TIMESTAMP NOT NULL
);
