-- Security review fixes (M2, L2). Portable SQL, twin of postgres/0005_sessions_and_cases.sql.
--
-- sessions.ends_at: the absolute end of a session, which renewing never moves past
-- (0 = the session's own expires_at, for sessions written without it).
-- cases: who owns a case, claimed atomically by the first caseworker who stores into
-- it (before this table the owner was the author of the case's first entry; existing
-- cases are filled in from that).

ALTER TABLE sessions ADD COLUMN ends_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET ends_at = expires_at;

CREATE TABLE cases (
    case_id TEXT PRIMARY KEY NOT NULL,
    owner   TEXT NOT NULL REFERENCES users(name)
);

INSERT INTO cases (case_id, owner)
SELECT e.case_id, e.author FROM entries e
WHERE e.seq = (SELECT MIN(f.seq) FROM entries f WHERE f.case_id = e.case_id);
