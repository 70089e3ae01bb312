//! Quality of targets (review practice): values that cannot be verified, filler, process
//! measures posing as quality, cost restating the budget, satisfaction form, relevance,
//! punctuation and known misprints.

use rust_decimal::Decimal;

use crate::finding::Finding;
use crate::model::{Dossier, Form, Indicator};
use crate::text::normalize_label;
use crate::value::Comparator;

use super::support::{
    bigram_set, bigrams, differs, has_content, has_digit, indicator_rows, money, snippet,
    text_fields, Category,
};
use super::Ctx;
use crate::labels::field_label;

/// A measurable rewrite to suggest for a vague value, by category.
fn measurable_example(cat: &Category) -> &'static str {
    if cat.is_timeliness() {
        "“资金拨付及时率≥95%”或“完成时间≤12月31日”"
    } else if cat.is_quality() {
        "“验收合格率≥95%”，或按“优/良/中/低/差”定性分级"
    } else if cat.is_satisfaction() {
        "“服务对象满意度≥90%”"
    } else {
        "“资金拨付及时率≥95%”“完成时间≤12月31日”“受益人次≥500人次”，或按“优/良/中/低/差”定性分级"
    }
}

/// `vague-value`: a qualitative value with wording that cannot be verified.
pub(crate) fn vague_value(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "vague-value";
    let p = ctx.profile;
    indicator_rows(d)
        .filter_map(|(ff, row)| {
            let v = row.target;
            // A value with a number in it (`12月31日前完成`) is measurable enough here.
            if v.is_empty() || v.is_quantitative() || ctx.is_filler(&v.text) || has_digit(&v.text) {
                return None;
            }
            let n = normalize_label(&v.text);
            if p.qualitative_grades.contains(&n) {
                return None;
            }
            let word = p
                .vague
                .iter()
                .filter(|w| n.contains(w.as_str()))
                .max_by_key(|w| w.chars().count())?;
            let cat = ctx.row_category(&row);
            // Name the vague word only when the value says more than that word.
            let shown = if n == *word {
                format!("“{}”", v.text.trim())
            } else {
                format!("“{}”（含“{}”）", v.text.trim(), word)
            };
            let msg = format!(
                "三级指标“{}”的指标值{}无法衡量和核验，请改为可量化的目标值，如{}",
                row.name.trim(),
                shown,
                measurable_example(&cat)
            );
            Some(
                ctx.finding(RULE, ff, &row.target_path(), msg)
                    .with_actual(v.text.clone()),
            )
        })
        .collect()
}

/// `filler-value`: 无直接经济效益, 无, / … used as an indicator (one finding per row).
pub(crate) fn filler_value(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "filler-value";
    indicator_rows(d)
        .filter_map(|(ff, row)| {
            if row.name.trim().is_empty() {
                return None; // empty-indicator reports the row
            }
            // A report may mark an approved indicator 不适用: it is then left out of the
            // score (财预〔2020〕10号: 不适用 rows are left out and the rest rescaled), not filler.
            if !ff.form.kind().is_target() && ctx.not_applicable(row.target) {
                return None;
            }
            let (path, text) = if ctx.is_filler(&row.target.text) {
                (row.target_path(), row.target.text.trim())
            } else if ctx.is_filler(row.name) {
                (row.path("name"), row.name.trim())
            } else {
                return None;
            };
            let msg = format!(
                "{}一行以“{text}”凑数填写，不适用的二级指标可以不设，请删除该行或改为可衡量的指标",
                row.level2.trim()
            );
            Some(ctx.finding(RULE, ff, &path, msg).with_actual(text))
        })
        .collect()
}

/// `process-as-quality`: 预算资金使用率 and the like filed as 质量指标.
pub(crate) fn process_as_quality(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "process-as-quality";
    indicator_rows(d)
        .filter_map(|(ff, row)| {
            // A critique of how a target was set: judged where targets are set.
            if !ff.form.kind().is_target() || !ctx.row_category(&row).is_quality() {
                return None;
            }
            let n = normalize_label(row.name);
            if !ctx
                .profile
                .process_quality
                .iter()
                .any(|w| n.contains(w.as_str()))
            {
                return None;
            }
            let msg = format!(
                "质量指标“{}”反映的是资金执行过程，不是产出质量，请改为验收合格率、达标率等反映产出质量的指标",
                row.name.trim()
            );
            Some(ctx.finding(RULE, ff, &row.path("name"), msg).with_actual(row.name))
        })
        .collect()
}

/// The budget a form's cost indicators are measured against.
fn form_budget(form: &Form) -> Option<(crate::money::Money, &'static str)> {
    match form {
        Form::DepartmentOverall(f) => f.budget.total.map(|m| (m, "资金总额")),
        Form::Project(f) => f.amount.map(|m| (m, "项目金额")),
        Form::SpecialFundSummary(_) | Form::SelfEvaluation(_) | Form::Monitoring(_) => None,
    }
}

