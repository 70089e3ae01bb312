//! Characters that have no place in a form's text: those no XML document may contain (C0
//! controls other than tab, line feed and carriage return; U+FFFE, U+FFFF), which make
//! an exported .docx or .xlsx unreadable, and the bidi embedding, override and isolate
//! controls (U+202A–U+202E, U+2066–U+2069), which make text display differently from
//! what it says.
//!
//! Imports clean every cell of the sheet before recognition and say what was removed and
//! where ([`clean_sheet`]); forms that arrive through the API are cleaned as they are read
//! ([`clean_json`]); the .docx and .xlsx writers clean what they are given
//! ([`clean_tables`]), so forms stored before this cleaning existed still export.

use std::borrow::Cow;
use std::collections::BTreeSet;

use jixiao_domain::finding::{Finding, Location, Severity};
use jixiao_domain::model::Origin;

use crate::export::table::Table;
use crate::sheet::Sheet;

/// Individual warnings per file; the cells beyond are counted in one more warning, so a
/// hostile file cannot produce millions of findings.
const MAX_WARNINGS: usize = 20;

/// Whether `c` is removed from text.
pub fn is_hostile(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}'
        | '\u{fffe}' | '\u{ffff}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Vertical tab and form feed are line breaks in Word's text; they become one.
fn replacement(c: char) -> Option<char> {
    matches!(c, '\u{b}' | '\u{c}').then_some('\n')
}

/// `s` without hostile characters (borrowed when there are none).
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hostile) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter_map(|c| {
                if is_hostile(c) {
                    replacement(c)
                } else {
                    Some(c)
                }
            })
            .collect(),
    )
}

/// Cleans `s` in place; the hostile characters it held.
fn clean_in_place(s: &mut String, found: &mut BTreeSet<char>) -> bool {
    if !s.chars().any(is_hostile) {
        return false;
    }
    found.extend(s.chars().filter(|c| is_hostile(*c)));
    *s = clean(s).into_owned();
    true
}

/// `U+202E（文字方向控制符）`.
fn describe(c: char) -> String {
    let kind = match c {
        '\u{b}' | '\u{c}' => "换页/纵向制表符，已换成换行",
        '\u{fffe}' | '\u{ffff}' => "非字符",
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => "文字方向控制符",
        _ => "控制字符",
    };
    format!("U+{:04X}（{kind}）", c as u32)
}

fn list(chars: &BTreeSet<char>) -> String {
    chars
        .iter()
        .map(|c| describe(*c))
        .collect::<Vec<_>>()
        .join("、")
}

/// One cell (or paragraph) that was cleaned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanedCell {
    /// Where it was, with its text after cleaning.
    pub origin: Origin,
    pub removed: BTreeSet<char>,
}

/// What [`clean_sheet`] removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cleaning {
    /// The first cleaned cells, at most `MAX_WARNINGS`.
    pub cells: Vec<CleanedCell>,
    /// Cleaned cells beyond those, and the characters they held.
    pub more_cells: usize,
    pub more_removed: BTreeSet<char>,
}

impl Cleaning {
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// One `parse-warning` per cleaned cell (and one for the rest), citing the cell.
    pub fn findings(&self, file: &str, severity: Severity) -> Vec<Finding> {
        let mut out: Vec<Finding> = self
            .cells
            .iter()
            .map(|c| {
                Finding::new(
                    "parse-warning",
                    severity,
                    format!(
                        "{}的文字中有不可见或无法导出的字符，已删除：{}",
                        c.origin.describe(),
                        list(&c.removed)
                    ),
                    Location {
                        file: file.to_string(),
                        cell: Some(c.origin.clone()),
                        ..Default::default()
                    },
                )
            })
            .collect();
        if self.more_cells > 0 {
            out.push(Finding::new(
                "parse-warning",
                severity,
                format!(
                    "另有 {} 个单元格的文字中有不可见或无法导出的字符，已删除：{}",
                    self.more_cells,
                    list(&self.more_removed)
                ),
                Location {
                    file: file.to_string(),
                    ..Default::default()
                },
            ));
        }
        out
    }
}

/// Removes hostile characters from every cell and note of a sheet; what was removed, and
/// where, for the import's warnings.
pub fn clean_sheet(mut sheet: Sheet) -> (Sheet, Cleaning) {
    let mut report = Cleaning::default();
    for row in &mut sheet.rows {
        for cell in &mut row.cells {
            let mut removed = BTreeSet::new();
            if !clean_in_place(&mut cell.text, &mut removed) {
                continue;
            }
            if report.cells.len() < MAX_WARNINGS {
                report.cells.push(CleanedCell {
                    origin: Origin {
                        text: cell.text.clone(),
                        table: row.table,
                        row: row.index,
                        col: cell.col,
                        line: cell.line.or(row.line),
                    },
                    removed,
                });
            } else {
                report.more_cells += 1;
                report.more_removed.extend(removed);
            }
        }
    }
    let mut ignored = BTreeSet::new();
    for note in &mut sheet.notes {
        clean_in_place(note, &mut ignored);
    }
    (sheet, report)
}

