//! HTML over the table model: one renderer for the print view, the PDF (headless Chromium
//! prints [`document`]) and the web UI's on-screen dossier page (which calls [`table_html`]
//! with an `annotate` closure to mark cells that have findings).
//!
//! Every text of the table is escaped; only [`CellNote::after`] is inserted as is.

use super::table::{CellKind, OutCell, Table, A4_WIDTH};

/// What the caller adds to one cell of [`table_html`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellNote {
    /// Extra CSS classes, space separated (e.g. `sev-error`); escaped into the attribute.
    pub class: String,
    /// A tooltip (`title` attribute), plain text; escaped. Empty: no attribute.
    pub title: String,
    /// Trusted HTML inserted after the cell text (finding markers, links); not escaped.
    pub after: String,
}

/// The `annotate` that adds nothing: the plain print view.
pub fn no_note(_: &OutCell) -> CellNote {
    CellNote::default()
}

/// Escape text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escaped cell text, line breaks as `<br>` (bases of 测算依据 are often several lines).
fn text_lines(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    s.split('\n').map(escape).collect::<Vec<_>>().join("<br>")
}

/// The `scope` of a label cell: column headers in a row of labels only (`all_labels`,
/// worked out once per row), row groups for labels merged down (年度绩效指标, 一级/二级
/// 指标), else the row.
fn scope(cell: &OutCell, all_labels: bool) -> &'static str {
    if cell.rowspan > 1 {
        "rowgroup"
    } else if all_labels {
        "col"
    } else {
        "row"
    }
}

