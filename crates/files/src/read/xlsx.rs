//! Spreadsheet reader (.xlsx and legacy .xls) on top of calamine.
//!
//! Each worksheet becomes one table. Merged ranges follow the sheet model: the anchor cell
//! carries the text and the horizontal `span`; each row below it gets one empty cell with
//! `merged_from`. Numbers are rendered the way Excel's General format shows them.
//!
//! calamine trusts its input more than an upload server can, so every path is guarded:
//! .xlsx archives are fully inflated through [`SafeZip`] (sizes and ratios checked) before
//! calamine sees them, .xls record streams are pre-scanned for sheet sizes that would make
//! calamine allocate a dense grid of billions of cells (an abort, not a panic), .xlsx cells
//! are streamed rather than loaded as a dense range, and any remaining panic inside calamine
//! is caught and reported as a damaged file.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{Data, DataRef, Dimensions, Reader, SheetType, Xls, XlsError, Xlsx, XlsxError};

use crate::error::ImportError;
use crate::limits::Limits;
use crate::read::sniff::{self, CfbKind};
use crate::read::zipsafe::{self, SafeZip};
use crate::sheet::{Cell, Row, Sheet};

/// Read an .xlsx or .xls workbook from memory: every worksheet in order, one table each.
pub fn read_workbook(bytes: &[u8], limits: &Limits) -> Result<Sheet, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    if zipsafe::is_zip(bytes) {
        let mut zip = SafeZip::open(bytes, limits)?;
        if zip.any_encrypted() {
            return Err(ImportError::Encrypted);
        }
        if !zip.contains("xl/workbook.xml") {
            return Err(ImportError::Spreadsheet(
                "不是 Excel 2007 及以上版本的表格（缺少 xl/workbook.xml）".into(),
            ));
        }
        zip.verify_all()?;
        guarded(|| read_xlsx(bytes, limits))
    } else if sniff::is_cfb(bytes) {
        match sniff::inspect_cfb(bytes) {
            CfbKind::Workbook => {
                prescan_xls(bytes, limits)?;
                guarded(|| read_xls(bytes, limits))
            }
            CfbKind::Encrypted => Err(ImportError::Encrypted),
            CfbKind::Word => Err(ImportError::LegacyDoc),
            CfbKind::Corrupt => Err(ImportError::CorruptArchive("OLE 复合文档结构损坏".into())),
            CfbKind::Other => Err(ImportError::Spreadsheet("OLE 文件中没有工作簿".into())),
        }
    } else {
        Err(ImportError::Spreadsheet("不是 Excel 表格文件".into()))
    }
}

/// Run a calamine-backed reader, turning a panic on malformed input into an error.
fn guarded(f: impl FnOnce() -> Result<Sheet, ImportError>) -> Result<Sheet, ImportError> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(ImportError::Spreadsheet("文件结构异常".into())))
}

fn xlsx_err(e: XlsxError) -> ImportError {
    match e {
        XlsxError::Password => ImportError::Encrypted,
        XlsxError::Zip(_) => ImportError::CorruptArchive("压缩包内容损坏".into()),
        XlsxError::Xml(_) | XlsxError::XmlAttr(_) | XlsxError::XmlEof(_) => {
            ImportError::Spreadsheet("内部 XML 结构错误".into())
        }
        XlsxError::WorksheetNotFound(_) => ImportError::Spreadsheet("找不到工作表".into()),
        _ => ImportError::Spreadsheet("文件结构异常".into()),
    }
}

fn xls_err(e: XlsError) -> ImportError {
    match e {
        XlsError::Password => ImportError::Encrypted,
        _ => ImportError::Spreadsheet("旧版 .xls 文件结构异常".into()),
    }
}

/// Cells of one worksheet before layout: absolute (row, col, text) and merged ranges.
#[derive(Default)]
struct RawSheet {
    cells: Vec<(u32, u32, String)>,
    merges: Vec<Dimensions>,
}

