//! Flattened or pasted table text, as published forms appear when copied from web pages
//! or PDFs. Three shapes are recognised:
//!
//! * pipe text: `cell |` one cell per line, `| a | b |` one row per line, lines of `|||`
//!   marking the padding of merged cells at the end of a row;
//! * one cell per paragraph: blank lines separate cells, a line holding only spaces is an
//!   empty cell;
//! * one long line (PDF extraction): cells are whitespace-separated tokens.
//!
//! Whatever the importer assumes is recorded in `Sheet::notes` and becomes a
//! `parse-warning` finding.

use crate::error::ImportError;
use crate::limits::{Budget, Limits};
use crate::sheet::{Cell, Row, Sheet};
use jixiao_domain::text::strip_pinyin;

/// Parse flattened table text into rows of cells, stopping at the first row, cell or byte
/// over `limits` (the text is one table).
pub fn parse_flat(text: &str, limits: &Limits) -> Result<Sheet, ImportError> {
    let (text, had_pinyin) = strip_pinyin(&skip_comment_block(text));
    let mut budget = Budget::new(limits);
    let mut sheet = if is_pipe_text(&text) {
        parse_pipes(&text, &mut budget)?
    } else if is_single_long_line(&text) {
        parse_tokens(&text, &mut budget)?
    } else {
        parse_paragraphs(&text, &mut budget)?
    };
    if had_pinyin {
        sheet
            .notes
            .push("文本中夹有拼音注音（如“區(qū)”），已去除注音后识别".into());
    }
    Ok(sheet)
}

/// A cell at the end of `row`, counted against the budget.
fn push_cell(row: &mut Row, budget: &mut Budget, cell: Cell) -> Result<(), ImportError> {
    budget.cell(cell.text.len())?;
    budget.grow(0, cell.text.len())?;
    row.cells.push(cell);
    Ok(())
}

/// Pasted copies sometimes carry a leading block of `# source: …` lines: not form content.
fn skip_comment_block(text: &str) -> String {
    let mut lines = text.lines().peekable();
    let mut skipped = 0;
    while lines
        .peek()
        .is_some_and(|l| l.starts_with("# ") || l.trim() == "#")
    {
        lines.next();
        skipped += 1;
    }
    if skipped == 0 {
        return text.to_string();
    }
    // Keep line numbers true to the file: blank lines stand in for the comments.
    let mut out = "\n".repeat(skipped);
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out
}

fn content_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim().is_empty())
}

fn is_pipe_text(text: &str) -> bool {
    let total = content_lines(text).count();
    let piped = content_lines(text).filter(|l| l.contains('|')).count();
    total > 0 && piped * 10 >= total * 3
}

fn is_single_long_line(text: &str) -> bool {
    let lines: Vec<&str> = content_lines(text).collect();
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    lines.len() <= 5 && longest > 300 && lines.iter().any(|l| l.split_whitespace().count() > 40)
}

fn new_row(sheet: &Sheet, line: usize) -> Row {
    Row {
        table: Some(0),
        index: sheet.rows.len(),
        line: Some(line),
        cells: Vec::new(),
    }
}

/// The row being built goes into the sheet (counted against the budget as a table row).
fn flush(sheet: &mut Sheet, row: &mut Option<Row>, budget: &mut Budget) -> Result<(), ImportError> {
    if let Some(mut r) = row.take() {
        while r.cells.last().is_some_and(|c| c.text.is_empty()) {
            r.cells.pop();
        }
        if !r.cells.is_empty() {
            budget.row(Some(sheet.rows.len()))?;
            r.index = sheet.rows.len();
            sheet.rows.push(r);
        }
    }
    Ok(())
}

/// `| cell` lines (the pipe before each cell but the row's first, `| |` closing the row),
/// as some pages give their tables.
fn leading_pipes(text: &str) -> bool {
    let one = |l: &str| l.split('|').filter(|p| !p.trim().is_empty()).count() == 1;
    let lead = content_lines(text)
        .filter(|l| l.trim_start().starts_with('|') && !l.trim_end().ends_with('|') && one(l))
        .count();
    let trail = content_lines(text)
        .filter(|l| l.trim_end().ends_with('|') && !l.trim_start().starts_with('|') && one(l))
        .count();
    lead >= 5 && lead > trail * 3
}

