//! Tables inside a form, read by their header: indicator rows, expenditure details and
//! summary lines. A data row is aligned to the header by scoring how well each possible
//! shift fits what its cells look like, so rows whose merged leading cells were dropped
//! by a flattened copy still land in the right columns.

use jixiao_domain::text::parse_decimal;
use jixiao_domain::Profile;

use super::grid::{classify_title, Grid, Pos};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Ignore,
    L1,
    L2,
    Name,
    Nature,
    Value,
    Unit,
    Standard,
    Weight,
    Direction,
    Seq,
    Amount,
    PeriodGoal,
    AnnualGoal,
    Content,
    Item,
    Basis,
    ProjectUnit,
    ProjectName,
    ProjectAmount,
    ProjectGoal,
}

/// Which table a header belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    Indicators,
    Details,
    Summary,
}

#[derive(Debug, Clone)]
pub struct Header {
    pub roles: Vec<Role>,
    /// Grid row holding the (last) header cell.
    pub row: usize,
    /// Position of the first header cell (stream mode reads data after the last one).
    pub last: Pos,
    pub stream: bool,
    /// Stream mode: a section label stood before the header, so rows may or may not start
    /// with a cell of that merged column; `data_rows` tries both widths.
    pub lead_optional: bool,
}

/// One data row: the cells by role.
#[derive(Debug, Clone, Default)]
pub struct DataRow {
    pub cells: Vec<(Role, Pos)>,
}

impl DataRow {
    pub fn get(&self, role: Role) -> Option<Pos> {
        self.cells.iter().find(|(r, _)| *r == role).map(|(_, p)| *p)
    }

    /// The trimmed text of the cell with `role`; empty when the row has none.
    pub fn text(&self, grid: &Grid, role: Role) -> String {
        self.get(role)
            .map(|p| grid.text(p).trim().to_string())
            .unwrap_or_default()
    }
}

