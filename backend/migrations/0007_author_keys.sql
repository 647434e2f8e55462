-- Signed authorship (issue 13). Portable SQL, the same in both migration folders.
--
-- author_key: the caseworker's Ed25519 author public key (`amanat-author-v1:…`), which
-- signs every document inside the ciphertext. Public, like `recipient`; its secret half
-- is inside `wrapped_identity`. NULL for a vault enrolled by an app that predates
-- signed authorship, until the app registers one (`PUT /api/v1/vault/author-key`).
-- The relay only passes it on: what makes a key trusted is the organisation's signed
-- roster (`amanat roster approve`), not this column.
ALTER TABLE vault_accounts ADD COLUMN author_key TEXT;