fn parse_leading_pipes(text: &str, budget: &mut Budget) -> Result<Sheet, ImportError> {
    let mut sheet = Sheet::default();
    let mut row: Option<Row> = None;
    // The last line left a cell open (a bare first cell, or `| x` without a closing pipe):
    // a bare line continues it; after a closed row a bare line starts the next row.
    let mut prev_bare = false;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if !line.contains('|') {
            if prev_bare {
                // A short first cell wrapped onto a second line (`绩效` / `指标`); longer lines
                // are paragraphs of their own.
                if let Some(last) = row.as_mut().and_then(|r| r.cells.last_mut()) {
                    let short = |t: &str| t.chars().count() <= 10;
                    if short(line) && short(last.text.lines().last().unwrap_or("")) {
                        budget.grow(0, line.len() + 1)?;
                        last.text.push('\n');
                        last.text.push_str(line);
                        continue;
                    }
                }
            }
            flush(&mut sheet, &mut row, budget)?;
            let r = row.get_or_insert_with(|| new_row(&sheet, line_no));
            push_cell(r, budget, Cell::at_line(line, 0, line_no))?;
            prev_bare = true;
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let closes = line.trim_end().ends_with('|') || parts.iter().all(|p| p.is_empty());
        let r = row.get_or_insert_with(|| new_row(&sheet, line_no));
        for p in parts.iter().skip(1).filter(|p| !p.is_empty()) {
            let col = r.cells.len();
            push_cell(r, budget, Cell::at_line(*p, col, line_no))?;
        }
        prev_bare = !closes;
        if closes {
            flush(&mut sheet, &mut row, budget)?;
        }
    }
    flush(&mut sheet, &mut row, budget)?;
    sheet
        .notes
        .push("按“| 单元格”分隔的网页表格文本识别，合并单元格按位置推断".into());
    Ok(sheet)
}

fn parse_pipes(text: &str, budget: &mut Budget) -> Result<Sheet, ImportError> {
    if leading_pipes(text) {
        return parse_leading_pipes(text, budget);
    }
    let mut sheet = Sheet::default();
    let mut row: Option<Row> = None;
    // A cell written on a line of its own, still open until a `|` line closes it (the
    // `cell` / `|` / `cell` / `|` dialect).
    let mut open = false;
    // After a padding line (or at the start) a lone `|` opens the next row instead of
    // standing for an empty cell.
    let mut row_start = true;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if line.chars().all(|c| c == '|' || c.is_whitespace()) {
            let pipes = line.chars().filter(|c| *c == '|').count();
            if pipes >= 2 {
                // Padding of merged cells: the row ends.
                open = false;
                row_start = true;
                flush(&mut sheet, &mut row, budget)?;
            } else if open {
                open = false;
            } else if row_start {
                row_start = false;
            } else {
                // A lone `|` after a closed cell: an empty cell.
                let r = row.get_or_insert_with(|| new_row(&sheet, line_no));
                let col = r.cells.len();
                push_cell(r, budget, Cell::at_line("", col, line_no))?;
            }
            continue;
        }
        row_start = false;
        if !line.contains('|') {
            // A cell on its own line (closed by the next `|`), or a paragraph.
            let r = row.get_or_insert_with(|| new_row(&sheet, line_no));
            let col = r.cells.len();
            push_cell(r, budget, Cell::at_line(line, col, line_no))?;
            open = true;
            continue;
        }
        open = false;
        let leading = line.starts_with('|');
        // `质量 | |||||`: a cell and the padding of the merged cells after it ends the row.
        let padded = line.trim_end().ends_with("||");
        let body = line.strip_prefix('|').unwrap_or(line);
        let mut parts: Vec<&str> = body.split('|').map(str::trim).collect();
        if body.trim_end().ends_with('|') {
            parts.pop();
        }
        while padded && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        let non_empty = parts.iter().filter(|p| !p.is_empty()).count();
        if leading || non_empty >= 2 {
            flush(&mut sheet, &mut row, budget)?;
        }
        let r = row.get_or_insert_with(|| new_row(&sheet, line_no));
        for p in parts {
            let col = r.cells.len();
            push_cell(r, budget, Cell::at_line(p, col, line_no))?;
        }
        if non_empty >= 2 || padded {
            flush(&mut sheet, &mut row, budget)?;
            row_start = true;
        }
    }
    flush(&mut sheet, &mut row, budget)?;
    sheet
        .notes
        .push("按“单元格 |”分隔的网页表格文本识别，合并单元格按位置推断".into());
    Ok(sheet)
}

fn parse_paragraphs(text: &str, budget: &mut Budget) -> Result<Sheet, ImportError> {
    let mut sheet = Sheet::default();
    for (n, raw) in text.lines().enumerate() {
        if raw.is_empty() {
            continue;
        }
        let t = raw.trim();
        budget.row(None)?;
        budget.cell(t.len())?;
        budget.grow(0, t.len())?;
        sheet.rows.push(Row {
            table: None,
            index: sheet.rows.len(),
            line: Some(n + 1),
            cells: vec![Cell::new(t, 0)],
        });
    }
    sheet
        .notes
        .push("按“每段一个单元格”的文本识别，表格行列按表头推断".into());
    Ok(sheet)
}

