-- Overdraft monitor (contracts/lambda_logs.md): parsed transactions and errors of the Lambda logs,
-- the silences between log records, and one row per loaded log file (records read and the like).
CREATE TABLE IF NOT EXISTS lambda_transactions (
    date_time              TIMESTAMP,
    request_id             VARCHAR,
    message_id             VARCHAR,
    id                     VARCHAR,
    type                   VARCHAR,
    source                 VARCHAR,
    action                 VARCHAR,
    user_id                VARCHAR,
    payment_balance        DOUBLE,
    update_payment_balance BOOLEAN,
    currency               VARCHAR,
    amount                 DOUBLE,
    vat                    DOUBLE,
    old_balance            DOUBLE,
    new_balance            DOUBLE,
    metadata               VARCHAR,
    in_sync                BOOLEAN,
    source_file            VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS lambda_errors (
    date_time     TIMESTAMP,
    request_id    VARCHAR,
    message_id    VARCHAR,
    user_id       VARCHAR,
    message       VARCHAR,
    is_sync_error BOOLEAN,
    file          VARCHAR,
    line          BIGINT,
    source_file   VARCHAR NOT NULL
);

-- Silences of at least parser.gap_min_seconds between consecutive records of one file.
CREATE TABLE IF NOT EXISTS lambda_gaps (
    gap_start   TIMESTAMP NOT NULL,
    gap_end     TIMESTAMP NOT NULL,
    gap_seconds DOUBLE NOT NULL,
    file        VARCHAR,
    line        BIGINT,             -- line of the record after the silence
    source_file VARCHAR NOT NULL
);

-- One row per loaded log file: what it held.
CREATE TABLE IF NOT EXISTS lambda_log_files (
    file         VARCHAR NOT NULL,
    records      BIGINT NOT NULL,    -- log records read (a malformed block counts as one)
    lines        BIGINT NOT NULL,
    transactions BIGINT NOT NULL,
    errors       BIGINT NOT NULL,
    sync_errors  BIGINT NOT NULL,
    malformed    BIGINT NOT NULL,
    first_time   TIMESTAMP,
    last_time    TIMESTAMP,
    source_file  VARCHAR NOT NULL
);

-- The figures read these views: a transaction or an error logged in two loaded files (overlapping
-- exports) counts once; a copy that saw the segment's sync error wins over one that did not.
CREATE OR REPLACE VIEW lambda_tx AS
SELECT * EXCLUDE (source_file)
FROM lambda_transactions
QUALIFY row_number() OVER (PARTITION BY id, date_time, request_id ORDER BY in_sync, source_file) = 1;

CREATE OR REPLACE VIEW lambda_err AS
SELECT * EXCLUDE (source_file)
FROM lambda_errors
QUALIFY row_number() OVER (PARTITION BY date_time, request_id, message ORDER BY source_file, line) = 1;