/// Adds raw cells, enforcing the cell-count, cell-length and row limits as they arrive, so
/// a worksheet of a million rows is refused at the first row over, not after it is read.
struct Collector<'l> {
    limits: &'l Limits,
    cells: usize,
    text_bytes: usize,
    /// Rows with text, over all worksheets and in the current one; the current row.
    rows: usize,
    sheet_rows: usize,
    last_row: Option<u32>,
}

impl Collector<'_> {
    /// A new worksheet (a new table) starts.
    fn next_sheet(&mut self) {
        self.sheet_rows = 0;
        self.last_row = None;
    }
}

impl Collector<'_> {
    fn push(
        &mut self,
        raw: &mut RawSheet,
        pos: (u32, u32),
        text: String,
    ) -> Result<(), ImportError> {
        if text.is_empty() {
            return Ok(());
        }
        if text.len() > self.limits.max_cell_chars
            && text.chars().count() > self.limits.max_cell_chars
        {
            return Err(self.limits.cell_too_long());
        }
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(self.limits.too_many_cells());
        }
        // Cells arrive row by row; a row seen again out of order only counts again, which
        // can refuse early but never lets more through.
        if self.last_row != Some(pos.0) {
            self.last_row = Some(pos.0);
            self.rows += 1;
            self.sheet_rows += 1;
            if self.rows > self.limits.max_rows {
                return Err(self.limits.too_many_rows());
            }
            if self.sheet_rows > self.limits.max_table_rows {
                return Err(self.limits.too_many_table_rows());
            }
        }
        // Shared strings are stored once but copied into every cell that uses them.
        self.text_bytes += text.len();
        if self.text_bytes > self.limits.max_text_bytes {
            return Err(self.limits.too_much_text());
        }
        raw.cells.push((pos.0, pos.1, text));
        Ok(())
    }
}

/// Every worksheet of a workbook in order, one table each; `read_one` collects the raw
/// cells and merges of the worksheet with the given name.
fn read_worksheets(
    metas: &[calamine::Sheet],
    limits: &Limits,
    mut read_one: impl FnMut(&str, &mut Collector) -> Result<RawSheet, ImportError>,
) -> Result<Sheet, ImportError> {
    let mut collector = Collector {
        limits,
        cells: 0,
        text_bytes: 0,
        rows: 0,
        sheet_rows: 0,
        last_row: None,
    };
    let mut sheet = Sheet::default();
    let mut layout = Layout::new(limits);
    for meta in metas.iter().filter(|m| m.typ == SheetType::WorkSheet) {
        note_hidden(&mut sheet, meta);
        collector.next_sheet();
        let raw = read_one(&meta.name, &mut collector)?;
        layout.add(&mut sheet, raw)?;
    }
    Ok(sheet)
}

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Sheet, ImportError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_err)?;
    let metas = wb.sheets_metadata().to_vec();
    read_worksheets(&metas, limits, |name, collector| {
        let mut raw = RawSheet {
            merges: wb.merge_cells_by_sheet_name(name).map_err(xlsx_err)?,
            ..Default::default()
        };
        let mut cells = wb.worksheet_cells_reader(name).map_err(xlsx_err)?;
        while let Some((cell, style)) = cells.next_cell_with_style_id().map_err(xlsx_err)? {
            let format = cells
                .styles()
                .get(style)
                .and_then(|s| s.number_format.as_ref())
                .map(|f| f.format_code.as_str());
            let text = render_ref(cell.get_value(), format);
            collector.push(&mut raw, cell.get_position(), text)?;
        }
        Ok(raw)
    })
}

