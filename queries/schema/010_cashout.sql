-- Cashout audits (contracts/cashout_events.md): events, stored audits, append-only decisions.
CREATE TABLE IF NOT EXISTS cashout_events (
    event_time        TIMESTAMP NOT NULL,
    user_id           VARCHAR NOT NULL,
    username          VARCHAR NOT NULL,
    event_type        VARCHAR NOT NULL,
    amount            DECIMAL(18, 4) NOT NULL,
    won               BOOLEAN,
    counterparty_id   VARCHAR,
    device_id         VARCHAR,
    cashout_id        VARCHAR,
    unit              VARCHAR NOT NULL DEFAULT 'currency',  -- 'currency' or 'pennies' (raw exports)
    counterparty_name VARCHAR,            -- raw exports: the opponent's username as written
    raw_type          VARCHAR,            -- raw exports: the server event's own type
    source_file       VARCHAR NOT NULL
);

-- One audit per cashout id and source file: a re-audit replaces nothing and adds nothing.
CREATE TABLE IF NOT EXISTS cashout_audits (
    audit_id      VARCHAR NOT NULL,
    cashout_id    VARCHAR NOT NULL,
    source_file   VARCHAR NOT NULL,   -- file id (sha256) the cashout row was read from
    file_name     VARCHAR,
    user_id       VARCHAR NOT NULL,
    username      VARCHAR,
    cashout_time  TIMESTAMP NOT NULL,
    amount        DECIMAL(18, 4),
    unit          VARCHAR NOT NULL DEFAULT 'currency',
    verdict       VARCHAR NOT NULL,
    reasons       VARCHAR NOT NULL DEFAULT '',   -- reason codes, comma-separated, sorted
    take_per_game DOUBLE,
    result        VARCHAR NOT NULL,    -- the audit's JSON as the CLI prints it
    auditor       VARCHAR NOT NULL,
    audited_at    TIMESTAMP NOT NULL
);

-- Append-only: a decision is never updated or deleted; the newest one per cashout counts.
CREATE TABLE IF NOT EXISTS cashout_decisions (
    decision_id VARCHAR NOT NULL,
    audit_id    VARCHAR NOT NULL,
    cashout_id  VARCHAR NOT NULL,
    decision    VARCHAR NOT NULL,     -- approve / reject / escalate
    comment     VARCHAR,
    decided_by  VARCHAR NOT NULL,
    decided_at  TIMESTAMP NOT NULL
);

-- Files audit-batch has audited and archived, so no file content is ever batch-audited twice.
CREATE TABLE IF NOT EXISTS cashout_batch_files (
    file_id     VARCHAR NOT NULL,
    file_name   VARCHAR NOT NULL,
    inbox       VARCHAR NOT NULL,
    batch_date  DATE NOT NULL,
    archived_to VARCHAR NOT NULL,
    results     VARCHAR NOT NULL,     -- the results JSON it was reported in
    run_by      VARCHAR NOT NULL,
    done_at     TIMESTAMP NOT NULL
);
