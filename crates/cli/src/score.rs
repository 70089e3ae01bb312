//! `jixiao score FILE…`: the stated and the recomputed scores of every self-evaluation
//! (per indicator, the execution rate, the total and the grade) and the lights of every
//! monitoring form, so a reviewer sees at once where a form's arithmetic departs from 10号
//! / 136号 as the profile configures them.

use std::io::Write;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use jixiao_domain::model::Form;
use jixiao_domain::report::{Light, Monitoring, SelfEvaluation};
use jixiao_domain::scoring::{self, Assessment};
use jixiao_domain::Profile;
use jixiao_files::import::{import_path, Status};
use jixiao_files::limits::Limits;

#[derive(Serialize)]
pub struct ScoredFile {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub forms: Vec<ScoredForm>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScoredForm {
    SelfEvaluation(SelfEvaluationScore),
    Monitoring(MonitoringLights),
}

#[derive(Serialize)]
pub struct SelfEvaluationScore {
    pub form: usize,
    pub name: String,
    /// 执行率 (percent, exact), its 分值 and the recomputed score.
    pub execution: Option<ExecutionScore>,
    pub rows: Vec<RowScore>,
    pub total: Option<Decimal>,
    pub computed_total: Option<Decimal>,
    pub grade: Option<String>,
    pub computed_grade: Option<String>,
    /// The copy is cut: no total is recomputed.
    pub incomplete: bool,
}

#[derive(Serialize)]
pub struct ExecutionScore {
    pub rate: Option<Decimal>,
    pub stated_rate: Option<Decimal>,
    pub weight: Option<Decimal>,
    pub score: Option<Decimal>,
    pub stated_score: Option<Decimal>,
}

#[derive(Serialize)]
pub struct RowScore {
    pub name: String,
    pub target: String,
    pub actual: String,
    pub weight: Option<Decimal>,
    pub score: Option<Decimal>,
    pub computed_score: Option<Decimal>,
    /// 达成 / 部分达成 / 未达成 for a qualitative row, 不适用, or none.
    pub assessment: &'static str,
    /// The stated score differs from the computed one.
    pub differs: bool,
}

#[derive(Serialize)]
pub struct MonitoringLights {
    pub form: usize,
    pub name: String,
    pub months: u8,
    pub rate: Option<Decimal>,
    pub money_light: Option<Light>,
    pub rows: Vec<RowLight>,
    pub light: Option<Light>,
}

#[derive(Serialize)]
pub struct RowLight {
    pub name: String,
    pub target: String,
    pub progress: String,
    pub light: Option<Light>,
}

/// Score every report form of the files.
pub fn score_files(paths: &[PathBuf], profile: &Profile) -> Vec<ScoredFile> {
    let limits = Limits::default();
    paths
        .iter()
        .map(|p| {
            let f = import_path(p, profile, &limits);
            let forms = f
                .forms
                .iter()
                .enumerate()
                .filter_map(|(k, form)| match form {
                    Form::SelfEvaluation(e) => {
                        Some(ScoredForm::SelfEvaluation(self_evaluation(k, e, profile)))
                    }
                    Form::Monitoring(m) => Some(ScoredForm::Monitoring(monitoring(k, m, profile))),
                    _ => None,
                })
                .collect();
            ScoredFile {
                path: f.path,
                error: (f.status == Status::Error).then(|| f.error.unwrap_or_default()),
                forms,
            }
        })
        .collect()
}

fn assessment_label(a: &Assessment) -> &'static str {
    match a {
        Assessment::NotApplicable => "不适用",
        Assessment::Qualitative(l) => l.label(),
        Assessment::Quantitative(m) if m.met => "已达成",
        Assessment::Quantitative(_) => "未达成",
        Assessment::Unknown => "无法比较",
    }
}

