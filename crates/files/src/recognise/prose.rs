//! Facts written as sentences rather than in cells: the targets of a 公示 that lists each
//! indicator inline (`数量指标：资助建档立卡贫困子女1966人。`), the amounts of a narrative
//! self-evaluation or monitoring report (`预算资金100万元`, `已支付资金139.43万元`), and the
//! signature and amount of a transfer payment's notice.

use jixiao_domain::model::Indicator;
use jixiao_domain::report::BudgetItem;
use jixiao_domain::text::{fold_width, parse_decimal, to_simplified};
use jixiao_domain::{IndicatorValue, Money, MoneyUnit};

use super::fields::{looks_like_org, Reader};
use super::structure::Ctx;
use super::tokens::Kind;

/// An amount written in a sentence, with the words before it.
#[derive(Debug, Clone)]
pub struct Amount {
    pub money: Money,
    /// Up to 16 characters before the number (simplified).
    pub before: String,
    /// Up to 12 characters after the amount (simplified).
    pub after: String,
    /// The token it was read from.
    pub token: usize,
}

/// Every `…万元` / `…元` amount in the text tokens of `a..b`.
pub fn amounts(cx: &Ctx, a: usize, b: usize) -> Vec<Amount> {
    let mut out = Vec::new();
    for i in a..b.min(cx.tokens.list.len()) {
        let t = &cx.tokens.list[i];
        if !matches!(t.kind, Kind::Text | Kind::Value) {
            continue;
        }
        let chars: Vec<char> = to_simplified(&fold_width(&t.text)).chars().collect();
        // The words before an amount at the start of a cell are the end of the cell before
        // (`项目总投资` | `39.2696万元`).
        let prev: Vec<char> = i
            .checked_sub(1)
            .map(|p| {
                to_simplified(&fold_width(&cx.tokens.list[p].text))
                    .chars()
                    .collect()
            })
            .unwrap_or_default();
        let mut k = 0;
        while k < chars.len() {
            if !chars[k].is_ascii_digit()
                || (k > 0 && (chars[k - 1].is_ascii_digit() || chars[k - 1] == '.'))
            {
                k += 1;
                continue;
            }
            let start = k;
            while k < chars.len()
                && (chars[k].is_ascii_digit() || chars[k] == '.' || chars[k] == ',')
            {
                k += 1;
            }
            let num: String = chars[start..k].iter().filter(|c| **c != ',').collect();
            let (unit, len) = if chars[k..].starts_with(&['万', '元']) {
                (MoneyUnit::Wan, 2)
            } else if chars.get(k) == Some(&'万')
                && chars
                    .get(k + 1)
                    .is_none_or(|c| !c.is_alphanumeric() || !is_cjk_noun(*c))
            {
                (MoneyUnit::Wan, 1)
            } else if chars.get(k) == Some(&'元') {
                (MoneyUnit::Yuan, 1)
            } else {
                continue;
            };
            let Some(d) = parse_decimal(num.trim_end_matches('.')) else {
                continue;
            };
            let mut before: String = chars[start.saturating_sub(16)..start].iter().collect();
            if start < 16 {
                let need = 16 - start;
                let tail: String = prev[prev.len().saturating_sub(need)..].iter().collect();
                before = tail + &before;
            }
            let end = k + len;
            let after: String = chars[end..(end + 12).min(chars.len())].iter().collect();
            out.push(Amount {
                money: Money::new(d, unit),
                before,
                after,
                token: i,
            });
            k = end;
        }
    }
    out
}

/// `万` followed by a noun is a count (`550万粒`, `3万人`), not money.
fn is_cjk_noun(c: char) -> bool {
    "粒人户亩株只头吨次个件台套份册平方米公里元".contains(c)
}

