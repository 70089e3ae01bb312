//! Exports in the official layout (.xlsx, .docx, the HTML print view and its PDF) drawn
//! from one table model, and open data (JSON, CSV) for 预算公开.

pub mod bundle;
pub mod docx;
pub mod html;
pub mod letter;
pub mod listing;
pub mod open_data;
pub mod package;
pub mod pdf;
pub mod table;
pub mod xlsx;

use jixiao_domain::model::Form;

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Docx,
    Json,
    Csv,
    /// The print view: a standalone HTML page ([`html::document`]).
    Html,
    /// The print view printed by headless Chromium ([`pdf::html_to_pdf`]).
    Pdf,
}

/// Export the forms in one format; the error is a Chinese message.
pub fn export(forms: &[Form], format: ExportFormat) -> Result<Vec<u8>, String> {
    if forms.is_empty() {
        return Err("没有可导出的表".to_string());
    }
    match format {
        ExportFormat::Xlsx => {
            xlsx::write(&table::tables(forms)).map_err(|e| format!("生成 xlsx 失败：{e}"))
        }
        ExportFormat::Docx => {
            docx::write(&table::tables(forms)).map_err(|e| format!("生成 docx 失败：{e}"))
        }
        ExportFormat::Json => open_data::json(forms).map_err(|e| format!("生成 JSON 失败：{e}")),
        ExportFormat::Csv => Ok(open_data::csv(forms)),
        ExportFormat::Html => Ok(print_view(forms).into_bytes()),
        ExportFormat::Pdf => pdf::html_to_pdf(&print_view(forms)).map_err(|e| e.to_string()),
    }
}

/// The print view of the forms: the HTML page the PDF is printed from.
pub fn print_view(forms: &[Form]) -> String {
    let tables = table::tables(forms);
    html::document(&tables, &html::document_title(&tables))
}