fn read_xls(bytes: &[u8], limits: &Limits) -> Result<Sheet, ImportError> {
    let mut wb: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(xls_err)?;
    let metas = wb.sheets_metadata().to_vec();
    read_worksheets(&metas, limits, |name, collector| {
        let mut raw = RawSheet {
            merges: wb.merge_cells_by_sheet_name(name).map_err(xls_err)?,
            ..Default::default()
        };
        let range = wb.worksheet_range(name).map_err(xls_err)?;
        for (r, c, value) in range.used_cells() {
            let start = range.start().unwrap_or((0, 0));
            let pos = (
                start.0.saturating_add(r as u32),
                start.1.saturating_add(c as u32),
            );
            collector.push(&mut raw, pos, render(value))?;
        }
        Ok(raw)
    })
}

/// Hidden worksheets are read too (they may hold the form); say so, since the user does
/// not see them in Excel.
fn note_hidden(sheet: &mut Sheet, meta: &calamine::Sheet) {
    if meta.visible != calamine::SheetVisible::Visible {
        sheet
            .notes
            .push(format!("工作表“{}”是隐藏工作表，已一并读取", meta.name));
    }
}

/// Text of an owned calamine value (the .xls path; .xls number formats are not exposed,
/// so percentages show as the stored fraction).
fn render(value: &Data) -> String {
    match value {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format_number(*f),
        Data::String(s) => normalize_newlines(s),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(d) => format_datetime(d),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// Text of a streamed calamine value, honouring percent number formats.
fn render_ref(value: &DataRef<'_>, format: Option<&str>) -> String {
    match value {
        DataRef::Int(i) => match format.and_then(percent_decimals) {
            Some(d) => format_percent(*i as f64, d),
            None => i.to_string(),
        },
        DataRef::Float(f) => match format.and_then(percent_decimals) {
            Some(d) => format_percent(*f, d),
            None => format_number(*f),
        },
        DataRef::String(s) => normalize_newlines(s),
        DataRef::SharedString(s) => normalize_newlines(s),
        // The rest render as their owned twins do.
        other => render(&Data::from(other.clone())),
    }
}

fn normalize_newlines(s: &str) -> String {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_string()
    }
}

/// Excel's General format: at most 15 significant digits, no trailing ".0", no exponent.
/// `Display` for f64 already gives the shortest text that round-trips (185.91 → "185.91");
/// rounding to 15 digits first hides binary noise such as 0.30000000000000004.
pub fn format_number(f: f64) -> String {
    if !f.is_finite() {
        return "#NUM!".into();
    }
    if f == 0.0 {
        return "0".into();
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    let s = format!("{rounded}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_string(),
        None => s,
    }
}

/// Decimal places of a percent number format ("0%" → 0, "0.00%" → 2); `None` when the
/// format is not a percentage. Quoted literals and escaped characters are ignored.
fn percent_decimals(format: &str) -> Option<usize> {
    let section = format.split(';').next().unwrap_or(format);
    let mut plain = String::new();
    let mut chars = section.chars();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if !quoted => {
                chars.next();
            }
            _ if !quoted => plain.push(c),
            _ => {}
        }
    }
    if !plain.contains('%') {
        return None;
    }
    let decimals = plain
        .split_once('.')
        .map(|(_, frac)| frac.chars().take_while(|c| *c == '0' || *c == '#').count());
    Some(decimals.unwrap_or(0))
}

fn format_percent(f: f64, decimals: usize) -> String {
    if !f.is_finite() {
        return "#NUM!".into();
    }
    let scaled: f64 = format!("{:.14e}", f * 100.0).parse().unwrap_or(f * 100.0);
    // Excel rounds halves away from zero; `{:.N}` would round them to even.
    let factor = 10f64.powi(decimals.min(15) as i32);
    let rounded = (scaled * factor).round() / factor;
    let s = format!("{rounded:.decimals$}");
    let s = if s
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    };
    format!("{s}%")
}

