-- PostgreSQL twin of ../0001_init.sql (same version, same meaning): accounts, their
-- access tokens and browser sessions, and the entries' metadata. Secrets are never
-- stored: only SHA-256 of a token's secret or a session id. Integers are BIGINT and
-- bytes BYTEA so the `any` driver reads them as SQLite's INTEGER and BLOB; `user` is a
-- reserved word here, so it is quoted (queries quote it for both databases).

CREATE TABLE users (
    name        TEXT PRIMARY KEY NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('caseworker', 'adviser', 'privacy-officer', 'admin')),
    created_at  TEXT NOT NULL
);

CREATE TABLE tokens (
    token_id    TEXT PRIMARY KEY NOT NULL,
    "user"      TEXT NOT NULL REFERENCES users(name),
    secret_sha256 BYTEA NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE sessions (
    id_sha256   BYTEA PRIMARY KEY NOT NULL,
    "user"      TEXT NOT NULL REFERENCES users(name),
    expires_at  BIGINT NOT NULL
);

-- seq orders listings and is the paging cursor; entries are append-only.
CREATE TABLE entries (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    case_id     TEXT NOT NULL,
    size        BIGINT NOT NULL,
    received_at TEXT NOT NULL,
    author      TEXT NOT NULL REFERENCES users(name),
    keyring_version BIGINT
);

CREATE INDEX entries_by_case ON entries (case_id, seq);
CREATE INDEX entries_by_author ON entries (author, seq);
