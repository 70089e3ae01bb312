//! One table model for every official form, so .xlsx, .docx and (later) the print view all
//! draw the same cells: the writers only decide how a cell looks, never where it goes.

use jixiao_domain::model::{
    DepartmentOverall, Form, Indicator, Project, ProjectVariant, Signoff, SourceMap,
    SpecialFundSummary, SummaryItem,
};
use jixiao_domain::report::{MoneyRow, Monitoring, SelfEvaluation};
use jixiao_domain::{Money, MoneyUnit};
use rust_decimal::Decimal;

/// What a cell holds, which decides its style (labels bold and centred, numbers right).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    Label,
    Value,
    Number,
}

/// One cell of the grid; cells covered by a merge are not listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutCell {
    pub text: String,
    pub colspan: usize,
    pub rowspan: usize,
    pub kind: CellKind,
    /// The field path inside the form of the value the cell shows, the same paths the
    /// importer writes into the `SourceMap` and the rules put in `Finding.location.field`
    /// (`budget.total`, `indicators[3].value`, `details[2].basis`, …). `None` for labels and
    /// fillers, except the merged 一级/二级 cells, which point at the `level1`/`level2` of the
    /// first indicator of their run.
    pub field: Option<String>,
}

impl OutCell {
    fn new(text: impl Into<String>, kind: CellKind) -> OutCell {
        OutCell {
            text: text.into(),
            colspan: 1,
            rowspan: 1,
            kind,
            field: None,
        }
    }
    /// The field path of the value this cell shows.
    fn at(mut self, path: impl Into<String>) -> OutCell {
        self.field = Some(path.into());
        self
    }
    fn span(mut self, cols: usize) -> OutCell {
        self.colspan = cols;
        self
    }
    fn down(mut self, rows: usize) -> OutCell {
        self.rowspan = rows.max(1);
        self
    }
}

fn label(t: &str) -> OutCell {
    OutCell::new(t, CellKind::Label)
}
fn value(t: &str) -> OutCell {
    OutCell::new(t, CellKind::Value)
}
fn number(t: String) -> OutCell {
    OutCell::new(t, CellKind::Number)
}

/// A form laid out like the paper form: title, subtitle lines, the grid, the signature lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Lines before the title, such as the transfer-payment notice that marks a transfer table.
    pub preamble: Vec<String>,
    pub title: String,
    pub subtitles: Vec<String>,
    /// Number of grid columns.
    pub width: usize,
    pub rows: Vec<Vec<OutCell>>,
    pub footer: Vec<String>,
}

impl Table {
    /// Each cell with its grid column, skipping columns covered by a merge from above.
    pub fn placed(&self) -> Vec<Vec<(usize, &OutCell)>> {
        self.placed_with(self.width)
    }

    fn placed_with(&self, width: usize) -> Vec<Vec<(usize, &OutCell)>> {
        // Rows each column stays covered for by a vertical merge from above.
        let mut covered = vec![0usize; width.clamp(1, 64)];
        let mut out = Vec::new();
        for row in &self.rows {
            let mut placed = Vec::new();
            let mut col = 0;
            for cell in row {
                while col < covered.len() && covered[col] > 0 {
                    col += 1;
                }
                placed.push((col, cell));
                for c in col..(col + cell.colspan).min(covered.len()) {
                    covered[c] = cell.rowspan;
                }
                col += cell.colspan;
            }
            for c in covered.iter_mut() {
                *c = c.saturating_sub(1);
            }
            out.push(placed);
        }
        out
    }