fn self_evaluation(k: usize, e: &SelfEvaluation, p: &Profile) -> SelfEvaluationScore {
    let ev = scoring::evaluate(e, p);
    let rows = e
        .indicators
        .iter()
        .zip(&ev.rows)
        .filter(|(i, _)| !i.is_blank())
        .map(|(i, r)| RowScore {
            name: i.name.clone(),
            target: i.target.text.clone(),
            actual: i.actual.text.clone(),
            weight: i.weight,
            score: i.score,
            computed_score: r.computed,
            assessment: assessment_label(&r.assessment),
            differs: matches!((i.score, r.computed), (Some(s), Some(c)) if s != c),
        })
        .collect();
    SelfEvaluationScore {
        form: k,
        name: Form::SelfEvaluation(e.clone()).display_name(),
        execution: ev.execution.map(|x| ExecutionScore {
            rate: x.rate.map(scoring::round2),
            stated_rate: e.money.total.rate,
            weight: x.weight,
            score: x.score,
            stated_score: e.money.total.score,
        }),
        rows,
        total: e.total_score,
        computed_total: ev.total,
        grade: e.grade.clone(),
        computed_grade: ev.grade,
        incomplete: e.incomplete,
    }
}

fn monitoring(k: usize, m: &Monitoring, p: &Profile) -> MonitoringLights {
    let l = scoring::monitoring_lights(m, p);
    MonitoringLights {
        form: k,
        name: Form::Monitoring(m.clone()).display_name(),
        months: l.month,
        rate: l.rate.map(scoring::round2),
        money_light: l.money,
        rows: m
            .indicators
            .iter()
            .zip(&l.rows)
            .map(|(i, light)| RowLight {
                name: i.name.clone(),
                target: i.target.text.clone(),
                progress: i.progress.text.clone(),
                light: *light,
            })
            .collect(),
        light: l.worst,
    }
}

fn num(d: &Option<Decimal>) -> String {
    d.map_or("—".into(), |d| d.normalize().to_string())
}

fn light(l: &Option<Light>) -> &'static str {
    l.map_or("—", |l| l.label())
}

/// The text report: one block per form, rows whose stated score differs marked `≠`.
pub fn write_scores(out: &mut dyn Write, files: &[ScoredFile]) -> std::io::Result<()> {
    for f in files {
        writeln!(out, "文件：{}", f.path)?;
        if let Some(e) = &f.error {
            writeln!(out, "  无法导入：{e}")?;
            continue;
        }
        if f.forms.is_empty() {
            writeln!(out, "  没有自评表或监控表")?;
        }
        for form in &f.forms {
            match form {
                ScoredForm::SelfEvaluation(s) => {
                    writeln!(out, "  ■ 第{}张表 {}", s.form + 1, s.name)?;
                    if let Some(x) = &s.execution {
                        writeln!(
                            out,
                            "    预算执行率 {}%（表中 {}），分值 {}，得分 {}（表中 {}）",
                            num(&x.rate),
                            x.stated_rate
                                .map_or("—".into(), |r| format!("{}%", r.normalize())),
                            num(&x.weight),
                            num(&x.score),
                            num(&x.stated_score)
                        )?;
                    }
                    for r in &s.rows {
                        writeln!(
                            out,
                            "    {} {}：目标 {}，完成 {}，{}；分值 {}，得分 {}，计算 {}",
                            if r.differs { "≠" } else { " " },
                            r.name,
                            r.target,
                            if r.actual.is_empty() {
                                "—"
                            } else {
                                &r.actual
                            },
                            r.assessment,
                            num(&r.weight),
                            num(&r.score),
                            num(&r.computed_score)
                        )?;
                    }
                    writeln!(
                        out,
                        "    总分 {}，计算 {}；自评等级 {}，计算 {}{}",
                        num(&s.total),
                        num(&s.computed_total),
                        s.grade.as_deref().unwrap_or("—"),
                        s.computed_grade.as_deref().unwrap_or("—"),
                        if s.incomplete {
                            "（摘录不完整，不计算总分）"
                        } else {
                            ""
                        }
                    )?;
                }
                ScoredForm::Monitoring(m) => {
                    writeln!(out, "  ■ 第{}张表 {}", m.form + 1, m.name)?;
                    writeln!(
                        out,
                        "    监控期 1-{}月，预算执行率 {}%，预算执行 {}",
                        m.months,
                        num(&m.rate),
                        light(&m.money_light)
                    )?;
                    for r in &m.rows {
                        writeln!(
                            out,
                            "    {} {}：目标 {}，执行情况 {}",
                            light(&r.light),
                            r.name,
                            r.target,
                            if r.progress.is_empty() {
                                "—"
                            } else {
                                &r.progress
                            }
                        )?;
                    }
                    writeln!(out, "    整体 {}", light(&m.light))?;
                }
            }
        }
    }
    Ok(())
}
