//! Batch processing: collect files, import them on all cores, group forms into dossiers,
//! run the rules and stream the report, so memory stays flat however large the batch.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use jixiao_domain::finding::Severity;
use jixiao_domain::model::Dossier;
use jixiao_domain::{rules, Profile};
use jixiao_files::import::{import_path_with, ImportedFile, Status};
use jixiao_files::limits::Limits;

use crate::report::{self, XlsxReport};

/// Files imported and checked together; forms of one unit and year that are split over
/// several files are joined when they fall in the same chunk (a folder is never split
/// unless it holds more files than a chunk).
const CHUNK: usize = 512;

pub enum Mode {
    Import,
    /// `import --explain`: which cell went into which field, and what was not used.
    Explain,
    Check,
    CheckXlsx(PathBuf),
}

#[derive(Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub files_ok: usize,
    pub files_error: usize,
    pub forms: usize,
    pub findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub by_rule: std::collections::BTreeMap<String, usize>,
}

impl Summary {
    fn add(&mut self, f: &ImportedFile) {
        self.files += 1;
        match f.status {
            Status::Ok => self.files_ok += 1,
            Status::Error => self.files_error += 1,
        }
        self.forms += f.forms.len();
        for x in &f.findings {
            self.findings += 1;
            match x.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
            *self.by_rule.entry(x.rule.clone()).or_default() += 1;
        }
    }
}

/// Every importable file under the given paths (folders recursively), sorted; a file
/// named twice (itself and through its folder) is read once, so each path is one file.
pub fn collect(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).with_context(|| format!("找不到 {}", p.display()))?;
        if meta.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.') || n.starts_with("~$"));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Split into chunks of about `CHUNK` files, cutting at folder boundaries where possible.
fn chunks(files: &[PathBuf]) -> Vec<&[PathBuf]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < files.len() {
        let mut end = (start + CHUNK).min(files.len());
        if end < files.len() {
            let parent = files[end].parent();
            let mut cut = end;
            while cut > start + 1 && files[cut - 1].parent() == parent {
                cut -= 1;
            }
            if cut > start + 1 {
                end = cut;
            }
        }
        out.push(&files[start..end]);
        start = end;
    }
    out
}

/// Group the forms of a chunk into dossiers (`Dossier::group_files`, the one grouping
/// policy) and attach each finding to its file.
pub fn check_chunk(files: &mut [ImportedFile], profile: &Profile) {
    let dossiers = Dossier::group_files(files.iter_mut().map(|f| f.take_filed_forms()).collect());
    let checked: Vec<(Vec<jixiao_domain::Finding>, Dossier)> = dossiers
        .into_par_iter()
        .map(|d| (rules::check_all(std::slice::from_ref(&d), profile), d))
        .collect();
    let index: HashMap<String, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    let mut routed: Vec<Vec<jixiao_domain::Finding>> = vec![Vec::new(); files.len()];
    let mut forms: Vec<Vec<jixiao_domain::model::FiledForm>> = vec![Vec::new(); files.len()];
    for (findings, dossier) in checked {
        for f in findings {
            if let Some(&i) = index.get(f.location.file.as_str()) {
                routed[i].push(f);
            }
        }
        for ff in dossier.forms {
            if let Some(&i) = index.get(ff.file.as_str()) {
                forms[i].push(ff);
            }
        }
    }
    for ((file, extra), forms) in files.iter_mut().zip(routed).zip(forms) {
        file.return_forms(forms);
        file.findings.extend(extra);
        rules::sort_findings(&mut file.findings);
    }
}

fn progress(total: usize) -> Option<indicatif::ProgressBar> {
    if total < 50 || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(total as u64);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} 已处理 {pos}/{len} 个文件 [{bar:40}] {per_sec} 剩余 {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(pb)
}

/// Run a batch and print (or write) the report. Exit: 2 if a file could not be read,
/// else (check) 1 if any error-severity finding, else 0.
pub fn run(
    paths: &[PathBuf],
    profile: &Profile,
    limits: &Limits,
    mode: Mode,
    json: bool,
    output: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let files = collect(paths)?;
    let check = !matches!(mode, Mode::Import | Mode::Explain);
    let explain = matches!(mode, Mode::Explain);
    let pb = progress(files.len());
    let mut sink: Box<dyn Write> = match &output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p)
                .with_context(|| format!("无法创建输出文件 {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut xlsx = match &mode {
        Mode::CheckXlsx(_) => Some(XlsxReport::new()),
        _ => None,
    };
    let mut summary = Summary::default();
    if json && xlsx.is_none() {
        write!(sink, "{{\"files\":[")?;
    }
    let mut first = true;
    for chunk in chunks(&files) {
        let mut imported: Vec<ImportedFile> = chunk
            .par_iter()
            .map(|p| import_path_with(p, profile, limits, explain))
            .collect();
        if check {
            check_chunk(&mut imported, profile);
        }
        for f in &imported {
            summary.add(f);
            if let Some(x) = xlsx.as_mut() {
                x.add(f);
            } else if json {
                if !first {
                    write!(sink, ",")?;
                }
                if explain {
                    serde_json::to_writer(&mut sink, &report::ExplainJson::new(f))?;
                } else {
                    serde_json::to_writer(&mut sink, f)?;
                }
            } else if explain {
                report::write_explain(&mut sink, f)?;
            } else if check {
                report::write_check(&mut sink, f)?;
            } else {
                report::write_import(&mut sink, f)?;
            }
            first = false;
        }
        if let Some(pb) = &pb {
            pb.inc(chunk.len() as u64);
        }
    }
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    if let (Some(x), Mode::CheckXlsx(path)) = (xlsx, &mode) {
        x.save(path, &summary)?;
        writeln!(
            sink,
            "审核意见表已写入 {}（{} 个文件，{} 条意见）",
            path.display(),
            summary.files,
            summary.findings
        )?;
    } else if json {
        write!(sink, "],\"summary\":")?;
        serde_json::to_writer(&mut sink, &summary)?;
        writeln!(sink, "}}")?;
    } else {
        report::write_summary(&mut sink, &summary, check)?;
    }
    sink.flush()?;
    Ok(if summary.files_error > 0 {
        ExitCode::from(2)
    } else if check && summary.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
