//! Render a [`Sheet`] to .docx (docx-rs) and .xlsx (rust_xlsxwriter), honouring `span`
//! and `merged_from` the way Word and Excel store merges, so the readers can be tested on
//! real files written by independent libraries.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use docx_rs::{BreakType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow, VMergeType};
use jixiao_files::{Row, Sheet};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

fn run(text: &str) -> Run {
    let mut r = Run::new().fonts(RunFonts::new().east_asia("仿宋"));
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        r = r.add_text(line);
    }
    r
}

/// Cells that are the anchor of a vertical merge: (table, row index, col).
fn anchors(sheet: &Sheet) -> HashSet<(usize, usize, usize)> {
    let mut set = HashSet::new();
    for row in &sheet.rows {
        if let Some(t) = row.table {
            for c in &row.cells {
                if let Some((r, col)) = c.merged_from {
                    set.insert((t, r, col));
                }
            }
        }
    }
    set
}

fn docx_row(row: &Row, anchors: &HashSet<(usize, usize, usize)>) -> TableRow {
    let t = row.table.unwrap_or(0);
    let cells = row
        .cells
        .iter()
        .map(|c| {
            let mut cell = TableCell::new();
            if c.text.is_empty() {
                cell = cell.add_paragraph(Paragraph::new());
            }
            for line in c.text.split('\n').filter(|_| !c.text.is_empty()) {
                cell = cell.add_paragraph(Paragraph::new().add_run(run(line)));
            }
            if c.span > 1 {
                cell = cell.grid_span(c.span);
            }
            if c.merged_from.is_some() {
                cell = cell.vertical_merge(VMergeType::Continue);
            } else if anchors.contains(&(t, row.index, c.col)) {
                cell = cell.vertical_merge(VMergeType::Restart);
            }
            cell
        })
        .collect();
    TableRow::new(cells)
}

/// A .docx with one Word table per run of rows sharing a table number; paragraph rows
/// become body paragraphs (a cell text's '\n' becomes a line break there).
pub fn to_docx(sheet: &Sheet) -> Vec<u8> {
    let anchors = anchors(sheet);
    let mut doc = Docx::new();
    let mut i = 0;
    while i < sheet.rows.len() {
        let row = &sheet.rows[i];
        match row.table {
            None => {
                let text = row
                    .cells
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                doc = doc.add_paragraph(Paragraph::new().add_run(run(&text)));
                i += 1;
            }
            Some(t) => {
                let mut rows = Vec::new();
                let mut width = 1;
                while i < sheet.rows.len() && sheet.rows[i].table == Some(t) {
                    let r = &sheet.rows[i];
                    width = width.max(r.cells.iter().map(|c| c.col + c.span).max().unwrap_or(1));
                    rows.push(docx_row(r, &anchors));
                    i += 1;
                }
                doc = doc.add_table(Table::new(rows).set_grid(vec![1800; width]));
                // Word keeps adjacent tables apart with a paragraph; so do we.
                doc = doc.add_paragraph(Paragraph::new());
            }
        }
    }
    let mut out = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .expect("docx-rs packs into memory");
    out.into_inner()
}

/// Write a cell value the way a person would type it into Excel: plain decimals as numbers,
/// whole percentages as numbers with a percent format, everything else as text.
fn write_value(ws: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, text: &str, percent: &Format) {
    if text.is_empty() {
        return;
    }
    let plain = text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !text.starts_with('.')
        && !text.starts_with("0");
    if plain {
        if let Ok(v) = text.parse::<f64>() {
            if jixiao_files::read::xlsx::format_number(v) == text {
                ws.write_number(r, c, v).expect("number");
                return;
            }
        }
    }
    if let Some(n) = text.strip_suffix('%') {
        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0') {
            if let Ok(v) = n.parse::<f64>() {
                ws.write_number_with_format(r, c, v / 100.0, percent)
                    .expect("percent");
                return;
            }
        }
    }
    ws.write_string(r, c, text).expect("string");
}

