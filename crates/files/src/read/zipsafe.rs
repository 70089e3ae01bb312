//! Opening untrusted zip archives (.docx, .xlsx) without trusting anything they declare.
//!
//! Checks, in order: the entry count in the end-of-central-directory record (before the zip
//! crate allocates one record per entry), every entry's declared size and ratio, the sum of
//! declared sizes, and finally the bytes actually inflated, read through `Read::take` so a
//! lying header can never make us read more than the limit.

use std::io::{self, Cursor, Read};

use zip::result::ZipError;
use zip::ZipArchive;

use crate::error::ImportError;
use crate::limits::Limits;

/// A zip archive whose directory passed the declared-size checks.
pub struct SafeZip<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
    /// Uncompressed bytes actually read so far, across entries.
    total_read: u64,
}

/// True when the bytes start like a zip archive (local header, empty or spanned archive).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(b"PK\x05\x06")
        || bytes.starts_with(b"PK\x07\x08")
}

fn corrupt(e: ZipError) -> ImportError {
    let reason = match e {
        ZipError::Io(_) => "数据不完整",
        ZipError::InvalidArchive(_) => "目录结构损坏",
        ZipError::UnsupportedArchive(_) => "使用了不支持的压缩格式",
        ZipError::FileNotFound => "缺少必要的部件",
        ZipError::CompressionMethodNotSupported(_) => "使用了不支持的压缩方式",
        _ => "无法解析",
    };
    ImportError::CorruptArchive(reason.into())
}

fn bomb(what: String) -> ImportError {
    ImportError::ZipBomb(what)
}

fn mib(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{} MiB", n / (1024 * 1024))
    } else {
        format!("{n} 字节")
    }
}

/// Entry count from the end-of-central-directory record (zip64 aware), without parsing
/// the directory. `None` when no record is found (the zip crate then reports corruption).
fn declared_entry_count(bytes: &[u8]) -> Option<u64> {
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    let min_start = bytes.len().saturating_sub(22 + 65_535);
    let last = bytes.len().checked_sub(22)?;
    let pos = (min_start..=last)
        .rev()
        .find(|&p| bytes[p..p + 4] == EOCD)?;
    let count = u16::from_le_bytes([bytes[pos + 10], bytes[pos + 11]]) as u64;
    if count != 0xFFFF {
        return Some(count);
    }
    // Zip64: locator sits right before the EOCD and points at the zip64 EOCD record.
    let loc = pos.checked_sub(20)?;
    if bytes[loc..loc + 4] != [0x50, 0x4b, 0x06, 0x07] {
        return Some(count);
    }
    let off = u64::from_le_bytes(bytes[loc + 8..loc + 16].try_into().ok()?);
    let off = usize::try_from(off).ok()?;
    let rec = bytes.get(off..off.checked_add(56)?)?;
    if rec[..4] != [0x50, 0x4b, 0x06, 0x06] {
        return Some(u64::MAX);
    }
    Some(u64::from_le_bytes(rec[32..40].try_into().ok()?))
}

impl<'a> SafeZip<'a> {
    /// Open an archive and check the entry count and every entry's declared size and ratio.
    pub fn open(bytes: &'a [u8], limits: &Limits) -> Result<SafeZip<'a>, ImportError> {
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(ImportError::TooLarge {
                size: bytes.len() as u64,
                limit: limits.max_file_bytes,
            });
        }
        if let Some(n) = declared_entry_count(bytes) {
            if n > limits.max_entries {
                return Err(bomb(format!(
                    "压缩包内条目数 {n} 超过上限 {}",
                    limits.max_entries
                )));
            }
        }
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
        if archive.len() as u64 > limits.max_entries {
            return Err(bomb(format!(
                "压缩包内条目数 {} 超过上限 {}",
                archive.len(),
                limits.max_entries
            )));
        }
        let zip = SafeZip {
            archive,
            limits: limits.clone(),
            total_read: 0,
        };
        zip.check_declared()?;
        Ok(zip)
    }

    /// Refuse entries whose declared sizes or ratios exceed the limits.
    fn check_declared(&self) -> Result<(), ImportError> {
        let l = &self.limits;
        let mut total: u64 = 0;
        for i in 0..self.archive.len() {
            let entry = self.archive.by_index_data(i).map_err(corrupt)?;
            let size = entry.size();
            if size > l.max_entry_bytes {
                return Err(bomb(format!(
                    "单个部件声明解压后 {}，上限 {}",
                    mib(size),
                    mib(l.max_entry_bytes)
                )));
            }
            if size > l.ratio_floor && size / entry.compressed_size().max(1) > l.max_ratio {
                return Err(bomb(format!("压缩比超过 {}:1", l.max_ratio)));
            }
            total = total.saturating_add(size);
        }
        if total > l.max_uncompressed_total {
            return Err(bomb(format!(
                "声明解压后共 {}，上限 {}",
                mib(total),
                mib(l.max_uncompressed_total)
            )));
        }
        Ok(())
    }

