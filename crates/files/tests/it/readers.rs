//! Binary-format readers: round trips of the seed through real .docx/.xlsx/.html files,
//! the committed example files, hostile inputs, and property tests.

use std::io::{Cursor, Write};

use crate::common::render::{to_docx, to_html, to_xlsx};
use crate::common::seed::{
    examples_dir, layout, plain_texts, seed_bytes, seed_text_sheet, seed_word_like, texts,
    without_lines, SEED,
};
use jixiao_files::limits::Limits;
use jixiao_files::read::docx::read_docx;
use jixiao_files::read::html::{read_html, read_html_bytes};
use jixiao_files::read::sniff::{read_bytes, read_path};
use jixiao_files::read::xlsx::read_workbook;
use jixiao_files::{Cell, ImportError, Row, Sheet};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn limits() -> Limits {
    Limits::default()
}

// ---------------------------------------------------------------------------------------
// Round trips of the seed
// ---------------------------------------------------------------------------------------

#[test]
fn word_like_seed_keeps_the_text_readers_texts() {
    let text = seed_text_sheet();
    let word = seed_word_like();
    assert_eq!(plain_texts(&word), plain_texts(&text));
    let tables = word.rows.iter().filter_map(|r| r.table).max().unwrap() + 1;
    assert!(tables >= 2, "tables: {tables}");
    assert!(
        word.rows.iter().any(|r| r.table.is_none()),
        "paragraphs present"
    );
    let merged = word
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .filter(|c| c.merged_from.is_some())
        .count();
    assert!(merged > 30, "merged cells: {merged}");
}

#[test]
fn seed_docx_reads_back_exactly() {
    let word = seed_word_like();
    let bytes = to_docx(&word);
    let read = read_docx(&bytes, &limits()).unwrap();
    assert_eq!(without_lines(&read), without_lines(&word));
    assert_eq!(plain_texts(&read), plain_texts(&seed_text_sheet()));
    // Detected by content under any name.
    let sniffed = read_bytes("填报.docx", &bytes, &limits()).unwrap();
    assert_eq!(sniffed.rows, read.rows);
    assert!(sniffed.notes.is_empty(), "{:?}", sniffed.notes);
}

#[test]
fn seed_xlsx_reads_back_to_the_same_texts() {
    let word = seed_word_like();
    let bytes = to_xlsx(&word);
    let read = read_workbook(&bytes, &limits()).unwrap();
    assert_eq!(texts(&read), texts(&word));
    assert_eq!(plain_texts(&read), plain_texts(&seed_text_sheet()));
    assert!(read.rows.iter().all(|r| r.table == Some(0)));
    // Numbers written as numbers render as typed; percentages keep their format.
    let all: Vec<&str> = read
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.text.as_str()))
        .collect();
    for want in ["185.91", "142.51", "43.4", "37", "6.4", "100%", "95%"] {
        assert!(all.contains(&want), "{want} missing");
    }
    // Merged ranges: vertical merges point at their anchor's row in the sheet.
    for row in &read.rows {
        for c in &row.cells {
            if let Some((r, col)) = c.merged_from {
                let anchor = read.rows.iter().find(|x| x.index == r).unwrap();
                assert!(anchor
                    .cells
                    .iter()
                    .any(|a| a.col == col && !a.text.is_empty()));
            }
        }
    }
}

#[test]
fn seed_html_reads_back_to_the_same_texts() {
    let word = seed_word_like();
    let page = to_html(&word, "utf-8");
    let read = read_html(&page, &limits()).unwrap();
    assert_eq!(layout(&read), layout(&word));
    // A GBK page saved by Word, declared with <meta charset>.
    let page = to_html(&word, "gb2312");
    let (gbk, _, _) = encoding_rs::GBK.encode(&page);
    let read = read_bytes("填报.htm", &gbk, &limits()).unwrap();
    assert_eq!(plain_texts(&read), plain_texts(&word));
    assert!(
        read.notes.iter().any(|n| n.contains("GBK")),
        "{:?}",
        read.notes
    );
    let read = read_html_bytes(&gbk, &limits()).unwrap();
    assert_eq!(texts(&read), texts(&word));
}

#[test]
fn seed_gb18030_text_reads_like_utf8() {
    let seed = String::from_utf8(seed_bytes()).unwrap();
    let (gb, _, bad) = encoding_rs::GB18030.encode(&seed);
    assert!(!bad);
    let read = read_bytes("seed.txt", &gb, &limits()).unwrap();
    assert_eq!(read.rows, seed_text_sheet().rows);
    assert!(read.notes[0].contains("GB18030"));
}

