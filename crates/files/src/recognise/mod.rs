//! Recognisers: a [`Sheet`] (rows of cells from any reader) → forms with a source map.
//!
//! A one-way pipeline of four stages, each a module with its own tests:
//!
//! 1. [`tokens`]: every cell classified against the profile's vocabulary (title, label,
//!    column header, category, section, page furniture, value, text); text that runs labels
//!    and values together is cut at the vocabulary's words.
//! 2. [`segment`]: the tokens split into forms by their titles (or the kind guessed).
//! 3. [`structure`]: each form's tokens grouped into tables (header + aligned rows) and
//!    label–value pairs.
//! 4. [`fields`]: form fields read from those structures, each with the cell it came from.
//!
//! New layouts are taught by vocabulary (profile data), not by code per layout. What each
//! stage decided is visible in the explain view ([`Explained`]).

pub mod explain;
mod fields;
mod prose;
mod segment;
mod structure;
mod tokens;
mod vocab;

#[cfg(test)]
mod stage_tests;

use jixiao_domain::model::{Form, Origin};
use jixiao_domain::Profile;

use crate::sheet::Sheet;

pub use explain::{Explained, ExplainedCell, ExplainedForm};
pub use tokens::classify_title;

use segment::{SegKind, Segment};
use structure::{Ctx, Structures};

/// What a sheet held.
#[derive(Debug, Default)]
pub struct Recognised {
    pub forms: Vec<Form>,
    /// Assumptions and unmapped cells, in Chinese, with the cell when there is one.
    pub warnings: Vec<(String, Option<Origin>, Option<usize>)>,
    /// Which cell went into which field, and what was left unmapped and why.
    pub explained: Explained,
}

/// Recognise every form in a sheet, with the explanation of every cell.
pub fn recognise(sheet: &Sheet, profile: &Profile) -> Recognised {
    recognise_with(sheet, profile, true)
}

/// [`recognise`], with the explanation (`import --explain`, the upload preview) only when
/// asked for: a batch check does not need it, and it is a tenth of the work.
pub fn recognise_with(sheet: &Sheet, profile: &Profile, explain: bool) -> Recognised {
    // The word index is built once per profile, not per file.
    let vocab = profile.derived(vocab::Vocab::new);
    let tokens = tokens::tokenize(sheet, &vocab, profile);
    let cx = Ctx {
        tokens: &tokens,
        vocab: &vocab,
        profile,
    };
    let mut out = Recognised::default();
    for note in &sheet.notes {
        out.warnings.push((note.clone(), None, None));
    }
    if std::env::var_os("JIXIAO_DEBUG_TOKENS").is_some() {
        for (i, t) in tokens.list.iter().enumerate() {
            let what = match t.kind {
                tokens::Kind::Word(id) => {
                    let w = vocab.word(id);
                    format!("{:?}{:?}{:?}{:?}", w.field, w.columns, w.level, w.section)
                }
                k => format!("{k:?}"),
            };
            eprintln!("{i} r{} c{} p{} {:?} {what}", t.row, t.cell, t.part, t.text);
        }
    }
    let segments = segment::segments(&tokens, &vocab, profile);
    let mut explained = explain.then(|| explain::Builder::new(&cx, sheet));
    for seg in &segments {
        let st = structure::build(&cx, seg);
        if std::env::var_os("JIXIAO_DEBUG_TOKENS").is_some() {
            eprintln!(
                "segment {:?} {}..{} alloc {:?}",
                seg.kind, seg.start, seg.end, seg.allocation
            );
            for t in &st.tables {
                eprintln!(
                    "  table {:?} {}..{} cols {:?}",
                    t.kind,
                    t.start,
                    t.end,
                    t.columns.iter().map(|c| c.role).collect::<Vec<_>>()
                );
                for r in &t.rows {
                    eprintln!(
                        "    {:?}",
                        r.cells
                            .iter()
                            .map(|(ro, i)| (
                                ro,
                                tokens.list[*i].text.chars().take(12).collect::<String>()
                            ))
                            .collect::<Vec<_>>()
                    );
                }
            }
        }
        let alloc = seg.allocation.map(|(a, b)| {
            structure::build(
                &cx,
                &Segment {
                    start: a,
                    end: b,
                    ..seg.clone()
                },
            )
        });
        for (mut form, warnings, mapped, cut) in read_forms(&cx, sheet, seg, &st, alloc.as_ref()) {
            form.set_incomplete(cut);
            let index = out.forms.len();
            for (w, o) in warnings {
                out.warnings.push((w, o, Some(index)));
            }
            if cut {
                out.warnings.push((
                    "表格在文本末尾中断（摘录不完整），已按现有内容读取；完整性检查不适用于缺失部分".into(),
                    None,
                    Some(index),
                ));
            }
            if let Some(x) = explained.as_mut() {
                x.form(&form, index, seg, &st, &mapped);
            }
            out.forms.push(form);
        }
        if let Some(a) = &alloc {
            if let Some(x) = explained.as_mut() {
                x.structures(a);
            }
        }
    }
    if let Some(x) = explained {
        out.explained = x.finish(&segments);
    }
    drop_repeated_headings(&mut out);
    out
}

