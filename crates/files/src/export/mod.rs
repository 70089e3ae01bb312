//! Exports in the official layout (.xlsx, .docx) drawn from one table model, and open data
//! (JSON, CSV) for 预算公开.

pub mod docx;
pub mod open_data;
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
    }
}