/// A small form with every kind of merge: a title across all columns, a vertical merge
/// three rows high, one that is two columns wide, and a row covered entirely.
fn merged_form() -> Sheet {
    fn c(text: &str, col: usize, span: usize, from: Option<(usize, usize)>) -> Cell {
        Cell {
            text: text.into(),
            col,
            span,
            merged_from: from,
            line: None,
        }
    }
    let t0 = vec![
        vec![c("2023年项目支出绩效目标表", 0, 4, None)],
        vec![c("项目名称", 0, 1, None), c("农村饮水安全工程", 1, 3, None)],
        vec![
            c("年度绩效指标", 0, 1, None),
            c("产出指标", 1, 1, None),
            c("数量指标", 2, 1, None),
            c("≥5个", 3, 1, None),
        ],
        vec![
            c("", 0, 1, Some((2, 0))),
            c("", 1, 1, Some((2, 1))),
            c("质量指标", 2, 1, None),
            c("100%", 3, 1, None),
        ],
        vec![
            c("", 0, 1, Some((2, 0))),
            c("效益指标", 1, 1, None),
            c("社会效益\n指标", 2, 2, None),
        ],
        vec![
            c("", 0, 1, Some((2, 0))),
            c("", 1, 1, Some((4, 1))),
            c("", 2, 2, Some((4, 2))),
        ],
    ];
    let t1 = vec![
        vec![
            c("序号", 0, 1, None),
            c("名  称", 1, 1, None),
            c("金额", 2, 1, None),
        ],
        vec![
            c("1", 0, 1, None),
            c("业务性专项经费", 1, 1, None),
            c("185.91", 2, 1, None),
        ],
    ];
    let mut s = Sheet::default();
    s.push_paragraph("附表1", None);
    for (i, cells) in t0.into_iter().enumerate() {
        s.rows.push(Row {
            table: Some(0),
            index: i,
            line: None,
            cells,
        });
    }
    s.push_paragraph("单位负责人签字：", None);
    for (i, cells) in t1.into_iter().enumerate() {
        s.rows.push(Row {
            table: Some(1),
            index: i,
            line: None,
            cells,
        });
    }
    s
}

