-- PostgreSQL twin of ../0004_vault.sql (keep the two in step): INTEGER is BIGINT here so
-- the `any` driver reads Unix times as i64 on both databases.
-- The caseworker vault (issue 6): one-time enrolment links, and what a caseworker's
-- passphrase account needs on the relay. Portable SQL (SQLite and PostgreSQL): TEXT and
-- BIGINT only, no `user` column (a reserved word in PostgreSQL).
--
-- Nothing here opens anything: enrolment tokens are kept as SHA-256 (hex); `auth_hash`
-- is an Argon2id PHC string of a value the browser derived from the passphrase (the
-- passphrase itself never reaches the relay); `wrapped_identity` is an age file
-- (base64url) sealed to a key only the passphrase derives; `recipient` is public.

CREATE TABLE enrolments (
    token_sha256 TEXT PRIMARY KEY NOT NULL,
    account      TEXT NOT NULL REFERENCES users(name),
    expires_at   BIGINT NOT NULL
);

CREATE TABLE vault_accounts (
    account          TEXT PRIMARY KEY NOT NULL REFERENCES users(name),
    salt             TEXT NOT NULL,
    auth_hash        TEXT NOT NULL,
    wrapped_identity TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    failed_sign_ins  BIGINT NOT NULL DEFAULT 0,
    locked_until     BIGINT NOT NULL DEFAULT 0,
    updated_at       BIGINT NOT NULL
);

-- Random values the relay keeps for itself (the key of decoy salts for unknown names).
CREATE TABLE relay_secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
