-- Files loaded into the store (known by the sha256 of their content) and the rows they rejected.
CREATE TABLE IF NOT EXISTS loaded_files (
    file_id       VARCHAR NOT NULL,   -- sha256 of the file's bytes
    file_name     VARCHAR NOT NULL,
    contract      VARCHAR NOT NULL,   -- contract name, or 'adhoc'
    table_name    VARCHAR NOT NULL,
    rows_loaded   BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    warnings      VARCHAR,            -- JSON list of strings
    loaded_at     TIMESTAMP NOT NULL,
    loaded_by     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS load_rejects (
    file_id   VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    line      BIGINT,                 -- 1-based line of the file (Excel: the sheet row)
    reason    VARCHAR NOT NULL,
    raw       VARCHAR                 -- the row as read
);
