-- 消息 (docs/storage.md, "Notices"): the notices a user reads are the audit records of
-- others' actions on the dossiers the user may see; this is how far the user has read
-- (an audit seq). 0: nothing read yet.
ALTER TABLE users ADD COLUMN notices_seen BIGINT NOT NULL DEFAULT 0;
