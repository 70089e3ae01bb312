//! Resource limits for every reader and for the forms of a dossier. Uploaded files are
//! untrusted: each reader counts while it reads and stops at the first limit, so a hostile
//! file costs at most a bounded amount of memory and time; the form limits bound what a
//! dossier page, the editor and an export have to draw.
//!
//! The limits are data: the `[limits]` section of the configuration file of `jixiao serve`
//! and `jixiao check` (any key may be left out; the rest keep their defaults). The keys,
//! defaults and messages are documented for users in `docs/limits.md`; a test keeps that
//! page and [`Limits::default`] in sync.

use jixiao_domain::Form;
use serde::{Deserialize, Serialize};

const MIB: u64 = 1024 * 1024;

/// Hard limits applied while reading one file, and to the forms of one dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest file (upload) accepted at all, checked from metadata before reading
    /// (default 20 MiB).
    pub max_file_bytes: u64,
    /// Largest sum of uncompressed bytes over all zip entries of one file (default 128 MiB).
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
    /// Largest number of rows one file may produce, paragraphs included (default 50 000).
    pub max_rows: usize,
    /// Largest number of rows of one table (a Word or web-page table, a worksheet; a text
    /// file counts as one table) (default 5 000).
    pub max_table_rows: usize,
    /// Largest number of cells one file may produce, empty ones included (default 200 000).
    pub max_cells: usize,
    /// Largest number of characters in one cell or paragraph (default 20 000).
    pub max_cell_chars: usize,
    /// Largest total of text bytes (UTF-8) one file may produce (default 32 MiB). Matters for
    /// spreadsheets, where one stored string can be shown in millions of cells.
    pub max_text_bytes: usize,
    /// Largest number of forms in one file and in one dossier (default 200).
    pub max_forms: usize,
    /// Largest number of indicator rows (绩效指标) of one form (default 500).
    pub max_indicators: usize,
    /// Largest number of other rows of one form: 支出明细, 年度重点工作, the items (and
    /// 支出方向) of a special-fund summary, 目标 rows of a report (default 500).
    pub max_details: usize,
    /// Largest number of rows (indicators and other rows) of all forms of one dossier
    /// together (default 5 000): what one dossier page, editor or PDF has to draw.
    pub max_dossier_rows: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 20 * MIB,
            max_uncompressed_total: 128 * MIB,
            max_entry_bytes: 64 * MIB,
            max_ratio: 200,
            ratio_floor: MIB,
            max_entries: 10_000,
            max_rows: 50_000,
            max_table_rows: 5_000,
            max_cells: 200_000,
            max_cell_chars: 20_000,
            max_text_bytes: 32 * MIB as usize,
            max_forms: 200,
            max_indicators: 500,
            max_details: 500,
            max_dossier_rows: 5_000,
        }
    }
}

/// A dossier's forms over one of the form limits. The message names the limit and its
/// value, in the words of the forms.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormLimitError {
    #[error("表的数量超过上限：共 {count} 张表，每份档案（每个文件）最多 {limit} 张表")]
    Forms { count: usize, limit: usize },
    #[error("绩效指标过多：第{form}张表（{name}）有 {count} 条绩效指标，每张表最多 {limit} 条")]
    Indicators {
        form: usize,
        name: String,
        count: usize,
        limit: usize,
    },
    #[error("{what}过多：第{form}张表（{name}）有 {count} 行{what}，每张表最多 {limit} 行")]
    Details {
        form: usize,
        name: String,
        what: &'static str,
        count: usize,
        limit: usize,
    },
    #[error("档案内容过多：各表的指标和明细共 {count} 行，每份档案最多 {limit} 行")]
    DossierRows { count: usize, limit: usize },
}

