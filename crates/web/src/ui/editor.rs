//! The dossier editor (`/dossiers/{id}/edit`) and the "new dossier" page
//! (`/dossiers/new`). Like the other pages they decide nothing about access: the services
//! do (`Services::editor`, `Services::new_choices`). The pages embed their model as JSON
//! for the editor's ES modules (`static/editor-*.js`), which edit it and talk to the JSON API.

use axum::extract::State;
use axum::response::Response;
use jixiao_domain::report::{
    GoalPair, MonitoredIndicator, Monitoring, ScoredIndicator, SelfEvaluation,
};
use jixiao_domain::{
    DepartmentOverall, ExpenditureDetail, Form, FormKind, Indicator, KeyTask, Project,
    ProjectVariant, SpecialFundSummary, SummaryItem,
};
use jixiao_store::DossierKind;
use serde::Serialize;
use serde_json::{json, Value};

use super::{PageId, Viewer};
use crate::services::{dossier_rows, this_year};
use crate::AppState;

/// JSON for a `<script type="application/json">` element: `<`, `>` and `&` (and the JS
/// line separators) escaped inside strings, so no text can close the element.
pub fn script_json(value: &impl Serialize) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|e| {
        tracing::error!(error = %e, "page model does not serialise");
        "null".into()
    });
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Blank forms and rows from the model's defaults, so the script makes new ones in
/// exactly the shape the server reads; and the names of the kinds of table (a report's
/// editor offers only its own kind).
fn blanks_for(kind: DossierKind) -> Value {
    let mut b = blanks();
    let report = |f: Form| serde_json::to_value(f).unwrap_or(Value::Null);
    b["forms"]["self_evaluation"] = report(Form::SelfEvaluation(SelfEvaluation::default()));
    b["forms"]["monitoring"] = report(Form::Monitoring(Monitoring::default()));
    b["rows"]["goals"] = json!(GoalPair::default());
    b["rows"]["self_evaluation_indicators"] = json!(ScoredIndicator::default());
    b["rows"]["monitoring_indicators"] = json!(MonitoredIndicator::default());
    match kind {
        DossierKind::Targets => {}
        DossierKind::SelfEvaluation => {
            b["kinds"] = json!([["self_evaluation", FormKind::SelfEvaluation.label()]]);
        }
        DossierKind::Monitoring => {
            b["kinds"] = json!([["monitoring", FormKind::Monitoring.label()]]);
        }
    }
    b
}

fn blanks() -> Value {
    let project = |variant| {
        Form::Project(Project {
            variant,
            ..Project::default()
        })
    };
    json!({
        "forms": {
            "department_overall": Form::DepartmentOverall(DepartmentOverall::default()),
            "special_fund_summary": Form::SpecialFundSummary(SpecialFundSummary::default()),
            "project": project(ProjectVariant::Project),
            "expenditure_direction": project(ProjectVariant::ExpenditureDirection),
            "transfer": project(ProjectVariant::Transfer),
        },
        "rows": {
            "indicators": Indicator::default(),
            "details": ExpenditureDetail::default(),
            "key_tasks": KeyTask::default(),
            "items": SummaryItem::default(),
        },
        "labels": jixiao_domain::labels::label_table(),
        "kinds": [
            ["project", ProjectVariant::Project.label()],
            ["expenditure_direction", ProjectVariant::ExpenditureDirection.label()],
            ["transfer", ProjectVariant::Transfer.label()],
            ["department_overall", FormKind::DepartmentOverall.label()],
            ["special_fund_summary", FormKind::SpecialFundSummary.label()],
        ],
    })
}

/// `GET /dossiers/new`: upload (with a preview), copy a former year's dossier, or blank.
pub async fn new_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let svc = state.services();
    let choices = match svc.new_choices(&viewer.user).await {
        Ok(c) => c,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let is_admin = viewer.user.account.role == jixiao_store::Role::Admin;
    let years = svc.config().quotas.years();
    let model = json!({
        "blank": blanks(),
        "admin": is_admin,
        "unit_name": choices.own_unit.as_ref().map(|u| u.name.clone()),
    });
    state.ui().render(
        "new.html",
        json!({
            "me": viewer.me(),
            "dossiers": choices.dossiers,
            "units": choices.units.iter().map(|u| json!({"id": u.id, "name": u.name})).collect::<Vec<_>>(),
            "own_unit": choices.own_unit.map(|u| u.name),
            "is_admin": is_admin,
            "next_year": (this_year() + 1).min(*years.end()),
            "min_year": years.start(),
            "max_year": years.end(),
            "model": script_json(&model),
        }),
    )
}

/// `GET /dossiers/{id}/edit`: the editor on the current version.
pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageId(id): PageId,
) -> Response {
    let svc = state.services();
    let m = match svc.editor(&viewer.user, id).await {
        Ok(m) => m,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let framework = svc.framework();
    let (me, st) = (viewer.me(), state.clone());
    let page = svc
        .cpu(dossier_rows(&m.forms), move || {
            let d = &m.dossier;
            // Open remarks on cells, on the cells they point at now (carried from earlier
            // versions, 已修改 where the cell changed since).
            let remarks: Vec<Value> =
                super::diff::page_comments(&m.comments, &m.earlier, d.version, &m.forms)
                    .iter()
                    .filter(|p| !p.field.is_empty() && p.comment.resolved_at.is_none())
                    .map(|p| {
                        json!({
                            "field": p.field,
                            "body": p.comment.body,
                            "author": p.comment.author_name,
                            "version": p.comment.version,
                            "changed": p.changed,
                        })
                    })
                    .collect();
            let model = json!({
                "id": d.id,
                "version": d.version,
                "status": d.status,
                "status_label": d.status_label,
                "adjust": m.adjust,
                "unit_name": d.unit_name,
                "year": d.year,
                "updated_at": d.updated_at,
                "forms": m.forms,
                "remarks": remarks,
                "framework": framework,
                "kind": d.kind,
                "blank": blanks_for(d.kind),
            });
            st.ui().render(
                "editor.html",
                json!({
                    "me": me,
                    "d": d,
                    "adjust": m.adjust,
                    "model": script_json(&model),
                }),
            )
        })
        .await;
    page.unwrap_or_else(|e| state.ui().error_page(Some(&viewer), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_element() {
        let s = script_json(&json!({ "t": "</script><!-- & \u{2028}" }));
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["t"], "</script><!-- & \u{2028}");
    }
}
