//! Helpers shared by the rules: locating a field, formatting amounts, canonical indicator
//! categories, text normalisation for matching.

use std::collections::HashSet;

use rust_decimal::Decimal;

use crate::finding::{Finding, Location};
use crate::model::{Dossier, FiledForm, Form, Indicator, IndicatorRow, Origin, SourceMap};
use crate::money::Money;
use crate::text::{normalize_label, to_simplified};

use super::Ctx;

/// The location of a field of a filed form, with the cell it was read from. When the exact
/// field has no source (an empty cell the importer did not record), the row or parent is
/// used so the user still lands near it.
pub(crate) fn locate(ff: &FiledForm, path: &str) -> Location {
    Location {
        file: ff.file.clone(),
        form: Some(ff.index),
        form_kind: Some(ff.form.kind()),
        form_name: ff.form.display_name(),
        field: Some(path.to_string()),
        cell: cell_for(ff.form.sources(), path),
    }
}

fn cell_for(src: &SourceMap, path: &str) -> Option<Origin> {
    if let Some(o) = src.get(path) {
        return Some(o.clone());
    }
    let mut p = path;
    while let Some(pos) = p.rfind(['.', '[']) {
        p = &p[..pos];
        if let Some(o) = src.get(p) {
            return Some(o.clone());
        }
        if p.ends_with(']') {
            // Another cell of the same row.
            let prefix = format!("{p}.");
            if let Some((_, o)) = src
                .range(prefix.clone()..)
                .next()
                .filter(|(k, _)| k.starts_with(&prefix))
            {
                return Some(o.clone());
            }
        }
    }
    None
}

impl Ctx<'_> {
    /// A finding of `rule` at `path` of a form, with the rule's severity for this profile.
    pub(crate) fn finding(
        &self,
        rule: &str,
        ff: &FiledForm,
        path: &str,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(rule, self.severity(rule), message, locate(ff, path))
    }

    /// Canonical (一级, 二级) labels under this profile.
    pub(crate) fn levels(&self, level1: &str, level2: &str) -> (String, String) {
        // The importer stores canonical labels: try them as keys before normalising.
        let l1 = self
            .profile
            .level1_key(level1)
            .or_else(|| self.profile.level1(level1))
            .unwrap_or_else(|| normalize_label(level1));
        let l2 = self
            .profile
            .level2_key(level2)
            .or_else(|| self.profile.level2(level2))
            .unwrap_or_else(|| normalize_label(level2));
        (l1, l2)
    }

    /// The category of a target-table row.
    pub(crate) fn category(&self, ind: &Indicator) -> Category {
        self.category_of(&ind.level1, &ind.level2)
    }

    /// The category of a row of any form.
    pub(crate) fn row_category(&self, row: &IndicatorRow) -> Category {
        self.category_of(row.level1, row.level2)
    }

    pub(crate) fn category_of(&self, level1: &str, level2: &str) -> Category {
        let (l1, l2) = self.levels(level1, level2);
        Category { l1, l2 }
    }

    /// Whether a value marks an indicator as not assessed (不适用, from the profile).
    pub(crate) fn not_applicable(&self, v: &crate::value::IndicatorValue) -> bool {
        crate::scoring::not_applicable(v, &self.profile.scoring)
    }

    /// Whether a text is exactly one of the profile's filler words.
    pub(crate) fn is_filler(&self, s: &str) -> bool {
        let n = normalize_label(s);
        !n.is_empty() && self.profile.filler.contains(&n)
    }
}

/// The canonical category of an indicator row. The labels are the national framework's
/// (财预〔2015〕88号, 财预〔2021〕101号), not region data.
pub(crate) struct Category {
    pub l1: String,
    pub l2: String,
}

impl Category {
    pub fn is_output(&self) -> bool {
        self.l1 == "产出指标"
    }
    pub fn is_satisfaction(&self) -> bool {
        self.l1 == "满意度指标" || self.l2 == "服务对象满意度指标"
    }
    /// An effect proper: the 2015 tree files satisfaction under 效益指标 too.
    pub fn is_effect(&self) -> bool {
        self.l1 == "效益指标" && !self.is_satisfaction()
    }
    pub fn is_quantity(&self) -> bool {
        self.l2 == "数量指标"
    }
    pub fn is_quality(&self) -> bool {
        self.l2 == "质量指标"
    }
    pub fn is_timeliness(&self) -> bool {
        self.l2 == "时效指标"
    }
    /// 成本指标 under 产出 (2015) or as its own 一级 (2021).
    pub fn is_cost(&self) -> bool {
        self.l1 == "成本指标" || self.l2.contains("成本")
    }
}

