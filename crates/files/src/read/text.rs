//! Text files: encoding detection and the Word text-dump layout of the seed.
//!
//! Layout (what Word's "save as text" of a table gives): a table row is a group of lines
//! separated by a blank line; each cell starts with a TAB; a line without a TAB continues
//! the cell before it; an empty TAB line is an empty or merged cell.

use crate::error::ImportError;
use crate::limits::{Budget, Limits};
use crate::sheet::{Cell, Row, Sheet};

/// Decode bytes as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (which covers
/// GBK and GB2312). Returns the text and a note when it was not plain UTF-8.
pub fn decode(bytes: &[u8]) -> Result<(String, Option<String>), ImportError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), None))
            .map_err(|_| ImportError::Encoding);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let enc = if bytes[0] == 0xFF {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (s, _, bad) = enc.decode(&bytes[2..]);
        if bad {
            return Err(ImportError::Encoding);
        }
        return Ok((s.into_owned(), Some("文本编码为 UTF-16，已自动转换".into())));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), None));
    }
    let (s, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if bad {
        return Err(ImportError::Encoding);
    }
    if bytes.contains(&0) {
        return Err(ImportError::Encoding);
    }
    Ok((
        s.into_owned(),
        Some("文本编码为 GB18030/GBK，已自动转换为 UTF-8".into()),
    ))
}

/// Word artefacts that carry no content: `[bookmark: _GoBack]` and the like.
pub fn drop_artefacts(line: &str) -> (String, bool) {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    let mut dropped = false;
    while let Some(start) = rest.find("[bookmark:") {
        out.push_str(&rest[..start]);
        match rest[start..].find(']') {
            Some(end) => {
                rest = &rest[start + end + 1..];
                dropped = true;
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    (out, dropped)
}

/// True when the text looks like a Word text dump (many cells starting with a TAB).
pub fn looks_like_dump(text: &str) -> bool {
    let mut tab = 0usize;
    let mut total = 0usize;
    for line in text.lines().take(2000) {
        if line.trim().is_empty() {
            continue;
        }
        total += 1;
        if line.trim_start_matches(' ').starts_with('\t') {
            tab += 1;
        }
    }
    total > 0 && tab * 3 >= total
}

/// Parse a text dump into rows. Every group of lines becomes one row; line numbers are
/// kept. The whole file is one table: it stops at the first row, cell or byte over `limits`.
pub fn parse_dump(text: &str, limits: &Limits) -> Result<Sheet, ImportError> {
    let mut sheet = Sheet::default();
    let mut budget = Budget::new(limits);
    let mut current: Option<Row> = None;
    let mut dropped = false;
    let flush = |current: &mut Option<Row>, sheet: &mut Sheet| {
        if let Some(mut row) = current.take() {
            for c in &mut row.cells {
                c.text = c
                    .text
                    .trim_matches(|ch: char| ch == '\n' || ch == '\r')
                    .to_string();
            }
            row.index = sheet.rows.len();
            sheet.rows.push(row);
        }
    };
    for (n, raw) in text.lines().enumerate() {
        let (line, d) = drop_artefacts(raw.trim_end_matches('\r'));
        dropped |= d;
        let line_no = n + 1;
        if line.trim().is_empty() && !line.contains('\t') {
            flush(&mut current, &mut sheet);
            continue;
        }
        if current.is_none() {
            budget.row(Some(sheet.rows.len()))?;
        }
        let row = current.get_or_insert_with(|| Row {
            table: Some(0),
            index: 0,
            line: Some(line_no),
            cells: Vec::new(),
        });
        let stripped = line.trim_start_matches(' ');
        if let Some(body) = stripped.strip_prefix('\t') {
            // Further TABs inside the line separate cells too.
            for part in body.split('\t') {
                let col = row.cells.len();
                let text = part.trim_end();
                budget.cell(text.len())?;
                budget.grow(0, text.len())?;
                row.cells.push(Cell::at_line(text, col, line_no));
            }
        } else {
            let more = line.trim();
            match row.cells.last_mut() {
                Some(cell) => {
                    budget.grow(more.len() + 1, cell.text.len() + more.len() + 1)?;
                    cell.text.push('\n');
                    cell.text.push_str(more);
                }
                None => {
                    budget.cell(more.len())?;
                    budget.grow(0, more.len())?;
                    row.cells.push(Cell::at_line(more, 0, line_no));
                }
            }
        }
    }
    flush(&mut current, &mut sheet);
    if dropped {
        sheet.notes.push(BOOKMARK_NOTE.into());
    }
    Ok(sheet)
}

/// The importer's note that Word bookmarks were dropped: for whoever maintains the reader,
/// not for the unit that filed (the web pages do not show it to units).
pub const BOOKMARK_NOTE: &str = "已忽略 Word 书签等排版残留（如 _GoBack 书签）";

/// Read a text file of either layout: a Word text dump, or flattened/pasted table text,
/// with the default limits.
pub fn read_text(bytes: &[u8]) -> Result<Sheet, ImportError> {
    read_text_with(bytes, &Limits::default())
}

/// [`read_text`] within `limits`: the reader stops at the first row, cell or byte over.
pub fn read_text_with(bytes: &[u8], limits: &Limits) -> Result<Sheet, ImportError> {
    let (text, note) = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let mut sheet = if looks_like_dump(&text) {
        parse_dump(&text, limits)?
    } else {
        crate::read::flat::parse_flat(&text, limits)?
    };
    if let Some(n) = note {
        sheet.notes.insert(0, n);
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_cells() {
        let s = parse_dump(
            "\t标题\n\n\t一\n\t二\n续\n\t\n\n\t[bookmark: _GoBack]支部工作经费\n",
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(s.rows.len(), 3);
        assert_eq!(s.rows[1].texts(), vec!["一", "二\n续", ""]);
        assert_eq!(s.rows[2].texts(), vec!["支部工作经费"]);
        assert_eq!(s.rows[1].line, Some(3));
        assert_eq!(s.notes.len(), 1);
    }

    #[test]
    fn a_dump_stops_at_the_first_row_or_cell_over_the_limits() {
        let rows: String = (0..50).map(|i| format!("\t行{i}\n\t值\n\n")).collect();
        let table = Limits {
            max_table_rows: 20,
            ..Limits::default()
        };
        let e = parse_dump(&rows, &table).unwrap_err();
        assert_eq!(
            e.to_string(),
            "文件内容超出处理上限（一个表格的行数超过 20 行）"
        );
        let cells = Limits {
            max_cells: 30,
            ..Limits::default()
        };
        let e = parse_dump(&rows, &cells).unwrap_err();
        assert_eq!(e.to_string(), "文件内容超出处理上限（单元格数超过 30 个）");
        let long = format!("\t{}\n{}\n", "长".repeat(10), "续".repeat(10));
        let short = Limits {
            max_cell_chars: 4,
            ..Limits::default()
        };
        assert!(parse_dump(&long, &short).is_err());
        assert!(parse_dump(&rows, &Limits::default()).is_ok());
    }

    #[test]
    fn encodings() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("\t绩效目标表\r\n");
        let (t, note) = decode(&gbk).unwrap();
        assert_eq!(t, "\t绩效目标表\r\n");
        assert!(note.is_some());
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("表".as_bytes());
        assert_eq!(decode(&bom).unwrap().0, "表");
    }
}
