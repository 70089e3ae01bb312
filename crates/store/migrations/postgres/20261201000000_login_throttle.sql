-- Login throttling and the aggregation of failed logins (docs/storage.md, "Login
-- throttling"). Mutable bookkeeping, not part of the hash chain: the audit log gets one
-- `login.failed` record when a window of failures opens, these rows keep the count.

-- Failed logins per username (as typed, known or not) and client address, one row per
-- window that opens at the first failure and lasts the policy's window.
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (username, address, window_start)
);
CREATE INDEX login_failures_user ON login_failures (username, last_at);
CREATE INDEX login_failures_address ON login_failures (address, last_at);

-- Browsers that have logged in as a user before (the `jixiao_device` cookie; `id` is the
-- SHA-256 of its token): their logins are not held by that username's backoff, so a
-- stranger's guessing cannot lock the owner out.
CREATE TABLE login_devices (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    failures BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX login_devices_user ON login_devices (user_id);
CREATE INDEX login_devices_expires ON login_devices (expires_at);
