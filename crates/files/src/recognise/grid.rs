//! A normalised view of a sheet: every cell with its matching key, form segments split by
//! title, and label → value lookup.

use jixiao_domain::model::{Origin, ProjectVariant};
use jixiao_domain::text::{normalize_label, to_simplified};
use jixiao_domain::Profile;

use crate::sheet::{Cell, Row, Sheet};

/// A cell position: (row, cell index in row).
pub type Pos = (usize, usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegKind {
    Department,
    Summary,
    Project(ProjectVariant),
    SelfEvaluation,
    /// 绩效运行监控表 (in-year monitoring), not modelled yet.
    Monitoring,
}

/// A form's rows: `start..end` in the grid, with its title.
#[derive(Debug, Clone)]
pub struct Segment {
    pub kind: SegKind,
    pub title: String,
    /// Titles merged into this one (e.g. a `附表1 …绩效表` line above the real title).
    pub extra_titles: Vec<String>,
    pub start: usize,
    pub end: usize,
    /// True when no title was found and the kind was guessed from the content.
    pub guessed: bool,
}

pub struct Grid {
    pub rows: Vec<Row>,
    pub norms: Vec<Vec<String>>,
    /// True when the source had no row structure (one cell per paragraph).
    pub stream: bool,
    level_labels: Vec<String>,
}

/// Labels that introduce a value; a cell equal to one of these is never taken as a value.
pub const KNOWN_LABELS: &[&str] = &[
    "部门名称",
    "部门(单位)名称",
    "单位名称",
    "预算部门",
    "填报单位",
    "实施单位",
    "主管部门",
    "主管部门及编码",
    "主管部门及代码",
    "年度预算申请",
    "资金总额",
    "年度资金总额",
    "当年资金总额",
    "按收入性质分",
    "按支出性质分",
    "一般公共预算拨款",
    "一般公共预算",
    "政府性基金拨款",
    "政府性基金",
    "其他资金",
    "基本支出",
    "项目支出",
    "财政拨款",
    "其中:财政拨款",
    "当年财政拨款",
    "当年其他资金",
    "部门职责概述",
    "部门职能概述",
    "年度重点工作计划",
    "年度绩效指标",
    "年度绩效目标",
    "实施期绩效目标",
    "本年度绩效目标",
    "项目金额",
    "项目实施期",
    "项目支出实施期",
    "所属专项",
    "名称",
    "金额",
    "支出方向(子项)",
    "项目名称",
    "项目支出名称",
    "项目属性",
    "项目起止时间",
    "项目资金",
    "总体目标",
    "中期目标",
    "年度目标",
    "项目期",
    "填表人",
    "联系电话",
    "单位负责人签字",
    "填报日期",
    "项目负责人及联系电话",
    "资金情况",
    "年度本级预算金额",
    "该项目支出上级资金",
    "绩效指标",
    "本年度绩效指标",
    "财政部门审核意见",
    "序号",
    "年度总体绩效目标",
    "年度总体目标",
    "部门(单位)职责",
    "预算数",
    "单位:万元",
    "金额单位:万元",
    "金额:万元",
];

fn strip_numbering(s: &str) -> &str {
    let s = s.strip_prefix("其中:").unwrap_or(s);
    s.trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | '、'))
}

