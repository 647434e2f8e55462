-- Keyring rotation (issue 5). Portable SQL, the same in both migration folders.
--
-- supersessions: an upload that names, with the header `Amanat-Supersedes`, an entry
-- of the same case it replaces (a key holder re-sealing an entry to the current
-- keyring). `amanat entries remove --superseded` removes the replaced entries whose
-- replacement is stored. No foreign keys: a row outlives a removed entry, as history.
CREATE TABLE supersessions (
    entry_id   TEXT NOT NULL,
    supersedes TEXT NOT NULL,
    actor      TEXT NOT NULL,
    PRIMARY KEY (entry_id, supersedes)
);

CREATE INDEX supersessions_by_replaced ON supersessions (supersedes);
