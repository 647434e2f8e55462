-- Accounts hardening (issue 14). Portable SQL, twin of postgres/0008_accounts_hardening.sql.
--
-- users.disabled: 1 once `amanat user disable` ran (every credential of the account is
-- refused until `amanat user enable`). users.last_used_at: Unix seconds of the
-- account's last authenticated request (written at most once a minute; 0 = never).
-- tokens.expires_at: a token is refused from then on; tokens issued before this
-- migration get 90 days from the upgrade, so none stays valid forever.
-- tokens.revoked: 1 once `amanat user token revoke` (or `user disable`) ended it.
-- enrolments.kind: 'link' for a token handed out in a link, 'session' for the short
-- HttpOnly enrolment session the app trades an opened link for (the link's row is
-- deleted in the same transaction, so the token dies as the page opens it).
-- sign_in_failures: wrong passphrases per (account, client address) and when the next
-- attempt from that address for that account may be checked (the growing delay that
-- replaced the 15-minute lock; vault_accounts.failed_sign_ins and locked_until are no
-- longer read).

ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;

ALTER TABLE tokens ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
UPDATE tokens SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) + 7776000;

ALTER TABLE enrolments ADD COLUMN kind TEXT NOT NULL DEFAULT 'link';

CREATE TABLE sign_in_failures (
    account       TEXT NOT NULL REFERENCES users(name),
    client        TEXT NOT NULL,
    failures      INTEGER NOT NULL,
    delayed_until INTEGER NOT NULL,
    PRIMARY KEY (account, client)
);
