//! Completeness, structure and value syntax: required fields, indicator categories,
//! 绩效标准, goals, values that cannot be right.

use rust_decimal::Decimal;

use crate::finding::{Finding, Severity};
use crate::model::{Dossier, Form, Indicator, IndicatorRow, ProjectVariant};
use crate::money::Money;
use crate::text::{fold_width, normalize_label, to_simplified};
use crate::value::{Comparator, IndicatorValue};

use super::support::{
    at_cut, has_content, indicator_rows, money, money_fields, squash, unreadable_amount, Category,
};
use super::Ctx;
use crate::labels::field_label;

fn is_growth(ctx: &Ctx, name: &str) -> bool {
    ctx.profile
        .growth_rate
        .iter()
        .any(|w| name.contains(w.as_str()))
}

/// A comparator glyph at the start of a value (words such as 不超过 are prose, not glyphs).
fn symbolic_comparator(compact: &str) -> Option<(char, &str)> {
    let mut chars = compact.char_indices();
    let (_, first) = chars.next()?;
    if !matches!(
        first,
        '>' | '<' | '=' | '≥' | '≤' | '≧' | '≦' | '⩾' | '⩽' | '═' | '﹦'
    ) {
        return None;
    }
    let rest = compact.trim_start_matches(['>', '<', '=', '≥', '≤', '≧', '≦', '⩾', '⩽', '═', '﹦']);
    Some((first, rest))
}

/// The name of a value field on the forms, for messages.
fn value_label(field: &str) -> &'static str {
    match field {
        "target" => "年度指标值",
        "actual" => "实际完成值",
        "progress" => "期间执行情况",
        "forecast" => "全年预计完成情况",
        _ => "指标值",
    }
}

/// What is wrong with a value of an indicator row, if anything. `field` is the value's
/// field (`value`, `target`, `actual` …); `cap` says the row's target is a `≤`/`<` bound,
/// which a measured rate may overrun (在职人员控制率 108%).
fn value_problem(
    ctx: &Ctx,
    name: &str,
    v: &IndicatorValue,
    field: &str,
    cap: bool,
) -> Option<String> {
    let label = value_label(field);
    let measured = !matches!(field, "value" | "target");
    let compact: String = to_simplified(&fold_width(&v.text))
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let rest = symbolic_comparator(&compact).map_or(compact.as_str(), |(_, r)| r);
    if let Some(abs) = rest
        .strip_prefix(['-', '−'])
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    {
        let parsed = IndicatorValue::parse(abs);
        if parsed.as_money().is_some() {
            return Some(format!(
                "{label}“{}”是负数金额，金额不能为负数，请改正",
                v.text
            ));
        }
        if !is_growth(ctx, name) {
            let fix = if measured {
                "请核对实际数值"
            } else {
                "请填写非负的目标值"
            };
            return Some(format!("{label}“{}”为负数，{fix}", v.text));
        }
        return None;
    }
    if symbolic_comparator(&compact).is_some() && v.number.is_none() {
        return Some(format!(
            "{label}“{}”有比较符号但没有可识别的数值，请按“≥95%”“≤37万元”的格式填写",
            v.text
        ));
    }
    if v.is_percent()
        && v.number.is_some_and(|n| n > Decimal::ONE_HUNDRED)
        && !is_growth(ctx, name)
        && !(measured && cap)
    {
        return Some(format!(
            "{label}“{}”超出0%～100%的范围，比率类指标请填写0～100之间的百分数",
            v.text
        ));
    }
    if v.as_money().is_some_and(|m| m.to_fen().is_none()) {
        return Some(format!(
            "{label}“{}”精确到分以下（以万元填写最多6位小数，以元填写最多2位小数），请核对金额",
            v.text
        ));
    }
    None
}

