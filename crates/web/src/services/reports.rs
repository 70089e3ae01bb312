//! The rest of the budget year on an approved target dossier: in-year monitoring
//! (绩效运行监控, 财预〔2019〕136号) and the year-end self-evaluation (绩效自评, 财预〔2020〕10号).
//! A report is a dossier of its own kind (see `jixiao_store::DossierKind`): once made, it
//! is saved, remarked on, submitted, returned and approved through the dossier services,
//! with the same access rules. This module makes reports (prefilled from the approved
//! targets), opens monitoring rounds, and draws the reviewer's board and score list.

use jixiao_domain::report::Light;
use jixiao_domain::review::Status;
use jixiao_domain::{prefill, rules, scoring, Finding, Form};
use jixiao_store::{
    DossierFilter, DossierKind, NewReport, ReportFilter, Role, Round, Store, StoreError,
    StoredDossier, MAX_PAGE,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{dossier_rows, DossierDetail, DossierSummary, Scope, Services, User};
use crate::error::{ApiError, ApiResult};

/// `POST /api/dossiers/{id}/reports`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReportRequest {
    /// `monitoring` or `self_evaluation`.
    pub kind: String,
    /// Monitoring only: the last month the report covers (6 for 1–6月).
    pub period_months: Option<i64>,
}

/// A report just made: its id and first version, the prefilled forms and their findings.
#[derive(Debug, Serialize)]
pub struct ReportCreated {
    pub id: i64,
    pub version: i64,
    pub status: Status,
    pub forms: Vec<Form>,
    pub findings: Vec<Finding>,
}

/// `POST /api/rounds`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundRequest {
    pub year: i64,
    pub period_months: i64,
    /// 截止日期 `YYYY-MM-DD` (China time), optional.
    pub due: Option<String>,
}

/// A round just opened: how many reports it made and how many units already had one.
#[derive(Debug, Serialize)]
pub struct RoundOpened {
    pub round: Round,
    pub created: usize,
    pub skipped: usize,
}

/// One project's line on the monitoring board.
#[derive(Clone, Debug, Serialize)]
pub struct BoardRow {
    pub report_id: i64,
    pub unit_name: String,
    pub status: Status,
    pub status_label: &'static str,
    pub period_months: Option<i64>,
    pub project: String,
    /// 执行率 (percent) as computed from the money block, when known.
    pub rate: Option<Decimal>,
    /// The budget pace light.
    pub budget_light: Option<Light>,
    /// The worst light of the project (budget and indicators).
    pub light: Option<Light>,
    /// Indicators per light: red, yellow, green, blue.
    pub reds: usize,
    pub yellows: usize,
    pub greens: usize,
    pub blues: usize,
}

/// The monitoring board: rounds to choose from and the projects, red first.
#[derive(Debug, Serialize)]
pub struct Board {
    pub year: i64,
    pub rounds: Vec<Round>,
    pub round: Option<Round>,
    pub rows: Vec<BoardRow>,
}

/// One self-evaluation in the score list.
#[derive(Clone, Debug, Serialize)]
pub struct EvaluationRow {
    pub report_id: i64,
    pub unit_name: String,
    pub status: Status,
    pub status_label: &'static str,
    /// 项目名称, or 部门整体 for the department-wide form.
    pub name: String,
    pub computed_total: Option<Decimal>,
    pub total_score: Option<Decimal>,
    pub computed_grade: Option<String>,
}

/// Self-evaluations of a year, the best score first, and how many of each grade.
#[derive(Debug, Serialize)]
pub struct Evaluations {
    pub year: i64,
    pub rows: Vec<EvaluationRow>,
    /// (grade, count) for 优, 良, 中, 差 and 未评分.
    pub grades: Vec<(String, usize)>,
}

impl Services {
    /// The report when the caller may see it; `NotFound` for a target dossier too.
    pub async fn visible_report(&self, user: &User, id: i64) -> ApiResult<StoredDossier> {
        let d = self.visible(user, id).await?;
        if d.kind.is_report() {
            Ok(d)
        } else {
            Err(ApiError::NotFound("报告不存在".into()))
        }
    }

