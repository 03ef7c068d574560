-- The daily jobs (contracts/api.md): each run and its parts, the cashouts each day's pull audited,
-- and every note pushed to the admin tool (one row per cashout: pushed once, never twice).
CREATE TABLE IF NOT EXISTS daily_runs (
    run_id     VARCHAR NOT NULL,
    day        DATE NOT NULL,            -- the day the run is for (T-1 by default)
    started_at TIMESTAMP NOT NULL,
    ended_at   TIMESTAMP,
    success    BOOLEAN,
    run_by     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS daily_run_parts (
    run_id     VARCHAR NOT NULL,
    part       VARCHAR NOT NULL,         -- fraud | cashout | overdraft
    started_at TIMESTAMP NOT NULL,
    ended_at   TIMESTAMP,
    success    BOOLEAN,
    error      VARCHAR,
    result     VARCHAR                   -- JSON
);

CREATE TABLE IF NOT EXISTS daily_cashouts (
    cashout_id VARCHAR NOT NULL,
    day        DATE NOT NULL,
    user_id    VARCHAR NOT NULL,
    audit_id   VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,         -- athena | store
    run_id     VARCHAR NOT NULL,
    audited_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS daily_cashouts_once ON daily_cashouts (cashout_id);

CREATE TABLE IF NOT EXISTS admin_pushes (
    cashout_id  VARCHAR NOT NULL,
    audit_id    VARCHAR NOT NULL,
    day         DATE NOT NULL,
    endpoint    VARCHAR NOT NULL,
    status      VARCHAR NOT NULL,        -- pushed | failed
    http_status INTEGER,
    attempts    INTEGER NOT NULL,        -- tries over every run
    error       VARCHAR,
    body_sha256 VARCHAR NOT NULL,        -- of the JSON body sent
    pushed_at   TIMESTAMP,               -- when the endpoint accepted it
    run_id      VARCHAR NOT NULL,        -- the run of the last try
    pushed_by   VARCHAR NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS admin_pushes_once ON admin_pushes (cashout_id);
