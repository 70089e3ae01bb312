//! 批量导出 and 批量打印 as background jobs: a request starts one (202 with its id) and
//! returns at once; the job renders each dossier through the CPU gate and Chromium through
//! the print queue, like single exports, and keeps its result for a while for the one
//! who started it to download. Bounded: jobs running at once, dossiers per job, bytes per
//! result, one job per user at a time, results kept `keep` (`[server]` of the
//! configuration, docs/limits.md).
//!
//! Jobs live in the memory of the instance that runs them: behind several instances the
//! polling requests must reach the same one (sticky sessions), and a restart forgets them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jixiao_domain::review::Status;
use jixiao_domain::Form;
use jixiao_files::export::{self, bundle, ExportFormat};
use jixiao_store::{Role, Store};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::{dossier_rows, ListParams, Services, User};
use crate::error::{ApiError, ApiResult};

/// `[server]` bounds on batch exports.
#[derive(Clone, Debug)]
pub struct ExportConfig {
    /// Jobs rendering at once (the others wait as `queued`).
    pub jobs: usize,
    /// Dossiers in one job.
    pub max_dossiers: usize,
    /// Bytes of one job's result (the .zip or the PDF).
    pub max_bytes: usize,
    /// How long a finished job's result is kept.
    pub keep: Duration,
}

/// `POST /api/exports`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    pub year: i64,
    /// The dossiers to export; none: every approved dossier of the year the caller sees.
    #[serde(default)]
    pub ids: Option<Vec<i64>>,
    /// `xlsx`, `docx` or `pdf` (a .zip with one file per dossier), or `print` (批量打印:
    /// one PDF of all).
    pub format: String,
}

/// A job as its owner sees it.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct JobView {
    pub id: u64,
    /// `queued`, `running`, `done` or `failed`.
    pub status: &'static str,
    /// Dossiers rendered so far, of `total`.
    pub done: usize,
    pub total: usize,
    pub format: String,
    /// The file's name once done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Where to download it once done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

struct Job {
    owner: i64,
    view: JobView,
    result: Option<Arc<Vec<u8>>>,
    finished: Option<Instant>,
}

/// The jobs of this instance.
pub struct Jobs {
    all: Mutex<HashMap<u64, Job>>,
    next: std::sync::atomic::AtomicU64,
    running: Arc<Semaphore>,
    config: ExportConfig,
}