/// The organisation that signed a notice: a line naming an organisation followed by a
/// date (`安溪县农业农村局` / `2025年3月17日`), the last one before `b`.
pub fn notice_signature(cx: &Ctx, a: usize, b: usize) -> Option<(String, usize)> {
    let toks = &cx.tokens.list;
    let mut found = None;
    for i in a..b.min(toks.len()) {
        let t = &toks[i];
        if !matches!(t.kind, Kind::Text | Kind::Value) {
            continue;
        }
        let text = t.text.trim();
        if let Some(d) = date_start(text) {
            let head = text[..d].trim();
            if looks_like_org(head) {
                found = Some((head.to_string(), i));
                continue;
            }
            if d == 0 && i > a {
                let p = &toks[i - 1];
                if p.kind == Kind::Text && looks_like_org(p.text.trim()) {
                    found = Some((p.text.trim().to_string(), i - 1));
                }
            }
        }
    }
    found
}

/// Byte position of a `2025年3月17日` date in the text.
fn date_start(text: &str) -> Option<usize> {
    let idx: Vec<(usize, char)> = text.char_indices().collect();
    for k in 0..idx.len() {
        if k + 4 < idx.len()
            && idx[k..k + 4].iter().all(|(_, c)| c.is_ascii_digit())
            && idx[k + 4].1 == '年'
            && (k == 0 || !idx[k - 1].1.is_ascii_digit())
        {
            let rest: String = idx[k + 5..].iter().map(|(_, c)| *c).take(7).collect();
            if rest.contains('月') && rest.contains('日') {
                return Some(idx[k].0);
            }
        }
    }
    None
}

/// `芦山县水务投资有限公司作为项目业主单位`: an organisation a sentence names as the unit
/// carrying out the project.
pub fn org_named_as(cx: &Ctx, a: usize, b: usize) -> Option<(String, usize)> {
    const ROLES: &[&str] = &[
        "作为项目业主单位",
        "作为项目实施单位",
        "作为实施单位",
        "作为项目单位",
        "作为建设单位",
        "作为项目责任单位",
        "为项目实施单位",
        "为项目业主单位",
    ];
    for i in a..b.min(cx.tokens.list.len()) {
        let t = &cx.tokens.list[i];
        if t.kind != Kind::Text {
            continue;
        }
        let text = to_simplified(&t.text);
        for role in ROLES {
            if let Some(at) = text.find(role) {
                let head = &text[..at];
                let start = head
                    .rfind(['，', ',', '。', '；', ';', '：', ':'])
                    .map_or(0, |p| {
                        p + head[p..].chars().next().map_or(1, char::len_utf8)
                    });
                let org = head[start..].trim();
                if looks_like_org(org) {
                    return Some((org.to_string(), i));
                }
            }
        }
    }
    None
}

/// `自评得分90分`, `总得分 99.6 分`: a score stated in the text (the words may end one line
/// and the number start the next).
pub fn stated_score(cx: &Ctx, a: usize, b: usize) -> Option<(rust_decimal::Decimal, usize)> {
    const WORDS: &[&str] = &["自评得分", "总得分", "综合得分", "自评总分"];
    let toks = &cx.tokens.list;
    let end = b.min(toks.len());
    for i in a..end {
        let text = to_simplified(&fold_width(&toks[i].text));
        for w in WORDS {
            let Some(at) = text.find(w) else { continue };
            let mut rest: String = text[at + w.len()..].to_string();
            if rest.trim().is_empty() {
                if let Some(next) = toks.get(i + 1) {
                    rest = to_simplified(&fold_width(&next.text));
                }
            }
            let rest = rest.trim_start_matches([':', '：', '为', ' ']).trim_start();
            let num: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let after = rest[num.len()..].trim_start();
            if !num.is_empty() && after.starts_with('分') {
                if let Some(d) =
                    parse_decimal(&num).filter(|d| *d <= rust_decimal::Decimal::from(100))
                {
                    return Some((d, i));
                }
            }
        }
    }
    None
}

/// The amount a notice hands down (`现下达…资金299.424万元`): the first amount after a
/// word of allocation.
pub fn notice_amount(cx: &Ctx, a: usize, b: usize) -> Option<(Money, usize)> {
    amounts(cx, a, b)
        .into_iter()
        .find(|x| {
            ["下达", "安排", "资金", "拨付"]
                .iter()
                .any(|w| x.before.contains(w))
        })
        .map(|x| (x.money, x.token))
}

