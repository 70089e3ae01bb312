//! Format detection by content (never by extension: users rename files freely, and WPS
//! saves .doc/.xls names over OOXML content), and the one entry point for reading a file.

use std::fs::File;
use std::io::{Cursor, ErrorKind, Read};
use std::path::Path;

use crate::error::ImportError;
use crate::limits::Limits;
use crate::read::zipsafe::{self, SafeZip};
use crate::sheet::Sheet;

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What a file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Docx,
    Xlsx,
    Xls,
    Html,
    Text,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Docx => "Word 文档（.docx）",
            Kind::Xlsx => "Excel 表格（.xlsx）",
            Kind::Xls => "Excel 97-2003 表格（.xls）",
            Kind::Html => "网页（.html）",
            Kind::Text => "文本（.txt）",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Docx => &["docx", "docm", "dotx", "wps"],
            Kind::Xlsx => &["xlsx", "xlsm", "xltx", "et"],
            Kind::Xls => &["xls", "xlt", "et"],
            Kind::Html => &["html", "htm", "xhtml"],
            Kind::Text => &["txt", "text", "csv", "tsv"],
        }
    }
}

/// True when the bytes start with the OLE compound file (CFB) signature.
pub fn is_cfb(bytes: &[u8]) -> bool {
    bytes.starts_with(&CFB_MAGIC)
}

/// What an OLE compound file holds, judged by its top-level streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CfbKind {
    /// An encrypted OOXML package (EncryptionInfo + EncryptedPackage).
    Encrypted,
    /// A legacy Excel workbook (BIFF stream "Workbook" or "Book").
    Workbook,
    /// A legacy Word document ("WordDocument").
    Word,
    Other,
    /// Not a readable compound file.
    Corrupt,
}

pub(crate) fn inspect_cfb(bytes: &[u8]) -> CfbKind {
    let Ok(cfb) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return CfbKind::Corrupt;
    };
    let has = |name: &str| cfb.is_stream(format!("/{name}"));
    if has("EncryptionInfo") || has("EncryptedPackage") {
        CfbKind::Encrypted
    } else if has("Workbook") || has("Book") || has("WORKBOOK") || has("BOOK") {
        CfbKind::Workbook
    } else if has("WordDocument") {
        CfbKind::Word
    } else {
        CfbKind::Other
    }
}

/// The error for a compound file handed to a reader that cannot read it.
pub(crate) fn cfb_error(bytes: &[u8]) -> ImportError {
    match inspect_cfb(bytes) {
        CfbKind::Encrypted => ImportError::Encrypted,
        CfbKind::Word => ImportError::LegacyDoc,
        CfbKind::Workbook => ImportError::Unsupported("Excel 97-2003 表格，请按 .xls 导入".into()),
        CfbKind::Corrupt => ImportError::CorruptArchive("OLE 复合文档结构损坏".into()),
        CfbKind::Other => ImportError::Unsupported("OLE 复合文档".into()),
    }
}