    /// Column widths that share `total`, the width of the page in tenths of a CJK character
    /// of the body text ([`A4_WIDTH`]), the way the paper form does: each column gets at
    /// least what its unbreakable content needs (a number whole, a label or text four
    /// characters wide), and the rest goes to the columns whose text is longer, so a 序号
    /// column stays narrow and 实施期绩效目标 gets room; a merged cell spreads what it
    /// wants over its columns. The widths are estimates from character counts
    /// ([`text_width`]), the same for the print view, .xlsx and .docx.
    pub fn column_widths(&self, total: u32) -> Vec<u32> {
        let n = self.width.clamp(1, 64);
        // In tenths of a CJK character: (minimum, wanted), padding included.
        let mut want = vec![(30u32, 30u32); n];
        let placed = self.placed();
        for row in &placed {
            for &(col, cell) in row {
                if cell.colspan != 1 || col >= n {
                    continue;
                }
                let w = text_width(&cell.text);
                let min = match cell.kind {
                    CellKind::Number => w.min(150),
                    CellKind::Label | CellKind::Value => w.min(40),
                } + 10;
                let wanted = w.min(300) + 10;
                want[col].0 = want[col].0.max(min);
                want[col].1 = want[col].1.max(wanted).max(min);
            }
        }
        // A merged cell (测算依据 over two columns) wants its text's width over its columns.
        for row in &placed {
            for &(col, cell) in row {
                let end = col.saturating_add(cell.colspan).min(n);
                if cell.colspan < 2 || end <= col {
                    continue;
                }
                let wanted = text_width(&cell.text).min(300) + 10;
                let have: u32 = want[col..end].iter().map(|w| w.1).sum();
                if wanted > have {
                    let add = (wanted - have).div_ceil((end - col) as u32);
                    for w in &mut want[col..end] {
                        w.1 += add;
                    }
                }
            }
        }
        let (sum_min, sum_want): (u64, u64) = want
            .iter()
            .fold((0, 0), |(a, b), (m, w)| (a + *m as u64, b + *w as u64));
        let total = total as u64;
        let raw: Vec<u64> = if sum_want <= total {
            // Everything fits: widen in proportion.
            want.iter()
                .map(|(_, w)| *w as u64 * total / sum_want.max(1))
                .collect()
        } else if sum_min >= total {
            want.iter()
                .map(|(m, _)| *m as u64 * total / sum_min.max(1))
                .collect()
        } else {
            // Minimums first, the rest in proportion to what each column still wants.
            let spare = total - sum_min;
            let extra = (sum_want - sum_min).max(1);
            want.iter()
                .map(|(m, w)| *m as u64 + (*w - *m) as u64 * spare / extra)
                .collect()
        };
        raw.into_iter()
            .map(|w| u32::try_from(w).unwrap_or(u32::MAX).max(1))
            .collect()
    }

    /// Each row as text, `|` between cells, spans shown as `<c2>` / `<r3>`: for snapshots.
    pub fn to_text(&self) -> String {
        let mut s: String = self.preamble.iter().map(|l| format!("  {l}\n")).collect();
        s.push_str(&format!("# {}\n", self.title));
        for l in &self.subtitles {
            s.push_str(&format!("  {l}\n"));
        }
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| {
                    let mut t = c.text.clone();
                    if c.colspan > 1 {
                        t.push_str(&format!("<c{}>", c.colspan));
                    }
                    if c.rowspan > 1 {
                        t.push_str(&format!("<r{}>", c.rowspan));
                    }
                    t
                })
                .collect();
            s.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        for l in &self.footer {
            s.push_str(&format!("  {l}\n"));
        }
        s
    }
}

/// The width of an A4 portrait page inside its margins, in tenths of a CJK character at
/// 10.5 pt (五号): the `total` of [`Table::column_widths`].
pub const A4_WIDTH: u32 = 470;

/// Width of the longest line of `text` in tenths of a CJK character (an ASCII character
/// counts a little over half), for column widths and row heights.
pub fn text_width(text: &str) -> u32 {
    text.split('\n')
        .map(|line| {
            line.chars()
                .map(|c| if c.is_ascii() { 6u32 } else { 10 })
                .fold(0u32, u32::saturating_add)
        })
        .max()
        .unwrap_or(0)
}

