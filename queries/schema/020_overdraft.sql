-- Overdraft monitor (contracts/lambda_logs.md): parsed transactions and errors of the Lambda logs.
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