/// How a header word is recognised.
#[derive(Clone, Copy)]
enum Word {
    Is(&'static str),
    Starts(&'static str),
    Ends(&'static str),
    Contains(&'static str),
}

impl Word {
    fn matches(self, norm: &str) -> bool {
        match self {
            Word::Is(w) => norm == w,
            Word::Starts(w) => norm.starts_with(w),
            Word::Ends(w) => norm.ends_with(w),
            Word::Contains(w) => norm.contains(w),
        }
    }
}

use Word::{Contains, Ends, Is, Starts};

/// The header words of each table, first match wins.
const INDICATOR_ROLES: &[(&[Word], Role)] = &[
    (&[Starts("一级指标"), Is("一级")], Role::L1),
    (&[Starts("二级指标"), Is("二级")], Role::L2),
    (&[Starts("三级指标"), Is("三级")], Role::Name),
    (&[Starts("指标性质"), Starts("指标值类型")], Role::Nature),
    (
        &[Starts("指标值设定依据"), Starts("绩效标准")],
        Role::Standard,
    ),
    (&[Starts("指标值"), Starts("年度指标值")], Role::Value),
    (&[Starts("度量单位"), Starts("计量单位")], Role::Unit),
    (&[Starts("权重"), Starts("分值")], Role::Weight),
    (&[Starts("指标方向")], Role::Direction),
    (&[Starts("单位名称")], Role::ProjectUnit),
    (&[Starts("项目名称")], Role::ProjectName),
    (
        &[Starts("预算数"), Starts("项目金额"), Starts("预算金额")],
        Role::ProjectAmount,
    ),
    (
        &[Starts("年度目标"), Starts("年度绩效目标")],
        Role::ProjectGoal,
    ),
];

const DETAIL_ROLES: &[(&[Word], Role)] = &[
    (&[Starts("支出内容")], Role::Content),
    (&[Starts("支出明细及测算")], Role::Ignore),
    (&[Starts("支出明细"), Starts("明细")], Role::Item),
    (&[Is("金额"), Starts("金额(")], Role::Amount),
    (
        &[Contains("测算"), Contains("依据"), Contains("说明")],
        Role::Basis,
    ),
];

const SUMMARY_ROLES: &[(&[Word], Role)] = &[
    (&[Starts("序号")], Role::Seq),
    (&[Is("名称"), Ends("名称")], Role::Name),
    (&[Is("金额"), Starts("金额("), Starts("预算")], Role::Amount),
    (&[Starts("实施期"), Starts("中期")], Role::PeriodGoal),
    (&[Starts("年度")], Role::AnnualGoal),
];

fn role_of(norm: &str, kind: TableKind) -> Role {
    let roles = match kind {
        TableKind::Indicators => INDICATOR_ROLES,
        TableKind::Details => DETAIL_ROLES,
        TableKind::Summary => SUMMARY_ROLES,
    };
    roles
        .iter()
        .find(|(words, _)| words.iter().any(|w| w.matches(norm)))
        .map_or(Role::Ignore, |&(_, role)| role)
}

fn is_header_cell(norm: &str, kind: TableKind) -> bool {
    role_of(norm, kind) != Role::Ignore || super::grid::is_header_word(norm)
}

/// Find a table header in rows `start..end`. `anchor` is the word that starts it.
pub fn find_header(grid: &Grid, start: usize, end: usize, kind: TableKind) -> Option<Header> {
    let anchors: &[&str] = match kind {
        TableKind::Indicators => &["一级指标", "一级"],
        TableKind::Details => &["支出内容简介", "支出内容"],
        TableKind::Summary => &["序号"],
    };
    let end = end.min(grid.rows.len());
    for r in start..end {
        for (c, n) in grid.norms[r].iter().enumerate() {
            if !anchors.iter().any(|a| n.starts_with(a)) {
                continue;
            }
            let in_row = grid.norms[r]
                .iter()
                .filter(|n| is_header_cell(n, kind))
                .count();
            if in_row >= 3 {
                let mut roles: Vec<Role> = grid.norms[r].iter().map(|n| role_of(n, kind)).collect();
                prefer_annual(&mut roles, &grid.norms[r]);
                return Some(Header {
                    roles,
                    row: r,
                    last: (r, grid.rows[r].cells.len().saturating_sub(1)),
                    stream: false,
                    lead_optional: false,
                });
            }
            // Stream mode: header cells follow one another across rows.
            let mut roles = Vec::new();
            let mut norms = Vec::new();
            let mut last = (r, c);
            for p in grid.positions((r, c), end) {
                let n = grid.norm(p);
                if n.is_empty() && roles.is_empty() {
                    continue;
                }
                if !is_header_cell(n, kind) {
                    break;
                }
                roles.push(role_of(n, kind));
                norms.push(n.to_string());
                last = p;
            }
            if roles.len() >= 3 {
                prefer_annual(&mut roles, &norms);
                // A section label just before the header (年度绩效指标, 支出明细及测算说明) heads a
                // merged first column: every data row then starts with that column's cell.
                let lead_optional = section_label_before(grid, (r, c));
                if lead_optional {
                    roles.insert(0, Role::Ignore);
                }
                return Some(Header {
                    roles,
                    row: last.0,
                    last,
                    stream: true,
                    lead_optional,
                });
            }
        }
    }
    None
}

/// Whether the cell before `p` (in reading order) is the label of a merged first column.
pub(crate) fn section_label_before(grid: &Grid, p: Pos) -> bool {
    let prev = if p.1 > 0 {
        Some((p.0, p.1 - 1))
    } else {
        (0..p.0)
            .rev()
            .find_map(|r| grid.rows[r].cells.len().checked_sub(1).map(|c| (r, c)))
    };
    prev.is_some_and(|q| {
        let n = grid.norm(q);
        n.ends_with("绩效指标")
            || n.starts_with("支出明细及测算")
            || n.starts_with("年度重点")
            || n == "绩效指标"
    })
}

/// Paired long-term / annual columns (长期|年度, 中期|年度 in the 88号 template): keep the
/// annual ones, which every known template puts last.
fn prefer_annual(roles: &mut [Role], norms: &[String]) {
    for i in 0..roles.len() {
        if roles[i] == Role::Ignore {
            continue;
        }
        let later = (i + 1..roles.len()).any(|j| roles[j] == roles[i]);
        let marked_annual = norms[i].contains("年度");
        if later && !marked_annual {
            roles[i] = Role::Ignore;
        }
    }
}

fn is_nature(n: &str) -> bool {
    matches!(
        n,
        "定量"
            | "定性"
            | "≥"
            | "≤"
            | "="
            | "﹦"
            | "═"
            | ">"
            | "<"
            | ">="
            | "<="
            | "≧"
            | "≦"
            | "＝"
    )
}

/// A number or an amount as written in a cell: `37`, `95%`, `12万元`, `17万`, `1,740,000.00元`.
fn is_number(n: &str) -> bool {
    let t = n.strip_suffix('%').unwrap_or(n);
    let t = t.strip_suffix('元').unwrap_or(t);
    let t = t.strip_suffix(['万', '亿']).unwrap_or(t);
    parse_decimal(t).is_some()
}

fn is_unit(n: &str) -> bool {
    let len = n.chars().count();
    len > 0 && len <= 5 && !n.chars().any(|c| c.is_ascii_digit())
}

/// How well a cell fits a role; higher is better.
fn fit(role: Option<Role>, n: &str, profile: &Profile) -> i32 {
    let l1 = profile.level1_key(n).is_some();
    let l2 = profile.level2_key(n).is_some();
    let empty = n.is_empty();
    let Some(role) = role else {
        return if empty { 0 } else { -2 };
    };
    if empty {
        return 0;
    }
    match role {
        Role::Ignore => 0,
        Role::L1 => {
            if l1 {
                3
            } else if l2 {
                -1
            } else {
                -3
            }
        }
        Role::L2 => {
            if l2 {
                3
            } else if l1 {
                -1
            } else {
                -3
            }
        }
        Role::Name | Role::Content | Role::Item => {
            if l1 || l2 {
                -2
            } else {
                1
            }
        }
        Role::Nature => {
            if is_nature(n) {
                3
            } else {
                -3
            }
        }
        Role::Value => {
            if l1 || l2 {
                -2
            } else if n.chars().any(|c| c.is_ascii_digit()) {
                2
            } else {
                1
            }
        }
        Role::Unit => {
            if is_unit(n) {
                2
            } else {
                -2
            }
        }
        Role::Standard => {
            if profile.standards.iter().any(|s| s == n) {
                3
            } else {
                -1
            }
        }
        Role::Weight => {
            if is_number(n) {
                1
            } else {
                -1
            }
        }
        Role::Direction => {
            if n.contains("向") {
                2
            } else {
                -1
            }
        }
        Role::Seq => {
            if n.chars().count() <= 3
                && n.chars()
                    .all(|c| c.is_ascii_digit() || "一二三四五六七八九十、.".contains(c))
            {
                2
            } else if n == "合计" {
                1
            } else {
                -1
            }
        }
        Role::Amount | Role::ProjectAmount => {
            if is_number(n) {
                2
            } else {
                -2
            }
        }
        Role::ProjectName | Role::ProjectUnit => {
            if l1 || l2 {
                -3
            } else if is_number(n) {
                -2
            } else {
                1
            }
        }
        Role::PeriodGoal | Role::AnnualGoal | Role::ProjectGoal | Role::Basis => {
            if l1 || l2 {
                -3
            } else {
                0
            }
        }
    }
}

/// Map a row's cells to header roles, choosing the shift that fits best.
pub fn align(grid: &Grid, cells: &[Pos], header: &Header, profile: &Profile) -> DataRow {
    align_scored(grid, cells, header, profile).0
}

/// `align`, with the score of the chosen shift (how well the cells fit their roles).
fn align_scored(grid: &Grid, cells: &[Pos], header: &Header, profile: &Profile) -> (DataRow, i32) {
    let n = header.roles.len();
    let mut best: Option<(i32, usize)> = None;
    for offset in 0..n.max(1) {
        let score: i32 = cells
            .iter()
            .enumerate()
            .map(|(i, p)| {
                fit(
                    header.roles.get(i + offset).copied(),
                    grid.norm(*p),
                    profile,
                )
            })
            .sum();
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, offset));
        }
    }
    let (score, offset) = best.unwrap_or((0, 0));
    let mut row = DataRow::default();
    for (i, p) in cells.iter().enumerate() {
        if let Some(role) = header.roles.get(i + offset) {
            if *role != Role::Ignore {
                row.cells.push((*role, *p));
            }
        }
    }
    (row, score)
}

/// One cell per paragraph: data cells in chunks of the header's width, with the total fit.
fn stream_rows(
    grid: &Grid,
    header: &Header,
    end: usize,
    kind: TableKind,
    profile: &Profile,
) -> (Vec<DataRow>, i32) {
    let width = header.roles.len();
    let mut out = Vec::new();
    let mut total = 0;
    let mut chunk: Vec<Pos> = Vec::new();
    let start = (header.last.0, header.last.1 + 1);
    for p in grid.positions(start, end) {
        let n = grid.norm(p);
        if is_terminator(n, kind)
            || classify_title(grid.text(p)).is_some()
            || n.starts_with("一级指标")
        {
            break;
        }
        chunk.push(p);
        if chunk.len() == width {
            let (row, score) = align_scored(grid, &chunk, header, profile);
            out.push(row);
            total += score;
            chunk.clear();
        }
    }
    if chunk.iter().any(|p| !grid.norm(*p).is_empty()) {
        let (row, score) = align_scored(grid, &chunk, header, profile);
        out.push(row);
        total += score;
    }
    (out, total)
}

/// Words that end a table.
fn is_terminator(n: &str, kind: TableKind) -> bool {
    const STOP: &[&str] = &[
        "单位负责人",
        "填表人",
        "财政部门审核意见",
        "审核意见",
        "评价结论",
        "项目负责人",
        "财务负责人",
        "填报日期",
        "说明:",
        "存在问题",
        "改进措施",
    ];
    if STOP.iter().any(|s| n.starts_with(s)) {
        return true;
    }
    match kind {
        TableKind::Indicators => {
            n.starts_with("支出明细") || n.starts_with("支出内容") || n == "合计"
        }
        TableKind::Details => false,
        TableKind::Summary => false,
    }
}

/// The data rows under a header, up to row `end`.
pub fn data_rows(
    grid: &Grid,
    header: &Header,
    end: usize,
    kind: TableKind,
    profile: &Profile,
) -> Vec<DataRow> {
    let end = end.min(grid.rows.len());
    let mut out = Vec::new();
    if header.stream {
        let (rows, score) = stream_rows(grid, header, end, kind, profile);
        if !header.lead_optional {
            return rows;
        }
        // Rows may or may not carry the merged first column's cell: keep the reading that fits.
        let narrow = Header {
            roles: header.roles[1..].to_vec(),
            lead_optional: false,
            ..header.clone()
        };
        let (narrow_rows, narrow_score) = stream_rows(grid, &narrow, end, kind, profile);
        return if narrow_score > score {
            narrow_rows
        } else {
            rows
        };
    }
    for r in header.row + 1..end {
        let norms = &grid.norms[r];
        if norms.iter().all(|n| n.is_empty()) {
            continue;
        }
        let first = norms
            .iter()
            .find(|n| !n.is_empty())
            .map(String::as_str)
            .unwrap_or("");
        if is_terminator(first, kind)
            || norms.iter().any(|n| {
                n.starts_with("一级指标")
                    || (kind != TableKind::Details && n.starts_with("支出内容简介"))
            })
            || (norms.iter().filter(|n| !n.is_empty()).count() == 1
                && classify_title(first).is_some())
        {
            break;
        }
        let cells: Vec<Pos> = (0..grid.rows[r].cells.len()).map(|c| (r, c)).collect();
        out.push(align(grid, &cells, header, profile));
    }
    out
}