/// `bad-value`: a value that cannot be right.
pub(crate) fn bad_value(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "bad-value";
    let mut out = Vec::new();
    for ff in &d.forms {
        for (path, m) in money_fields(&ff.form) {
            let label = field_label(&path);
            match m {
                Some(m) if m.amount().is_sign_negative() && !m.amount().is_zero() => out.push(
                    ctx.finding(RULE, ff, &path, format!("{label}{}为负数，金额不能为负数，请改正", money(m)))
                        .with_values("≥0", money(m)),
                ),
                Some(m) if m.to_fen().is_none() => out.push(
                    ctx.finding(
                        RULE,
                        ff,
                        &path,
                        format!(
                            "{label}{}精确到分以下（以万元填写最多6位小数，以元填写最多2位小数），请核对金额",
                            money(m)
                        ),
                    )
                    .with_values("精确到分", money(m)),
                ),
                None => {
                    if let Some(text) = unreadable_amount(ff, &path) {
                        out.push(
                            ctx.finding(
                                RULE,
                                ff,
                                &path,
                                format!("{label}“{text}”无法识别为金额，请只填写数字金额（单位：万元）"),
                            )
                            .with_values("数字金额", text),
                        );
                    }
                }
                _ => {}
            }
        }
        for row in ff.form.indicator_rows() {
            let cap = matches!(row.target.comparator, Some(Comparator::Le | Comparator::Lt));
            let values =
                std::iter::once((row.target_field, row.target)).chain(row.measured.iter().copied());
            for (field, v) in values {
                if let Some(msg) = value_problem(ctx, row.name, v, field, cap) {
                    out.push(
                        ctx.finding(RULE, ff, &row.path(field), msg)
                            .with_actual(v.text.clone()),
                    );
                }
            }
        }
    }
    out
}

/// `missing-indicator`: a required category has no indicator.
pub(crate) fn missing_indicator(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "missing-indicator";
    let strong = ctx.severity(RULE);
    let weak = strong.max(Severity::Warning);
    let mut out = Vec::new();
    for ff in &d.forms {
        // Categories are required where targets are set; a report lists the approved ones,
        // and a copy cut mid-table may hold the missing category after the cut.
        if matches!(ff.form, Form::SpecialFundSummary(_))
            || !ff.form.kind().is_target()
            || ff.form.incomplete()
        {
            continue;
        }
        let rows: Vec<&Indicator> = ff
            .form
            .indicators()
            .iter()
            .filter(|i| has_content(i) && !ctx.is_filler(&i.name) && !ctx.is_filler(&i.value.text))
            .collect();
        if rows.is_empty() {
            out.push(ctx.finding(
                RULE,
                ff,
                "indicators",
                "未填写年度绩效指标，请按产出指标（数量、质量、时效、成本）、效益指标和满意度指标填写",
            ));
            continue;
        }
        let cats: Vec<Category> = rows.into_iter().map(|ind| ctx.category(ind)).collect();
        type Covers = fn(&Category) -> bool;
        let required: [(Covers, Severity, &str); 7] = [
            (
                Category::is_output,
                strong,
                "未设置产出指标，请补充反映预期产出的数量、质量、时效、成本指标",
            ),
            (
                Category::is_quantity,
                strong,
                "未设置数量指标，产出指标应至少包含一项数量指标，请补充可计量的产出数量（如培训人次、覆盖户数）",
            ),
            (
                Category::is_quality,
                weak,
                "未设置质量指标，建议补充反映产出质量的指标（如验收合格率、达标率）",
            ),
            (
                Category::is_timeliness,
                weak,
                "未设置时效指标，建议补充反映完成时限的指标（如完成时间≤12月31日）",
            ),
            (
                Category::is_cost,
                weak,
                "未设置成本指标，建议补充单位成本或分项成本指标",
            ),
            (
                Category::is_effect,
                strong,
                "未设置效益指标，请补充经济、社会、生态效益或可持续影响指标（不适用的二级指标可不设）",
            ),
            (
                Category::is_satisfaction,
                strong,
                "未设置满意度指标，请补充服务对象满意度指标（如“服务对象满意度≥90%”）",
            ),
        ];
        for (covers, severity, msg) in required {
            if !cats.iter().any(covers) {
                let mut f = ctx.finding(RULE, ff, "indicators", msg);
                f.severity = severity;
                out.push(f);
            }
        }
    }
    out
}