#[test]
fn every_kind_of_merge_round_trips() {
    let form = merged_form();
    let docx = read_docx(&to_docx(&form), &limits()).unwrap();
    assert_eq!(docx.rows, form.rows);
    let html = read_html(&to_html(&form, "utf-8"), &limits()).unwrap();
    assert_eq!(html.rows, form.rows);
    // One worksheet: same cells row by row; anchors point at the right sheet rows.
    let xlsx = read_workbook(&to_xlsx(&form), &limits()).unwrap();
    assert_eq!(xlsx.rows.len(), form.rows.len());
    for (got, want) in xlsx.rows.iter().zip(&form.rows) {
        let shape = |r: &Row| {
            r.cells
                .iter()
                .map(|c| (c.text.clone(), c.col, c.span, c.merged_from.is_some()))
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(got), shape(want));
        for c in got.cells.iter().filter(|c| c.merged_from.is_some()) {
            let (r, col) = c.merged_from.unwrap();
            let anchor = &xlsx.rows[r];
            let a = anchor.cells.iter().find(|a| a.col == col).unwrap();
            assert!(
                a.span == c.span && a.merged_from.is_none(),
                "{a:?} for {c:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Committed example files
// ---------------------------------------------------------------------------------------

/// A tool, not a test: rewrites the example renderings
/// (`cargo test -p jixiao-files --test it readers::regenerate_examples -- --ignored`).
#[test]
#[ignore = "tool: rewrites examples/ (run with --ignored)"]
fn regenerate_examples() {
    let word = seed_word_like();
    let dir = examples_dir();
    std::fs::write(dir.join(format!("{SEED}.docx")), to_docx(&word)).unwrap();
    std::fs::write(dir.join(format!("{SEED}.xlsx")), to_xlsx(&word)).unwrap();
    let seed = String::from_utf8(seed_bytes()).unwrap();
    let (gb, _, _) = encoding_rs::GB18030.encode(&seed);
    std::fs::write(dir.join(format!("{SEED}-gb18030.txt")), gb).unwrap();
}

#[test]
fn committed_examples_stay_in_sync() {
    let dir = examples_dir();
    let word = seed_word_like();
    let docx = read_path(&dir.join(format!("{SEED}.docx")), &limits()).unwrap();
    assert_eq!(
        without_lines(&docx),
        without_lines(&word),
        "regenerate: cargo test -p jixiao-files --test it readers::regenerate_examples -- --ignored"
    );
    let xlsx = read_path(&dir.join(format!("{SEED}.xlsx")), &limits()).unwrap();
    assert_eq!(
        texts(&xlsx),
        texts(&word),
        "regenerate: cargo test -p jixiao-files --test it readers::regenerate_examples -- --ignored"
    );
    let gb = read_path(&dir.join(format!("{SEED}-gb18030.txt")), &limits()).unwrap();
    assert_eq!(gb.rows, seed_text_sheet().rows);
}

// ---------------------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------------------

/// A zip with the given (name, bytes) entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(
            *name,
            SimpleFileOptions::default().compression_method(CompressionMethod::Deflated),
        )
        .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn seed_docx() -> Vec<u8> {
    to_docx(&seed_word_like())
}

fn seed_xlsx() -> Vec<u8> {
    to_xlsx(&seed_word_like())
}

#[test]
fn truncated_docx_is_a_corrupt_archive() {
    let bytes = seed_docx();
    for len in [
        4,
        22,
        100,
        1000,
        bytes.len() / 2,
        bytes.len() - 23,
        bytes.len() - 10,
        bytes.len() - 1,
    ] {
        let cut = &bytes[..len];
        assert!(
            matches!(
                read_docx(cut, &limits()),
                Err(ImportError::CorruptArchive(_))
            ),
            "len {len}"
        );
        assert!(
            matches!(
                read_bytes("a.docx", cut, &limits()),
                Err(ImportError::CorruptArchive(_))
            ),
            "len {len}"
        );
    }
    // Very short prefixes are not even a zip header: binary, not a form.
    assert!(matches!(
        read_bytes("a.docx", &bytes[..3], &limits()),
        Err(ImportError::Unsupported(_))
    ));
}

#[test]
fn broken_document_xml_is_bad_xml() {
    let xml = br#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>ok</w:t></w:r></w:p><w:tbl><w:tr></w:tc>"#;
    let bytes = zip_of(&[("word/document.xml", xml)]);
    assert!(matches!(
        read_bytes("a.docx", &bytes, &limits()),
        Err(ImportError::BadXml(_))
    ));
    let bytes = zip_of(&[("word/document.xml", b"\xFF\xFE<\x00w\x00")]);
    assert!(matches!(
        read_bytes("a.docx", &bytes, &limits()),
        Err(ImportError::BadXml(_))
    ));
}

#[test]
fn xml_entity_bomb_is_refused_unexpanded() {
    let mut xml =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        xml.push_str(&format!(
            " <!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    xml.push_str("]>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>");
    let bytes = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", xml.as_bytes()),
    ]);
    let started = std::time::Instant::now();
    let err = read_bytes("bomb.docx", &bytes, &limits()).unwrap_err();
    assert!(matches!(err, ImportError::BadXml(_)), "{err:?}");
    assert!(started.elapsed().as_secs() < 2);
}

#[test]
fn zip_bomb_of_zeros_is_refused() {
    // 300 MiB of zeros streamed into one deflated entry (~300 KiB on disk).
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    w.start_file("word/document.xml", opts).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..300 {
        w.write_all(&chunk).unwrap();
    }
    let bytes = w.finish().unwrap().into_inner();
    assert!(bytes.len() < 2 << 20, "bomb is small: {}", bytes.len());
    let err = read_bytes("bomb.docx", &bytes, &limits()).unwrap_err();
    assert!(matches!(err, ImportError::ZipBomb(_)), "{err:?}");
    assert!(matches!(
        read_workbook(&bytes, &limits()),
        Err(ImportError::ZipBomb(_))
    ));
}

#[test]
fn zip_bomb_by_ratio_and_totals_is_refused() {
    // 16 MiB of zeros: under the size limit, but 1000:1.
    let zeros = vec![0u8; 16 << 20];
    let bytes = zip_of(&[("word/document.xml", &zeros)]);
    assert!(matches!(
        read_bytes("a.docx", &bytes, &limits()),
        Err(ImportError::ZipBomb(_))
    ));
    // Incompressible entries whose sum is over the total.
    let mut x: u32 = 0x1234_5678;
    let noise: Vec<u8> = (0..600_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let bytes = zip_of(&[
        ("xl/workbook.xml", &noise),
        ("xl/a.xml", &noise),
        ("xl/b.xml", &noise),
    ]);
    let small = Limits {
        max_uncompressed_total: 1 << 20,
        ..limits()
    };
    assert!(matches!(
        read_workbook(&bytes, &small),
        Err(ImportError::ZipBomb(_))
    ));
    let one = Limits {
        max_entry_bytes: 500_000,
        ..limits()
    };
    assert!(matches!(
        read_workbook(&bytes, &one),
        Err(ImportError::ZipBomb(_))
    ));
    // Too many entries.
    let names: Vec<String> = (0..30).map(|i| format!("word/p{i}.xml")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"<x/>"[..])).collect();
    let bytes = zip_of(&entries);
    let few = Limits {
        max_entries: 10,
        ..limits()
    };
    assert!(matches!(
        read_bytes("a.docx", &bytes, &few),
        Err(ImportError::ZipBomb(_))
    ));
}

/// Patch the declared uncompressed size of every entry (local and central headers).
fn declare_size(zip: &mut [u8], size: u32) {
    let mut i = 0;
    while i + 30 <= zip.len() {
        match &zip[i..i + 4] {
            [0x50, 0x4b, 0x03, 0x04] => zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes()),
            [0x50, 0x4b, 0x01, 0x02] => zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes()),
            _ => {}
        }
        i += 1;
    }
}

#[test]
fn declared_sizes_are_checked_and_never_trusted() {
    // Declared 300 MB: refused before inflating anything.
    let mut bytes = seed_docx();
    declare_size(&mut bytes, 300_000_000);
    assert!(matches!(
        read_bytes("a.docx", &bytes, &limits()),
        Err(ImportError::ZipBomb(_))
    ));
    // Declared tiny, actually large: reading stops at the declared size and fails the CRC.
    let zeros = vec![b'a'; 4 << 20];
    let mut bytes = zip_of(&[("word/document.xml", &zeros)]);
    declare_size(&mut bytes, 1000);
    let err = read_bytes("a.docx", &bytes, &limits()).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::CorruptArchive(_) | ImportError::ZipBomb(_)
        ),
        "{err:?}"
    );
}

