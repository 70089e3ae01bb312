//! Totals: `合计12万` against the amounts (and priced quantities) before it, `其中` lists
//! against the total just before them, a bracket of parts after an amount
//! (`90万(设备采购40万元,培训30万元,宣传20万元)`), and totals stated before their parts
//! (`资金总额 250.5 项目支出 80.2 基本支出 170.3`).

use rust_decimal::Decimal;

use super::arith::{agrees, format_decimal, yuan_per};
use super::keywords::Role;
use super::reader::{Addend, Figure, Reader};
use super::Equation;
use crate::money::MoneyUnit;

/// An open `其中` list (or `包括`, `含`): the parts that follow, for the total before it.
pub(super) struct PartsList {
    /// How the list is reported (`其中`, `包括`, `含`).
    pub(super) name: &'static str,
    /// The figure the parts add up to, when one precedes the marker.
    pub(super) total: Option<usize>,
    /// Figures at the list's depth: its parts.
    pub(super) parts: Vec<usize>,
    /// Figures in brackets inside the list: details of a part, not parts.
    pub(super) nested: Vec<usize>,
    pub(super) depth: usize,
    /// Groups from this index on were stated inside the list.
    pub(super) first_group: usize,
    /// How many section styles the text had used when the list opened: a number of one of
    /// those ends it, a number of a new style may number its parts.
    pub(super) styles_before: usize,
    /// Opened by a bracket right after an amount, without `其中`: checked only when the
    /// bracket closes and holds nothing but parts.
    pub(super) bracketed: bool,
    /// A rate, a reference or a change inside the bracket: not a list of parts.
    pub(super) tainted: bool,
}

/// Candidate parts of a total: figure indices and priced-group indices.
type Reading = (Vec<usize>, Vec<usize>);

