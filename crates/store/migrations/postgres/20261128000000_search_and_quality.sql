-- Dossier search and the quality ordering (docs/storage.md, "Search").

-- The finding counts of the current version, kept on the dossier (set with
-- current_version by create_dossier and save_version) so that listings, and ordering by
-- quality, never read the large versions rows.
ALTER TABLE dossiers ADD COLUMN error_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN warning_count BIGINT NOT NULL DEFAULT 0;
UPDATE dossiers d SET error_count = v.error_count, warning_count = v.warning_count
    FROM versions v WHERE v.dossier_id = d.id AND v.version = d.current_version;
CREATE INDEX dossiers_quality ON dossiers (error_count DESC, warning_count DESC, updated_at DESC, id DESC);
CREATE INDEX dossiers_year ON dossiers (year);

-- One search document per dossier: unit name + names and goals of the current version's
-- forms, normalised (jixiao_domain::text::search_fold). Derived data: written with every
-- change of the current version; rows missing here (dossiers from before this migration)
-- are computed by the application when the store is opened.
CREATE TABLE dossier_search (
    dossier_id BIGINT PRIMARY KEY REFERENCES dossiers (id),
    document TEXT NOT NULL
);

-- A trigram index makes `document LIKE '%…%'` an index scan. pg_trgm is a trusted
-- extension (PostgreSQL 13+: the database owner may create it), but a role without that
-- right, or a server without the contrib package, must still work, only without the
-- index: the block turns any failure into a NOTICE (the subtransaction of the
-- EXCEPTION clause keeps the rest of this migration). To add the index later, run as a
-- sufficiently privileged role:
--   CREATE EXTENSION IF NOT EXISTS pg_trgm;
--   CREATE INDEX dossier_search_trgm ON dossier_search USING gin (document gin_trgm_ops);
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX dossier_search_trgm ON dossier_search USING gin (document gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'jixiao: no trigram index on dossier_search (%): searches scan the documents', SQLERRM;
END
$$;
