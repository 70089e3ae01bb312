-- 意见的解决 (docs/storage.md, "Comments"): a reviewer ticks off a remark once the unit
-- has fixed what it points at; until then it follows the dossier into later versions.
-- NULL: open.
ALTER TABLE comments ADD COLUMN resolved_at BIGINT NULL;
ALTER TABLE comments ADD COLUMN resolved_by BIGINT NULL REFERENCES users (id);