/// Every indicator row of a dossier, on every kind of form, with its form.
pub(crate) fn indicator_rows(d: &Dossier) -> impl Iterator<Item = (&FiledForm, IndicatorRow<'_>)> {
    d.forms.iter().flat_map(|ff| {
        ff.form
            .indicator_rows()
            .into_iter()
            .map(move |row| (ff, row))
    })
}

/// Whether a row is the last one of a form the copy cuts off: it may be a row the excerpt
/// stops in the middle of, so its blanks are not the form's.
pub(crate) fn at_cut(ff: &FiledForm, row: &IndicatorRow) -> bool {
    let rows = match &ff.form {
        Form::DepartmentOverall(f) => f.indicators.len(),
        Form::Project(f) => f.indicators.len(),
        Form::SelfEvaluation(f) => f.indicators.len(),
        Form::Monitoring(f) => f.indicators.len(),
        Form::SpecialFundSummary(_) => 0,
    };
    ff.form.incomplete() && row.index + 1 == rows
}

/// Whether a text has a digit (half or full width).
pub(crate) fn has_digit(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

/// An indicator row that says something (a 三级 name or a value).
pub(crate) fn has_content(ind: &Indicator) -> bool {
    !ind.name.trim().is_empty() || !ind.value.is_empty()
}

/// The money fields of a form with their paths.
pub(crate) fn money_fields(form: &Form) -> Vec<(String, &Option<Money>)> {
    let mut out: Vec<(String, &Option<Money>)> = Vec::new();
    match form {
        Form::DepartmentOverall(f) => {
            let b = &f.budget;
            out.push(("budget.total".into(), &b.total));
            out.push((
                "budget.by_source.general_public".into(),
                &b.by_source.general_public,
            ));
            out.push((
                "budget.by_source.government_fund".into(),
                &b.by_source.government_fund,
            ));
            out.push(("budget.by_source.other".into(), &b.by_source.other));
            out.push(("budget.by_nature.basic".into(), &b.by_nature.basic));
            out.push(("budget.by_nature.project".into(), &b.by_nature.project));
        }
        Form::SpecialFundSummary(f) => {
            out.push(("total".into(), &f.total));
            for (i, it) in f.items.iter().enumerate() {
                out.push((format!("items[{i}].amount"), &it.amount));
                for (j, c) in it.children.iter().enumerate() {
                    out.push((format!("items[{i}].children[{j}].amount"), &c.amount));
                }
            }
        }
        Form::Project(f) => {
            if let Some(p) = &f.parent {
                out.push(("parent.amount".into(), &p.amount));
            }
            out.push(("amount".into(), &f.amount));
            for (i, det) in f.details.iter().enumerate() {
                out.push((format!("details[{i}].amount"), &det.amount));
            }
            out.push(("details_total".into(), &f.details_total));
        }
        Form::SelfEvaluation(f) => {
            let m = &f.money;
            for (name, row) in [
                ("total", &m.total),
                ("fiscal", &m.fiscal),
                ("government_fund", &m.government_fund),
                ("carryover", &m.carryover),
                ("other", &m.other),
                ("basic", &m.basic),
                ("project", &m.project),
            ] {
                out.push((format!("money.{name}.initial"), &row.initial));
                out.push((format!("money.{name}.annual"), &row.annual));
                out.push((format!("money.{name}.executed"), &row.executed));
            }
            for (i, item) in f.budget_items.iter().enumerate() {
                out.push((format!("budget_items[{i}].amount"), &item.amount));
            }
        }
        Form::Monitoring(f) => {
            let m = &f.money;
            out.push(("money.annual".into(), &m.annual));
            out.push(("money.executed".into(), &m.executed));
            out.push(("money.forecast".into(), &m.forecast));
            for (name, row) in [("fiscal", &m.fiscal), ("other", &m.other)] {
                out.push((format!("money.{name}.annual"), &row.annual));
                out.push((format!("money.{name}.executed"), &row.executed));
                out.push((format!("money.{name}.forecast"), &row.forecast));
            }
        }
    }
    out
}

/// The cell text of a field that the importer could not read as money (it has digits).
pub(crate) fn unreadable_amount<'a>(ff: &'a FiledForm, path: &str) -> Option<&'a str> {
    let text = ff.form.sources().get(path)?.text.trim();
    has_digit(text).then_some(text)
}