/// A CFB container with the given streams.
fn cfb_of(streams: &[(&str, &[u8])]) -> Vec<u8> {
    // Version 3 (512-byte sectors), as Office writes; calamine's own CFB reader needs it.
    let mut c =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new())).unwrap();
    for (name, data) in streams {
        c.create_stream(name).unwrap().write_all(data).unwrap();
    }
    c.flush().unwrap();
    c.into_inner().into_inner()
}

#[test]
fn encrypted_and_legacy_ole_files() {
    let enc = cfb_of(&[
        ("/EncryptionInfo", &[4, 0, 4, 0, 0x40, 0, 0, 0]),
        ("/EncryptedPackage", &[0u8; 4096]),
    ]);
    for name in ["a.docx", "a.xlsx", "a.txt"] {
        assert_eq!(
            read_bytes(name, &enc, &limits()).unwrap_err(),
            ImportError::Encrypted
        );
    }
    assert_eq!(
        read_docx(&enc, &limits()).unwrap_err(),
        ImportError::Encrypted
    );
    assert_eq!(
        read_workbook(&enc, &limits()).unwrap_err(),
        ImportError::Encrypted
    );
    let doc = cfb_of(&[("/WordDocument", &[0u8; 1024]), ("/1Table", &[0u8; 512])]);
    assert_eq!(
        read_bytes("a.doc", &doc, &limits()).unwrap_err(),
        ImportError::LegacyDoc
    );
    assert_eq!(
        read_bytes("a.docx", &doc, &limits()).unwrap_err(),
        ImportError::LegacyDoc
    );
    let other = cfb_of(&[("/Contents", &[1u8; 100])]);
    assert!(matches!(
        read_bytes("a.msg", &other, &limits()),
        Err(ImportError::Unsupported(_))
    ));
    let mut header_only = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    header_only.extend_from_slice(&[0u8; 600]);
    assert!(matches!(
        read_bytes("a.xls", &header_only, &limits()),
        Err(ImportError::CorruptArchive(_))
    ));
    let garbage_book = cfb_of(&[("/Workbook", &[0x09, 0x08, 0x02])]);
    assert!(matches!(
        read_bytes("a.xls", &garbage_book, &limits()),
        Err(ImportError::Spreadsheet(_))
    ));
}

#[test]
fn encrypted_zip_entry_is_encrypted() {
    let mut bytes = seed_docx();
    // Set "encrypted" (general purpose bit 0) in every local and central header.
    let mut i = 0;
    while i + 10 <= bytes.len() {
        match &bytes[i..i + 4] {
            [0x50, 0x4b, 0x03, 0x04] => bytes[i + 6] |= 1,
            [0x50, 0x4b, 0x01, 0x02] => bytes[i + 8] |= 1,
            _ => {}
        }
        i += 1;
    }
    assert_eq!(
        read_bytes("a.docx", &bytes, &limits()).unwrap_err(),
        ImportError::Encrypted
    );
}

// A minimal BIFF8 workbook, written record by record.
fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut v = typ.to_le_bytes().to_vec();
    v.extend_from_slice(&(data.len() as u16).to_le_bytes());
    v.extend_from_slice(data);
    v
}

fn bof(dt: u16) -> Vec<u8> {
    let mut d = vec![0x00, 0x06];
    d.extend_from_slice(&dt.to_le_bytes());
    d.extend_from_slice(&[0u8; 12]);
    rec(0x0809, &d)
}

fn label(r: u16, c: u16, s: &str) -> Vec<u8> {
    let utf16: Vec<u16> = s.encode_utf16().collect();
    let mut d = Vec::new();
    for v in [r, c, 0, utf16.len() as u16] {
        d.extend_from_slice(&v.to_le_bytes());
    }
    d.push(1);
    for u in utf16 {
        d.extend_from_slice(&u.to_le_bytes());
    }
    rec(0x0204, &d)
}

fn number(r: u16, c: u16, v: f64) -> Vec<u8> {
    let mut d = Vec::new();
    for x in [r, c, 0] {
        d.extend_from_slice(&x.to_le_bytes());
    }
    d.extend_from_slice(&v.to_le_bytes());
    rec(0x0203, &d)
}

/// An .xls with one sheet "表1" holding `cells` and `merges`; `globals_extra` goes into the
/// workbook globals.
fn xls_of(cells: Vec<Vec<u8>>, merges: &[(u16, u16, u16, u16)], globals_extra: Vec<u8>) -> Vec<u8> {
    cfb_of(&[("/Workbook", &xls_stream(cells, merges, globals_extra))])
}

/// The BIFF8 "Workbook" stream of [`xls_of`].
fn xls_stream(
    cells: Vec<Vec<u8>>,
    merges: &[(u16, u16, u16, u16)],
    globals_extra: Vec<u8>,
) -> Vec<u8> {
    let name: Vec<u16> = "表1".encode_utf16().collect();
    let mut sheet_meta = vec![0u8; 4];
    sheet_meta.extend_from_slice(&[0, 0, name.len() as u8, 1]);
    for u in &name {
        sheet_meta.extend_from_slice(&u.to_le_bytes());
    }
    let mut globals = bof(0x0005);
    globals.extend(globals_extra);
    globals.extend(rec(0x0042, &1200u16.to_le_bytes()));
    let bs_at = globals.len() + 4;
    globals.extend(rec(0x0085, &sheet_meta));
    globals.extend(rec(0x000A, &[]));
    let pos = globals.len() as u32;
    globals[bs_at..bs_at + 4].copy_from_slice(&pos.to_le_bytes());
    let mut sheet = bof(0x0010);
    for c in cells {
        sheet.extend(c);
    }
    if !merges.is_empty() {
        let mut d = (merges.len() as u16).to_le_bytes().to_vec();
        for (r0, r1, c0, c1) in merges {
            for v in [r0, r1, c0, c1] {
                d.extend_from_slice(&v.to_le_bytes());
            }
        }
        sheet.extend(rec(0x00E5, &d));
    }
    sheet.extend(rec(0x000A, &[]));
    globals.extend(sheet);
    globals
}