/// `empty-indicator`: a row with a category but no 三级 name or no value. The last row of
/// a copy cut mid-table is not judged: its cells may lie beyond the cut.
pub(crate) fn empty_indicator(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "empty-indicator";
    indicator_rows(d)
        .filter_map(|(ff, row)| {
            let label = if row.level2.trim().is_empty() {
                row.level1.trim()
            } else {
                row.level2.trim()
            };
            if at_cut(ff, &row) {
                return None;
            }
            let what = value_label(row.target_field);
            if label.is_empty() {
                // A row with nothing in it (added in the editor and left empty) would be
                // saved, printed and exported as an empty line of the table.
                let blank_row = row.name.trim().is_empty() && row.target.is_empty();
                return blank_row.then(|| {
                    ctx.finding(
                        RULE,
                        ff,
                        &row.path("name"),
                        format!("指标表中有一行空行（一级、二级、三级指标和{what}都未填写），请删除该行或补充指标"),
                    )
                });
            }
            let no_name = row.name.trim().is_empty();
            // A row with only filler (`/`, `—`) is as empty as a blank one.
            let no_value = row.target.is_empty() || (no_name && ctx.is_filler(&row.target.text));
            if !no_name && !no_value && row.target.is_unit_only() {
                return Some(ctx.finding(
                    RULE,
                    ff,
                    &row.target_path(),
                    format!(
                        "三级指标“{}”的{what}只有单位“{}”，没有数值，请填写具体数值（如“≥95%”“2个”）",
                        row.name.trim(),
                        row.target.text.trim()
                    ),
                ));
            }
            let (path, msg) = match (no_name, no_value) {
                (true, true) => (
                    row.path("name"),
                    format!("{label}一行未填写三级指标和{what}，请删除该行或补充具体指标和{what}"),
                ),
                (true, false) => (
                    row.path("name"),
                    format!(
                        "{label}一行填写了{what}“{}”但未填写三级指标名称，请补充指标名称",
                        row.target.text
                    ),
                ),
                (false, true) => (
                    row.target_path(),
                    format!(
                        "三级指标“{}”未填写{what}{}，请补充（如“≥95%”“2个”）",
                        row.name.trim(),
                        if row.target_field == "value" {
                            "及单位"
                        } else {
                            ""
                        }
                    ),
                ),
                (false, false) => return None,
            };
            Some(ctx.finding(RULE, ff, &path, msg))
        })
        .collect()
}

