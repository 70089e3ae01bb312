//! .docx (Word 2007+ and WPS) reader: a streaming walk over `word/document.xml` that
//! produces the same rows as Word's own "save as text" of the document.
//!
//! Elements are matched by local name, so any namespace prefix works (WPS and strict OOXML
//! use other prefixes than `w:`). Deleted revisions, field codes, drawings and text boxes are
//! skipped; inserted revisions are kept, as Word shows them.

use std::collections::BTreeMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::ImportError;
use crate::limits::Limits;
use crate::read::zipsafe::{self, SafeZip};
use crate::sheet::{Cell, Row, Sheet};

/// Subtrees whose text Word does not show (or shows elsewhere): deleted or moved-away
/// revisions, field instructions, alternate renderings, drawings/text boxes, ruby (phonetic)
/// text, and property blocks (which hold tab-stop definitions that must not become text).
const SKIPPED: &[&str] = &[
    "del",
    "moveFrom",
    "delText",
    "instrText",
    "delInstrText",
    "Fallback",
    "drawing",
    "pict",
    "object",
    "txbxContent",
    "pPr",
    "rPr",
    "sdtPr",
    "fldData",
    "rt",
];

/// Read a .docx from memory.
pub fn read_docx(bytes: &[u8], limits: &Limits) -> Result<Sheet, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    if crate::read::sniff::is_cfb(bytes) {
        // Password-protected .docx files are OLE containers, not zips.
        return Err(crate::read::sniff::cfb_error(bytes));
    }
    let mut zip = SafeZip::open(bytes, limits)?;
    let part = main_part(&mut zip)?;
    let xml = zipsafe::read_text_entry(&mut zip, &part)?
        .ok_or_else(|| ImportError::CorruptArchive("缺少 word/document.xml".into()))?;
    parse_document(&xml, limits)
}

/// The main document part: `word/document.xml`, or whatever `_rels/.rels` names as the
/// office document (a few generators use other names).
fn main_part(zip: &mut SafeZip<'_>) -> Result<String, ImportError> {
    const DEFAULT: &str = "word/document.xml";
    if zip.contains(DEFAULT) {
        return Ok(DEFAULT.into());
    }
    let Some(rels) = zipsafe::read_text_entry(zip, "_rels/.rels")? else {
        return Err(ImportError::CorruptArchive("缺少 word/document.xml".into()));
    };
    let mut reader = Reader::from_str(&rels);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if e.local_name().as_ref() == "Relationship" =>
            {
                let typ = attr(&e, "Type").unwrap_or_default();
                if typ.ends_with("/officeDocument") {
                    if let Some(target) = attr(&e, "Target") {
                        let target = target.trim_start_matches('/').to_string();
                        if zip.contains(&target) {
                            return Ok(target);
                        }
                    }
                }
            }
            Ok(Event::DocType(_)) => return Err(doctype()),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    Err(ImportError::CorruptArchive("缺少 word/document.xml".into()))
}

fn doctype() -> ImportError {
    ImportError::BadXml("包含 DOCTYPE/实体声明（可能是恶意构造的文件），已拒绝".into())
}

/// Value of the attribute with this local name, entity-decoded where possible.
fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.clone().into_owned())
        })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum VMerge {
    None,
    Restart,
    Continue,
}

/// A top-level table cell being read.
struct CellState {
    span: usize,
    vmerge: VMerge,
    paras: Vec<String>,
    /// Bytes in `paras`, kept so the length check stays linear.
    bytes: usize,
}

/// Walk state. Only the outermost table produces rows; nested tables add their paragraphs
/// to the cell that contains them.
struct Walk<'l> {
    limits: &'l Limits,
    sheet: Sheet,
    cells_total: usize,
    /// Depth inside a skipped subtree (0 = not skipping).
    skip: usize,
    in_text: bool,
    para: Option<String>,
    tbl_depth: usize,
    next_table: usize,
    table: Option<usize>,
    row_index: usize,
    row: Option<Row>,
    grid_col: usize,
    cell: Option<CellState>,
    /// Open vertical merges of the current table: grid column → anchor (row, col).
    anchors: BTreeMap<usize, (usize, usize)>,
    dropped_merged_text: bool,
}