/// Decide the format of some bytes by content.
pub fn detect(bytes: &[u8], limits: &Limits) -> Result<Kind, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    if zipsafe::is_zip(bytes) {
        let zip = SafeZip::open(bytes, limits)?;
        if zip.contains("word/document.xml") {
            return Ok(Kind::Docx);
        }
        if zip.contains("xl/workbook.xml") {
            return Ok(Kind::Xlsx);
        }
        if zip.contains("xl/workbook.bin") {
            return Err(ImportError::Unsupported(
                "Excel 二进制工作簿（.xlsb），请另存为 .xlsx".into(),
            ));
        }
        let names = zip.names();
        let has_prefix = |p: &str| names.iter().any(|n| n.starts_with(p));
        if has_prefix("ppt/") {
            return Err(ImportError::Unsupported("PowerPoint 演示文稿".into()));
        }
        if zip.contains("mimetype") || zip.contains("content.xml") {
            return Err(ImportError::Unsupported(
                "OpenDocument（.odt/.ods），请另存为 .docx 或 .xlsx".into(),
            ));
        }
        if zip.contains("_rels/.rels") {
            // An OOXML package with an unusual main part name: let the docx reader look it up.
            return Ok(Kind::Docx);
        }
        return Err(ImportError::Unsupported(
            "ZIP 压缩包，请解压后逐个导入".into(),
        ));
    }
    if is_cfb(bytes) {
        return match inspect_cfb(bytes) {
            CfbKind::Workbook => Ok(Kind::Xls),
            _ => Err(cfb_error(bytes)),
        };
    }
    let head = &bytes[..bytes.len().min(4096)];
    if head.starts_with(b"%PDF") {
        return Err(ImportError::Unsupported(
            "PDF 文件的表格读不出来；请向填报单位索取 Word/Excel 原件，或把 PDF 中的文字复制到 .txt 文件后导入".into(),
        ));
    }
    if head.starts_with(b"{\\rtf") {
        return Err(ImportError::Unsupported(
            "RTF，请在 Word/WPS 中另存为 .docx".into(),
        ));
    }
    for (magic, what) in [
        (
            &b"\x89PNG"[..],
            "PNG 图片：扫描件或截图中的文字读不出来，请提供 Word/Excel 原件",
        ),
        (
            &b"\xFF\xD8\xFF"[..],
            "JPEG 图片：扫描件或照片中的文字读不出来，请提供 Word/Excel 原件",
        ),
        (
            &b"GIF8"[..],
            "GIF 图片：图片中的文字读不出来，请提供 Word/Excel 原件",
        ),
        (&b"Rar!"[..], "RAR 压缩包"),
        (&b"7z\xBC\xAF"[..], "7z 压缩包"),
        (&b"\x1F\x8B"[..], "gzip 压缩包"),
    ] {
        if head.starts_with(magic) {
            return Err(ImportError::Unsupported(what.into()));
        }
    }
    let lower = String::from_utf8_lossy(&head[..head.len().min(1024)]).to_ascii_lowercase();
    if lower.starts_with("mime-version:") || lower.contains("multipart/related") {
        return Err(ImportError::Unsupported(
            "MHT 单个文件网页，请另存为 .htm 或 .docx".into(),
        ));
    }
    // Word/Excel 2003 XML; Word's HTML also contains <w:WordDocument>, but never this PI.
    if lower.contains("<?mso-application") {
        return Err(ImportError::Unsupported(
            "Office 2003 XML，请另存为 .docx 或 .xlsx".into(),
        ));
    }
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    if !utf16 && looks_binary(head) {
        return Err(ImportError::Unsupported("二进制文件".into()));
    }
    if looks_like_html(head) {
        return Ok(Kind::Html);
    }
    Ok(Kind::Text)
}

/// NUL bytes, or many control characters other than TAB/CR/LF/FF, mean "not text".
fn looks_binary(head: &[u8]) -> bool {
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A))
        .count();
    controls > 0 && controls * 20 >= head.len().min(400)
}

/// `<html`, `<table`, `<!doctype html` or `<body` near the start (ASCII, any case; UTF-16
/// is checked by dropping NUL bytes).
fn looks_like_html(head: &[u8]) -> bool {
    let lower: Vec<u8> = head
        .iter()
        .filter(|&&b| b != 0)
        .take(2048)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let text = String::from_utf8_lossy(&lower);
    let trimmed =
        text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{fffd}');
    if !trimmed.starts_with('<') {
        return false;
    }
    ["<html", "<table", "<!doctype html", "<body", "<meta"]
        .iter()
        .any(|m| text.contains(m))
}