/// `unknown-category`: an (一级, 二级) pair outside the active frameworks. A form none of
/// whose rows has a category (a report's bare target list) gets one finding, not one a row.
pub(crate) fn unknown_category(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "unknown-category";
    let p = ctx.profile;
    let frameworks = p.framework_names().join("、");
    let mut out = Vec::new();
    for ff in &d.forms {
        let rows = ff.form.indicator_rows();
        let uncategorised = |r: &&IndicatorRow| {
            r.level1.trim().is_empty() && r.level2.trim().is_empty() && r.has_content()
        };
        let bare: Vec<&IndicatorRow> = rows.iter().filter(uncategorised).collect();
        if bare.len() > 1 && rows.iter().filter(|r| r.has_content()).count() == bare.len() {
            out.push(ctx.finding(
                RULE,
                ff,
                "indicators",
                format!(
                    "本表{}条指标均未填写一级、二级指标，请按指标体系（产出指标、效益指标、满意度指标）填写所属类别",
                    bare.len()
                ),
            ));
            continue;
        }
        for row in &rows {
            let raw1 = row.level1.trim();
            let raw2 = row.level2.trim();
            if raw1.is_empty() && raw2.is_empty() {
                if row.has_content() {
                    out.push(ctx.finding(
                        RULE,
                        ff,
                        &row.path("level1"),
                        format!(
                            "指标“{}”未填写一级、二级指标，请按指标体系填写所属类别",
                            row.name.trim()
                        ),
                    ));
                }
                continue;
            }
            let l1 = p.level1(raw1);
            let l2 = p.level2(raw2);
            let msg = match (&l1, &l2) {
                (Some(a), Some(b)) if p.pair_known(a, b) => continue,
                (Some(a), Some(b)) => match p.parent_of(b) {
                    Some(parent) if &parent != a => format!(
                        "二级指标“{b}”不在一级指标“{a}”之下，应属于“{parent}”（现行指标体系：{frameworks}），请调整一级指标"
                    ),
                    _ => format!(
                        "“{a}—{b}”不在现行指标体系（{frameworks}）中，{a}下可选：{}",
                        p.level2_choices(a).join("、")
                    ),
                },
                (None, _) if raw1.is_empty() => continue,
                (None, _) => format!(
                    "一级指标“{raw1}”不在现行指标体系（{frameworks}）中，请改为产出指标、效益指标、满意度指标等规定类别"
                ),
                (Some(a), None) if raw2.is_empty() => format!(
                    "一级指标“{a}”下未填写二级指标，请从{}中选择",
                    p.level2_choices(a).join("、")
                ),
                (Some(a), None) => format!(
                    "二级指标“{raw2}”不在现行指标体系（{frameworks}）中，{a}下可选：{}",
                    p.level2_choices(a).join("、")
                ),
            };
            let path = if l1.is_none() && !raw1.is_empty() {
                row.path("level1")
            } else {
                row.path("level2")
            };
            out.push(
                ctx.finding(RULE, ff, &path, msg)
                    .with_actual(format!("{raw1}—{raw2}")),
            );
        }
    }
    out
}