impl Reader<'_> {
    /// An amount not yet used by a total, at `depth` or shallower.
    fn is_free_part(&self, j: usize, depth: usize) -> bool {
        let f = &self.figures[j];
        f.role == Role::Part && !f.used && f.place.depth <= depth
    }

    /// The addends of a reading; a lone implied product may be read over a subset of its
    /// counts.
    fn addends_of(&self, figures: &[usize], groups: &[usize]) -> Vec<Addend> {
        let alternatives = figures.is_empty() && groups.len() == 1;
        let mut addends: Vec<Addend> = figures.iter().map(|&j| self.figures[j].addend()).collect();
        addends.extend(
            groups
                .iter()
                .filter_map(|&g| self.group_addend(&self.groups[g], alternatives)),
        );
        addends
    }

    /// Groups from `from` on that make a product.
    fn live_groups(&self, from: usize) -> Vec<usize> {
        (from..self.groups.len())
            .filter(|&g| self.group_addend(&self.groups[g], false).is_some())
            .collect()
    }

    /// `合计12万`: the total of the amounts (and priced quantities) before it.
    pub(super) fn on_total(&mut self, i: usize) {
        self.close_lists(0);
        self.close_group();
        let depth = self.figures[i].place.depth;
        let sentence = self.figures[i].place.sentence;
        let floor = self.last_total.map_or(0, |t| t + 1);
        // readings in order of preference: since the last total, everything, this sentence
        let since_last: Vec<usize> = (floor..i)
            .filter(|&j| self.is_free_part(j, depth))
            .collect();
        let since_last_groups = self.live_groups(self.groups_floor);
        let everything: Vec<usize> = (0..i).filter(|&j| self.is_free_part(j, depth)).collect();
        let all_groups = self.live_groups(0);
        let this_sentence: Vec<usize> = since_last
            .iter()
            .copied()
            .filter(|&j| self.figures[j].place.sentence == sentence)
            .collect();
        let this_sentence_groups: Vec<usize> = since_last_groups
            .iter()
            .copied()
            .filter(|&g| self.groups[g].sentence == sentence)
            .collect();
        let mut candidates: Vec<Reading> = Vec::new();
        for (figures, groups) in [
            (since_last, since_last_groups),
            (everything, all_groups),
            (this_sentence, this_sentence_groups),
        ] {
            // a bare number among money amounts may be no amount at all
            let mixed = figures
                .iter()
                .any(|&j| self.figures[j].money_unit.is_some())
                && figures
                    .iter()
                    .any(|&j| self.figures[j].money_unit.is_none() && !self.figures[j].derived);
            if mixed {
                let money_only: Vec<usize> = figures
                    .iter()
                    .copied()
                    .filter(|&j| self.figures[j].money_unit.is_some() || self.figures[j].derived)
                    .collect();
                candidates.push((money_only, groups.clone()));
            }
            // a total stated before its parts (`项目总预算100万元。…合计100万元`) is not one
            // of the parts of a later total, unless that is the only reading that holds
            let stated_before: Vec<usize> = figures
                .iter()
                .copied()
                .filter(|&j| !self.figures[j].is_total || self.figures[j].derived)
                .collect();
            let without_stated = (stated_before.len() < figures.len()).then_some(stated_before);
            candidates.push((figures, groups.clone()));
            if let Some(f) = without_stated {
                candidates.push((f, groups));
            }
        }
        let mut seen: Vec<Reading> = Vec::new();
        candidates.retain(|c| {
            let keep = (!c.0.is_empty() || !c.1.is_empty()) && !seen.contains(c);
            if keep {
                seen.push(c.clone());
            }
            keep
        });
        let ambiguous = self.groups.iter().any(|g| self.group_is_ambiguous(g));

        // (candidate, holds, computed as shown)
        let mut chosen: Option<(usize, bool, String)> = None;
        let lone = |c: &Reading| c.1.is_empty() && c.0.len() == 1 && !self.figures[c.0[0]].derived;
        let total = self.figures[i].clone();
        for (ci, (figures, groups)) in candidates.iter().enumerate() {
            let addends = self.addends_of(figures, groups);
            let alternatives = figures.is_empty() && groups.len() == 1;
            if let Some((holds, computed)) = sum_against_total(&addends, &total, alternatives) {
                if holds {
                    chosen = Some((ci, true, computed));
                    break;
                }
                if chosen.is_none() {
                    chosen = Some((ci, false, computed));
                }
            }
        }
        if let Some((ci, holds, computed)) = chosen {
            let (figures, groups) = candidates[ci].clone();
            let addends = self.addends_of(&figures, &groups);
            // one stated amount against a total may be a mention, not the whole (`已完成投资80万元，
            // 占总投资100万元的80%`): reported only when it agrees
            if holds || !(ambiguous || lone(&candidates[ci])) {
                let labels: Vec<&str> = addends.iter().map(|t| t.label.as_str()).collect();
                let word = total.total_word.clone().unwrap_or_default();
                self.equations.push(Equation {
                    text: format!("{}：{}={}", word, labels.join("+"), total.label),
                    computed,
                    stated: total.stated(),
                    holds,
                });
                self.figures[i].derived = true;
            }
            for j in figures {
                self.use_as_part(j, i);
            }
            for g in groups {
                self.groups[g].used = true;
            }
        } else {
            // nothing before it: its parts may follow (read at the end)
            self.forward_totals.push(i);
        }
        self.figures[i].is_total = true;
        self.last_total = Some(i);
        self.groups_floor = self.groups.len();
        self.amount_since_group = true;
    }

    /// A `其中` marker: its total is the last free amount before it in this period or the
    /// one before.
    pub(super) fn open_list(
        &mut self,
        name: &'static str,
        depth: usize,
        period: usize,
        figures_before: usize,
    ) {
        self.close_group();
        let total = (self.section_floor..figures_before)
            .rev()
            .take_while(|&j| self.figures[j].place.period + 1 >= period)
            .find(|&j| self.is_free_part(j, depth));
        self.open_lists.push(PartsList {
            name,
            total,
            parts: Vec::new(),
            nested: Vec::new(),
            depth,
            first_group: self.groups.len(),
            styles_before: self.styles_seen.len(),
            bracketed: false,
            tainted: false,
        });
    }

    /// `90万(设备采购40万元,…)`: a bracket right after an amount may list its parts.
    pub(super) fn open_bracket_list(&mut self, figure: usize, depth: usize) {
        let f = &self.figures[figure];
        if f.role != Role::Part || f.used {
            return;
        }
        self.close_group();
        self.open_lists.push(PartsList {
            name: "括号内",
            total: Some(figure),
            parts: Vec::new(),
            nested: Vec::new(),
            depth,
            first_group: self.groups.len(),
            styles_before: self.styles_seen.len(),
            bracketed: true,
            tainted: false,
        });
    }

    /// A rate, a reference or a change directly inside a bracket after an amount: the bracket
    /// explains the amount some other way than by parts.
    pub(super) fn taint_bracket_list(&mut self, i: usize) {
        let depth = self.figures[i].place.depth;
        if let Some(list) = self.open_lists.last_mut() {
            if list.bracketed && depth == list.depth {
                list.tainted = true;
            }
        }
    }

    /// Close the open lists at `depth` or deeper, for any reason but their bracket closing.
    pub(super) fn close_lists(&mut self, depth: usize) {
        while self.open_lists.last().is_some_and(|l| l.depth >= depth) {
            if let Some(list) = self.open_lists.pop() {
                self.check_list(list, false);
            }
        }
    }

    /// A closing bracket: the lists inside it end.
    pub(super) fn close_lists_at_bracket(&mut self, depth: usize) {
        while self.open_lists.last().is_some_and(|l| l.depth >= depth) {
            if let Some(list) = self.open_lists.pop() {
                self.check_list(list, true);
            }
        }
    }

    /// Count figure `j` as a part of `total`.
    pub(super) fn use_as_part(&mut self, j: usize, total: usize) {
        self.figures[j].used = true;
        self.figures[j].part_of = Some(total);
    }

    /// `共89.97万元。其中：30万元…；30万元…；29.99万元…`: the parts against the total.
    pub(super) fn check_list(&mut self, list: PartsList, closed_by_bracket: bool) {
        let Some(t) = list.total else { return };
        // a bracket of bare numbers is as often codes and years (`(2020年1号)`) as parts
        let money = |j: &usize| self.figures[*j].money_unit.is_some();
        if list.bracketed
            && (!closed_by_bracket || list.tainted || !money(&t) || !list.parts.iter().all(money))
        {
            return;
        }
        for &j in list.parts.iter().chain(&list.nested) {
            self.use_as_part(j, t);
        }
        let groups = self.live_groups(list.first_group);
        let mut addends: Vec<Addend> = list
            .parts
            .iter()
            .map(|&j| self.figures[j].addend())
            .collect();
        addends.extend(
            groups
                .iter()
                .filter_map(|&g| self.group_addend(&self.groups[g], false)),
        );
        if addends.len() < 2 {
            return;
        }
        for g in groups {
            self.groups[g].used = true;
        }
        let total = self.figures[t].clone();
        if let Some((holds, computed)) = sum_against_total(&addends, &total, false) {
            let labels: Vec<&str> = addends.iter().map(|t| t.label.as_str()).collect();
            self.equations.push(Equation {
                text: format!("{}：{}={}", list.name, labels.join("+"), total.label),
                computed,
                stated: total.stated(),
                holds,
            });
        }
        self.figures[t].is_total = true;
        self.figures[t].derived = true;
        self.last_total = Some(self.last_total.map_or(t, |l| l.max(t)));
        self.groups_floor = self.groups.len();
    }
}