/// An amount in 万元 as the form wrote it when its cell text says the same amount, else
/// the decimal: a filing's `12万元` stays `12万元`, a computed amount prints as `12`.
fn amount(sources: &SourceMap, path: &str, m: &Option<Money>) -> String {
    let Some(m) = m else {
        return String::new();
    };
    if let Some(o) = sources.get(path) {
        let t = o.text.trim();
        if let Ok(p) = Money::parse(t, MoneyUnit::Wan) {
            if p.in_yuan() == m.in_yuan() {
                return t.to_string();
            }
        }
    }
    m.wan_string()
}

fn year_title(year: Option<u16>, title: &str, fallback: &str) -> String {
    if !title.trim().is_empty() {
        return title.trim().to_string();
    }
    match year {
        Some(y) => format!("{y}年{fallback}"),
        None => fallback.to_string(),
    }
}

/// 填报单位 and 金额单位, after a `2021年度` line when the title does not name the year (so
/// the year survives a round trip).
fn subtitles(title: &str, year: Option<u16>, unit: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(y) = year {
        if !title.contains(&y.to_string()) {
            out.push(format!("{y}年度"));
        }
    }
    out.push(format!("填报单位（盖章）：{unit}"));
    out.push("金额单位：万元".to_string());
    out
}

/// Widen the last cell of rows narrower than the widest one, so every row fills the grid.
fn finish(mut t: Table) -> Table {
    t.width = 0;
    let widths: Vec<usize> = t
        .placed_with(usize::MAX / 2)
        .iter()
        .map(|r| r.last().map(|(c, cell)| c + cell.colspan).unwrap_or(0))
        .collect();
    t.width = widths.iter().copied().max().unwrap_or(1);
    for (row, w) in t.rows.iter_mut().zip(widths) {
        if let Some(last) = row.last_mut() {
            last.colspan += t.width - w;
        }
    }
    t
}

fn footer(s: &Signoff) -> Vec<String> {
    vec![
        format!("单位负责人签字：{}", s.head),
        format!("填表人：{}    联系电话：{}", s.preparer, s.phone),
    ]
}

/// The indicator block: a caption cell down the left, header row, and 一级/二级 cells merged
/// over the runs of rows that share them, as on the paper form.
fn indicator_rows(caption: &str, inds: &[Indicator], with_standard: bool) -> Vec<Vec<OutCell>> {
    let with_weight = inds.iter().any(|i| i.weight.is_some());
    let mut head = vec![
        label(caption).down(inds.len() + 1),
        label("一级指标"),
        label("二级指标"),
        label("三级指标"),
        label("指标值及单位"),
    ];
    if with_standard {
        head.push(label("绩效标准"));
    }
    if with_weight {
        head.push(label("权重"));
    }
    let mut rows = vec![head];
    for (i, ind) in inds.iter().enumerate() {
        let mut row = Vec::new();
        let same1 = |j: usize| inds[j].level1 == ind.level1;
        if i == 0 || !same1(i - 1) {
            let n = (i..inds.len()).take_while(|&j| same1(j)).count();
            row.push(
                label(&ind.level1)
                    .down(n)
                    .at(format!("indicators[{i}].level1")),
            );
        }
        let same2 = |j: usize| inds[j].level1 == ind.level1 && inds[j].level2 == ind.level2;
        if i == 0 || !same2(i - 1) {
            let n = (i..inds.len()).take_while(|&j| same2(j)).count();
            row.push(
                label(&ind.level2)
                    .down(n)
                    .at(format!("indicators[{i}].level2")),
            );
        }
        let path = |f: &str| format!("indicators[{i}].{f}");
        row.push(value(&ind.name).at(path("name")));
        row.push(value(&ind.value.text).at(path("value")));
        if with_standard {
            row.push(value(&ind.standard).at(path("standard")));
        }
        if with_weight {
            row.push(number(ind.weight.clone().unwrap_or_default()).at(path("weight")));
        }
        rows.push(row);
    }
    rows
}

