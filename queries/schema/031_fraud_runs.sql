-- Fraud cohort: pipeline runs, each run's flagged players and their evidence, threshold versions,
-- cohort sends. Rows are only added (runs, versions, sends) or written once per run.
CREATE TABLE IF NOT EXISTS fraud_runs (
    run_id            VARCHAR NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    ended_at          TIMESTAMP,
    until_time        TIMESTAMP NOT NULL,   -- events before this time were used (end of --date, or far future)
    as_of_date        DATE,                 -- --date, when given
    threshold_version INTEGER NOT NULL,
    success           BOOLEAN,
    potential         BIGINT,
    offerwall         BIGINT,
    fraudsters        BIGINT,
    new_fraudsters    BIGINT,
    manual_players    BIGINT,
    events            BIGINT,               -- events considered
    out_dir           VARCHAR,
    run_by            VARCHAR NOT NULL
);

-- One row per player a run flagged (potential) or was told about (manual list).
CREATE TABLE IF NOT EXISTS fraud_run_players (
    run_id                                   VARCHAR NOT NULL,
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
    potential         BOOLEAN NOT NULL,     -- at least one pattern flag (step 1)
    offerwall_rewards BIGINT,               -- offerwall_reward events (step 2)
    by_rules          BOOLEAN,              -- passes the platform/date rules (step 3)
    fraudster         BOOLEAN               -- marked by this run: by_rules or manual (step 3)
);

-- The triggering events of each flag (the first evidence_per_flag of of_total).
CREATE TABLE IF NOT EXISTS fraud_evidence (
    run_id             VARCHAR NOT NULL,
    pattern            INTEGER NOT NULL,
    distinct_id        VARCHAR NOT NULL,
    event_time         TIMESTAMP NOT NULL,
    event_name         VARCHAR NOT NULL,
    chapter            BIGINT,
    credits_balance    BIGINT,
    metapoints_balance BIGINT,
    quantity           BIGINT,
    price_usd          DECIMAL(12, 4),
    payment_platform   VARCHAR,
    purchase_id        VARCHAR,
    detail             VARCHAR,
    value              DOUBLE,
    of_total           BIGINT NOT NULL      -- triggering events of this player and pattern in all
);

-- Saved thresholds (patterns and rules of config/fraud.yaml), one row per version.
CREATE TABLE IF NOT EXISTS fraud_threshold_versions (
    version    INTEGER NOT NULL,
    thresholds VARCHAR NOT NULL,            -- JSON
    changes    VARCHAR NOT NULL,            -- JSON list of {key, old, new}
    source     VARCHAR NOT NULL,            -- default | page | cli | file | rollback
    note       VARCHAR,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL
);

-- Every explicit send of a cohort payload.
CREATE TABLE IF NOT EXISTS fraud_cohort_sends (
    run_id    VARCHAR NOT NULL,
    endpoint  VARCHAR NOT NULL,
    profiles  BIGINT NOT NULL,
    batches   BIGINT NOT NULL,
    success   BOOLEAN NOT NULL,
    error     VARCHAR,
    sent_at   TIMESTAMP NOT NULL,
    sent_by   VARCHAR NOT NULL
);
