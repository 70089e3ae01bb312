//! 统计汇总 pages: the statistics desk's numbers as tables with server-drawn SVG charts
//! (no chart script), and every table as an .xlsx download. The tables are built once
//! ([`tables`]) for both, so a download holds exactly what the page shows (all rows; the
//! page shows the first [`PAGE_ROWS`] of a long one).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jixiao_domain::money::Money;
use jixiao_domain::review::Status;
use jixiao_files::export::html::escape;
use jixiao_files::export::listing;
use jixiao_store::stats::{Statistics, TREND_YEARS};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Viewer;
use crate::error::ApiError;
use crate::AppState;

/// Rows of a table shown on the page; the download has them all.
pub const PAGE_ROWS: usize = 100;

/// One table of the desk.
#[derive(Serialize)]
pub struct DeskTable {
    pub code: &'static str,
    pub title: &'static str,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// A chart of it (SVG), when it has one.
    pub chart: Option<String>,
}

fn wan(fen: Option<i64>) -> String {
    fen.map(|f| Money::from_fen(f).in_wan().normalize().to_string())
        .unwrap_or_default()
}

fn status_label(code: &str) -> String {
    Status::parse(code).map_or(code.to_string(), |s| s.label().to_string())
}

fn rule_title(id: &str) -> String {
    jixiao_domain::rules::catalogue()
        .iter()
        .find(|r| r.id == id)
        .map_or_else(|| id.to_string(), |r| r.title.to_string())
}

fn severity_label(code: &str) -> &'static str {
    jixiao_domain::finding::Severity::parse(code).map_or("", |s| s.label())
}

/// Horizontal bars of `(label, value)`, values written by `show`.
fn bars(title: &str, items: &[(String, i64)], show: &dyn Fn(i64) -> String) -> String {
    const ROW: usize = 24;
    const LABEL: usize = 210;
    const BAR: usize = 380;
    let max = items.iter().map(|x| x.1).max().unwrap_or(0).max(1);
    let height = ROW * items.len().max(1) + 6;
    let mut s = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(title),
        w = LABEL + BAR + 120,
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = i * ROW + 4;
        let short: String = label.chars().take(16).collect();
        let short = if short.chars().count() < label.chars().count() {
            format!("{short}…")
        } else {
            short
        };
        let w = (*v).max(0) as f64 / max as f64 * BAR as f64;
        s.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\">{l}</text><rect x=\"{LABEL}\" y=\"{y}\" width=\"{w:.1}\" height=\"{h}\" fill=\"#2e6bd1\"><title>{full}：{val}</title></rect><text x=\"{vx:.1}\" y=\"{ty}\" font-size=\"12\">{val}</text>",
            lx = LABEL - 6,
            ty = y + 15,
            l = escape(&short),
            h = ROW - 6,
            full = escape(label),
            val = escape(&show(*v)),
            vx = LABEL as f64 + w + 4.0,
        ));
    }
    s.push_str("</svg>");
    s
}

/// A unit's quality over the years `from..=to` as a small line (gaps where no dossier).
fn spark(points: &[(i64, i64)], from: i64, to: i64) -> String {
    const W: f64 = 120.0;
    const H: f64 = 28.0;
    let span = (to - from).max(1) as f64;
    let at = |year: i64, q: i64| {
        (
            (year - from) as f64 / span * (W - 8.0) + 4.0,
            H - 4.0 - q.clamp(0, 100) as f64 / 100.0 * (H - 8.0),
        )
    };
    let line: Vec<String> = points
        .iter()
        .map(|&(y, q)| {
            let (x, yy) = at(y, q);
            format!("{x:.1},{yy:.1}")
        })
        .collect();
    let dots: String = points
        .iter()
        .map(|&(y, q)| {
            let (x, yy) = at(y, q);
            format!("<circle cx=\"{x:.1}\" cy=\"{yy:.1}\" r=\"2.5\" fill=\"#2e6bd1\"><title>{y}年：{q}</title></circle>")
        })
        .collect();
    format!(
        "<svg class=\"spark\" role=\"img\" aria-label=\"质量指数趋势\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" xmlns=\"http://www.w3.org/2000/svg\"><polyline points=\"{}\" fill=\"none\" stroke=\"#2e6bd1\" stroke-width=\"1.5\"/>{dots}</svg>",
        line.join(" ")
    )
}