fn sample_xls_stream() -> Vec<u8> {
    xls_stream(
        vec![
            label(0, 0, "项目支出绩效目标表"),
            label(1, 0, "年度绩效指标"),
            label(1, 1, "一级指标"),
            label(2, 1, "产出指标"),
            number(2, 2, 185.91),
            number(3, 2, 37.0),
        ],
        &[(0, 0, 0, 2), (1, 3, 0, 0)],
        Vec::new(),
    )
}

#[test]
fn legacy_xls_reads_with_merges_and_numbers() {
    let bytes = cfb_of(&[("/Workbook", &sample_xls_stream())]);
    let s = read_bytes("表.xls", &bytes, &limits()).unwrap();
    assert_eq!(s.rows.len(), 4);
    assert_eq!(s.rows[0].cells[0].span, 3);
    assert_eq!(s.rows[0].texts(), vec!["项目支出绩效目标表"]);
    assert_eq!(s.rows[2].texts(), vec!["", "产出指标", "185.91"]);
    assert_eq!(s.rows[2].cells[0].merged_from, Some((1, 0)));
    assert_eq!(s.rows[3].texts(), vec!["", "", "37"]);
    // Found by the mutation tests (calamine panics on these; refused before it sees them):
    // a sheet directory entry pointing past the stream, a short one, a short MERGECELLS.
    let malformed = ImportError::Spreadsheet("旧版 .xls 文件记录损坏".into());
    let mut stream = sample_xls_stream();
    let bs = stream.windows(2).position(|w| w == [0x85, 0x00]).unwrap() + 4;
    stream[bs..bs + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        read_bytes("a.xls", &cfb_of(&[("/Workbook", &stream)]), &limits()).unwrap_err(),
        malformed
    );
    let mut stream = sample_xls_stream();
    stream[bs - 2] = 5; // BoundSheet length 5: calamine reads data[5]
    assert!(read_bytes("a.xls", &cfb_of(&[("/Workbook", &stream)]), &limits()).is_err());
    let short_merge = xls_of(
        vec![label(0, 0, "x"), rec(0x00E5, &[9, 0, 0, 0])],
        &[],
        Vec::new(),
    );
    assert_eq!(
        read_bytes("a.xls", &short_merge, &limits()).unwrap_err(),
        malformed
    );
    // FILEPASS: encrypted.
    let enc = xls_of(vec![label(0, 0, "x")], &[], rec(0x002F, &[1, 0, 1, 0]));
    assert_eq!(
        read_bytes("a.xls", &enc, &limits()).unwrap_err(),
        ImportError::Encrypted
    );
}

fn label_sst(r: u16, c: u16, isst: u32) -> Vec<u8> {
    let mut d = Vec::new();
    for v in [r, c, 0] {
        d.extend_from_slice(&v.to_le_bytes());
    }
    d.extend_from_slice(&isst.to_le_bytes());
    rec(0x00FD, &d)
}

/// An SST record holding `strings` (UTF-16), with the last string's characters split into
/// CONTINUE records of `chunk` characters each (every CONTINUE starts with a flags byte).
fn sst(strings: &[&str], chunk: usize) -> Vec<u8> {
    let mut head = Vec::new();
    head.extend_from_slice(&(strings.len() as u32).to_le_bytes());
    head.extend_from_slice(&(strings.len() as u32).to_le_bytes());
    let mut conts: Vec<Vec<u8>> = Vec::new();
    for (i, s) in strings.iter().enumerate() {
        let units: Vec<u16> = s.encode_utf16().collect();
        head.extend_from_slice(&(units.len() as u16).to_le_bytes());
        head.push(1);
        let last = i + 1 == strings.len();
        let (first, rest) = if last {
            units.split_at(chunk.min(units.len()))
        } else {
            (&units[..], &[][..])
        };
        for u in first {
            head.extend_from_slice(&u.to_le_bytes());
        }
        for part in rest.chunks(chunk) {
            let mut c = vec![1u8];
            for u in part {
                c.extend_from_slice(&u.to_le_bytes());
            }
            conts.push(c);
        }
    }
    let mut out = rec(0x00FC, &head);
    for c in conts {
        out.extend(rec(0x003C, &c));
    }
    out
}

