//! .xlsx writer over the table model: one worksheet per form, merges as merged ranges.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::table::{sheet_names, text_width, CellKind, OutCell, Table, A4_WIDTH};

/// Line height of the 11 pt text in points, with room for the CJK fonts' taller lines.
const LINE_PT: u32 = 16;
/// Cell padding above and below, in points.
const PAD_PT: u32 = 4;

/// Lines `text` takes in a cell `width` tenths of a character wide (wrapped text).
fn lines(text: &str, width: u32) -> u32 {
    let per_line = width.saturating_sub(8).max(10);
    text.split('\n')
        .map(|l| text_width(l).div_ceil(per_line).max(1))
        .fold(0u32, u32::saturating_add)
        .max(1)
}

/// Row heights in points for the grid rows: every wrapped text fits, merged cells included
/// (Excel and LibreOffice size rows to single cells only, so a long 部门职责概述 over four
/// columns would show one line). A cell merged down shares what it needs over its rows.
fn row_heights(t: &Table, widths: &[u32]) -> Vec<u32> {
    let placed = t.placed();
    let need = |col: usize, cell: &OutCell| {
        let w: u32 = widths.iter().skip(col).take(cell.colspan.max(1)).sum();
        lines(&cell.text, w)
            .saturating_mul(LINE_PT)
            .saturating_add(PAD_PT)
    };
    let mut h = vec![LINE_PT + PAD_PT; placed.len()];
    for (r, row) in placed.iter().enumerate() {
        for (col, cell) in row {
            if cell.rowspan <= 1 {
                h[r] = h[r].max(need(*col, cell));
            }
        }
    }
    for (r, row) in placed.iter().enumerate() {
        for (col, cell) in row {
            let end = r.saturating_add(cell.rowspan).min(h.len());
            if cell.rowspan > 1 && end > r {
                let have: u32 = h[r..end].iter().sum();
                let want = need(*col, cell);
                if want > have {
                    let add = (want - have).div_ceil((end - r) as u32);
                    for x in &mut h[r..end] {
                        *x += add;
                    }
                }
            }
        }
    }
    h
}

/// A plain amount such as `43.4` as an Excel number (so sums work), but only when reading
/// it back gives the same text; `12万元`, `0.10` and the like stay text as written.
fn as_number(kind: CellKind, text: &str) -> Option<f64> {
    if kind != CellKind::Number || !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let v: f64 = text.parse().ok()?;
    (crate::read::xlsx::format_number(v) == text).then_some(v)
}

/// Write the tables as a workbook in memory (text a workbook may not hold removed, see
/// [`crate::sanitize`]).
pub fn write(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let tables = crate::sanitize::clean_tables(tables);
    let tables = &tables[..];
    let mut wb = Workbook::new();
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_font_name("宋体")
        .set_align(FormatAlign::Center);
    let plain = Format::new().set_font_name("仿宋");
    let base = Format::new()
        .set_font_name("仿宋")
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let label = base.clone().set_bold().set_align(FormatAlign::Center);
    let number = base.clone().set_align(FormatAlign::Right);
    for (t, name) in tables.iter().zip(sheet_names(tables)) {
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        // Column widths in Excel's units (the width of a digit; a CJK character is about
        // 2.1 of them), from the same estimate as the print view; the sheet prints on A4
        // portrait, one page wide.
        let widths = t.column_widths(A4_WIDTH);
        for (c, w) in widths.iter().enumerate().take(usize::from(u16::MAX)) {
            ws.set_column_width(c as u16, (w.saturating_mul(21) + 50) / 100)?;
        }
        ws.set_paper_size(9)
            .set_portrait()
            .set_print_fit_to_pages(1, 0)
            .set_print_center_horizontally(true);
        let heights = row_heights(t, &widths);
        let last = (t.width.max(1) - 1) as u16;
        let mut r: u32 = 0;
        for s in &t.preamble {
            ws.write_string_with_format(r, 0, s, &plain)?;
            r += 1;
        }
        ws.merge_range(r, 0, r, last, &t.title, &title)?;
        ws.set_row_height(r, 28)?;
        r += 1;
        for s in &t.subtitles {
            ws.write_string_with_format(r, 0, s, &plain)?;
            r += 1;
        }
        for (row, height) in t.placed().into_iter().zip(heights) {
            ws.set_row_height(r, height)?;
            for (col, cell) in row {
                let f = match cell.kind {
                    CellKind::Label => &label,
                    CellKind::Value => &base,
                    CellKind::Number => &number,
                };
                let (c0, c1) = (col as u16, (col + cell.colspan - 1) as u16);
                let r1 = r + cell.rowspan as u32 - 1;
                if c1 > c0 || r1 > r {
                    ws.merge_range(r, c0, r1, c1, &cell.text, f)?;
                } else if let Some(v) = as_number(cell.kind, &cell.text) {
                    ws.write_number_with_format(r, c0, v, f)?;
                } else {
                    ws.write_string_with_format(r, c0, &cell.text, f)?;
                }
            }
            r += 1;
        }
        for s in &t.footer {
            ws.write_string_with_format(r, 0, s, &plain)?;
            r += 1;
        }
    }
    wb.save_to_buffer()
}