/// `standard-invalid`: 绩效标准 empty or not a recognised standard, where the form has
/// that column at all (some row fills it).
pub(crate) fn standard_invalid(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "standard-invalid";
    let allowed = &ctx.profile.standards;
    let list = allowed.join("、");
    let mut out = Vec::new();
    for ff in &d.forms {
        let inds = ff.form.indicators();
        if !inds.iter().any(|i| !i.standard.trim().is_empty()) {
            continue;
        }
        for (i, ind) in inds.iter().enumerate() {
            if !has_content(ind) {
                continue;
            }
            let s = normalize_label(&ind.standard);
            let path = format!("indicators[{i}].standard");
            if s.is_empty() {
                out.push(ctx.finding(RULE, ff, &path, format!("未填写绩效标准，请从{list}中选择")));
            } else if !allowed.iter().any(|a| s.contains(&normalize_label(a))) {
                out.push(
                    ctx.finding(
                        RULE,
                        ff,
                        &path,
                        format!(
                            "绩效标准“{}”不是规定的标准，请从{list}中选择",
                            ind.standard.trim()
                        ),
                    )
                    .with_values(list.clone(), ind.standard.trim()),
                );
            }
        }
    }
    out
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// A finding no more severe than a warning (an error under the profile becomes a warning;
/// info stays info).
fn at_most_warning(mut f: Finding) -> Finding {
    f.severity = f.severity.max(Severity::Warning);
    f
}

/// 填表人 / 联系电话, required at submission (warning).
pub(crate) fn signoff_missing(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "header-missing";
    let mut out = Vec::new();
    for ff in &d.forms {
        let s = ff.form.signoff();
        for (path, value, what) in [
            ("signoff.preparer", &s.preparer, "填表人"),
            ("signoff.phone", &s.phone, "联系电话"),
        ] {
            if blank(value) {
                let f = ctx.finding(
                    RULE,
                    ff,
                    path,
                    format!(
                        "“{}”的签字栏未填写{what}，报送前请补充",
                        ff.form.display_name()
                    ),
                );
                out.push(at_most_warning(f));
            }
        }
    }
    out
}

/// `year-mismatch`: a form of a stored dossier states another budget year than the
/// dossier's (a preview's year changed before saving, a year typed in the editor). Files
/// grouped by the CLI take their year from the forms, so there it cannot fire.
pub(crate) fn year_mismatch(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "year-mismatch";
    let Some(year) = d.year else {
        return Vec::new();
    };
    d.forms
        .iter()
        .filter_map(|ff| {
            let own = ff.form.year().filter(|y| *y != year)?;
            Some(ctx.finding(
                RULE,
                ff,
                "year",
                format!(
                    "本表写的是{own}年，档案是{year}年度的，请把表名、年度和项目实施期改为{year}年，或把表放进{own}年度的档案"
                ),
            ))
        })
        .collect()
}

/// `header-missing`: a required header field is empty.
pub(crate) fn header_missing(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "header-missing";
    let mut out = Vec::new();
    for ff in d.forms.iter().filter(|ff| !ff.form.incomplete()) {
        let mut need: Vec<(&str, bool, &str)> = Vec::new(); // (path, missing, how to fix)
        let form = &ff.form;
        need.push(("unit", blank(form.unit()), "请填写填报单位全称"));
        need.push((
            "year",
            form.year().is_none(),
            "请在表名或表头写明预算年度（如“2023年”）",
        ));
        let money_missing =
            |m: &Option<Money>, path: &str| m.is_none() && unreadable_amount(ff, path).is_none();
        match form {
            Form::DepartmentOverall(f) => {
                need.push((
                    "budget.total",
                    money_missing(&f.budget.total, "budget.total"),
                    "请填写年度预算申请的资金总额（万元）",
                ));
            }
            Form::SpecialFundSummary(f) => {
                if !f.items.is_empty() {
                    need.push((
                        "total",
                        money_missing(&f.total, "total"),
                        "请填写合计金额（万元）",
                    ));
                }
            }
            Form::Project(f) => {
                need.push(("name", blank(&f.name), "请填写项目（支出方向）名称"));
                need.push((
                    "amount",
                    money_missing(&f.amount, "amount"),
                    "请填写项目金额（万元）",
                ));
                // The expenditure-direction table always has 实施期 and 实施期绩效目标; other
                // layouts (flat project lists, transfer tables) may have no such field at all,
                // so there they are required only once a 实施期 is written.
                let has_period =
                    f.variant == ProjectVariant::ExpenditureDirection || !blank(&f.period);
                need.push((
                    "period",
                    has_period && blank(&f.period),
                    "请填写项目实施期（如“2023年全年”）",
                ));
                need.push((
                    "period_goal",
                    has_period && blank(&f.period_goal),
                    "请填写实施期内的预期产出和效果",
                ));
            }
            Form::SelfEvaluation(_) | Form::Monitoring(_) => {}
        }
        for (path, missing, fix) in need {
            if missing {
                out.push(ctx.finding(
                    RULE,
                    ff,
                    path,
                    format!("未填写{}，{fix}", field_label(path)),
                ));
            }
        }
        if blank(form.title()) {
            // Many published copies carry the title outside the table: a warning, so a
            // form read without one is not an error, while an empty 表名 typed in the
            // editor is still pointed out before it is printed.
            out.push(at_most_warning(ctx.finding(
                RULE,
                ff,
                "title",
                "未填写表名，请填写表名（如“2024年度项目支出绩效目标表”），打印和导出的表以它为标题",
            )));
        }
        if let Form::DepartmentOverall(f) = form {
            if blank(&f.duties) {
                out.push(at_most_warning(ctx.finding(
                    RULE,
                    ff,
                    "duties",
                    "未填写部门职责概述，请概述部门的主要职责",
                )));
            }
        }
    }
    if ctx.at_submission {
        out.extend(signoff_missing(d, ctx));
    }
    out
}

/// Whether a 项目实施期 is a single year: `Some(true)` for 2023年全年, `Some(false)` for
/// 2023-2025年 or 2023.07-2024.01, `None` when it cannot tell.
fn single_year(period: &str) -> Option<bool> {
    let t = fold_width(period);
    let chars: Vec<char> = t.chars().collect();
    let mut years: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            if run.len() == 4
                && (run.starts_with("19") || run.starts_with("20"))
                && !years.contains(&run)
            {
                years.push(run);
            }
        } else {
            i += 1;
        }
    }
    match years.len() {
        0 => {
            if [
                "多年", "两年", "二年", "三年", "四年", "五年", "长期", "中期",
            ]
            .iter()
            .any(|w| t.contains(w))
            {
                Some(false)
            } else if ["全年", "一年", "1年", "当年", "本年", "年度"]
                .iter()
                .any(|w| t.contains(w))
            {
                Some(true)
            } else {
                None
            }
        }
        1 => Some(true),
        _ => Some(false),
    }
}