/// A .xlsx with all rows on one worksheet, paragraphs as one-cell rows; spans and vertical
/// merges become merged ranges.
pub fn to_xlsx(sheet: &Sheet) -> Vec<u8> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2023, 1, 1).expect("date");
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let ws = wb.add_worksheet();
    ws.set_name("绩效目标表").expect("CJK sheet name");
    ws.set_column_width(0, 24).expect("width");
    let percent = Format::new().set_num_format("0%");
    let plain = Format::new();
    // Last sheet row covered by each vertical-merge anchor (table, row index, col).
    let mut extent: HashMap<(usize, usize, usize), u32> = HashMap::new();
    for (r, row) in sheet.rows.iter().enumerate() {
        if let Some(t) = row.table {
            for c in &row.cells {
                if let Some((ar, ac)) = c.merged_from {
                    extent.insert((t, ar, ac), r as u32);
                }
            }
        }
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = r as u32;
        let Some(t) = row.table else {
            let text = row
                .cells
                .iter()
                .map(|c| c.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            write_value(ws, r, 0, &text, &percent);
            continue;
        };
        for c in &row.cells {
            if c.merged_from.is_some() {
                continue;
            }
            let col = c.col as u16;
            let last_col = (c.col + c.span - 1) as u16;
            let last_row = extent.get(&(t, row.index, c.col)).copied().unwrap_or(r);
            if last_row > r || last_col > col {
                ws.merge_range(r, col, last_row, last_col, &c.text, &plain)
                    .expect("merge");
            } else {
                write_value(ws, r, col, &c.text, &percent);
            }
        }
    }
    wb.save_to_buffer().expect("xlsx in memory")
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(' ', "&nbsp;")
}

/// A page like Word's "save as web page": `<p class=MsoNormal>` paragraphs, tables with
/// `rowspan`/`colspan`, spaces as `&nbsp;`, and Word's habit of wrapping long source lines.
pub fn to_html(sheet: &Sheet, charset: &str) -> String {
    let mut extent: HashMap<(usize, usize, usize), usize> = HashMap::new();
    for row in &sheet.rows {
        if let Some(t) = row.table {
            for c in &row.cells {
                if let Some((ar, ac)) = c.merged_from {
                    extent.insert((t, ar, ac), row.index);
                }
            }
        }
    }
    let para = |text: &str| {
        let body = escape_html(text);
        // Break the source line inside Chinese text, as Word does every ~80 bytes.
        let mut wrapped = String::new();
        for (i, ch) in body.chars().enumerate() {
            if i > 0
                && i % 37 == 0
                && ch as u32 > 0x2E80
                && wrapped.chars().last().is_some_and(|p| p as u32 > 0x2E80)
            {
                wrapped.push_str("\r\n");
            }
            wrapped.push(ch);
        }
        format!("<p class=MsoNormal><span lang=EN-US style='font-family:仿宋'>{wrapped}<o:p></o:p></span></p>\n")
    };
    let mut out = format!(
        "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">\n<head>\n<meta http-equiv=Content-Type content=\"text/html; charset={charset}\">\n<title>绩效目标表</title>\n<style>\n<!-- p.MsoNormal {{font-family:仿宋;}} -->\n</style>\n<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->\n</head>\n<body lang=ZH-CN>\n<div class=WordSection1>\n"
    );
    let mut open: Option<usize> = None;
    for row in &sheet.rows {
        if open.is_some() && open != row.table {
            out.push_str("</table>\n<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n");
            open = None;
        }
        let Some(t) = row.table else {
            for c in &row.cells {
                for line in c.text.split('\n') {
                    out.push_str(&para(line));
                }
            }
            continue;
        };
        if open.is_none() {
            out.push_str("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0>\n");
            open = Some(t);
        }
        out.push_str(" <tr>\n");
        for c in row.cells.iter().filter(|c| c.merged_from.is_none()) {
            let mut attrs = String::new();
            if c.span > 1 {
                attrs.push_str(&format!(" colspan={}", c.span));
            }
            if let Some(last) = extent.get(&(t, row.index, c.col)) {
                attrs.push_str(&format!(" rowspan={}", last - row.index + 1));
            }
            out.push_str(&format!("  <td{attrs} valign=top>\n"));
            for line in c.text.split('\n').filter(|l| !l.is_empty()) {
                out.push_str("  ");
                out.push_str(&para(line));
            }
            out.push_str("  </td>\n");
        }
        out.push_str(" </tr>\n");
    }
    if open.is_some() {
        out.push_str("</table>\n");
    }
    out.push_str("</div>\n</body>\n</html>\n");
    out
}
