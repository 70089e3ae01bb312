//! The explain view: for each form, which cell went into which field, and every cell left
//! unmapped with the reason, in Chinese — so a user and a developer see at once why a new
//! layout reads wrong (`jixiao import --explain`, the upload preview's 未识别的内容).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use jixiao_domain::model::{Form, Origin};
use jixiao_domain::text::normalize_label;
use jixiao_domain::vocabulary::TableKind;

use super::segment::Segment;
use super::structure::{Ctx, Structures, Use};
use super::tokens::Kind;
use crate::sheet::Sheet;

/// At most this many cells per list: a hostile file must not make the explanation huge.
const MAX_CELLS: usize = 400;

#[derive(Debug, Default, Clone, Serialize)]
pub struct Explained {
    pub forms: Vec<ExplainedForm>,
    /// Cells outside every form (a notice before the table, page text), with the reason.
    pub outside: Vec<ExplainedCell>,
    /// Cells left out of the lists above because they were too long.
    pub omitted: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExplainedForm {
    /// Position of the form in the file's forms.
    pub form: usize,
    pub name: String,
    pub mapped: Vec<ExplainedCell>,
    pub unmapped: Vec<ExplainedCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExplainedCell {
    pub text: String,
    pub cell: Option<Origin>,
    /// The field path it went into (`budget.total`), for a mapped cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The field's name (`资金总额`) or, for an unmapped cell, why it was not used.
    pub note: String,
}

impl Explained {
    /// After empty page headings were dropped: form indices renumbered, dropped ones removed.
    pub(super) fn reindex(&mut self, new_index: &[Option<usize>]) {
        self.forms
            .retain_mut(|f| match new_index.get(f.form).copied().flatten() {
                Some(n) => {
                    f.form = n;
                    true
                }
                None => false,
            });
    }

    /// Every unmapped cell of every form and outside them, for the upload preview.
    pub fn unmapped(&self) -> impl Iterator<Item = &ExplainedCell> {
        self.forms
            .iter()
            .flat_map(|f| f.unmapped.iter())
            .chain(self.outside.iter())
    }
}

fn table_name(k: TableKind) -> &'static str {
    match k {
        TableKind::Indicators => "绩效指标表",
        TableKind::Details => "支出明细表",
        TableKind::Summary => "汇总表",
        TableKind::Projects => "项目清单",
        TableKind::KeyTasks => "重点工作表",
        TableKind::Money => "资金表",
        TableKind::Allocation => "分配表",
    }
}

pub(super) struct Builder<'a> {
    cx: &'a Ctx<'a>,
    sheet: &'a Sheet,
    covered: HashSet<usize>,
    out: Explained,
}

impl<'a> Builder<'a> {
    pub fn new(cx: &'a Ctx<'a>, sheet: &'a Sheet) -> Self {
        Builder {
            cx,
            sheet,
            covered: HashSet::new(),
            out: Explained::default(),
        }
    }

    fn cell(&mut self, i: usize, field: Option<String>, note: String) -> ExplainedCell {
        ExplainedCell {
            text: self.cx.tokens.list[i].text.clone(),
            cell: self.cx.tokens.origin(self.sheet, i),
            field,
            note,
        }
    }

    fn push(&mut self, list: &mut Vec<ExplainedCell>, c: ExplainedCell) {
        if list.len() < MAX_CELLS {
            list.push(c);
        } else {
            self.out.omitted += 1;
        }
    }