/// Rows of one form: (indicators, other rows and what they are called).
pub fn form_rows(form: &Form) -> (usize, usize, &'static str) {
    fn items(list: &[jixiao_domain::SummaryItem]) -> usize {
        list.iter().map(|i| 1 + items(&i.children)).sum()
    }
    match form {
        Form::DepartmentOverall(d) => (d.indicators.len(), d.key_tasks.len(), "年度重点工作"),
        Form::SpecialFundSummary(s) => (0, items(&s.items), "专项和支出方向"),
        Form::Project(p) => (p.indicators.len(), p.details.len(), "支出明细"),
        Form::SelfEvaluation(e) => (e.indicators.len(), e.goals.len(), "目标"),
        Form::Monitoring(m) => (m.indicators.len(), m.goals.len(), "目标"),
    }
}

impl Limits {
    /// Error for a file that grew past `max_rows`.
    pub(crate) fn too_many_rows(&self) -> crate::ImportError {
        crate::ImportError::Oversized(format!("行数超过 {} 行", self.max_rows))
    }

    /// Error for one table that grew past `max_table_rows`.
    pub(crate) fn too_many_table_rows(&self) -> crate::ImportError {
        crate::ImportError::Oversized(format!("一个表格的行数超过 {} 行", self.max_table_rows))
    }

    /// Error for a file that grew past `max_cells`.
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

    /// Check a finished sheet against the row, cell, cell-length and total-text limits
    /// (the readers already stop at these while reading; this is the last word for all).
    pub(crate) fn check_sheet(&self, sheet: &crate::Sheet) -> Result<(), crate::ImportError> {
        if sheet.rows.len() > self.max_rows {
            return Err(self.too_many_rows());
        }
        let mut cells = 0usize;
        let mut text = 0usize;
        for row in &sheet.rows {
            if row.table.is_some() && row.index >= self.max_table_rows {
                return Err(self.too_many_table_rows());
            }
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

    /// Check the forms of one dossier (or one file): how many forms, the indicators and
    /// other rows of each, and all rows together. The first limit passed is reported.
    pub fn check_forms(&self, forms: &[Form]) -> Result<(), FormLimitError> {
        if forms.len() > self.max_forms {
            return Err(FormLimitError::Forms {
                count: forms.len(),
                limit: self.max_forms,
            });
        }
        let mut total = 0usize;
        for (k, form) in forms.iter().enumerate() {
            let (indicators, details, what) = form_rows(form);
            if indicators > self.max_indicators {
                return Err(FormLimitError::Indicators {
                    form: k + 1,
                    name: form.display_name(),
                    count: indicators,
                    limit: self.max_indicators,
                });
            }
            if details > self.max_details {
                return Err(FormLimitError::Details {
                    form: k + 1,
                    name: form.display_name(),
                    what,
                    count: details,
                    limit: self.max_details,
                });
            }
            total += indicators + details;
        }
        if total > self.max_dossier_rows {
            return Err(FormLimitError::DossierRows {
                count: total,
                limit: self.max_dossier_rows,
            });
        }
        Ok(())
    }
}

/// Counts what a text reader produces while it reads, against the sheet limits, so it stops
/// at the first row, cell or byte over a limit instead of building the whole sheet first.
pub(crate) struct Budget<'l> {
    limits: &'l Limits,
    rows: usize,
    cells: usize,
    text: usize,
}

impl<'l> Budget<'l> {
    pub(crate) fn new(limits: &'l Limits) -> Budget<'l> {
        Budget {
            limits,
            rows: 0,
            cells: 0,
            text: 0,
        }
    }

    /// One more row; `table_rows` is how many rows its table had before it (`None` for a
    /// paragraph outside tables).
    pub(crate) fn row(&mut self, table_rows: Option<usize>) -> Result<(), crate::ImportError> {
        self.rows += 1;
        if self.rows > self.limits.max_rows {
            return Err(self.limits.too_many_rows());
        }
        if table_rows.is_some_and(|n| n >= self.limits.max_table_rows) {
            return Err(self.limits.too_many_table_rows());
        }
        Ok(())
    }

    /// One more cell of `bytes` bytes of text.
    pub(crate) fn cell(&mut self, bytes: usize) -> Result<(), crate::ImportError> {
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(self.limits.too_many_cells());
        }
        self.text(bytes)
    }

