//! 预算公开: the public part of the site, without login. Only published dossiers, at the
//! version published, with the sign-off redacted by policy; never findings, comments,
//! reviews, versions or user names. Every answer is cacheable (`Cache-Control: public`,
//! an `ETag` of its bytes, 304 for a matching `If-None-Match`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jixiao_files::export::html::{table_html, CellNote};
use jixiao_files::export::package::{self, PublishedForms, RESOURCES};
use jixiao_files::export::{self, table, ExportFormat};
use jixiao_store::publications::Published;
use jixiao_store::Store;
use serde::Deserialize;
use serde_json::json;

use super::pages::encode;
use crate::error::ApiError;
use crate::services::dossier_rows;
use crate::AppState;

/// How long browsers and proxies may keep a public answer.
const CACHE: &str = "public, max-age=300";

/// FNV-1a of the bytes: the same on every instance, so an `ETag` stays valid across them.
fn etag(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{h:016x}\"")
}

/// The bytes with their type, cacheable; 304 when the client has them.
fn cached(req: &HeaderMap, content_type: &str, bytes: Vec<u8>, file: Option<&str>) -> Response {
    let tag = etag(&bytes);
    tagged(
        req,
        content_type,
        axum::body::Bytes::from(bytes),
        &tag,
        file,
    )
}

