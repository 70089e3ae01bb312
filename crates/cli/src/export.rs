//! `jixiao export`: the forms of an importable file or of a stored dossier, in the official
//! layout (.xlsx, .docx, the HTML print view, PDF) or as open data (JSON, CSV).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;

use jixiao_domain::model::Form;
use jixiao_domain::Profile;
use jixiao_files::export::{export, ExportFormat};
use jixiao_files::import::{import_path, Status};
use jixiao_files::limits::Limits;

use crate::admin::{self, DbArgs};

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Kind {
    Xlsx,
    Docx,
    Pdf,
    Html,
    Json,
    Csv,
}

impl Kind {
    /// Formats that make no sense on a terminal.
    fn binary(self) -> bool {
        matches!(self, Kind::Xlsx | Kind::Docx | Kind::Pdf)
    }
}

impl From<Kind> for ExportFormat {
    fn from(k: Kind) -> ExportFormat {
        match k {
            Kind::Xlsx => ExportFormat::Xlsx,
            Kind::Docx => ExportFormat::Docx,
            Kind::Json => ExportFormat::Json,
            Kind::Csv => ExportFormat::Csv,
            Kind::Pdf => ExportFormat::Pdf,
            Kind::Html => ExportFormat::Html,
        }
    }
}

/// Where the forms come from: exactly one of a file, `--dossier`, or `--unit` with `--year`.
pub struct Source {
    pub path: Option<PathBuf>,
    pub dossier: Option<i64>,
    pub unit: Option<String>,
    pub year: Option<i64>,
}

fn from_file(path: &Path, profile: &Profile) -> anyhow::Result<Vec<Form>> {
    if path.is_dir() {
        anyhow::bail!("export 需要一个文件，{} 是文件夹", path.display());
    }
    let f = import_path(path, profile, &Limits::default());
    if f.status != Status::Ok {
        anyhow::bail!(
            "无法读取 {}：{}",
            path.display(),
            f.error.unwrap_or_default()
        );
    }
    Ok(f.forms)
}

/// Read the forms from `source` and write them to `output` (standard output when `None`)
/// in `kind`.
pub fn run(
    kind: Kind,
    profile: &Profile,
    source: Source,
    db: &DbArgs,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    if output.is_none() && kind.binary() && std::io::stdout().is_terminal() {
        anyhow::bail!("二进制格式（xlsx、docx、pdf）不能输出到终端，请用 --output 指定文件");
    }
    let forms = match (&source.path, source.dossier, &source.unit, source.year) {
        (Some(p), None, None, None) => from_file(p, profile)?,
        (None, Some(id), None, None) => admin::dossier_forms(db, Some(id), None)?,
        (None, None, Some(u), Some(y)) => admin::dossier_forms(db, None, Some((u, y)))?,
        (None, None, Some(_), None) | (None, None, None, Some(_)) => {
            anyhow::bail!("--unit 和 --year 需要同时指定")
        }
        _ => anyhow::bail!("请只指定一个来源：文件路径、--dossier 或 --unit 与 --year"),
    };
    let bytes = export(&forms, kind.into()).map_err(anyhow::Error::msg)?;
    match output {
        Some(output) => {
            std::fs::write(output, bytes)
                .with_context(|| format!("无法写入 {}", output.display()))?;
            eprintln!("已导出 {} 张表到 {}", forms.len(), output.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .context("无法写入标准输出")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