/// Budget and execution of a narrative report.
#[derive(Debug, Default)]
pub struct MoneyFacts {
    pub budget: Option<(Money, usize)>,
    pub executed: Option<(Money, usize)>,
}

/// Words before an amount that make it the budget, strongest first.
const BUDGET_WORDS: &[&[&str]] = &[
    &[
        "立项批复",
        "总投资",
        "预算资金",
        "批复资金",
        "项目资金共",
        "预算投入",
        "预算安排",
        "年度预算",
    ],
    &["批复", "预算", "安排", "投入", "下达"],
];
const EXECUTED_WORDS: &[&str] = &["执行", "支出", "使用", "支付", "拨付", "完成投资"];
const ALL_SPENT: &[&str] = &[
    "全部执行",
    "全部支出",
    "全部使用",
    "已全部执行",
    "执行到位",
    "全部用于",
    "全部资金用于",
];

pub fn money_facts(cx: &Ctx, a: usize, b: usize) -> MoneyFacts {
    let found = amounts(cx, a, b);
    let mut facts = MoneyFacts::default();
    // `资金3728万元全部执行到位`: the budget, all spent.
    if let Some(x) = found
        .iter()
        .find(|x| ALL_SPENT.iter().any(|w| x.after.contains(w)))
    {
        facts.budget = Some((x.money, x.token));
        facts.executed = Some((x.money, x.token));
        return facts;
    }
    for words in BUDGET_WORDS {
        if let Some(x) = found.iter().find(|x| {
            words.iter().any(|w| x.before.contains(w))
                && !EXECUTED_WORDS
                    .iter()
                    .any(|w| tail(&x.before, 4).contains(w))
        }) {
            facts.budget = Some((x.money, x.token));
            break;
        }
    }
    if let Some(x) = found.iter().find(|x| {
        EXECUTED_WORDS
            .iter()
            .any(|w| tail(&x.before, 8).contains(w))
    }) {
        facts.executed = Some((x.money, x.token));
    }
    // `全部资金用于…`: everything was spent, whatever the parts listed after it.
    let text: String = (a..b.min(cx.tokens.list.len()))
        .map(|i| cx.tokens.list[i].norm.as_str())
        .collect();
    if facts.budget.is_some() && ALL_SPENT.iter().any(|w| text.contains(w)) {
        facts.executed = facts.budget;
    }
    facts
}

/// A budget broken down by use in a sentence: `主要用于A、B、C等，三个部分预算资金分别74万元、
/// 14万元、8万元，…分别占…比重为74%、14%、8%`. The parts' names when the sentence lists
/// as many, their shares when a list of as many percentages follows.
pub fn budget_breakdown(cx: &Ctx, a: usize, b: usize) -> Option<(Vec<BudgetItem>, usize)> {
    for i in a..b.min(cx.tokens.list.len()) {
        let t = &cx.tokens.list[i];
        if !matches!(t.kind, Kind::Text | Kind::Value) || !t.text.contains("分别") {
            continue;
        }
        let text = to_simplified(&fold_width(&t.text));
        for sentence in text.split(['。', '；', ';']) {
            let Some(at) = sentence.find("分别") else {
                continue;
            };
            let list = listed(&sentence[at + "分别".len()..]);
            let amounts: Vec<Money> = list
                .iter()
                .map_while(|x| {
                    Money::parse(x, MoneyUnit::Wan)
                        .ok()
                        .filter(|_| x.ends_with('元'))
                })
                .collect();
            if amounts.len() < 2 {
                continue;
            }
            let n = amounts.len();
            let names: Vec<String> = sentence[..at]
                .rfind("用于")
                .map(|u| {
                    let rest = &sentence[..at][u + "用于".len()..];
                    let rest = rest.split([',', '，']).next().unwrap_or("");
                    let rest = rest.trim_end_matches('等');
                    rest.split('、').map(|x| x.trim().to_string()).collect()
                })
                .filter(|v: &Vec<String>| v.len() == n)
                .unwrap_or_default();
            // The shares: the next `分别…` list of as many percentages.
            let after = &sentence[at + "分别".len()..];
            let shares: Vec<rust_decimal::Decimal> = after
                .match_indices("分别")
                .chain(after.match_indices('为'))
                .filter_map(|(k, w)| {
                    let v: Vec<rust_decimal::Decimal> = listed(&after[k + w.len()..])
                        .iter()
                        .map_while(|x| x.strip_suffix('%').and_then(parse_decimal))
                        .collect();
                    (v.len() == n).then_some(v)
                })
                .next()
                .unwrap_or_default();
            let items = (0..n)
                .map(|k| BudgetItem {
                    name: names.get(k).cloned().unwrap_or_default(),
                    amount: Some(amounts[k]),
                    share: shares.get(k).copied(),
                })
                .collect();
            return Some((items, i));
        }
    }
    None
}