/// Every table of the desk for `st`, in page order.
pub fn tables(st: &Statistics) -> Vec<DeskTable> {
    let count = |v: i64| format!("{v} 份");
    let mut out = Vec::new();

    let rows: Vec<(String, i64)> = st
        .by_status
        .iter()
        .map(|(c, n)| (status_label(c), *n))
        .collect();
    out.push(DeskTable {
        code: "status",
        title: "档案状态",
        head: vec!["状态".into(), "档案数".into()],
        chart: Some(bars("各状态的档案数", &rows, &count)),
        rows: rows
            .into_iter()
            .map(|(l, n)| vec![l, n.to_string()])
            .collect(),
    });

    let rows: Vec<(String, i64)> = st
        .by_grade
        .iter()
        .map(|(g, n)| {
            (
                if g.is_empty() {
                    "未评级".to_string()
                } else {
                    g.clone()
                },
                *n,
            )
        })
        .collect();
    out.push(DeskTable {
        code: "grade",
        title: "审核等级",
        head: vec!["等级".into(), "档案数".into()],
        chart: Some(bars("各审核等级的档案数", &rows, &count)),
        rows: rows
            .into_iter()
            .map(|(l, n)| vec![l, n.to_string()])
            .collect(),
    });

    let money: Vec<(String, i64)> = st
        .units
        .iter()
        .filter_map(|u| u.total_fen.map(|f| (u.unit_name.clone(), f)))
        .take(15)
        .collect();
    out.push(DeskTable {
        code: "units",
        title: "各单位资金与质量",
        head: [
            "单位",
            "主管部门",
            "状态",
            "审核等级",
            "资金总额（万元）",
            "错误",
            "警告",
            "质量指数",
        ]
        .map(String::from)
        .to_vec(),
        chart: Some(bars(
            "资金总额最多的单位（万元）",
            &money,
            &|f| format!("{} 万元", wan(Some(f))),
        )),
        rows: st
            .units
            .iter()
            .map(|u| {
                vec![
                    u.unit_name.clone(),
                    u.parent_name.clone().unwrap_or_default(),
                    status_label(&u.status),
                    u.grade.clone().unwrap_or_default(),
                    wan(u.total_fen),
                    u.errors.to_string(),
                    u.warnings.to_string(),
                    u.quality.to_string(),
                ]
            })
            .collect(),
    });

    out.push(DeskTable {
        code: "parents",
        title: "按主管部门",
        head: [
            "主管部门",
            "档案数",
            "填有资金总额的档案数",
            "资金总额（万元）",
        ]
        .map(String::from)
        .to_vec(),
        chart: None,
        rows: st
            .parents
            .iter()
            .map(|p| {
                vec![
                    if p.parent_name.is_empty() {
                        "（无主管部门）".to_string()
                    } else {
                        p.parent_name.clone()
                    },
                    p.dossiers.to_string(),
                    p.with_total.to_string(),
                    wan(Some(p.total_fen)),
                ]
            })
            .collect(),
    });

    let mut level1: Vec<(String, i64)> = Vec::new();
    for c in &st.categories {
        match level1.iter_mut().find(|(l, _)| *l == c.level1) {
            Some(x) => x.1 += c.indicators,
            None => level1.push((c.level1.clone(), c.indicators)),
        }
    }
    out.push(DeskTable {
        code: "categories",
        title: "指标分类",
        head: ["一级指标", "二级指标", "指标条数", "档案数"]
            .map(String::from)
            .to_vec(),
        chart: Some(bars("各一级指标的指标条数", &level1, &|v| {
            format!("{v} 条")
        })),
        rows: st
            .categories
            .iter()
            .map(|c| {
                vec![
                    c.level1.clone(),
                    c.level2.clone(),
                    c.indicators.to_string(),
                    c.dossiers.to_string(),
                ]
            })
            .collect(),
    });

    let top: Vec<(String, i64)> = st
        .rules
        .iter()
        .take(10)
        .map(|r| {
            (
                format!("{}（{}）", rule_title(&r.rule), severity_label(&r.severity)),
                r.findings,
            )
        })
        .collect();
    out.push(DeskTable {
        code: "rules",
        title: "常见问题（按审核规则）",
        head: [
            "规则编号",
            "问题",
            "严重程度",
            "问题条数",
            "涉及档案",
            "涉及单位",
        ]
        .map(String::from)
        .to_vec(),
        chart: Some(bars("最常见的问题（条数）", &top, &|v| {
            format!("{v} 条")
        })),
        rows: st
            .rules
            .iter()
            .map(|r| {
                vec![
                    r.rule.clone(),
                    rule_title(&r.rule),
                    severity_label(&r.severity).to_string(),
                    r.findings.to_string(),
                    r.dossiers.to_string(),
                    r.units.to_string(),
                ]
            })
            .collect(),
    });

    out.push(DeskTable {
        code: "repeats",
        title: "重复出现的问题（本年度和上一年度都有）",
        head: ["单位", "规则编号", "问题"].map(String::from).to_vec(),
        chart: None,
        rows: st
            .repeats
            .iter()
            .map(|r| vec![r.unit_name.clone(), r.rule.clone(), rule_title(&r.rule)])
            .collect(),
    });

    let from = st.year - (TREND_YEARS - 1);
    let mut head = vec!["单位".to_string()];
    head.extend((from..=st.year).map(|y| format!("{y}年")));
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut last: Option<i64> = None;
    for t in &st.trend {
        if last != Some(t.unit_id) {
            let mut row = vec![t.unit_name.clone()];
            row.extend((from..=st.year).map(|_| String::new()));
            rows.push(row);
            last = Some(t.unit_id);
        }
        if let Some(row) = rows.last_mut() {
            row[(t.year - from) as usize + 1] = t.quality.to_string();
        }
    }
    out.push(DeskTable {
        code: "trend",
        title: "质量指数趋势（近五年）",
        head,
        chart: None,
        rows,
    });
    out
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<String>,
}