impl Grid {
    pub fn new(sheet: &Sheet, profile: &Profile) -> Grid {
        let mut rows: Vec<Row> = Vec::with_capacity(sheet.rows.len());
        for row in &sheet.rows {
            split_at_titles(row, &mut rows);
        }
        let norms: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.cells.iter().map(|c| match_key(&c.text)).collect())
            .collect();
        let single = rows.iter().filter(|r| r.cells.len() <= 1).count();
        let stream = !rows.is_empty() && single * 10 >= rows.len() * 9;
        let mut level_labels: Vec<String> = Vec::new();
        for n in norms.iter().flatten() {
            if (profile.level1_key(n).is_some() || profile.level2_key(n).is_some())
                && !level_labels.contains(n)
            {
                level_labels.push(n.clone());
            }
        }
        Grid {
            rows,
            norms,
            stream,
            level_labels,
        }
    }

    pub fn cell(&self, p: Pos) -> Option<&Cell> {
        self.rows.get(p.0).and_then(|r| r.cells.get(p.1))
    }

    pub fn text(&self, p: Pos) -> &str {
        self.cell(p).map(|c| c.text.as_str()).unwrap_or("")
    }

    pub fn norm(&self, p: Pos) -> &str {
        self.norms
            .get(p.0)
            .and_then(|r| r.get(p.1))
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn origin(&self, p: Pos) -> Option<Origin> {
        let row = self.rows.get(p.0)?;
        let cell = row.cells.get(p.1)?;
        Some(Origin {
            text: cell.text.clone(),
            table: row.table,
            row: row.index,
            col: cell.col,
            line: cell.line.or(row.line),
        })
    }

    /// Every cell position from `from` (inclusive) up to row `end`, in reading order.
    pub fn positions(&self, from: Pos, end: usize) -> impl Iterator<Item = Pos> + '_ {
        let end = end.min(self.rows.len());
        (from.0..end).flat_map(move |r| {
            let start = if r == from.0 { from.1 } else { 0 };
            (start..self.rows[r].cells.len()).map(move |c| (r, c))
        })
    }

    pub fn is_known_label(&self, norm: &str) -> bool {
        let n = strip_numbering(norm);
        KNOWN_LABELS.iter().any(|l| {
            n.strip_prefix(l)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('('))
        }) || self.level_labels.iter().any(|l| l == n)
            || is_header_word(n)
    }

    /// Split the grid into forms by their titles.
    pub fn segments(&self) -> Vec<Segment> {
        let mut titles: Vec<(usize, SegKind, String)> = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            let non_empty: Vec<&Cell> = row
                .cells
                .iter()
                .filter(|c| !c.text.trim().is_empty())
                .collect();
            if non_empty.len() != 1 {
                continue;
            }
            if let Some(kind) = classify_title(&non_empty[0].text) {
                titles.push((i, kind, non_empty[0].text.trim().to_string()));
            }
        }
        let mut segs: Vec<Segment> = Vec::new();
        if titles.is_empty() {
            if let Some(kind) = self.guess_kind(0, self.rows.len()) {
                segs.push(Segment {
                    kind,
                    title: String::new(),
                    extra_titles: vec![],
                    start: 0,
                    end: self.rows.len(),
                    guessed: true,
                });
            }
            return segs;
        }
        for (k, (row, kind, title)) in titles.iter().enumerate() {
            let end = titles.get(k + 1).map(|t| t.0).unwrap_or(self.rows.len());
            segs.push(Segment {
                kind: *kind,
                title: title.clone(),
                extra_titles: vec![],
                start: *row,
                end,
                guessed: false,
            });
        }
        // A title followed only by trivial rows (附表1, a year line) belongs to the next title.
        let mut merged: Vec<Segment> = Vec::new();
        let mut pending: Option<Segment> = None;
        for seg in segs {
            let mut seg = seg;
            if let Some(p) = pending.take() {
                seg.extra_titles.push(p.title.clone());
                seg.extra_titles.extend(p.extra_titles);
                seg.start = p.start;
                if let (SegKind::Project(ProjectVariant::Transfer), SegKind::Project(_)) =
                    (p.kind, seg.kind)
                {
                    seg.kind = SegKind::Project(ProjectVariant::Transfer);
                }
                if p.kind == SegKind::SelfEvaluation {
                    seg.kind = SegKind::SelfEvaluation;
                }
            }
            let unsupported = matches!(seg.kind, SegKind::SelfEvaluation | SegKind::Monitoring);
            if self.only_trivial(seg.start + 1, seg.end) && !unsupported {
                pending = Some(seg);
            } else {
                merged.push(seg);
            }
        }
        if let Some(p) = pending {
            merged.push(p);
        }
        // A transfer-payment notice before the table makes the project a transfer table.
        let preamble: String = self.rows[..merged.first().map(|s| s.start).unwrap_or(0)]
            .iter()
            .flat_map(|r| r.cells.iter().map(|c| c.text.as_str()))
            .collect();
        let preamble = to_simplified(&preamble);
        if preamble.contains("转移支付") || (preamble.contains("下达") && preamble.contains("资金"))
        {
            for s in &mut merged {
                if let SegKind::Project(_) = s.kind {
                    s.kind = SegKind::Project(ProjectVariant::Transfer);
                }
            }
        }
        merged
    }

    fn only_trivial(&self, start: usize, end: usize) -> bool {
        (start..end.min(self.rows.len())).all(|r| {
            self.norms[r].iter().all(|n| {
                n.is_empty()
                    || n.starts_with("附表")
                    || n.starts_with("附件")
                    || (n.chars().count() <= 3
                        && n.chars()
                            .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation()))
                    || (n.chars().count() <= 12
                        && n.contains("年度")
                        && n.chars().any(|c| c.is_ascii_digit()))
            })
        })
    }

    /// No title: guess the kind from the labels present.
    fn guess_kind(&self, start: usize, end: usize) -> Option<SegKind> {
        let has = |label: &str| {
            self.norms[start..end]
                .iter()
                .flatten()
                .any(|n| strip_numbering(n).starts_with(label))
        };
        let has_indicators = has("一级指标") || has("二级指标");
        if has("部门名称") && (has("年度预算申请") || has("部门职责")) {
            Some(SegKind::Department)
        } else if has("项目名称") || has("支出方向") || has_indicators {
            Some(SegKind::Project(ProjectVariant::Project))
        } else {
            None
        }
    }

    /// Find the first cell in rows `start..end` whose key matches one of `labels`.
    /// Returns the position and any value written inline after a colon.
    pub fn find_label(
        &self,
        start: usize,
        end: usize,
        labels: &[&str],
    ) -> Option<(Pos, Option<String>)> {
        for p in self.positions((start, 0), end) {
            if let Some(inline) = label_match(self.norm(p), self.text(p), labels) {
                return Some((p, inline));
            }
        }
        None
    }

    /// The value belonging to the label at `p`: the next cell in the row (blank cells
    /// skipped unless a label follows), or the cell below when a row of labels sits over a
    /// row of values; in one-cell-per-paragraph text, the next non-empty paragraph.
    pub fn value_after(&self, p: Pos, end: usize) -> Option<Pos> {
        if self.stream {
            if let Some(found) = self.value_in_label_run(p, end) {
                return found;
            }
        }
        let row = &self.rows[p.0];
        let mut c = p.1 + 1;
        while c < row.cells.len() {
            let n = self.norm((p.0, c));
            if !n.is_empty() && !is_label_tail(n) {
                if self.is_known_label(n) {
                    // `项目金额 | 金额 | …`: labels side by side, values in the next row.
                    if c == p.1 + 1 && !self.stream {
                        return self.value_below(p, end);
                    }
                    return None;
                }
                return Some((p.0, c));
            }
            c += 1;
        }
        let labels_in_row = (0..row.cells.len())
            .filter(|&c| {
                let n = self.norm((p.0, c));
                !n.is_empty() && self.is_known_label(n)
            })
            .count();
        if !self.stream && row.cells.len() > 1 && labels_in_row > 1 {
            // The last label of a row of labels: its value sits below it. A lone label with
            // empty cells (`其他资金 | | |`) has no value: the row below is another field.
            if let Some(q) = self.value_below(p, end) {
                return Some(q);
            }
        }
        if self.stream || row.cells.len() <= 1 || p.1 + 1 >= row.cells.len() {
            // Continue into the following rows for a handful of cells.
            let mut seen = 0;
            for q in self.positions((p.0 + 1, 0), end) {
                let n = self.norm(q);
                seen += 1;
                if seen > 4 {
                    break;
                }
                if n.is_empty() || is_label_tail(n) {
                    continue;
                }
                if self.is_known_label(n) || classify_title(self.text(q)).is_some() {
                    return None;
                }
                return Some(q);
            }
        }
        None
    }

    /// One cell per paragraph, a run of labels followed by a run of values (a table header
    /// over its value row, flattened): pair them by position, only when the counts agree.
    /// Group headings such as 按收入性质分 have no value of their own. `None` when `p` is not
    /// in such a run.
    fn value_in_label_run(&self, p: Pos, end: usize) -> Option<Option<Pos>> {
        let cells: Vec<Pos> = self
            .positions((p.0.saturating_sub(12), 0), end)
            .take(40)
            .collect();
        let at = cells.iter().position(|q| *q == p)?;
        let is_label = |q: &Pos| {
            let n = self.norm(*q);
            !n.is_empty() && self.is_known_label(n)
        };
        let next_is_label = cells.get(at + 1).is_some_and(is_label);
        let prev_is_label = at > 0 && is_label(&cells[at - 1]);
        if !next_is_label && !prev_is_label {
            return None;
        }
        let mut start = at;
        while start > 0 && is_label(&cells[start - 1]) {
            start -= 1;
        }
        let mut stop = at;
        while stop + 1 < cells.len() && is_label(&cells[stop + 1]) {
            stop += 1;
        }
        let labels: Vec<Pos> = cells[start..=stop]
            .iter()
            .copied()
            .filter(|q| !is_group_heading(self.norm(*q)))
            .collect();
        let values: Vec<Pos> = cells[stop + 1..]
            .iter()
            .copied()
            .take_while(|q| !is_label(q) && classify_title(self.text(*q)).is_none())
            .collect();
        if labels.len() < 2 || values.len() != labels.len() {
            return None;
        }
        let Some(i) = labels.iter().position(|q| *q == p) else {
            return Some(None); // a group heading
        };
        Some(Some(values[i]).filter(|q| !self.norm(*q).is_empty()))
    }

    fn value_below(&self, p: Pos, end: usize) -> Option<Pos> {
        let col = self.rows[p.0].cells[p.1].col;
        let next = p.0 + 1;
        if next >= end.min(self.rows.len()) {
            return None;
        }
        let idx = self.rows[next]
            .cells
            .iter()
            .position(|c| c.col == col)
            .or(Some(p.1))?;
        let q = (next, idx);
        let n = self.norm(q);
        if n.is_empty() || self.is_known_label(n) {
            None
        } else {
            Some(q)
        }
    }

    /// Label lookup returning the value text and where it came from.
    pub fn label_value(&self, start: usize, end: usize, labels: &[&str]) -> Option<(String, Pos)> {
        let (p, inline) = self.find_label(start, end, labels)?;
        if let Some(v) = inline.filter(|v| !v.trim().is_empty()) {
            return Some((v.trim().to_string(), p));
        }
        let q = self.value_after(p, end)?;
        Some((self.text(q).trim().to_string(), q))
    }
}

