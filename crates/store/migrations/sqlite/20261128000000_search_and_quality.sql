-- Dossier search and the quality ordering (docs/storage.md, "Search").

-- The finding counts of the current version, kept on the dossier (set with
-- current_version by create_dossier and save_version) so that listings, and ordering by
-- quality, never read the large versions rows.
ALTER TABLE dossiers ADD COLUMN error_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN warning_count INTEGER NOT NULL DEFAULT 0;
UPDATE dossiers SET
    error_count = (SELECT v.error_count FROM versions v
                   WHERE v.dossier_id = dossiers.id AND v.version = dossiers.current_version),
    warning_count = (SELECT v.warning_count FROM versions v
                     WHERE v.dossier_id = dossiers.id AND v.version = dossiers.current_version);
CREATE INDEX dossiers_quality ON dossiers (error_count DESC, warning_count DESC, updated_at DESC, id DESC);
CREATE INDEX dossiers_year ON dossiers (year);

-- One search document per dossier: unit name + names and goals of the current version's
-- forms, normalised (jixiao_domain::text::search_fold). Derived data: written with every
-- change of the current version; rows missing here (dossiers from before this migration)
-- are computed by the application when the store is opened.
CREATE TABLE dossier_search (
    dossier_id INTEGER PRIMARY KEY REFERENCES dossiers (id),
    document TEXT NOT NULL
);

-- Trigram full-text index over dossier_search.document (external content: the text is
-- stored once). The documents are already lower case, so matching is case-sensitive and
-- a quoted phrase is exactly a substring test. Kept in step by the triggers below.
CREATE VIRTUAL TABLE dossier_search_fts USING fts5 (
    document,
    content = 'dossier_search',
    content_rowid = 'dossier_id',
    tokenize = 'trigram case_sensitive 1'
);

CREATE TRIGGER dossier_search_insert AFTER INSERT ON dossier_search
BEGIN
    INSERT INTO dossier_search_fts (rowid, document) VALUES (new.dossier_id, new.document);
END;

CREATE TRIGGER dossier_search_delete AFTER DELETE ON dossier_search
BEGIN
    INSERT INTO dossier_search_fts (dossier_search_fts, rowid, document)
        VALUES ('delete', old.dossier_id, old.document);
END;

CREATE TRIGGER dossier_search_update AFTER UPDATE ON dossier_search
BEGIN
    INSERT INTO dossier_search_fts (dossier_search_fts, rowid, document)
        VALUES ('delete', old.dossier_id, old.document);
    INSERT INTO dossier_search_fts (rowid, document) VALUES (new.dossier_id, new.document);
END;
