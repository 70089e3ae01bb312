//! Page handlers: parse the request, call the services, render a template. Like the API
//! handlers they decide nothing about access; the services do.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Form as HtmlForm, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jixiao_domain::finding::Severity;
use jixiao_domain::review::{Grade, Status};
use jixiao_files::export::{self, ExportFormat};
use jixiao_store::{DossierOrder, Role, VersionKind};
use serde::Deserialize;
use serde_json::json;

use super::view;
use super::{Me, PageId, Viewer};
use crate::api::login_cookies;
use crate::auth::{session_cookie, ClientAddr};
use crate::error::ApiError;
use crate::login::{device_token, safe_next, site_of, Site};
use crate::services::{dossier_rows, same_token, DossierSummary, DossierView, ListParams};
use crate::AppState;

/// Percent-encodes a query value (UTF-8, unreserved characters kept).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------- login

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(State(state): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    state.ui().render(
        "login.html",
        json!({ "next": safe_next(q.next.as_deref()), "error": null, "username": "" }),
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// The login form. It must come from this site's page: a matching `Origin` (or
/// `Referer`); a browser always sends one with a form, so a request with neither is
/// refused too.
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    HtmlForm(form): HtmlForm<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let cfg = state.services().config();
    if site_of(&headers, cfg) != Site::Same {
        let mut res = state.ui().render(
            "login.html",
            json!({
                "next": next,
                "error": "登录请求来源不明或来自其他网站，已拒绝。请打开本站的登录页面登录。",
                "username": form.username,
            }),
        );
        *res.status_mut() = StatusCode::FORBIDDEN;
        return res;
    }
    match state
        .services()
        .login(
            &form.username,
            &form.password,
            address,
            device_token(&headers).as_deref(),
        )
        .await
    {
        Ok(done) => (login_cookies(&done, cfg), Redirect::to(&next)).into_response(),
        Err(e) => {
            let status = match &e {
                ApiError::Unauthorized(_) | ApiError::TooManyRequests { .. } => e.status(),
                _ => {
                    if let ApiError::Internal(cause) = &e {
                        tracing::error!(%cause, "login failed");
                    }
                    StatusCode::INTERNAL_SERVER_ERROR
                }
            };
            let mut res = state.ui().render(
                "login.html",
                json!({ "next": next, "error": e.to_string(), "username": form.username }),
            );
            *res.status_mut() = status;
            res
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    HtmlForm(form): HtmlForm<CsrfForm>,
) -> Response {
    if !same_token(&form.csrf, &viewer.csrf) {
        return state.ui().error_page(
            Some(&viewer),
            ApiError::forbidden("页面已过期，请刷新后重试"),
        );
    }
    if let Err(e) = state.services().logout(&viewer.user, &viewer.token).await {
        return state.ui().error_page(Some(&viewer), e);
    }
    let cookie = session_cookie(None, 0, state.services().config().secure());
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}

// ---------------------------------------------------------------- home

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    year: Option<String>,
    status: Option<String>,
    unit: Option<String>,
    q: Option<String>,
    page: Option<String>,
    /// `recent` (newest submission or change first); otherwise by quality.
    order: Option<String>,
}

/// Empty form fields mean "any".
pub(crate) fn opt_num(s: &Option<String>) -> Option<i64> {
    s.as_deref().and_then(|s| s.trim().parse().ok())
}

const PAGE_SIZE: i64 = 50;

/// 待办 and 消息 (`/todo`); the page's script marks the notices read once shown.
pub async fn todo(State(state): State<AppState>, viewer: Viewer) -> Response {
    match state.services().todo(&viewer.user).await {
        Ok(t) => state
            .ui()
            .render("todo.html", json!({ "me": viewer.me(), "todo": t })),
        Err(e) => state.ui().error_page(Some(&viewer), e),
    }
}

/// 填报进度 (`/progress?year=`) for reviewers and admins.
pub async fn progress(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<HomeQuery>, QueryRejection>,
) -> Response {
    let year = query
        .ok()
        .and_then(|Query(q)| opt_num(&q.year))
        .unwrap_or_else(crate::services::this_year);
    match state.services().progress(&viewer.user, year).await {
        Ok(p) => state.ui().render(
            "progress.html",
            json!({
                "me": viewer.me(),
                "p": p,
                "years": (year - 3..=crate::services::this_year() + 1).rev().collect::<Vec<_>>(),
            }),
        ),
        Err(e) => state.ui().error_page(Some(&viewer), e),
    }
}

pub async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<HomeQuery>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let svc = state.services();
    let me = viewer.me();
    if viewer.user.account.role == Role::Unit {
        let params = ListParams {
            limit: Some(500),
            ..ListParams::default()
        };
        let page = match svc.list(&viewer.user, params).await {
            Ok(p) => p,
            Err(e) => return state.ui().error_page(Some(&viewer), e),
        };
        let unit_name = page.items.first().map(|d| d.unit_name.clone());
        return state.ui().render(
            "home.html",
            json!({ "me": me, "mode": "unit", "dossiers": page.items, "unit_name": unit_name }),
        );
    }
    // Reviewers see the submitted dossiers by default: that is their work queue.
    let status_code = match q.status.as_deref().map(str::trim) {
        None => "submitted".to_string(),
        Some(s) => s.to_string(),
    };
    // 全部状态 leaves drafts out (the unit's unfinished work); they are listed when asked for.
    let statuses: Vec<Status> = match status_code.as_str() {
        "" => Status::ALL
            .iter()
            .copied()
            .filter(|s| *s != Status::Draft)
            .collect(),
        "all" => Vec::new(),
        code => Status::parse(code).into_iter().collect(),
    };
    let page_no = opt_num(&q.page).unwrap_or(1).max(1);
    let search = q.q.clone().unwrap_or_default();
    let unit_id = opt_num(&q.unit);
    let recent = q.order.as_deref() == Some("recent");
    let params = ListParams {
        year: opt_num(&q.year),
        statuses,
        unit_id,
        query: Some(search.clone()),
        order: if recent {
            DossierOrder::Recent
        } else {
            DossierOrder::Quality
        },
        limit: Some(PAGE_SIZE),
        offset: Some((page_no - 1) * PAGE_SIZE),
        ..ListParams::default()
    };
    let list = svc.list(&viewer.user, params).await;
    let page = match list {
        Ok(p) => p,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let units = match svc.units_in_scope(&viewer.user).await {
        Ok(u) => u,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let pages = (page.total + PAGE_SIZE - 1) / PAGE_SIZE;
    let items: Vec<&DossierSummary> = page.items.iter().collect();
    state.ui().render(
        "home.html",
        json!({
            "me": me,
            "mode": "queue",
            "dossiers": items,
            "total": page.total,
            "page": page_no,
            "pages": pages,
            "units": units.iter().map(|u| json!({"id": u.id, "name": u.name})).collect::<Vec<_>>(),
            "statuses": Status::ALL.iter().map(|s| json!({"code": s.code(), "label": s.label()})).collect::<Vec<_>>(),
            "batch_formats": crate::services::jobs::batch_formats(),
            "this_year": crate::services::this_year(),
            "filter": {
                "year": opt_num(&q.year),
                "status": status_code,
                "unit": unit_id,
                "q": search,
                "order": if recent { "recent" } else { "quality" },
            },
        }),
    )
}

// ---------------------------------------------------------------- dossier

#[derive(Deserialize, Default)]
pub struct VersionQuery {
    version: Option<String>,
}

pub async fn dossier(
    State(state): State<AppState>,
    viewer: Viewer,
    PageId(id): PageId,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Response {
    let asked = query.ok().and_then(|Query(q)| opt_num(&q.version));
    let svc = state.services();
    let page = match svc.dossier_view(&viewer.user, id, asked).await {
        Ok(p) => p,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    // Laying out the forms and rendering is the work of the page: off the async
    // workers, and through the gate when the dossier is large.
    let rows = dossier_rows(&page.detail.forms)
        + page.older.as_ref().map_or(0, |v| dossier_rows(&v.forms));
    let (me, role, st) = (viewer.me(), viewer.user.account.role, state.clone());
    match svc
        .cpu(rows, move || dossier_page(&st, &page, me, role))
        .await
    {
        Ok(res) => res,
        Err(e) => state.ui().error_page(Some(&viewer), e),
    }
}

/// The findings a viewer is shown: notes about the reader's own housekeeping (Word
/// bookmarks dropped) are not the filing unit's business.
fn shown_to(role: Role, findings: &[jixiao_domain::Finding]) -> Vec<jixiao_domain::Finding> {
    findings
        .iter()
        .filter(|f| {
            role != Role::Unit
                || !(f.rule == "parse-warning"
                    && f.message == jixiao_files::read::text::BOOKMARK_NOTE)
        })
        .cloned()
        .collect()
}

/// 错误 · 警告 · 提示, the one set of counts every page shows.
fn counts(findings: &[jixiao_domain::Finding]) -> serde_json::Value {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    json!({
        "error": count(Severity::Error),
        "warning": count(Severity::Warning),
        "info": count(Severity::Info),
    })
}

/// The dossier page of `page` for a viewer with this header and role.
fn dossier_page(state: &AppState, page: &DossierView, me: Me, role: Role) -> Response {
    let detail = &page.detail;
    let current = detail.summary.version;
    // An older version is shown read-only; its own findings are stored with it.
    let (forms, findings, shown) = match &page.older {
        Some(v) => (&v.forms, &v.findings, v.info.version),
        None => (&detail.forms, &detail.findings, current),
    };
    let findings = &shown_to(role, findings);
    let counts = counts(findings);
    let comments = super::diff::page_comments(&detail.comments, &page.earlier, shown, forms);
    let (form_views, finding_views, comment_views) = view::annotated(forms, findings, &comments);
    let general: Vec<_> = detail
        .comments
        .iter()
        .filter(|c| c.field.is_empty())
        .map(|c| json!({"body": c.body, "author": c.author_name, "at": c.created_at, "version": c.version}))
        .collect();
    let status = detail.summary.status;
    let is_current = shown == current;
    let can_edit = is_current && matches!(role, Role::Unit | Role::Admin) && status.editable();
    let can_review =
        is_current && matches!(role, Role::Reviewer | Role::Admin) && status == Status::Submitted;
    let latest_return = detail
        .reviews
        .iter()
        .rev()
        .find(|r| r.decision == jixiao_store::Decision::Return);
    let versions: Vec<_> = page
        .versions
        .iter()
        .rev()
        .map(|v| {
            json!({
                "version": v.version,
                "kind": v.kind.label(),
                "conflict": v.kind == VersionKind::Conflict,
                "reason": v.reason,
                "author": v.created_by_name,
                "at": v.created_at,
                "errors": v.error_count,
                "warnings": v.warning_count,
            })
        })
        .collect();
    let reviews: Vec<_> = detail
        .reviews
        .iter()
        .rev()
        .map(|r| {
            json!({
                "version": r.version,
                "decision": r.decision.label(),
                "returned": r.decision == jixiao_store::Decision::Return,
                "grade": r.grade.map(Grade::label),
                "opinions": r.opinions.entries().iter().map(|(k, v)| json!({"label": k, "text": v})).collect::<Vec<_>>(),
                "reviewer": r.reviewer_name,
                "at": r.created_at,
            })
        })
        .collect();
    let is_report = detail.summary.kind.is_report();
    let scores = crate::services::form_scores(forms, state.services().profile());
    let report_scores: Vec<_> = scores.iter().map(|s| score_view(s, forms)).collect();
    let suggested_grade = scores.iter().find_map(|s| match s {
        crate::services::FormScores::SelfEvaluation { grade, .. } => grade.clone(),
        _ => None,
    });
    let approved_target = !is_report && detail.summary.approved_version.is_some() && is_current;
    let has_self_eval = page
        .reports
        .iter()
        .any(|r| r.kind == jixiao_store::DossierKind::SelfEvaluation);
    let reports: Vec<_> = page
        .reports
        .iter()
        .map(crate::services::DossierSummary::from)
        .collect();
    state.ui().render(
        "dossier.html",
        json!({
            "me": me,
            "d": detail.summary,
            "is_report": is_report,
            "report_scores": report_scores,
            "suggested_grade": suggested_grade,
            "reports": reports,
            "show_reports": approved_target || !page.reports.is_empty(),
            "can_start_monitoring": approved_target,
            "can_start_self_eval": approved_target && !has_self_eval && matches!(role, Role::Unit | Role::Admin),
            "months": (1..=12).collect::<Vec<_>>(),
            "shown": shown,
            "is_current": is_current,
            "forms": form_views,
            "findings": finding_views,
            "counts": counts,
            "comments": comment_views,
            "general_comments": general,
            "versions": versions,
            "steps": page.steps,
            "has_review": !page.detail.reviews.is_empty(),
            "reviews": reviews,
            "returned": status == Status::Returned,
            "latest_return": latest_return.map(|r| json!({
                "opinions": r.opinions.entries().iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| json!({"label": k, "text": v})).collect::<Vec<_>>(),
                "grade": r.grade.map(Grade::label),
                "version": r.version,
            })),
            "can_edit": can_edit,
            "can_submit": can_edit,
            // 撤回 while under review; the server refuses once the reviewer has written.
            "can_withdraw": is_current
                && matches!(role, Role::Unit | Role::Admin)
                && status == Status::Submitted,
            // 删除 a draft (soft: an administrator can restore it).
            "can_delete": is_current
                && matches!(role, Role::Unit | Role::Admin)
                && status == Status::Draft,
            "can_review": can_review,
            "can_comment": is_current,
            // 已解决: reviewers and administrators tick off any remark, others their own.
            "resolve_any": matches!(role, Role::Reviewer | Role::Admin),
            "locked": status == Status::Approved,
            "can_adjust": is_current && status == Status::Approved && matches!(role, Role::Unit | Role::Admin),
            "grades": Grade::ALL.iter().map(|g| g.label()).collect::<Vec<_>>(),
            "formats": FORMATS.iter().map(|(code, label, _)| json!({"code": code, "label": label})).collect::<Vec<_>>(),
        }),
    )
}

/// One report form's computed result for the dossier page (计算结果).
fn score_view(s: &crate::services::FormScores, forms: &[jixiao_domain::Form]) -> serde_json::Value {
    use crate::services::FormScores;
    let light = |l: &Option<jixiao_domain::report::Light>| l.map(|l| l.label());
    match s {
        FormScores::SelfEvaluation {
            form,
            execution_rate,
            execution_score,
            total,
            grade,
            ..
        } => json!({
            "form": form,
            "name": forms.get(*form).map(jixiao_domain::Form::display_name),
            "kind": "self_evaluation",
            "rate": execution_rate,
            "execution_score": execution_score,
            "total": total,
            "grade": grade,
        }),
        FormScores::Monitoring {
            form,
            rate,
            money_light,
            rows,
            light: worst,
        } => json!({
            "form": form,
            "name": forms.get(*form).map(jixiao_domain::Form::display_name),
            "kind": "monitoring",
            "rate": rate,
            "money_light": light(money_light),
            "light": light(worst),
            "light_code": worst,
            "reds": rows.iter().filter(|l| **l == Some(jixiao_domain::report::Light::Red)).count(),
        }),
    }
}

#[derive(Deserialize, Default)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

pub async fn diff(
    State(state): State<AppState>,
    viewer: Viewer,
    PageId(id): PageId,
    query: Result<Query<DiffQuery>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let svc = state.services();
    let (summary, old, new) = match svc
        .compare(&viewer.user, id, opt_num(&q.from), opt_num(&q.to))
        .await
    {
        Ok(x) => x,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let rows = dossier_rows(&old.forms) + dossier_rows(&new.forms);
    let (me, st) = (viewer.me(), state.clone());
    let page = svc
        .cpu(rows, move || {
            let d = view::diff(&old.forms, &new.forms);
            st.ui().render(
                "diff.html",
                json!({
                    "me": me,
                    "d": summary,
                    "from": old.info.version,
                    "to": new.info.version,
                    "diff": d,
                }),
            )
        })
        .await;
    page.unwrap_or_else(|e| state.ui().error_page(Some(&viewer), e))
}

/// 导入修改后的文件, step one: the file read and compared with the version the page
/// showed, nothing stored. The page shows every change and the findings; its 保存为新版本
/// saves the forms shown through the API (`PUT /api/dossiers/{id}`, the usual 409 when
/// someone saved in between).
pub async fn reimport(
    State(state): State<AppState>,
    viewer: Viewer,
    PageId(id): PageId,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let svc = state.services();
    let limit = svc.config().upload_limit();
    let read = crate::api::upload_fields(multipart, limit, &["csrf", "base_version"]).await;
    let ((file_name, bytes), fields) = match read {
        Ok(x) => x,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    if !same_token(fields.get("csrf").map_or("", String::as_str), &viewer.csrf) {
        return state.ui().error_page(
            Some(&viewer),
            ApiError::forbidden("页面已过期，请刷新后重试"),
        );
    }
    let base = fields
        .get("base_version")
        .and_then(|v| v.trim().parse().ok());
    let read = match svc
        .reimport(&viewer.user, id, &file_name, bytes, base, true)
        .await
    {
        Ok(r) => r,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let (summary, old) = match svc
        .export_forms(&viewer.user, id, Some(read.base_version))
        .await
    {
        Ok(x) => x,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let rows = dossier_rows(&old) + dossier_rows(&read.forms);
    let (me, st, role) = (viewer.me(), state.clone(), viewer.user.account.role);
    let page = svc
        .cpu(rows, move || {
            let d = view::diff(&old, &read.forms);
            let findings = shown_to(role, &read.findings);
            let counts = counts(&findings);
            st.ui().render(
                "reimport.html",
                json!({
                    "me": me,
                    "d": summary,
                    "file": read.file,
                    "base": read.base_version,
                    "same": read.same,
                    "diff": d,
                    "findings": findings.iter().map(|f| json!({
                        "severity": f.severity,
                        "label": f.severity.label(),
                        "message": f.message,
                    })).collect::<Vec<_>>(),
                    "counts": counts,
                    "forms_json": super::editor::script_json(&read.forms),
                }),
            )
        })
        .await;
    page.unwrap_or_else(|e| state.ui().error_page(Some(&viewer), e))
}

// ---------------------------------------------------------------- print and export

/// (path code, label, format).
const FORMATS: &[(&str, &str, ExportFormat)] = &[
    ("pdf", "PDF", ExportFormat::Pdf),
    ("xlsx", "Excel（.xlsx）", ExportFormat::Xlsx),
    ("docx", "Word（.docx）", ExportFormat::Docx),
    ("json", "公开数据 JSON", ExportFormat::Json),
    ("csv", "公开数据 CSV", ExportFormat::Csv),
];

pub(crate) fn content_type(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Pdf => "application/pdf",
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ExportFormat::Docx => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
        ExportFormat::Json => "application/json",
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Html => "text/html; charset=utf-8",
    }
}

pub async fn print(
    State(state): State<AppState>,
    viewer: Viewer,
    PageId(id): PageId,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Response {
    let version = query.ok().and_then(|Query(q)| opt_num(&q.version));
    let svc = state.services();
    let page = match svc.export_forms(&viewer.user, id, version).await {
        // The same page the PDF export prints.
        Ok((_, forms)) => {
            svc.cpu(dossier_rows(&forms), move || export::print_view(&forms))
                .await
        }
        Err(e) => Err(e),
    };
    match page {
        Ok(html) => Html(with_print_bar(&html, id)).into_response(),
        Err(e) => state.ui().error_page(Some(&viewer), e),
    }
}

/// The print view on screen: a bar with the way back and a 打印 button, the page drawn
/// like a sheet of A4; none of it is printed (the PDF is printed from the bare page).
fn with_print_bar(html: &str, id: i64) -> String {
    let bar = format!(
        "<style>@media screen {{ body {{ background: #eef0f3; }} \
         .form {{ background: #fff; max-width: 180mm; margin: 16px auto; padding: 18mm 15mm; \
         box-shadow: 0 1px 4px rgba(0,0,0,.15); }} \
         .print-bar {{ position: sticky; top: 0; display: flex; gap: 12px; align-items: center; \
         padding: 8px 16px; background: #14365c; color: #fff; font: 15px sans-serif; }} \
         .print-bar a {{ color: #fff; }} .print-bar button {{ font: inherit; padding: 4px 14px; }} \
         .print-bar span {{ opacity: .85; font-size: 13px; }} }} \
         @media print {{ .print-bar {{ display: none; }} }}</style>\n\
         <nav class=\"print-bar\" aria-label=\"打印\"><a href=\"/dossiers/{id}\" id=\"print-back\">← 返回档案</a>\
         <button type=\"button\" id=\"print-btn\">打印</button>\
         <span>A4 纵向，页边距上下 18 毫米、左右 15 毫米；本栏不会打印出来</span></nav>\n\
         <script src=\"/static/print.js?v={}\" defer></script>\n",
        super::asset_version()
    );
    match html.find("<body>") {
        Some(i) => format!("{}{bar}{}", &html[..i + 6], &html[i + 6..]),
        None => html.to_string(),
    }
}

#[derive(Deserialize, Default)]
pub struct LetterQuery {
    format: Option<String>,
}

/// 审核意见书 as .docx (default) or PDF (`?format=pdf`, through the print queue).
pub async fn review_letter(
    State(state): State<AppState>,
    viewer: Viewer,
    PageId(id): PageId,
    query: Result<Query<LetterQuery>, QueryRejection>,
) -> Response {
    let pdf = match query.ok().and_then(|Query(q)| q.format).as_deref() {
        None | Some("docx") => false,
        Some("pdf") => true,
        Some(_) => {
            return state.ui().error_page(
                Some(&viewer),
                ApiError::NotFound("审核意见书只能下载为 docx 或 pdf".into()),
            )
        }
    };
    let svc = state.services();
    let (summary, letter) = match svc.review_letter(&viewer.user, id).await {
        Ok(x) => x,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let made = if pdf {
        svc.print_pdf(export::letter::html(&letter)).await
    } else {
        export::letter::docx(&letter).map_err(ApiError::unprocessable)
    };
    let bytes = match made {
        Ok(b) => b,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let (code, fmt) = if pdf {
        ("pdf", ExportFormat::Pdf)
    } else {
        ("docx", ExportFormat::Docx)
    };
    download(
        bytes,
        fmt,
        &format!("jixiao-{}-{}-review.{code}", summary.id, summary.year),
        &format!(
            "{}{}年度绩效目标审核意见书.{code}",
            summary.unit_name, summary.year
        ),
    )
}

/// A download with an ASCII file name and the Chinese one (RFC 5987).
pub(crate) fn download(bytes: Vec<u8>, fmt: ExportFormat, ascii: &str, name: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encode(name)
    );
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(fmt)),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    PageId(id): PageId,
    Path((_, format)): Path<(String, String)>,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Response {
    let version = query.ok().and_then(|Query(q)| opt_num(&q.version));
    let Some(&(code, _, fmt)) = FORMATS.iter().find(|(c, _, _)| *c == format) else {
        return state
            .ui()
            .error_page(Some(&viewer), ApiError::NotFound("不支持的导出格式".into()));
    };
    let svc = state.services();
    let (summary, forms) = match svc.export_forms(&viewer.user, id, version).await {
        Ok(x) => x,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let rows = dossier_rows(&forms);
    let made = if fmt == ExportFormat::Pdf {
        // The print view is CPU work; Chromium waits in the bounded print queue.
        match svc.cpu(rows, move || export::print_view(&forms)).await {
            Ok(html) => svc.print_pdf(html).await,
            Err(e) => Err(e),
        }
    } else {
        match svc.cpu(rows, move || export::export(&forms, fmt)).await {
            Ok(Ok(b)) => Ok(b),
            Ok(Err(message)) => {
                tracing::warn!(%message, format = code, "export failed");
                Err(ApiError::unprocessable(message))
            }
            Err(e) => Err(e),
        }
    };
    let bytes = match made {
        Ok(b) => b,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    download(
        bytes,
        fmt,
        &format!("jixiao-{}-{}.{code}", summary.id, summary.year),
        &format!("{}{}年度绩效目标表.{code}", summary.unit_name, summary.year),
    )
}