/// The key a cell is matched by: its normalised text, cut to the first 200 characters.
/// Labels and titles are short; long prose (duties, goals) is never matched in full, and
/// normalising it whole would dominate import time.
fn match_key(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((i, _)) => normalize_label(&text[..i]),
        None => normalize_label(text),
    }
}

/// Headings over a group of labels, with no value of their own.
fn is_group_heading(n: &str) -> bool {
    matches!(
        n,
        "按收入性质分"
            | "按支出性质分"
            | "年度预算申请"
            | "年度预算申请(万元)"
            | "项目资金"
            | "项目资金(万元)"
            | "资金情况"
            | "资金情况(万元)"
            | "总体目标"
    )
}

/// The tail of a label broken over two paragraphs (`主管部门` / `及编码`).
fn is_label_tail(n: &str) -> bool {
    matches!(n, "及编码" | "及代码" | "(万元)" | "(元)" | "(子项)")
}

/// Does a cell's key match one of the labels? Returns `Some(inline value)`.
pub fn label_match(norm: &str, text: &str, labels: &[&str]) -> Option<Option<String>> {
    let n = strip_numbering(norm);
    for l in labels {
        if n == *l {
            return Some(None);
        }
        if let Some(rest) = n.strip_prefix(l) {
            // `填报单位(盖章):…`, `金额(万元):…`: a short parenthesis before the colon.
            let rest = match rest.strip_prefix('(').and_then(|r| r.split_once(')')) {
                Some((inner, after)) if inner.chars().count() <= 6 && after.starts_with(':') => {
                    after
                }
                _ => rest,
            };
            if rest.starts_with(':') {
                return Some(Some(after_colon(text)));
            }
            if rest.starts_with('(') && rest.ends_with(')') && rest.chars().count() <= 8 {
                return Some(None);
            }
        }
    }
    None
}

