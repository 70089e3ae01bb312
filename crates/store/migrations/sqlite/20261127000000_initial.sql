-- jixiao schema, SQLite flavour. Keep table and column names identical to
-- migrations/postgres (a test compares them). Times are epoch milliseconds (INTEGER),
-- money is whole 分 (INTEGER), JSON is TEXT exactly as written by the application.

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL CONSTRAINT units_name_key UNIQUE,
    parent_id INTEGER REFERENCES units (id),
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL CONSTRAINT users_username_key UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('unit', 'reviewer', 'admin')),
    unit_id INTEGER REFERENCES units (id),
    created_at INTEGER NOT NULL,
    CHECK (role <> 'unit' OR unit_id IS NOT NULL)
);

CREATE TABLE reviewer_units (
    reviewer_id INTEGER NOT NULL REFERENCES users (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (reviewer_id, unit_id)
);
CREATE INDEX reviewer_units_unit ON reviewer_units (unit_id);

CREATE TABLE dossiers (
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
    CONSTRAINT dossiers_unit_year_key UNIQUE (unit_id, year)
);
CREATE INDEX dossiers_recent ON dossiers (updated_at DESC, id DESC);
CREATE INDEX dossiers_status ON dossiers (status);

CREATE TABLE versions (
    dossier_id INTEGER NOT NULL REFERENCES dossiers (id),
    version INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('save', 'adjustment', 'conflict')),
    reason TEXT,
    base_version INTEGER NOT NULL,
    forms TEXT NOT NULL,
    findings TEXT NOT NULL,
    error_count INTEGER NOT NULL,
    warning_count INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (dossier_id, version)
);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    field TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    FOREIGN KEY (dossier_id, version) REFERENCES versions (dossier_id, version)
);
CREATE INDEX comments_dossier ON comments (dossier_id, id);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    reviewer_id INTEGER NOT NULL REFERENCES users (id),
    decision TEXT NOT NULL CHECK (decision IN ('return', 'approve')),
    grade TEXT CHECK (grade IN ('优', '良', '中', '差')),
    opinions TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (dossier_id, version) REFERENCES versions (dossier_id, version)
);
CREATE INDEX reviews_dossier ON reviews (dossier_id, id);

-- `id` is the SHA-256 of the session token, so a leaked database holds no usable token.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Append-only, hash-chained (docs/storage.md). seq is assigned by the application
-- (previous + 1) under the write lock, so the chain has no gaps.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    address TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, '审计日志只能追加，不能修改或删除');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, '审计日志只能追加，不能修改或删除');
END;

-- Versions are immutable: a change is a new version.
CREATE TRIGGER versions_no_update BEFORE UPDATE ON versions
BEGIN
    SELECT RAISE(ABORT, '已保存的版本不能修改或删除');
END;

CREATE TRIGGER versions_no_delete BEFORE DELETE ON versions
BEGIN
    SELECT RAISE(ABORT, '已保存的版本不能修改或删除');
END;