/// Cleans every string (and object key) of a JSON value in place, such as forms sent to
/// the API; the number of strings changed.
pub fn clean_json(v: &mut serde_json::Value) -> usize {
    use serde_json::Value;
    let mut ignored = BTreeSet::new();
    match v {
        Value::String(s) => usize::from(clean_in_place(s, &mut ignored)),
        Value::Array(items) => items.iter_mut().map(clean_json).sum(),
        Value::Object(map) => {
            let mut n = 0;
            if map.keys().any(|k| k.chars().any(is_hostile)) {
                let old = std::mem::take(map);
                for (k, val) in old {
                    let key = clean(&k).into_owned();
                    n += usize::from(key != k);
                    map.insert(key, val);
                }
            }
            n + map.values_mut().map(clean_json).sum::<usize>()
        }
        _ => 0,
    }
}

fn clean_table(t: &Table) -> Table {
    let mut t = t.clone();
    let mut ignored = BTreeSet::new();
    let texts = t
        .preamble
        .iter_mut()
        .chain(std::iter::once(&mut t.title))
        .chain(t.subtitles.iter_mut())
        .chain(t.footer.iter_mut())
        .chain(t.rows.iter_mut().flatten().map(|c| &mut c.text));
    for s in texts {
        clean_in_place(s, &mut ignored);
    }
    t
}

fn table_is_clean(t: &Table) -> bool {
    let dirty = |s: &String| s.chars().any(is_hostile);
    !(t.preamble.iter().any(dirty)
        || dirty(&t.title)
        || t.subtitles.iter().any(dirty)
        || t.footer.iter().any(dirty)
        || t.rows.iter().flatten().any(|c| dirty(&c.text)))
}

/// The tables without hostile characters (borrowed when there are none): what the .docx
/// and .xlsx writers draw.
pub fn clean_tables(tables: &[Table]) -> Cow<'_, [Table]> {
    if tables.iter().all(table_is_clean) {
        Cow::Borrowed(tables)
    } else {
        Cow::Owned(tables.iter().map(clean_table).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{Cell, Row};

    #[test]
    fn what_is_removed() {
        assert_eq!(clean("普通文字\t\n\r"), "普通文字\t\n\r");
        assert!(matches!(clean("普通文字"), Cow::Borrowed(_)));
        assert_eq!(clean("a\u{1}b\u{202e}c\u{fffe}d\u{2069}"), "abcd");
        assert_eq!(clean("上一行\u{b}下一行"), "上一行\n下一行");
        // Marks that do not override anything stay (LRM/RLM, zero-width joiner).
        assert_eq!(clean("a\u{200e}b\u{200d}c"), "a\u{200e}b\u{200d}c");
    }

    #[test]
    fn sheets_report_each_cell_then_a_count() {
        let mut sheet = Sheet::default();
        for i in 0..(MAX_WARNINGS + 5) {
            sheet.rows.push(Row {
                table: Some(0),
                index: i,
                line: None,
                cells: vec![Cell::new("好", 0), Cell::new(format!("坏\u{1}{i}"), 1)],
            });
        }
        sheet.notes.push("说明\u{7}".into());
        let (sheet, report) = clean_sheet(sheet);
        assert!(sheet
            .rows
            .iter()
            .flat_map(|r| &r.cells)
            .all(|c| !c.text.contains('\u{1}')));
        assert_eq!(sheet.notes, ["说明"]);
        assert_eq!(report.cells.len(), MAX_WARNINGS);
        assert_eq!(report.more_cells, 5);
        assert_eq!(report.cells[2].origin.row, 2);
        assert_eq!(report.cells[2].origin.col, 1);
        assert_eq!(report.cells[2].origin.text, "坏2");
        let findings = report.findings("f.docx", Severity::Warning);
        assert_eq!(findings.len(), MAX_WARNINGS + 1);
        assert!(
            findings[0].message.contains("第1张表第1行第2列"),
            "{}",
            findings[0].message
        );
        assert!(findings[0].message.contains("U+0001（控制字符）"));
        assert!(findings[MAX_WARNINGS].message.contains("另有 5 个单元格"));
    }

    #[test]
    fn json_strings_and_keys() {
        let mut v = serde_json::json!({ "a\u{202e}": ["x\u{1}", 3, { "b": "ok" }] });
        assert_eq!(clean_json(&mut v), 2);
        assert_eq!(v, serde_json::json!({ "a": ["x", 3, { "b": "ok" }] }));
    }
}