fn year_of(q: Result<Query<YearQuery>, QueryRejection>) -> Result<i64, ApiError> {
    match q
        .ok()
        .and_then(|Query(q)| q.year)
        .filter(|y| !y.trim().is_empty())
    {
        None => Ok(crate::services::this_year()),
        Some(y) => y
            .trim()
            .parse()
            .map_err(|_| ApiError::bad_request("年度应为数字（如 2025）")),
    }
}

/// `GET /stats?year=`: the desk.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<YearQuery>, QueryRejection>,
) -> Response {
    let year = match year_of(query) {
        Ok(y) => y,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let st = match state.services().statistics(&viewer.user, year).await {
        Ok(s) => s,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    // Sparklines per unit beside the trend table's rows.
    let from = year - (TREND_YEARS - 1);
    let mut sparks: Vec<String> = Vec::new();
    let mut last = None;
    let mut points: Vec<(i64, i64)> = Vec::new();
    for t in &st.trend {
        if last.is_some() && last != Some(t.unit_id) {
            sparks.push(spark(&points, from, year));
            points.clear();
            if sparks.len() == PAGE_ROWS {
                break;
            }
        }
        last = Some(t.unit_id);
        points.push((t.year, t.quality));
    }
    if !points.is_empty() && sparks.len() < PAGE_ROWS {
        sparks.push(spark(&points, from, year));
    }
    let total: i64 = st.by_status.iter().map(|x| x.1).sum();
    let money: i64 = st.units.iter().filter_map(|u| u.total_fen).sum();
    let quality = if st.units.is_empty() {
        String::new()
    } else {
        let sum: i64 = st.units.iter().map(|u| u.quality).sum();
        format!("{:.1}", sum as f64 / st.units.len() as f64)
    };
    let tables: Vec<_> = tables(&st)
        .into_iter()
        .map(|mut t| {
            let all = t.rows.len();
            t.rows.truncate(PAGE_ROWS);
            json!({ "t": t, "all": all })
        })
        .collect();
    state.ui().render(
        "stats.html",
        json!({
            "me": viewer.me(),
            "year": year,
            "total": total,
            "money": wan(Some(money)),
            "quality": quality,
            "tables": tables,
            "sparks": sparks,
            "page_rows": PAGE_ROWS,
        }),
    )
}

/// `GET /stats/export/{table}?year=`: one table of the desk as .xlsx, every row.
pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    query: Result<Query<YearQuery>, QueryRejection>,
) -> Response {
    let year = match year_of(query) {
        Ok(y) => y,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let svc = state.services();
    let st = match svc.statistics(&viewer.user, year).await {
        Ok(s) => s,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let Some(t) = tables(&st).into_iter().find(|t| t.code == code) else {
        return state
            .ui()
            .error_page(Some(&viewer), ApiError::NotFound("没有这张统计表".into()));
    };
    let rows = t.rows.len();
    let title = format!("{year}年度{}", t.title);
    let made = svc
        .cpu(rows, move || {
            let head: Vec<&str> = t.head.iter().map(String::as_str).collect();
            listing::xlsx(&title, &head, &t.rows)
        })
        .await;
    let bytes = match made {
        Ok(Ok(b)) => b,
        Ok(Err(m)) => {
            return state
                .ui()
                .error_page(Some(&viewer), ApiError::unprocessable(m))
        }
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    super::pages::download(
        bytes,
        jixiao_files::export::ExportFormat::Xlsx,
        &format!("jixiao-stats-{year}-{code}.xlsx"),
        &format!("{year}年度统计-{code}.xlsx"),
    )
}