impl Jobs {
    pub fn new(config: ExportConfig) -> Jobs {
        Jobs {
            all: Mutex::new(HashMap::new()),
            next: std::sync::atomic::AtomicU64::new(1),
            running: Arc::new(Semaphore::new(config.jobs.max(1))),
            config,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Job>> {
        self.all.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets results kept longer than `keep`.
    fn purge(&self) {
        let keep = self.config.keep;
        self.lock()
            .retain(|_, j| j.finished.is_none_or(|t| t.elapsed() < keep));
    }

    fn update(&self, id: u64, f: impl FnOnce(&mut Job)) {
        if let Some(j) = self.lock().get_mut(&id) {
            f(j);
        }
    }
}

/// (path code, label, the format of each file; `None`: one PDF of all).
const BATCH_FORMATS: &[(&str, &str, Option<ExportFormat>)] = &[
    ("xlsx", "Excel（.xlsx）", Some(ExportFormat::Xlsx)),
    ("docx", "Word（.docx）", Some(ExportFormat::Docx)),
    ("pdf", "PDF", Some(ExportFormat::Pdf)),
    ("print", "合并为一个 PDF（批量打印）", None),
];

/// The batch formats for a page's choice: (code, label).
pub fn batch_formats() -> Vec<(&'static str, &'static str)> {
    BATCH_FORMATS.iter().map(|(c, l, _)| (*c, *l)).collect()
}

/// One dossier to render: its name in the result and its forms' version.
struct Item {
    id: i64,
    version: i64,
    name: String,
}

impl Services {
    /// Starts a batch export of the caller's dossiers (the ones named, else every approved
    /// one of the year): checked here, rendered in the background.
    pub async fn start_export(
        self: &Arc<Self>,
        user: &User,
        req: ExportRequest,
    ) -> ApiResult<JobView> {
        let Some(&(code, _, per_file)) = BATCH_FORMATS.iter().find(|(c, _, _)| *c == req.format)
        else {
            return Err(ApiError::unprocessable(
                "format 应为 xlsx、docx、pdf 或 print（合并为一个 PDF）",
            ));
        };
        let max = self.config.exports.max_dossiers;
        let items = self.export_items(user, &req, max).await?;
        if items.is_empty() {
            return Err(ApiError::unprocessable(format!(
                "{}年度没有可导出的档案（未指定档案时导出已审核通过的档案）",
                req.year
            )));
        }
        self.jobs.purge();
        let id = {
            let mut all = self.jobs.lock();
            if all
                .values()
                .any(|j| j.owner == user.account.id && j.finished.is_none())
            {
                return Err(ApiError::unprocessable(
                    "您已有一个批量导出正在进行，请等它完成后再开始新的导出",
                ));
            }
            let id = self
                .jobs
                .next
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            all.insert(
                id,
                Job {
                    owner: user.account.id,
                    view: JobView {
                        id,
                        status: "queued",
                        done: 0,
                        total: items.len(),
                        format: code.to_string(),
                        file_name: None,
                        download: None,
                        error: None,
                    },
                    result: None,
                    finished: None,
                },
            );
            id
        };
        let audit = serde_json::json!({
            "job": id, "year": req.year, "format": code, "dossiers": items.len(),
        });
        self.store
            .append_audit(&user.actor(), "export.batch", "export", &audit)
            .await?;
        let svc = self.clone();
        let year = req.year;
        tokio::spawn(async move {
            let permit = svc.jobs.running.clone().acquire_owned().await;
            svc.jobs.update(id, |j| j.view.status = "running");
            let made = svc.render_batch(id, year, &items, code, per_file).await;
            drop(permit);
            svc.jobs.update(id, |j| {
                j.finished = Some(Instant::now());
                match made {
                    Ok((name, bytes)) => {
                        j.view.status = "done";
                        j.view.download = Some(format!("/api/jobs/{id}?download=1"));
                        j.view.file_name = Some(name);
                        j.result = Some(Arc::new(bytes));
                    }
                    Err(e) => {
                        j.view.status = "failed";
                        j.view.error = Some(e.to_string());
                    }
                }
            });
        });
        Ok(self.job(user, id)?.0)
    }

    /// The dossiers of a batch: the ones named (each must be visible), else the approved
    /// ones of the year in the caller's scope; at most `max`.
    async fn export_items(
        &self,
        user: &User,
        req: &ExportRequest,
        max: usize,
    ) -> ApiResult<Vec<Item>> {
        let name = |unit: &str, year: i64| format!("{unit}{year}年度绩效目标表");
        let mut items = Vec::new();
        if let Some(ids) = &req.ids {
            if ids.len() > max {
                return Err(too_many(max));
            }
            for id in ids {
                let d = self
                    .visible(user, *id)
                    .await
                    .map_err(|_| ApiError::NotFound(format!("档案 {id} 不存在或无权查看")))?;
                items.push(Item {
                    id: d.id,
                    version: d.approved_version.unwrap_or(d.current_version),
                    name: name(&d.unit_name, d.year),
                });
            }
            return Ok(items);
        }
        let mut offset = 0;
        loop {
            let page = self
                .list(
                    user,
                    ListParams {
                        year: Some(req.year),
                        statuses: vec![Status::Approved],
                        limit: Some(jixiao_store::MAX_PAGE),
                        offset: Some(offset),
                        ..ListParams::default()
                    },
                )
                .await?;
            let n = page.items.len() as i64;
            for d in page.items {
                items.push(Item {
                    id: d.id,
                    version: d.approved_version.unwrap_or(d.version),
                    name: name(&d.unit_name, d.year),
                });
            }
            if items.len() > max {
                return Err(too_many(max));
            }
            offset += n;
            if n == 0 || offset >= page.total {
                return Ok(items);
            }
        }
    }

    /// Renders every item (progress counted as it goes) into the result's name and bytes;
    /// `code` is the format's code, which is also each file's extension.
    async fn render_batch(
        &self,
        id: u64,
        year: i64,
        items: &[Item],
        code: &str,
        per_file: Option<ExportFormat>,
    ) -> ApiResult<(String, Vec<u8>)> {
        let max_bytes = self.config.exports.max_bytes;
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut all_forms: Vec<Vec<Form>> = Vec::new();
        let mut size = 0usize;
        for (i, item) in items.iter().enumerate() {
            let forms = self.store.get_version(item.id, item.version).await?.forms;
            match per_file {
                Some(fmt) => {
                    let bytes = self.render_one(forms, fmt).await?;
                    size += bytes.len();
                    if size > max_bytes {
                        return Err(too_big(max_bytes));
                    }
                    files.push((format!("{}.{code}", item.name), bytes));
                }
                None => all_forms.push(forms),
            }
            self.jobs.update(id, |j| j.view.done = i + 1);
        }
        match per_file {
            Some(_) => {
                let zipped = self
                    .cpu(files.len() * 100, move || bundle::zip(&files))
                    .await?
                    .map_err(ApiError::unprocessable)?;
                Ok((
                    format!("{year}年度绩效目标表（{}份）.zip", items.len()),
                    zipped,
                ))
            }
            None => {
                let rows = all_forms.iter().map(|f| dossier_rows(f)).sum();
                let title = format!("{year}年度绩效目标表");
                let html = self
                    .cpu(rows, move || bundle::print_view_many(&all_forms, &title))
                    .await?;
                let pdf = self.print_waiting(html).await?;
                if pdf.len() > max_bytes {
                    return Err(too_big(max_bytes));
                }
                Ok((
                    format!("{year}年度绩效目标表（{}份合并打印）.pdf", items.len()),
                    pdf,
                ))
            }
        }
    }

    async fn render_one(&self, forms: Vec<Form>, fmt: ExportFormat) -> ApiResult<Vec<u8>> {
        let rows = dossier_rows(&forms);
        if fmt == ExportFormat::Pdf {
            let html = self.cpu(rows, move || export::print_view(&forms)).await?;
            return self.print_waiting(html).await;
        }
        self.cpu(rows, move || export::export(&forms, fmt))
            .await?
            .map_err(ApiError::unprocessable)
    }

    /// A PDF through the print queue; a job waits its turn instead of giving up when the
    /// queue is full (interactive exports keep their place: the job retries after them).
    async fn print_waiting(&self, html: String) -> ApiResult<Vec<u8>> {
        loop {
            match self.print_pdf(html.clone()).await {
                Err(ApiError::Busy { retry_after, .. }) => {
                    tokio::time::sleep(Duration::from_secs(retry_after.max(1))).await;
                }
                other => return other,
            }
        }
    }

    /// A job of the caller's (another user's is not found), with its result once done.
    pub fn job(&self, user: &User, id: u64) -> ApiResult<(JobView, Option<Arc<Vec<u8>>>)> {
        self.jobs.purge();
        let all = self.jobs.lock();
        match all.get(&id) {
            Some(j) if j.owner == user.account.id || user.account.role == Role::Admin => {
                Ok((j.view.clone(), j.result.clone()))
            }
            _ => Err(ApiError::NotFound(
                "导出任务不存在或已过期（结果保留一段时间后删除），请重新导出".into(),
            )),
        }
    }
}

fn too_many(max: usize) -> ApiError {
    ApiError::unprocessable(format!(
        "一次最多导出 {max} 份档案，请按单位或分批选择后再导出"
    ))
}

fn too_big(max: usize) -> ApiError {
    ApiError::unprocessable(format!(
        "导出结果超过 {} 的上限，请分批导出",
        crate::api::human_size(max)
    ))
}
