//! Stage 4 of the reader: form fields from the structures of stage 3.
//!
//! Each form kind names the fields it wants in order of preference (`实施单位` before
//! `主管部门` for a project's unit …); every value read is recorded in the source map with
//! the token it came from, and every guess becomes a warning.

use jixiao_domain::model::*;
use jixiao_domain::report::*;
use jixiao_domain::text::{normalize_label, to_simplified};
use jixiao_domain::vocabulary::{Field, Role, Section, TableKind};
use jixiao_domain::{IndicatorValue, Money, MoneyUnit};
use rust_decimal::Decimal;

use super::prose;
use super::segment::Segment;
use super::structure::{Ctx, Structures, Table, TableRow, Use};
use super::tokens::Kind;
use crate::sheet::Sheet;

pub type Warnings = Vec<(String, Option<Origin>)>;
/// A form as read, with its warnings and the fields it mapped (token, field path).
pub type ReadForm = (Form, Warnings, Vec<(usize, String)>);

/// Reads the fields of one form and remembers where each came from.
pub struct Reader<'a> {
    pub cx: &'a Ctx<'a>,
    pub sheet: &'a Sheet,
    pub st: &'a Structures,
    pub seg: &'a Segment,
    pub unit: MoneyUnit,
    pub sources: SourceMap,
    pub warnings: Warnings,
    /// (token, field path) for the explain view.
    pub mapped: Vec<(usize, String)>,
    /// The form's tables stopped at the end of the text (an excerpt).
    pub cut: bool,
    /// Structures of the form's 分配表, when it has one.
    pub alloc: Option<&'a Structures>,
}

impl<'a> Reader<'a> {
    pub fn new(cx: &'a Ctx<'a>, sheet: &'a Sheet, st: &'a Structures, seg: &'a Segment) -> Self {
        let unit = money_unit(cx, seg);
        Reader {
            cx,
            sheet,
            st,
            seg,
            unit,
            sources: SourceMap::new(),
            warnings: Vec::new(),
            mapped: Vec::new(),
            cut: false,
            alloc: None,
        }
    }

    pub fn text_of(&self, i: usize) -> &str {
        self.cx.tokens.list[i].text.trim()
    }

    pub fn norm_of(&self, i: usize) -> &str {
        &self.cx.tokens.list[i].norm
    }

    pub fn note(&mut self, path: &str, i: usize) {
        if let Some(o) = self.cx.tokens.origin(self.sheet, i) {
            self.sources.insert(path.to_string(), o);
        }
        self.mapped.push((i, path.to_string()));
    }

    pub fn warn(&mut self, msg: String, at: Option<usize>) {
        let o = at.and_then(|i| self.cx.tokens.origin(self.sheet, i));
        self.warnings.push((msg, o));
    }

    /// The first value among `fields` (in order of preference), with its token.
    pub fn value(&self, fields: &[Field]) -> Option<(String, usize)> {
        for f in fields {
            for p in self.st.pairs_of(*f) {
                if let Some(v) = p.value {
                    let t = self.text_of(v);
                    if !t.is_empty() {
                        return Some((t.to_string(), v));
                    }
                }
            }
        }
        None
    }

    /// Text of the first of `fields`, recorded under `path`.
    pub fn text(&mut self, path: &str, fields: &[Field]) -> String {
        match self.value(fields) {
            Some((v, i)) => {
                self.note(path, i);
                v
            }
            None => String::new(),
        }
    }