/// Parse the XML of a main document part.
pub fn parse_document(xml: &str, limits: &Limits) -> Result<Sheet, ImportError> {
    let mut reader = Reader::from_str(xml);
    let mut w = Walk {
        limits,
        sheet: Sheet::default(),
        cells_total: 0,
        skip: 0,
        in_text: false,
        para: None,
        tbl_depth: 0,
        next_table: 0,
        table: None,
        row_index: 0,
        row: None,
        grid_col: 0,
        cell: None,
        anchors: BTreeMap::new(),
        dropped_merged_text: false,
    };
    loop {
        let event = reader.read_event().map_err(|_| {
            ImportError::BadXml(format!(
                "document.xml 在第 {} 字节附近格式错误",
                reader.error_position()
            ))
        })?;
        match event {
            Event::DocType(_) => return Err(doctype()),
            Event::Eof => break,
            Event::Start(e) => {
                if w.skip > 0 {
                    w.skip += 1;
                } else if SKIPPED.contains(&e.local_name().as_ref()) {
                    w.skip = 1;
                } else {
                    w.start(&e)?;
                }
            }
            Event::End(e) => {
                if w.skip > 0 {
                    w.skip -= 1;
                } else {
                    w.end(e.local_name().as_ref())?;
                }
            }
            Event::Empty(e) if w.skip == 0 && !SKIPPED.contains(&e.local_name().as_ref()) => {
                w.empty(&e)
            }
            Event::Text(t) if w.skip == 0 && w.in_text => w.push_text(&t.xml10_content())?,
            Event::CData(t) if w.skip == 0 && w.in_text => w.push_text(&t.xml10_content())?,
            Event::GeneralRef(r) if w.skip == 0 && w.in_text => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => match r.as_ref() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "apos" => Some('\''),
                        "quot" => Some('"'),
                        // Undeclared entity: nothing to expand (and we never expand declared ones).
                        _ => None,
                    },
                    Err(_) => None,
                };
                if let Some(c) = ch {
                    w.push_text(c.encode_utf8(&mut [0u8; 4]))?;
                }
            }
            _ => {}
        }
    }
    if w.dropped_merged_text {
        w.sheet
            .notes
            .push("纵向合并单元格的被合并部分含有文字，已按 Word 显示方式忽略".into());
    }
    Ok(w.sheet)
}

/// Vertical merges over these grid columns end (a cell without `vMerge` covers them).
fn end_merges(anchors: &mut BTreeMap<usize, (usize, usize)>, cols: std::ops::Range<usize>) {
    let ended: Vec<usize> = anchors.range(cols).map(|(c, _)| *c).collect();
    for c in ended {
        anchors.remove(&c);
    }
}

/// Numeric `w:val` of a property element.
fn val_usize(e: &BytesStart<'_>) -> Option<usize> {
    attr(e, "val").and_then(|v| v.trim().parse::<usize>().ok())
}

