//! .docx writer over the table model: a title and subtitle paragraphs, one Word table per
//! form (gridSpan / vMerge for merges), the signature lines, a page break between forms.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BreakType, Docx, DocxError, Paragraph, Run, RunFonts, Table as WTable,
    TableCell, TableRow, VMergeType,
};

use super::table::{CellKind, Table, A4_WIDTH};

fn run(text: &str, font: &str) -> Run {
    Run::new()
        .fonts(RunFonts::new().east_asia(font).ascii(font).hi_ansi(font))
        .add_text(text)
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text, "仿宋"))
}

fn cell(text: &str, kind: CellKind) -> TableCell {
    let mut c = TableCell::new();
    let lines: Vec<&str> = text.split('\n').collect();
    for line in lines {
        let mut r = run(line, "仿宋");
        if kind == CellKind::Label {
            r = r.bold();
        }
        let mut p = Paragraph::new().add_run(r);
        match kind {
            CellKind::Label => p = p.align(AlignmentType::Center),
            CellKind::Number => p = p.align(AlignmentType::Right),
            CellKind::Value => {}
        }
        c = c.add_paragraph(p);
    }
    c
}

fn table(t: &Table) -> WTable {
    let placed = t.placed();
    let mut rows = Vec::new();
    // Per column: rows still covered by a vertical merge, and that merge's colspan.
    let mut covered: Vec<(usize, usize)> = vec![(0, 1); t.width.max(1)];
    for row in &placed {
        let mut cells = Vec::new();
        let mut next = row.iter().peekable();
        let mut col = 0;
        while col < t.width {
            if covered[col].0 > 0 {
                let span = covered[col].1;
                let mut c = TableCell::new()
                    .add_paragraph(Paragraph::new())
                    .vertical_merge(VMergeType::Continue);
                if span > 1 {
                    c = c.grid_span(span);
                }
                cells.push(c);
                col += span;
                continue;
            }
            let Some((_, oc)) = next.next() else { break };
            let mut c = cell(&oc.text, oc.kind);
            if oc.colspan > 1 {
                c = c.grid_span(oc.colspan);
            }
            if oc.rowspan > 1 {
                c = c.vertical_merge(VMergeType::Restart);
                covered[col] = (oc.rowspan, oc.colspan);
            }
            cells.push(c);
            col += oc.colspan;
        }
        for c in covered.iter_mut() {
            c.0 = c.0.saturating_sub(1);
        }
        rows.push(TableRow::new(cells));
    }
    // The column widths of the print view, in twips over the 9000 of the text width.
    let widths = t.column_widths(A4_WIDTH);
    let sum = widths.iter().map(|w| u64::from(*w)).sum::<u64>().max(1);
    let grid = widths
        .iter()
        .map(|w| {
            usize::try_from(u64::from(*w) * 9000 / sum)
                .unwrap_or(1)
                .max(1)
        })
        .collect();
    WTable::new(rows).set_grid(grid)
}

/// Write the tables as one document in memory (text a document may not hold removed, see
/// [`crate::sanitize`]).
pub fn write(tables: &[Table]) -> Result<Vec<u8>, DocxError> {
    let tables = crate::sanitize::clean_tables(tables);
    let mut doc = Docx::new();
    for (i, t) in tables.iter().enumerate() {
        for s in &t.preamble {
            doc = doc.add_paragraph(para(s));
        }
        let mut title = Paragraph::new()
            .add_run(run(&t.title, "宋体").bold().size(36))
            .align(AlignmentType::Center);
        if i > 0 {
            title = Paragraph::new()
                .add_run(Run::new().add_break(BreakType::Page))
                .align(AlignmentType::Center)
                .add_run(run(&t.title, "宋体").bold().size(36));
        }
        doc = doc.add_paragraph(title);
        for s in &t.subtitles {
            doc = doc.add_paragraph(para(s));
        }
        doc = doc.add_table(table(t));
        for s in &t.footer {
            doc = doc.add_paragraph(para(s));
        }
    }
    let mut out = Cursor::new(Vec::new());
    doc.build().pack(&mut out)?;
    Ok(out.into_inner())
}
