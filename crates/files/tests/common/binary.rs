//! Corpus layouts re-typeset as Word and Excel tables: the rows and cells the text reader
//! found in a flattened page (`cell |` lines), laid out as the table they were flattened from,
//! with real merges:
//! * consecutive table rows form one table, paragraphs split tables;
//! * a row with fewer cells than the widest row of its table ends in a cell merged across
//!   the rest (the title and label rows of the forms);
//! * a row of an indicator table that starts further right than the row above (its 一级, or
//!   一级 and 二级, were written once for several rows: the flattened page dropped the
//!   covered cells) gets those leading cells back, covered by a vertical merge from the
//!   category above (`…指标`), as Word and Excel keep a merge.

use jixiao_files::{Row, Sheet};

pub fn retypeset(parsed: &Sheet) -> Sheet {
    let mut out = Sheet::default();
    let mut tables: Vec<Vec<Row>> = Vec::new();
    let mut open = false;
    let mut paragraphs = 0;
    // Paragraphs and tables keep their order: a paragraph closes the table before it.
    let mut order: Vec<Result<usize, Row>> = Vec::new();
    for row in &parsed.rows {
        if row.table.is_none() {
            open = false;
            let mut r = row.clone();
            r.index = paragraphs;
            r.line = None;
            for c in &mut r.cells {
                c.line = None;
            }
            paragraphs += 1;
            order.push(Err(r));
            continue;
        }
        if !open {
            tables.push(Vec::new());
            order.push(Ok(tables.len() - 1));
            open = true;
        }
        tables.last_mut().unwrap().push(row.clone());
    }
    for item in order {
        match item {
            Err(p) => out.rows.push(p),
            Ok(t) => out.rows.extend(table(t, &tables[t])),
        }
    }
    out
}

/// The 一级 categories, in both scripts: a row that starts with one starts a new block.
const LEVEL1: &[&str] = &[
    "产出指标",
    "效益指标",
    "满意度指标",
    "成本指标",
    "產出指標",
    "效益指標",
    "滿意度指標",
    "成本指標",
];

fn is_category(text: &str) -> bool {
    let t = text.trim();
    t.ends_with("指标") || t.ends_with("指標")
}

fn table(t: usize, rows: &[Row]) -> Vec<Row> {
    let mut grid: Vec<Vec<jixiao_files::Cell>> = Vec::new();
    for row in rows {
        let mut cells = row.cells.clone();
        for c in &mut cells {
            c.span = 1;
            c.merged_from = None;
            c.line = None;
        }
        if let Some(prev) = grid.last() {
            let i = grid.len() - 1;
            let (p, k) = (prev.len(), cells.len());
            let starts_block = cells
                .first()
                .is_some_and(|c| LEVEL1.contains(&c.text.trim()));
            let d = p.saturating_sub(k);
            let covered = (1..=2).contains(&d)
                && k >= 2
                && !starts_block
                && prev[..d].iter().all(|c| {
                    let anchor = match c.merged_from {
                        Some((r, col)) => &grid[r][col],
                        None => c,
                    };
                    is_category(&anchor.text)
                });
            if covered {
                let mut lead: Vec<jixiao_files::Cell> = (0..d)
                    .map(|col| {
                        let mut c = jixiao_files::Cell::new("", col);
                        c.merged_from = Some(prev[col].merged_from.unwrap_or((i, col)));
                        c
                    })
                    .collect();
                lead.append(&mut cells);
                cells = lead;
            }
        }
        grid.push(cells);
    }
    let width = grid.iter().map(Vec::len).max().unwrap_or(1);
    grid.into_iter()
        .enumerate()
        .map(|(i, mut cells)| {
            let n = cells.len();
            for (k, c) in cells.iter_mut().enumerate() {
                c.col = k;
                c.span = if k + 1 == n { width - n + 1 } else { 1 };
            }
            Row {
                table: Some(t),
                index: i,
                line: None,
                cells,
            }
        })
        .collect()
}