/// [`cached`] with the tag already computed (a kept page is not hashed again per request;
/// `Bytes` clone without copying).
fn tagged(
    req: &HeaderMap,
    content_type: &str,
    bytes: axum::body::Bytes,
    tag: &str,
    file: Option<&str>,
) -> Response {
    let matches = req
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut res = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        bytes.into_response()
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Some(name) = file {
        let d = format!("attachment; filename*=UTF-8''{}", encode(name));
        if let Ok(v) = HeaderValue::from_str(&d) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    res
}

async fn html(
    state: &AppState,
    req: &HeaderMap,
    template: &str,
    ctx: serde_json::Value,
) -> Response {
    match rendered(state, template, ctx).await {
        Ok(b) => cached(req, "text/html; charset=utf-8", b, None),
        Err(res) => res,
    }
}

/// A page rendered to bytes (to tag it, or keep it); the error page as it is otherwise.
async fn rendered(
    state: &AppState,
    template: &str,
    ctx: serde_json::Value,
) -> Result<Vec<u8>, Response> {
    let page = state.ui().render(template, ctx);
    if page.status() != StatusCode::OK {
        return Err(page);
    }
    // Rendered pages are small; read them back.
    axum::body::to_bytes(page.into_body(), usize::MAX)
        .await
        .map(|b| b.to_vec())
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The published dossier of a path's id; `None` (404 for the caller) for anything else.
async fn published(state: &AppState, id: &str) -> Option<(Published, Vec<jixiao_domain::Form>)> {
    let id = id.parse::<i64>().ok()?;
    state.services().public_dossier(id).await.ok()
}

fn not_found(state: &AppState) -> Response {
    state
        .ui()
        .error_page(None, ApiError::NotFound("未公开或不存在的档案".into()))
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    year: Option<String>,
    q: Option<String>,
}

/// `GET /public`: the published dossiers by 主管部门, unit and year; search and year filter.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let year = q.year.as_deref().and_then(|y| y.trim().parse::<i64>().ok());
    let text: String = q.q.unwrap_or_default().chars().take(100).collect();
    let items = match state.services().public_list(year, &text).await {
        Ok(x) => x,
        Err(e) => return state.ui().error_page(None, e),
    };
    let mut years: Vec<i64> = items.iter().map(|p| p.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let mut groups: Vec<(String, Vec<&Published>)> = Vec::new();
    for p in &items {
        let g = p.parent_name.clone().unwrap_or_else(|| p.unit_name.clone());
        match groups.iter_mut().find(|(n, _)| *n == g) {
            Some((_, v)) => v.push(p),
            None => groups.push((g, vec![p])),
        }
    }
    html(
        &state,
        &headers,
        "public.html",
        json!({ "groups": groups, "year": year, "q": text, "years": years, "total": items.len() }),
    )
    .await
}

/// How long a kept page is served without asking the store whether its publication
/// changed. A change on this instance is seen at once (the services count publications);
/// one made on another instance within this time (answers are cacheable for 5 minutes
/// anyway, `CACHE`).
const RECHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// A public dossier page as rendered, for one publication of the dossier.
struct KeptPage {
    version: i64,
    published_at: i64,
    /// When the store last confirmed the publication, and the services' publication count
    /// then.
    checked: std::time::Instant,
    generation: u64,
    body: Page,
}

/// A rendered page and its ETag.
#[derive(Clone)]
struct Page {
    bytes: axum::body::Bytes,
    tag: Arc<str>,
}

/// Public dossier pages as rendered, by dossier, bounded by `[server] public_cache` entries
/// (cleared when full: publishing changes rarely, so a full cache refills from the pages
/// asked for).
#[derive(Default)]
pub struct PageCache(Mutex<HashMap<i64, KeptPage>>);

impl PageCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, KeptPage>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The kept page, if it was confirmed recently and nothing was published since.
    fn fresh(&self, id: i64, generation: u64) -> Option<Page> {
        self.lock()
            .get(&id)
            .filter(|k| k.generation == generation && k.checked.elapsed() < RECHECK)
            .map(|k| k.body.clone())
    }

    /// The kept page if it is still the publication `head` says, marked confirmed.
    fn confirm(&self, head: &Published, generation: u64) -> Option<Page> {
        let mut m = self.lock();
        let k = m
            .get_mut(&head.id)
            .filter(|k| (k.version, k.published_at) == (head.version, head.published_at))?;
        k.checked = std::time::Instant::now();
        k.generation = generation;
        Some(k.body.clone())
    }

    fn put(&self, p: &Published, generation: u64, body: Page, room: usize) {
        let mut m = self.lock();
        if m.len() >= room && !m.contains_key(&p.id) {
            m.clear();
        }
        m.insert(
            p.id,
            KeptPage {
                version: p.version,
                published_at: p.published_at,
                checked: std::time::Instant::now(),
                generation,
                body,
            },
        );
    }
}

/// `GET /public/dossiers/{id}`: a published dossier drawn as the official tables.
pub async fn dossier(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let svc = state.services();
    let room = svc.config().public_cache;
    let page = |p: Page| tagged(&headers, "text/html; charset=utf-8", p.bytes, &p.tag, None);
    let n = id.parse::<i64>().ok();
    let generation = svc.publication_generation();
    let kept = &state.ui().public_pages;
    if let (Some(n), true) = (n, room > 0) {
        if let Some(body) = kept.fresh(n, generation) {
            return page(body);
        }
        // The cheap head: a page rendered for this publication is reused as it is.
        match svc.store().published_head(n).await {
            Ok(h) => {
                if let Some(body) = kept.confirm(&h, generation) {
                    return page(body);
                }
            }
            Err(_) => return not_found(&state),
        }
    }
    let Some((p, forms)) = published(&state, &id).await else {
        return not_found(&state);
    };
    let laid = svc
        .cpu(dossier_rows(&forms), move || {
            table::tables(&forms)
                .iter()
                .map(|t| table_html(t, &|_| CellNote::default()))
                .collect::<Vec<_>>()
        })
        .await;
    let sheets = match laid {
        Ok(s) => s,
        Err(e) => return state.ui().error_page(None, e),
    };
    let body = match rendered(
        &state,
        "public_dossier.html",
        json!({ "p": p, "sheets": sheets }),
    )
    .await
    {
        Ok(b) => Page {
            tag: etag(&b).into(),
            bytes: b.into(),
        },
        Err(res) => return res,
    };
    if room > 0 {
        kept.put(&p, generation, body.clone(), room);
    }
    page(body)
}

/// `GET /public/dossiers/{id}/export/{pdf|xlsx|json|csv}`.
pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, format)): Path<(String, String)>,
) -> Response {
    let fmt = match format.as_str() {
        "pdf" => ExportFormat::Pdf,
        "xlsx" => ExportFormat::Xlsx,
        "json" => ExportFormat::Json,
        "csv" => ExportFormat::Csv,
        _ => return not_found(&state),
    };
    let svc = state.services();
    let Some((p, forms)) = published(&state, &id).await else {
        return not_found(&state);
    };
    let rows = dossier_rows(&forms);
    let made = if fmt == ExportFormat::Pdf {
        match svc.cpu(rows, move || export::print_view(&forms)).await {
            Ok(h) => svc.print_pdf(h).await,
            Err(e) => Err(e),
        }
    } else {
        match svc.cpu(rows, move || export::export(&forms, fmt)).await {
            Ok(Ok(b)) => Ok(b),
            Ok(Err(m)) => Err(ApiError::unprocessable(m)),
            Err(e) => Err(e),
        }
    };
    let bytes = match made {
        Ok(b) => b,
        Err(e) => return state.ui().error_page(None, e),
    };
    let ct = super::pages::content_type(fmt);
    let name = format!("{}{}年度绩效目标表.{format}", p.unit_name, p.year);
    cached(&headers, ct, bytes, Some(&name))
}