fn department(d: &DepartmentOverall) -> Table {
    let s = &d.sources;
    let b = &d.budget;
    let mut rows = vec![
        vec![label("部门名称"), value(&d.unit).span(4).at("unit")],
        vec![
            label("年度预算申请（万元）").down(5),
            value(&format!(
                "资金总额：{}",
                amount(s, "budget.total", &b.total)
            ))
            .span(4)
            .at("budget.total"),
        ],
        vec![label("按收入性质分").span(2), label("按支出性质分").span(2)],
        vec![
            label("其中：一般公共预算拨款"),
            number(amount(
                s,
                "budget.by_source.general_public",
                &b.by_source.general_public,
            ))
            .at("budget.by_source.general_public"),
            label("其中：基本支出"),
            number(amount(s, "budget.by_nature.basic", &b.by_nature.basic))
                .at("budget.by_nature.basic"),
        ],
        vec![
            label("政府性基金拨款"),
            number(amount(
                s,
                "budget.by_source.government_fund",
                &b.by_source.government_fund,
            ))
            .at("budget.by_source.government_fund"),
            label("项目支出"),
            number(amount(s, "budget.by_nature.project", &b.by_nature.project))
                .at("budget.by_nature.project"),
        ],
        vec![
            label("其他资金"),
            number(amount(s, "budget.by_source.other", &b.by_source.other))
                .at("budget.by_source.other"),
            value("").span(2),
        ],
        vec![label("部门职责概述"), value(&d.duties).span(4).at("duties")],
    ];
    if !d.annual_goal.is_empty() {
        rows.push(vec![
            label("年度总体目标"),
            value(&d.annual_goal).span(4).at("annual_goal"),
        ]);
    }
    rows.push(vec![
        label("年度重点工作计划").down(d.key_tasks.len() + 1),
        label("事项"),
        label("责任单位/科室"),
        label("工作目标").span(2),
    ]);
    for (i, t) in d.key_tasks.iter().enumerate() {
        rows.push(vec![
            value(&t.item).at(format!("key_tasks[{i}].item")),
            value(&t.owner).at(format!("key_tasks[{i}].owner")),
            value(&t.goal).span(2).at(format!("key_tasks[{i}].goal")),
        ]);
    }
    rows.extend(indicator_rows("年度绩效指标", &d.indicators, false));
    let title = year_title(d.year, &d.title, "部门整体支出绩效目标表");
    finish(Table {
        preamble: vec![],
        title: title.clone(),
        subtitles: subtitles(&title, d.year, &d.unit),
        width: 5,
        rows,
        footer: footer(&d.signoff),
    })
}

fn summary_rows(s: &SourceMap, path: &str, it: &SummaryItem, rows: &mut Vec<Vec<OutCell>>) {
    rows.push(vec![
        value(&it.seq).at(format!("{path}.seq")),
        value(&it.name).at(format!("{path}.name")),
        number(amount(s, &format!("{path}.amount"), &it.amount)).at(format!("{path}.amount")),
        value(&it.period_goal).at(format!("{path}.period_goal")),
        value(&it.annual_goal).at(format!("{path}.annual_goal")),
    ]);
    for (i, c) in it.children.iter().enumerate() {
        summary_rows(s, &format!("{path}.children[{i}]"), c, rows);
    }
}

fn summary(f: &SpecialFundSummary) -> Table {
    let mut rows = vec![
        vec![
            label("序号"),
            label("名称"),
            label("金额"),
            label("实施期绩效目标"),
            label("年度绩效目标"),
        ],
        vec![
            value(""),
            label("合计"),
            number(amount(&f.sources, "total", &f.total)).at("total"),
            value(""),
            value(""),
        ],
    ];
    for (i, it) in f.items.iter().enumerate() {
        summary_rows(&f.sources, &format!("items[{i}]"), it, &mut rows);
    }
    let title = year_title(f.year, &f.title, "区级专项资金绩效目标汇总表");
    finish(Table {
        preamble: vec![],
        title: title.clone(),
        subtitles: subtitles(&title, f.year, &f.unit),
        width: 5,
        rows,
        footer: footer(&f.signoff),
    })
}