/// Dates as ISO `YYYY-MM-DD` (plus `HH:MM[:SS]` when there is a time of day).
fn format_datetime(d: &calamine::ExcelDateTime) -> String {
    let v = d.as_f64();
    if !d.is_datetime() || !v.is_finite() || !(0.0..2_958_466.0).contains(&v) {
        return format_number(v);
    }
    let (y, mo, da, h, mi, s, _) = d.to_ymd_hms_milli();
    let time = if s > 0 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else {
        format!("{h:02}:{mi:02}")
    };
    if v < 1.0 {
        time
    } else if h == 0 && mi == 0 && s == 0 {
        format!("{y:04}-{mo:02}-{da:02}")
    } else {
        format!("{y:04}-{mo:02}-{da:02} {time}")
    }
}

/// One position of a worksheet after merges are applied.
enum Slot {
    Text(String),
    /// Top-left of a merged range.
    Anchor {
        text: String,
        span: u32,
        tall: bool,
    },
    /// Below the anchor, inside a merged range.
    Covered {
        anchor: (u32, u32),
        span: u32,
    },
}

/// Turns raw worksheets into table rows, keeping the running totals across sheets.
struct Layout<'l> {
    limits: &'l Limits,
    tables: usize,
    cells: usize,
}

impl<'l> Layout<'l> {
    fn new(limits: &'l Limits) -> Layout<'l> {
        Layout {
            limits,
            tables: 0,
            cells: 0,
        }
    }

    fn add(&mut self, sheet: &mut Sheet, raw: RawSheet) -> Result<(), ImportError> {
        let limits = self.limits;
        let mut grid: BTreeMap<u32, BTreeMap<u32, Slot>> = BTreeMap::new();
        let mut merge_rows: usize = 0;
        for m in &raw.merges {
            let (r0, c0) = m.start;
            let (r1, c1) = m.end;
            if r1 < r0 || c1 < c0 || (r0 == r1 && c0 == c1) {
                continue;
            }
            let height = (r1 - r0) as usize + 1;
            if height > limits.max_table_rows {
                return Err(limits.too_many_table_rows());
            }
            merge_rows = merge_rows.saturating_add(height);
            if merge_rows > limits.max_cells {
                return Err(limits.too_many_cells());
            }
            let span = c1 - c0 + 1;
            let taken = grid.get(&r0).is_some_and(|row| row.contains_key(&c0));
            if taken {
                continue;
            }
            grid.entry(r0).or_default().insert(
                c0,
                Slot::Anchor {
                    text: String::new(),
                    span,
                    tall: r1 > r0,
                },
            );
            for r in r0 + 1..=r1 {
                grid.entry(r)
                    .or_default()
                    .entry(c0)
                    .or_insert(Slot::Covered {
                        anchor: (r0, c0),
                        span,
                    });
            }
        }
        if grid.len() > limits.max_rows {
            return Err(limits.too_many_rows());
        }
        if grid.len() > limits.max_table_rows {
            return Err(limits.too_many_table_rows());
        }
        for (r, c, text) in raw.cells {
            let row = grid.entry(r).or_default();
            match row.get_mut(&c) {
                Some(Slot::Anchor { text: t, .. }) => *t = text,
                // Text hidden under a merge is not shown by Excel either.
                Some(Slot::Covered { .. }) => {}
                Some(Slot::Text(_)) => {}
                None => {
                    row.insert(c, Slot::Text(text));
                }
            }
        }
        let Some(min_col) = grid
            .values()
            .filter_map(|row| row.keys().next().copied())
            .min()
        else {
            return Ok(());
        };
        let table = self.tables;
        let mut index_of: HashMap<u32, usize> = HashMap::new();
        let mut emitted = 0usize;
        for (r, row) in grid {
            let mut cells: Vec<Cell> = Vec::new();
            let mut cursor = min_col;
            let mut keep = false;
            for (c, slot) in row {
                if c < cursor {
                    continue; // inside the horizontal extent of the previous merge
                }
                while cursor < c {
                    cells.push(Cell::new("", (cursor - min_col) as usize));
                    cursor += 1;
                    self.count_cell()?;
                }
                let col = (c - min_col) as usize;
                let cell = match slot {
                    Slot::Text(text) => {
                        keep |= !text.trim().is_empty();
                        Cell::new(text, col)
                    }
                    Slot::Anchor { text, span, tall } => {
                        keep |= tall || !text.trim().is_empty();
                        Cell {
                            span: span as usize,
                            ..Cell::new(text, col)
                        }
                    }
                    Slot::Covered { anchor, span } => {
                        keep = true;
                        let from = index_of
                            .get(&anchor.0)
                            .map(|&i| (i, (anchor.1 - min_col) as usize));
                        Cell {
                            span: span as usize,
                            merged_from: from,
                            ..Cell::new("", col)
                        }
                    }
                };
                cursor = c.saturating_add(cell.span as u32);
                cells.push(cell);
                self.count_cell()?;
            }
            if !keep {
                continue;
            }
            while cells
                .last()
                .is_some_and(|c| c.text.is_empty() && c.merged_from.is_none() && c.span == 1)
            {
                cells.pop();
            }
            if sheet.rows.len() >= limits.max_rows {
                return Err(limits.too_many_rows());
            }
            index_of.insert(r, emitted);
            sheet.rows.push(Row {
                table: Some(table),
                index: emitted,
                line: None,
                cells,
            });
            emitted += 1;
        }
        if emitted > 0 {
            self.tables += 1;
        }
        Ok(())
    }

    fn count_cell(&mut self) -> Result<(), ImportError> {
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(self.limits.too_many_cells());
        }
        Ok(())
    }
}

