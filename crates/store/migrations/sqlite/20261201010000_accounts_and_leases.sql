-- Accounts an administrator can run, and who holds the database (docs/storage.md).

-- The name shown in pages, comments, history and exports (a real name); `username` stays
-- the login id. Empty: the username is shown.
ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
-- When the account was disabled; NULL while it is enabled. A disabled user cannot log in
-- and has no sessions.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;

-- A running `jixiao serve` holds a `serve` lease and renews it; `jixiao restore` takes a
-- `restore` lease and refuses while a `serve` lease is live, and `serve` refuses to start
-- while a `restore` lease is. A lease that is not renewed expires (a killed server).
CREATE TABLE leases (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('serve', 'restore')),
    holder TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX leases_expires ON leases (expires_at);
