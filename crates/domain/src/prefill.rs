//! Reports started from approved targets: the in-year monitoring form of each project
//! (财预〔2019〕136号) and the year-end self-evaluations (财预〔2020〕10号), prefilled with
//! what the approved dossier already says — names, departments, budgets, goals, every
//! indicator with its target — so a unit only enters progress or actuals, and a
//! `target-changed` finding can tell when a target was altered on the way.

use rust_decimal::Decimal;

use crate::model::{DepartmentOverall, Form, Indicator, Project, Signoff};
use crate::profile::Profile;
use crate::report::{
    GoalPair, MonitoredIndicator, Monitoring, MonitoringMoney, ScoredIndicator, SelfEvaluation,
    SelfEvaluationVariant,
};

/// One monitoring form per project of the approved forms, for the months `1..=period`.
pub fn monitoring_from_targets(approved: &[Form], period_months: u8) -> Vec<Form> {
    approved
        .iter()
        .filter_map(|f| match f {
            Form::Project(p) => Some(Form::Monitoring(monitoring_of(p, period_months))),
            _ => None,
        })
        .collect()
}

fn monitoring_of(p: &Project, period_months: u8) -> Monitoring {
    Monitoring {
        title: title(p.year, "项目支出绩效目标执行监控表"),
        unit: p.unit.clone(),
        year: p.year,
        name: p.name.clone(),
        department: p.department.clone(),
        implementer: p.unit.clone(),
        period_months: Some(period_months),
        money: MonitoringMoney {
            annual: p.amount,
            ..Default::default()
        },
        goals: goal(&p.annual_goal),
        indicators: p
            .indicators
            .iter()
            .filter(|i| !is_blank(i))
            .map(|i| MonitoredIndicator {
                level1: i.level1.clone(),
                level2: i.level2.clone(),
                name: i.name.clone(),
                target: i.value.clone(),
                ..Default::default()
            })
            .collect(),
        signoff: signoff(&p.signoff),
        ..Default::default()
    }
}

/// The self-evaluations of an approved dossier: the department-wide one from its
/// 部门整体 form and one per project, with the profile's 分值 spread over the rows. The last
/// monitoring report, when given, carries its reasons and measures over as a start for the
/// 偏差原因分析 (matched by project name and indicator).
pub fn self_evaluations_from_targets(
    approved: &[Form],
    last_monitoring: &[Form],
    profile: &Profile,
) -> Vec<Form> {
    approved
        .iter()
        .filter_map(|f| match f {
            Form::DepartmentOverall(d) => {
                Some(Form::SelfEvaluation(department_self_evaluation(d, profile)))
            }
            Form::Project(p) => {
                let monitored = last_monitoring.iter().find_map(|m| match m {
                    Form::Monitoring(m) if m.name == p.name => Some(m),
                    _ => None,
                });
                Some(Form::SelfEvaluation(project_self_evaluation(
                    p, monitored, profile,
                )))
            }
            _ => None,
        })
        .collect()
}