/// The original text after the first colon (full- or half-width).
pub fn after_colon(text: &str) -> String {
    let idx = text.find(['：', ':']);
    match idx {
        Some(i) => {
            let colon_len = text[i..].chars().next().map_or(1, char::len_utf8);
            text[i + colon_len..].trim().to_string()
        }
        None => String::new(),
    }
}

/// Words that make up indicator and detail table headers.
pub fn is_header_word(norm: &str) -> bool {
    const WORDS: &[&str] = &[
        "一级指标",
        "二级指标",
        "三级指标",
        "指标值及单位",
        "指标值",
        "绩效标准",
        "指标性质",
        "指标值类型",
        "度量单位",
        "计量单位",
        "权重",
        "指标解释",
        "评(扣)分标准",
        "评分标准",
        "备注",
        "指标方向性",
        "指标值设定依据",
        "完成值",
        "实际完成值",
        "分值",
        "得分",
        "年度指标值",
        "支出内容简介",
        "支出明细",
        "支出测算依据及过程说明",
        "偏差原因分析及改进措施",
        "未完成原因分析",
        "单位名称",
        "项目名称",
        "预算数",
        "年度目标",
    ];
    WORDS
        .iter()
        .any(|w| norm == *w || (norm.starts_with(w) && norm[w.len()..].starts_with('(')))
}

