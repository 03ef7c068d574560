-- Fraud cohort (contracts/game_events.md): events, the fraudsters table and the pipeline's audit log.
CREATE TABLE IF NOT EXISTS game_events (
    distinct_id         VARCHAR NOT NULL,
    event_time          TIMESTAMP NOT NULL,
    event_name          VARCHAR NOT NULL,
    platform            VARCHAR NOT NULL,
    install_time        TIMESTAMP NOT NULL,
    chapter             INTEGER,
    credits_balance     BIGINT,
    metapoints_balance  BIGINT,
    quantity            INTEGER,
    price_usd           DECIMAL(12, 4),
    payment_platform    VARCHAR,
    transaction_id      VARCHAR,
    google_order_number VARCHAR,
    checkout_id         VARCHAR,
    source_file         VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS fraudsters (
    distinct_id                              VARCHAR NOT NULL,
    platform                                 VARCHAR,
    install_time                             TIMESTAMP,
    last_purchase_time                       TIMESTAMP,
    fast_progression_flag                    TINYINT NOT NULL DEFAULT 0,
    excessive_harvests_flag                  TINYINT NOT NULL DEFAULT 0,
    suspicious_purchase_flag                 TINYINT NOT NULL DEFAULT 0,
    rapid_purchases_flag                     TINYINT NOT NULL DEFAULT 0,
    purchase_flow_anomaly_flag               TINYINT NOT NULL DEFAULT 0,
    high_balance_flag                        TINYINT NOT NULL DEFAULT 0,
    negative_balance_flag                    TINYINT NOT NULL DEFAULT 0,
    large_jump_flag                          TINYINT NOT NULL DEFAULT 0,
    privacy_abandonment_flag                 TINYINT NOT NULL DEFAULT 0,
    rapid_chapter_progression_flag           TINYINT NOT NULL DEFAULT 0,
    refund_abuse_flag                        TINYINT NOT NULL DEFAULT 0,
    high_tutorial_balance_flag               TINYINT NOT NULL DEFAULT 0,
    multiple_chapter1_purchases_flag         TINYINT NOT NULL DEFAULT 0,
    duplicate_transaction_flag               TINYINT NOT NULL DEFAULT 0,
    penny_purchase_flag                      TINYINT NOT NULL DEFAULT 0,
    manual_identification_fraud_purchase_flag TINYINT NOT NULL DEFAULT 0,
    first_flagged_at                         TIMESTAMP NOT NULL,
    last_flagged_at                          TIMESTAMP NOT NULL,
    last_run_id                              VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS process_audit_log (
    run_id     VARCHAR NOT NULL,
    step       VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at   TIMESTAMP,
    success    BOOLEAN,
    error      VARCHAR,
    result     VARCHAR,               -- JSON
    run_by     VARCHAR
);