fn project(p: &Project) -> Table {
    let s = &p.sources;
    let amt = amount(s, "amount", &p.amount);
    let mut rows = Vec::new();
    match (p.variant, &p.parent) {
        (ProjectVariant::ExpenditureDirection, parent) => {
            let (pname, pamt) = match parent {
                Some(pf) => (pf.name.clone(), amount(s, "parent.amount", &pf.amount)),
                None => (String::new(), String::new()),
            };
            rows.push(vec![
                label("支出方向（子项）"),
                value(&p.name).at("name"),
                label("所属专项").down(2),
                label("名称"),
                value(&pname).span(2).at("parent.name"),
            ]);
            rows.push(vec![
                label("项目金额"),
                number(amt).at("amount"),
                label("金额"),
                number(pamt).span(2).at("parent.amount"),
            ]);
        }
        _ => {
            rows.push(vec![
                label("项目名称"),
                value(&p.name).span(2).at("name"),
                label("主管部门"),
                value(&p.department).span(2).at("department"),
            ]);
            rows.push(vec![
                label("实施单位"),
                value(&p.unit).span(2).at("unit"),
                label("项目金额"),
                number(amt).span(2).at("amount"),
            ]);
        }
    }
    rows.push(vec![
        label("项目实施期"),
        value(&p.period).span(5).at("period"),
    ]);
    rows.push(vec![
        label("实施期绩效目标"),
        value(&p.period_goal).span(5).at("period_goal"),
    ]);
    rows.push(vec![
        label("年度绩效目标"),
        value(&p.annual_goal).span(5).at("annual_goal"),
    ]);
    rows.extend(indicator_rows("年度绩效指标", &p.indicators, true));
    rows.push(vec![
        label("支出明细及测算说明").down(p.details.len() + 2),
        label("支出内容简介"),
        label("支出明细"),
        label("金额"),
        label("支出测算依据及过程说明").span(2),
    ]);
    for (i, d) in p.details.iter().enumerate() {
        let path = |f: &str| format!("details[{i}].{f}");
        rows.push(vec![
            value(&d.content).at(path("content")),
            value(&d.item).at(path("item")),
            number(amount(s, &path("amount"), &d.amount)).at(path("amount")),
            value(&d.basis).span(2).at(path("basis")),
        ]);
    }
    rows.push(vec![
        label("合计").span(2),
        number(amount(s, "details_total", &p.details_total)).at("details_total"),
        value("").span(2),
    ]);
    let fallback = match p.variant {
        ProjectVariant::ExpenditureDirection => "区级专项资金支出方向绩效目标表",
        ProjectVariant::Project => "项目支出绩效目标表",
        ProjectVariant::Transfer => "转移支付绩效目标表",
    };
    let title = year_title(p.year, &p.title, fallback);
    let transfer = p.variant == ProjectVariant::Transfer
        && !title.contains("转移支付")
        && !title.contains("扶贫资金");
    finish(Table {
        // The importer knows a transfer table by a notice before it, as in the filings.
        preamble: if transfer {
            vec!["转移支付资金".to_string()]
        } else {
            vec![]
        },
        title: title.clone(),
        subtitles: subtitles(&title, p.year, &p.unit),
        width: 6,
        rows,
        footer: footer(&p.signoff),
    })
}

/// A stated decimal, or the computed one when the form states none (a report filled in
/// jixiao shows what it computed).
fn decimal(stated: Option<Decimal>, computed: Option<Decimal>) -> String {
    stated
        .or(computed)
        .map(|d| d.normalize().to_string())
        .unwrap_or_default()
}

/// One row of the 10号 money block: 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分.
/// Only the total row is scored; the 其中 rows show "—" there, as the printed form does.
fn money_row(
    s: &SourceMap,
    key: &str,
    caption: &str,
    row: &MoneyRow,
    scored: bool,
) -> Vec<OutCell> {
    let path = |f: &str| format!("money.{key}.{f}");
    let dash = |f: &str, v: String| {
        if scored {
            number(v).at(path(f))
        } else {
            value("—")
        }
    };
    vec![
        label(caption),
        number(amount(s, &path("initial"), &row.initial)).at(path("initial")),
        number(amount(s, &path("annual"), &row.annual)).at(path("annual")),
        number(amount(s, &path("executed"), &row.executed)).at(path("executed")),
        dash("weight", decimal(row.weight, None)),
        number(
            row.rate
                .map(|r| format!("{}%", r.normalize()))
                .unwrap_or_default(),
        )
        .at(path("rate")),
        dash("score", decimal(row.score, None)),
    ]
}