    /// A report with its current forms; the computed scores and lights recomputed under
    /// the profile in force.
    pub async fn report(&self, user: &User, id: i64) -> ApiResult<DossierDetail> {
        let d = self.visible_report(user, id).await?;
        let mut detail = self.detail_of(&d).await?;
        scoring::fill_computed(&mut detail.forms, &self.profile);
        Ok(detail)
    }

    /// `GET /api/dossiers/{id}/reports`: the reports on a target dossier.
    pub async fn reports_of(&self, user: &User, id: i64) -> ApiResult<Vec<DossierSummary>> {
        let d = self.visible(user, id).await?;
        let list = self.store.reports_of(d.id).await?;
        Ok(list.iter().map(DossierSummary::from).collect())
    }

    /// A monitoring report (a unit for its own targets, or a reviewer or administrator for
    /// the units they oversee) or a self-evaluation (a unit or an administrator) on an
    /// approved target dossier, prefilled from its approved version; a self-evaluation
    /// also takes the reasons of the latest monitoring report.
    pub async fn create_report(
        &self,
        user: &User,
        target_id: i64,
        request: &NewReportRequest,
    ) -> ApiResult<ReportCreated> {
        let kind = match DossierKind::parse(&request.kind) {
            Some(k) if k.is_report() => k,
            _ => {
                return Err(ApiError::unprocessable(
                    "报告类型应为 monitoring（绩效运行监控）或 self_evaluation（绩效自评）",
                ))
            }
        };
        let target = self.visible(user, target_id).await?;
        if kind == DossierKind::SelfEvaluation {
            Self::require(user, &[Role::Unit, Role::Admin], "填报绩效自评")?;
        }
        let period = match kind {
            DossierKind::Monitoring => Some(request.period_months.unwrap_or(6)),
            _ => None,
        };
        let new = NewReport {
            target_id,
            kind,
            period_months: period,
            round_id: None,
        };
        self.make_report(user, &target, new).await
    }

    /// Prefills, scores, checks and stores a report on `target` (already visible).
    async fn make_report(
        &self,
        user: &User,
        target: &StoredDossier,
        new: NewReport,
    ) -> ApiResult<ReportCreated> {
        if target.kind.is_report() {
            return Err(ApiError::unprocessable("报告只能针对绩效目标档案建立"));
        }
        let Some(approved) = target.approved_version else {
            return Err(ApiError::unprocessable(
                "绩效目标尚未审核通过，不能开展绩效监控或绩效自评",
            ));
        };
        let approved_forms = self.store.get_version(target.id, approved).await?.forms;
        let mut forms = match new.kind {
            DossierKind::Monitoring => {
                let month = new
                    .period_months
                    .and_then(|m| u8::try_from(m).ok())
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(|| ApiError::unprocessable("监控期间应为 1 至 12 月"))?;
                prefill::monitoring_from_targets(&approved_forms, month)
            }
            _ => {
                let last = self.last_monitoring(target.id).await?;
                prefill::self_evaluations_from_targets(&approved_forms, &last, &self.profile)
            }
        };
        if forms.is_empty() {
            return Err(ApiError::unprocessable(
                "审核通过的绩效目标中没有项目或部门整体绩效目标表，无法生成报告",
            ));
        }
        scoring::fill_computed(&mut forms, &self.profile);
        self.within_limits(&forms)?;
        let file = format!(
            "{}{}年度{}",
            target.unit_name,
            target.year,
            new.kind.label()
        );
        let report_view = StoredDossier {
            kind: new.kind,
            report_of: Some(target.id),
            ..target.clone()
        };
        let mut findings = self.check_stored(&report_view, &file, &forms).await?;
        rules::sort_findings(&mut findings);
        let d = self
            .store
            .create_report(&new, &forms, &findings, &user.actor())
            .await?;
        Ok(ReportCreated {
            id: d.id,
            version: d.current_version,
            status: d.status,
            forms,
            findings,
        })
    }

