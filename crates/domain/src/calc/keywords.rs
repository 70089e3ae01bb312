//! The words that say what a number is: a total (`合计`), a rate (`执行率`), a change
//! (`增加`), a reference (`上年`, `不超过`), a unit price (`单价`, `每人`), a list of parts
//! (`其中`).

use super::lexer::TokenKind;
use super::units::match_count_unit;

const TOTAL_WORDS: &[&str] = &[
    "合计",
    "共计",
    "小计",
    "总计",
    "总额",
    "总金额",
    "总价",
    "总费用",
    "总经费",
    "总预算",
    "总投资",
    "总共",
    "合共",
    "一共",
];
pub(super) const RATE_WORDS: &[&str] = &[
    "完成率",
    "执行率",
    "支出率",
    "使用率",
    "支付率",
    "拨付率",
    "到位率",
    "兑付率",
    "占比",
    "比例",
    "比重",
];
const INCREASE_WORDS: &[&str] = &["增加", "增长", "提高", "上升", "增幅"];
const DECREASE_WORDS: &[&str] = &["减少", "下降", "降低", "降幅"];
/// An amount after these is mentioned for reference, not spent here.
const REFERENCE_WORDS: &[&str] = &[
    "上年",
    "去年",
    "上一年",
    "往年",
    "同比",
    "比上",
    "较上",
    "节约",
    "节省",
    "结余",
    "不超过",
    "不高于",
    "不低于",
    "不少于",
    "最高",
    "最低",
    "超过",
    "约",
    "剩余",
    "结转",
    "以内",
    "不足",
    "高于",
    "低于",
];
/// Words of a clause rather than a name: an amount after them is a share or a use of a
/// total (`本年申请30万元`, `用于设备购置60万元`), not one line of a row of parts.
const PROSE_WORDS: &[&str] = &[
    "用于", "安排", "申请", "本年", "当年", "今年", "本次", "本期", "已", "拟", "计划", "预计",
    "下达", "完成", "执行", "到位", "其中",
];
const PRICE_WORDS: &[&str] = &["单价", "标准", "人均", "均价", "单位成本"];
/// Words naming the sides of an area or a volume.
pub(super) const DIMENSION_HINTS: &[char] = &['长', '宽', '高', '深', '厚'];

/// What a number is, from the words before it and how it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// An amount that can be part of a total (or a total itself).
    Part,
    /// A unit price: `每次500元`, `5000元/个`.
    Price,
    /// A quantity: `8次`, `50人`.
    Count,
    Percent,
    /// An amount mentioned for reference (last year's, a cap, an approximation).
    Reference,
    /// A change: `增加189.25万元` (true for an increase).
    Change(bool),
}

/// The last `n` characters of `s`.
fn tail(s: &str, n: usize) -> String {
    let cs: Vec<char> = s.chars().collect();
    cs[cs.len().saturating_sub(n)..].iter().collect()
}

/// Whether the words just before a number name it a unit price (单价, 人均 …).
pub(super) fn has_price_word(lead: &str) -> bool {
    PRICE_WORDS.iter().any(|k| tail(lead, 6).contains(k))
}

/// Whether the words before an amount read as a clause (see `PROSE_WORDS`).
pub(super) fn reads_as_prose(lead: &str) -> bool {
    PROSE_WORDS.iter().any(|w| lead.contains(w))
}

/// The total word in the words before an amount, if any (`合计`, `共计`, a closing `计`, a
/// bare `共`).
pub(super) fn total_word(lead: &str) -> Option<String> {
    if let Some(kw) = TOTAL_WORDS.iter().find(|k| lead.contains(*k)) {
        return Some(kw.to_string());
    }
    // `计1万元` closing a phrase, but not 预计 / 统计 / 审计 / 设计 / 会计 …
    let stem = lead.strip_suffix('为').unwrap_or(lead);
    if let Some(before) = stem.strip_suffix('计') {
        if !before.ends_with([
            '预', '统', '审', '设', '会', '估', '核', '累', '共', '合', '总', '小',
        ]) {
            return Some("计".to_string());
        }
    }
    // a bare 共 (`共完成预算资金`), but not inside 公共 / 中共 / 共同 / 共享 …
    let cs: Vec<char> = lead.chars().collect();
    cs.iter().enumerate().find_map(|(p, &c)| {
        let prev = p.checked_sub(1).map(|q| cs[q]);
        let next = cs.get(p + 1).copied();
        let excluded = matches!(prev, Some('公' | '中'))
            || matches!(
                next,
                Some(
                    '同' | '享'
                        | '建'
                        | '产'
                        | '青'
                        | '识'
                        | '性'
                        | '治'
                        | '商'
                        | '赢'
                        | '用'
                        | '通'
                        | '鸣'
                        | '融'
                        | '担'
                )
            );
        (c == '共' && !excluded).then(|| "共".to_string())
    })
}

/// The rate word in the words before a percentage (`执行率`, `完成率` …).
pub(super) fn rate_word(lead: &str) -> Option<&'static str> {
    RATE_WORDS.iter().copied().find(|k| lead.contains(k))
}

/// `Some(true)` after an increase word, `Some(false)` after a decrease word.
pub(super) fn growth_word(lead: &str) -> Option<bool> {
    if INCREASE_WORDS.iter().any(|k| lead.contains(k)) {
        Some(true)
    } else if DECREASE_WORDS.iter().any(|k| lead.contains(k)) {
        Some(false)
    } else {
        None
    }
}

/// `平均每次每人` → [次, 人]: a price per unit when the 每 phrase closes the lead
/// (`每人每天伙食补助100元`), not when it opens a longer one (`每年开展…工作经费`).
pub(super) fn per_units_in_lead(lead: &str) -> Vec<String> {
    let cs: Vec<char> = lead.chars().collect();
    let mut per = Vec::new();
    let mut last_end = None;
    let mut p = 0;
    while p < cs.len() {
        if cs[p] == '每' {
            if let Some((u, l)) = match_count_unit(&cs, p + 1) {
                per.push(u.to_string());
                p += 1 + l;
                last_end = Some(p);
                continue;
            }
        }
        p += 1;
    }
    match last_end {
        Some(e) if cs.len() - e <= 6 => per,
        _ => Vec::new(),
    }
}

/// Per year only (`8万/年`): the year's amount rather than a price, unless years are counted.
pub(super) fn is_yearly(per: &[String]) -> bool {
    !per.is_empty() && per.iter().all(|p| p == "年" || p == "年度")
}

/// The role of an amount from the words before it.
pub(super) fn classify(lead: &str, approximate: bool, priced: bool) -> Role {
    if let Some(increase) = growth_word(lead) {
        Role::Change(increase)
    } else if approximate || REFERENCE_WORDS.iter().any(|k| lead.contains(k)) {
        Role::Reference
    } else if priced {
        Role::Price
    } else {
        Role::Part
    }
}

/// `其中`, `包括`, and `含` right after a bracket (`5万元（含办公用品2万元…）`) open a list of
/// parts; returns the name the list is reported under.
pub(super) fn parts_marker(word: &str, prev: Option<&TokenKind>) -> Option<&'static str> {
    if word.contains("其中") {
        Some("其中")
    } else if word.starts_with("包括") || word.starts_with("包含") {
        Some("包括")
    } else if word.starts_with('含') && matches!(prev, Some(TokenKind::Open)) {
        Some("含")
    } else {
        None
    }
}