fn project_self_evaluation(
    p: &Project,
    monitored: Option<&Monitoring>,
    profile: &Profile,
) -> SelfEvaluation {
    let mut e = SelfEvaluation {
        variant: SelfEvaluationVariant::Project,
        title: title(p.year, "项目支出绩效自评表"),
        unit: p.unit.clone(),
        year: p.year,
        name: p.name.clone(),
        department: p.department.clone(),
        implementer: p.unit.clone(),
        goals: goal(&p.annual_goal),
        indicators: scored(&p.indicators, profile),
        signoff: signoff(&p.signoff),
        ..Default::default()
    };
    e.money.total.annual = p.amount;
    e.money.total.weight = Some(profile.scoring.execution_weight);
    if let Some(m) = monitored {
        for row in &mut e.indicators {
            let seen = m
                .indicators
                .iter()
                .find(|x| x.name == row.name && x.level2 == row.level2);
            if let Some(x) = seen {
                row.deviation = [x.deviation.trim(), x.measures.trim()]
                    .iter()
                    .filter(|t| !t.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("；");
            }
        }
    }
    e
}

fn department_self_evaluation(d: &DepartmentOverall, profile: &Profile) -> SelfEvaluation {
    let mut e = SelfEvaluation {
        variant: SelfEvaluationVariant::Department,
        title: title(d.year, "部门整体支出绩效自评表"),
        unit: d.unit.clone(),
        year: d.year,
        department: d.unit.clone(),
        goals: goal(&d.annual_goal),
        indicators: scored(&d.indicators, profile),
        signoff: signoff(&d.signoff),
        ..Default::default()
    };
    e.money.total.annual = d.budget.total;
    e.money.total.weight = Some(profile.scoring.execution_weight);
    e.money.fiscal.annual = d.budget.by_source.general_public;
    e
}

/// Rows of a self-evaluation from approved indicators, each 一级 block's 分值 (the profile's
/// `level1_weights`) spread evenly over its rows to 2 places, the last row taking the
/// remainder so the block adds up exactly. A 一级 the profile does not weigh (成本指标 of
/// the 2021 framework, which was a 二级 of 产出 before) counts with the first block; a
/// 二级 named like a weighed 一级 (服务对象满意度指标 under 效益指标, as before 2021) counts
/// with that 一级. A block the targets have no row for gives its 分值 to the others in
/// proportion, so the form still adds up to 100.
fn scored(indicators: &[Indicator], profile: &Profile) -> Vec<ScoredIndicator> {
    let rows: Vec<&Indicator> = indicators.iter().filter(|i| !is_blank(i)).collect();
    let weights = &profile.scoring.level1_weights;
    let stem = |l1: &str| l1.trim_end_matches("指标").to_string();
    let block_of = |i: &Indicator| {
        weights
            .iter()
            .position(|(l1, _)| {
                let s = stem(l1);
                !s.is_empty() && i.level2.contains(&s)
            })
            .or_else(|| weights.iter().position(|(l1, _)| *l1 == i.level1))
            .unwrap_or(0)
    };
    let mut out: Vec<ScoredIndicator> = rows
        .iter()
        .map(|i| ScoredIndicator {
            level1: i.level1.clone(),
            level2: i.level2.clone(),
            name: i.name.clone(),
            target: i.value.clone(),
            ..Default::default()
        })
        .collect();
    // Weights the approved table gives (权重) are kept when they make the form's 100 with
    // the execution weight.
    let given: Option<Vec<Decimal>> = rows
        .iter()
        .map(|i| {
            i.weight
                .as_deref()
                .and_then(|w| crate::text::parse_decimal(w.trim().trim_end_matches(['%', '分'])))
        })
        .collect();
    if let Some(given) = given.filter(|g| !g.is_empty()) {
        let sum: Decimal = given.iter().sum();
        if sum + profile.scoring.execution_weight == Decimal::ONE_HUNDRED {
            for (row, w) in out.iter_mut().zip(given) {
                row.weight = Some(w);
            }
            return out;
        }
    }
    let members_of = |b: usize| -> Vec<usize> {
        (0..rows.len())
            .filter(|&k| block_of(rows[k]) == b)
            .collect()
    };
    let all: Decimal = weights.iter().map(|(_, w)| *w).sum();
    let used: Vec<usize> = (0..weights.len())
        .filter(|&b| !members_of(b).is_empty())
        .collect();
    let used_sum: Decimal = used.iter().map(|&b| weights[b].1).sum();
    let mut spread = Decimal::ZERO;
    for (n_used, &b) in used.iter().enumerate() {
        let members = members_of(b);
        let own = weights[b].1;
        let total = if used_sum.is_zero() || used_sum == all {
            own
        } else if n_used + 1 == used.len() {
            all - spread
        } else {
            (own * all / used_sum).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero)
        };
        spread += total;
        let total = &total;
        let n = Decimal::from(members.len());
        let each = (total / n).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
        let mut given = Decimal::ZERO;
        for (k, &row) in members.iter().enumerate() {
            let w = if k + 1 == members.len() {
                total - given
            } else {
                each
            };
            given += w;
            out[row].weight = Some(w.normalize());
        }
    }
    out
}

