-- Accounts, their access tokens and browser sessions, and the entries' metadata.
-- Secrets are never stored: only SHA-256 of a token's secret or a session id.

CREATE TABLE users (
    name        TEXT PRIMARY KEY NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('caseworker', 'adviser', 'privacy-officer', 'admin')),
    created_at  TEXT NOT NULL
);

CREATE TABLE tokens (
    token_id    TEXT PRIMARY KEY NOT NULL,
    user        TEXT NOT NULL REFERENCES users(name),
    secret_sha256 BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE sessions (
    id_sha256   BLOB PRIMARY KEY NOT NULL,
    user        TEXT NOT NULL REFERENCES users(name),
    expires_at  INTEGER NOT NULL
);

-- seq orders listings and is the paging cursor; entries are append-only.
CREATE TABLE entries (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    case_id     TEXT NOT NULL,
    size        INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    author      TEXT NOT NULL REFERENCES users(name),
    keyring_version INTEGER
);

CREATE INDEX entries_by_case ON entries (case_id, seq);
CREATE INDEX entries_by_author ON entries (author, seq);
