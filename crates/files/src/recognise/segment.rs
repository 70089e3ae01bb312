//! Stage 2 of the reader: the tokens of a file split into forms by their titles.
//!
//! A title starts a form; titles followed only by trivial lines (`附表1`, `(2021年度)`) join
//! the next one; a transfer payment's 分配表/安排表 joins the target table after it; the
//! notice before the first form (a 下达 notice of a transfer payment) is kept as the
//! preamble of every form. Without any title, the kind is guessed from the words present.

use jixiao_domain::model::ProjectVariant;
use jixiao_domain::vocabulary::{Field, Role, TableKind, TitleKind};
use jixiao_domain::Profile;

use super::tokens::{Kind, Tokens};
use super::vocab::Vocab;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegKind {
    Department,
    Summary,
    Project(ProjectVariant),
    SelfEvaluation,
    Monitoring,
}

/// One form's tokens: `start..end`, its title token and the titles merged into it.
#[derive(Debug, Clone)]
pub struct Segment {
    pub kind: SegKind,
    /// Token index of the title, if there is one.
    pub title: Option<usize>,
    /// Titles merged into this one (a `附表1 …` line above the real title).
    pub extra_titles: Vec<usize>,
    pub start: usize,
    pub end: usize,
    /// True when no title was found and the kind was guessed from the content.
    pub guessed: bool,
    /// A 分配表/安排表 (token range) that belongs to this form.
    pub allocation: Option<(usize, usize)>,
}

fn seg_kind(t: TitleKind) -> Option<SegKind> {
    Some(match t {
        TitleKind::Monitoring => SegKind::Monitoring,
        TitleKind::SelfEvaluation => SegKind::SelfEvaluation,
        TitleKind::Summary => SegKind::Summary,
        TitleKind::Department => SegKind::Department,
        TitleKind::Transfer => SegKind::Project(ProjectVariant::Transfer),
        TitleKind::Direction => SegKind::Project(ProjectVariant::ExpenditureDirection),
        TitleKind::Project => SegKind::Project(ProjectVariant::Project),
        TitleKind::Allocation => return None,
    })
}

