-- 删除 (docs/storage.md, "Deleted dossiers"): a draft a unit deletes is kept, marked with
-- when and by whom, out of every listing, and an administrator can restore it. Its unit
-- and year are free again, so the one-dossier-per-unit-and-year rule holds for the dossiers
-- that are not deleted: a partial unique index (same name) instead of the constraint.
ALTER TABLE dossiers ADD COLUMN deleted_at BIGINT;
ALTER TABLE dossiers ADD COLUMN deleted_by BIGINT REFERENCES users (id);
ALTER TABLE dossiers DROP CONSTRAINT dossiers_unit_year_key;
CREATE UNIQUE INDEX dossiers_unit_year_key ON dossiers (unit_id, year) WHERE deleted_at IS NULL;
CREATE INDEX dossiers_deleted ON dossiers (deleted_at) WHERE deleted_at IS NOT NULL;