/// Is this cell a form title? Returns the form kind.
pub fn classify_title(text: &str) -> Option<SegKind> {
    // Cheap filter first: every title names a 表 or a 目标 (this runs on every cell).
    if text.len() > 300 || !text.contains(['表', '標', '标']) {
        return None;
    }
    let n = normalize_label(text);
    if n.chars().count() > 70 || n.chars().count() < 4 {
        return None;
    }
    let t = n
        .trim_end_matches(".pdf")
        .trim_end_matches(".docx")
        .trim_end_matches(".doc")
        .trim_end_matches(".xlsx")
        .trim_end_matches(".xls");
    if t.contains(':') && !t.starts_with("附表") && !t.starts_with("附件") {
        return None;
    }
    let label_like = [
        "年度绩效目标",
        "实施期绩效目标",
        "总体绩效目标",
        "本年度绩效目标",
    ]
    .iter()
    .any(|l| t.ends_with(l));
    let is_title = t.contains("目标表")
        || t.contains("目标申报表")
        || t.contains("汇总表")
        || t.ends_with("绩效表")
        || t.contains("自评表")
        || t.ends_with("监控表")
        || t.contains("评价表")
        || t.contains("基础数据表")
        || t.contains("评价报告")
        || (t.ends_with("绩效目标") && (t.contains("整体") || t.contains("项目")) && !label_like);
    if !is_title || t.starts_with("关于") {
        return None;
    }
    if t.contains("监控") {
        return Some(SegKind::Monitoring);
    }
    if t.contains("自评") || t.contains("评价") {
        return Some(SegKind::SelfEvaluation);
    }
    if t.contains("汇总表") {
        return Some(SegKind::Summary);
    }
    if t.contains("整体") {
        return Some(SegKind::Department);
    }
    if t.contains("转移支付") || t.contains("扶贫资金") {
        return Some(SegKind::Project(ProjectVariant::Transfer));
    }
    if t.contains("支出方向") {
        return Some(SegKind::Project(ProjectVariant::ExpenditureDirection));
    }
    Some(SegKind::Project(ProjectVariant::Project))
}

/// A row of many cells (one long PDF line) is split before each cell that is a title, so
/// that forms can be segmented by rows.
fn split_at_titles(row: &Row, out: &mut Vec<Row>) {
    if row.cells.len() < 2 || !row.cells.iter().any(|c| classify_title(&c.text).is_some()) {
        out.push(row.clone());
        return;
    }
    let mut current = Row {
        cells: Vec::new(),
        ..row.clone()
    };
    for cell in &row.cells {
        if classify_title(&cell.text).is_some() {
            if !current.cells.is_empty() {
                out.push(std::mem::replace(
                    &mut current,
                    Row {
                        cells: Vec::new(),
                        ..row.clone()
                    },
                ));
            }
            out.push(Row {
                cells: vec![cell.clone()],
                ..row.clone()
            });
            continue;
        }
        current.cells.push(cell.clone());
    }
    if !current.cells.is_empty() {
        out.push(current);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles() {
        assert_eq!(
            classify_title("2023年部门整体支出绩效目标表"),
            Some(SegKind::Department)
        );
        assert_eq!(
            classify_title("2023年区级专项资金绩效目标汇总表"),
            Some(SegKind::Summary)
        );
        assert_eq!(
            classify_title("2023年区级专项资金支出方向绩效目标表"),
            Some(SegKind::Project(ProjectVariant::ExpenditureDirection))
        );
        assert_eq!(
            classify_title("2023年项目支出绩效目标申报表"),
            Some(SegKind::Project(ProjectVariant::Project))
        );
        assert_eq!(
            classify_title("2020年度項目支出績效自評表"),
            Some(SegKind::SelfEvaluation)
        );
        assert_eq!(
            classify_title("广水市人民政府办公室整体支出绩效目标.pdf"),
            Some(SegKind::Department)
        );
        assert_eq!(
            classify_title("2023年项目支出绩效运行监控表"),
            Some(SegKind::Monitoring)
        );
        assert_eq!(classify_title("年度绩效目标"), None);
        assert_eq!(classify_title("实施期绩效目标"), None);
    }

    #[test]
    fn labels() {
        assert_eq!(
            label_match("资金总额:185.91", "资金总额：185.91", &["资金总额"]),
            Some(Some("185.91".into()))
        );
        assert_eq!(
            label_match(
                "其中:一般公共预算拨款",
                "其中：一般公共预算拨款",
                &["一般公共预算拨款"]
            ),
            Some(None)
        );
        assert_eq!(
            label_match(
                "年度预算申请(万元)",
                "年度预算申请\n（万元）",
                &["年度预算申请"]
            ),
            Some(None)
        );
        assert_eq!(label_match("项目金额", "项目金额", &["金额"]), None);
        assert_eq!(
            label_match(
                "填报单位(盖章):某县财政局",
                "填报单位（盖章）：某县财政局",
                &["填报单位"]
            ),
            Some(Some("某县财政局".into()))
        );
    }
}
