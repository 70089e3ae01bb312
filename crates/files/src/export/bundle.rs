//! Many dossiers at once (批量导出, 批量打印): the files of each in one .zip, or the print
//! views of all in one document that prints as one PDF.

use std::io::Write;

use jixiao_domain::model::Form;

/// A .zip of `(name, bytes)` entries, compressed; names are made safe for every unpacker
/// (no folders, no `..`, no control characters) and unique (`名称（2）.xlsx`).
pub fn zip(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut seen = std::collections::HashSet::new();
    for (name, bytes) in entries {
        let name = unique(&safe_name(name), &mut seen);
        w.start_file(name, opts)
            .map_err(|e| format!("打包失败：{e}"))?;
        w.write_all(bytes).map_err(|e| format!("打包失败：{e}"))?;
    }
    let out = w.finish().map_err(|e| format!("打包失败：{e}"))?;
    Ok(out.into_inner())
}

/// A file name without folder parts or characters that Windows or an unpacker refuses.
pub fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').to_string();
    if trimmed.is_empty() {
        "未命名".to_string()
    } else {
        trimmed
    }
}

fn unique(name: &str, seen: &mut std::collections::HashSet<String>) -> String {
    if seen.insert(name.to_string()) {
        return name.to_string();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    (2..)
        .map(|n| format!("{stem}（{n}）{ext}"))
        .find(|c| seen.insert(c.clone()))
        .unwrap_or_default()
}

/// One print view of the forms of many dossiers, each form on its own page, in order.
pub fn print_view_many(dossiers: &[Vec<Form>], title: &str) -> String {
    let tables: Vec<_> = dossiers
        .iter()
        .flat_map(|f| super::table::tables(f))
        .collect();
    super::html::document(&tables, title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_unique() {
        assert_eq!(
            safe_name("../统战部/2023:表?.xlsx"),
            "_统战部_2023_表_.xlsx"
        );
        assert_eq!(safe_name("  "), "未命名");
        let z = zip(&[
            ("甲.xlsx".into(), b"1".to_vec()),
            ("甲.xlsx".into(), b"2".to_vec()),
        ])
        .unwrap();
        let mut a = zip::ZipArchive::new(std::io::Cursor::new(z)).unwrap();
        let names: Vec<String> = (0..a.len())
            .map(|i| a.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        assert_eq!(names, ["甲.xlsx", "甲（2）.xlsx"]);
        let mut s = String::new();
        std::io::Read::read_to_string(&mut a.by_index(1).unwrap(), &mut s).unwrap();
        assert_eq!(s, "2");
    }
}
