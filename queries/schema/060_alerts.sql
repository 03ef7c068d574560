-- Alerts sent by any workspace; the key names one episode so it is alerted once, never again.
CREATE TABLE IF NOT EXISTS alerts_sent (
    alert_key  VARCHAR NOT NULL,       -- e.g. 'overdraft:out_of_sync:<user>:<first tx id>'
    kind       VARCHAR NOT NULL,
    title      VARCHAR NOT NULL,
    payload    VARCHAR NOT NULL,       -- the alert as JSON
    backend    VARCHAR NOT NULL,
    sent_at    TIMESTAMP NOT NULL,
    sent_by    VARCHAR NOT NULL
);