/// `cost-restates-budget`: the only cost indicator is the whole budget, or is named as
/// the budget (不超过预算).
pub(crate) fn cost_restates_budget(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "cost-restates-budget";
    let tol = ctx.profile.sum_tolerance;
    let restatement: Vec<String> = ctx.profile.budget_restatement.to_vec();
    let mut out = Vec::new();
    for ff in &d.forms {
        let costs: Vec<(usize, &Indicator)> = ff
            .form
            .indicators()
            .iter()
            .enumerate()
            .filter(|(_, ind)| has_content(ind) && ctx.category(ind).is_cost())
            .collect();
        let budget = form_budget(&ff.form);
        for &(i, ind) in &costs {
            let named = restatement.contains(&normalize_label(&ind.name));
            let v = &ind.value;
            let whole = costs.len() == 1
                && matches!(
                    v.comparator,
                    None | Some(Comparator::Le | Comparator::Eq | Comparator::Lt)
                )
                && match (v.as_money(), budget) {
                    (Some(m), Some((b, _))) => !differs(m.in_wan(), b.in_wan(), tol),
                    _ => false,
                };
            if !named && !whole {
                continue;
            }
            let what = match budget {
                Some((b, label)) if whole => format!("只是照抄{label}{}", money(&b)),
                _ => "只是以预算总额作为成本上限".to_string(),
            };
            let msg = format!(
                "成本指标“{}{}”{what}，不能反映成本控制，请改为单位成本或分项成本（如“人均培训成本≤500元”）",
                ind.name.trim(),
                v.text.trim()
            );
            let path = format!("indicators[{i}].value");
            out.push(
                ctx.finding(RULE, ff, &path, msg)
                    .with_actual(v.text.clone()),
            );
        }
    }
    out
}

/// `satisfaction-form`: a 满意度 value not a percentage with ≥/=, or 100% with no survey basis.
pub(crate) fn satisfaction_form(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "satisfaction-form";
    indicator_rows(d)
        .filter_map(|(ff, row)| {
            let v = row.target;
            if v.is_empty() || !ctx.row_category(&row).is_satisfaction() || ctx.is_filler(&v.text)
            {
                return None;
            }
            let msg = if !v.is_quantitative() || !v.is_percent() {
                format!(
                    "满意度指标“{}”的指标值“{}”不是百分比，请写成“≥90%”这样的百分比目标",
                    row.name.trim(),
                    v.text.trim()
                )
            } else if !matches!(v.comparator, None | Some(Comparator::Ge | Comparator::Eq)) {
                format!(
                    "满意度指标“{}”的指标值“{}”应使用“≥”或“=”，满意度是正向指标，请改为“≥”",
                    row.name.trim(),
                    v.text.trim()
                )
            } else if v.number == Some(Decimal::ONE_HUNDRED) {
                format!(
                    "满意度指标“{}”的目标为100%，请说明调查方式和数据来源（如问卷调查、抽样调查），或设为“≥95%”等可实现的目标",
                    row.name.trim()
                )
            } else {
                return None;
            };
            Some(
                ctx.finding(RULE, ff, &row.target_path(), msg)
                    .with_actual(v.text.clone()),
            )
        })
        .collect()
}

/// The text an indicator of a form should relate to: names, goals, duties, spending.
fn form_context(form: &Form) -> String {
    let mut s = String::new();
    match form {
        Form::DepartmentOverall(f) => {
            s.push_str(&f.duties);
            s.push_str(&f.annual_goal);
            for t in &f.key_tasks {
                s.push_str(&t.item);
                s.push_str(&t.goal);
            }
        }
        Form::Project(f) => {
            s.push_str(&f.name);
            if let Some(p) = &f.parent {
                s.push_str(&p.name);
            }
            s.push_str(&f.period_goal);
            s.push_str(&f.annual_goal);
            for det in &f.details {
                s.push_str(&det.content);
                s.push_str(&det.item);
                s.push_str(&det.basis);
            }
        }
        Form::SelfEvaluation(f) => {
            s.push_str(&f.name);
            for g in &f.goals {
                s.push_str(&g.expected);
            }
        }
        Form::Monitoring(f) => {
            s.push_str(&f.name);
            for g in &f.goals {
                s.push_str(&g.expected);
            }
        }
        Form::SpecialFundSummary(_) => {}
    }
    s
}

/// `relevance` (heuristic, conservative): an indicator of a configured category (生态效益)
/// whose name shares no two-character word with the form's name, goals or spending.
pub(crate) fn relevance(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "relevance";
    let p = ctx.profile;
    let mut out = Vec::new();
    for ff in &d.forms {
        let context = form_context(&ff.form);
        if context.trim().is_empty() {
            continue;
        }
        // Built on first use: most forms have no indicator this rule looks at.
        let mut context_grams = None;
        for (i, ind) in ff.form.indicators().iter().enumerate() {
            let cat = ctx.category(ind);
            if !p.relevance_categories.contains(&cat.l2) {
                continue;
            }
            if ind.name.trim().is_empty()
                || ctx.is_filler(&ind.name)
                || ctx.is_filler(&ind.value.text)
            {
                continue;
            }
            let grams = bigrams(&ind.name, &p.stop_chars);
            let context_grams =
                context_grams.get_or_insert_with(|| bigram_set(&context, &p.stop_chars));
            let shared = grams.iter().any(|g| {
                let mut cs = g.chars();
                matches!((cs.next(), cs.next()), (Some(a), Some(b)) if context_grams.contains(&[a, b]))
            });
            if grams.is_empty() || shared {
                continue;
            }
            let msg = format!(
                "{}“{}”与本表的名称、绩效目标和支出内容没有共同的关键词，请确认该指标与本项目相关；不适用的二级指标可以不设",
                cat.l2,
                ind.name.trim()
            );
            let path = format!("indicators[{i}].name");
            out.push(
                ctx.finding(RULE, ff, &path, msg)
                    .with_actual(ind.name.clone()),
            );
        }
    }
    out
}

