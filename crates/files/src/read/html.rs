//! Saved web pages (and Word/WPS "save as web page") with `<table>`s.
//!
//! A small tolerant tokenizer instead of an HTML crate: we only need text, block
//! boundaries and table structure, pages come from Word or from government sites with
//! unclosed tags, and the crate stays light to compile. Whitespace collapses as a browser
//! shows it; a source line break between two CJK characters disappears (Word wraps long
//! lines of Chinese text in its HTML output, which browsers do not show as a space).

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::error::ImportError;
use crate::limits::Limits;
use crate::sheet::{Cell, Row, Sheet};

/// Decode a page (BOM, then valid UTF-8, then the `<meta charset>` label, then GB18030) and
/// parse it.
pub fn read_html_bytes(bytes: &[u8], limits: &Limits) -> Result<Sheet, ImportError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    let (text, note) = decode_page(bytes)?;
    let mut sheet = read_html(&text, limits)?;
    if let Some(n) = note {
        sheet.notes.insert(0, n);
    }
    Ok(sheet)
}

fn decode_page(bytes: &[u8]) -> Result<(String, Option<String>), ImportError> {
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF])
        || bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF]);
    if bom {
        return crate::read::text::decode(bytes);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), None));
    }
    if let Some(enc) = meta_charset(bytes) {
        if enc != encoding_rs::UTF_8 && enc != encoding_rs::UTF_16LE && enc != encoding_rs::UTF_16BE
        {
            let (s, _) = enc.decode_without_bom_handling(bytes);
            return Ok((
                s.into_owned(),
                Some(format!("网页编码为 {}，已自动转换为 UTF-8", enc.name())),
            ));
        }
    }
    crate::read::text::decode(bytes)
}

/// The encoding named by `<meta charset=…>` or `content="…; charset=…"` near the start.
fn meta_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head: Vec<u8> = bytes
        .iter()
        .take(4096)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let at = head.windows(8).position(|w| w == b"charset=")? + 8;
    let label: Vec<u8> = head[at..]
        .iter()
        .skip_while(|b| matches!(b, b'"' | b'\'' | b' '))
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
        .copied()
        .collect();
    encoding_rs::Encoding::for_label(&label)
}

/// Parse decoded page text into paragraphs and table rows.
pub fn read_html(text: &str, limits: &Limits) -> Result<Sheet, ImportError> {
    let mut b = Builder::new(limits);
    let mut tok = Tokenizer { src: text, pos: 0 };
    while let Some(t) = tok.next() {
        match t {
            Token::Text(raw) => b.text(&decode_entities(raw))?,
            Token::Start {
                name,
                attrs,
                self_closing,
            } => {
                if RAW_TEXT.contains(&name.as_str()) && !self_closing {
                    tok.skip_raw(&name);
                    continue;
                }
                b.start(&name, &attrs)?;
            }
            Token::End(name) => b.end(&name)?,
        }
    }
    b.finish()
}

/// Elements whose content is not page text.
const RAW_TEXT: &[&str] = &[
    "script", "style", "title", "template", "xml", "textarea", "noframes",
];

/// Elements that start a new paragraph (outside tables) or a new line (inside a cell).
const BLOCK: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "center",
    "hr",
    "address",
    "form",
    "fieldset",
    "figure",
    "figcaption",
    "main",
    "caption",
    "body",
    "html",
    "legend",
    "details",
    "summary",
];

enum Token<'a> {
    Text(&'a str),
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    End(String),
}

struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Tokenizer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    /// Skip to after `</name` … `>` (ASCII case-insensitive), or to the end.
    fn skip_raw(&mut self, name: &str) {
        let needle = format!("</{name}");
        let hay = self.rest().as_bytes();
        let found = hay
            .windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()));
        match found {
            Some(i) => {
                self.pos += i + needle.len();
                match self.rest().find('>') {
                    Some(j) => self.pos += j + 1,
                    None => self.pos = self.src.len(),
                }
            }
            None => self.pos = self.src.len(),
        }
    }

    fn skip_past(&mut self, end: &str) {
        match self.rest().find(end) {
            Some(i) => self.pos += i + end.len(),
            None => self.pos = self.src.len(),
        }
    }

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return None;
            }
            if !rest.starts_with('<') {
                let end = rest.find('<').unwrap_or(rest.len());
                self.pos += end;
                return Some(Token::Text(&rest[..end]));
            }
            let b = rest.as_bytes();
            let next = b.get(1).copied().unwrap_or(0);
            if rest.starts_with("<!--") {
                self.pos += 4;
                self.skip_past("-->");
            } else if next == b'!' || next == b'?' {
                self.skip_past(">");
            } else if next == b'/' && b.get(2).is_some_and(|c| c.is_ascii_alphabetic()) {
                self.pos += 2;
                let name = self.name();
                self.skip_past(">");
                return Some(Token::End(name));
            } else if next.is_ascii_alphabetic() {
                self.pos += 1;
                let name = self.name();
                let (attrs, self_closing) = self.attributes();
                return Some(Token::Start {
                    name,
                    attrs,
                    self_closing,
                });
            } else {
                // A lone '<' is text.
                self.pos += 1;
                return Some(Token::Text("<"));
            }
        }
    }

    /// Tag name, lowercased, without a namespace prefix (`o:p` → `p` would be wrong, so
    /// prefixed names are kept whole and simply match nothing we handle).
    fn name(&mut self) -> String {
        let rest = self.rest();
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .unwrap_or(rest.len());
        self.pos += end;
        rest[..end].to_ascii_lowercase()
    }

    fn attributes(&mut self) -> (Vec<(String, String)>, bool) {
        let mut attrs = Vec::new();
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.is_empty() {
                return (attrs, false);
            }
            if let Some(after) = trimmed.strip_prefix("/>") {
                self.pos = self.src.len() - after.len();
                return (attrs, true);
            }
            if trimmed.starts_with('>') {
                self.pos += 1;
                return (attrs, false);
            }
            if trimmed.starts_with('/') {
                self.pos += 1;
                continue;
            }
            let end = trimmed
                .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
                .unwrap_or(trimmed.len());
            let key = trimmed[..end].to_ascii_lowercase();
            self.pos += end.max(1).min(trimmed.len());
            let rest = self.rest();
            let after_ws = rest.trim_start();
            if let Some(v) = after_ws.strip_prefix('=') {
                let v = v.trim_start();
                self.pos = self.src.len() - v.len();
                let value = if let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') {
                    let body = &v[1..];
                    let close = body.find(q).unwrap_or(body.len());
                    self.pos = self.src.len() - body.len() + (close + 1).min(body.len());
                    &body[..close]
                } else {
                    let close = v
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(v.len());
                    self.pos += close;
                    &v[..close]
                };
                attrs.push((key, decode_entities(value).into_owned()));
            } else if !key.is_empty() {
                attrs.push((key, String::new()));
            }
        }
    }
}

