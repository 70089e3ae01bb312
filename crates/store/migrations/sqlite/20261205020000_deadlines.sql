-- 填报进度 (docs/storage.md, "Filing progress"): the date by which every unit files its
-- dossier of a budget year, set by an administrator (ms since the epoch, end of that day).
CREATE TABLE deadlines (
    year INTEGER PRIMARY KEY,
    due_at INTEGER NOT NULL,
    set_by INTEGER REFERENCES users (id),
    set_at INTEGER NOT NULL
);