#[test]
fn xls_shared_strings_read_and_are_bounded() {
    let long = "长".repeat(3000);
    let bytes = xls_of(
        vec![label_sst(0, 0, 0), label_sst(1, 0, 1), label_sst(1, 1, 2)],
        &[],
        sst(&["绩效目标", "产出指标", &long], 1000),
    );
    let s = read_bytes("a.xls", &bytes, &limits()).unwrap();
    assert_eq!(s.rows[0].texts(), vec!["绩效目标"]);
    assert_eq!(s.rows[1].cells[1].text, long);
    // 40 000 cells showing one 3 000-character string: 360 MB of copies inside calamine.
    let cells: Vec<Vec<u8>> = (0..40_000u32)
        .map(|i| label_sst((i / 200) as u16, (i % 200) as u16, 0))
        .collect();
    let bomb = xls_of(cells, &[], sst(&[&long], 1000));
    let started = std::time::Instant::now();
    assert!(matches!(
        read_bytes("a.xls", &bomb, &limits()),
        Err(ImportError::Oversized(_))
    ));
    assert!(started.elapsed().as_secs() < 2);
}

#[test]
fn xls_that_would_allocate_huge_grids_is_refused() {
    // Two cells far apart: a dense 65 536 × 256 grid.
    let far = xls_of(
        vec![label(0, 0, "a"), label(65_535, 255, "b")],
        &[],
        Vec::new(),
    );
    assert!(matches!(
        read_bytes("a.xls", &far, &limits()),
        Err(ImportError::Oversized(_))
    ));
    // A DIMENSIONS record claiming 4 billion rows (calamine reserves rows × cols).
    let mut dims = Vec::new();
    for v in [0u32, u32::MAX] {
        dims.extend_from_slice(&v.to_le_bytes());
    }
    dims.extend_from_slice(&[0, 0, 10, 0, 0, 0]);
    let huge = xls_of(vec![rec(0x0200, &dims), label(0, 0, "a")], &[], Vec::new());
    assert!(matches!(
        read_bytes("a.xls", &huge, &limits()),
        Err(ImportError::Oversized(_))
    ));
    // Inverted DIMENSIONS (first row after last): would underflow inside calamine.
    let mut inv = Vec::new();
    for v in [10u32, 3] {
        inv.extend_from_slice(&v.to_le_bytes());
    }
    inv.extend_from_slice(&[0, 0, 1, 0, 0, 0]);
    let inverted = xls_of(vec![rec(0x0200, &inv), label(0, 0, "a")], &[], Vec::new());
    assert!(matches!(
        read_bytes("a.xls", &inverted, &limits()),
        Err(ImportError::Oversized(_))
    ));
}

#[test]
fn huge_xlsx_merges_and_far_cells_are_bounded() {
    // One merged range over the whole sheet, patched into a small workbook (writing it with
    // rust_xlsxwriter would fill millions of blank cells).
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "全表合并").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
    let mut parts = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        if f.name().unwrap().ends_with("sheet1.xml") {
            let xml = String::from_utf8(data).unwrap().replace(
                "</sheetData>",
                "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:XFD1048576\"/></mergeCells>",
            );
            data = xml.into_bytes();
        }
        parts.push((f.name().unwrap().to_string(), data));
    }
    let refs: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let bytes = zip_of(&refs);
    assert!(matches!(
        read_workbook(&bytes, &limits()),
        Err(ImportError::Oversized(_))
    ));
    // Cells in A1 and XFD1048576: streamed, not a dense 17-billion-cell grid.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "左上").unwrap();
    ws.write_string(1_048_575, 16_383, "右下").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let s = read_workbook(&bytes, &limits()).unwrap();
    assert_eq!(s.rows.len(), 2);
    assert_eq!(s.rows[1].cells.len(), 16_384);
    assert_eq!(s.rows[1].cells[16_383].text, "右下");
}

#[test]
fn xlsx_sheets_are_tables_in_order() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet()
        .set_name("汇总表")
        .unwrap()
        .write_string(0, 0, "汇总")
        .unwrap();
    wb.add_worksheet().set_name("空表").unwrap();
    let hidden = wb.add_worksheet().set_name("隐藏").unwrap();
    hidden.write_number(0, 1, 0.1 + 0.2).unwrap();
    hidden.set_hidden(true);
    let s = read_workbook(&wb.save_to_buffer().unwrap(), &limits()).unwrap();
    assert_eq!(s.rows.len(), 2);
    assert_eq!(
        (s.rows[0].table, s.rows[0].texts()),
        (Some(0), vec!["汇总"])
    );
    // The empty sheet makes no table; columns start at the first used one.
    assert_eq!((s.rows[1].table, s.rows[1].texts()), (Some(1), vec!["0.3"]));
    assert!(s.notes.iter().any(|n| n.contains("隐藏")), "{:?}", s.notes);
}