    pub fn money_text(&mut self, path: &str, text: &str, at: Option<usize>) -> Option<Money> {
        let t = text.trim();
        if t.is_empty() || matches!(t, "/" | "-" | "—" | "——") {
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
                    at,
                );
                None
            }
        }
    }

    /// The first of `fields` whose value reads as money.
    pub fn money(&mut self, path: &str, fields: &[Field]) -> Option<Money> {
        let mut first_bad: Option<(String, usize)> = None;
        for f in fields {
            let candidates: Vec<usize> = self.st.pairs_of(*f).filter_map(|p| p.value).collect();
            for v in candidates {
                let t = self.text_of(v).to_string();
                if t.is_empty() {
                    continue;
                }
                if let Ok(m) = Money::parse(&t, self.unit) {
                    self.note(path, v);
                    return Some(m);
                }
                first_bad.get_or_insert((t, v));
            }
        }
        if let Some((t, v)) = first_bad {
            self.note(path, v);
            return self.money_text(path, &t, Some(v));
        }
        None
    }

    pub fn title(&self) -> String {
        self.seg
            .title
            .map(|i| self.text_of(i).to_string())
            .unwrap_or_default()
    }

    fn titles(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = self
            .seg
            .extra_titles
            .iter()
            .map(|&i| (self.text_of(i).to_string(), i))
            .collect();
        if let Some(t) = self.seg.title {
            out.push((self.text_of(t).to_string(), t));
        }
        out
    }

    pub fn year(&mut self) -> Option<u16> {
        let titles = self.titles();
        for (t, i) in &titles {
            if let Some(y) = find_year(t) {
                self.note("year", *i);
                return Some(y);
            }
        }
        // A title broken over lines (`2017` / `年部门整体支出绩效评价得分表`).
        let joined: String = titles.iter().map(|(t, _)| t.as_str()).collect();
        if let (Some(y), Some((_, i))) = (find_year(&joined), titles.first()) {
            self.note("year", *i);
            return Some(y);
        }
        // A year line under the title (`(2021年度)`, `2020年度)`).
        let first = self.seg.title.map_or(self.seg.start, |t| t + 1);
        for i in first..(first + 6).min(self.seg.end) {
            let t = self.text_of(i);
            if t.contains("年度") || t.contains('(') {
                if let Some(y) = find_year(t).or_else(|| {
                    find_year(&format!(
                        "{}年",
                        t.trim_matches(['(', ')', '（', '）', ' '])
                    ))
                }) {
                    self.note("year", i);
                    return Some(y);
                }
            }
        }
        // 填报日期 or 实施期, with a warning (and, further below, the notice's date or the
        // year the text names most).
        for f in [Field::Date, Field::Period] {
            let found: Vec<usize> = self
                .st
                .pairs_of(f)
                .flat_map(|p| [Some(p.label), p.value])
                .flatten()
                .collect();
            for i in found {
                // The date may be split over cells (`填报日期:2021` `年` `1` `月`): read a few together.
                let joined: String = (i..(i + 4).min(self.cx.tokens.list.len()))
                    .map(|k| self.text_of(k).to_string())
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some(y) = find_year(&joined).or_else(|| {
                    find_year(&format!(
                        "{}年",
                        self.text_of(i).chars().take(4).collect::<String>()
                    ))
                }) {
                    self.note("year", i);
                    // Quoted up to the year: the rest of a split date is other cells.
                    let upto = joined
                        .find('年')
                        .map_or(joined.len(), |p| p + '年'.len_utf8());
                    let shown: String = joined[..upto].chars().take(30).collect();
                    self.warn(format!("表名中没有年度，按“{shown}”取年度 {y}"), Some(i));
                    return Some(y);
                }
            }
        }
        // The date a notice was signed (a target published as a notice, or a title
        // without a year): the last resort.
        {
            if let Some((_, i)) = prose::notice_signature(self.cx, 0, self.seg.end) {
                let near: String = (i..(i + 2).min(self.cx.tokens.list.len()))
                    .map(|k| self.text_of(k).to_string())
                    .collect();
                if let Some(y) = find_year(&near) {
                    self.note("year", i);
                    self.warn(format!("表名中没有年度，按落款日期取年度 {y}"), Some(i));
                    return Some(y);
                }
            }
        }
        // A report without a title: the year its text names most often.
        let mut counts: std::collections::BTreeMap<u16, (usize, usize)> = Default::default();
        for i in self.seg.start..self.seg.end {
            let t = self.text_of(i);
            let mut rest = t;
            while let Some(y) = find_year(rest) {
                let e = counts.entry(y).or_insert((0, i));
                e.0 += 1;
                let Some(at) = rest.find(&format!("{y}")) else {
                    break;
                };
                rest = &rest[at + 4..];
            }
        }
        if let Some((&y, &(_, i))) = counts.iter().max_by_key(|(y, (n, _))| (*n, **y)) {
            self.note("year", i);
            self.warn(
                format!("没有表名和填报日期，按正文中最常出现的年度取 {y}"),
                Some(i),
            );
            return Some(y);
        }
        None
    }

    /// The unit: the first of `fields`, else the allocation table's only unit, else the
    /// notice's signature, else the organisation named in the title or beside it.
    pub fn unit_name(&mut self, fields: &[Field]) -> String {
        for f in fields {
            let candidates: Vec<usize> = self.st.pairs_of(*f).filter_map(|p| p.value).collect();
            for v in candidates {
                let u = clean_unit(self.text_of(v));
                if !u.is_empty() && !is_placeholder(&u) {
                    self.note("unit", v);
                    return u;
                }
            }
        }
        String::new()
    }

    /// Fallbacks for the unit, each with a warning.
    pub fn unit_fallback(&mut self) -> String {
        for (t, i) in self.titles() {
            if let Some(u) = unit_from_title(&t) {
                self.warn(format!("未找到填报单位，按表名取单位“{u}”"), Some(i));
                self.note("unit", i);
                return u;
            }
        }
        if let Some(i) = org_line_near_title(self) {
            let t = self.text_of(i).to_string();
            let u = org_before_year(&t).unwrap_or(t);
            self.warn(format!("未找到填报单位，按表名旁的“{u}”取单位"), Some(i));
            self.note("unit", i);
            return u;
        }
        if let Some((u, i)) = prose::notice_signature(self.cx, 0, self.seg.end) {
            self.warn(format!("未找到填报单位，按通知落款取单位“{u}”"), Some(i));
            self.note("unit", i);
            return u;
        }
        if let Some((u, i)) = prose::org_named_as(self.cx, self.seg.start, self.seg.end) {
            self.warn(
                format!("未找到填报单位，按正文“{u}作为……单位”取单位"),
                Some(i),
            );
            self.note("unit", i);
            return u;
        }
        // The page's 发布机构, also above the form.
        let publisher = self.value(&[Field::Publisher]).or_else(|| {
            let toks = &self.cx.tokens.list;
            (0..self.seg.start).find_map(|i| match toks[i].kind {
                Kind::Word(id) if self.cx.vocab.word(id).field == Some(Field::Publisher) => toks
                    .get(i + 1)
                    .filter(|t| t.kind == Kind::Text)
                    .map(|t| (t.text.trim().to_string(), i + 1)),
                _ => None,
            })
        });
        if let Some((u, i)) = publisher {
            let u = clean_unit(&u);
            if looks_like_org(&u) {
                self.warn(format!("未找到填报单位，按发布机构取单位“{u}”"), Some(i));
                self.note("unit", i);
                return u;
            }
        }
        String::new()
    }

    pub fn signoff(&mut self) -> Signoff {
        let mut s = Signoff::default();
        for (f, path) in [
            (Field::Head, "signoff.head"),
            (Field::Preparer, "signoff.preparer"),
            (Field::Phone, "signoff.phone"),
        ] {
            let pairs: Vec<(usize, Option<usize>)> =
                self.st.pairs_of(f).map(|p| (p.label, p.value)).collect();
            for (label, value) in pairs {
                // `填表人：张三   联系电话：123` in one cell was cut into label/value tokens;
                // a long value is not a name or a phone number.
                let v = value
                    .map(|v| self.text_of(v).to_string())
                    .unwrap_or_default();
                let v = keyed_tail(&v);
                let slot = match f {
                    Field::Head => &mut s.head,
                    Field::Preparer => &mut s.preparer,
                    _ => &mut s.phone,
                };
                let _ = label;
                // A person's name is short and no organisation; a phone number has digits.
                let fits = match f {
                    Field::Phone => v.chars().filter(char::is_ascii_digit).count() >= 7,
                    _ => {
                        v.chars().count() <= 8
                            && !looks_like_org(&v)
                            && !v.chars().any(|c| c.is_ascii_digit())
                    }
                };
                if slot.is_empty() && !v.is_empty() && fits {
                    *slot = v;
                    if let Some(v) = value {
                        self.note(path, v);
                    }
                }
            }
        }
        s
    }

    /// The token text of a role in a row, trimmed (a cell wrapped over several pieces is
    /// joined).
    pub fn cell(&self, row: &TableRow, role: Role) -> Option<(usize, String)> {
        let first = row.get(role)?;
        let text: String = row.all(role).map(|i| self.text_of(i)).collect();
        Some((first, text))
    }

    /// Indicator rows of a table: 一级/二级 carried down (merged cells), the value read
    /// from 指标性质/指标值/度量单位 where split. Returns (indicator, row) pairs.
    pub fn indicator_rows<'t>(
        &mut self,
        table: &'t Table,
        prefix: &str,
    ) -> Vec<(Indicator, &'t TableRow)> {
        let mut out: Vec<(Indicator, &TableRow)> = Vec::new();
        let mut l1 = String::new();
        let mut l2 = String::new();
        // A 一级 cell in a row of its own (merged down over its rows): noted on the next row.
        let mut l1_token: Option<usize> = None;
        let has_l2 = table.has(Role::Level2);
        let profile = self.cx.profile;
        for row in &table.rows {
            let any = |role| self.cell(row, role);
            let get = |role| any(role).filter(|(_, t)| !t.is_empty());
            let c_l1 = get(Role::Level1);
            let c_l2 = get(Role::Level2);
            // Empty name and value cells are kept: a finding about an empty row points at them.
            let c_name = any(Role::Name);
            let c_value = any(Role::Target);
            let c_nature = get(Role::Nature);
            let c_unit = get(Role::Unit);
            let c_std = any(Role::Standard);
            let c_weight = get(Role::Weight);
            let i = out.len();
            let path = |f: &str| format!("{prefix}indicators[{i}].{f}");
            let filled =
                |c: &Option<(usize, String)>| c.as_ref().is_some_and(|(_, t)| !t.is_empty());
            // A 合计 row sums the weights or scores; it is no indicator.
            if row
                .get(Role::Seq)
                .is_some_and(|i| self.cx_section(i) == Some(Section::Totals))
            {
                continue;
            }
            let content = c_l2.is_some() || filled(&c_name) || filled(&c_value);
            if let Some((p, t)) = &c_l1 {
                match profile.level1(t) {
                    Some(canon) => l1 = canon,
                    None => {
                        l1 = normalize_label(t);
                        self.warn(format!("一级指标“{t}”不在指标体系中，按原文保留"), Some(*p));
                    }
                }
                l2.clear();
                l1_token = Some(*p);
            }
            if !content {
                continue;
            }
            if let Some(p) = l1_token.take() {
                self.note(&path("level1"), p);
            }
            if let Some((p, t)) = &c_l2 {
                l2 = profile
                    .level2(t)
                    .or_else(|| profile.level1(t).filter(|_| !has_l2))
                    .unwrap_or_else(|| normalize_label(t));
                self.note(&path("level2"), *p);
            }
            if l1.is_empty() && !l2.is_empty() {
                if let Some(parent) = profile.parent_of(&l2) {
                    l1 = parent;
                    self.warn(
                        format!("指标行缺少一级指标，按二级指标“{l2}”推断为“{l1}”"),
                        c_l2.as_ref().map(|(p, _)| *p),
                    );
                }
            }
            let mut name = c_name.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
            if let Some((p, _)) = &c_name {
                self.note(&path("name"), *p);
                // A name and its explanation run together (`数量X数量X`): the explanation
                // column restates the name.
                if table.has(Role::Explanation) && row.get(Role::Explanation).is_none() {
                    name = split_restated(&name);
                }
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
            if let Some((p, _)) = c_std.as_ref().filter(|(_, t)| !t.is_empty()) {
                self.note(&path("standard"), *p);
            }
            if let Some((p, _)) = &c_weight {
                self.note(&path("weight"), *p);
            }
            out.push((
                Indicator {
                    level1: l1.clone(),
                    level2: l2.clone(),
                    name,
                    value,
                    standard,
                    weight: c_weight.map(|(_, t)| t),
                },
                row,
            ));
        }
        out
    }
}

