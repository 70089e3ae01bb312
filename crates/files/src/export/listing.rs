//! A plain list as a table of the one table model (a header row and rows of text), for
//! the statistics desk's downloads: the same .xlsx writer as the forms.

use super::table::{CellKind, OutCell, Table};

fn cell(text: &str, kind: CellKind) -> OutCell {
    OutCell {
        text: text.to_string(),
        colspan: 1,
        rowspan: 1,
        kind,
        field: None,
    }
}

/// `title` over a header row and the rows; a cell that reads as a number is a number.
pub fn table(title: &str, head: &[&str], rows: &[Vec<String>]) -> Table {
    let number = |t: &str| !t.is_empty() && t.parse::<rust_decimal::Decimal>().is_ok();
    let mut out = vec![head.iter().map(|h| cell(h, CellKind::Label)).collect()];
    out.extend(rows.iter().map(|r| {
        r.iter()
            .map(|t| {
                let kind = if number(t) {
                    CellKind::Number
                } else {
                    CellKind::Value
                };
                cell(t, kind)
            })
            .collect()
    }));
    Table {
        preamble: Vec::new(),
        title: title.to_string(),
        subtitles: Vec::new(),
        width: head.len(),
        rows: out,
        footer: Vec::new(),
    }
}

/// The list as an .xlsx workbook of one sheet.
pub fn xlsx(title: &str, head: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    super::xlsx::write(&[table(title, head, rows)]).map_err(|e| format!("生成 xlsx 失败：{e}"))
}