#[test]
fn xlsx_shared_string_copies_are_bounded() {
    // One 30 000-character shared string shown in 400 cells: 36 MB of text from a small file.
    let long = "长".repeat(30_000);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for i in 0..400u32 {
        ws.write_string(i / 20, (i % 20) as u16, &long).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    assert!(bytes.len() < 1 << 20);
    let tight = Limits {
        max_text_bytes: 16 << 20,
        max_cell_chars: 100_000,
        ..limits()
    };
    let err = read_workbook(&bytes, &tight).unwrap_err();
    assert!(
        matches!(err, ImportError::Oversized(ref m) if m.contains("文字总量")),
        "{err:?}"
    );
}

#[test]
fn hostile_table_shapes_stay_linear() {
    let started = std::time::Instant::now();
    // docx: 20 000 vertical merges open at once, continued by the next rows.
    let restart = "<w:tc><w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>";
    let cont = "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>";
    let mut xml = String::from("<w:document xmlns:w=\"x\"><w:body><w:tbl><w:tr>");
    xml.push_str(&restart.repeat(20_000));
    xml.push_str("</w:tr>");
    for _ in 0..3 {
        xml.push_str("<w:tr>");
        xml.push_str(&cont.repeat(20_000));
        xml.push_str("</w:tr>");
    }
    // One cell with 40 000 paragraphs.
    xml.push_str("<w:tr><w:tc>");
    xml.push_str(&"<w:p><w:r><w:t>段</w:t></w:r></w:p>".repeat(40_000));
    xml.push_str("</w:tc></w:tr></w:tbl></w:body></w:document>");
    let bytes = zip_of(&[("word/document.xml", xml.as_bytes())]);
    // A cell of 40 000 paragraphs is over the default cell length; allow it here.
    let long_cells = Limits {
        max_cell_chars: 100_000,
        ..limits()
    };
    let s = read_bytes("a.docx", &bytes, &long_cells).unwrap();
    assert_eq!(s.rows[3].cells[19_999].merged_from, Some((0, 19_999)));
    // html: 20 000 rowspans open at once, then rows whose colspan overlaps all of them.
    let mut page = String::from("<table><tr>");
    page.push_str(&"<td rowspan=100>x".repeat(20_000));
    for _ in 0..5 {
        page.push_str("<tr><td colspan=1000>y");
    }
    page.push_str("</table>");
    let s = read_html(&page, &limits()).unwrap();
    assert_eq!(s.rows.len(), 6);
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
}

#[test]
fn one_gigabyte_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.docx");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(1 << 30).unwrap();
    let started = std::time::Instant::now();
    let err = read_path(&path, &limits()).unwrap_err();
    assert_eq!(
        err,
        ImportError::TooLarge {
            size: 1 << 30,
            limit: limits().max_file_bytes
        }
    );
    assert!(started.elapsed().as_millis() < 500);
}

#[test]
fn io_errors_are_short_and_chinese() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        read_path(&dir.path().join("没有.docx"), &limits()).unwrap_err(),
        ImportError::Io("文件不存在".into())
    );
    assert!(
        matches!(read_path(dir.path(), &limits()), Err(ImportError::Io(m)) if m.contains("文件夹"))
    );
}

#[test]
fn empty_and_not_a_form() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("空.txt");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(
        read_path(&empty, &limits()).unwrap_err(),
        ImportError::Empty
    );
    assert_eq!(
        read_bytes("a.docx", b"", &limits()).unwrap_err(),
        ImportError::Empty
    );
    assert_eq!(
        read_bytes("a.txt", b" \r\n\t\n", &limits()).unwrap_err(),
        ImportError::Empty
    );
    // Text that is not a form still reads; deciding "not a form" is the recogniser's job.
    let s = read_bytes(
        "随笔.txt",
        "今天天气不错。\n明天也不错。\n".as_bytes(),
        &limits(),
    )
    .unwrap();
    assert_eq!(s.rows.len(), 2);
    assert!(matches!(
        read_bytes("a.pdf", b"%PDF-1.4\n%\xE2\xE3", &limits()),
        Err(ImportError::Unsupported(_))
    ));
    assert!(matches!(
        read_bytes("a.png", b"\x89PNG\r\n\x1a\n\0\0", &limits()),
        Err(ImportError::Unsupported(_))
    ));
}

#[test]
fn wrong_extensions_are_read_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let word = seed_word_like();
    let as_txt = dir.path().join("填报.txt");
    std::fs::write(&as_txt, to_docx(&word)).unwrap();
    let s = read_path(&as_txt, &limits()).unwrap();
    assert_eq!(without_lines(&s), without_lines(&word));
    assert!(
        s.notes[0].contains(".txt") && s.notes[0].contains("docx"),
        "{:?}",
        s.notes
    );
    let as_docx = dir.path().join("填报.docx");
    std::fs::write(&as_docx, seed_bytes()).unwrap();
    let s = read_path(&as_docx, &limits()).unwrap();
    assert_eq!(s.rows, seed_text_sheet().rows);
    let as_xls = dir.path().join("填报.xls");
    std::fs::write(&as_xls, to_xlsx(&word)).unwrap();
    let s = read_path(&as_xls, &limits()).unwrap();
    assert_eq!(texts(&s), texts(&word));
}