/// A template placeholder left in a unit cell (`(盖章)`, `本单位`).
fn is_placeholder(u: &str) -> bool {
    let n = normalize_label(u);
    if n.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return true;
    }
    matches!(n.as_str(), "同上" | "/" | "-" | "无") || n.starts_with("本单位")
}

/// `X…X` or `X…` + `…X`: a name followed by an explanation that restates it; the name.
fn split_restated(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n >= 8 && n.is_multiple_of(2) && chars[..n / 2] == chars[n / 2..] {
        return chars[..n / 2].iter().collect();
    }
    // The longest prefix (4+ characters) that the rest ends with.
    for len in (4..=n / 2).rev() {
        if chars[n - len..] == chars[..len] {
            return chars[..len].iter().collect();
        }
    }
    s.to_string()
}

/// `张三 联系电话：123` → `张三`: the value stops at the next label written in the cell.
fn keyed_tail(v: &str) -> String {
    let mut end = v.len();
    for k in ["单位负责人", "填表人", "联系电话", "填报日期", "\n", "   "] {
        if let Some(j) = v.find(k) {
            end = end.min(j);
        }
    }
    v[..end]
        .trim()
        .trim_end_matches(['：', ':'])
        .trim()
        .to_string()
}

/// The money unit of a form: `金额单位：元` / `单位：万元` near its top, 万元 by default.
fn money_unit(cx: &Ctx, seg: &Segment) -> MoneyUnit {
    for i in seg.start..seg.end.min(seg.start + 40) {
        let n = &cx.tokens.list[i].norm;
        for key in ["金额单位:", "单位:", "金额:", "(单位:"] {
            if let Some(k) = n.find(key) {
                let rest = &n[k + key.len()..];
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

pub fn find_year(t: &str) -> Option<u16> {
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

pub fn clean_unit(v: &str) -> String {
    let v = v
        .replace("（盖章）", "")
        .replace("(盖章)", "")
        .replace("（公章）", "")
        .replace("(公章)", "")
        .replace("盖章", "");
    let v = v.trim().trim_start_matches([':', '：']).trim();
    // `[015001]武汉市青山区教育局` / `820001-井研县…` / `福建省文化和旅游厅335301302`: drop the code.
    let v = match v.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((_, rest)) => rest.trim().to_string(),
        None => v.to_string(),
    };
    let v = strip_code(&v);
    let v = v
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim()
        .to_string();
    // Only the money unit written where the unit's name should be (`(盖章) 单位：万元`).
    if v.starts_with("单位:") || v.starts_with("单位：") || v.starts_with("金额单位") {
        return String::new();
    }
    // A trailing `金额单位：万元` written in the same cell.
    let v = v
        .split(['\n', '\t'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    for key in ["金额单位", "单位:", "单位：", "金额：", "/"] {
        if let Some(i) = v.find(key) {
            if i > 0 {
                return v[..i].trim().to_string();
            }
        }
    }
    // `清涧县交通运输局 刘志龙`: a person's name after the unit.
    if let Some((org, person)) = v.split_once(char::is_whitespace) {
        if looks_like_org(org) && person.chars().count() <= 4 {
            return org.to_string();
        }
    }
    v
}

/// A project name as read: without its code, and in a sentence (`项目名称为X,…`) only X.
fn clean_name(v: &str) -> String {
    let v = strip_code(v);
    let v = v.trim_start_matches(['为', '是', ':', '：']).trim();
    let v = v
        .split(['，', ',', '。', '；', ';'])
        .next()
        .unwrap_or("")
        .trim();
    v.to_string()
}

/// `51000021R000000019951-工资性支出` → `工资性支出`: drop a project or unit code.
pub fn strip_code(name: &str) -> String {
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

/// The name of an organisation: ends like one (局, 委员会, 中心, 政府 …).
pub fn looks_like_org(s: &str) -> bool {
    let n = s.chars().count();
    (4..=40).contains(&n)
        && [
            "局",
            "委员会",
            "委",
            "中心",
            "政府",
            "院",
            "所",
            "办公室",
            "办",
            "厅",
            "部",
            "处",
            "站",
            "学校",
            "学院",
            "大学",
            "中学",
            "小学",
            "幼儿园",
            "公司",
            "联合会",
            "协会",
            "馆",
            "队",
            "社",
            "会",
        ]
        .iter()
        .any(|e| s.ends_with(e))
        && !s.contains(['：', ':', '，', ',', '。'])
}

pub fn unit_from_title(t: &str) -> Option<String> {
    let t = t.trim();
    // `西平县民族宗教局 2022年…报告`: an organisation named before the year.
    if let Some(u) = org_before_year(t) {
        return Some(u);
    }
    let cut = [
        "整体支出绩效目标",
        "整体绩效目标",
        "部门整体",
        "项目支出绩效目标",
        "绩效目标表",
        "整体支出绩效",
    ]
    .iter()
    .filter_map(|k| t.find(k))
    .min()?;
    let head = t[..cut].trim();
    // Drop a year such as `2023年度` at the end of the prefix.
    let head = match head.char_indices().find(|(_, c)| c.is_ascii_digit()) {
        Some((i, _)) if head[i..].contains('年') => head[..i].trim(),
        _ => head,
    };
    let head = head.trim_end_matches("年度").trim();
    (head.chars().count() >= 4 && !head.contains("附件") && !head.contains("附表"))
        .then(|| head.to_string())
}

/// The organisation a line names before its year (`411001-衡山县贯塘乡人民政府2023年…`).
fn org_before_year(t: &str) -> Option<String> {
    let chars: Vec<char> = t.chars().collect();
    let at = (0..chars.len().saturating_sub(4)).find(|&i| {
        chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
            && chars.get(i + 4) == Some(&'年')
            && (i == 0 || !chars[i - 1].is_ascii_digit())
    })?;
    let head: String = chars[..at].iter().collect();
    let u = clean_unit(head.trim());
    looks_like_org(&u).then_some(u)
}

/// A line holding only an organisation's name right before or after the title (a report's
/// cover: `益阳市赫山区城市管理和综合执法局` / `2019年部门整体支出绩效评价报告`).
fn org_line_near_title(r: &Reader) -> Option<usize> {
    let t = r.seg.title?;
    let toks = &r.cx.tokens.list;
    let near = (t.saturating_sub(3)..t)
        .rev()
        .chain(t + 1..(t + 4).min(r.seg.end));
    for i in near {
        let tok = &toks[i];
        if tok.kind == Kind::Text
            && (looks_like_org(tok.text.trim()) || org_before_year(&tok.text).is_some())
        {
            return Some(i);
        }
    }
    None
}

// ------------------------------------------------------------------ target forms

pub fn department(r: &mut Reader) -> DepartmentOverall {
    let mut d = DepartmentOverall {
        title: r.title(),
        ..Default::default()
    };
    d.unit = r.unit_name(&[Field::DepartmentName, Field::Unit, Field::Implementer]);
    if d.unit.is_empty() {
        d.unit = r.unit_fallback();
    }
    d.year = r.year();
    d.budget.total = r.money("budget.total", &[Field::Amount]);
    if d.budget.total.is_none() {
        d.budget.total = total_after_label(r, "budget.total");
    }
    d.budget.by_source.general_public = r.money(
        "budget.by_source.general_public",
        &[Field::GeneralPublic, Field::Fiscal],
    );
    d.budget.by_source.government_fund =
        r.money("budget.by_source.government_fund", &[Field::GovernmentFund]);
    d.budget.by_source.other = r.money("budget.by_source.other", &[Field::OtherFunds]);
    d.budget.by_nature.basic = r.money("budget.by_nature.basic", &[Field::Basic]);
    d.budget.by_nature.project = r.money("budget.by_nature.project", &[Field::ProjectSpend]);
    d.duties = r.text("duties", &[Field::Duties]);
    d.annual_goal = r.text("annual_goal", &[Field::AnnualGoal, Field::GoalGroup]);
    d.key_tasks = key_tasks(r);
    if let Some(t) = r.st.table(TableKind::Indicators) {
        r.cut |= t.cut;
        d.indicators = r
            .indicator_rows(t, "")
            .into_iter()
            .map(|(i, _)| i)
            .collect();
    }
    d.signoff = r.signoff();
    d
}

/// The amount after the first 合计 that is not part of a table (a budget block's total).
fn total_after_label(r: &mut Reader, path: &str) -> Option<Money> {
    let toks = &r.cx.tokens.list;
    for i in r.seg.start..r.seg.end {
        if r.cx_section(i) == Some(Section::Totals)
            && matches!(r.st.use_of(i), Use::Unused | Use::Section)
        {
            if let Some(v) = (i + 1..(i + 4).min(r.seg.end)).find(|&k| toks[k].kind == Kind::Value)
            {
                let t = r.text_of(v).to_string();
                if let Ok(m) = Money::parse(&t, r.unit) {
                    r.note(path, v);
                    return Some(m);
                }
            }
        }
    }
    None
}

impl Reader<'_> {
    fn cx_section(&self, i: usize) -> Option<Section> {
        match self.cx.tokens.list[i].kind {
            Kind::Word(id) => self.cx.vocab.word(id).section,
            _ => None,
        }
    }

    fn is_total_row(&self, row: &TableRow) -> bool {
        row.cells
            .iter()
            .any(|&(_, i)| self.cx_section(i) == Some(Section::Totals))
    }

    /// The first amount of a 合计 row (合计 may span two columns).
    fn total_amount(&self, row: &TableRow) -> Option<usize> {
        let total = row
            .cells
            .iter()
            .position(|&(_, i)| self.cx_section(i) == Some(Section::Totals))?;
        row.cells[total + 1..]
            .iter()
            .map(|&(_, i)| i)
            .chain(row.get(Role::Amount))
            .find(|&i| Money::parse(self.text_of(i), MoneyUnit::Wan).is_ok())
    }
}

fn key_tasks(r: &mut Reader) -> Vec<KeyTask> {
    let Some(t) = r.st.table(TableKind::KeyTasks) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for row in &t.rows {
        let i = out.len();
        let mut task = KeyTask::default();
        for (role, path) in [
            (Role::Item, "item"),
            (Role::Owner, "owner"),
            (Role::Goal, "goal"),
        ] {
            if let Some((p, text)) = r.cell(row, role) {
                let slot = match role {
                    Role::Item => &mut task.item,
                    Role::Owner => &mut task.owner,
                    _ => &mut task.goal,
                };
                *slot = text;
                r.note(&format!("key_tasks[{i}].{path}"), p);
            }
        }
        if !(task.item.is_empty() && task.goal.is_empty()) {
            out.push(task);
        }
    }
    out
}

pub fn summary(r: &mut Reader) -> SpecialFundSummary {
    let mut s = SpecialFundSummary {
        title: r.title(),
        ..Default::default()
    };
    s.unit = r.unit_name(&[Field::Unit, Field::DepartmentName]);
    if s.unit.is_empty() {
        s.unit = r.unit_fallback();
    }
    s.year = r.year();
    let Some(table) = r.st.table(TableKind::Summary) else {
        r.warn("汇总表中没有找到“序号/名称/金额”表头".into(), None);
        s.signoff = r.signoff();
        return s;
    };
    for row in &table.rows {
        if r.is_total_row(row) {
            if let Some(p) = r.total_amount(row) {
                r.note("total", p);
                let text = r.text_of(p).to_owned();
                s.total = r.money_text("total", &text, Some(p));
            }
            continue;
        }
        let seq = r.cell(row, Role::Seq).map(|c| c.1).unwrap_or_default();
        let name = r.cell(row, Role::Name).map(|c| c.1).unwrap_or_default();
        if name.is_empty() && seq.is_empty() {
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
        for (role, f) in [
            (Role::Seq, "seq"),
            (Role::Name, "name"),
            (Role::Amount, "amount"),
            (Role::PeriodGoal, "period_goal"),
            (Role::AnnualGoal, "annual_goal"),
        ] {
            if let Some(p) = row.get(role) {
                r.note(&format!("{path}.{f}"), p);
            }
        }
        if let Some(p) = row.get(Role::Amount) {
            let t = r.text_of(p).to_string();
            item.amount = r.money_text(&format!("{path}.amount"), &t, Some(p));
        }
        item.period_goal = r
            .cell(row, Role::PeriodGoal)
            .map(|c| c.1)
            .unwrap_or_default();
        item.annual_goal = r
            .cell(row, Role::AnnualGoal)
            .map(|c| c.1)
            .unwrap_or_default();
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

pub fn project(r: &mut Reader, variant: ProjectVariant) -> Project {
    let mut p = Project {
        variant,
        title: r.title(),
        ..Default::default()
    };
    p.name = strip_code(&r.text("name", &[Field::Name]));
    p.department = clean_unit(&r.text(
        "department",
        &[
            Field::Department,
            Field::DepartmentLocal,
            Field::DepartmentUpper,
        ],
    ));
    p.unit = r.unit_name(&[
        Field::Unit,
        Field::Implementer,
        Field::DepartmentName,
        Field::DepartmentLocal,
    ]);
    // A transfer paid to one unit: the 分配表 names it; the table's 主管部门 is the
    // department above it.
    if p.unit.is_empty() {
        if let Some((u, i)) = allocation_unit(r) {
            r.warn(
                format!("未找到填报单位，按分配表的项目单位取单位“{u}”"),
                Some(i),
            );
            r.note("unit", i);
            p.unit = u;
        }
    }
    // A transfer's 主管部门 is a provincial department; the county office that signed the
    // notice handing the money down is the unit.
    if p.unit.is_empty() && variant == ProjectVariant::Transfer {
        if let Some((u, i)) = prose::notice_signature(r.cx, 0, r.seg.end) {
            r.warn(format!("未找到填报单位，按通知落款取单位“{u}”"), Some(i));
            r.note("unit", i);
            p.unit = u;
        }
    }
    if p.unit.is_empty() {
        p.unit = r.unit_name(&[Field::Department]);
    }
    if p.unit.is_empty() {
        p.unit = r.unit_fallback();
    }
    p.year = r.year();
    p.amount = r.money("amount", &[Field::Amount]);
    if p.amount.is_none() {
        p.amount =
            allocation_total(r).or_else(|| r.money("amount", &[Field::AmountTotal, Field::Fiscal]));
    }
    if p.amount.is_none() {
        if let Some((m, i)) = prose::notice_amount(r.cx, 0, r.seg.end) {
            r.warn(
                format!("表中没有金额，按通知中的金额“{}”取项目金额", m),
                Some(i),
            );
            r.note("amount", i);
            p.amount = Some(m);
        }
    }
    if r.st.pairs_of(Field::ParentFund).next().is_some() {
        let parent = ParentFund {
            name: r.text("parent.name", &[Field::ParentName]),
            amount: r.money("parent.amount", &[Field::ParentAmount]),
        };
        p.parent = Some(parent);
    }
    p.period = r.text("period", &[Field::Period]);
    p.period_goal = r.text("period_goal", &[Field::PeriodGoal]);
    p.annual_goal = r.text("annual_goal", &[Field::AnnualGoal, Field::GoalGroup]);
    if let Some(t) = r.st.table(TableKind::Indicators) {
        r.cut |= t.cut;
        p.indicators = r
            .indicator_rows(t, "")
            .into_iter()
            .map(|(i, _)| i)
            .collect();
    } else if let Some(found) = prose::indicators(r) {
        p.indicators = found;
    }
    details(r, &mut p);
    p.signoff = r.signoff();
    p
}

fn details(r: &mut Reader, p: &mut Project) {
    let Some(table) = r.st.table(TableKind::Details) else {
        return;
    };
    for row in &table.rows {
        if r.is_total_row(row) {
            if let Some(q) = r.total_amount(row) {
                r.note("details_total", q);
                let t = r.text_of(q).to_string();
                p.details_total = r.money_text("details_total", &t, Some(q));
            }
            break;
        }
        let i = p.details.len();
        let mut d = ExpenditureDetail::default();
        for (role, f) in [
            (Role::Content, "content"),
            (Role::Item, "item"),
            (Role::Amount, "amount"),
            (Role::Basis, "basis"),
        ] {
            if let Some(q) = row.get(role) {
                r.note(&format!("details[{i}].{f}"), q);
            }
        }
        d.content = r.cell(row, Role::Content).map(|c| c.1).unwrap_or_default();
        d.item = r.cell(row, Role::Item).map(|c| c.1).unwrap_or_default();
        d.basis = crate::read::text::drop_artefacts(
            &r.cell(row, Role::Basis).map(|c| c.1).unwrap_or_default(),
        )
        .0;
        if let Some(q) = row.get(Role::Amount) {
            let t = r.text_of(q).to_string();
            d.amount = r.money_text(&format!("details[{i}].amount"), &t, Some(q));
        }
        if d.content.is_empty() && d.item.is_empty() && d.amount.is_none() && d.basis.is_empty() {
            continue;
        }
        p.details.push(d);
    }
}

/// The only unit named in the form's 分配表 (a transfer to one unit).
fn allocation_unit(r: &Reader) -> Option<(String, usize)> {
    let t = allocation_table(r)?;
    let units: Vec<usize> = t
        .rows
        .iter()
        .filter(|row| !r.is_total_row(row) && row.get(Role::Amount).is_some())
        .filter_map(|row| row.get(Role::Owner))
        .filter(|&i| !r.text_of(i).is_empty())
        .collect();
    match units.as_slice() {
        [one] => Some((clean_unit(r.text_of(*one)), *one)),
        _ => None,
    }
}

fn allocation_table<'a>(r: &'a Reader) -> Option<&'a Table> {
    let (a, b) = r.seg.allocation?;
    r.alloc.and_then(|st| {
        st.tables
            .iter()
            .find(|t| t.kind == TableKind::Allocation && t.start >= a && t.end <= b)
    })
}

/// The 合计 of the form's 分配表, or the sum of its lines.
fn allocation_total(r: &mut Reader) -> Option<Money> {
    let t = allocation_table(r)?;
    let mut sum = Decimal::ZERO;
    let mut any = false;
    let mut total: Option<(Money, usize)> = None;
    for row in &t.rows {
        if r.is_total_row(row) {
            if let Some(q) = r.total_amount(row) {
                if let Ok(m) = Money::parse(r.text_of(q), r.unit) {
                    total = Some((m, q));
                }
            }
            continue;
        }
        if let Some(q) = row.get(Role::Amount) {
            if let Ok(m) = Money::parse(r.text_of(q), r.unit) {
                sum += m.in_wan();
                any = true;
            }
        }
    }
    match total {
        Some((m, q)) => {
            r.warn(format!("按分配表合计“{}”取项目金额", r.text_of(q)), Some(q));
            r.note("amount", q);
            Some(m)
        }
        None if any => {
            r.warn("按分配表各行金额之和取项目金额".into(), None);
            Some(Money::wan(sum))
        }
        None => None,
    }
}

/// A flat table with project columns (单位名称 | 项目名称 | 预算数 | 年度目标 | 一级指标 | …),
/// one row per indicator and several projects one after another (Sichuan one-system
/// export): one project per 项目名称.
pub fn flat_projects(r: &mut Reader, variant: ProjectVariant) -> Option<Vec<ReadForm>> {
    let table = r.st.table(TableKind::Projects)?;
    let year = r.year();
    let common = r.sources.clone();
    let title = r.title();
    // Rows grouped by project: a row with a 项目名称 starts one.
    let mut groups: Vec<Vec<&TableRow>> = Vec::new();
    for row in &table.rows {
        let filled = |role| row.get(role).is_some_and(|i| !r.text_of(i).is_empty());
        let has_indicator = [Role::Level1, Role::Level2, Role::Name, Role::Target]
            .iter()
            .any(|role| filled(*role));
        if !has_indicator {
            let first = row.cells.first().map(|c| c.1);
            r.warn(
                "多项目清单中不含指标的行（如部门合计行）已跳过".into(),
                first,
            );
            continue;
        }
        if filled(Role::Project) || groups.is_empty() {
            groups.push(vec![row]);
        } else if let Some(g) = groups.last_mut() {
            g.push(row);
        }
    }
    let mut out = Vec::new();
    let mut unit = String::new();
    let mut unit_origin: Option<usize> = None;
    for rows in groups {
        let head = rows[0];
        let mut pr = Reader::new(r.cx, r.sheet, r.st, r.seg);
        pr.sources = common.clone();
        let mut p = Project {
            variant,
            title: title.clone(),
            year,
            ..Default::default()
        };
        if let Some(q) = head.get(Role::Owner).filter(|&q| !r.text_of(q).is_empty()) {
            unit = clean_unit(&strip_code(r.text_of(q)));
            unit_origin = Some(q);
        }
        if let Some(q) = unit_origin {
            pr.note("unit", q);
        }
        if let Some(q) = head.get(Role::Project) {
            p.name = strip_code(r.text_of(q));
            pr.note("name", q);
        }
        if let Some(q) = head.get(Role::Amount) {
            pr.note("amount", q);
            let t = r.text_of(q).to_string();
            p.amount = pr.money_text("amount", &t, Some(q));
        }
        if let Some(q) = head.get(Role::Goal) {
            p.annual_goal = r.text_of(q).to_string();
            pr.note("annual_goal", q);
        }
        p.unit = unit.clone();
        let sub = Table {
            kind: TableKind::Indicators,
            columns: table.columns.clone(),
            slots: table.slots.clone(),
            rows: rows.into_iter().cloned().collect(),
            start: table.start,
            end: table.end,
            cut: table.cut,
        };
        p.indicators = pr
            .indicator_rows(&sub, "")
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        out.push((
            Form::Project(p),
            std::mem::take(&mut pr.warnings),
            std::mem::take(&mut pr.mapped),
        ));
        let _ = &pr.sources;
        if let Some((Form::Project(last), _, _)) = out.last_mut() {
            last.sources = pr.sources;
        }
    }
    if let Some((_, w, _)) = out.first_mut() {
        w.append(&mut r.warnings);
    }
    (!out.is_empty()).then_some(out)
}

// ------------------------------------------------------------------ reports

/// The decimal in a cell (`10.00`, `100%`, `99分`), if it is one.
fn decimal_of(text: &str) -> Option<Decimal> {
    let t = jixiao_domain::text::fold_width(text);
    let t = t.trim().trim_end_matches('%').trim_end_matches('分').trim();
    jixiao_domain::text::parse_decimal(t)
}

fn report_unit(r: &mut Reader) -> String {
    let u = r.unit_name(&[Field::Implementer, Field::Unit, Field::DepartmentName]);
    if !u.is_empty() {
        return u;
    }
    r.unit_fallback()
}

pub fn self_evaluation(r: &mut Reader) -> SelfEvaluation {
    let title = r.title();
    let nt = normalize_label(&title);
    let variant = if nt.contains("整体") || nt.contains("部门") && !nt.contains("项目") {
        SelfEvaluationVariant::Department
    } else {
        SelfEvaluationVariant::Project
    };
    let mut e = SelfEvaluation {
        variant,
        title,
        ..Default::default()
    };
    e.name = clean_name(&r.text("name", &[Field::Name]));
    e.department = clean_unit(&r.text(
        "department",
        &[
            Field::Department,
            Field::DepartmentLocal,
            Field::DepartmentUpper,
        ],
    ));
    e.implementer = clean_unit(&r.text("implementer", &[Field::Implementer]));
    e.unit = report_unit(r);
    e.year = r.year();
    if let Some((items, i)) = prose::budget_breakdown(r.cx, r.seg.start, r.seg.end) {
        r.note("budget_items", i);
        e.budget_items = items;
    }
    money_block(r, &mut e.money);
    // Only one 其中 row filled (the total row lost in extraction): it is the total.
    let parts = [&e.money.fiscal, &e.money.carryover, &e.money.other];
    if e.money.total.is_empty() && parts.iter().filter(|p| !p.is_empty()).count() == 1 {
        if let Some(only) = parts.into_iter().find(|p| !p.is_empty()) {
            e.money.total = only.clone();
            r.warn(
                "资金表没有年度资金总额一行，按其中唯一的一行取总额".into(),
                None,
            );
        }
    } else if e.money.total.executed.is_none() && e.money.total.rate.is_none() {
        // The total row states only its budget and one 其中 row carries all of it: that
        // row's execution is the total's (宁夏: the figures sit on 自治区补助).
        let filled: Vec<&MoneyRow> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        if let [only] = filled[..] {
            if only.annual.is_some()
                && only.annual == e.money.total.annual
                && only.executed.is_some()
            {
                e.money.total.executed = only.executed;
                e.money.total.rate = only.rate;
                r.warn(
                    "年度资金总额一行没有执行数，按其中唯一填写的一行取执行数和执行率".into(),
                    None,
                );
            }
        }
    }
    if e.money.total.is_empty() {
        // No money block: the amounts of the text, or the 资金总额 label of a target-like form.
        let facts = prose::money_facts(r.cx, r.seg.start, r.seg.end);
        let amount = r.money("money.total.annual", &[Field::Amount]);
        e.money.total.annual = amount.or(facts.budget.map(|(m, i)| {
            r.note("money.total.annual", i);
            m
        }));
        if let Some((m, i)) = facts.executed {
            r.note("money.total.executed", i);
            e.money.total.executed = Some(m);
        }
    }
    e.goals = goals(r);
    for t in
        r.st.tables
            .iter()
            .filter(|t| t.kind == TableKind::Indicators)
    {
        r.cut |= t.cut;
        let rows = r.indicator_rows(t, "");
        for (ind, row) in rows {
            let i = e.indicators.len();
            let path = |f: &str| format!("indicators[{i}].{f}");
            let mut s = ScoredIndicator {
                level1: ind.level1,
                level2: ind.level2,
                name: ind.name,
                target: ind.value,
                ..Default::default()
            };
            // indicator_rows noted `indicators[k].value`: here it is the target.
            if let Some(o) = r.sources.remove(&format!("indicators[{i}].value")) {
                r.sources.insert(path("target"), o);
            }
            if let Some((q, t)) = r.cell(row, Role::Actual) {
                s.actual = IndicatorValue::parse(&t);
                r.note(&path("actual"), q);
            }
            if let Some((_, t)) = r.cell(row, Role::Weight) {
                s.weight = decimal_of(&t);
            }
            if let Some((q, t)) = r.cell(row, Role::Score) {
                s.score = decimal_of(&t);
                r.note(&path("score"), q);
            }
            if let Some((q, t)) = r
                .cell(row, Role::Deviation)
                .or_else(|| r.cell(row, Role::Remark))
            {
                s.deviation = t;
                r.note(&path("deviation"), q);
            }
            e.indicators.push(s);
        }
    }
    if e.indicators.is_empty() {
        if let Some(found) = prose::indicators(r) {
            e.indicators = found
                .into_iter()
                .map(|i| ScoredIndicator {
                    level1: i.level1,
                    level2: i.level2,
                    name: i.name,
                    target: i.value,
                    ..Default::default()
                })
                .collect();
        }
    }
    if e.indicators.is_empty() {
        // A narrative report states its indicators in the goal sentence.
        if let Some(g) = e.goals.first() {
            let at = r.sources.get("goals[0].expected").cloned();
            for (name, value) in prose::goal_items(&g.expected) {
                let i = e.indicators.len();
                if let Some(o) = &at {
                    r.sources.insert(format!("indicators[{i}].name"), o.clone());
                }
                e.indicators.push(ScoredIndicator {
                    name,
                    target: IndicatorValue::parse(&value),
                    ..Default::default()
                });
            }
        }
    }
    if let Some((d, i)) = total_row_score(r) {
        r.note("total_score", i);
        e.total_score = Some(d);
    }
    // A report states its score in the text before the score table (`自评得分90分`).
    if e.total_score.is_none() {
        if let Some((d, i)) = prose::stated_score(r.cx, 0, r.seg.end) {
            r.warn(format!("按正文中的“自评得分{d}分”取总分"), Some(i));
            r.note("total_score", i);
            e.total_score = Some(d);
        }
    }
    if let Some((v, i)) = r.value(&[Field::Grade]) {
        let g = normalize_label(&v);
        if let Some(grade) = ["优", "良", "中", "差"]
            .iter()
            .find(|x| g == **x || g.starts_with(*x))
        {
            r.note("grade", i);
            e.grade = Some(grade.to_string());
        }
    }
    e.signoff = r.signoff();
    e
}

/// 总分: in a grid, the cell of its row under the indicator table's 得分 column (the 分值
/// column holds the weights' sum); else the value after the label.
fn total_row_score(r: &Reader) -> Option<(Decimal, usize)> {
    let pair = r.st.pairs_of(Field::TotalScore).next()?;
    let toks = &r.cx.tokens.list;
    let score_col =
        r.st.tables
            .iter()
            .filter(|t| t.kind == TableKind::Indicators)
            .flat_map(|t| t.columns.iter())
            .find(|c| c.role == Role::Score)
            .map(|c| toks[c.token].col);
    if let (Some(col), false) = (score_col, r.cx.tokens.stream) {
        let row = toks[pair.label].row;
        let in_row: Vec<usize> =
            r.cx.tokens
                .row_range(row)
                .filter(|&k| toks[k].part == 0)
                .collect();
        if in_row.len() >= 2 {
            return in_row
                .into_iter()
                .find(|&k| toks[k].col == col)
                .and_then(|k| decimal_of(&toks[k].text).map(|d| (d, k)));
        }
    }
    let v = pair.value?;
    decimal_of(&toks[v].text).map(|d| (d, v))
}

/// The rows of a money block into the form's money fields.
fn money_block(r: &mut Reader, money: &mut SelfEvaluationMoney) {
    let Some(table) = r.st.table(TableKind::Money) else {
        return;
    };
    for row in &table.rows {
        // A row without its label (run together with the header) is the total's.
        let label = row.get(Role::Item);
        let (key, slot) = match label.and_then(|l| r.cx_field(l)) {
            Some(Field::Fiscal | Field::GeneralPublic | Field::GovernmentFund) => {
                ("fiscal", &mut money.fiscal)
            }
            Some(Field::Carryover) => ("carryover", &mut money.carryover),
            Some(Field::OtherFunds | Field::LocalFunds) => ("other", &mut money.other),
            _ if money.total.is_empty() => ("total", &mut money.total),
            _ => continue,
        };
        if !slot.is_empty() {
            continue;
        }
        let mut filled = MoneyRow::default();
        for (role, f) in [
            (Role::Initial, "initial"),
            (Role::Annual, "annual"),
            (Role::Executed, "executed"),
        ] {
            if let Some(q) = row.get(role) {
                let t = r.text_of(q).to_string();
                let path = format!("money.{key}.{f}");
                let m = r.money_text(&path, &t, Some(q));
                if m.is_some() {
                    r.note(&path, q);
                }
                match role {
                    Role::Initial => filled.initial = m,
                    Role::Annual => filled.annual = m,
                    _ => filled.executed = m,
                }
            }
        }
        for (role, f) in [
            (Role::Rate, "rate"),
            (Role::Weight, "weight"),
            (Role::Score, "score"),
        ] {
            if let Some(q) = row.get(role) {
                let d = decimal_of(r.text_of(q));
                if d.is_some() {
                    r.note(&format!("money.{key}.{f}"), q);
                }
                match role {
                    Role::Rate => filled.rate = d,
                    Role::Weight => filled.weight = d,
                    _ => filled.score = d,
                }
            }
        }
        // One budget column (预算数) is the year's budget.
        if filled.annual.is_none() && filled.initial.is_some() && !table.has(Role::Annual) {
            filled.annual = filled.initial.take();
        }
        *slot = filled;
    }
    // The 分值 written in a heading rather than a column: `预算执行情况(万元)(20分)`,
    // `得分(20分*执行率)`.
    if money.total.weight.is_none() && (money.total.score.is_some() || money.total.rate.is_some()) {
        let score_head = table
            .columns
            .iter()
            .find(|c| c.role == Role::Score)
            .map(|c| c.token);
        let before = table.start.saturating_sub(2)..table.start;
        let weight = score_head
            .into_iter()
            .chain(before)
            .find_map(|i| points_in(r.text_of(i)).map(|d| (i, d)));
        if let Some((i, d)) = weight {
            r.note("money.total.weight", i);
            money.total.weight = Some(d);
        }
    }
}

/// A score in brackets: `(20分)`, `（20分*执行率）` → 20.
fn points_in(text: &str) -> Option<rust_decimal::Decimal> {
    let t = jixiao_domain::text::fold_width(text);
    let open = t.find('(')?;
    let inner = &t[open + 1..];
    let end = inner.find('分')?;
    jixiao_domain::text::parse_decimal(inner[..end].trim())
}

impl Reader<'_> {
    fn cx_field(&self, i: usize) -> Option<Field> {
        match self.cx.tokens.list[i].kind {
            Kind::Word(id) => self.cx.vocab.word(id).field,
            _ => None,
        }
    }
}

/// 年度总体目标: 预期目标 / 实际完成情况.
fn goals(r: &mut Reader) -> Vec<GoalPair> {
    let expected = r.text(
        "goals[0].expected",
        &[Field::Expected, Field::AnnualGoal, Field::GoalGroup],
    );
    let actual = r.text("goals[0].actual", &[Field::ActualGoal]);
    if expected.is_empty() && actual.is_empty() {
        return Vec::new();
    }
    vec![GoalPair { expected, actual }]
}

pub fn monitoring(r: &mut Reader) -> Monitoring {
    let mut m = Monitoring {
        title: r.title(),
        ..Default::default()
    };
    m.name = clean_name(&r.text("name", &[Field::Name]));
    m.department = clean_unit(&r.text(
        "department",
        &[
            Field::Department,
            Field::DepartmentLocal,
            Field::DepartmentUpper,
        ],
    ));
    m.implementer = clean_unit(&r.text("implementer", &[Field::Implementer]));
    m.unit = report_unit(r);
    m.year = r.year();
    if let Some(table) = r.st.table(TableKind::Money) {
        for c in &table.columns {
            if let Some(n) = period_months(r.norm_of(c.token)) {
                m.period_months = Some(n);
            }
        }
        if let Some(row) = table.rows.first() {
            for (role, path) in [
                (Role::Initial, "money.annual"),
                (Role::Annual, "money.annual"),
                (Role::Executed, "money.executed"),
                (Role::Forecast, "money.forecast"),
            ] {
                if let Some(q) = row.get(role) {
                    let t = r.text_of(q).to_string();
                    let v = r.money_text(path, &t, Some(q));
                    if v.is_none() {
                        continue;
                    }
                    r.note(path, q);
                    match role {
                        Role::Initial | Role::Annual if m.money.annual.is_none() => {
                            m.money.annual = v
                        }
                        Role::Executed => m.money.executed = v,
                        Role::Forecast => m.money.forecast = v,
                        _ => {}
                    }
                }
            }
            if let Some(q) = row.get(Role::Rate) {
                m.money.rate = decimal_of(r.text_of(q));
                r.note("money.rate", q);
            }
        }
    }
    if m.money.annual.is_none() {
        m.money.annual = r.money("money.annual", &[Field::Amount, Field::AmountTotal]);
    }
    if m.money.annual.is_none() {
        let facts = prose::money_facts(r.cx, r.seg.start, r.seg.end);
        if let Some((v, i)) = facts.budget {
            r.note("money.annual", i);
            m.money.annual = Some(v);
        }
        if let Some((v, i)) = facts.executed {
            r.note("money.executed", i);
            m.money.executed = Some(v);
        }
    }
    m.goals = goals(r);
    for t in
        r.st.tables
            .iter()
            .filter(|t| t.kind == TableKind::Indicators)
    {
        r.cut |= t.cut;
        for c in &t.columns {
            if c.role == Role::Progress && m.period_months.is_none() {
                m.period_months = period_months(r.norm_of(c.token));
            }
        }
        let rows = r.indicator_rows(t, "");
        for (ind, row) in rows {
            let i = m.indicators.len();
            let path = |f: &str| format!("indicators[{i}].{f}");
            let mut x = MonitoredIndicator {
                level1: ind.level1,
                level2: ind.level2,
                name: ind.name,
                target: ind.value,
                ..Default::default()
            };
            if let Some(o) = r.sources.remove(&format!("indicators[{i}].value")) {
                r.sources.insert(path("target"), o);
            }
            for (role, f) in [
                (Role::Progress, "progress"),
                (Role::Actual, "progress"),
                (Role::Forecast, "forecast"),
            ] {
                if let Some((q, t)) = r.cell(row, role) {
                    let v = IndicatorValue::parse(&t);
                    if f == "forecast" {
                        x.forecast = v;
                    } else if x.progress.is_empty() {
                        x.progress = v;
                    }
                    r.note(&path(f), q);
                }
            }
            if let Some((q, t)) = r.cell(row, Role::Possibility) {
                x.possibility = Possibility::parse(&t);
                r.note(&path("possibility"), q);
            }
            if let Some((q, t)) = r.cell(row, Role::Deviation) {
                x.deviation = t;
                r.note(&path("deviation"), q);
            }
            if let Some((q, t)) = r.cell(row, Role::Measures) {
                x.measures = t;
                r.note(&path("measures"), q);
            }
            if let Some((q, t)) = r.cell(row, Role::Remark) {
                x.remark = t;
                r.note(&path("remark"), q);
            }
            m.indicators.push(x);
        }
    }
    m.deviation = r.text("deviation", &[Field::Deviation]);
    m.measures = r.text("measures", &[Field::Measures]);
    m.signoff = r.signoff();
    m
}

/// `1-6月执行数` → 6; `半年度…` → 6.
fn period_months(n: &str) -> Option<u8> {
    if n.contains("半年") {
        return Some(6);
    }
    let i = n.find("1-")?;
    let rest = &n[i + 2..];
    let end = rest.find('月')?;
    rest[..end]
        .parse::<u8>()
        .ok()
        .filter(|m| (1..=12).contains(m))
}
