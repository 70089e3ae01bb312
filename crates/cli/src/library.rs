//! `jixiao library build|export`: the indicator library (指标库, docs/library.md) over a
//! database's approved dossiers and any folders of filings.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use rayon::prelude::*;

use jixiao_domain::library::Mined;
use jixiao_domain::model::{Dossier, FiledForm};
use jixiao_domain::Profile;
use jixiao_files::export::listing;
use jixiao_files::import::{import_path_with, Status};
use jixiao_files::limits::Limits;
use jixiao_store::Store;
use jixiao_web::services::library::{export_rows, import_edits, EXPORT_HEAD};
use jixiao_web::services::Services;
use jixiao_web::ConfigFile;

use crate::admin::{connect, DbArgs};

#[derive(Subcommand)]
pub enum LibraryCmd {
    /// 建立指标库：数据库中已审核通过的档案和自评，加上所给文件或文件夹中的填报
    Build {
        /// 填报文件或文件夹（.txt、.docx、.xlsx、.xls、.html；文件夹含子文件夹）
        paths: Vec<PathBuf>,
    },
    /// 把指标库导出为 .xlsx（一级/二级/三级指标、共性/个性、指标性质、指标值、计量单位、评分标准、使用情况）
    Export {
        /// 输出的 .xlsx 文件
        file: PathBuf,
    },
    /// 导入指标库（.xlsx 等，须有“三级指标”列；可有一级指标、二级指标、指标类型、指标值、评（扣）分标准、是否启用、标签）
    Import {
        /// 指标库文件（如 jixiao library export 导出的文件，或一体化系统导出的指标库）
        file: PathBuf,
    },
}

pub fn run(db: &DbArgs, profile: Profile, cmd: LibraryCmd) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动运行时")?;
    rt.block_on(async move {
        let store = connect(db).await?;
        let mut failed = 0;
        if let LibraryCmd::Import { file } = &cmd {
            let sheet = jixiao_files::read::sniff::read_path(file, &Limits::default())
                .map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", file.display()))?;
            let edits = import_edits(&sheet, &profile.library).map_err(|e| anyhow::anyhow!(e))?;
            let actor = jixiao_store::Actor::system("cli");
            let mut defined = 0;
            for e in &edits {
                defined += usize::from(matches!(e, jixiao_domain::library::Edit::Define { .. }));
                store
                    .library_add_edit(&serde_json::to_string(e)?, &actor)
                    .await?;
            }
            println!(
                "从 {} 导入 {defined} 个指标（共 {} 项更正，已记入审计日志）",
                file.display(),
                edits.len()
            );
        }
        if let LibraryCmd::Build { paths } = &cmd {
            // Data tables and notes beside the filings (.csv, .tsv, .md) are not filings.
            let files: Vec<PathBuf> = crate::batch::collect(paths)?
                .into_iter()
                .filter(|p| {
                    let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
                    !["csv", "tsv", "md", "json"].contains(&ext.to_ascii_lowercase().as_str())
                })
                .collect();
            let limits = Limits::default();
            // Read on all cores; store one source per dossier found in a file.
            let read: Vec<_> = files
                .par_iter()
                .map(|p| import_path_with(p, &profile, &limits, false))
                .collect();
            let mut stored = 0;
            for f in read {
                if f.status == Status::Error {
                    failed += 1;
                    eprintln!(
                        "无法读取 {}：{}",
                        f.path,
                        f.error.as_deref().unwrap_or("未知原因")
                    );
                    continue;
                }
                let filed: Vec<FiledForm> = f
                    .forms
                    .into_iter()
                    .enumerate()
                    .map(|(index, form)| FiledForm {
                        file: f.path.clone(),
                        index,
                        form,
                    })
                    .collect();
                for (n, d) in Dossier::group(filed).into_iter().enumerate() {
                    let forms: Vec<_> = d.forms.into_iter().map(|ff| ff.form).collect();
                    let m = Mined::from_forms(&d.unit, d.year, &forms);
                    if m.rows() == 0 {
                        continue;
                    }
                    let data = serde_json::to_string(&m)?;
                    store
                        .library_put(
                            &format!("file:{}#{n}", f.path),
                            d.year.map(i64::from),
                            &data,
                        )
                        .await?;
                    stored += 1;
                }
            }
            println!(
                "读取 {} 个文件，{stored} 份填报存入指标库，{failed} 个文件无法读取",
                files.len()
            );
        }
        let services = Services::new(store.clone(), profile, ConfigFile::default().into_config());
        let started = std::time::Instant::now();
        let (lib, stats) = services
            .build_library()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        match cmd {
            LibraryCmd::Build { .. } => {
                println!(
                    "指标库：{} 份来源（本次新学习已审核档案 {} 份），{} 个指标，用时 {:.1} 秒",
                    stats.sources,
                    stats.learnt,
                    stats.entries,
                    started.elapsed().as_secs_f64()
                );
            }
            LibraryCmd::Import { .. } => {
                println!("指标库现有 {} 个指标", stats.entries);
            }
            LibraryCmd::Export { file } => {
                let rows = export_rows(&lib.list(""));
                let bytes = listing::xlsx("绩效指标库", EXPORT_HEAD, &rows)
                    .map_err(|e| anyhow::anyhow!(e))?;
                std::fs::write(&file, bytes)
                    .with_context(|| format!("无法写入 {}", file.display()))?;
                println!("已导出 {} 个指标到 {}", rows.len(), file.display());
            }
        }
        store.close().await;
        Ok(if failed > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    })
}