/// Decode character references: the common named ones and all numeric ones.
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match decode_one(rest) {
            Some((c, used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Windows-1252 meanings of references 0x80–0x9F, as browsers apply them.
const CP1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

fn decode_one(s: &str) -> Option<(char, usize)> {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 2),
            None => (num, 10, 1),
        };
        let len = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        if len == 0 {
            return None;
        }
        let used = 1 + skip + len + usize::from(digits[len..].starts_with(';'));
        let code = if len > 8 {
            0x110000
        } else {
            u32::from_str_radix(&digits[..len], radix).unwrap_or(0x110000)
        };
        let c = match code {
            0x80..=0x9F => CP1252[(code - 0x80) as usize],
            0 => '\u{FFFD}',
            _ => char::from_u32(code).unwrap_or('\u{FFFD}'),
        };
        return Some((c, used));
    }
    let len = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    let name = &body[..len];
    let semi = body[len..].starts_with(';');
    let c = match name {
        "nbsp" => '\u{a0}',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        _ if !semi => return None,
        "apos" => '\'',
        "ensp" | "emsp" | "thinsp" => '\u{a0}',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "middot" => '·',
        "bull" => '•',
        "times" => '×',
        "divide" => '÷',
        "le" => '≤',
        "ge" => '≥',
        "ne" => '≠',
        "plusmn" => '±',
        "deg" => '°',
        "yen" => '¥',
        "permil" => '‰',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "sect" => '§',
        "laquo" => '«',
        "raquo" => '»',
        "frac12" => '½',
        "sup2" => '²',
        "sup3" => '³',
        "micro" => 'µ',
        "euro" => '€',
        "pound" => '£',
        "cent" => '¢',
        "rarr" => '→',
        "larr" => '←',
        "radic" => '√',
        "asymp" => '≈',
        _ => return None,
    };
    Some((c, 1 + len + usize::from(semi)))
}

/// Collapses whitespace like a browser; `\n` marks a line break inside the text.
#[derive(Default)]
struct TextBuf {
    s: String,
    space: bool,
    newline_in_space: bool,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

impl TextBuf {
    fn push(&mut self, text: &str) {
        for c in text.chars() {
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C') {
                self.space = true;
                self.newline_in_space |= c == '\n' || c == '\r';
                continue;
            }
            if self.space {
                let prev = self.s.chars().next_back();
                let joined_cjk = self.newline_in_space && prev.is_some_and(is_cjk) && is_cjk(c);
                if prev.is_some_and(|p| p != '\n') && !joined_cjk {
                    self.s.push(' ');
                }
                self.space = false;
                self.newline_in_space = false;
            }
            self.s.push(if c == '\u{a0}' { ' ' } else { c });
        }
    }

    fn newline(&mut self) {
        if !self.s.is_empty() && !self.s.ends_with('\n') {
            self.s.push('\n');
        }
        self.space = false;
        self.newline_in_space = false;
    }

    /// Lines trimmed, blank lines dropped.
    fn take(&mut self) -> String {
        let s = std::mem::take(&mut self.s);
        self.space = false;
        self.newline_in_space = false;
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn len(&self) -> usize {
        self.s.len()
    }
}

/// A rowspan still covering rows below its anchor (keyed by its grid column).
struct Pending {
    span: usize,
    anchor: (usize, usize),
    /// Rows below the current one still covered.
    rows_left: usize,
    /// Created in the current row (covers nothing yet).
    fresh: bool,
    /// Already placed (or cancelled) in the current row.
    used: bool,
}

struct OpenCell {
    text: TextBuf,
    colspan: usize,
    rowspan: usize,
}

/// The outermost open table; nested tables only add line breaks to its current cell.
struct Table {
    index: Option<usize>,
    rows: usize,
    row: Option<Vec<Cell>>,
    col: usize,
    cell: Option<OpenCell>,
    pending: BTreeMap<usize, Pending>,
    nested: usize,
}

struct Builder<'l> {
    limits: &'l Limits,
    sheet: Sheet,
    cells: usize,
    para: TextBuf,
    table: Option<Table>,
    tables: usize,
}

fn span_attr(attrs: &[(String, String)], key: &str, max: usize) -> usize {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| {
            v.trim()
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|d| d.parse::<usize>().ok())
        })
        .unwrap_or(1)
        .clamp(1, max)
}