    /// `bytes` more bytes of text in a cell already counted; also checks the cell's length
    /// so far (`cell_bytes`, an upper bound of its characters).
    pub(crate) fn grow(
        &mut self,
        bytes: usize,
        cell_bytes: usize,
    ) -> Result<(), crate::ImportError> {
        if cell_bytes > self.limits.max_cell_chars.saturating_mul(4) {
            return Err(self.limits.cell_too_long());
        }
        self.text(bytes)
    }

    fn text(&mut self, bytes: usize) -> Result<(), crate::ImportError> {
        self.text = self.text.saturating_add(bytes);
        if self.text > self.limits.max_text_bytes {
            return Err(self.limits.too_much_text());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jixiao_domain::{Indicator, Project, SpecialFundSummary, SummaryItem};

    fn project(indicators: usize, details: usize) -> Form {
        Form::Project(Project {
            name: "雾炮车购置".into(),
            indicators: vec![Indicator::default(); indicators],
            details: vec![Default::default(); details],
            ..Project::default()
        })
    }

    #[test]
    fn form_limits_name_the_limit_and_its_value() {
        let l = Limits {
            max_forms: 3,
            max_indicators: 10,
            max_details: 5,
            max_dossier_rows: 40,
            ..Limits::default()
        };
        assert_eq!(l.check_forms(&[project(10, 5), project(10, 5)]), Ok(()));
        let e = l
            .check_forms(&[project(10, 5), project(11, 0)])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "绩效指标过多：第2张表（专项资金支出方向绩效目标表《雾炮车购置》）有 11 条绩效指标，每张表最多 10 条"
        );
        let e = l.check_forms(&[project(0, 6)]).unwrap_err();
        assert!(
            e.to_string().contains("有 6 行支出明细，每张表最多 5 行"),
            "{e}"
        );
        let e = l
            .check_forms(&[project(10, 5), project(10, 5), project(10, 5)])
            .unwrap_err();
        assert_eq!(
            e,
            FormLimitError::DossierRows {
                count: 45,
                limit: 40
            }
        );
        assert!(e.to_string().contains("每份档案最多 40 行"), "{e}");
        let e = l.check_forms(&vec![project(0, 0); 4]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "表的数量超过上限：共 4 张表，每份档案（每个文件）最多 3 张表"
        );
    }

    #[test]
    fn summary_items_count_with_their_children() {
        let item = SummaryItem {
            children: vec![SummaryItem::default(); 3],
            ..SummaryItem::default()
        };
        let s = Form::SpecialFundSummary(SpecialFundSummary {
            items: vec![item; 2],
            ..SpecialFundSummary::default()
        });
        assert_eq!(form_rows(&s).1, 8);
    }

    #[test]
    fn limits_are_data_with_defaults_for_missing_keys() {
        let l: Limits =
            serde_json::from_value(serde_json::json!({ "max_indicators": 80 })).unwrap();
        assert_eq!(
            l,
            Limits {
                max_indicators: 80,
                ..Limits::default()
            }
        );
        let unknown = serde_json::from_value::<Limits>(serde_json::json!({ "max_indikators": 1 }));
        assert!(unknown.is_err(), "a misspelt key is an error, not ignored");
    }

    #[test]
    fn the_budget_stops_at_the_first_row_or_cell_over() {
        let l = Limits {
            max_rows: 3,
            max_table_rows: 2,
            max_cells: 4,
            ..Limits::default()
        };
        let mut b = Budget::new(&l);
        assert!(b.row(Some(0)).is_ok() && b.row(Some(1)).is_ok());
        assert!(b.row(Some(2)).is_err(), "third row of one table");
        let mut b = Budget::new(&l);
        for _ in 0..3 {
            b.row(None).unwrap();
        }
        assert!(b.row(None).is_err(), "fourth row of the file");
        let mut b = Budget::new(&l);
        for _ in 0..4 {
            b.cell(1).unwrap();
        }
        assert!(b.cell(1).is_err());
    }
}