#[test]
fn row_and_cell_limits_apply_to_every_format() {
    let word = seed_word_like();
    let tight = Limits {
        max_rows: 20,
        ..limits()
    };
    for (name, bytes) in [
        ("a.docx", to_docx(&word)),
        ("a.xlsx", to_xlsx(&word)),
        ("a.htm", to_html(&word, "utf-8").into_bytes()),
    ] {
        assert!(
            matches!(
                read_bytes(name, &bytes, &tight),
                Err(ImportError::Oversized(_))
            ),
            "{name}"
        );
    }
    let short = Limits {
        max_cell_chars: 50,
        ..limits()
    };
    for (name, bytes) in [
        ("a.docx", to_docx(&word)),
        ("a.xlsx", to_xlsx(&word)),
        ("a.htm", to_html(&word, "utf-8").into_bytes()),
        ("a.txt", seed_bytes()),
    ] {
        assert!(
            matches!(
                read_bytes(name, &bytes, &short),
                Err(ImportError::Oversized(_))
            ),
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Property tests: nothing panics, whatever the bytes
// ---------------------------------------------------------------------------------------

mod props {
    use std::io::Read;
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;

    fn docx() -> &'static [u8] {
        static B: OnceLock<Vec<u8>> = OnceLock::new();
        B.get_or_init(seed_docx)
    }

    fn xlsx() -> &'static [u8] {
        static B: OnceLock<Vec<u8>> = OnceLock::new();
        B.get_or_init(seed_xlsx)
    }

    /// Entries of a zip, uncompressed.
    fn entries(zip: &[u8]) -> &'static Vec<(String, Vec<u8>)> {
        static D: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
        static X: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
        let cell = if zip.as_ptr() == docx().as_ptr() {
            &D
        } else {
            &X
        };
        cell.get_or_init(|| {
            let mut a = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
            (0..a.len())
                .map(|i| {
                    let mut f = a.by_index(i).unwrap();
                    let mut v = Vec::new();
                    f.read_to_end(&mut v).unwrap();
                    (f.name().unwrap().to_string(), v)
                })
                .collect()
        })
    }

    fn mutate(mut bytes: Vec<u8>, flips: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
        for &(i, b) in flips {
            let n = bytes.len();
            if n > 0 {
                bytes[i % n] = b;
            }
        }
        if let Some(c) = cut {
            let n = bytes.len();
            bytes.truncate(c % (n + 1));
        }
        bytes
    }

    /// Rezip the seed with one part's bytes mutated, so the XML parsers see the damage
    /// (flipping compressed bytes mostly just fails the CRC).
    fn mutate_part(zip: &[u8], part: usize, flips: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
        let parts = entries(zip);
        let target = part % parts.len();
        let owned: Vec<(String, Vec<u8>)> = parts
            .iter()
            .enumerate()
            .map(|(i, (n, d))| {
                (
                    n.clone(),
                    if i == target {
                        mutate(d.clone(), flips, cut)
                    } else {
                        d.clone()
                    },
                )
            })
            .collect();
        let refs: Vec<(&str, &[u8])> = owned
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        zip_of(&refs)
    }

    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(128)
    }

    fn no_panic(name: &str, bytes: &[u8]) {
        let small = Limits {
            max_rows: 5_000,
            max_cells: 100_000,
            ..Limits::default()
        };
        let _ = read_bytes(name, bytes, &small);
    }

    proptest! {
        // PROPTEST_CASES=5000 for a longer hunt; 128 keeps the suite fast.
        #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            no_panic("x.docx", &bytes);
        }

        #[test]
        fn arbitrary_after_magic(magic in 0usize..4, tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let head: &[u8] = match magic {
                0 => b"PK\x03\x04",
                1 => &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
                2 => b"<html><table><tr><td rowspan=",
                _ => b"\t",
            };
            let mut bytes = head.to_vec();
            bytes.extend(tail);
            no_panic("x", &bytes);
        }

        #[test]
        fn mutated_docx(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16), cut in proptest::option::of(any::<usize>())) {
            no_panic("a.docx", &mutate(docx().to_vec(), &flips, cut));
        }

        #[test]
        fn mutated_docx_parts(part in any::<usize>(), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16), cut in proptest::option::of(any::<usize>())) {
            no_panic("a.docx", &mutate_part(docx(), part, &flips, cut));
        }

        #[test]
        fn mutated_xlsx(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16), cut in proptest::option::of(any::<usize>())) {
            no_panic("a.xlsx", &mutate(xlsx().to_vec(), &flips, cut));
        }

        #[test]
        fn mutated_xlsx_parts(part in any::<usize>(), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16), cut in proptest::option::of(any::<usize>())) {
            no_panic("a.xlsx", &mutate_part(xlsx(), part, &flips, cut));
        }

        #[test]
        fn mutated_xls_stream(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16), cut in proptest::option::of(any::<usize>())) {
            let stream = mutate(sample_xls_stream(), &flips, cut);
            no_panic("a.xls", &cfb_of(&[("/Workbook", &stream)]));
        }

        #[test]
        fn mutated_xls_container(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16), cut in proptest::option::of(any::<usize>())) {
            let bytes = cfb_of(&[("/Workbook", &sample_xls_stream())]);
            no_panic("a.xls", &mutate(bytes, &flips, cut));
        }

        #[test]
        fn html_soup(s in "([<>/=\"' &#;x0-9a-z]|td|tr|table|rowspan=|colspan=|<br>|&nbsp;|表){0,200}") {
            let _ = read_html(&s, &Limits::default());
        }
    }
}

#[allow(dead_code)]
fn debug_rows(s: &Sheet) -> String {
    s.rows
        .iter()
        .map(|r| format!("{:?} {:?}\n", r.table, r.texts()))
        .collect()
}