/// Read a file's bytes, detecting the format by content. `name` is only used to note an
/// extension that does not match the content.
pub fn read_bytes(name: &str, bytes: &[u8], limits: &Limits) -> Result<Sheet, ImportError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    let kind = detect(bytes, limits)?;
    let mut sheet = match kind {
        Kind::Docx => crate::read::docx::read_docx(bytes, limits)?,
        Kind::Xlsx | Kind::Xls => crate::read::xlsx::read_workbook(bytes, limits)?,
        Kind::Html => crate::read::html::read_html_bytes(bytes, limits)?,
        Kind::Text => crate::read::text::read_text_with(bytes, limits)?,
    };
    limits.check_sheet(&sheet)?;
    if let Some(note) = extension_note(name, kind) {
        sheet.notes.insert(0, note);
    }
    Ok(sheet)
}

fn extension_note(name: &str, kind: Kind) -> Option<String> {
    let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
    if kind.extensions().contains(&ext.as_str()) {
        return None;
    }
    Some(format!(
        "文件扩展名为 .{ext}，但内容是{}，已按实际内容读取",
        kind.label()
    ))
}

fn io_error(e: &std::io::Error) -> ImportError {
    let reason = match e.kind() {
        ErrorKind::NotFound => "文件不存在".to_string(),
        ErrorKind::PermissionDenied => "没有读取权限".to_string(),
        ErrorKind::IsADirectory => "这是文件夹，不是文件".to_string(),
        ErrorKind::UnexpectedEof => "文件读取不完整".to_string(),
        ErrorKind::InvalidFilename | ErrorKind::InvalidInput => "文件名无效".to_string(),
        ErrorKind::OutOfMemory => "内存不足".to_string(),
        _ => "读取失败".to_string(),
    };
    ImportError::Io(reason)
}

/// Read a file from disk. The size is checked from metadata before anything is read, and
/// the read itself is capped, so a huge (or growing) file is never loaded.
pub fn read_path(path: &Path, limits: &Limits) -> Result<Sheet, ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(&e))?;
    if meta.is_dir() {
        return Err(ImportError::Io("这是文件夹，不是文件".into()));
    }
    if meta.len() > limits.max_file_bytes {
        return Err(ImportError::TooLarge {
            size: meta.len(),
            limit: limits.max_file_bytes,
        });
    }
    let file = File::open(path).map_err(|e| io_error(&e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&e))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_bytes(&name, &bytes, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        let l = Limits::default();
        assert_eq!(detect(b"\t\xE8\xA1\xA8\n", &l).unwrap(), Kind::Text);
        assert_eq!(
            detect(b"  <!DOCTYPE html><html><body>x", &l).unwrap(),
            Kind::Html
        );
        assert_eq!(
            detect(b"<table><tr><td>1</td></tr></table>", &l).unwrap(),
            Kind::Html
        );
        assert!(matches!(
            detect(b"%PDF-1.7\n", &l),
            Err(ImportError::Unsupported(_))
        ));
        assert!(matches!(
            detect(b"abc\0def", &l),
            Err(ImportError::Unsupported(_))
        ));
        assert!(matches!(
            detect(b"MIME-Version: 1.0\r\n", &l),
            Err(ImportError::Unsupported(_))
        ));
        let word2003 =
            b"<?xml version=\"1.0\"?><?mso-application progid=\"Word.Document\"?><w:wordDocument>";
        assert!(matches!(
            detect(word2003, &l),
            Err(ImportError::Unsupported(_))
        ));
        assert!(matches!(detect(b"", &l), Err(ImportError::Empty)));
        assert!(matches!(
            detect(b"PK\x03\x04garbage", &l),
            Err(ImportError::CorruptArchive(_))
        ));
        let wide: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "<html>表</html>"
                    .encode_utf16()
                    .flat_map(|u| u.to_le_bytes()),
            )
            .collect();
        assert_eq!(detect(&wide, &l).unwrap(), Kind::Html);
    }

    #[test]
    fn extension_mismatch_note() {
        assert!(extension_note("a.txt", Kind::Docx)
            .unwrap()
            .contains(".txt"));
        assert!(extension_note("a.DOCX", Kind::Docx).is_none());
        assert!(extension_note("noext", Kind::Docx).is_none());
    }
}