/// `GET /public/data/{year}/{file}`: the year's open data (`datapackage.json`, the CSV
/// tables it describes, `data.json`).
pub async fn data(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((year, file)): Path<(String, String)>,
) -> Response {
    let Ok(year) = year.parse::<i64>() else {
        return not_found(&state);
    };
    if file == "datapackage.json" {
        let site = state
            .services()
            .config()
            .public_url
            .clone()
            .unwrap_or_default();
        let pkg = package::datapackage(year, &format!("{site}/public/data/{year}/"));
        let bytes = serde_json::to_vec_pretty(&pkg).unwrap_or_default();
        return cached(&headers, "application/json", bytes, None);
    }
    if file != "data.json" && !RESOURCES.iter().any(|r| r.0 == file) {
        return not_found(&state);
    }
    let svc = state.services();
    let loaded = match svc.public_year(year).await {
        Ok(l) => l,
        Err(e) => return state.ui().error_page(None, e),
    };
    let rows: usize = loaded.iter().map(|(_, f)| dossier_rows(f)).sum();
    let made = svc
        .cpu(rows, move || {
            if file == "data.json" {
                let all: Vec<_> = loaded
                    .iter()
                    .map(|(p, forms)| json!({ "dossier": p, "forms": forms }))
                    .collect();
                return Some((
                    "application/json",
                    serde_json::to_vec_pretty(&json!({ "year": year, "dossiers": all }))
                        .unwrap_or_default(),
                ));
            }
            let dossiers: Vec<PublishedForms> = loaded
                .iter()
                .map(|(p, forms)| PublishedForms {
                    dossier_id: p.id,
                    unit: &p.unit_name,
                    parent: p.parent_name.as_deref().unwrap_or(""),
                    year: p.year,
                    forms,
                })
                .collect();
            package::csv(&file, &dossiers).map(|b| ("text/csv; charset=utf-8", b))
        })
        .await;
    match made {
        Ok(Some((ct, bytes))) => cached(&headers, ct, bytes, None),
        Ok(None) => not_found(&state),
        Err(e) => state.ui().error_page(None, e),
    }
}

/// `GET /public/sitemap.xml`: every public page and data package.
pub async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let list = match state.services().public_list(None, "").await {
        Ok(l) => l,
        Err(e) => return state.ui().error_page(None, e),
    };
    let site = state
        .services()
        .config()
        .public_url
        .clone()
        .unwrap_or_default();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    out.push_str(&format!("<url><loc>{site}/public</loc></url>\n"));
    let mut years: Vec<i64> = list.iter().map(|p| p.year).collect();
    years.sort_unstable();
    years.dedup();
    for y in years {
        out.push_str(&format!(
            "<url><loc>{site}/public/data/{y}/datapackage.json</loc></url>\n"
        ));
    }
    for p in &list {
        out.push_str(&format!(
            "<url><loc>{site}/public/dossiers/{}</loc></url>\n",
            p.id
        ));
    }
    out.push_str("</urlset>\n");
    cached(&headers, "application/xml", out.into_bytes(), None)
}