fn self_evaluation(e: &SelfEvaluation) -> Table {
    let s = &e.sources;
    let mut rows = Vec::new();
    if e.name.is_empty() && e.variant == jixiao_domain::SelfEvaluationVariant::Department {
        rows.push(vec![
            label("部门（单位）名称"),
            value(&e.unit).span(7).at("unit"),
        ]);
    } else {
        rows.push(vec![label("项目名称"), value(&e.name).span(7).at("name")]);
    }
    rows.push(vec![
        label("主管部门"),
        value(&e.department).span(3).at("department"),
        label("实施单位"),
        value(&e.implementer).span(3).at("implementer"),
    ]);
    rows.push(vec![
        label("项目资金（万元）").down(5),
        value(""),
        label("年初预算数"),
        label("全年预算数"),
        label("全年执行数"),
        label("分值"),
        label("执行率"),
        label("得分"),
    ]);
    rows.push(money_row(s, "total", "年度资金总额", &e.money.total, true));
    rows.push(money_row(
        s,
        "fiscal",
        "其中：当年财政拨款",
        &e.money.fiscal,
        false,
    ));
    rows.push(money_row(
        s,
        "carryover",
        "上年结转资金",
        &e.money.carryover,
        false,
    ));
    rows.push(money_row(s, "other", "其他资金", &e.money.other, false));
    rows.push(vec![
        label("年度总体目标").down(e.goals.len().max(1) + 1),
        label("预期目标").span(4),
        label("实际完成情况").span(3),
    ]);
    if e.goals.is_empty() {
        rows.push(vec![value("").span(4), value("").span(3)]);
    }
    for (i, g) in e.goals.iter().enumerate() {
        rows.push(vec![
            value(&g.expected)
                .span(4)
                .at(format!("goals[{i}].expected")),
            value(&g.actual).span(3).at(format!("goals[{i}].actual")),
        ]);
    }
    rows.push(vec![
        label("绩效指标").down(e.indicators.len() + 1),
        label("一级指标"),
        label("二级指标"),
        label("三级指标"),
        label("年度指标值"),
        label("实际完成值"),
        label("分值"),
        label("得分"),
        label("偏差原因分析及改进措施"),
    ]);
    let levels: Vec<(&str, &str)> = e
        .indicators
        .iter()
        .map(|i| (i.level1.as_str(), i.level2.as_str()))
        .collect();
    for (i, ind) in e.indicators.iter().enumerate() {
        let path = |f: &str| format!("indicators[{i}].{f}");
        let mut row = merged_levels(&levels, i);
        row.push(value(&ind.name).at(path("name")));
        row.push(value(&ind.target.text).at(path("target")));
        row.push(value(&ind.actual.text).at(path("actual")));
        row.push(number(decimal(ind.weight, None)).at(path("weight")));
        row.push(number(decimal(ind.score, ind.computed_score)).at(path("score")));
        row.push(value(&ind.deviation).at(path("deviation")));
        rows.push(row);
    }
    let weights: Option<Decimal> = {
        let ws: Vec<Decimal> = e
            .indicators
            .iter()
            .filter_map(|i| i.weight)
            .chain(e.money.total.weight)
            .collect();
        (!ws.is_empty()).then(|| ws.iter().sum())
    };
    rows.push(vec![
        label("总分").span(6),
        number(decimal(weights, None)),
        number(decimal(e.total_score, e.computed_total)).at("total_score"),
        value(""),
    ]);
    rows.push(vec![
        label("自评等级").span(6),
        value(
            e.grade
                .as_deref()
                .or(e.computed_grade.as_deref())
                .unwrap_or(""),
        )
        .span(3)
        .at("grade"),
    ]);
    let title = year_title(e.year, &e.title, e.variant.label());
    finish(Table {
        preamble: vec![],
        title: title.clone(),
        subtitles: subtitles(&title, e.year, &e.unit),
        width: 9,
        rows,
        footer: footer(&e.signoff),
    })
}

