-- 指标库 (docs/library.md): the rows the indicator library keeps of each source (an
-- approved dossier or report: `dossier:ID`; a file read by `jixiao library build`:
-- `file:PATH#N`), as JSON, and the admins' corrections (merge, rename, retire, 共性),
-- applied in order on top of what was mined.
CREATE TABLE library_sources (
    source TEXT PRIMARY KEY,
    year INTEGER,
    data TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE library_edits (
    id INTEGER PRIMARY KEY,
    edit TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
