//! Reading each kind of form from its segment of the grid.

use jixiao_domain::model::*;
use jixiao_domain::text::{normalize_label, to_simplified};
use jixiao_domain::{IndicatorValue, Money, MoneyUnit, Profile};

use super::grid::{Grid, Pos, SegKind, Segment};
use super::table::{data_rows, find_header, DataRow, Role, TableKind};

type Warnings = Vec<(String, Option<Origin>)>;

/// Collects fields and their origins for one form.
struct Reader<'a> {
    grid: &'a Grid,
    seg: &'a Segment,
    profile: &'a Profile,
    unit: MoneyUnit,
    sources: SourceMap,
    warnings: Warnings,
}

impl<'a> Reader<'a> {
    fn new(grid: &'a Grid, seg: &'a Segment, profile: &'a Profile) -> Self {
        let unit = money_unit(grid, seg);
        Reader {
            grid,
            seg,
            profile,
            unit,
            sources: SourceMap::new(),
            warnings: Vec::new(),
        }
    }

    fn note(&mut self, path: &str, p: Pos) {
        if let Some(o) = self.grid.origin(p) {
            self.sources.insert(path.to_string(), o);
        }
    }

    /// Record where each of `fields` (role, field name) of a data row was read, under
    /// `{prefix}.{field}`.
    fn note_row(&mut self, row: &DataRow, prefix: &str, fields: &[(Role, &str)]) {
        for &(role, f) in fields {
            if let Some(p) = row.get(role) {
                self.note(&format!("{prefix}.{f}"), p);
            }
        }
    }

    fn warn(&mut self, msg: String, p: Option<Pos>) {
        let o = p.and_then(|p| self.grid.origin(p));
        self.warnings.push((msg, o));
    }

    /// Text of the value after one of `labels`, recorded under `path`.
    fn text(&mut self, path: &str, labels: &[&str]) -> String {
        self.text_in(path, labels, self.seg.start, self.seg.end)
    }

    fn text_in(&mut self, path: &str, labels: &[&str], start: usize, end: usize) -> String {
        match self.grid.label_value(start, end, labels) {
            Some((v, p)) => {
                self.note(path, p);
                v
            }
            None => String::new(),
        }
    }