/// The 一级/二级 cells of row `i`, merged down over the run of rows that share them.
fn merged_levels(levels: &[(&str, &str)], i: usize) -> Vec<OutCell> {
    let mut row = Vec::new();
    let (l1, l2) = levels[i];
    let same1 = |j: usize| levels[j].0 == l1;
    if i == 0 || !same1(i - 1) {
        let n = (i..levels.len()).take_while(|&j| same1(j)).count();
        row.push(label(l1).down(n).at(format!("indicators[{i}].level1")));
    }
    let same2 = |j: usize| levels[j] == (l1, l2);
    if i == 0 || !same2(i - 1) {
        let n = (i..levels.len()).take_while(|&j| same2(j)).count();
        row.push(label(l2).down(n).at(format!("indicators[{i}].level2")));
    }
    row
}

fn monitoring(m: &Monitoring) -> Table {
    let s = &m.sources;
    let months = match m.period_months {
        Some(n) => format!("1-{n}月"),
        None => String::new(),
    };
    let mut rows = vec![
        vec![label("项目名称"), value(&m.name).span(9).at("name")],
        vec![
            label("主管部门"),
            value(&m.department).span(4).at("department"),
            label("实施单位"),
            value(&m.implementer).span(4).at("implementer"),
        ],
        vec![
            label("项目资金（万元）").down(2),
            value(""),
            label("年初预算数").span(2),
            label(&format!("{months}执行数")).span(2),
            label("执行率"),
            label("全年预计执行数").span(2),
        ],
        vec![
            label("年度资金总额"),
            number(amount(s, "money.annual", &m.money.annual))
                .span(2)
                .at("money.annual"),
            number(amount(s, "money.executed", &m.money.executed))
                .span(2)
                .at("money.executed"),
            number(
                m.money
                    .rate
                    .map(|r| format!("{}%", r.normalize()))
                    .unwrap_or_default(),
            )
            .at("money.rate"),
            number(amount(s, "money.forecast", &m.money.forecast))
                .span(2)
                .at("money.forecast"),
        ],
    ];
    for (i, g) in m.goals.iter().enumerate() {
        rows.push(vec![
            label("年度总体目标"),
            value(&g.expected)
                .span(5)
                .at(format!("goals[{i}].expected")),
            label("执行情况"),
            value(&g.actual).span(3).at(format!("goals[{i}].actual")),
        ]);
    }
    rows.push(vec![
        label("绩效指标").down(m.indicators.len() + 1),
        label("一级指标"),
        label("二级指标"),
        label("三级指标"),
        label("年度指标值"),
        label(&format!("{months}执行情况")),
        label("全年预计完成情况"),
        label("完成目标可能性"),
        label("偏差原因分析"),
        label("改进措施"),
    ]);
    let levels: Vec<(&str, &str)> = m
        .indicators
        .iter()
        .map(|i| (i.level1.as_str(), i.level2.as_str()))
        .collect();
    for (i, ind) in m.indicators.iter().enumerate() {
        let path = |f: &str| format!("indicators[{i}].{f}");
        let mut row = merged_levels(&levels, i);
        row.push(value(&ind.name).at(path("name")));
        row.push(value(&ind.target.text).at(path("target")));
        row.push(value(&ind.progress.text).at(path("progress")));
        row.push(value(&ind.forecast.text).at(path("forecast")));
        row.push(value(ind.possibility.map_or("", |p| p.label())).at(path("possibility")));
        row.push(value(&ind.deviation).at(path("deviation")));
        row.push(value(&ind.measures).at(path("measures")));
        rows.push(row);
    }
    rows.push(vec![
        label("偏差或不能完成目标原因分析"),
        value(&m.deviation).span(9).at("deviation"),
    ]);
    rows.push(vec![
        label("相关建议或举措"),
        value(&m.measures).span(9).at("measures"),
    ]);
    let title = year_title(m.year, &m.title, "项目支出绩效目标执行监控表");
    finish(Table {
        preamble: vec![],
        title: title.clone(),
        subtitles: subtitles(&title, m.year, &m.unit),
        width: 10,
        rows,
        footer: footer(&m.signoff),
    })
}