type Read = (Form, fields::Warnings, Vec<(usize, String)>, bool);

/// The form(s) of one segment: one, except a flat table listing several projects.
fn read_forms(
    cx: &Ctx,
    sheet: &Sheet,
    seg: &Segment,
    st: &Structures,
    alloc: Option<&Structures>,
) -> Vec<Read> {
    let mut r = fields::Reader::new(cx, sheet, st, seg);
    r.alloc = alloc;
    if seg.guessed {
        r.warn(
            "未找到表名（如“……绩效目标表”），按内容推断表的类型".into(),
            None,
        );
    }
    let form = match seg.kind {
        SegKind::Department => Form::DepartmentOverall(fields::department(&mut r)),
        SegKind::Summary => Form::SpecialFundSummary(fields::summary(&mut r)),
        SegKind::Project(variant) => {
            if let Some(many) = fields::flat_projects(&mut r, variant) {
                return many.into_iter().map(|(f, w, m)| (f, w, m, false)).collect();
            }
            Form::Project(fields::project(&mut r, variant))
        }
        SegKind::SelfEvaluation => Form::SelfEvaluation(fields::self_evaluation(&mut r)),
        SegKind::Monitoring => Form::Monitoring(fields::monitoring(&mut r)),
    };
    let mut form = form;
    *form.sources_mut() = std::mem::take(&mut r.sources);
    vec![(form, r.warnings, r.mapped, r.cut)]
}

/// True when nothing but the title was read: a page heading repeated above the real table.
pub fn is_empty_form(form: &Form) -> bool {
    use jixiao_domain::model::Budget;
    match form {
        Form::DepartmentOverall(d) => {
            d.budget == Budget::default()
                && d.indicators.is_empty()
                && d.key_tasks.is_empty()
                && d.duties.is_empty()
        }
        Form::SpecialFundSummary(s) => s.items.is_empty() && s.total.is_none(),
        Form::Project(p) => p.amount.is_none() && p.indicators.is_empty() && p.details.is_empty(),
        Form::SelfEvaluation(e) => {
            e.money.total.is_empty() && e.indicators.is_empty() && e.total_score.is_none()
        }
        Form::Monitoring(m) => m.money == Default::default() && m.indicators.is_empty(),
    }
}

/// A web page often repeats the form's title as the page heading (or lists it among the
/// attachments); the empty form read from that heading is dropped when a form of the same
/// kind follows with content.
fn drop_repeated_headings(out: &mut Recognised) {
    let keep: Vec<bool> = out
        .forms
        .iter()
        .map(|f| {
            !is_empty_form(f)
                || !out
                    .forms
                    .iter()
                    .any(|g| g.kind() == f.kind() && !is_empty_form(g))
        })
        .collect();
    if keep.iter().all(|k| *k) {
        return;
    }
    let mut new_index = Vec::with_capacity(keep.len());
    let mut n = 0;
    for k in &keep {
        new_index.push(k.then_some(n));
        if *k {
            n += 1;
        }
    }
    let mut i = 0;
    out.forms.retain(|_| {
        let k = keep[i];
        i += 1;
        k
    });
    out.warnings.retain_mut(|(_, _, form)| match form {
        Some(f) => match new_index[*f] {
            Some(nf) => {
                *form = Some(nf);
                true
            }
            None => false,
        },
        None => true,
    });
    out.explained.reindex(&new_index);
}