/// `goal-mismatch`: 年度绩效目标 empty; or it differs in substance from 实施期绩效目标
/// although 实施期 is one year (or is identical although it spans several years).
pub(crate) fn goal_mismatch(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "goal-mismatch";
    let mut out = Vec::new();
    for ff in d.forms.iter().filter(|ff| !ff.form.incomplete()) {
        match &ff.form {
            Form::Project(p) => {
                if blank(&p.annual_goal) {
                    out.push(ctx.finding(
                        RULE,
                        ff,
                        "annual_goal",
                        "未填写年度绩效目标，请填写本年度的预期产出和效果",
                    ));
                    continue;
                }
                if blank(&p.period_goal) {
                    continue;
                }
                let same = squash(&p.period_goal) == squash(&p.annual_goal);
                match single_year(&p.period) {
                    Some(true) if !same => out.push(at_most_warning(ctx.finding(
                        RULE,
                        ff,
                        "annual_goal",
                        format!(
                            "项目实施期为“{}”（一年），年度绩效目标应与实施期绩效目标一致，两者内容不同，请核对后统一",
                            p.period.trim()
                        ),
                    ))),
                    Some(false) if same => out.push(at_most_warning(ctx.finding(
                        RULE,
                        ff,
                        "annual_goal",
                        format!(
                            "项目实施期“{}”跨越多个年度，年度绩效目标却与实施期绩效目标完全相同，请写明本年度应完成的部分",
                            p.period.trim()
                        ),
                    ))),
                    _ => {}
                }
            }
            Form::SpecialFundSummary(s) => {
                // Only where the layout has goal columns at all.
                let has_goals = s.items.iter().any(|it| {
                    std::iter::once(it)
                        .chain(&it.children)
                        .any(|x| !blank(&x.period_goal) || !blank(&x.annual_goal))
                });
                if !has_goals {
                    continue;
                }
                for (k, it) in s.items.iter().enumerate() {
                    let leaves: Vec<(String, &crate::model::SummaryItem)> =
                        if it.children.is_empty() {
                            vec![(format!("items[{k}]"), it)]
                        } else {
                            it.children
                                .iter()
                                .enumerate()
                                .map(|(j, c)| (format!("items[{k}].children[{j}]"), c))
                                .collect()
                        };
                    for (p, leaf) in leaves {
                        if blank(&leaf.annual_goal) && !blank(&leaf.name) {
                            out.push(ctx.finding(
                                RULE,
                                ff,
                                &format!("{p}.annual_goal"),
                                format!(
                                    "“{}”未填写年度绩效目标，请填写本年度的预期产出和效果",
                                    leaf.name.trim()
                                ),
                            ));
                        }
                    }
                }
            }
            Form::DepartmentOverall(_) | Form::SelfEvaluation(_) | Form::Monitoring(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(single_year("2023年全年"), Some(true));
        assert_eq!(single_year("2023年1月-12月"), Some(true));
        assert_eq!(single_year("2023.07-2024.01"), Some(false));
        assert_eq!(single_year("2023-2025年"), Some(false));
        assert_eq!(single_year("三年"), Some(false));
        assert_eq!(single_year("长期"), Some(false));
        assert_eq!(single_year(""), None);
    }
}
