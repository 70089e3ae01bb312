-- 预算公开 (docs/public.md): an administrator publishes approved dossiers; the public part
-- of the site shows the version published (an adjustment approved later is not public
-- until published again). NULL: not published.
ALTER TABLE dossiers ADD COLUMN published_at INTEGER NULL;
ALTER TABLE dossiers ADD COLUMN published_version INTEGER NULL;
CREATE INDEX dossiers_published ON dossiers (year, published_at);