    /// One form: its mapped cells and the others of its segment with the reason.
    pub fn form(
        &mut self,
        form: &Form,
        index: usize,
        seg: &Segment,
        st: &Structures,
        mapped: &[(usize, String)],
    ) {
        let by_token: HashMap<usize, &str> = mapped.iter().map(|(t, p)| (*t, p.as_str())).collect();
        let mut ef = ExplainedForm {
            form: index,
            name: form.display_name(),
            mapped: Vec::new(),
            unmapped: Vec::new(),
        };
        for i in seg.start..seg.end {
            self.covered.insert(i);
            let tok = &self.cx.tokens.list[i];
            if tok.is_empty() {
                continue;
            }
            if let Some(path) = by_token.get(&i) {
                let c = self.cell(
                    i,
                    Some(path.to_string()),
                    jixiao_domain::rules::field_label(path),
                );
                self.push(&mut ef.mapped, c);
                continue;
            }
            let reason = match st.use_of(i) {
                Use::Title | Use::Header(..) | Use::Label(_) | Use::Section | Use::Category => None,
                Use::Noise => Some("网页信息（发布时间、浏览次数等），不是表格内容".to_string()),
                // A money row's label (年度资金总额, 其中：财政拨款) is structure, not a value.
                Use::Cell(TableKind::Money, jixiao_domain::vocabulary::Role::Item) => None,
                Use::Cell(kind, role) => {
                    let header = st
                        .tables
                        .iter()
                        .find(|t| t.kind == *kind && (t.start..t.end).contains(&i))
                        .and_then(|t| t.columns.iter().find(|c| c.role == *role))
                        .map(|c| self.cx.tokens.list[c.token].text.trim().to_string())
                        .unwrap_or_default();
                    Some(format!(
                        "{}“{header}”列的内容，本表不保存这一列",
                        table_name(*kind)
                    ))
                }
                Use::Value(_) => {
                    let label = st
                        .pairs
                        .iter()
                        .find(|p| p.value == Some(i))
                        .map(|p| self.cx.tokens.list[p.label].text.trim().to_string())
                        .unwrap_or_default();
                    // The same text already read into a field elsewhere (the unit under the
                    // title and again in the table): a repetition, not a loss.
                    let text = tok.norm.as_str();
                    let same = mapped.iter().find(|(t, _)| {
                        let m = normalize_label(&self.cx.tokens.list[*t].text);
                        m.chars().count() >= 4
                            && (text.contains(m.as_str())
                                || (text.chars().count() >= 4 && m.contains(text)))
                    });
                    let unit_word =
                        matches!(text, "元" | "万元" | "亿元" | "单位:万元" | "单位:元");
                    Some(match same {
                        _ if unit_word => format!("“{label}”后注明的金额单位，不是金额本身"),
                        Some((t, path)) => format!(
                            "“{label}”的值，与已读入的“{}”（{}）相同，不重复读入",
                            jixiao_domain::rules::field_label(path),
                            self.cx
                                .tokens
                                .origin(self.sheet, *t)
                                .map(|o| o.describe())
                                .unwrap_or_default()
                        ),
                        None => format!("“{label}”的值，这类表没有这一项，未读入"),
                    })
                }
                Use::Unused => Some(match tok.kind {
                    Kind::Value => "数值：找不到它的标签或所在的表格列".to_string(),
                    Kind::Word(_) => "标签：后面没有找到它的值".to_string(),
                    _ => "文字：不在任何已知标签之后，也不在表格中".to_string(),
                }),
            };
            if let Some(r) = reason {
                let c = self.cell(i, None, r);
                self.push(&mut ef.unmapped, c);
            }
        }
        self.out.forms.push(ef);
    }

    /// A 分配表 read for a form: its cells count as read.
    pub fn structures(&mut self, st: &Structures) {
        for i in st.start..st.end {
            self.covered.insert(i);
        }
    }

    pub fn finish(mut self, segments: &[Segment]) -> Explained {
        let _ = segments;
        let mut outside = Vec::new();
        for i in 0..self.cx.tokens.list.len() {
            if self.covered.contains(&i) || self.cx.tokens.list[i].is_empty() {
                continue;
            }
            let c = self.cell(i, None, "不属于任何表（表名之前的通知、网页内容）".into());
            let mut list = std::mem::take(&mut outside);
            self.push(&mut list, c);
            outside = list;
        }
        self.out.outside = outside;
        self.out
    }
}