impl<'l> Builder<'l> {
    fn new(limits: &'l Limits) -> Builder<'l> {
        Builder {
            limits,
            sheet: Sheet::default(),
            cells: 0,
            para: TextBuf::default(),
            table: None,
            tables: 0,
        }
    }

    fn text(&mut self, s: &str) -> Result<(), ImportError> {
        let max = self.limits.max_cell_chars.saturating_mul(4);
        let buf = match &mut self.table {
            Some(Table {
                cell: Some(cell), ..
            }) => &mut cell.text,
            _ => &mut self.para,
        };
        buf.push(s);
        if buf.len() > max {
            return Err(self.limits.cell_too_long());
        }
        Ok(())
    }

    fn in_cell(&self) -> bool {
        matches!(&self.table, Some(Table { cell: Some(_), .. }))
    }

    /// A line break in the current cell, or a paragraph break outside cells.
    fn brk(&mut self) -> Result<(), ImportError> {
        match &mut self.table {
            Some(Table {
                cell: Some(cell), ..
            }) => {
                cell.text.newline();
                Ok(())
            }
            _ => self.flush_para(),
        }
    }

    fn flush_para(&mut self) -> Result<(), ImportError> {
        let text = self.para.take();
        if text.is_empty() {
            return Ok(());
        }
        if text.chars().count() > self.limits.max_cell_chars {
            return Err(self.limits.cell_too_long());
        }
        for line in text.split('\n') {
            if self.sheet.rows.len() >= self.limits.max_rows {
                return Err(self.limits.too_many_rows());
            }
            self.count_cell()?;
            self.sheet.push_paragraph(line, None);
        }
        Ok(())
    }

    fn start(&mut self, name: &str, attrs: &[(String, String)]) -> Result<(), ImportError> {
        let nested = self.table.as_ref().is_some_and(|t| t.nested > 0);
        match name {
            "br" => self.brk(),
            "table" => {
                if let Some(t) = &mut self.table {
                    if t.cell.is_some() || t.nested > 0 {
                        t.nested += 1;
                        return self.brk();
                    }
                    // A table directly inside a table (no cell): close the first one.
                    self.close_table()?;
                }
                self.flush_para()?;
                self.table = Some(Table {
                    index: None,
                    rows: 0,
                    row: None,
                    col: 0,
                    cell: None,
                    pending: BTreeMap::new(),
                    nested: 0,
                });
                Ok(())
            }
            "tr" | "td" | "th" if nested => self.brk(),
            "tr" if self.table.is_some() => {
                self.close_row()?;
                self.flush_para()?;
                if let Some(t) = &mut self.table {
                    t.row = Some(Vec::new());
                    t.col = 0;
                }
                Ok(())
            }
            "td" | "th" if self.table.is_some() => {
                self.close_cell()?;
                self.flush_para()?;
                let t = self.table.as_mut().expect("checked above");
                if t.row.is_none() {
                    t.row = Some(Vec::new());
                    t.col = 0;
                }
                let colspan = span_attr(attrs, "colspan", 1000);
                let rowspan = span_attr(attrs, "rowspan", 65_534);
                t.cell = Some(OpenCell {
                    text: TextBuf::default(),
                    colspan,
                    rowspan,
                });
                Ok(())
            }
            _ if BLOCK.contains(&name) => self.brk(),
            _ => Ok(()),
        }
    }

    fn end(&mut self, name: &str) -> Result<(), ImportError> {
        let nested = self.table.as_ref().is_some_and(|t| t.nested > 0);
        match name {
            "table" if nested => {
                if let Some(t) = &mut self.table {
                    t.nested -= 1;
                }
                self.brk()
            }
            "table" if self.table.is_some() => self.close_table(),
            "tr" | "td" | "th" if nested => Ok(()),
            "tr" if self.table.is_some() => self.close_row(),
            "td" | "th" if self.table.is_some() => self.close_cell(),
            "br" => self.brk(),
            _ if BLOCK.contains(&name) => {
                if self.in_cell() {
                    self.brk()
                } else {
                    self.flush_para()
                }
            }
            _ => Ok(()),
        }
    }

    fn count_cell(&mut self) -> Result<(), ImportError> {
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(self.limits.too_many_cells());
        }
        Ok(())
    }