/// Walk BIFF records the way calamine does (`RecordIter`: type, length, data, with
/// following CONTINUE records folded in). Calls `f(type, data, continues)` until it
/// returns false.
fn walk_records<'s>(stream: &'s [u8], mut f: impl FnMut(u16, &'s [u8], &[&'s [u8]]) -> bool) {
    let mut pos = 0usize;
    let mut conts = Vec::new();
    while stream.len() >= pos + 4 {
        let typ = u16::from_le_bytes([stream[pos], stream[pos + 1]]);
        let len = u16::from_le_bytes([stream[pos + 2], stream[pos + 3]]) as usize;
        let Some(data) = stream.get(pos + 4..pos + 4 + len) else {
            return;
        };
        pos += 4 + len;
        conts.clear();
        while stream.len() > pos + 4 && stream[pos..pos + 2] == [0x3C, 0x00] {
            let l = u16::from_le_bytes([stream[pos + 2], stream[pos + 3]]) as usize;
            let Some(cont) = stream.get(pos + 4..pos + 4 + l) else {
                return;
            };
            conts.push(cont);
            pos += 4 + l;
        }
        if !f(typ, data, &conts) {
            return;
        }
    }
}

fn malformed_xls() -> ImportError {
    ImportError::Spreadsheet("旧版 .xls 文件记录损坏".into())
}

fn u16_at(d: &[u8], i: usize) -> Option<u32> {
    d.get(i..i + 2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]) as u32)
}

fn u32_at(d: &[u8], i: usize) -> Option<u32> {
    d.get(i..i + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Reads bytes across a record and its CONTINUE records.
struct Segments<'a> {
    segs: Vec<&'a [u8]>,
    seg: usize,
    pos: usize,
}

impl Segments<'_> {
    fn byte(&mut self) -> Option<u8> {
        loop {
            let s = self.segs.get(self.seg)?;
            if let Some(&b) = s.get(self.pos) {
                self.pos += 1;
                return Some(b);
            }
            self.seg += 1;
            self.pos = 0;
        }
    }

    fn skip(&mut self, mut n: usize) -> Option<()> {
        while n > 0 {
            let s = self.segs.get(self.seg)?;
            let k = (s.len() - self.pos.min(s.len())).min(n);
            if k == 0 {
                self.seg += 1;
                self.pos = 0;
                continue;
            }
            self.pos += k;
            n -= k;
        }
        Some(())
    }
}