/// The items of a list right after `分别` / `为`: `74万元、14万元、8万元，…` → the three,
/// each as written (a number and what follows it up to the next separator).
fn listed(s: &str) -> Vec<String> {
    let s = s.trim_start_matches(['为', '是', ':', '：', '占']);
    let mut out = Vec::new();
    for piece in s.split(['、', '和', '及']) {
        let piece = piece.trim();
        let end = piece.find([',', '，', '(', '（']).unwrap_or(piece.len());
        let item = &piece[..end];
        if !item.starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
        out.push(item.to_string());
        if end < piece.len() {
            break;
        }
    }
    out
}

fn tail(s: &str, n: usize) -> String {
    let c: Vec<char> = s.chars().collect();
    c[c.len().saturating_sub(n)..].iter().collect()
}

/// Indicators written inline after their category words: each category's text split
/// into items at `；，。`, each item a name and the value at its end. Items without a
/// value before one with a value are headings and dropped; a category whose text has no
/// value at all is one qualitative indicator.
pub fn indicators(r: &mut Reader) -> Option<Vec<Indicator>> {
    let cx = r.cx;
    let toks = &cx.tokens.list;
    let mut out = Vec::new();
    let mut l1 = String::new();
    let mut i = r.seg.start;
    let mut any_category = false;
    while i < r.seg.end {
        let Kind::Word(id) = toks[i].kind else {
            i += 1;
            continue;
        };
        let word = cx.vocab.word(id);
        let Some((level, canon)) = word.level.clone() else {
            i += 1;
            continue;
        };
        any_category = true;
        // A word of both levels (成本指标) followed by its text is the 二级 here.
        let followed_by_text = toks[i + 1..r.seg.end]
            .iter()
            .take_while(|t| t.row == toks[i].row)
            .find(|t| match t.kind {
                Kind::Word(w) => cx.vocab.word(w).level.is_some(),
                Kind::Text | Kind::Value => true,
                _ => false,
            })
            .is_some_and(|t| matches!(t.kind, Kind::Text | Kind::Value));
        let l2 = match (&word.level2, level) {
            (Some(l2), 1) if followed_by_text => l2.clone(),
            (_, 1) => {
                l1 = canon;
                i += 1;
                continue;
            }
            _ => canon,
        };
        // The text after the category on its line, up to the next category word.
        let mut j = i + 1;
        let mut parts: Vec<usize> = Vec::new();
        while j < r.seg.end && toks[j].row == toks[i].row {
            match toks[j].kind {
                Kind::Word(w) if cx.vocab.word(w).level.is_some() => break,
                Kind::Text | Kind::Value => parts.push(j),
                Kind::Title(_) => break,
                _ => {}
            }
            j += 1;
        }
        let l1_here = if l1.is_empty() {
            cx.profile.parent_of(&l2).unwrap_or_default()
        } else {
            l1.clone()
        };
        let mut items: Vec<(String, usize)> = Vec::new();
        for &p in &parts {
            for item in toks[p].text.split(['；', ';', '。', '，', ',']) {
                let item = item.trim();
                if !item.is_empty() {
                    items.push((item.to_string(), p));
                }
            }
        }
        let with_value: Vec<Option<(String, String)>> =
            items.iter().map(|(t, _)| split_value(t)).collect();
        let any_value = with_value.iter().any(Option::is_some);
        for (k, (item, p)) in items.iter().enumerate() {
            let (name, value) = match &with_value[k] {
                Some((n, v)) => (n.clone(), v.clone()),
                None if !any_value && k == 0 => (String::new(), item.clone()),
                None => continue,
            };
            let n = out.len();
            r.note(&format!("indicators[{n}].name"), *p);
            r.note(&format!("indicators[{n}].value"), *p);
            out.push(Indicator {
                level1: l1_here.clone(),
                level2: l2.clone(),
                name,
                value: IndicatorValue::parse(&value),
                standard: String::new(),
                weight: None,
            });
        }
        i = j.max(i + 1);
    }
    (any_category && !out.is_empty()).then_some(out)
}