    /// Emit covered cells of rowspans sitting at the cursor (or, at row end, all of them).
    fn place_covered(&mut self, to_end: bool) -> Result<(), ImportError> {
        loop {
            let t = self.table.as_mut().expect("open table");
            let col = t.col;
            let open = |p: &&Pending| !p.used && !p.fresh;
            let next = if to_end {
                t.pending.range_mut(col..).find(|(_, p)| open(&&**p))
            } else {
                t.pending.range_mut(col..=col).find(|(_, p)| open(&&**p))
            };
            let Some((&pcol, p)) = next else {
                return Ok(());
            };
            p.used = true;
            let (span, anchor) = (p.span, p.anchor);
            let row = t.row.get_or_insert_with(Vec::new);
            let mut added = 0;
            while t.col < pcol {
                row.push(Cell::new("", t.col));
                t.col += 1;
                added += 1;
            }
            row.push(Cell {
                span,
                merged_from: Some(anchor),
                ..Cell::new("", pcol)
            });
            t.col = pcol + span;
            for _ in 0..=added {
                self.count_cell()?;
            }
        }
    }

    fn close_cell(&mut self) -> Result<(), ImportError> {
        let Some(mut cell) = self.table.as_mut().and_then(|t| t.cell.take()) else {
            return Ok(());
        };
        self.place_covered(false)?;
        let text = cell.text.take();
        if text.chars().count() > self.limits.max_cell_chars {
            return Err(self.limits.cell_too_long());
        }
        let t = self.table.as_mut().expect("open table");
        let col = t.col;
        let row_index = t.rows;
        // Rowspans overlapped by this cell's colspan are skipped in this row (malformed
        // tables); each costs a cell of the budget so hostile pages stay linear.
        let mut cancelled = 0;
        for (_, p) in t
            .pending
            .range_mut(col + 1..col.saturating_add(cell.colspan))
        {
            if !p.used {
                p.used = true;
                cancelled += 1;
            }
        }
        if cell.rowspan > 1 {
            t.pending.insert(
                col,
                Pending {
                    span: cell.colspan,
                    anchor: (row_index, col),
                    rows_left: cell.rowspan - 1,
                    fresh: true,
                    used: false,
                },
            );
        }
        t.row.get_or_insert_with(Vec::new).push(Cell {
            span: cell.colspan,
            ..Cell::new(text, col)
        });
        t.col = col.saturating_add(cell.colspan);
        for _ in 0..=cancelled {
            self.count_cell()?;
        }
        self.place_covered(false)
    }

    fn close_row(&mut self) -> Result<(), ImportError> {
        self.close_cell()?;
        if self.table.as_ref().is_none_or(|t| t.row.is_none()) {
            return Ok(());
        }
        self.place_covered(true)?;
        let t = self.table.as_mut().expect("open table");
        let cells = t.row.take().unwrap_or_default();
        for p in t.pending.values_mut() {
            if p.fresh {
                p.fresh = false;
            } else {
                p.rows_left -= 1;
            }
            p.used = false;
        }
        t.pending.retain(|_, p| p.rows_left > 0);
        t.col = 0;
        if cells.is_empty() {
            return Ok(());
        }
        if self.sheet.rows.len() >= self.limits.max_rows {
            return Err(self.limits.too_many_rows());
        }
        if t.rows >= self.limits.max_table_rows {
            return Err(self.limits.too_many_table_rows());
        }
        let index = *t.index.get_or_insert_with(|| {
            self.tables += 1;
            self.tables - 1
        });
        self.sheet.rows.push(Row {
            table: Some(index),
            index: t.rows,
            line: None,
            cells,
        });
        t.rows += 1;
        Ok(())
    }

    fn close_table(&mut self) -> Result<(), ImportError> {
        self.close_row()?;
        self.table = None;
        self.flush_para()
    }