/// Character counts of the strings of an SST record (MS-XLS 2.4.265). A string's characters
/// may continue in the next CONTINUE record, which then starts with a new flags byte.
fn sst_lengths(data: &[u8], conts: &[&[u8]]) -> Vec<u32> {
    let mut segs = vec![data.get(8..).unwrap_or_default()];
    segs.extend_from_slice(conts);
    let mut r = Segments {
        segs,
        seg: 0,
        pos: 0,
    };
    let mut out = Vec::new();
    let mut string = || -> Option<u32> {
        let cch = u16::from_le_bytes([r.byte()?, r.byte()?]) as usize;
        let flags = r.byte()?;
        let runs = if flags & 0x8 != 0 {
            u16::from_le_bytes([r.byte()?, r.byte()?]) as usize
        } else {
            0
        };
        let ext = if flags & 0x4 != 0 {
            u32::from_le_bytes([r.byte()?, r.byte()?, r.byte()?, r.byte()?]) as usize
        } else {
            0
        };
        let mut wide = flags & 0x1 != 0;
        let mut left = cch;
        loop {
            let seg = r.segs.get(r.seg)?;
            let per = if wide { 2 } else { 1 };
            let k = left.min(seg.len().saturating_sub(r.pos) / per);
            r.pos += k * per;
            left -= k;
            if left == 0 {
                break;
            }
            r.seg += 1;
            r.pos = 0;
            wide = r.byte()? & 0x1 != 0;
        }
        r.skip(runs * 4)?;
        r.skip(ext)?;
        Some(cch as u32)
    };
    while let Some(n) = string() {
        out.push(n);
    }
    out
}

