-- 填报进度 (docs/storage.md, "Filing progress"): the date by which every unit files its
-- dossier of a budget year, set by an administrator (ms since the epoch, end of that day).
CREATE TABLE deadlines (
    year BIGINT PRIMARY KEY,
    due_at BIGINT NOT NULL,
    set_by BIGINT REFERENCES users (id),
    set_at BIGINT NOT NULL
);