/// Paths of money fields whose cell has a number the importer could not read: sums
/// involving them are not checked (bad-value reports the cell instead).
pub(crate) fn unreadable_paths(ff: &FiledForm) -> HashSet<String> {
    money_fields(&ff.form)
        .into_iter()
        .filter(|(p, m)| m.is_none() && unreadable_amount(ff, p).is_some())
        .map(|(p, _)| p)
        .collect()
}

/// `185.91万元`.
pub(crate) fn wan(d: Decimal) -> String {
    format!("{}万元", d.normalize())
}

pub(crate) fn money(m: &Money) -> String {
    wan(m.in_wan())
}

pub(crate) fn in_wan(m: &Option<Money>) -> Option<Decimal> {
    m.as_ref().map(Money::in_wan)
}

/// Sum of the parts that are given; `None` when none is.
pub(crate) fn sum_given<'a>(parts: impl IntoIterator<Item = &'a Option<Money>>) -> Option<Decimal> {
    parts
        .into_iter()
        .flatten()
        .map(Money::in_wan)
        .fold(None, |acc, x| Some(acc.unwrap_or(Decimal::ZERO) + x))
}

/// The sum of numbers a form states (scores, 分值, shares), `None` on overflow: those are
/// not bounded the way amounts of money are.
pub(crate) fn checked_sum(xs: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    xs.into_iter()
        .try_fold(Decimal::ZERO, |acc, x| acc.checked_add(x))
}

pub(crate) fn differs(a: Decimal, b: Decimal, tol: Decimal) -> bool {
    (a - b).abs() > tol
}