/// True for `968.191` followed by `8`: PDF extraction splitting one number in two.
fn split_number(a: &str, b: &str) -> bool {
    let dec = a.split_once('.').is_some_and(|(i, f)| {
        !i.is_empty()
            && i.chars().all(|c| c.is_ascii_digit())
            && (1..=3).contains(&f.len())
            && f.chars().all(|c| c.is_ascii_digit())
    });
    dec && (1..=3).contains(&b.len())
        && b.chars().all(|c| c.is_ascii_digit())
        && a.split_once('.').map_or(0, |(_, f)| f.len()) + b.len() <= 4
}

fn parse_tokens(text: &str, budget: &mut Budget) -> Result<Sheet, ImportError> {
    let mut sheet = Sheet::default();
    let mut joined: Option<(String, String)> = None;
    for (n, line) in text.lines().enumerate() {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if tokens.is_empty() {
            continue;
        }
        budget.row(Some(sheet.rows.len()))?;
        let mut row = Row {
            table: Some(0),
            index: sheet.rows.len(),
            line: Some(n + 1),
            cells: Vec::new(),
        };
        let mut i = 0;
        while i < tokens.len() {
            let mut t = tokens[i].to_string();
            if i + 1 < tokens.len() && split_number(tokens[i], tokens[i + 1]) {
                t.push_str(tokens[i + 1]);
                joined.get_or_insert_with(|| (tokens[i].to_string(), tokens[i + 1].to_string()));
                i += 1;
            }
            let col = row.cells.len();
            push_cell(&mut row, budget, Cell::new(t, col))?;
            i += 1;
        }
        sheet.rows.push(row);
    }
    sheet
        .notes
        .push("文本为 PDF 提取的单行内容，按空格切分单元格，行列关系为推断".into());
    if let Some((a, b)) = joined {
        sheet.notes.push(format!(
            "PDF 提取把个别数字拆成了两段（如“{a} {b}”），已按一个数字“{a}{b}”读取，请核对"
        ));
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_flat_ok(text: &str) -> Sheet {
        parse_flat(text, &Limits::default()).unwrap()
    }

    #[test]
    fn flat_text_stops_at_the_limits() {
        let pipes: String = (0..40).map(|i| format!("| 行{i} | 值 |\n")).collect();
        let few = Limits {
            max_table_rows: 10,
            ..Limits::default()
        };
        assert!(parse_flat(&pipes, &few).is_err());
        let paragraphs: String = (0..40).map(|i| format!("段{i}\n")).collect();
        let rows = Limits {
            max_rows: 10,
            ..Limits::default()
        };
        assert!(parse_flat(&paragraphs, &rows).is_err());
        assert!(parse_flat(&paragraphs, &Limits::default()).is_ok());
    }

    #[test]
    fn pipe_rows() {
        let s = parse_flat_ok("标题 |\n||||\n|\n项目名称 |\n雾炮车 |\n|||\n| 一级 | 二级 | 三级 |\n产出 | 数量 | 车辆 | ||\n");
        let rows: Vec<Vec<&str>> = s.rows.iter().map(|r| r.texts()).collect();
        assert_eq!(
            rows,
            vec![
                vec!["标题"],
                vec!["项目名称", "雾炮车"],
                vec!["一级", "二级", "三级"],
                vec!["产出", "数量", "车辆"]
            ]
        );
    }

    #[test]
    fn paragraphs_keep_empty_cells() {
        let s =
            parse_flat_ok("项目名称\n\n教育\n\n \n\n主管部门\n\n局\n\n其他资金\n\n \n\n总体目标\n");
        let cells: Vec<&str> = s.rows.iter().map(|r| r.cells[0].text.as_str()).collect();
        assert_eq!(
            cells,
            vec![
                "项目名称",
                "教育",
                "",
                "主管部门",
                "局",
                "其他资金",
                "",
                "总体目标"
            ]
        );
    }

    #[test]
    fn pdf_numbers_rejoined() {
        let long = format!(
            "部门 合计 968.191 8 100% 基本支出 7242318 74.8% {}",
            "填充 ".repeat(160)
        );
        let s = parse_flat_ok(&long);
        assert!(s.rows[0].texts().contains(&"968.1918"));
        assert!(s.notes.iter().any(|n| n.contains("968.1918")));
    }
}