fn is_blank(i: &Indicator) -> bool {
    i.name.trim().is_empty() && i.value.text.trim().is_empty()
}

fn goal(annual: &str) -> Vec<GoalPair> {
    if annual.trim().is_empty() {
        return Vec::new();
    }
    vec![GoalPair {
        expected: annual.to_string(),
        actual: String::new(),
    }]
}

/// The head stays (the same person answers for the report); preparer and phone are the
/// report's own.
fn signoff(s: &Signoff) -> Signoff {
    Signoff {
        head: s.head.clone(),
        ..Default::default()
    }
}

fn title(year: Option<u16>, name: &str) -> String {
    year.map_or_else(|| name.to_string(), |y| format!("{y}年度{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Budget, ProjectVariant};
    use crate::money::{Money, MoneyUnit};
    use crate::value::IndicatorValue;

    fn ind(l1: &str, l2: &str, name: &str, v: &str) -> Indicator {
        Indicator {
            level1: l1.into(),
            level2: l2.into(),
            name: name.into(),
            value: IndicatorValue::parse(v),
            standard: String::new(),
            weight: None,
        }
    }

    fn project() -> Project {
        Project {
            variant: ProjectVariant::Project,
            title: "2023年项目支出绩效目标表".into(),
            unit: "某区公路养护中心".into(),
            year: Some(2023),
            name: "农村公路养护".into(),
            department: "某区交通运输局".into(),
            amount: Some(Money::new(Decimal::from(100), MoneyUnit::Wan)),
            annual_goal: "完成农村公路养护100公里".into(),
            indicators: vec![
                ind("产出指标", "数量指标", "养护里程", "≥100公里"),
                ind("产出指标", "质量指标", "养护合格率", "≥95%"),
                ind("产出指标", "时效指标", "完成时间", "12月底前"),
                ind("成本指标", "经济成本指标", "每公里养护成本", "≤1万元"),
                ind("效益指标", "社会效益指标", "群众出行条件", "明显改善"),
                ind("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"),
                ind("效益指标", "", "", ""),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn monitoring_carries_budget_and_targets() {
        let forms = monitoring_from_targets(&[Form::Project(project())], 6);
        let Form::Monitoring(m) = &forms[0] else {
            panic!()
        };
        assert_eq!(m.period_months, Some(6));
        assert_eq!(
            m.money.annual,
            Some(Money::new(Decimal::from(100), MoneyUnit::Wan))
        );
        assert_eq!(m.indicators.len(), 6, "the blank row is not carried");
        assert_eq!(m.indicators[0].target.text, "≥100公里");
        assert!(m.indicators[0].progress.is_empty());
        assert_eq!(m.title, "2023年度项目支出绩效目标执行监控表");
    }

    #[test]
    fn self_evaluation_spreads_the_profile_weights_exactly() {
        let p = Profile::national();
        let forms = self_evaluations_from_targets(&[Form::Project(project())], &[], &p);
        let Form::SelfEvaluation(e) = &forms[0] else {
            panic!()
        };
        let w: Vec<String> = e
            .indicators
            .iter()
            .map(|i| i.weight.unwrap().to_string())
            .collect();
        // 产出 50 over 4 rows (成本 counts with 产出): 12.5 each; 效益 30; 满意度 10.
        assert_eq!(w, ["12.5", "12.5", "12.5", "12.5", "30", "10"]);
        let sum: Decimal = e.indicators.iter().filter_map(|i| i.weight).sum();
        assert_eq!(sum + e.money.total.weight.unwrap(), Decimal::from(100));
        assert_eq!(e.goals[0].expected, "完成农村公路养护100公里");
    }

    #[test]
    fn uneven_blocks_still_add_up() {
        let mut pr = project();
        pr.indicators.truncate(5); // 产出 over 4 rows (成本 with it), 效益 over 1; no 满意度
        let forms = self_evaluations_from_targets(&[Form::Project(pr)], &[], &Profile::national());
        let Form::SelfEvaluation(e) = &forms[0] else {
            panic!()
        };
        let w: Vec<String> = e
            .indicators
            .iter()
            .map(|i| i.weight.unwrap().to_string())
            .collect();
        // 满意度's 10 goes to 产出 and 效益 in proportion (50:30 → 56.25:33.75), so the
        // rows still make 90 with the 执行率 10.
        assert_eq!(w, ["14.06", "14.06", "14.06", "14.07", "33.75"]);
        let sum: Decimal = e.indicators.iter().filter_map(|i| i.weight).sum();
        assert_eq!(sum, Decimal::from(90));
    }

    #[test]
    fn weights_of_the_approved_table_are_kept_when_they_make_100() {
        let mut pr = project();
        pr.indicators.truncate(6);
        for (i, w) in pr
            .indicators
            .iter_mut()
            .zip(["20", "20", "10", "10", "20", "10"])
        {
            i.weight = Some(w.into());
        }
        let forms =
            self_evaluations_from_targets(&[Form::Project(pr.clone())], &[], &Profile::national());
        let Form::SelfEvaluation(e) = &forms[0] else {
            panic!()
        };
        assert_eq!(e.indicators[0].weight, Some(Decimal::from(20)));
        // Weights that do not make 100 are replaced by the profile's.
        pr.indicators[0].weight = Some("50".into());
        let forms = self_evaluations_from_targets(&[Form::Project(pr)], &[], &Profile::national());
        let Form::SelfEvaluation(e) = &forms[0] else {
            panic!()
        };
        assert_eq!(e.indicators[0].weight, Some(Decimal::new(125, 1)));
    }

    #[test]
    fn the_monitoring_reasons_carry_into_the_self_evaluation() {
        let mut mon = monitoring_of(&project(), 6);
        mon.indicators[0].deviation = "雨季影响施工".into();
        mon.indicators[0].measures = "加快进度".into();
        let forms = self_evaluations_from_targets(
            &[Form::Project(project())],
            &[Form::Monitoring(mon)],
            &Profile::national(),
        );
        let Form::SelfEvaluation(e) = &forms[0] else {
            panic!()
        };
        assert_eq!(e.indicators[0].deviation, "雨季影响施工；加快进度");
        assert_eq!(e.indicators[1].deviation, "");
    }

    #[test]
    fn the_department_form_gives_the_department_wide_self_evaluation() {
        let d = DepartmentOverall {
            unit: "某区交通运输局".into(),
            year: Some(2023),
            budget: Budget {
                total: Some(Money::new(Decimal::from(500), MoneyUnit::Wan)),
                ..Default::default()
            },
            indicators: vec![ind("产出指标", "数量指标", "养护里程", "≥100公里")],
            ..Default::default()
        };
        let forms =
            self_evaluations_from_targets(&[Form::DepartmentOverall(d)], &[], &Profile::national());
        let Form::SelfEvaluation(e) = &forms[0] else {
            panic!()
        };
        assert_eq!(e.variant, SelfEvaluationVariant::Department);
        assert_eq!(
            e.money.total.annual,
            Some(Money::new(Decimal::from(500), MoneyUnit::Wan))
        );
        // The one 产出 row carries every 分值 but the 执行率's.
        assert_eq!(e.indicators[0].weight, Some(Decimal::from(90)));
    }

    #[test]
    fn satisfaction_under_benefits_counts_as_satisfaction() {
        let mut pr = project();
        for i in &mut pr.indicators {
            if i.level1 == "满意度指标" {
                i.level1 = "效益指标".into();
                i.level2 = "服务对象满意度指标".into();
            }
        }
        let forms = self_evaluations_from_targets(&[Form::Project(pr)], &[], &Profile::national());
        let Form::SelfEvaluation(e) = &forms[0] else {
            panic!()
        };
        let w: Vec<String> = e
            .indicators
            .iter()
            .map(|i| i.weight.unwrap().to_string())
            .collect();
        assert_eq!(w, ["12.5", "12.5", "12.5", "12.5", "30", "10"]);
    }
}
