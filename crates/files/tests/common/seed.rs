//! The seed filing (examples/seed-2023-shifeng-tongzhanbu.txt) as Word has it: the text
//! reader's rows, with paragraphs told apart from table rows, tables numbered, and the
//! vertical merges of the indicator blocks marked (the text dump cannot show merges).

use std::path::PathBuf;

use jixiao_files::{Row, Sheet};

pub const SEED: &str = "seed-2023-shifeng-tongzhanbu";

pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

pub fn seed_bytes() -> Vec<u8> {
    std::fs::read(examples_dir().join(format!("{SEED}.txt"))).expect("seed text present")
}

/// The seed as the text reader reads it.
pub fn seed_text_sheet() -> Sheet {
    jixiao_files::read::text::read_text(&seed_bytes()).expect("seed reads")
}

/// The seed as Word holds it.
pub fn seed_word_like() -> Sheet {
    let bytes = seed_bytes();
    word_like(
        &String::from_utf8(bytes.clone()).expect("seed is UTF-8"),
        &jixiao_files::read::text::read_text(&bytes).unwrap(),
    )
}

/// Rebuild Word's structure from a text dump and the text reader's rows:
/// * a row whose first line does not start with a TAB and that has one cell is a body
///   paragraph; every other row is a table row;
/// * consecutive table rows form one table (numbered from 0), paragraphs split tables;
/// * in a table, the rows after a header row containing "一级指标" form an indicator block
///   while their first cell is empty; in that block an empty cell in one of the first three
///   columns directly below a non-empty or merged cell is covered by a vertical merge.
pub fn word_like(text: &str, parsed: &Sheet) -> Sheet {
    let lines: Vec<&str> = text.lines().collect();
    let is_tab_line = |n: Option<usize>| {
        n.and_then(|n| lines.get(n - 1))
            .is_some_and(|l| l.trim_start_matches(' ').starts_with('\t'))
    };
    let mut out = Sheet::default();
    let mut table = None::<usize>;
    let mut next_table = 0;
    let mut index = 0;
    let mut paragraphs = 0;
    for row in &parsed.rows {
        if !is_tab_line(row.line) && row.cells.len() == 1 {
            table = None;
            out.rows.push(Row {
                table: None,
                index: paragraphs,
                line: None,
                cells: row.cells.clone(),
            });
            paragraphs += 1;
            continue;
        }
        let t = *table.get_or_insert_with(|| {
            index = 0;
            next_table += 1;
            next_table - 1
        });
        let mut cells = row.cells.clone();
        for (i, c) in cells.iter_mut().enumerate() {
            c.col = i;
            c.span = 1;
            c.merged_from = None;
            c.line = None;
        }
        out.rows.push(Row {
            table: Some(t),
            index,
            line: None,
            cells,
        });
        index += 1;
    }
    mark_indicator_merges(&mut out);
    out
}

fn mark_indicator_merges(sheet: &mut Sheet) {
    let mut in_block = false;
    for i in 0..sheet.rows.len() {
        let row = &sheet.rows[i];
        if row.table.is_none() {
            in_block = false;
            continue;
        }
        if row.cells.iter().any(|c| c.text.trim() == "一级指标") {
            in_block = true;
            continue;
        }
        let first_empty = row.cells.first().is_some_and(|c| c.text.trim().is_empty());
        let same_table = i > 0 && sheet.rows[i - 1].table == row.table;
        if !in_block || !first_empty || !same_table {
            in_block = in_block && first_empty && same_table;
            continue;
        }
        let prev = sheet.rows[i - 1].clone();
        for col in 0..3 {
            let (Some(above), Some(cell)) = (prev.cells.get(col), sheet.rows[i].cells.get_mut(col))
            else {
                continue;
            };
            if cell.text.trim().is_empty()
                && (!above.text.trim().is_empty() || above.merged_from.is_some())
            {
                cell.text.clear();
                cell.merged_from = Some(above.merged_from.unwrap_or((prev.index, col)));
            }
        }
    }
}

/// Cell texts per row for comparisons that ignore layout: texts trimmed, trailing empty
/// unmerged cells dropped, rows left empty dropped. Each cell is (text, covered by merge).
pub fn texts(sheet: &Sheet) -> Vec<Vec<(String, bool)>> {
    sheet
        .rows
        .iter()
        .map(|r| {
            let mut cells: Vec<(String, bool)> = r
                .cells
                .iter()
                .map(|c| (c.text.trim().to_string(), c.merged_from.is_some()))
                .collect();
            while cells.last().is_some_and(|(t, m)| t.is_empty() && !m) {
                cells.pop();
            }
            cells
        })
        .filter(|cells| cells.iter().any(|(t, _)| !t.is_empty()))
        .collect()
}

/// Like [`texts`] but without merge flags (the text reader knows no merges).
pub fn plain_texts(sheet: &Sheet) -> Vec<Vec<String>> {
    texts(sheet)
        .into_iter()
        .map(|r| r.into_iter().map(|(t, _)| t).collect())
        .collect()
}

/// Rows with `line` cleared, for exact comparisons between formats.
pub fn without_lines(sheet: &Sheet) -> Vec<Row> {
    sheet
        .rows
        .iter()
        .cloned()
        .map(|mut r| {
            r.line = None;
            for c in &mut r.cells {
                c.line = None;
            }
            r
        })
        .collect()
}

/// Each row's table, index and cells as (trimmed text, col, span, merged_from): the whole
/// layout, for formats that collapse whitespace (HTML).
pub type Layout = Vec<(
    Option<usize>,
    usize,
    Vec<(String, usize, usize, Option<(usize, usize)>)>,
)>;

pub fn layout(sheet: &Sheet) -> Layout {
    sheet
        .rows
        .iter()
        .map(|r| {
            let cells = r
                .cells
                .iter()
                .map(|c| (c.text.trim().to_string(), c.col, c.span, c.merged_from))
                .collect();
            (r.table, r.index, cells)
        })
        .collect()
}