/// The official layout of one form.
pub fn table(form: &Form) -> Table {
    match form {
        Form::DepartmentOverall(d) => department(d),
        Form::SpecialFundSummary(f) => summary(f),
        Form::Project(p) => project(p),
        Form::SelfEvaluation(e) => self_evaluation(e),
        Form::Monitoring(m) => monitoring(m),
    }
}

/// The layouts of several forms, in order.
pub fn tables(forms: &[Form]) -> Vec<Table> {
    forms.iter().map(table).collect()
}

/// Sheet names Excel accepts: at most 31 characters, none of `[]:*?/\`, unique.
pub fn sheet_names(tables: &[Table]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let clean: String = t
            .title
            .chars()
            .filter(|c| !"[]:*?/\\'".contains(*c))
            .collect();
        let base = if clean.is_empty() {
            format!("表{}", i + 1)
        } else {
            clean
        };
        let mut n = 1;
        loop {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("({n})")
            };
            let keep = 31 - suffix.chars().count();
            let name: String = base.chars().take(keep).collect::<String>() + &suffix;
            if !out.contains(&name) {
                out.push(name);
                break;
            }
            n += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(title: &str) -> Table {
        Table {
            preamble: vec![],
            title: title.to_string(),
            subtitles: vec![],
            width: 1,
            rows: vec![],
            footer: vec![],
        }
    }

    #[test]
    fn sheet_names_are_short_clean_and_unique() {
        let long = "2023年区级专项资金支出方向绩效目标表".repeat(2);
        let names = sheet_names(&[t(&long), t(&long), t("a/b:c"), t("")]);
        assert!(names.iter().all(|n| n.chars().count() <= 31));
        assert_ne!(names[0], names[1]);
        assert_eq!(names[2], "abc");
        assert_eq!(names[3], "表4");
    }

    #[test]
    fn column_widths_keep_numbers_whole_and_give_text_the_rest() {
        let mut table = t("x");
        table.rows = vec![
            vec![label("序号"), label("名称"), label("金额"), label("目标")],
            vec![
                value("1"),
                value("业务性专项经费"),
                number("1234567.89".into()),
                value(&"持续构建石峰大统战工作格局。".repeat(8)),
            ],
        ];
        let table = finish(table);
        let w = table.column_widths(A4_WIDTH);
        assert_eq!(w.len(), 4);
        let sum: u32 = w.iter().sum();
        assert!(sum <= A4_WIDTH && sum + 4 >= A4_WIDTH, "{w:?}");
        assert!(w[2] >= text_width("1234567.89") + 10, "{w:?}");
        assert!(w[0] < w[1] && w[1] < w[3], "{w:?}");
        // Hostile input: no panic, one width per column.
        let mut odd = t("y");
        odd.width = 3;
        odd.rows = vec![vec![value("a").span(usize::MAX / 2)], vec![]];
        assert_eq!(odd.column_widths(0).len(), 3);
        assert_eq!(text_width("ab\n表"), 12);
    }

    #[test]
    fn merged_cells_push_later_cells_right() {
        let mut table = t("x");
        table.rows = vec![
            vec![label("a").down(2), value("b").span(2)],
            vec![value("c"), value("d")],
        ];
        let table = finish(table);
        assert_eq!(table.width, 3);
        let cols: Vec<Vec<usize>> = table
            .placed()
            .iter()
            .map(|r| r.iter().map(|(c, _)| *c).collect())
            .collect();
        assert_eq!(cols, vec![vec![0, 1], vec![1, 2]]);
    }
}