fn cell_html(out: &mut String, cell: &OutCell, all_labels: bool, note: CellNote) {
    let (tag, base) = match cell.kind {
        CellKind::Label => ("th", "label"),
        CellKind::Value => ("td", "value"),
        CellKind::Number => ("td", "num"),
    };
    out.push('<');
    out.push_str(tag);
    if tag == "th" {
        out.push_str(&format!(" scope=\"{}\"", scope(cell, all_labels)));
    }
    out.push_str(&format!(
        " colspan=\"{}\" rowspan=\"{}\"",
        cell.colspan.max(1),
        cell.rowspan.max(1)
    ));
    let class = note.class.trim();
    if class.is_empty() {
        out.push_str(&format!(" class=\"{base}\""));
    } else {
        out.push_str(&format!(" class=\"{base} {}\"", escape(class)));
    }
    if let Some(f) = &cell.field {
        out.push_str(&format!(" data-field=\"{}\"", escape(f)));
    }
    if !note.title.is_empty() {
        out.push_str(&format!(" title=\"{}\"", escape(&note.title)));
    }
    out.push('>');
    out.push_str(&text_lines(&cell.text));
    out.push_str(&note.after);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// One form as an HTML `<section class="form">`: the preamble lines, the title as `<h2>`,
/// the subtitle lines, the grid `<table>` and the signature lines. Every `<th>`/`<td>`
/// carries `colspan`/`rowspan`, a class (`label`, `value`, `num`, then the note's classes)
/// and `data-field` when the cell shows a field of the form. `annotate` is called once per
/// grid cell, in order. The work is one pass over the cells (and one over the rows for the
/// column widths), so the page of a large form costs in proportion to its cells.
pub fn table_html(t: &Table, annotate: &dyn Fn(&OutCell) -> CellNote) -> String {
    let mut out = String::from("<section class=\"form\">\n");
    for l in &t.preamble {
        out.push_str(&format!("<p class=\"preamble\">{}</p>\n", escape(l)));
    }
    out.push_str(&format!("<h2>{}</h2>\n", escape(&t.title)));
    for l in &t.subtitles {
        out.push_str(&format!("<p class=\"subtitle\">{}</p>\n", escape(l)));
    }
    out.push_str("<table class=\"grid\">\n<colgroup>");
    let widths = t.column_widths(A4_WIDTH);
    let sum = widths.iter().map(|w| u64::from(*w)).sum::<u64>().max(1);
    for w in widths {
        let permille = u64::from(w) * 1000 / sum;
        out.push_str(&format!(
            "<col style=\"width:{}.{}%\">",
            permille / 10,
            permille % 10
        ));
    }
    out.push_str("</colgroup>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        let all_labels = row.iter().all(|c| c.kind == CellKind::Label);
        for cell in row {
            cell_html(&mut out, cell, all_labels, annotate(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    for l in &t.footer {
        out.push_str(&format!("<p class=\"footer\">{}</p>\n", escape(l)));
    }
    out.push_str("</section>\n");
    out
}

/// The look of a form (screen and print): for pages that embed [`table_html`].
pub const TABLE_CSS: &str = r#"
.form { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; font-size: 10.5pt; line-height: 1.4; color: #000; }
.form h2 { font-size: 16pt; font-weight: bold; text-align: center; margin: 0 0 8pt; }
.form p { margin: 0 0 3pt; }
.form .preamble { font-weight: bold; }
.form .footer { white-space: pre-wrap; margin-top: 6pt; }
.form table.grid { width: 100%; table-layout: fixed; border-collapse: collapse; border: 1px solid #000; margin: 4pt 0 6pt; }
.form .grid th, .form .grid td { border: 1px solid #000; padding: 3pt 4pt; vertical-align: middle; overflow-wrap: anywhere; }
.form .grid th { font-weight: bold; text-align: center; }
.form .grid td.value { text-align: left; }
.form .grid td.num { text-align: right; }
"#;

/// Page rules for printing (A4 portrait, one form per page start, rows kept whole).
pub const PRINT_CSS: &str = r#"
@page { size: A4 portrait; margin: 18mm 15mm 18mm 15mm; }
html, body { margin: 0; padding: 0; background: #fff; }
.form + .form { break-before: page; page-break-before: always; }
.form h2 { break-after: avoid; page-break-after: avoid; }
.form tr, .form th, .form td { break-inside: avoid; page-break-inside: avoid; }
"#;

/// A complete standalone page (no external resources) with the forms, for printing and
/// for the PDF.
pub fn document(tables: &[Table], title: &str) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n");
    out.push_str("<meta charset=\"utf-8\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(title)));
    out.push_str("<style>");
    out.push_str(TABLE_CSS);
    out.push_str(PRINT_CSS);
    out.push_str("</style>\n</head>\n<body>\n");
    for t in tables {
        out.push_str(&table_html(t, &no_note));
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// A title for [`document`]: the first form's unit and title (`…统一战线工作部 2023年部门整体…`).
pub fn document_title(tables: &[Table]) -> String {
    match tables.first() {
        Some(t) => {
            let unit = t
                .subtitles
                .iter()
                .find_map(|l| l.strip_prefix("填报单位（盖章）："))
                .unwrap_or("")
                .trim();
            if unit.is_empty() {
                t.title.clone()
            } else {
                format!("{unit} {}", t.title)
            }
        }
        None => "绩效目标表".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str, kind: CellKind, cols: usize, rows: usize, field: Option<&str>) -> OutCell {
        OutCell {
            text: text.to_string(),
            colspan: cols,
            rowspan: rows,
            kind,
            field: field.map(str::to_string),
        }
    }

    fn sample() -> Table {
        Table {
            preamble: vec!["转移支付资金".into()],
            title: "2023年<项目>支出绩效目标表".into(),
            subtitles: vec!["填报单位（盖章）：A&B \"局\"".into()],
            width: 4,
            rows: vec![
                vec![
                    cell("年度绩效指标", CellKind::Label, 1, 3, None),
                    cell("一级指标", CellKind::Label, 1, 1, None),
                    cell("三级指标", CellKind::Label, 1, 1, None),
                    cell("指标值及单位", CellKind::Label, 1, 1, None),
                ],
                vec![
                    cell(
                        "产出指标",
                        CellKind::Label,
                        1,
                        2,
                        Some("indicators[0].level1"),
                    ),
                    cell(
                        "<script>x</script>",
                        CellKind::Value,
                        1,
                        1,
                        Some("indicators[0].name"),
                    ),
                    cell("≥95%", CellKind::Value, 1, 1, Some("indicators[0].value")),
                ],
                vec![
                    cell("成本", CellKind::Value, 1, 1, Some("indicators[1].name")),
                    cell(
                        "12万元\n第二行",
                        CellKind::Number,
                        1,
                        1,
                        Some("indicators[1].value"),
                    ),
                ],
                vec![
                    cell("合计", CellKind::Label, 2, 1, None),
                    cell("37", CellKind::Number, 2, 1, Some("details_total")),
                ],
            ],
            footer: vec!["填表人：    联系电话：".into()],
        }
    }

    #[test]
    fn escapes_text_and_attributes() {
        let h = table_html(&sample(), &no_note);
        assert!(
            h.contains("<h2>2023年&lt;项目&gt;支出绩效目标表</h2>"),
            "{h}"
        );
        assert!(h.contains("A&amp;B &quot;局&quot;"), "{h}");
        assert!(h.contains("&lt;script&gt;x&lt;/script&gt;"), "{h}");
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("12万元<br>第二行"), "{h}");
        assert!(h.contains("<p class=\"preamble\">转移支付资金</p>"), "{h}");
        assert!(
            h.contains("<p class=\"footer\">填表人：    联系电话：</p>"),
            "{h}"
        );
        assert_eq!(escape("a'b"), "a&#39;b");
    }

    #[test]
    fn spans_scopes_classes_and_fields() {
        let h = table_html(&sample(), &no_note);
        assert!(h.contains(
            "<th scope=\"rowgroup\" colspan=\"1\" rowspan=\"3\" class=\"label\">年度绩效指标</th>"
        ));
        assert!(h.contains(
            "<th scope=\"col\" colspan=\"1\" rowspan=\"1\" class=\"label\">一级指标</th>"
        ));
        assert!(h.contains(
            "<th scope=\"rowgroup\" colspan=\"1\" rowspan=\"2\" class=\"label\" data-field=\"indicators[0].level1\">产出指标</th>"
        ));
        assert!(h.contains(
            "<td colspan=\"1\" rowspan=\"1\" class=\"value\" data-field=\"indicators[0].value\">≥95%</td>"
        ));
        assert!(
            h.contains("<th scope=\"row\" colspan=\"2\" rowspan=\"1\" class=\"label\">合计</th>")
        );
        assert!(h.contains(
            "<td colspan=\"2\" rowspan=\"1\" class=\"num\" data-field=\"details_total\">37</td>"
        ));
        // Every grid cell is one <th>/<td>, each with both spans.
        let cells = h.matches("<td ").count() + h.matches("<th ").count();
        assert_eq!(cells, 11);
        assert_eq!(h.matches(" colspan=\"").count(), 11);
        assert_eq!(h.matches(" rowspan=\"").count(), 11);
    }

    #[test]
    fn annotate_adds_classes_titles_and_trusted_html() {
        let note = |c: &OutCell| match c.field.as_deref() {
            Some("indicators[0].value") => CellNote {
                class: "sev-error \"x".into(),
                title: "指标值<含糊>".into(),
                after: "<sup class=\"mark\">1</sup>".into(),
            },
            _ => CellNote::default(),
        };
        let h = table_html(&sample(), &note);
        assert!(h.contains(
            "<td colspan=\"1\" rowspan=\"1\" class=\"value sev-error &quot;x\" data-field=\"indicators[0].value\" title=\"指标值&lt;含糊&gt;\">≥95%<sup class=\"mark\">1</sup></td>"
        ), "{h}");
    }

    #[test]
    fn document_is_standalone() {
        let d = document(&[sample(), sample()], "标题<1>");
        assert!(d.starts_with("<!DOCTYPE html>"));
        assert!(d.contains("<html lang=\"zh-CN\">"));
        assert!(d.contains("<meta charset=\"utf-8\">"));
        assert!(d.contains("<title>标题&lt;1&gt;</title>"));
        assert!(d.contains("size: A4 portrait"));
        assert!(d.contains(".form + .form { break-before: page;"));
        assert_eq!(d.matches("<section class=\"form\">").count(), 2);
        assert!(!d.contains("http://") && !d.contains("https://") && !d.contains("src="));
    }
}