    fn money_text(&mut self, path: &str, text: &str, p: Option<Pos>) -> Option<Money> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        match Money::parse(t, self.unit) {
            Ok(m) => Some(m),
            Err(e) => {
                self.warn(
                    format!(
                        "{}：{}，未作为金额读取",
                        jixiao_domain::rules::field_label(path),
                        e
                    ),
                    p,
                );
                None
            }
        }
    }

    fn money(&mut self, path: &str, labels: &[&str]) -> Option<Money> {
        let (v, p) = self
            .grid
            .label_value(self.seg.start, self.seg.end, labels)?;
        self.note(path, p);
        self.money_text(path, &v, Some(p))
    }

    fn year(&mut self) -> Option<u16> {
        let mut candidates: Vec<String> = vec![self.seg.title.clone()];
        candidates.extend(self.seg.extra_titles.iter().cloned());
        if let Some(y) = candidates.iter().find_map(|t| find_year(t)) {
            if let Some(o) = self.grid.origin((self.seg.start, 0)) {
                self.sources.insert("year".into(), o);
            }
            return Some(y);
        }
        // A year line under the title, then any 年度/日期/实施期 cell in the form.
        let end = self.seg.end.min(self.seg.start + 4);
        for p in self.grid.positions((self.seg.start, 0), end) {
            let t = self.grid.text(p);
            if t.contains("年度") {
                if let Some(y) = find_year(t) {
                    self.note("year", p);
                    return Some(y);
                }
            }
        }
        for p in self.grid.positions((self.seg.start, 0), self.seg.end) {
            let n = self.grid.norm(p);
            if n.contains("填报日期") || n.contains("实施期") || n.contains("起止时间") {
                // The date may be split over cells (`填报日期:2021` `年` `1` `月`): read a few together.
                let row = &self.grid.rows[p.0];
                let joined: Vec<&str> = (p.1..row.cells.len().min(p.1 + 4))
                    .map(|c| row.cells[c].text.as_str())
                    .collect();
                let joined = joined.join(" ");
                let (text, at) = match find_year(&joined) {
                    Some(_) => (joined, Some(p)),
                    None => match self.grid.value_after(p, self.seg.end) {
                        Some(q) => (self.grid.text(q).to_string(), Some(q)),
                        None => (String::new(), None),
                    },
                };
                if let (Some(y), Some(q)) = (find_year(&text), at) {
                    self.note("year", q);
                    let shown: String = text.trim().chars().take(30).collect();
                    self.warn(format!("表名中没有年度，按“{shown}”取年度 {y}"), Some(q));
                    return Some(y);
                }
            }
        }
        None
    }

    /// The filing unit: one of `labels`, else 填报单位, else the prefix of the title.
    fn unit_name(&mut self, labels: &[&str]) -> String {
        for label in labels.iter().chain(["填报单位"].iter()) {
            if let Some((v, p)) = self
                .grid
                .label_value(self.seg.start, self.seg.end, &[label])
            {
                let v = clean_unit(&v);
                if !v.is_empty() {
                    self.note("unit", p);
                    return v;
                }
            }
        }
        let mut titles = self.seg.extra_titles.clone();
        titles.push(self.seg.title.clone());
        for t in titles {
            if let Some(u) = unit_from_title(&t) {
                self.warn(
                    format!("未找到填报单位，按表名取单位“{u}”"),
                    Some((self.seg.start, 0)),
                );
                if let Some(o) = self.grid.origin((self.seg.start, 0)) {
                    self.sources.insert("unit".into(), o);
                }
                return u;
            }
        }
        String::new()
    }

    fn signoff(&mut self) -> Signoff {
        let mut s = Signoff::default();
        for p in self.grid.positions((self.seg.start, 0), self.seg.end) {
            let t = self.grid.text(p);
            let n = self.grid.norm(p);
            if n.contains("单位负责人") || n.contains("填表人") || n.contains("联系电话")
            {
                for (key, path, slot) in [
                    ("单位负责人签字", "signoff.head", &mut s.head),
                    ("填表人", "signoff.preparer", &mut s.preparer),
                    ("联系电话", "signoff.phone", &mut s.phone),
                ] {
                    if let Some(v) = keyed_value(t, key) {
                        if slot.is_empty() && !v.is_empty() {
                            *slot = v;
                            if let Some(o) = self.grid.origin(p) {
                                self.sources.insert(path.into(), o);
                            }
                        }
                    }
                }
            }
        }
        s
    }

    /// 年度绩效指标: the indicator rows of the form.
    fn indicators(&mut self, prefix: &str) -> Vec<Indicator> {
        let Some(header) = find_header(
            self.grid,
            self.seg.start,
            self.seg.end,
            TableKind::Indicators,
        ) else {
            return Vec::new();
        };
        let rows = data_rows(
            self.grid,
            &header,
            self.seg.end,
            TableKind::Indicators,
            self.profile,
        );
        self.indicator_rows(&rows, prefix)
    }

    fn indicator_rows(&mut self, rows: &[DataRow], prefix: &str) -> Vec<Indicator> {
        let mut out = Vec::new();
        let mut l1 = String::new();
        let mut l2 = String::new();
        for row in rows {
            let cell = |role| {
                row.get(role)
                    .map(|p| (p, self.grid.text(p).trim().to_string()))
            };
            let c_l1 = cell(Role::L1).filter(|(_, t)| !t.is_empty());
            let c_l2 = cell(Role::L2).filter(|(_, t)| !t.is_empty());
            let c_name = cell(Role::Name);
            let c_value = cell(Role::Value);
            let c_nature = cell(Role::Nature);
            let c_unit = cell(Role::Unit);
            let c_std = cell(Role::Standard);
            let c_weight = cell(Role::Weight);
            let all_empty = [&c_l2, &c_name, &c_value]
                .iter()
                .all(|c| c.as_ref().is_none_or(|(_, t)| t.is_empty()));
            if all_empty {
                // A row with only a 一级 label (its sub-rows follow) sets the carried label.
                if let Some((_, t)) = &c_l1 {
                    l1 = self.profile.level1(t).unwrap_or_else(|| normalize_label(t));
                    l2.clear();
                }
                continue;
            }
            let i = out.len();
            let path = |f: &str| format!("{prefix}indicators[{i}].{f}");
            if let Some((p, t)) = &c_l1 {
                match self.profile.level1(t) {
                    Some(canon) => l1 = canon,
                    None => {
                        l1 = normalize_label(t);
                        self.warn(format!("一级指标“{t}”不在指标体系中，按原文保留"), Some(*p));
                    }
                }
                l2.clear();
                self.note(&path("level1"), *p);
            }
            if let Some((p, t)) = &c_l2 {
                l2 = self.profile.level2(t).unwrap_or_else(|| normalize_label(t));
                if normalize_label(t) != l2 {
                    // A synonym was mapped (e.g. 社会公众及服务对象满意度指标 → 服务对象满意度指标): not an error.
                }
                self.note(&path("level2"), *p);
            }
            if l1.is_empty() && !l2.is_empty() {
                if let Some(parent) = self.profile.parent_of(&l2) {
                    l1 = parent;
                    let at = c_l2.as_ref().map(|(p, _)| *p);
                    self.warn(
                        format!("指标行缺少一级指标，按二级指标“{l2}”推断为“{l1}”"),
                        at,
                    );
                }
            }
            let name = c_name.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
            if let Some((p, _)) = &c_name {
                self.note(&path("name"), *p);
            }
            let value = match (&c_nature, &c_unit) {
                (None, None) => {
                    IndicatorValue::parse(c_value.as_ref().map_or("", |(_, t)| t.as_str()))
                }
                _ => IndicatorValue::from_parts(
                    c_nature.as_ref().map_or("", |(_, t)| t.as_str()),
                    c_value.as_ref().map_or("", |(_, t)| t.as_str()),
                    c_unit.as_ref().map_or("", |(_, t)| t.as_str()),
                ),
            };
            if let Some((p, _)) = c_value.as_ref().or(c_nature.as_ref()) {
                self.note(&path("value"), *p);
            }
            let standard = c_std.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
            if let Some((p, _)) = &c_std {
                self.note(&path("standard"), *p);
            }
            out.push(Indicator {
                level1: l1.clone(),
                level2: l2.clone(),
                name,
                value,
                standard,
                weight: c_weight.map(|(_, t)| t).filter(|t| !t.is_empty()),
            });
        }
        out
    }
}

