-- 绩效运行监控 and 绩效自评 (docs/storage.md, "Reports"): a report is a dossier of its own
-- kind on an approved target dossier (`report_of`), so versions, remarks, reviews, the
-- workflow and the audit log serve it unchanged. The one-dossier-per-unit-and-year rule
-- holds for target dossiers; a target dossier has one self-evaluation and one monitoring
-- report per period.
CREATE TABLE monitoring_rounds (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    period_months INTEGER NOT NULL CHECK (period_months BETWEEN 1 AND 12),
    due_at INTEGER,
    opened_by INTEGER REFERENCES users (id),
    opened_at INTEGER NOT NULL,
    CONSTRAINT monitoring_rounds_key UNIQUE (year, period_months)
);
ALTER TABLE dossiers ADD COLUMN kind TEXT NOT NULL DEFAULT 'targets'
    CHECK (kind IN ('targets', 'monitoring', 'self_evaluation'));
ALTER TABLE dossiers ADD COLUMN report_of INTEGER REFERENCES dossiers (id);
ALTER TABLE dossiers ADD COLUMN period_months INTEGER;
ALTER TABLE dossiers ADD COLUMN round_id INTEGER REFERENCES monitoring_rounds (id);
DROP INDEX dossiers_unit_year_key;
CREATE UNIQUE INDEX dossiers_unit_year_key ON dossiers (unit_id, year)
    WHERE deleted_at IS NULL AND kind = 'targets';
CREATE UNIQUE INDEX dossiers_report_key ON dossiers (report_of, kind, COALESCE(period_months, 0))
    WHERE deleted_at IS NULL AND kind <> 'targets';
CREATE INDEX dossiers_kind_year ON dossiers (kind, year);