/// Refuse .xls files that would make calamine allocate without bound while it opens them
/// (it parses every sheet eagerly):
/// * a dense grid over the bounding box of each sheet's cells, and a `reserve` of rows × cols
///   from each DIMENSIONS record (computed with wrapping arithmetic, as calamine does);
/// * a copy of a shared string for every cell that references it (a few long strings used
///   by millions of cells);
/// * formula texts, which can be far longer than their tokens (sheet names, spaces);
/// * records calamine indexes without length checks (they would panic).
///
/// Also reports FILEPASS (encryption).
fn prescan_xls(bytes: &[u8], limits: &Limits) -> Result<(), ImportError> {
    let corrupt = || ImportError::CorruptArchive("OLE 复合文档结构损坏".into());
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| corrupt())?;
    let name = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"]
        .into_iter()
        .find(|n| cfb.is_stream(n))
        .ok_or_else(corrupt)?;
    let mut stream = Vec::new();
    cfb.open_stream(name)
        .map_err(|_| corrupt())?
        .take(limits.max_file_bytes)
        .read_to_end(&mut stream)
        .map_err(|_| corrupt())?;

    let mut encrypted = false;
    let mut malformed = false;
    let mut sheets = Vec::new();
    let mut sst: Vec<u32> = Vec::new();
    // Longest sheet or defined name: the longest text one formula token can expand to.
    let mut longest_name = 0usize;
    walk_records(&stream, |typ, data, conts| {
        match typ {
            0x002F => encrypted = true,
            0x0809 | 0x0042 | 0x0022 | 0x0017 if data.len() < 2 => malformed = true,
            0x0018 => {
                let cce = u16_at(data, 4).unwrap_or(0) as usize;
                if data.len() < 14 || cce > data.len() {
                    malformed = true;
                }
                longest_name = longest_name.max(data.get(3).copied().unwrap_or(0) as usize);
            }
            0x0085 => match u32_at(data, 0) {
                Some(pos) if data.len() >= 8 && (pos as usize) < stream.len() => {
                    sheets.push(pos);
                    longest_name = longest_name.max(data[6] as usize);
                }
                _ => malformed = true,
            },
            0x00FC => sst = sst_lengths(data, conts),
            0x000A => return false,
            _ => {}
        }
        true
    });
    if encrypted {
        return Err(ImportError::Encrypted);
    }
    if malformed {
        return Err(malformed_xls());
    }
    let too_big = || ImportError::Oversized("工作表范围过大（可能是异常文件）".into());
    let too_much_text = || ImportError::Oversized("表格文字总量过大（可能是异常文件）".into());
    let max = limits.max_cells;
    // Bytes of formula text per byte of formula tokens, at worst: a 5-byte name token
    // becomes the name (3 bytes per character) plus punctuation; a 4-byte space token
    // becomes up to 255 spaces.
    let formula_factor = 64usize.max((longest_name * 3 + 40) / 5 + 1);
    let mut total_area: usize = 0;
    let mut text_bytes: usize = 0;
    for pos in sheets {
        let Some(sub) = stream.get(pos as usize..) else {
            continue;
        };
        let mut bounds: Option<(u32, u32, u32, u32)> = None;
        let mut reserve_too_big = false;
        let mut depth = 0usize;
        let mut seen_bof = false;
        let mut add = |r: u32, c: u32| {
            bounds = Some(match bounds {
                None => (r, r, c, c),
                Some((r0, r1, c0, c1)) => (r0.min(r), r1.max(r), c0.min(c), c1.max(c)),
            });
        };
        walk_records(sub, |typ, data, _| {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                return true;
            }
            match typ {
                0x0809 => {
                    if seen_bof {
                        depth += 1;
                    } else {
                        seen_bof = true;
                    }
                }
                0x000A => return false,
                0x0200 => {
                    // Same arithmetic as calamine's parse_dimensions + reserve (wrapping).
                    let dims = match data.len() {
                        10 => u16_at(data, 0)
                            .zip(u16_at(data, 2))
                            .zip(u16_at(data, 4))
                            .zip(u16_at(data, 6)),
                        14 | 16 => u32_at(data, 0)
                            .zip(u32_at(data, 4))
                            .zip(u16_at(data, 8))
                            .zip(u16_at(data, 10)),
                        _ => None,
                    };
                    if let Some((((rf, rl), mut cf), cl)) = dims {
                        if 0xFF < cf || cl < cf {
                            cf = 0;
                        }
                        let (start, end) = if rl >= 1 && cl >= 1 {
                            ((rf, cf), (rl - 1, cl - 1))
                        } else {
                            ((rf, cf), (rf, cf))
                        };
                        let rows = end.0.wrapping_sub(start.0).wrapping_add(1) as usize;
                        let cols = end.1.wrapping_sub(start.1).wrapping_add(1) as usize;
                        if end.0 < start.0 || end.1 < start.1 || rows.saturating_mul(cols) > max {
                            reserve_too_big = true;
                        }
                    }
                }
                0x00E5 => {
                    let count = u16_at(data, 0).unwrap_or(u32::MAX) as usize;
                    if data.len() < 2 + count.saturating_mul(8) {
                        malformed = true;
                    }
                }
                0x00FD => {
                    if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                        add(r, c);
                    }
                    let chars = u32_at(data, 6)
                        .and_then(|i| sst.get(i as usize))
                        .copied()
                        .unwrap_or(0);
                    text_bytes = text_bytes.saturating_add(chars as usize * 3);
                }
                0x0006 => {
                    if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                        add(r, c);
                    }
                    text_bytes =
                        text_bytes.saturating_add(data.len().saturating_mul(formula_factor));
                }
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E => {
                    if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                        add(r, c);
                    }
                }
                0x00BD => {
                    let last = data.len().checked_sub(2).and_then(|i| u16_at(data, i));
                    if let (Some(r), Some(c0), Some(c1)) = (u16_at(data, 0), u16_at(data, 2), last)
                    {
                        add(r, c0);
                        add(r, c1);
                    }
                }
                _ => {}
            }
            true
        });
        if reserve_too_big {
            return Err(too_big());
        }
        if malformed {
            return Err(malformed_xls());
        }
        if let Some((r0, r1, c0, c1)) = bounds {
            let area = ((r1 - r0) as usize + 1).saturating_mul((c1 - c0) as usize + 1);
            total_area = total_area.saturating_add(area);
            if total_area > max {
                return Err(too_big());
            }
        }
        if text_bytes > limits.max_text_bytes {
            return Err(too_much_text());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_people_see_them() {
        assert_eq!(format_number(185.91), "185.91");
        assert_eq!(format_number(37.0), "37");
        assert_eq!(format_number(43.4), "43.4");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1e20), "100000000000000000000");
        assert_eq!(format_number(0.000123), "0.000123");
        assert_eq!(format_number(-2.5), "-2.5");
        assert_eq!(format_number(123_456_789.123_456_78), "123456789.123457");
    }

    #[test]
    fn percent_formats() {
        assert_eq!(percent_decimals("0%"), Some(0));
        assert_eq!(percent_decimals("0.00%"), Some(2));
        assert_eq!(percent_decimals("General"), None);
        assert_eq!(percent_decimals("0\"%\""), None);
        assert_eq!(percent_decimals("#,##0.00"), None);
        assert_eq!(format_percent(1.0, 0), "100%");
        assert_eq!(format_percent(0.955, 0), "96%");
        assert_eq!(format_percent(0.9512, 2), "95.12%");
        assert_eq!(format_percent(0.945, 0), "95%");
    }

    fn dims(r0: u32, c0: u32, r1: u32, c1: u32) -> Dimensions {
        Dimensions {
            start: (r0, c0),
            end: (r1, c1),
        }
    }

    #[test]
    fn merges_become_spans_and_merged_from() {
        let raw = RawSheet {
            cells: vec![
                (2, 1, "标题".into()),
                (3, 1, "年度绩效指标".into()),
                (3, 2, "一级".into()),
                (4, 2, "产出".into()),
                (5, 2, "效益".into()),
                (5, 9, "".into()),
            ],
            merges: vec![dims(2, 1, 2, 3), dims(3, 1, 5, 1)],
        };
        let limits = Limits::default();
        let mut sheet = Sheet::default();
        Layout::new(&limits).add(&mut sheet, raw).unwrap();
        assert_eq!(sheet.rows.len(), 4);
        assert_eq!(
            sheet.rows[0].cells,
            vec![Cell {
                span: 3,
                ..Cell::new("标题", 0)
            }]
        );
        assert_eq!(sheet.rows[1].texts(), vec!["年度绩效指标", "一级"]);
        assert_eq!(
            sheet.rows[2].cells[0],
            Cell {
                merged_from: Some((1, 0)),
                ..Cell::new("", 0)
            }
        );
        assert_eq!(sheet.rows[3].texts(), vec!["", "效益"]);
        assert_eq!(sheet.rows[3].index, 3);
    }

    #[test]
    fn sst_lengths_follow_continue_records() {
        let mut data = vec![3, 0, 0, 0, 3, 0, 0, 0];
        data.extend_from_slice(&[2, 0, 1, b'a', 0, b'b', 0]); // wide "ab"
        data.extend_from_slice(&[5, 0, 0, b'a', b'b', b'c']); // compressed, split after 3
        let cont: &[u8] = &[1, b'd', 0, b'e', 0, 1, 0, 0x9, 1, 0, b'x', 0, 0, 0, 0, 0];
        // ^ new flags byte (now wide) + "de"; then a rich string: cch 1, cRun 1, 4-byte run.
        assert_eq!(sst_lengths(&data, &[cont]), vec![2, 5, 1]);
        assert_eq!(sst_lengths(&[0; 4], &[]), Vec::<u32>::new());
    }

    #[test]
    fn huge_merges_are_refused() {
        let raw = RawSheet {
            cells: vec![],
            merges: vec![dims(0, 0, 1_048_575, 16_383)],
        };
        let limits = Limits::default();
        assert!(matches!(
            Layout::new(&limits).add(&mut Sheet::default(), raw),
            Err(ImportError::Oversized(_))
        ));
    }
}