/// Split the tokens into forms.
pub fn segments(tokens: &Tokens, vocab: &Vocab, profile: &Profile) -> Vec<Segment> {
    let list = &tokens.list;
    // Titles, except a title given as the value of page furniture (`信息名称 | …自评表`).
    let titles: Vec<(usize, TitleKind)> = list
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t.kind {
            Kind::Title(k) => Some((i, k)),
            _ => None,
        })
        .filter(|&(i, _)| !after_noise(tokens, vocab, i))
        .collect();
    // A notice lists its attachments by title (`附件：1.…分配表 2.…目标表`) before they
    // follow in full: a title named again later is a reference, not a form.
    let core = |i: usize| -> String {
        let n = list[i].norm.as_str();
        let n = n
            .strip_prefix("附件")
            .or_else(|| n.strip_prefix("附表"))
            .unwrap_or(n);
        let n = n.trim_start_matches(|c: char| {
            c.is_ascii_digit() || matches!(c, ':' | '.' | '、' | ',')
        });
        n.to_string()
    };
    let structured = |a: usize, b: usize| {
        list[a..b].iter().any(|t| match t.kind {
            Kind::Word(id) => {
                let w = vocab.word(id);
                let data = w.field.is_some_and(|f| {
                    !matches!(f, Field::OtherLabel | Field::Date | Field::Publisher)
                });
                data || !w.columns.is_empty() || w.level.is_some()
            }
            _ => false,
        })
    };
    let titles: Vec<(usize, TitleKind)> = titles
        .iter()
        .enumerate()
        .filter(|(k, &(i, _))| {
            let c = core(i);
            let next = titles.get(k + 1).map_or(list.len(), |t| t.0);
            let named_later = titles[k + 1..].iter().any(|&(j, _)| core(j) == c);
            c.chars().count() < 6 || !named_later || structured(i + 1, next)
        })
        .map(|(_, t)| *t)
        .collect();
    if titles.is_empty() {
        return guess(tokens, vocab, profile)
            .map(|kind| Segment {
                kind,
                title: None,
                extra_titles: vec![],
                start: 0,
                end: list.len(),
                guessed: true,
                allocation: None,
            })
            .into_iter()
            .collect();
    }
    struct Raw {
        at: usize,
        end: usize,
        kind: TitleKind,
    }
    let raw: Vec<Raw> = titles
        .iter()
        .enumerate()
        .map(|(k, &(at, kind))| Raw {
            at,
            end: titles.get(k + 1).map_or(list.len(), |t| t.0),
            kind,
        })
        .collect();
    let preamble = (0, raw[0].at);
    let mut out: Vec<Segment> = Vec::new();
    let mut pending_titles: Vec<(usize, TitleKind)> = Vec::new();
    let mut pending_alloc: Option<(usize, usize)> = None;
    let mut pending_start: Option<usize> = None;
    for r in &raw {
        if only_trivial(tokens, r.at + 1, r.end) {
            pending_titles.push((r.at, r.kind));
            pending_start.get_or_insert(r.at);
            continue;
        }
        if r.kind == TitleKind::Allocation {
            pending_alloc = Some((r.at, r.end));
            pending_titles.clear();
            pending_start = None;
            continue;
        }
        let mut kind = seg_kind(r.kind).unwrap_or(SegKind::Project(ProjectVariant::Project));
        // A merged 附表 title may say what the real one does not (转移支付, 自评).
        for &(_, pk) in &pending_titles {
            match (pk, kind) {
                (TitleKind::Transfer, SegKind::Project(_)) => {
                    kind = SegKind::Project(ProjectVariant::Transfer)
                }
                (TitleKind::SelfEvaluation, _) => kind = SegKind::SelfEvaluation,
                (TitleKind::Monitoring, _) => kind = SegKind::Monitoring,
                _ => {}
            }
        }
        // A title broken over two lines: the line before it holds its first half
        // (`枞阳县2023年度国家基本公共卫生` / `服务项目绩效评价自评报告`).
        if let Some(p) = r.at.checked_sub(1) {
            let prev = &list[p];
            let ends_sentence = prev
                .text
                .trim_end()
                .ends_with(['。', '；', ';', ':', '：', '，', ',']);
            let year = prev.norm.len() == 4 && prev.norm.chars().all(|c| c.is_ascii_digit());
            // Alone on its line, and not the value of a label before it (`项目名称 | 道路养护`).
            let after_label = (0..p).rev().find(|&q| !list[q].is_empty()).is_some_and(
                |q| matches!(list[q].kind, Kind::Word(id) if vocab.word(id).field.is_some()),
            );
            let alone = !after_label
                && tokens
                    .row_range(prev.row)
                    .all(|q| q == p || q >= r.at || list[q].is_empty());
            if alone && year
                || alone
                    && prev.kind == Kind::Text
                    && !ends_sentence
                    && prev.norm.chars().count() <= 30
                    && !prev.norm.is_ascii()
            {
                pending_titles.push((p, r.kind));
                pending_start.get_or_insert(p);
            }
        }
        let allocation = pending_alloc.take();
        if allocation.is_some() {
            if let SegKind::Project(_) = kind {
                kind = SegKind::Project(ProjectVariant::Transfer);
            }
        }
        out.push(Segment {
            kind,
            title: Some(r.at),
            extra_titles: pending_titles.drain(..).map(|t| t.0).collect(),
            start: pending_start.take().unwrap_or(r.at),
            end: r.end,
            guessed: false,
            allocation,
        });
    }
    // Titles left pending at the end (a form that is only its title, or an allocation
    // table whose target table never came): the last of them becomes a form of its own.
    if let Some(alloc) = pending_alloc {
        match out.last_mut() {
            Some(last) if matches!(last.kind, SegKind::Project(_)) && last.allocation.is_none() => {
                last.allocation = Some(alloc)
            }
            _ => {}
        }
    }
    if let Some(&(at, kind)) = pending_titles.last() {
        if let Some(kind) = seg_kind(kind) {
            out.push(Segment {
                kind,
                title: Some(at),
                extra_titles: pending_titles[..pending_titles.len() - 1]
                    .iter()
                    .map(|t| t.0)
                    .collect(),
                start: pending_start.unwrap_or(at),
                end: list.len(),
                guessed: false,
                allocation: None,
            });
        }
    }
    // A notice before the table that hands down money makes the project a transfer table.
    let notice: String = list[preamble.0..preamble.1]
        .iter()
        .map(|t| t.norm.as_str())
        .collect();
    if notice.contains("转移支付") || (notice.contains("下达") && notice.contains("资金")) {
        for s in &mut out {
            if let SegKind::Project(_) = s.kind {
                s.kind = SegKind::Project(ProjectVariant::Transfer);
            }
        }
    }
    out
}

