-- 统计汇总 (docs/storage.md, "Statistics"): what the statistics desk counts of each
-- dossier's current version, kept beside it so the desk never reads the versions' JSON.
-- facts_version is the version the rows below describe; a dossier whose current version
-- differs is counted again before the desk answers (and after an upgrade, every one).
-- unit_id and year repeat the dossier's (they never change), so the desk's aggregates
-- read these tables alone.
ALTER TABLE dossiers ADD COLUMN facts_version INTEGER NULL;
-- Findings of the current version per rule and severity.
CREATE TABLE dossier_rules (
    dossier_id INTEGER NOT NULL REFERENCES dossiers (id),
    unit_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (dossier_id, rule, severity)
);
-- Covering the desk's aggregates of a year (scoped or not): read from the index alone.
-- (year, rule, unit) first: the 重复出现 lookup seeks a unit's rule of a year by it.
CREATE INDEX dossier_rules_year ON dossier_rules (year, rule, unit_id, severity, dossier_id, n);
-- Indicators of the current version per 一级/二级指标.
CREATE TABLE dossier_categories (
    dossier_id INTEGER NOT NULL REFERENCES dossiers (id),
    unit_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    level1 TEXT NOT NULL,
    level2 TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (dossier_id, level1, level2)
);
CREATE INDEX dossier_categories_year ON dossier_categories (year, level1, level2, dossier_id, unit_id, n);
CREATE INDEX dossiers_year_unit ON dossiers (year, unit_id);