/// Text reduced to letters and digits (simplified script, half width), for matching names
/// and comparing goals "in substance".
pub(crate) fn squash(s: &str) -> String {
    s.chars()
        .map(crate::text::canonical_char)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// Adjacent pairs of Chinese characters, skipping pairs with a stop character (的, 和 …).
pub(crate) fn bigrams(s: &str, stop: &str) -> Vec<String> {
    let chars: Vec<char> = to_simplified(s).chars().collect();
    let mut out: Vec<String> = Vec::new();
    for w in chars.windows(2) {
        if w.iter().all(|c| is_han(*c) && !stop.contains(*c)) {
            let b: String = w.iter().collect();
            if !out.contains(&b) {
                out.push(b);
            }
        }
    }
    out
}

/// The set of Han bigrams of a (possibly long) text, for fast membership tests.
pub(crate) fn bigram_set(s: &str, stop: &str) -> std::collections::HashSet<[char; 2]> {
    let chars: Vec<char> = to_simplified(s).chars().collect();
    chars
        .windows(2)
        .filter(|w| w.iter().all(|c| is_han(*c) && !stop.contains(*c)))
        .map(|w| [w[0], w[1]])
        .collect()
}

/// Up to `n` characters either side of a byte range, for `actual`.
pub(crate) fn snippet(text: &str, start: usize, end: usize, n: usize) -> String {
    let before: String = {
        let v: Vec<char> = text[..start].chars().rev().take(n).collect();
        v.into_iter().rev().collect()
    };
    let after: String = text[end..].chars().take(n).collect();
    format!("{}{}{}", before, &text[start..end], after).replace(['\n', '\r', '\t'], " ")
}

/// The free-text fields of a form, with their paths: what typos and punctuation are
/// checked in.
pub(crate) fn text_fields(form: &Form) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = Vec::new();
    match form {
        Form::DepartmentOverall(f) => {
            out.push(("duties".into(), &f.duties));
            out.push(("annual_goal".into(), &f.annual_goal));
            for (i, t) in f.key_tasks.iter().enumerate() {
                out.push((format!("key_tasks[{i}].item"), &t.item));
                out.push((format!("key_tasks[{i}].goal"), &t.goal));
            }
            for (i, ind) in f.indicators.iter().enumerate() {
                out.push((format!("indicators[{i}].name"), &ind.name));
                out.push((format!("indicators[{i}].value"), &ind.value.text));
            }
        }
        Form::SpecialFundSummary(f) => {
            for (i, it) in f.items.iter().enumerate() {
                let p = format!("items[{i}]");
                out.push((format!("{p}.name"), &it.name));
                out.push((format!("{p}.period_goal"), &it.period_goal));
                out.push((format!("{p}.annual_goal"), &it.annual_goal));
                for (j, c) in it.children.iter().enumerate() {
                    let p = format!("items[{i}].children[{j}]");
                    out.push((format!("{p}.name"), &c.name));
                    out.push((format!("{p}.period_goal"), &c.period_goal));
                    out.push((format!("{p}.annual_goal"), &c.annual_goal));
                }
            }
        }
        Form::Project(f) => {
            out.push(("name".into(), &f.name));
            out.push(("period_goal".into(), &f.period_goal));
            out.push(("annual_goal".into(), &f.annual_goal));
            for (i, ind) in f.indicators.iter().enumerate() {
                out.push((format!("indicators[{i}].name"), &ind.name));
                out.push((format!("indicators[{i}].value"), &ind.value.text));
            }
            for (i, det) in f.details.iter().enumerate() {
                out.push((format!("details[{i}].content"), &det.content));
                out.push((format!("details[{i}].item"), &det.item));
                out.push((format!("details[{i}].basis"), &det.basis));
            }
        }
        Form::SelfEvaluation(f) => {
            out.push(("name".into(), &f.name));
            for (i, g) in f.goals.iter().enumerate() {
                out.push((format!("goals[{i}].expected"), &g.expected));
                out.push((format!("goals[{i}].actual"), &g.actual));
            }
            for (i, ind) in f.indicators.iter().enumerate() {
                out.push((format!("indicators[{i}].name"), &ind.name));
                out.push((format!("indicators[{i}].target"), &ind.target.text));
                out.push((format!("indicators[{i}].actual"), &ind.actual.text));
                out.push((format!("indicators[{i}].deviation"), &ind.deviation));
            }
            out.push(("deviation".into(), &f.deviation));
            out.push(("measures".into(), &f.measures));
        }
        Form::Monitoring(f) => {
            out.push(("name".into(), &f.name));
            for (i, g) in f.goals.iter().enumerate() {
                out.push((format!("goals[{i}].expected"), &g.expected));
                out.push((format!("goals[{i}].actual"), &g.actual));
            }
            for (i, ind) in f.indicators.iter().enumerate() {
                out.push((format!("indicators[{i}].name"), &ind.name));
                out.push((format!("indicators[{i}].target"), &ind.target.text));
                out.push((format!("indicators[{i}].progress"), &ind.progress.text));
                out.push((format!("indicators[{i}].forecast"), &ind.forecast.text));
                out.push((format!("indicators[{i}].deviation"), &ind.deviation));
                out.push((format!("indicators[{i}].measures"), &ind.measures));
                out.push((format!("indicators[{i}].remark"), &ind.remark));
            }
            out.push(("deviation".into(), &f.deviation));
            out.push(("measures".into(), &f.measures));
        }
    }
    out.retain(|(_, t)| !t.trim().is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_fall_back_to_the_row() {
        let mut src = SourceMap::new();
        src.insert(
            "indicators[3].level2".into(),
            Origin {
                text: "生态效益指标".into(),
                row: 9,
                col: 2,
                ..Default::default()
            },
        );
        src.insert(
            "amount".into(),
            Origin {
                text: "37".into(),
                row: 1,
                col: 1,
                ..Default::default()
            },
        );
        assert_eq!(cell_for(&src, "amount").unwrap().text, "37");
        assert_eq!(
            cell_for(&src, "indicators[3].value").unwrap().text,
            "生态效益指标"
        );
        assert!(cell_for(&src, "indicators[4].value").is_none());
        assert!(cell_for(&src, "details_total").is_none());
    }

    #[test]
    fn text_helpers() {
        assert_eq!(squash("活动，。开展 Ａ1"), "活动开展A1");
        assert_eq!(
            bigrams("居民的生活环境", "的"),
            ["居民", "生活", "活环", "环境"]
        );
        let t = "开展宣传贯彻系列活动，。开展《条例》";
        let pos = t.find("，。").unwrap();
        assert_eq!(snippet(t, pos, pos + "，。".len(), 2), "活动，。开展");
    }
}
