//! Structure beyond one sentence: numbered sections (`一、二、`, `(一)(二)`, `1、2、`) whose
//! amounts add up to the amount heading them, and totals stated before their parts
//! (`资金总额 250.5 项目支出 80.2 基本支出 170.3`).
//!
//! Both are read after the statement pass, when every `其中` list and every 合计 has been
//! checked: what is left at the top level of a range (its *roots*) is what the range adds
//! up to.

use super::keywords::{reads_as_prose, Role};
use super::lexer::{SectionStyle, TokenKind};
use super::reader::{Reader, SectionMark};

/// Labels in a row of labelled amounts are short names (`项目支出`), not clauses.
const MAX_ROW_LABEL_CHARS: usize = 12;

impl Reader<'_> {
    /// The amounts at bracket `depth` among figures `from..to` that are not already counted
    /// in a total inside the range: what the range adds up to.
    pub(super) fn roots(&self, from: usize, to: usize, depth: usize) -> Vec<usize> {
        (from..to.min(self.figures.len()))
            .filter(|&j| {
                let f = &self.figures[j];
                f.role == Role::Part
                    && f.place.depth == depth
                    && f.part_of.is_none_or(|p| p < from || p >= to)
            })
            .collect()
    }

    fn is_checked_total(&self, j: usize) -> bool {
        self.figures[j].is_total && self.figures[j].derived
    }

    /// Check every amount that heads a block of numbered sections against the sections.
    pub(super) fn read_outline(&mut self) {
        let marks: Vec<SectionMark> = self
            .sections
            .iter()
            .copied()
            .filter(|m| m.depth == 0)
            .collect();
        if marks.is_empty() {
            return;
        }
        // which figures each total counted, as the statement pass left them
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); self.figures.len()];
        for (j, f) in self.figures.iter().enumerate() {
            if let Some(t) = f.part_of {
                members[t].push(j);
            }
        }
        self.outline_value(0, self.figures.len(), &marks, &members);
    }

    /// The figures that stand for `from..to` with the section numbers `marks` in it: its
    /// roots, where a block of sections counts as the roots of all its sections — or, when an
    /// amount heads the block, as that amount, which is checked against them. `None` when a
    /// section has no amount.
    fn outline_value(
        &mut self,
        from: usize,
        to: usize,
        marks: &[SectionMark],
        members: &[Vec<usize>],
    ) -> Option<Vec<usize>> {
        let Some(first) = marks.first() else {
            return Some(self.roots(from, to, 0));
        };
        let tops: Vec<usize> = (0..marks.len())
            .filter(|&k| marks[k].style == first.style)
            .collect();
        let block_end = self.block_end(marks, &tops, to, members);
        let head = self.roots(from, first.figures_before, 0);
        let mut parts = Vec::new();
        let mut complete = true;
        for (n, &k) in tops.iter().enumerate() {
            let start = marks[k].figures_before;
            if start > block_end {
                break;
            }
            let (end, inner) = match tops.get(n + 1) {
                Some(&next) => (
                    marks[next].figures_before.min(block_end),
                    &marks[k + 1..next],
                ),
                None => (block_end, &marks[k + 1..]),
            };
            let inner: Vec<SectionMark> = inner
                .iter()
                .copied()
                .filter(|m| m.figures_before <= end)
                .collect();
            match self.outline_value(start, end, &inner, members) {
                Some(r) if !r.is_empty() => parts.extend(r),
                _ => complete = false,
            }
        }
        let heading = head.last().copied();
        let mut value = match heading {
            Some(h) => {
                if !self.is_checked_total(h) {
                    let word = self.figures[h].total_word.clone();
                    if complete {
                        self.check_parts(h, &parts, word.as_deref().unwrap_or("分项"));
                    } else if word.is_some() {
                        self.unchecked.push(h);
                    }
                }
                Some(head)
            }
            None => complete.then_some(parts),
        };
        // a grand total closing the block restates its heading (`项目总预算100万元。一、…
        // 二、…合计100万元`): both were checked against the sections
        let mut after = block_end;
        if let (Some(h), true) = (heading, block_end < to) {
            if self.is_checked_total(h) && self.is_checked_total(block_end) {
                self.use_as_part(block_end, h);
                after += 1;
            }
        }
        if let Some(v) = value.as_mut() {
            v.extend(self.roots(after, to, 0));
        }
        value
    }

    /// Where a block of sections ends: before a total whose parts lie in more than one of
    /// its sections (`一、…；二、…。合计100万元` closes the block), or at `to`.
    fn block_end(
        &self,
        marks: &[SectionMark],
        tops: &[usize],
        to: usize,
        members: &[Vec<usize>],
    ) -> usize {
        let starts: Vec<usize> = tops.iter().map(|&k| marks[k].figures_before).collect();
        let section_of = |j: usize| starts.partition_point(|&s| s <= j);
        let first = starts.first().copied().unwrap_or(to);
        (first..to.min(self.figures.len()))
            .find(|&g| {
                let f = &self.figures[g];
                if f.place.depth != 0 || f.total_word.is_none() || !f.is_total {
                    return false;
                }
                let mut sections = members[g].iter().map(|&j| section_of(j));
                let Some(s0) = sections.next() else {
                    return false;
                };
                sections.any(|s| s != s0)
            })
            .unwrap_or(to)
    }

    /// Totals with nothing before them, last first: check each against what follows it.
    pub(super) fn read_forward_totals(&mut self) {
        let forward = std::mem::take(&mut self.forward_totals);
        for &t in forward.iter().rev() {
            self.check_forward_total(t);
        }
    }

    /// `资金总额 250.5 项目支出 80.2 基本支出 170.3`, `总预算100万元。设备60万元，其中…。
    /// 培训40万元，其中…`, `总预算100万元…合计100万元`: a stated total against the amounts
    /// after it, when they clearly are its parts. Amounts that may be something else
    /// (`总投资500万元，本年申请30万元`) leave it a mention; amounts that are themselves
    /// checked totals but cannot be tied to it leave it unchecked.
    fn check_forward_total(&mut self, t: usize) {
        if self.figures[t].derived {
            return;
        }
        let depth = self.figures[t].place.depth;
        // the range ends at a section number of a level already in use before the total
        let outer: Vec<SectionStyle> = self
            .sections
            .iter()
            .filter(|m| m.figures_before <= t)
            .map(|m| m.style)
            .collect();
        let end = self
            .sections
            .iter()
            .find(|m| m.figures_before > t && outer.contains(&m.style))
            .map_or(self.figures.len(), |m| m.figures_before);
        let roots = self.roots(t + 1, end, depth);
        let word = self.figures[t].total_word.clone().unwrap_or_default();
        if let Some(row) = self.labelled_row(t, end) {
            self.check_parts(t, &row, &word);
            return;
        }
        let checked = roots.iter().filter(|&&r| self.is_checked_total(r)).count();
        match roots.as_slice() {
            // `总预算100万元 … 合计100万元`: a closing total restates it
            [r] if checked == 1 && self.figures[*r].total_word.is_some() => {
                self.check_parts(t, &[*r], &word)
            }
            // `总预算100万元。设备60万元，其中…`: one part itemised, the others missing
            [r] if checked == 1 && !reads_as_prose(&self.figures[*r].lead) => {
                self.unchecked.push(t)
            }
            // `总投资500万元，本年申请30万元（…）`: a share of the total, checked on its own
            [_] if checked == 1 => {}
            _ if roots.len() >= 2 && checked == roots.len() => self.check_parts(t, &roots, &word),
            _ if checked > 0 => self.unchecked.push(t),
            _ => {}
        }
    }

    /// The amounts after total `t` in its sentence, when they are a row of short labelled
    /// amounts and nothing else (`资金总额 250.5 项目支出 80.2 基本支出 170.3`): no
    /// operators, `=` or brackets among them.
    fn labelled_row(&self, t: usize, end: usize) -> Option<Vec<usize>> {
        let total = &self.figures[t];
        let row: Vec<usize> = (t + 1..end)
            .filter(|&j| self.figures[j].place.sentence == total.place.sentence)
            .collect();
        let last = self.figures[*row.last()?].token;
        let arithmetic = self.tokens[total.token..=last].iter().any(|tok| {
            matches!(
                tok.kind,
                TokenKind::Operator(_) | TokenKind::Equals | TokenKind::Open | TokenKind::Close
            )
        });
        if arithmetic {
            return None;
        }
        let labelled = |j: usize| {
            let f = &self.figures[j];
            let label_chars = f.lead.chars().count();
            f.role == Role::Part
                && !f.derived
                && !f.used
                && !f.approximate
                && f.total_word.is_none()
                && f.place.depth == total.place.depth
                && f.money_unit.is_some() == total.money_unit.is_some()
                && (1..=MAX_ROW_LABEL_CHARS).contains(&label_chars)
                && !reads_as_prose(&f.lead)
        };
        (row.len() >= 2 && row.iter().all(|&j| labelled(j))).then_some(row)
    }
}
