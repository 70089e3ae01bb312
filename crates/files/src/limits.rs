//! Resource limits for every reader. Uploaded files are untrusted: each reader checks these
//! before it allocates, so a hostile file costs at most a bounded amount of memory and time.
//! The numbers are documented for users in `docs/limits.md`; keep both in sync.

/// Hard limits applied while reading one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted at all, checked from metadata before reading (default 64 MiB).
    pub max_file_bytes: u64,
    /// Largest sum of uncompressed bytes over all zip entries of one file (default 256 MiB).
    pub max_uncompressed_total: u64,
    /// Largest uncompressed size of one zip entry, declared or actually read (default 64 MiB).
    pub max_entry_bytes: u64,
    /// Largest uncompressed:compressed ratio for an entry bigger than [`Limits::ratio_floor`]
    /// (default 200, i.e. 200:1). Office XML compresses 5–20:1; only bombs reach hundreds.
    pub max_ratio: u64,
    /// Entries smaller than this are exempt from the ratio check (default 1 MiB): tiny parts
    /// of runs of spaces compress extremely well and are harmless.
    pub ratio_floor: u64,
    /// Largest number of entries in one zip archive (default 10 000); a .docx has ~20.
    pub max_entries: u64,
    /// Largest number of rows one file may produce (default 200 000).
    pub max_rows: usize,
    /// Largest number of cells one file may produce, empty ones included (default 2 000 000).
    pub max_cells: usize,
    /// Largest number of characters in one cell or paragraph (default 100 000).
    pub max_cell_chars: usize,
    /// Largest total of text bytes (UTF-8) one file may produce (default 256 MiB). Matters for
    /// spreadsheets, where one stored string can be shown in millions of cells.
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        const MIB: u64 = 1024 * 1024;
        Limits {
            max_file_bytes: 64 * MIB,
            max_uncompressed_total: 256 * MIB,
            max_entry_bytes: 64 * MIB,
            max_ratio: 200,
            ratio_floor: MIB,
            max_entries: 10_000,
            max_rows: 200_000,
            max_cells: 2_000_000,
            max_cell_chars: 100_000,
            max_text_bytes: 256 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// Error for a sheet that grew past `max_rows`.
    pub(crate) fn too_many_rows(&self) -> crate::ImportError {
        crate::ImportError::Oversized(format!("行数超过 {} 行", self.max_rows))
    }

    /// Error for a sheet that grew past `max_cells`.
    pub(crate) fn too_many_cells(&self) -> crate::ImportError {
        crate::ImportError::Oversized(format!("单元格数超过 {} 个", self.max_cells))
    }

    /// Error for one cell or paragraph longer than `max_cell_chars`.
    pub(crate) fn cell_too_long(&self) -> crate::ImportError {
        crate::ImportError::Oversized(format!("单个单元格超过 {} 个字符", self.max_cell_chars))
    }

    /// Error for a file whose cells together hold more than `max_text_bytes`.
    pub(crate) fn too_much_text(&self) -> crate::ImportError {
        crate::ImportError::Oversized(format!(
            "文字总量超过 {} MiB",
            self.max_text_bytes / (1024 * 1024)
        ))
    }

    /// Check a finished sheet against the row, cell, cell-length and total-text limits.
    pub(crate) fn check_sheet(&self, sheet: &crate::Sheet) -> Result<(), crate::ImportError> {
        if sheet.rows.len() > self.max_rows {
            return Err(self.too_many_rows());
        }
        let mut cells = 0usize;
        let mut text = 0usize;
        for row in &sheet.rows {
            cells += row.cells.len();
            text += row.cells.iter().map(|c| c.text.len()).sum::<usize>();
            for c in &row.cells {
                if c.text.len() > self.max_cell_chars
                    && c.text.chars().count() > self.max_cell_chars
                {
                    return Err(self.cell_too_long());
                }
            }
        }
        if cells > self.max_cells {
            return Err(self.too_many_cells());
        }
        if text > self.max_text_bytes {
            return Err(self.too_much_text());
        }
        Ok(())
    }
}