impl Reader<'_> {
    /// Check `total` against the figures `parts` and count them in it; the check is
    /// reported as `name：a+b=total`.
    pub(super) fn check_parts(&mut self, total: usize, parts: &[usize], name: &str) {
        let addends: Vec<Addend> = parts.iter().map(|&j| self.figures[j].addend()).collect();
        let t = self.figures[total].clone();
        if let Some((holds, computed)) = sum_against_total(&addends, &t, false) {
            let labels: Vec<&str> = addends.iter().map(|a| a.label.as_str()).collect();
            self.equations.push(Equation {
                text: format!("{}：{}={}", name, labels.join("+"), t.label),
                computed,
                stated: t.stated(),
                holds,
            });
        }
        for &j in parts {
            self.use_as_part(j, total);
        }
        self.figures[total].is_total = true;
        self.figures[total].derived = true;
    }
}

/// Sum `addends` and compare with the stated `total`, trying 元 and 万元 for bare numbers:
/// `(holds, computed as shown)`, the first agreeing reading or else the first reading.
/// `alternatives`: a lone implied product may also be read over a subset of its counts.
pub(super) fn sum_against_total(
    addends: &[Addend],
    total: &Figure,
    alternatives: bool,
) -> Option<(bool, String)> {
    if addends.is_empty() {
        return None;
    }
    let all_bare = total.money_unit.is_none() && addends.iter().all(|t| t.money_unit.is_none());
    let units: Vec<Option<MoneyUnit>> = if all_bare {
        vec![None]
    } else {
        let mut v: Vec<Option<MoneyUnit>> = Vec::new();
        let firsts = [total.money_unit]
            .into_iter()
            .chain(addends.iter().map(|t| t.money_unit));
        for u in firsts
            .chain([Some(MoneyUnit::Yuan), Some(MoneyUnit::Wan)])
            .flatten()
        {
            if !v.contains(&Some(u)) {
                v.push(Some(u));
            }
        }
        v
    };
    let tolerant = total.decimals >= 2;
    let label = total.money_unit.map_or("", |u| u.label());
    let mut first: Option<String> = None;
    for u in units {
        let mut sums: Vec<Decimal> = Vec::new();
        let full = addends.iter().try_fold(Decimal::ZERO, |acc, t| {
            let y = match (t.money_unit, u) {
                (Some(_), _) | (None, None) => t.amount,
                (None, Some(u)) => t.amount.checked_mul(yuan_per(u))?,
            };
            acc.checked_add(y)
        });
        sums.extend(full);
        if alternatives && addends.len() == 1 {
            sums.extend(addends[0].alternatives.iter().copied());
        }
        for s in sums {
            let scale = match (total.money_unit, u) {
                (Some(tu), _) => yuan_per(tu),
                (None, Some(u)) => yuan_per(u),
                (None, None) => Decimal::ONE,
            };
            let Some(c) = s.checked_div(scale) else {
                continue;
            };
            let shown = format!("{}{}", format_decimal(c, total.decimals.max(2) + 4), label);
            if agrees(c, total.value, total.decimals, tolerant) {
                return Some((true, shown));
            }
            first.get_or_insert(shown);
        }
    }
    first.map(|f| (false, f))
}
