-- The audit log: an append-only hash chain of what accounts did. Each row's sha256
-- covers the previous row's, so a removed or altered row is detected by `amanat verify`.
-- It holds ids, names and sizes, never content.

CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    size        INTEGER,
    prev_sha256 BLOB NOT NULL,
    sha256      BLOB NOT NULL
);