    /// Names of all entries (lossy for non-UTF-8 names).
    pub fn names(&self) -> Vec<String> {
        self.archive
            .file_names_raw()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect()
    }

    /// Index of an entry: exact name first, then ignoring ASCII case and a leading `/`
    /// (some generators write `/word/document.xml` or `Word/Document.xml`).
    fn index_of(&self, name: &str) -> Option<usize> {
        self.archive.index_for_name(name).or_else(|| {
            self.archive.file_names_raw().position(|raw| {
                let raw = raw.strip_prefix(b"/").unwrap_or(raw);
                raw.eq_ignore_ascii_case(name.as_bytes())
            })
        })
    }

    /// True when the archive has an entry with this name (see `index_of` for tolerance).
    pub fn contains(&self, name: &str) -> bool {
        self.index_of(name).is_some()
    }

    /// True when any entry is encrypted (ZipCrypto or AES).
    pub fn any_encrypted(&self) -> bool {
        (0..self.archive.len()).any(|i| {
            self.archive
                .by_index_data(i)
                .map(|e| e.encrypted())
                .unwrap_or(false)
        })
    }

    /// Read one entry fully, never more than the per-entry and remaining total limits.
    /// `Ok(None)` when there is no such entry.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ImportError> {
        let Some(index) = self.index_of(name) else {
            return Ok(None);
        };
        let mut out = Vec::new();
        self.stream(index, &mut out)?;
        Ok(Some(out))
    }

    /// Inflate every entry into a sink, checking actual sizes and ratios. Used before handing
    /// the archive to a library (calamine) that inflates on its own.
    pub fn verify_all(&mut self) -> Result<(), ImportError> {
        for i in 0..self.archive.len() {
            self.stream(i, &mut io::sink())?;
        }
        Ok(())
    }

    fn stream(&mut self, index: usize, out: &mut dyn io::Write) -> Result<(), ImportError> {
        let l = self.limits.clone();
        let remaining_total = l.max_uncompressed_total.saturating_sub(self.total_read);
        let cap = l.max_entry_bytes.min(remaining_total);
        let mut entry = match self.archive.by_index(index) {
            Ok(e) => e,
            Err(ZipError::UnsupportedArchive(msg)) if msg == ZipError::PASSWORD_REQUIRED => {
                return Err(ImportError::Encrypted);
            }
            Err(e) => return Err(corrupt(e)),
        };
        if entry.encrypted() {
            return Err(ImportError::Encrypted);
        }
        let compressed = entry.compressed_size().max(1);
        // One more byte than allowed tells "exactly at the cap" from "over the cap".
        let mut limited = (&mut entry).take(cap.saturating_add(1));
        let mut buf = [0u8; 16 * 1024];
        let mut read: u64 = 0;
        loop {
            let n = match limited.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return Err(ImportError::CorruptArchive("数据校验失败或不完整".into())),
            };
            read += n as u64;
            if read > cap {
                return Err(if cap < l.max_entry_bytes {
                    bomb(format!("解压后总量超过 {}", mib(l.max_uncompressed_total)))
                } else {
                    bomb(format!("单个部件解压后超过 {}", mib(l.max_entry_bytes)))
                });
            }
            if read > l.ratio_floor && read / compressed > l.max_ratio {
                return Err(bomb(format!("实际压缩比超过 {}:1", l.max_ratio)));
            }
            out.write_all(&buf[..n])
                .map_err(|_| ImportError::Io("写入内存失败".into()))?;
        }
        self.total_read += read;
        Ok(())
    }
}

/// Read one entry of a docx/xlsx as UTF-8 text (XML parts are UTF-8 in practice; a BOM is
/// dropped). Invalid UTF-8 is a structural error.
pub fn read_text_entry(zip: &mut SafeZip<'_>, name: &str) -> Result<Option<String>, ImportError> {
    let Some(bytes) = zip.read(name)? else {
        return Ok(None);
    };
    let mut text = String::from_utf8(bytes)
        .map_err(|_| ImportError::BadXml(format!("{name} 不是 UTF-8 编码")))?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(Some(text))
}