    fn finish(mut self) -> Result<Sheet, ImportError> {
        if self.table.is_some() {
            self.close_table()?;
        }
        self.flush_para()?;
        Ok(self.sheet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Sheet {
        read_html(s, &Limits::default()).unwrap()
    }

    #[test]
    fn paragraphs_and_entities() {
        let s = read("<html><head><title>标题不算</title><style>p{}</style><script>var a='<p>';</script></head>\
             <body><p>第一段&nbsp;&amp;&#x4E00;&#20108;&lt;<b>粗</b></p><div>第二段<br>第三段</div>尾巴</body></html>");
        let texts: Vec<_> = s.rows.iter().map(|r| r.cells[0].text.as_str()).collect();
        assert_eq!(texts, vec!["第一段 &一二<粗", "第二段", "第三段", "尾巴"]);
        assert!(s.rows.iter().all(|r| r.table.is_none()));
    }

    #[test]
    fn rowspan_colspan_unclosed() {
        let s = read(
            "<table><tr><td colspan=2>项目名称<td>甲\
             <tr><td rowspan=\"3\">年度绩效指标<td>产出<td>数量\
             <tr><td>效益<td>社会\
             <tr><td rowspan=2>满意度</td><td>95%</td></tr><tr><td>x<td>y</table><p>完",
        );
        assert_eq!(
            s.rows[0].cells[0],
            Cell {
                span: 2,
                ..Cell::new("项目名称", 0)
            }
        );
        assert_eq!(s.rows[0].cells[1].col, 2);
        assert_eq!(s.rows[1].texts(), vec!["年度绩效指标", "产出", "数量"]);
        assert_eq!(
            s.rows[2].cells[0],
            Cell {
                merged_from: Some((1, 0)),
                ..Cell::new("", 0)
            }
        );
        assert_eq!(s.rows[2].texts(), vec!["", "效益", "社会"]);
        assert_eq!(s.rows[3].texts(), vec!["", "满意度", "95%"]);
        assert_eq!(
            s.rows[4].cells[1],
            Cell {
                merged_from: Some((3, 1)),
                ..Cell::new("", 1)
            }
        );
        assert_eq!(s.rows[4].texts(), vec!["x", "", "y"]);
        assert_eq!(s.rows[5].table, None);
    }

    #[test]
    fn word_html_cjk_wrap_and_nested() {
        let s = read(
            "<table><tr><td><p class=MsoNormal><span lang=EN-US>持续构建石峰\r\n大统战</span><o:p></o:p></p>\
             <p>第二行 two\nwords</p><table><tr><td>内</td></tr></table></td></tr></table>",
        );
        assert_eq!(s.rows.len(), 1);
        assert_eq!(
            s.rows[0].texts(),
            vec!["持续构建石峰大统战\n第二行 two words\n内"]
        );
    }

    #[test]
    fn meta_charset_gbk() {
        let (gbk, _, _) = encoding_rs::GBK.encode("<html><head><meta http-equiv=Content-Type content=\"text/html; charset=gb2312\"></head><body><p>绩效目标表</p></body></html>");
        let s = read_html_bytes(&gbk, &Limits::default()).unwrap();
        assert_eq!(s.rows[0].texts(), vec!["绩效目标表"]);
        assert!(s.notes[0].contains("GBK") || s.notes[0].contains("gb"));
    }

    #[test]
    fn hostile_spans_are_bounded() {
        let mut page = String::from("<table>");
        for _ in 0..50 {
            page.push_str("<tr><td colspan=1000 rowspan=65534>x</td><td rowspan=0>y");
        }
        let limits = Limits {
            max_cells: 10_000,
            ..Limits::default()
        };
        let _ = read_html(&page, &limits);
        assert!(read_html("<table><tr><td>a", &limits).is_ok());
        for junk in [
            "<",
            "<a",
            "<a b='",
            "</",
            "<!--",
            "&#",
            "&#x;",
            "&#99999999999;",
            "<td rowspan=9>",
        ] {
            let _ = read_html(junk, &limits);
        }
    }
}