/// Indicators stated inside a goal sentence (`发放率100%,减免率100%,社会满意度达:98%`):
/// the items that end in a value; the others are the goal's prose.
pub fn goal_items(text: &str) -> Vec<(String, String)> {
    text.split(['；', ';', '。', '，', ',', '、'])
        .filter_map(|item| {
            let item = item.trim();
            let (name, value) = split_value(item)?;
            // The last words of a sentence, not a whole clause, name an indicator.
            let name = name
                .rsplit([':', '：'])
                .next()
                .unwrap_or(&name)
                .trim()
                .to_string();
            (name.chars().count() <= 20 && !name.is_empty()).then_some((name, value))
        })
        .collect()
}

/// `资助建档立卡贫困子女1966人` → (`资助建档立卡贫困子女`, `1966人`); the value is the
/// number at the end with its comparator and a short unit.
pub fn split_value(item: &str) -> Option<(String, String)> {
    let chars: Vec<char> = item.chars().collect();
    let folded: Vec<char> = fold_width(item).chars().collect();
    if folded.len() != chars.len() {
        return None;
    }
    // The last run of digits.
    let last_digit = folded.iter().rposition(|c| c.is_ascii_digit())?;
    let mut start = last_digit;
    while start > 0 && (folded[start - 1].is_ascii_digit() || folded[start - 1] == '.') {
        start -= 1;
    }
    let unit: String = folded[last_digit + 1..].iter().collect();
    if unit.chars().count() > 8 || unit.chars().any(|c| "；;。，,：:".contains(c)) {
        return None;
    }
    // A comparator written before the number.
    while start > 0 && "≥≤=><≧≦﹦═".contains(folded[start - 1]) {
        start -= 1;
    }
    let name: String = chars[..start].iter().collect();
    let name = name
        .trim()
        .trim_end_matches([':', '：', ' '])
        .trim_end_matches("达到")
        .trim_end_matches('达')
        .trim_end_matches("为")
        .trim_end_matches([':', '：', ' '])
        .trim()
        .to_string();
    let value: String = chars[start..].iter().collect();
    let value = value.trim().to_string();
    // A number inside a name (`7岁以下…`) with text after it is not a value.
    if name.chars().count() < 2 || value.is_empty() {
        return None;
    }
    Some((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_at_the_end_of_items() {
        assert_eq!(
            split_value("资助建档立卡贫困子女1966人"),
            Some(("资助建档立卡贫困子女".into(), "1966人".into()))
        );
        assert_eq!(
            split_value("完成及时率(≥**%)>=100%"),
            Some(("完成及时率(≥**%)".into(), ">=100%".into()))
        );
        assert_eq!(
            split_value("社会满意度达:98%"),
            Some(("社会满意度".into(), "98%".into()))
        );
        assert_eq!(
            split_value("资助标准100%达标"),
            Some(("资助标准".into(), "100%达标".into()))
        );
        assert_eq!(split_value("生态修复功能提高"), None);
    }

    #[test]
    fn dates_in_signatures() {
        assert!(date_start("安溪县农业农村局2025年3月17日附件1").is_some());
        assert!(date_start("2022年1月18日").is_some());
        assert!(date_start("2023年全年").is_none());
    }
}