const PUNCT: &[char] = &['，', '。', '；', '、', '：', '！', '？', ',', ';'];
const PAIRS: &[(char, char, &str)] = &[
    ('“', '”', "引号"),
    ('《', '》', "书名号"),
    ('（', '）', "括号"),
    ('(', ')', "括号"),
    ('【', '】', "方括号"),
];

/// Doubled or clashing punctuation (`，。`), as snippets.
fn doubled_punctuation(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .peekable();
    while let Some((start, c)) = chars.next() {
        if !PUNCT.contains(&c) || !chars.peek().is_some_and(|(_, d)| PUNCT.contains(d)) {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, d)) = chars.peek() {
            if !PUNCT.contains(&d) {
                break;
            }
            end = i + d.len_utf8();
            chars.next();
        }
        out.push(snippet(text, start, end, 4));
    }
    out
}

/// Opening/closing marks that do not pair up.
fn unbalanced(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for &(open, close, name) in PAIRS {
        let mut depth: i64 = 0;
        let mut broken = false;
        for c in text.chars() {
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth < 0 {
                    broken = true;
                }
            }
        }
        if broken || depth != 0 {
            out.push(format!("{name}{open}{close}不配对"));
        }
    }
    out
}

/// `text-punctuation`: doubled punctuation and unbalanced quotes/brackets, one finding per field.
pub(crate) fn text_punctuation(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "text-punctuation";
    let mut out = Vec::new();
    for ff in &d.forms {
        for (path, text) in text_fields(&ff.form) {
            let doubled = doubled_punctuation(text);
            let pairs = unbalanced(text);
            if doubled.is_empty() && pairs.is_empty() {
                continue;
            }
            let mut parts: Vec<String> =
                doubled.iter().map(|s| format!("“{s}”处标点重复")).collect();
            parts.extend(pairs.iter().cloned());
            let fix = match (doubled.is_empty(), pairs.is_empty()) {
                (false, true) => "请删除多余的标点",
                (true, false) => "请补全或删除不配对的符号",
                _ => "请删除多余的标点并补全不配对的符号",
            };
            let mut f = ctx.finding(
                RULE,
                ff,
                &path,
                format!("{}中{}，{fix}", field_label(&path), parts.join("，")),
            );
            let mut actual = doubled;
            actual.extend(pairs);
            f.actual = Some(actual.join("；"));
            out.push(f);
        }
    }
    out
}

/// `typo`: a misprint from the profile's list, one finding per field and misprint.
pub(crate) fn typo(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "typo";
    let mut out = Vec::new();
    for ff in &d.forms {
        for (path, text) in text_fields(&ff.form) {
            for (wrong, right) in &ctx.profile.typos {
                // A character search (memchr) first: most misprints share nothing with a text.
                let Some(lead) = wrong.chars().next() else {
                    continue;
                };
                if !text.contains(lead) {
                    continue;
                }
                let Some(first) = text.find(wrong.as_str()) else {
                    continue;
                };
                // A correct word that contains the misprint (截止 in 截止到 …) is not one.
                if text.matches(right.as_str()).count() >= text.matches(wrong.as_str()).count()
                    && right.contains(wrong.as_str())
                {
                    continue;
                }
                let n = text.matches(wrong.as_str()).count();
                let times = if n > 1 {
                    format!("（共{n}处）")
                } else {
                    String::new()
                };
                let f = ctx
                    .finding(
                        RULE,
                        ff,
                        &path,
                        format!(
                            "{}中“{wrong}”应为“{right}”{times}，请改正",
                            field_label(&path)
                        ),
                    )
                    .with_values(right.clone(), snippet(text, first, first + wrong.len(), 4));
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation() {
        let found = doubled_punctuation("系列活动，。开展；工作。，着力");
        assert_eq!(found.len(), 2);
        assert!(found[0].contains("活动，。开展"), "{found:?}");
        assert!(found[1].contains("工作。，着力"), "{found:?}");
        assert!(doubled_punctuation("“党的二十大”精神。").is_empty());
        assert!(doubled_punctuation("8.5万元，合计12万").is_empty());
        assert_eq!(unbalanced("开展《条例》贯彻“回头看"), ["引号“”不配对"]);
        assert!(unbalanced("（一）贯彻（二）").is_empty());
        assert_eq!(unbalanced("）（").len(), 1);
    }
}