impl Walk<'_> {
    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), ImportError> {
        match e.local_name().as_ref() {
            "t" => self.in_text = true,
            "p" => self.para = Some(String::new()),
            "tbl" => self.tbl_depth += 1,
            "tr" if self.tbl_depth == 1 => {
                self.row = Some(Row {
                    table: None,
                    index: self.row_index,
                    line: None,
                    cells: Vec::new(),
                });
                self.grid_col = 0;
            }
            "tc" if self.tbl_depth == 1 => {
                self.cell = Some(CellState {
                    span: 1,
                    vmerge: VMerge::None,
                    paras: Vec::new(),
                    bytes: 0,
                })
            }
            // Properties written as start/end pairs instead of empty elements.
            _ => self.empty(e),
        }
        Ok(())
    }

    fn empty(&mut self, e: &BytesStart<'_>) {
        let top = self.tbl_depth == 1;
        match e.local_name().as_ref() {
            "tab" | "ptab" => self.push_char(' '),
            "br" | "cr" => self.push_char('\n'),
            "noBreakHyphen" => self.push_char('-'),
            "gridBefore" if top => {
                if let (Some(row), Some(n)) = (&self.row, val_usize(e)) {
                    if row.cells.is_empty() {
                        self.grid_col = n.min(1000);
                    }
                }
            }
            "gridSpan" if top => {
                if let (Some(cell), Some(n)) = (&mut self.cell, val_usize(e)) {
                    cell.span = n.clamp(1, 1000);
                }
            }
            "vMerge" if top => {
                if let Some(cell) = &mut self.cell {
                    cell.vmerge = match attr(e, "val").as_deref() {
                        Some("restart") => VMerge::Restart,
                        _ => VMerge::Continue,
                    };
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, local: &str) -> Result<(), ImportError> {
        match local {
            "t" => self.in_text = false,
            "p" => self.end_paragraph()?,
            "tbl" => {
                self.tbl_depth = self.tbl_depth.saturating_sub(1);
                if self.tbl_depth == 0 {
                    self.table = None;
                    self.row_index = 0;
                    self.anchors.clear();
                    self.row = None;
                    self.cell = None;
                }
            }
            "tc" if self.tbl_depth == 1 => self.end_cell()?,
            "tr" if self.tbl_depth == 1 => self.end_row()?,
            _ => {}
        }
        Ok(())
    }

    fn push_char(&mut self, c: char) {
        if let Some(p) = &mut self.para {
            p.push(c);
        }
    }

    fn push_text(&mut self, s: &str) -> Result<(), ImportError> {
        if let Some(p) = &mut self.para {
            p.push_str(s);
            // Byte length bounds char count from above; exact check happens on the sheet.
            if p.len() > self.limits.max_cell_chars.saturating_mul(4) {
                return Err(self.limits.cell_too_long());
            }
        }
        Ok(())
    }

    fn end_paragraph(&mut self) -> Result<(), ImportError> {
        let Some(text) = self.para.take() else {
            return Ok(());
        };
        if let Some(cell) = &mut self.cell {
            if !text.trim().is_empty() {
                cell.bytes += text.len() + 1;
                if cell.bytes > self.limits.max_cell_chars.saturating_mul(4) {
                    return Err(self.limits.cell_too_long());
                }
                cell.paras.push(text);
            }
        } else if !text.trim().is_empty() {
            if self.sheet.rows.len() >= self.limits.max_rows {
                return Err(self.limits.too_many_rows());
            }
            if text.chars().count() > self.limits.max_cell_chars {
                return Err(self.limits.cell_too_long());
            }
            self.cells_total += 1;
            if self.cells_total > self.limits.max_cells {
                return Err(self.limits.too_many_cells());
            }
            self.sheet.push_paragraph(text, None);
        }
        Ok(())
    }

    fn end_cell(&mut self) -> Result<(), ImportError> {
        let (Some(cell), Some(row)) = (self.cell.take(), self.row.as_mut()) else {
            return Ok(());
        };
        self.cells_total += 1;
        if self.cells_total > self.limits.max_cells {
            return Err(self.limits.too_many_cells());
        }
        let col = self.grid_col;
        self.grid_col = self.grid_col.saturating_add(cell.span);
        let text = cell.paras.join("\n").trim_matches('\n').to_string();
        let mut out = Cell {
            span: cell.span,
            ..Cell::new(text, col)
        };
        let covered = col..col.saturating_add(cell.span);
        match cell.vmerge {
            VMerge::Continue if self.anchors.contains_key(&col) => {
                out.merged_from = self.anchors.get(&col).copied();
                if !out.text.trim().is_empty() {
                    self.dropped_merged_text = true;
                }
                out.text.clear();
            }
            VMerge::Restart => {
                end_merges(&mut self.anchors, covered);
                self.anchors.insert(col, (self.row_index, col));
            }
            // A continue without an anchor above is a plain cell.
            _ => end_merges(&mut self.anchors, covered),
        }
        row.cells.push(out);
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), ImportError> {
        let Some(mut row) = self.row.take() else {
            return Ok(());
        };
        if row.cells.is_empty() {
            return Ok(());
        }
        if self.sheet.rows.len() >= self.limits.max_rows {
            return Err(self.limits.too_many_rows());
        }
        if self.row_index >= self.limits.max_table_rows {
            return Err(self.limits.too_many_table_rows());
        }
        if row
            .cells
            .iter()
            .any(|c| c.text.chars().count() > self.limits.max_cell_chars)
        {
            return Err(self.limits.cell_too_long());
        }
        let table = *self.table.get_or_insert_with(|| {
            self.next_table += 1;
            self.next_table - 1
        });
        row.table = Some(table);
        row.index = self.row_index;
        self.row_index += 1;
        self.sheet.rows.push(row);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        )
    }

    fn p(text: &str) -> String {
        format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
    }

    #[test]
    fn paragraphs_tables_and_merges() {
        let xml = doc(&format!(
            "{}<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>\
             <w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr>{}</w:tc><w:tc>{}</w:tc></w:tr>\
             <w:tr><w:tc><w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr>{}{}</w:tc><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr>\
             <w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr>\
             </w:tbl>{}",
            p("标题"),
            p("项目名称"),
            p("甲"),
            p("年度预算"),
            p("（万元）"),
            p("a"),
            p("b"),
            p("c"),
            p("d"),
            p("尾")
        ));
        let s = parse_document(&xml, &Limits::default()).unwrap();
        assert_eq!(s.rows.len(), 5);
        assert_eq!(s.rows[0].table, None);
        assert_eq!(
            s.rows[1].cells[0],
            Cell {
                span: 2,
                ..Cell::new("项目名称", 0)
            }
        );
        assert_eq!(s.rows[1].cells[1].col, 2);
        assert_eq!(s.rows[2].texts(), vec!["年度预算\n（万元）", "a", "b"]);
        assert_eq!(
            s.rows[3].cells[0],
            Cell {
                merged_from: Some((1, 0)),
                ..Cell::new("", 0)
            }
        );
        assert_eq!(s.rows[3].table, Some(0));
        assert_eq!(s.rows[4].texts(), vec!["尾"]);
        assert_eq!(s.rows[4].index, 1);
    }

    #[test]
    fn revisions_fields_and_other_prefixes() {
        let xml = r#"<x:document xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><x:body>
            <x:p><x:pPr><x:tabs><x:tab x:val="left" x:pos="100"/></x:tabs></x:pPr>
            <x:r><x:t xml:space="preserve">保留 </x:t></x:r><x:del><x:r><x:delText>删除</x:delText></x:r></x:del>
            <x:ins><x:r><x:t>插入</x:t></x:r></x:ins><x:bookmarkStart x:id="0" x:name="_GoBack"/><x:bookmarkEnd x:id="0"/>
            <x:r><x:fldChar x:fldCharType="begin"/></x:r><x:r><x:instrText> PAGE </x:instrText></x:r>
            <x:r><x:fldChar x:fldCharType="separate"/></x:r><x:r><x:t>1</x:t></x:r><x:r><x:fldChar x:fldCharType="end"/></x:r>
            <x:r><x:tab/><x:t>&lt;&#x4E00;&amp;</x:t><x:br/><x:t>下行</x:t></x:r></x:p></x:body></x:document>"#;
        let s = parse_document(xml, &Limits::default()).unwrap();
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows[0].texts(), vec!["保留 插入1 <一&\n下行"]);
    }

    #[test]
    fn nested_table_flattens_into_cell() {
        let xml = doc(&format!(
            "<w:tbl><w:tr><w:tc>{}<w:tbl><w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>",
            p("外"),
            p("内1"),
            p("内2"),
            p("后"),
            p("右")
        ));
        let s = parse_document(&xml, &Limits::default()).unwrap();
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows[0].texts(), vec!["外\n内1\n内2\n后", "右"]);
    }

    #[test]
    fn doctype_is_refused() {
        let xml = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><w:document xmlns:w="x"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"#;
        assert!(matches!(
            parse_document(xml, &Limits::default()),
            Err(ImportError::BadXml(_))
        ));
    }

    #[test]
    fn limits_are_enforced() {
        let limits = Limits {
            max_rows: 2,
            max_cell_chars: 5,
            ..Limits::default()
        };
        let xml = doc(&format!("{}{}{}", p("一"), p("二"), p("三")));
        assert!(matches!(
            parse_document(&xml, &limits),
            Err(ImportError::Oversized(_))
        ));
        let xml = doc(&p("一二三四五六"));
        assert!(matches!(
            parse_document(&xml, &limits),
            Err(ImportError::Oversized(_))
        ));
        let row = format!("<w:tr><w:tc>{}</w:tc></w:tr>", p("行"));
        let xml = doc(&format!("<w:tbl>{}</w:tbl>", row.repeat(30)));
        let table = Limits {
            max_table_rows: 25,
            ..Limits::default()
        };
        let e = parse_document(&xml, &table).unwrap_err();
        assert_eq!(
            e.to_string(),
            "文件内容超出处理上限（一个表格的行数超过 25 行）"
        );
        let two = doc(&format!("<w:tbl>{}</w:tbl>", row.repeat(20)).repeat(2));
        assert!(
            parse_document(&two, &table).is_ok(),
            "the limit is per table"
        );
    }
}
