-- 删除 (docs/storage.md, "Deleted dossiers"): a draft a unit deletes is kept, marked with
-- when and by whom, out of every listing, and an administrator can restore it. Its unit
-- and year are free again, so the one-dossier-per-unit-and-year rule holds for the dossiers
-- that are not deleted: a partial unique index instead of the table's UNIQUE constraint.
-- SQLite cannot drop a table constraint, so the table is rebuilt (SQLite's documented
-- procedure: same rows and ids, in the migration's transaction; the store runs migrations
-- with foreign keys off and checks them all afterwards, see SqliteStore::open_with).
CREATE TABLE dossiers_rebuilt (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    year INTEGER NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'adjusting')),
    current_version INTEGER NOT NULL,
    last_version INTEGER NOT NULL,
    approved_version INTEGER,
    grade TEXT CHECK (grade IN ('优', '良', '中', '差')),
    not_for_budget BOOLEAN NOT NULL DEFAULT FALSE,
    total_fen INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    error_count INTEGER NOT NULL DEFAULT 0,
    warning_count INTEGER NOT NULL DEFAULT 0,
    -- When and by whom the dossier was deleted; NULL while it is not.
    deleted_at INTEGER,
    deleted_by INTEGER REFERENCES users (id)
);
INSERT INTO dossiers_rebuilt (id, unit_id, year, status, current_version, last_version,
    approved_version, grade, not_for_budget, total_fen, created_at, updated_at, error_count,
    warning_count)
SELECT id, unit_id, year, status, current_version, last_version, approved_version, grade,
    not_for_budget, total_fen, created_at, updated_at, error_count, warning_count
FROM dossiers;
DROP TABLE dossiers;
ALTER TABLE dossiers_rebuilt RENAME TO dossiers;
CREATE UNIQUE INDEX dossiers_unit_year_key ON dossiers (unit_id, year) WHERE deleted_at IS NULL;
CREATE INDEX dossiers_recent ON dossiers (updated_at DESC, id DESC);
CREATE INDEX dossiers_status ON dossiers (status);
CREATE INDEX dossiers_quality ON dossiers (error_count DESC, warning_count DESC, updated_at DESC, id DESC);
CREATE INDEX dossiers_year ON dossiers (year);
CREATE INDEX dossiers_deleted ON dossiers (deleted_at) WHERE deleted_at IS NOT NULL;
