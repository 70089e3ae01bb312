//! 监控看板 (`/monitoring`) and 自评结果 (`/self-evaluations`): the reviewer's view of the
//! in-year monitoring reports (lights, red first) and the year's self-evaluation scores.
//! What a viewer sees is decided by the services, as everywhere.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::pages::opt_num;
use super::Viewer;
use crate::services::this_year;
use crate::AppState;

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    year: Option<String>,
    round: Option<String>,
}

fn years(year: i64) -> Vec<i64> {
    (year.min(this_year()) - 3..=this_year() + 1)
        .rev()
        .collect()
}

/// `GET /monitoring?year=&round=`.
pub async fn board(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<BoardQuery>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let year = opt_num(&q.year).unwrap_or_else(this_year);
    match state
        .services()
        .board(&viewer.user, year, opt_num(&q.round))
        .await
    {
        Ok(b) => {
            let reds = b
                .rows
                .iter()
                .filter(|r| r.reds > 0 || r.light == Some(jixiao_domain::report::Light::Red))
                .count();
            state.ui().render(
                "monitoring.html",
                json!({
                    "me": viewer.me(),
                    "b": b,
                    "reds": reds,
                    "years": years(year),
                    "months": (1..=12).collect::<Vec<_>>(),
                    "can_open": viewer.user.account.role != jixiao_store::Role::Unit,
                }),
            )
        }
        Err(e) => state.ui().error_page(Some(&viewer), e),
    }
}

/// `GET /self-evaluations?year=`.
pub async fn evaluations(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<BoardQuery>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let year = opt_num(&q.year).unwrap_or_else(this_year);
    match state.services().evaluations(&viewer.user, year).await {
        Ok(e) => {
            let most = e.grades.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
            state.ui().render(
                "evaluations.html",
                json!({
                    "me": viewer.me(),
                    "e": e,
                    "most": most,
                    "years": years(year),
                }),
            )
        }
        Err(e) => state.ui().error_page(Some(&viewer), e),
    }
}