    /// The forms of the latest monitoring report on a target (none when there is none).
    async fn last_monitoring(&self, target_id: i64) -> ApiResult<Vec<Form>> {
        let latest = self
            .store
            .reports_of(target_id)
            .await?
            .into_iter()
            .filter(|r| r.kind == DossierKind::Monitoring)
            .max_by_key(|r| r.period_months);
        Ok(match latest {
            Some(r) => self.store.get_version(r.id, r.current_version).await?.forms,
            None => Vec::new(),
        })
    }

    /// 开启监控: a reviewer or administrator opens the monitoring round of a year; every
    /// approved target dossier of the units they oversee gets its monitoring report
    /// (prefilled), except those that already have one for that period.
    pub async fn open_round(&self, user: &User, request: &RoundRequest) -> ApiResult<RoundOpened> {
        Self::require(user, &[Role::Reviewer, Role::Admin], "开启绩效监控")?;
        self.budget_year(request.year)?;
        let due_at = match request
            .due
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(day) => Some(super::progress::parse_deadline(day)?),
            None => None,
        };
        let round = match self
            .store
            .open_round(request.year, request.period_months, due_at, &user.actor())
            .await
        {
            Ok(r) => r,
            // A second reviewer opening the same round joins it: their units get reports.
            Err(StoreError::Duplicate(_)) => self
                .store
                .rounds(Some(request.year))
                .await?
                .into_iter()
                .find(|r| r.period_months == request.period_months)
                .ok_or_else(|| ApiError::internal("round vanished"))?,
            Err(e) => return Err(e.into()),
        };
        let unit_ids = match self.scope(user).await? {
            Scope::All => None,
            Scope::Units(ids) => Some(ids),
        };
        let (mut created, mut skipped) = (0, 0);
        let mut offset = 0;
        loop {
            let page = self
                .store
                .list_dossiers(&DossierFilter {
                    unit_ids: unit_ids.clone(),
                    year: Some(request.year),
                    limit: MAX_PAGE,
                    offset,
                    ..DossierFilter::default()
                })
                .await?;
            let n = page.items.len() as i64;
            for target in page.items.iter().filter(|d| d.approved_version.is_some()) {
                let new = NewReport {
                    target_id: target.id,
                    kind: DossierKind::Monitoring,
                    period_months: Some(round.period_months),
                    round_id: Some(round.id),
                };
                match self.make_report(user, target, new).await {
                    Ok(_) => created += 1,
                    Err(ApiError::Conflict { .. }) => skipped += 1,
                    // A target without projects has nothing to monitor.
                    Err(ApiError::Unprocessable { .. }) => skipped += 1,
                    Err(e) => return Err(e),
                }
            }
            offset += n;
            if n < MAX_PAGE {
                break;
            }
        }
        Ok(RoundOpened {
            round,
            created,
            skipped,
        })
    }

    /// The monitoring rounds of a year.
    pub async fn rounds(&self, year: i64) -> ApiResult<Vec<Round>> {
        Ok(self.store.rounds(Some(year)).await?)
    }

    async fn scoped_reports(
        &self,
        user: &User,
        kind: DossierKind,
        year: i64,
        round_id: Option<i64>,
    ) -> ApiResult<Vec<(StoredDossier, Vec<Form>)>> {
        let unit_ids = match self.scope(user).await? {
            Scope::All => None,
            Scope::Units(ids) => Some(ids),
        };
        Ok(self
            .store
            .report_sheets(&ReportFilter {
                kind,
                year: Some(year),
                unit_ids,
                round_id,
            })
            .await?)
    }

    /// 监控看板: every project of the monitoring reports the caller may see (of one round,
    /// or the year's latest round), with its lights, red first.
    pub async fn board(&self, user: &User, year: i64, round: Option<i64>) -> ApiResult<Board> {
        let rounds = self.store.rounds(Some(year)).await?;
        let chosen = match round {
            Some(id) => Some(
                rounds
                    .iter()
                    .find(|r| r.id == id)
                    .cloned()
                    .ok_or_else(|| ApiError::NotFound("监控轮次不存在".into()))?,
            ),
            None => rounds.first().cloned(),
        };
        let sheets = self
            .scoped_reports(
                user,
                DossierKind::Monitoring,
                year,
                chosen.as_ref().map(|r| r.id),
            )
            .await?;
        let profile = self.profile.clone();
        let rows = self
            .cpu(
                sheets.iter().map(|(_, f)| dossier_rows(f)).sum(),
                move || board_rows(sheets, &profile),
            )
            .await?;
        Ok(Board {
            year,
            rounds,
            round: chosen,
            rows,
        })
    }

    /// 自评结果: the self-evaluations of a year the caller may see, best score first, and
    /// the grade distribution.
    pub async fn evaluations(&self, user: &User, year: i64) -> ApiResult<Evaluations> {
        let sheets = self
            .scoped_reports(user, DossierKind::SelfEvaluation, year, None)
            .await?;
        let profile = self.profile.clone();
        self.cpu(
            sheets.iter().map(|(_, f)| dossier_rows(f)).sum(),
            move || evaluation_list(year, sheets, &profile),
        )
        .await
    }
}

