//! .xlsx writer over the table model: one worksheet per form, merges as merged ranges.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::table::{sheet_names, CellKind, Table};

/// A plain amount such as `43.4` as an Excel number (so sums work), but only when reading
/// it back gives the same text; `12万元`, `0.10` and the like stay text as written.
fn as_number(kind: CellKind, text: &str) -> Option<f64> {
    if kind != CellKind::Number || !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let v: f64 = text.parse().ok()?;
    (crate::xlsx::format_number(v) == text).then_some(v)
}

/// Write the tables as a workbook in memory.
pub fn write(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
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
        for c in 0..t.width as u16 {
            ws.set_column_width(c, if c == 0 { 16 } else { 22 })?;
        }
        let last = (t.width.max(1) - 1) as u16;
        let mut r: u32 = 0;
        for s in &t.preamble {
            ws.write_string_with_format(r, 0, s, &plain)?;
            r += 1;
        }
        ws.merge_range(r, 0, r, last, &t.title, &title)?;
        r += 1;
        for s in &t.subtitles {
            ws.write_string_with_format(r, 0, s, &plain)?;
            r += 1;
        }
        for row in t.placed() {
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
