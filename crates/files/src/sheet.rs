//! The uniform intermediate every reader produces: the file's content in reading order as
//! rows of cells. Paragraphs between tables are one-cell rows with `table: None`.
//!
//! Merged cells follow Word's own text export (what the seed shows): a horizontally merged
//! cell (`gridSpan`, a merged range across columns) appears once with its `span`; a cell
//! covered by a vertical merge (`vMerge` continue, a merged range below its anchor) appears
//! as an empty cell with `merged_from` naming the anchor. Recognisers treat an empty cell
//! under a label as "same as above", so the text dump (which cannot show merges) and the
//! binary formats read to the same model.

use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The cell's text; paragraphs inside a cell are joined with `\n`.
    pub text: String,
    /// Grid column where the cell starts (0-based).
    pub col: usize,
    /// Number of grid columns the cell covers (1 unless merged across).
    pub span: usize,
    /// For a cell covered by a vertical merge: (row, col) of the anchor in the same table.
    pub merged_from: Option<(usize, usize)>,
    /// Line of the cell in a text file (1-based), when it differs from the row's first line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Cell {
    pub fn new(text: impl Into<String>, col: usize) -> Cell {
        Cell {
            text: text.into(),
            col,
            span: 1,
            merged_from: None,
            line: None,
        }
    }

    /// A cell read from a given line of a text file.
    pub fn at_line(text: impl Into<String>, col: usize, line: usize) -> Cell {
        Cell {
            line: Some(line),
            ..Cell::new(text, col)
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Index of the table in the file (0-based); `None` for a paragraph outside tables.
    pub table: Option<usize>,
    /// Row index inside its table (for a paragraph: its index among paragraphs).
    pub index: usize,
    /// First line of the row in a text file (1-based).
    pub line: Option<usize>,
    pub cells: Vec<Cell>,
}

impl Row {
    /// Texts of all cells.
    pub fn texts(&self) -> Vec<&str> {
        self.cells.iter().map(|c| c.text.as_str()).collect()
    }

    /// True when every cell is blank.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.text.trim().is_empty())
    }
}

/// A whole file as rows in reading order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Sheet {
    pub rows: Vec<Row>,
    /// Things the reader assumed (encoding, dropped artefacts, …), in Chinese, for parse-warning findings.
    pub notes: Vec<String>,
}

impl Sheet {
    /// Append a paragraph row (outside any table). Its index follows the last paragraph's,
    /// found from the end, so a file of many paragraphs is read in linear time.
    pub fn push_paragraph(&mut self, text: impl Into<String>, line: Option<usize>) {
        let index = self
            .rows
            .iter()
            .rev()
            .find(|r| r.table.is_none())
            .map_or(0, |r| r.index + 1);
        self.rows.push(Row {
            table: None,
            index,
            line,
            cells: vec![Cell::new(text, 0)],
        });
    }
}