fn find_year(t: &str) -> Option<u16> {
    let t = to_simplified(t);
    let chars: Vec<char> = t.chars().collect();
    for i in 0..chars.len() {
        if i + 4 <= chars.len() && chars[i..i + 4].iter().all(|c| c.is_ascii_digit()) {
            let before_digit = i > 0 && chars[i - 1].is_ascii_digit();
            let mut j = i + 4;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if !before_digit && j < chars.len() && chars[j] == '年' {
                let y: String = chars[i..i + 4].iter().collect();
                let y: u16 = y.parse().ok()?;
                if (1990..=2100).contains(&y) {
                    return Some(y);
                }
            }
        }
    }
    None
}

fn money_unit(grid: &Grid, seg: &Segment) -> MoneyUnit {
    let end = seg.end.min(seg.start + 12);
    for p in grid.positions((seg.start, 0), end) {
        let n = grid.norm(p);
        for key in ["金额单位:", "单位:", "金额:", "(单位:", "单位："] {
            if let Some(i) = n.find(key) {
                let rest = &n[i + key.len()..];
                if rest.starts_with("万元") {
                    return MoneyUnit::Wan;
                }
                if rest.starts_with('元') {
                    return MoneyUnit::Yuan;
                }
            }
        }
    }
    MoneyUnit::Wan
}

