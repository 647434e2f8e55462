-- PostgreSQL twin of ../0002_audit.sql. The audit log: an append-only hash chain of
-- what accounts did. Each row's sha256 covers the previous row's, so a removed or
-- altered row is detected by `amanat verify`. It holds ids, names and sizes, never
-- content. Writers lock this table (EXCLUSIVE) before appending: see store.rs.

CREATE TABLE audit_events (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    size        BIGINT,
    prev_sha256 BYTEA NOT NULL,
    sha256      BYTEA NOT NULL
);