/// The board's lines: one per monitoring form, the worst light first.
fn board_rows(
    sheets: Vec<(StoredDossier, Vec<Form>)>,
    profile: &jixiao_domain::Profile,
) -> Vec<BoardRow> {
    let mut rows = Vec::new();
    for (d, mut forms) in sheets {
        scoring::fill_computed(&mut forms, profile);
        for f in &forms {
            let Form::Monitoring(m) = f else { continue };
            let count = |l: Light| m.indicators.iter().filter(|i| i.light == Some(l)).count();
            rows.push(BoardRow {
                report_id: d.id,
                unit_name: d.unit_name.clone(),
                status: d.status,
                status_label: d.status.label(),
                period_months: d.period_months,
                project: m.name.clone(),
                rate: scoring::monitoring_rate(&m.money).map(scoring::round2),
                budget_light: m.money.light,
                light: m.light,
                reds: count(Light::Red),
                yellows: count(Light::Yellow),
                greens: count(Light::Green),
                blues: count(Light::Blue),
            });
        }
    }
    // Red first, then yellow, blue (ahead of plan: the target may be too low), green, none.
    let rank = |l: Option<Light>| match l {
        Some(Light::Red) => 0,
        Some(Light::Yellow) => 1,
        Some(Light::Blue) => 2,
        Some(Light::Green) => 3,
        None => 4,
    };
    rows.sort_by(|a, b| {
        (rank(a.light), &a.unit_name, &a.project).cmp(&(rank(b.light), &b.unit_name, &b.project))
    });
    rows
}

/// The score list: one line per self-evaluation form, best computed total first.
fn evaluation_list(
    year: i64,
    sheets: Vec<(StoredDossier, Vec<Form>)>,
    profile: &jixiao_domain::Profile,
) -> Evaluations {
    let mut rows = Vec::new();
    for (d, mut forms) in sheets {
        scoring::fill_computed(&mut forms, profile);
        for f in &forms {
            let Form::SelfEvaluation(e) = f else { continue };
            rows.push(EvaluationRow {
                report_id: d.id,
                unit_name: d.unit_name.clone(),
                status: d.status,
                status_label: d.status.label(),
                name: if e.name.trim().is_empty() {
                    e.variant.label().to_string()
                } else {
                    e.name.clone()
                },
                computed_total: e.computed_total,
                total_score: e.total_score,
                computed_grade: e.computed_grade.clone(),
            });
        }
    }
    rows.sort_by(|a, b| {
        b.computed_total
            .cmp(&a.computed_total)
            .then_with(|| a.unit_name.cmp(&b.unit_name))
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut grades: Vec<(String, usize)> = ["优", "良", "中", "差"]
        .iter()
        .map(|g| {
            let n = rows
                .iter()
                .filter(|r| r.computed_grade.as_deref() == Some(*g))
                .count();
            (g.to_string(), n)
        })
        .collect();
    grades.push((
        "未评分".into(),
        rows.iter().filter(|r| r.computed_grade.is_none()).count(),
    ));
    Evaluations { year, rows, grades }
}