fn clean_unit(v: &str) -> String {
    let v = v
        .replace("（盖章）", "")
        .replace("(盖章)", "")
        .replace("盖章", "");
    let v = v.trim().trim_start_matches([':', '：']).trim();
    // `[015001]武汉市青山区教育局` / `820001-井研县…`: drop the code.
    let v = match v.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((_, rest)) => rest.trim().to_string(),
        None => v.to_string(),
    };
    // A trailing `金额单位：万元` written in the same cell.
    let v = v
        .split(['\n', '\t'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    for key in ["金额单位", "单位:", "单位：", "金额："] {
        if let Some(i) = v.find(key) {
            return v[..i].trim().to_string();
        }
    }
    v
}

/// `51000021R000000019951-工资性支出` → `工资性支出`: drop a project or unit code.
fn strip_code(name: &str) -> String {
    match name.split_once('-') {
        Some((code, rest))
            if code.len() >= 3
                && code.chars().all(|c| c.is_ascii_alphanumeric())
                && !rest.trim().is_empty() =>
        {
            rest.trim().to_string()
        }
        _ => name.trim().to_string(),
    }
}

fn unit_from_title(t: &str) -> Option<String> {
    let t = t.trim();
    let cut = [
        "整体支出绩效目标",
        "整体绩效目标",
        "部门整体",
        "项目支出绩效目标",
        "绩效目标表",
    ]
    .iter()
    .filter_map(|k| t.find(k))
    .min()?;
    let head = t[..cut].trim();
    // Drop a year such as `2023年度` at the end of the prefix.
    let head = match head.char_indices().rev().find(|(_, c)| c.is_ascii_digit()) {
        Some((i, _))
            if head[i..].contains('年') || head.ends_with("年度") || head.ends_with('年') =>
        {
            head[..head
                .char_indices()
                .find(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .unwrap_or(i)]
                .trim()
        }
        _ => head,
    };
    let head = head.trim_end_matches("年度").trim();
    (head.chars().count() >= 4).then(|| head.to_string())
}

/// In a cell such as `填表人：张三   联系电话：123`, the value after `key`.
fn keyed_value(text: &str, key: &str) -> Option<String> {
    let i = text.find(key)?;
    let rest = &text[i + key.len()..];
    let rest = rest.trim_start_matches(['：', ':', ' ', '\u{3000}']);
    let mut end = rest.len();
    for k in [
        "单位负责人签字",
        "填表人",
        "联系电话",
        "填报日期",
        "\n",
        "   ",
    ] {
        if let Some(j) = rest.find(k) {
            end = end.min(j);
        }
    }
    let v = rest[..end].trim().trim_end_matches(['：', ':']).trim();
    // A name or a phone number is short; anything longer is not this field.
    if v.chars().count() > 30 {
        return Some(String::new());
    }
    Some(v.to_string())
}

/// Read the form(s) of one segment: one, except a flat table listing several projects.
pub fn extract(grid: &Grid, seg: &Segment, profile: &Profile) -> Vec<(Form, Warnings)> {
    let mut r = Reader::new(grid, seg, profile);
    if seg.guessed {
        r.warn(
            "未找到表名（如“……绩效目标表”），按内容推断表的类型".into(),
            None,
        );
    }
    let form = match seg.kind {
        SegKind::Department => Form::DepartmentOverall(department(&mut r)),
        SegKind::Summary => Form::SpecialFundSummary(summary(&mut r)),
        SegKind::Project(variant) => {
            if let Some(many) = flat_projects(&mut r, variant) {
                return many;
            }
            Form::Project(project(&mut r, variant))
        }
        SegKind::SelfEvaluation | SegKind::Monitoring => return Vec::new(),
    };
    let mut form = form;
    *form.sources_mut() = std::mem::take(&mut r.sources);
    vec![(form, r.warnings)]
}

/// True when nothing but the title was read: a page heading repeated above the real table.
pub fn is_empty_form(form: &Form) -> bool {
    match form {
        Form::DepartmentOverall(d) => {
            d.budget == Budget::default()
                && d.indicators.is_empty()
                && d.key_tasks.is_empty()
                && d.duties.is_empty()
        }
        Form::SpecialFundSummary(s) => s.items.is_empty() && s.total.is_none(),
        Form::Project(p) => p.amount.is_none() && p.indicators.is_empty() && p.details.is_empty(),
        Form::SelfEvaluation(e) => e.money.total.is_empty() && e.indicators.is_empty(),
        Form::Monitoring(m) => m.money == Default::default() && m.indicators.is_empty(),
    }
}

/// A flat table with project columns (单位名称 | 项目名称 | 预算数 | 年度目标 | 一级指标 | …),
/// one row per indicator and several projects one after another (Sichuan one-system export).
fn flat_projects(r: &mut Reader, variant: ProjectVariant) -> Option<Vec<(Form, Warnings)>> {
    let header = find_header(r.grid, r.seg.start, r.seg.end, TableKind::Indicators)?;
    if !header.roles.contains(&Role::ProjectName) {
        return None;
    }
    let rows = data_rows(r.grid, &header, r.seg.end, TableKind::Indicators, r.profile);
    let year = r.year();
    let common_sources = r.sources.clone();
    let mut groups: Vec<(Option<DataRow>, Vec<DataRow>)> = Vec::new();
    for row in rows {
        let has_name = row
            .get(Role::ProjectName)
            .is_some_and(|p| !r.grid.norm(p).is_empty());
        let has_indicator = [Role::L1, Role::L2, Role::Name, Role::Value]
            .iter()
            .any(|role| row.get(*role).is_some_and(|p| !r.grid.norm(p).is_empty()));
        if !has_indicator {
            let first = row.cells.first().map(|(_, p)| *p);
            r.warn(
                "多项目清单中不含指标的行（如部门合计行）已跳过".into(),
                first,
            );
            continue;
        }
        if has_name || groups.is_empty() {
            groups.push((Some(row.clone()), vec![row]));
        } else if let Some(g) = groups.last_mut() {
            g.1.push(row);
        }
    }
    let mut out = Vec::new();
    let mut unit = String::new();
    for (head, rows) in groups {
        let mut pr = Reader::new(r.grid, r.seg, r.profile);
        pr.sources = common_sources.clone();
        let mut p = Project {
            variant,
            title: r.seg.title.clone(),
            year,
            ..Default::default()
        };
        if let Some(h) = head {
            if let Some(q) = h
                .get(Role::ProjectUnit)
                .filter(|q| !r.grid.norm(*q).is_empty())
            {
                unit = clean_unit(&strip_code(r.grid.text(q)));
                pr.note("unit", q);
            }
            if let Some(q) = h.get(Role::ProjectName) {
                p.name = strip_code(r.grid.text(q));
                pr.note("name", q);
            }
            if let Some(q) = h.get(Role::ProjectAmount) {
                pr.note("amount", q);
                p.amount = pr.money_text("amount", r.grid.text(q), Some(q));
            }
            if let Some(q) = h.get(Role::ProjectGoal) {
                p.annual_goal = r.grid.text(q).trim().to_string();
                pr.note("annual_goal", q);
            }
        }
        p.unit = unit.clone();
        p.indicators = pr.indicator_rows(&rows, "");
        let mut form = Form::Project(p);
        *form.sources_mut() = std::mem::take(&mut pr.sources);
        out.push((form, pr.warnings));
    }
    if let Some((_, w)) = out.first_mut() {
        w.append(&mut r.warnings);
    }
    Some(out)
}

fn department(r: &mut Reader) -> DepartmentOverall {
    let mut d = DepartmentOverall {
        title: r.seg.title.clone(),
        ..Default::default()
    };
    d.unit = r.unit_name(&["部门名称", "部门(单位)名称", "单位名称", "部门(单位)"]);
    d.year = r.year();
    d.budget.total = r.money(
        "budget.total",
        &[
            "资金总额",
            "年度资金总额",
            "预算总额",
            "部门预算总额",
            "年度收入总额",
            "年度预算总额",
            "合计",
        ],
    );
    d.budget.by_source.general_public = r.money(
        "budget.by_source.general_public",
        &[
            "一般公共预算拨款",
            "一般公共预算",
            "一般公共预算资金",
            "财政拨款",
        ],
    );
    d.budget.by_source.government_fund = r.money(
        "budget.by_source.government_fund",
        &["政府性基金拨款", "政府性基金"],
    );
    d.budget.by_source.other = r.money("budget.by_source.other", &["其他资金"]);
    d.budget.by_nature.basic = r.money("budget.by_nature.basic", &["基本支出"]);
    d.budget.by_nature.project = r.money("budget.by_nature.project", &["项目支出"]);
    d.duties = r.text(
        "duties",
        &[
            "部门职责概述",
            "部门职能概述",
            "部门(单位)职责",
            "部门职责",
            "主要职能",
            "职能职责",
        ],
    );
    d.annual_goal = r.text(
        "annual_goal",
        &[
            "年度总体绩效目标",
            "年度总体目标",
            "年度绩效目标",
            "整体绩效目标",
        ],
    );
    d.key_tasks = key_tasks(r);
    d.indicators = r.indicators("");
    d.signoff = r.signoff();
    d
}

fn key_tasks(r: &mut Reader) -> Vec<KeyTask> {
    if r.grid.stream {
        return key_tasks_stream(r);
    }
    let g = r.grid;
    let header = (r.seg.start..r.seg.end.min(g.rows.len())).find(|&row| {
        let ns = &g.norms[row];
        ns.iter().any(|n| n == "事项" || n == "任务名称")
            && ns.iter().any(|n| n.contains("目标") || n == "主要内容")
    });
    let Some(h) = header else { return Vec::new() };
    let col_of = |pred: &dyn Fn(&str) -> bool| g.norms[h].iter().position(|n| pred(n));
    let item_c = col_of(&|n| n == "事项" || n == "任务名称");
    let owner_c = col_of(&|n| n.contains("责任"));
    let goal_c = col_of(&|n| n.contains("目标") || n == "主要内容");
    let width = g.rows[h].cells.len();
    let mut out = Vec::new();
    for row in h + 1..r.seg.end.min(g.rows.len()) {
        let ns = &g.norms[row];
        if ns.iter().any(|n| {
            n.starts_with("年度绩效指标") || n.starts_with("一级指标") || n.starts_with("年度总体")
        }) {
            break;
        }
        if ns.iter().all(|n| n.is_empty()) {
            continue;
        }
        let cells = &g.rows[row].cells;
        let pick = |c: Option<usize>| -> Option<usize> {
            let c = c?;
            // Rows as wide as the header are positional; shorter rows lost leading merged cells.
            let idx = if cells.len() >= width {
                c
            } else {
                c.checked_sub(width - cells.len())?
            };
            (idx < cells.len()).then_some(idx)
        };
        let i = out.len();
        let mut task = KeyTask::default();
        for (c, path, slot) in [
            (pick(item_c), "item", &mut task.item),
            (pick(owner_c), "owner", &mut task.owner),
            (pick(goal_c), "goal", &mut task.goal),
        ] {
            if let Some(c) = c {
                *slot = cells[c].text.trim().to_string();
                if let Some(o) = g.origin((row, c)) {
                    r.sources.insert(format!("key_tasks[{i}].{path}"), o);
                }
            }
        }
        if !(task.item.is_empty() && task.goal.is_empty()) {
            out.push(task);
        }
    }
    out
}

fn task_role(n: &str) -> Option<usize> {
    match n {
        "事项" | "任务名称" => Some(0),
        _ if n.contains("责任") => Some(1),
        "工作目标" | "主要内容" | "目标" => Some(2),
        _ => None,
    }
}

/// 年度重点工作 in one-cell-per-paragraph text: a run of header cells, then their values in
/// groups of the same width.
fn key_tasks_stream(r: &mut Reader) -> Vec<KeyTask> {
    let g = r.grid;
    let cells: Vec<Pos> = g.positions((r.seg.start, 0), r.seg.end).collect();
    let Some(start) = cells
        .iter()
        .position(|p| matches!(g.norm(*p), "事项" | "任务名称"))
    else {
        return Vec::new();
    };
    let roles: Vec<usize> = cells[start..]
        .iter()
        .map_while(|p| task_role(g.norm(*p)))
        .collect();
    if roles.len() < 2 {
        return Vec::new();
    }
    // Under a 年度重点工作计划 label the rows start with that merged column's (empty) cell.
    let lead = usize::from(super::table::section_label_before(g, cells[start]));
    let mut out = Vec::new();
    let body = &cells[start + roles.len()..];
    for chunk in body.chunks(roles.len() + lead) {
        let chunk = &chunk[lead.min(chunk.len())..];
        if chunk.len() < roles.len() || chunk.iter().any(|p| g.is_known_label(g.norm(*p))) {
            break;
        }
        let i = out.len();
        let mut task = KeyTask::default();
        for (role, p) in roles.iter().zip(chunk) {
            let (slot, path) = match role {
                0 => (&mut task.item, "item"),
                1 => (&mut task.owner, "owner"),
                _ => (&mut task.goal, "goal"),
            };
            *slot = g.text(*p).trim().to_string();
            if let Some(o) = g.origin(*p) {
                r.sources.insert(format!("key_tasks[{i}].{path}"), o);
            }
        }
        out.push(task);
    }
    out
}

fn is_total_label(n: &str) -> bool {
    matches!(n, "合计" | "总计" | "小计" | "合计金额")
}

fn summary(r: &mut Reader) -> SpecialFundSummary {
    let mut s = SpecialFundSummary {
        title: r.seg.title.clone(),
        ..Default::default()
    };
    s.unit = r.unit_name(&["单位名称", "部门名称"]);
    s.year = r.year();
    let Some(header) = find_header(r.grid, r.seg.start, r.seg.end, TableKind::Summary) else {
        r.warn("汇总表中没有找到“序号/名称/金额”表头".into(), None);
        s.signoff = r.signoff();
        return s;
    };
    let rows = data_rows(r.grid, &header, r.seg.end, TableKind::Summary, r.profile);
    for row in rows {
        let seq = row.text(r.grid, Role::Seq);
        let name = row.text(r.grid, Role::Name);
        let amount_pos = row.get(Role::Amount);
        if is_total_label(&normalize_label(&name)) || is_total_label(&normalize_label(&seq)) {
            // 合计 may span two columns: take the first amount after it.
            let p = amount_pos.or_else(|| first_money_after(r.grid, &row));
            if let Some(p) = p {
                r.note("total", p);
                s.total = r.money_text("total", r.grid.text(p), Some(p));
            }
            continue;
        }
        if name.is_empty() && seq.is_empty() {
            if row
                .cells
                .iter()
                .any(|(_, p)| normalize_label(r.grid.text(*p)).contains("单位负责人"))
            {
                break;
            }
            continue;
        }
        let is_category = seq.chars().any(|c| "一二三四五六七八九十".contains(c));
        let path = if is_category || s.items.is_empty() {
            format!("items[{}]", s.items.len())
        } else {
            let last = s.items.len() - 1;
            format!("items[{last}].children[{}]", s.items[last].children.len())
        };
        let mut item = SummaryItem {
            seq,
            name,
            ..Default::default()
        };
        r.note_row(
            &row,
            &path,
            &[
                (Role::Seq, "seq"),
                (Role::Name, "name"),
                (Role::Amount, "amount"),
                (Role::PeriodGoal, "period_goal"),
                (Role::AnnualGoal, "annual_goal"),
            ],
        );
        if let Some(p) = amount_pos {
            item.amount = r.money_text(&format!("{path}.amount"), r.grid.text(p), Some(p));
        }
        item.period_goal = row.text(r.grid, Role::PeriodGoal);
        item.annual_goal = row.text(r.grid, Role::AnnualGoal);
        if is_category || s.items.is_empty() {
            s.items.push(item);
        } else {
            let last = s.items.len() - 1;
            s.items[last].children.push(item);
        }
    }
    s.signoff = r.signoff();
    s
}

/// The amount of a 合计 row: the first amount after the 合计 cell (合计 may span two
/// columns, so it is not always in the amount column). The cells after it are read in the
/// grid row, or, in one-cell-per-paragraph text, in the following paragraphs.
fn first_money_after(g: &Grid, row: &DataRow) -> Option<Pos> {
    let total = row
        .cells
        .iter()
        .map(|(_, p)| *p)
        .find(|p| is_total_label(g.norm(*p)))?;
    g.positions((total.0, total.1 + 1), (total.0 + 6).min(g.rows.len()))
        .take(6)
        .find(|p| !g.norm(*p).is_empty() && Money::parse(g.text(*p), MoneyUnit::Wan).is_ok())
}

fn project(r: &mut Reader, variant: ProjectVariant) -> Project {
    let mut p = Project {
        variant,
        title: r.seg.title.clone(),
        ..Default::default()
    };
    let g = r.grid;
    // A flat table with project columns (单位名称|项目名称|预算数|…|一级指标…) holds many projects;
    // the caller splits it. Here: the header fields.
    p.name = r.text(
        "name",
        &[
            "支出方向(子项)",
            "支出方向",
            "项目名称",
            "项目支出名称",
            "子项名称",
            "项目(子项)名称",
            "转移支付(项目)名称",
            "转移支付名称",
        ],
    );
    p.name = strip_code(&p.name);
    p.department = r.text(
        "department",
        &[
            "主管部门",
            "主管部门及编码",
            "主管部门及代码",
            "地方主管部门",
            "中央主管部门",
        ],
    );
    p.department = clean_unit(&p.department);
    p.unit = r.unit_name(&[
        "填报单位",
        "实施单位",
        "预算部门",
        "单位名称",
        "预算单位",
        "地方主管部门",
    ]);
    if p.unit.is_empty() && !p.department.is_empty() {
        p.unit = p.department.clone();
        r.warn("未找到填报单位，按主管部门取单位".into(), None);
    }
    p.year = r.year();
    p.amount = r.money(
        "amount",
        &[
            "项目金额",
            "年度本级预算金额",
            "年度资金总额",
            "当年资金总额",
            "资金总额",
            "项目资金总额",
            "预算金额",
            "年度预算金额",
            "预算数",
            "当年年度预算",
            "项目总预算",
            "年度金额",
            "年度预算数",
            "本年度预算",
            "项目总金额",
            "申请金额",
            "年度申请金额",
        ],
    );
    if let Some((at, _)) = g.find_label(r.seg.start, r.seg.end, &["所属专项"]) {
        let mut parent = ParentFund::default();
        if let Some((v, q)) = g.label_value(at.0, (at.0 + 1).min(r.seg.end), &["名称"]) {
            parent.name = v;
            r.note("parent.name", q);
        }
        if let Some((v, q)) = g.label_value(at.0, (at.0 + 3).min(r.seg.end), &["金额"]) {
            r.note("parent.amount", q);
            parent.amount = r.money_text("parent.amount", &v, Some(q));
        }
        p.parent = Some(parent);
    }
    p.period = r.text(
        "period",
        &[
            "项目实施期",
            "项目支出实施期",
            "项目期",
            "项目起止时间",
            "实施期",
            "实施周期",
        ],
    );
    p.period_goal = r.text(
        "period_goal",
        &["实施期绩效目标", "实施期目标", "中期目标", "长期目标"],
    );
    p.annual_goal = r.text(
        "annual_goal",
        &["年度绩效目标", "本年度绩效目标", "年度目标", "年度总体目标"],
    );
    p.indicators = r.indicators("");
    details(r, &mut p);
    p.signoff = r.signoff();
    p
}

fn details(r: &mut Reader, p: &mut Project) {
    let Some(header) = find_header(r.grid, r.seg.start, r.seg.end, TableKind::Details) else {
        return;
    };
    let rows = data_rows(r.grid, &header, r.seg.end, TableKind::Details, r.profile);
    for row in rows {
        let is_total = row
            .cells
            .iter()
            .any(|(_, q)| is_total_label(r.grid.norm(*q)));
        if is_total {
            if let Some(q) = first_money_after(r.grid, &row) {
                r.note("details_total", q);
                p.details_total = r.money_text("details_total", r.grid.text(q), Some(q));
            }
            break;
        }
        let i = p.details.len();
        let mut d = ExpenditureDetail::default();
        r.note_row(
            &row,
            &format!("details[{i}]"),
            &[
                (Role::Content, "content"),
                (Role::Item, "item"),
                (Role::Amount, "amount"),
                (Role::Basis, "basis"),
            ],
        );
        d.content = row.text(r.grid, Role::Content);
        d.item = row.text(r.grid, Role::Item);
        d.basis = crate::read::text::drop_artefacts(&row.text(r.grid, Role::Basis)).0;
        if let Some(q) = row.get(Role::Amount) {
            d.amount = r.money_text(&format!("details[{i}].amount"), r.grid.text(q), Some(q));
        }
        if d.content.is_empty() && d.item.is_empty() && d.amount.is_none() && d.basis.is_empty() {
            continue;
        }
        p.details.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_units() {
        assert_eq!(find_year("2023年部门整体支出绩效目标表"), Some(2023));
        assert_eq!(find_year("填报日期:2021 年 1 月 28 日"), Some(2021));
        assert_eq!(find_year("项目支出绩效目标表(2020年度)"), Some(2020));
        assert_eq!(find_year("编号12023年"), None);
        assert_eq!(
            clean_unit("（盖章）中共株洲市石峰区委员会统一战线工作部"),
            "中共株洲市石峰区委员会统一战线工作部"
        );
        assert_eq!(
            clean_unit("[015001]武汉市青山区教育局"),
            "武汉市青山区教育局"
        );
        assert_eq!(strip_code("51000021R000000019951-工资性支出"), "工资性支出");
        assert_eq!(
            strip_code("2021年交通局寨山石坪、鲍家沟果园路"),
            "2021年交通局寨山石坪、鲍家沟果园路"
        );
        assert_eq!(
            unit_from_title("岳阳楼区价格认证鉴定中心2023年度整体绩效目标表").as_deref(),
            Some("岳阳楼区价格认证鉴定中心")
        );
        assert_eq!(
            unit_from_title("广水市人民政府办公室整体支出绩效目标.pdf").as_deref(),
            Some("广水市人民政府办公室")
        );
        assert_eq!(
            keyed_value("填表人：宋云花 联系电话:16607326331 填报日期:", "联系电话").as_deref(),
            Some("16607326331")
        );
        assert_eq!(
            keyed_value("填表人：                联系电话：", "填表人").as_deref(),
            Some("")
        );
    }
}