/// A title standing right after page furniture in its row is that furniture's value.
fn after_noise(tokens: &Tokens, vocab: &Vocab, i: usize) -> bool {
    let t = &tokens.list[i];
    // A title cut out of a longer cell starts the form that cell runs together (a page's
    // 内容概述 that holds the whole form), not just a value.
    if t.part > 0 {
        return false;
    }
    tokens.list[..i]
        .iter()
        .rev()
        .take_while(|p| p.row == t.row)
        .find(|p| !p.is_empty())
        .is_some_and(|p| matches!(p.kind, Kind::Word(id) if vocab.word(id).noise))
}

/// Nothing but blanks, attachment numbers (`附表1`) and year lines (`(2021年度)`).
fn only_trivial(tokens: &Tokens, start: usize, end: usize) -> bool {
    tokens.list[start..end.min(tokens.list.len())]
        .iter()
        .all(|t| {
            let n = t.norm.as_str();
            n.is_empty()
                || n.starts_with("附表")
                || n.starts_with("附件")
                || (n.chars().count() <= 3
                    && n.chars()
                        .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation()))
                || (n.chars().count() <= 14
                    && n.contains('年')
                    && n.chars().any(|c| c.is_ascii_digit()))
        })
}

/// No title: the kind from the words present.
fn guess(tokens: &Tokens, vocab: &Vocab, profile: &Profile) -> Option<SegKind> {
    let mut fields = std::collections::HashSet::new();
    let mut roles = std::collections::HashSet::new();
    let mut categories = 0;
    for t in &tokens.list {
        if let Kind::Word(id) = t.kind {
            let w = vocab.word(id);
            if let Some(f) = w.field {
                fields.insert(f);
            }
            for c in &w.columns {
                roles.insert(*c);
            }
            if w.level.is_some() {
                categories += 1;
            }
        }
    }
    let has = |f| fields.contains(&f);
    let role = |k, r| roles.contains(&(k, r));
    // A report whose heading was lost says what it is in its text.
    let text: String = tokens.list.iter().map(|t| t.norm.as_str()).collect();
    let report = |kind: TitleKind| {
        profile
            .vocabulary
            .report_words
            .get(&kind)
            .is_some_and(|ws| ws.iter().any(|w| text.contains(w.as_str())))
    };
    if report(TitleKind::Monitoring) {
        return Some(SegKind::Monitoring);
    }
    if report(TitleKind::SelfEvaluation) {
        return Some(SegKind::SelfEvaluation);
    }
    if role(TableKind::Indicators, Role::Possibility) || role(TableKind::Indicators, Role::Progress)
    {
        Some(SegKind::Monitoring)
    } else if role(TableKind::Money, Role::Executed)
        && (has(Field::TotalScore) || role(TableKind::Indicators, Role::Actual))
    {
        Some(SegKind::SelfEvaluation)
    } else if has(Field::DepartmentName) && (has(Field::AmountGroup) || has(Field::Duties)) {
        Some(SegKind::Department)
    } else if has(Field::Name)
        || role(TableKind::Indicators, Role::Level1)
        || role(TableKind::Indicators, Role::Level2)
        || categories >= 3
    {
        Some(SegKind::Project(ProjectVariant::Project))
    } else {
        None
    }
}
