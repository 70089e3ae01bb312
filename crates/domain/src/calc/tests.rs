//! Unit tests of the engine on real-looking 测算依据 texts, and property tests.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;

fn wan(s: &str) -> Money {
    Money::wan(Decimal::from_str(s).unwrap())
}

fn yuan(s: &str) -> Money {
    Money::yuan(Decimal::from_str(s).unwrap())
}

/// (text, computed, stated, holds) of each equation.
fn eqs(r: &CalcReport) -> Vec<(&str, &str, &str, bool)> {
    r.equations
        .iter()
        .map(|e| {
            (
                e.text.as_str(),
                e.computed.as_str(),
                e.stated.as_str(),
                e.holds,
            )
        })
        .collect()
}

fn verdict(text: &str) -> Verdict {
    analyze(text, None).verdict
}

/// The seed's 支出测算依据 texts with their row amounts (examples/seed-2023-shifeng-tongzhanbu.txt).
const SEED: &[(&str, &str)] = &[
    ("专职人员工作经费8万/年；会议费用8次，每次50人，平均每次每人100元；8*50*100=40000元。合计12万", "12"),
    ("外出学习考察50人，共4次，每次每人300元，50*4*300=60000；场地座谈会100元每人*200人=20000；合计8万", "8"),
    ("走访慰问200人次/年，每次500元，合计10万；民宗工作宣传计划5万元，民宗示范点建设经费2万元。", "17"),
    ("工委工作经费：5个*5000元/个=2.5万元", "2.5"),
    ("[bookmark: _GoBack]支部工作经费：39个*1000元/个=3.9万元", "3.9"),
];

#[test]
fn products_with_units() {
    let r = analyze("工委工作经费：5个*5000元/个=2.5万元", None);
    assert_eq!(r.verdict, Verdict::Consistent);
    assert_eq!(
        eqs(&r),
        vec![("5个*5000元/个=2.5万元", "2.5万元", "2.5万元", true)]
    );
    assert_eq!(r.total, Some(wan("2.5")));

    let r = analyze("支部工作经费：39个*1000元/个=3.9万元", None);
    assert_eq!(
        eqs(&r),
        vec![("39个*1000元/个=3.9万元", "3.9万元", "3.9万元", true)]
    );

    let r = analyze("场地座谈会100元每人*200人=20000", None);
    assert_eq!(
        eqs(&r),
        vec![("100元每人*200人=20000", "20000元", "20000", true)]
    );
    assert_eq!(r.total, Some(yuan("20000")));

    let r = analyze("50*4*300=60000", None);
    assert_eq!(eqs(&r), vec![("50*4*300=60000", "60000", "60000", true)]);

    let r = analyze("8*50*100=40000元", None);
    assert_eq!(
        eqs(&r),
        vec![("8*50*100=40000元", "40000元", "40000元", true)]
    );

    let r = analyze("8*50*100=40001元", None);
    assert_eq!(r.verdict, Verdict::Inconsistent);
    assert_eq!(
        eqs(&r),
        vec![("8*50*100=40001元", "40000元", "40001元", false)]
    );

    // 25005 元 is not 2.5万元: a result written with one decimal is held exactly
    assert_eq!(verdict("5个*5001元/个=2.5万元"), Verdict::Inconsistent);
}

#[test]
fn multiplication_and_division_glyphs() {
    for text in [
        "5个×5000元/个=2.5万元",
        "5x5000=25000元",
        "5X5000=25000元",
        "5＊5000=25000元",
        "5·5000=25000元",
        "5 * 5000 = 25000 元",
        "５个＊５０００元／个＝２．５万元",
    ] {
        let r = analyze(text, None);
        assert_eq!(r.verdict, Verdict::Consistent, "{text}: {r:#?}");
        assert_eq!(r.equations.len(), 1, "{text}");
    }
    let r = analyze("1000÷4=250元", None);
    assert_eq!(eqs(&r), vec![("1000/4=250元", "250元", "250元", true)]);
    let r = analyze("1000/3=333.33元", None);
    assert_eq!(
        eqs(&r),
        vec![("1000/3=333.33元", "333.333333元", "333.33元", true)]
    );
    assert_eq!(verdict("(3+2)*1000=5000元"), Verdict::Consistent);
    assert_eq!(verdict("(3+2)*1000=6000元"), Verdict::Inconsistent);
    // `元/个`, `万/年` are units, not division
    let r = analyze("租赁费1.5万/年*3年=4.5万元", None);
    assert_eq!(
        eqs(&r),
        vec![("1.5万/年*3年=4.5万元", "4.5万元", "4.5万元", true)]
    );
    // 20xx is no number, and x inside words is no operator
    assert_eq!(verdict("20xx年预算"), Verdict::Unverifiable);
}

#[test]
fn money_units_convert_and_round_to_the_written_precision() {
    let r = analyze("7289元*10=7.29万元", None);
    assert_eq!(
        eqs(&r),
        vec![("7289元*10=7.29万元", "7.289万元", "7.29万元", true)]
    );
    assert_eq!(verdict("7289元*10=7.30万元"), Verdict::Inconsistent);
    // half-up: 7.285 → 7.29
    assert_eq!(verdict("7285元*10=7.29万元"), Verdict::Consistent);
    assert_eq!(verdict("7284元*10=7.29万元"), Verdict::Inconsistent);
    let r = analyze("2亿元/4=5000万元", None);
    assert_eq!(
        eqs(&r),
        vec![("2亿元/4=5000万元", "5000万元", "5000万元", true)]
    );
    assert_eq!(verdict("40000元=4万元"), Verdict::Consistent);
    assert_eq!(verdict("40000元=5万元"), Verdict::Inconsistent);
    // a bare number added to 万元 is read in 万元
    assert_eq!(verdict("10万+5+2=17万元"), Verdict::Consistent);
}

#[test]
fn total_covers_the_amounts_before_it() {
    let (text, _) = SEED[0];
    let r = analyze(text, Some(wan("12")));
    assert_eq!(r.verdict, Verdict::Consistent);
    assert_eq!(
        eqs(&r),
        vec![
            ("8*50*100=40000元", "40000元", "40000元", true),
            ("8次×50人×100元=8*50*100", "40000元", "40000元", true),
            ("合计：8万+40000元=12万", "12万元", "12万元", true),
            ("文本合计12万，金额12万元", "12万元", "12万元", true),
        ]
    );
    assert_eq!(r.total, Some(wan("12")));

    let r = analyze("培训费3万元，会议费2.5万元，资料费5000元，合计6万元", None);
    assert_eq!(
        eqs(&r),
        vec![("合计：3万元+2.5万元+5000元=6万元", "6万元", "6万元", true)]
    );
    let r = analyze(
        "培训费3万元，会议费2.5万元，资料费5000元，共计6.1万元",
        None,
    );
    assert_eq!(
        eqs(&r),
        vec![(
            "共计：3万元+2.5万元+5000元=6.1万元",
            "6万元",
            "6.1万元",
            false
        )]
    );
    // subtotals then a grand total
    assert_eq!(
        verdict("A费3万元，B费2万元，小计5万元；C费1万元，D费1万元，小计2万元；总计7万元"),
        Verdict::Consistent
    );
    assert_eq!(
        verdict("A费3万元，B费2万元，合计5万元；C费1万元，D费7万元，合计8万元"),
        Verdict::Consistent
    );
    // one amount before a total may be a mention: checked only when it agrees
    assert_eq!(
        verdict("已完成投资80万元，占总投资100万元的80%。"),
        Verdict::Unverifiable
    );
    assert_eq!(verdict("A费5万元，合计5万元"), Verdict::Consistent);
    // but a computed amount is held to its total
    assert_eq!(verdict("8*50*100=40000元。合计5万"), Verdict::Inconsistent);
    // a price per person per day with the counts around it
    assert_eq!(
        verdict("每次培训50人，每人每天伙食补助100元，培训3天，共2期，计3万元。"),
        Verdict::Consistent
    );
    // 公共 is no 共
    assert_eq!(verdict("一般公共预算资金50万元"), Verdict::Unverifiable);
    // 共4次 is a count, not a total
    assert_eq!(verdict("共4次"), Verdict::Unverifiable);
}

#[test]
fn seed_second_text() {
    let (text, _) = SEED[1];
    let r = analyze(text, Some(wan("8")));
    assert_eq!(r.verdict, Verdict::Consistent);
    assert_eq!(
        eqs(&r),
        vec![
            ("50*4*300=60000", "60000", "60000", true),
            ("50人×4次×300元=50*4*300", "60000元", "60000元", true),
            ("100元每人*200人=20000", "20000元", "20000", true),
            ("合计：60000+20000=8万", "8万元", "8万元", true),
            ("文本合计8万，金额8万元", "8万元", "8万元", true),
        ]
    );
}

#[test]
fn quantity_times_price_in_words() {
    let (text, _) = SEED[2];
    let r = analyze(text, Some(wan("17")));
    assert_eq!(r.verdict, Verdict::Consistent);
    assert_eq!(
        eqs(&r),
        vec![
            ("合计：200人次/年×500元=10万", "10万元", "10万元", true),
            (
                "文本合计10万+5万元+2万元，金额17万元",
                "17万元",
                "17万元",
                true
            ),
        ]
    );
    assert_eq!(r.total, Some(wan("17")));
    let r = analyze("走访慰问200人次/年，每次500元，合计12万", None);
    assert_eq!(
        eqs(&r),
        vec![("合计：200人次/年×500元=12万", "10万元", "12万元", false)]
    );
    // a count that is not a factor does not make a false alarm
    assert_eq!(
        verdict("组织3个乡镇100名群众开展培训，每人200元，合计2万元"),
        Verdict::Consistent
    );
    // rent per year over years
    assert_eq!(
        verdict("租金2万元/年，租期3年，合计6万元"),
        Verdict::Consistent
    );
    assert_eq!(
        verdict("租金2万元/年，租期3年，合计5万元"),
        Verdict::Inconsistent
    );
}

#[test]
fn quantities_priced_in_the_words_before() {
    let r = analyze("按照每人每月500元标准，10人×12个月=6万元", None);
    assert_eq!(
        eqs(&r),
        vec![("500元×10人*12个月=6万元", "6万元", "6万元", true)]
    );
    assert_eq!(
        verdict("按照每人每月500元标准，10人×12个月=7万元"),
        Verdict::Inconsistent
    );
    // without a price the quantities alone prove nothing
    assert_eq!(verdict("10人×12个月=6万元"), Verdict::Unverifiable);
    let r = analyze("聘请专家5人次，每人次2000元，计1万元", None);
    assert_eq!(
        eqs(&r),
        vec![("计：5人次×2000元=1万元", "1万元", "1万元", true)]
    );
    assert_eq!(
        verdict("经费标准：每个支部1000元，全区39个支部，共3.9万元"),
        Verdict::Consistent
    );
    assert_eq!(
        verdict("经费标准：每个支部1000元，全区39个支部，共4万元"),
        Verdict::Inconsistent
    );
    assert_eq!(verdict("预计投入5万元"), Verdict::Unverifiable);
}

#[test]
fn words_before_an_equation_must_match_it() {
    let r = analyze(
        "会议费用9次，每次50人，平均每次每人100元；8*50*100=40000元",
        None,
    );
    assert_eq!(r.verdict, Verdict::Inconsistent);
    assert!(eqs(&r).contains(&("9次×50人×100元=8*50*100", "45000元", "40000元", false)));
    // an unrelated equation is not compared with the words
    assert_eq!(
        verdict("每人每天100元，共20人；场地费：2*3000=6000元"),
        Verdict::Consistent
    );
}

#[test]
fn qizhong_lists() {
    let r = analyze(
        "本项目共完成预算资金89.97万元。其中:30万元用于基建工程项目预算编制;30万元用于基建工程项目审计;29.99万元用于基建工程项目设计、规划、测绘。",
        None,
    );
    assert_eq!(r.verdict, Verdict::Inconsistent);
    assert_eq!(
        eqs(&r),
        vec![(
            "其中：30万元+30万元+29.99万元=89.97万元",
            "89.99万元",
            "89.97万元",
            false
        )]
    );
    let r = analyze(
        "2023年中央残疾人事业发展补助资金134.39万元下达给你们,其中:一般公共预算资金50.29万元、中央专项彩票公益金支持残疾人事业发展补助资金84.1万元。",
        Some(wan("134.39")),
    );
    assert_eq!(r.verdict, Verdict::Consistent);
    assert_eq!(
        eqs(&r)[0],
        (
            "其中：50.29万元+84.1万元=134.39万元",
            "134.39万元",
            "134.39万元",
            true
        )
    );
    assert_eq!(r.total, Some(wan("134.39")));
    let r = analyze("工作经费5万元（含办公用品2万元、印刷费3万元）。", None);
    assert_eq!(
        eqs(&r),
        vec![("含：2万元+3万元=5万元", "5万元", "5万元", true)]
    );
    assert_eq!(
        verdict("工作经费5万元（含办公用品2万元、印刷费4万元）。"),
        Verdict::Inconsistent
    );
    assert_eq!(
        verdict("项目预算30万元，包括设备购置20万元，安装调试5万元，培训5万元。"),
        Verdict::Consistent
    );
    // a single 其中 part is a mention, not an itemisation
    assert_eq!(
        verdict("项目资金10万元，其中财政资金8万元。"),
        Verdict::Unverifiable
    );
    // amounts after the sentence are not parts
    assert_eq!(
        verdict("共10万元，其中A费6万元，B费4万元。另需C费1万元。"),
        Verdict::Consistent
    );
    // a nested 其中 in brackets
    assert_eq!(
        verdict("共100万元，其中A费60万元（其中x 30万元，y 30万元），B费40万元。"),
        Verdict::Consistent
    );
}

#[test]
fn differences() {
    let r = analyze("1075.8-466.42=609.38万元", None);
    assert_eq!(
        eqs(&r),
        vec![("1075.8-466.42=609.38万元", "609.38万元", "609.38万元", true)]
    );
    assert_eq!(verdict("1075.8-466.42=609.48万元"), Verdict::Inconsistent);
    // 1-6月 is a span of months, not arithmetic
    assert_eq!(verdict("1-6月实际支出3.12万元"), Verdict::Unverifiable);
}

#[test]
fn rates() {
    let r = analyze("年初45.76万元，执行27.13万元，完成率59.29%", None);
    assert_eq!(
        eqs(&r),
        vec![(
            "完成率：27.13万元÷45.76万元=59.29%",
            "59.2876%",
            "59.29%",
            true
        )]
    );
    assert_eq!(
        verdict("年初45.76万元，执行27.13万元，完成率59.30%"),
        Verdict::Inconsistent
    );
    let r = analyze(
        "20xx年本單位項目支出預算19.3萬元,1-6月實際支出3.12萬元,預算執行率為16.17%。",
        None,
    );
    assert_eq!(
        eqs(&r),
        vec![(
            "执行率：3.12万元÷19.3万元=16.17%",
            "16.1658%",
            "16.17%",
            true
        )]
    );
    let r = analyze(
        "1、收入:792.22万元。同比上年度增加189.25万元,增加31.39%。",
        None,
    );
    assert_eq!(
        eqs(&r),
        vec![(
            "增长率：189.25万元÷(792.22万元-189.25万元)=31.39%",
            "31.3863%",
            "31.39%",
            true
        )]
    );
    assert_eq!(
        verdict("收入:792.22万元。同比上年度增加189.25万元,增加31.40%。"),
        Verdict::Inconsistent
    );
    assert_eq!(
        verdict("上年100万元，本年120万元，增长20%"),
        Verdict::Consistent
    );
    assert_eq!(
        verdict("上年100万元，本年120万元，增长25%"),
        Verdict::Inconsistent
    );
    // a rate with nothing to compute it from is no check
    assert_eq!(verdict("资金执行率100%"), Verdict::Unverifiable);
}

#[test]
fn areas() {
    let r = analyze("长4.5米,宽3米,占地13.5平方米", None);
    assert_eq!(
        eqs(&r),
        vec![("4.5米×3米=13.5平方米", "13.5平方米", "13.5平方米", true)]
    );
    assert_eq!(verdict("长4.5米,宽3米,占地14平方米"), Verdict::Inconsistent);
    assert_eq!(
        verdict("长4米，宽3米，高2米，体积24立方米"),
        Verdict::Consistent
    );
}

#[test]
fn script_width_separators_and_noise() {
    assert_eq!(
        verdict("工委工作經費：5個*5000元/個=2.5萬元"),
        Verdict::Consistent
    );
    assert_eq!(verdict("總額1.5億元=15000萬元"), Verdict::Consistent);
    let r = analyze(
        "本项目共完成预算资金1,329,120.67元，其中村级组织运转439,120.67元，村级事务补助890,000元。",
        None,
    );
    assert_eq!(
        eqs(&r),
        vec![(
            "其中：439,120.67元+890,000元=1,329,120.67元",
            "1329120.67元",
            "1329120.67元",
            true
        )]
    );
    assert_eq!(r.total, Some(yuan("1329120.67")));
    let r = analyze(
        "[bookmark: _GoBack]支部工作经费：39个*1000元/个=3.9万元",
        None,
    );
    assert_eq!(r.verdict, Verdict::Consistent);
    // a list of small numbers joined by full-width commas is not one number
    assert_eq!(verdict("8，500，300"), Verdict::Unverifiable);
}

#[test]
fn nothing_checkable_is_unverifiable() {
    for text in [
        "",
        "工作经费8万元",
        "用于开展统战工作",
        "每人补助500元",
        "2023年12月31日前完成",
        "联系电话13800000000",
        "合计",
        "1、2、3、",
    ] {
        let r = analyze(text, None);
        assert_eq!(r.verdict, Verdict::Unverifiable, "{text}: {r:#?}");
        assert!(r.equations.is_empty());
    }
    // a lone amount is not compared with the row either
    assert_eq!(
        analyze("工作经费8万元", Some(wan("9"))).verdict,
        Verdict::Unverifiable
    );
}

#[test]
fn row_amount_against_the_text_total() {
    let r = analyze("10万+5万+2万=17万", Some(wan("17")));
    assert_eq!(r.verdict, Verdict::Consistent);
    assert_eq!(
        eqs(&r)[1],
        ("文本合计17万，金额17万元", "17万元", "17万元", true)
    );
    let r = analyze("10万+5万+2万=17万", Some(wan("18")));
    assert_eq!(r.verdict, Verdict::Inconsistent);
    assert_eq!(
        eqs(&r)[1],
        ("文本合计17万，金额18万元", "17万元", "18万元", false)
    );
    // parts that itemise the row
    assert_eq!(
        analyze("宣传费5万元，示范点建设经费2万元。", Some(wan("7"))).verdict,
        Verdict::Consistent
    );
    assert_eq!(
        analyze("宣传费5万元，示范点建设经费2万元。", Some(wan("8"))).verdict,
        Verdict::Inconsistent
    );
    assert_eq!(
        analyze("宣传费5万元，示范点建设经费2万元。", None).total,
        Some(wan("7"))
    );
    // not when one amount is only a reference
    assert_eq!(
        analyze("上年5万元，本年申请7万元。", Some(wan("7"))).verdict,
        Verdict::Unverifiable
    );
    // amounts that compare years, or a total beside this year's share, do not itemise
    assert_eq!(
        analyze("2022年预算10万元，2023年预算12万元", Some(wan("12"))).verdict,
        Verdict::Unverifiable
    );
    assert_eq!(
        analyze("项目总投资100万元，本年申请30万元", Some(wan("30"))).verdict,
        Verdict::Unverifiable
    );
    assert_eq!(
        analyze("（1）人员经费8万元；（2）公用经费4万元", Some(wan("12"))).verdict,
        Verdict::Consistent
    );
    assert_eq!(
        analyze("预算12万元，申请12万元。", Some(wan("12"))).verdict,
        Verdict::Unverifiable
    );
    // a stated total alone is compared with the row
    assert_eq!(
        analyze("合计12万", Some(wan("12"))).verdict,
        Verdict::Consistent
    );
    assert_eq!(
        analyze("合计12万", Some(wan("13"))).verdict,
        Verdict::Inconsistent
    );
    assert_eq!(
        analyze("合计120000元", Some(wan("12"))).verdict,
        Verdict::Consistent
    );
}

#[test]
fn seed_texts_are_consistent_with_their_rows() {
    for (text, amount) in SEED {
        let r = analyze(text, Some(wan(amount)));
        assert_eq!(r.verdict, Verdict::Consistent, "{text}: {r:#?}");
        assert_eq!(r.total, Some(wan(amount)), "{text}");
        assert!(
            r.equations.iter().any(|e| e.text.starts_with("文本合计")),
            "{text}: row not compared"
        );
    }
}

/// Spans of the numbers written in `text` (byte offsets).
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let s = i;
            while i < b.len()
                && (b[i].is_ascii_digit()
                    || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            spans.push((s, i));
        } else {
            i += 1;
        }
    }
    spans
}

/// `text` with its `k`-th number raised by one in its last digit (`2.5` → `2.6`).
fn mutate(text: &str, k: usize) -> String {
    let (s, e) = number_spans(text)[k];
    let old = &text[s..e];
    let dp = old.split_once('.').map_or(0, |(_, f)| f.len() as u32);
    let mut v = Decimal::from_str(old).unwrap() + Decimal::new(1, dp);
    v.rescale(dp);
    format!("{}{}{}", &text[..s], v, &text[e..])
}

#[test]
fn mutation_of_any_seed_number_is_caught() {
    for (text, amount) in SEED {
        let n = number_spans(text).len();
        assert!(n >= 3, "{text}");
        for k in 0..n {
            let m = mutate(text, k);
            let r = analyze(&m, Some(wan(amount)));
            assert_eq!(
                r.verdict,
                Verdict::Inconsistent,
                "mutated number {k}: {m}\n{r:#?}"
            );
        }
    }
}

#[test]
fn serialises_as_documented() {
    let r = analyze("8*50*100=40000元", None);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["verdict"], "consistent");
    assert_eq!(json["equations"][0]["computed"], "40000元");
    assert_eq!(json["total"], "4");
    assert_eq!(json["unchecked_totals"], serde_json::json!([]));
    assert_eq!(json["over_limit"], false);
    assert_eq!(
        serde_json::to_value(Verdict::Unverifiable).unwrap(),
        "unverifiable"
    );
    assert_eq!(
        serde_json::to_value(Verdict::Inconsistent).unwrap(),
        "inconsistent"
    );
}

/// The verdict a report's checks call for: a failing check makes it inconsistent; no check,
/// an unchecked stated total or a text beyond the limits makes it unverifiable.
fn expected_verdict(r: &CalcReport) -> Verdict {
    if r.equations.iter().any(|e| !e.holds) {
        Verdict::Inconsistent
    } else if r.equations.is_empty() || !r.unchecked_totals.is_empty() || r.over_limit {
        Verdict::Unverifiable
    } else {
        Verdict::Consistent
    }
}

/// The report of a text beyond the engine's limits.
fn over_limit(text: &str) -> bool {
    let r = analyze(text, Some(wan("1")));
    r.over_limit && r.verdict == Verdict::Unverifiable && r.equations.is_empty()
}

#[test]
fn inputs_beyond_the_limits_are_not_read() {
    // 100 KB, 4001 characters, 2001 tokens, 17 nested brackets
    assert!(over_limit(&"培训费5万元，".repeat(15_000)));
    assert!(over_limit(&"1".repeat(4001)));
    assert!(over_limit(&"1*".repeat(50_000)));
    assert!(over_limit(&("1+".repeat(1000) + "1=1001")));
    assert!(over_limit(&("(".repeat(17) + "1" + &")".repeat(17) + "=1")));
    assert!(over_limit(
        &("(".repeat(10_000) + "1" + &")".repeat(10_000) + "=1")
    ));
    // at the limits the text is read
    let r = analyze(&("(".repeat(16) + "1" + &")".repeat(16) + "=1元"), None);
    assert!(!r.over_limit);
    let long = "培训费5万元，".repeat(570) + "合计2850万元";
    assert!(long.chars().count() <= 4000);
    let r = analyze(&long, None);
    assert_eq!(r.verdict, Verdict::Consistent, "{:?}", r.equations);
}

#[test]
fn pathological_inputs_within_the_limits_finish() {
    for text in [
        "9".repeat(100),
        "99999999999999999999*99999999999999999999*99999999999999999999=1".to_string(),
        "九千九百九十九亿九千九百九十九万".repeat(100) + "元",
        "1/0=1".to_string(),
        "合计1万，".repeat(600),
        "每次1元，2次，".repeat(400) + "合计1万",
        "其中1万，".repeat(700),
        "一、1万元（".repeat(15) + &"）".repeat(15),
        "（一）1万元，其中1万元；".repeat(300),
        "-".repeat(1_900) + "1=1",
        "1=".repeat(900),
        "总额1万 A 1万 ".repeat(400),
    ] {
        let r = analyze(&text, Some(wan("1")));
        assert_eq!(
            r.verdict,
            expected_verdict(&r),
            "{}",
            &text[..40.min(text.len())]
        );
    }
}

#[test]
fn parts_in_brackets_after_an_amount() {
    let r = analyze("90万(设备采购40万元,培训30万元,宣传20万元)", None);
    assert_eq!(r.verdict, Verdict::Consistent);
    assert_eq!(
        eqs(&r),
        vec![(
            "括号内：40万元+30万元+20万元=90万",
            "90万元",
            "90万元",
            true
        )]
    );
    assert_eq!(r.total, Some(wan("90")));
    let text = "项目经费90万元（设备采购40万元，培训30万元，宣传20万元），用于全县推广。";
    let r = analyze(text, Some(wan("90")));
    assert_eq!(r.verdict, Verdict::Consistent);
    assert_eq!(r.equations.len(), 2, "{:?}", r.equations);
    // a total that does not add up names its equation
    let r = analyze("90万(设备采购40万元,培训30万元,宣传30万元)", None);
    assert_eq!(r.verdict, Verdict::Inconsistent);
    assert_eq!(
        eqs(&r),
        vec![(
            "括号内：40万元+30万元+30万元=90万",
            "100万元",
            "90万元",
            false
        )]
    );
    // the real sentence found in the corpus
    let r = analyze(
        "我县将原12类基本公共卫生服务项目预拨资金3608万元(中央资金2855万元、省级资金753万元)分配到各项目实施机构",
        None,
    );
    assert_eq!(
        eqs(&r),
        vec![(
            "括号内：2855万元+753万元=3608万元",
            "3608万元",
            "3608万元",
            true
        )]
    );
    // a bracket that explains the amount otherwise is no list of parts
    for text in [
        "培训费12万元（比上年增加2万元）",
        "资金50万元（文号2020，项目编号1）",
        "资金50万元（含税）",
        "资金50万元（省级资金30万元）",
        "差旅费6万元（约2万元/次）",
    ] {
        let r = analyze(text, None);
        assert_eq!(r.verdict, Verdict::Unverifiable, "{text}: {r:#?}");
    }
    // with 其中 / 含 the explicit list is read, once
    let r = analyze("工作经费5万元（其中办公用品2万元、印刷费3万元）。", None);
    assert_eq!(
        eqs(&r),
        vec![("其中：2万元+3万元=5万元", "5万元", "5万元", true)]
    );
}

#[test]
fn numbered_sections_add_up_to_their_total() {
    let sections = |second: &str, open: &str, close: &str| {
        format!(
            "项目总预算100万元。{open}一{close}设备购置60万元，其中：电脑40万元，打印机20万元。\
             {open}二{close}培训费{second}万元，其中：师资费{second}万元。"
        )
    };
    let text = "项目总预算100万元。一、设备购置60万元，其中：电脑40万元，打印机20万元。二、培训费40万元，其中：师资费25万元，场地费15万元。";
    let r = analyze(text, Some(wan("100")));
    assert_eq!(r.verdict, Verdict::Consistent);
    assert_eq!(
        eqs(&r),
        vec![
            ("其中：40万元+20万元=60万元", "60万元", "60万元", true),
            ("其中：25万元+15万元=40万元", "40万元", "40万元", true),
            ("总预算：60万元+40万元=100万元", "100万元", "100万元", true),
            ("文本合计100万元，金额100万元", "100万元", "100万元", true),
        ]
    );
    // the nested 其中 lists hold but the top-level total does not: inconsistent
    let text = "项目总预算100万元。一、设备购置60万元，其中：电脑40万元，打印机20万元。二、培训费30万元，其中：师资费15万元，场地费15万元。";
    let r = analyze(text, None);
    assert_eq!(r.verdict, Verdict::Inconsistent);
    assert!(eqs(&r).contains(&("总预算：60万元+30万元=100万元", "90万元", "100万元", false)));
    // (一)(二) numbering, and a closing 合计 that restates the total
    let text = "项目总预算100万元。\n（一）设备购置60万元，其中：电脑40万元，打印机20万元。\n（二）培训费40万元，其中：师资费25万元，场地费15万元。\n合计100万元";
    let r = analyze(text, None);
    assert_eq!(r.verdict, Verdict::Consistent, "{r:#?}");
    assert_eq!(r.total, Some(wan("100")));
    // sections without a total word: the amount heading them
    assert_eq!(
        verdict("专项经费20万元，主要用于：1、培训费10万元；2、资料费5万元；3、会议费5万元。"),
        Verdict::Consistent
    );
    let r = analyze(
        "专项经费20万元，主要用于：1、培训费10万元；2、资料费5万元；3、会议费6万元。",
        None,
    );
    assert_eq!(
        eqs(&r),
        vec![("分项：10万元+5万元+6万元=20万元", "21万元", "20万元", false)]
    );
    // sub-sections add up to their section
    let text = "一、设备购置60万元：（1）电脑40万元；（2）打印机20万元。二、培训费40万元：（1）师资费25万元；（2）场地费16万元。";
    let r = analyze(text, None);
    assert_eq!(r.verdict, Verdict::Inconsistent);
    assert!(eqs(&r).contains(&("分项：25万元+16万元=40万元", "41万元", "40万元", false)));
    // 其中 lists with no section numbers
    assert_eq!(
        verdict("总预算100万元。设备购置60万元，其中：电脑40万元，打印机20万元。培训费30万元，其中：师资费15万元，场地费15万元。"),
        Verdict::Inconsistent
    );
    // a section with no amount: the total is stated but cannot be checked
    let r = analyze(
        "项目总预算100万元。一、设备购置60万元，其中：电脑40万元，打印机20万元。二、培训费（标准待定）。",
        None,
    );
    assert_eq!(r.verdict, Verdict::Unverifiable);
    assert_eq!(r.unchecked_totals, vec!["项目总预算100万元".to_string()]);
    assert!(r.equations.iter().all(|e| e.holds));
    // a share of the total is a mention, not its parts
    assert_eq!(
        verdict("总投资500万元，本年申请30万元(设备20万元，培训10万元)"),
        Verdict::Consistent
    );
    // the closure helper renders what the tests above spell out
    assert_eq!(verdict(&sections("40", "", "、")), Verdict::Consistent);
    assert_eq!(verdict(&sections("40", "（", "）")), Verdict::Consistent);
    assert_eq!(verdict(&sections("41", "", "、")), Verdict::Inconsistent);
}

#[test]
fn labelled_amounts_without_operators() {
    let r = analyze("资金总额 250.5 项目支出 80.2 基本支出 170.3", None);
    assert_eq!(r.verdict, Verdict::Consistent);
    assert_eq!(
        eqs(&r),
        vec![("总额：80.2+170.3=250.5", "250.5", "250.5", true)]
    );
    let r = analyze("资金总额 250.5 项目支出 80.2 基本支出 170.2", None);
    assert_eq!(r.verdict, Verdict::Inconsistent);
    assert_eq!(
        eqs(&r),
        vec![("总额：80.2+170.2=250.5", "250.4", "250.5", false)]
    );
    assert_eq!(
        verdict("资金总额：250.5万元，项目支出：80.2万元，基本支出：170.3万元"),
        Verdict::Consistent
    );
    // prose after a total is not a row of its parts
    for text in [
        "项目总投资500万元，本年度安排100万元，用于设备购置60万元、培训40万元",
        "项目总投资100万元，本年申请30万元",
        "资金总额 222.45 = 公共财政拨款 222.45 = 基本支出 220.45 + 项目支出 2",
    ] {
        assert_ne!(verdict(text), Verdict::Inconsistent, "{text}");
    }
    // a table row of budget, execution and rate stays a rate check
    assert_eq!(
        verdict("[table cells] 年度资金总额 7.29 7.29 7.29 分值 10.00 执行率 100% 得分 10.00"),
        Verdict::Consistent
    );
}

#[test]
fn chinese_numerals_and_full_width_forms() {
    let r = analyze("培训费三千五百元，会议费两万元，合计两万三千五百元", None);
    assert_eq!(
        eqs(&r),
        vec![(
            "合计：三千五百元+两万元=两万三千五百元",
            "23500元",
            "23500元",
            true
        )]
    );
    let r = analyze("培训费三千五百元，会议费两万元，合计两万四千元", None);
    assert_eq!(r.verdict, Verdict::Inconsistent);
    assert_eq!(r.equations[0].computed, "23500元");
    assert_eq!(
        verdict("设备费一百万元，安装费二十万元，合计一百二十万元"),
        Verdict::Consistent
    );
    assert_eq!(
        verdict("办公设备十二万元，差旅费1.2万，合计13.2万元"),
        Verdict::Consistent
    );
    assert_eq!(
        verdict("办公设备十二万元，差旅费1.2万，合计13.3万元"),
        Verdict::Inconsistent
    );
    assert_eq!(
        analyze(
            "民宗工作宣传计划五万元，民宗示范点建设经费二万元。",
            Some(wan("7"))
        )
        .verdict,
        Verdict::Consistent
    );
    assert_eq!(
        verdict("会议费5千元，资料费5千元，合计1万元"),
        Verdict::Consistent
    );
    assert_eq!(
        verdict("资料费１，２００元，印刷费１，８００元，合计３，０００元"),
        Verdict::Consistent
    );
    assert_eq!(
        verdict("资料费1，200元，印刷费1，800元，合计3，000元"),
        Verdict::Consistent
    );
    assert_eq!(
        verdict("资料费1，200元，印刷费1，800元，合计3，100元"),
        Verdict::Inconsistent
    );
    // numerals inside words are words
    for text in [
        "十一五规划期间投入三元里",
        "统一规划，一次性补助，第十二个",
        "二〇二三年十二月三十一日前完成",
        "8，500，300",
    ] {
        let r = analyze(text, None);
        assert_eq!(r.verdict, Verdict::Unverifiable, "{text}: {r:#?}");
    }
}

#[test]
fn every_stated_total_must_be_checked() {
    // all checks hold, yet a total with parts stays unchecked: at best unverifiable
    let r = analyze(
        "总预算100万元。设备购置60万元，其中：电脑40万元，打印机20万元。培训费若干。",
        None,
    );
    assert_eq!(r.verdict, Verdict::Unverifiable, "{r:#?}");
    assert_eq!(r.unchecked_totals, vec!["总预算100万元".to_string()]);
    // a lone total with nothing to add up is no claim about the text's arithmetic
    assert_eq!(
        analyze("合计12万", Some(wan("12"))).unchecked_totals,
        Vec::<String>::new()
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    const NAMES: &[&str] = &["培训费", "会议费", "印刷费", "差旅费", "劳务费", "宣传费"];

    /// (text, row amount): a product of 2-3 factors with its exact result in 元 or 万元.
    /// Results in 万元 are either exact to 4 decimals (any change shows) or have at most one
    /// decimal (held exactly), so no one-digit change is absorbed by rounding.
    fn product_text() -> impl Strategy<Value = (String, Money)> {
        (
            1u32..=400,
            1u32..=60,
            1u32..=3000,
            any::<bool>(),
            any::<bool>(),
            0usize..NAMES.len(),
        )
            .prop_filter(
                "万元 result must not round",
                |(a, b, p, three, in_wan, _)| {
                    let r = u64::from(*a) * u64::from(*p) * if *three { u64::from(*b) } else { 1 };
                    !*in_wan || r % 10 != 0 || r % 1000 == 0
                },
            )
            .prop_map(|(a, b, p, three, in_wan, name)| {
                let r = u64::from(a) * u64::from(p) * if three { u64::from(b) } else { 1 };
                let lhs = if three {
                    format!("{a}*{b}*{p}")
                } else {
                    format!("{a}个*{p}元/个")
                };
                let (stated, row) = if in_wan {
                    let w = (Decimal::from(r) / Decimal::from(10_000)).normalize();
                    (format!("{w}万元"), Money::wan(w))
                } else {
                    (format!("{r}元"), Money::yuan(Decimal::from(r)))
                };
                (format!("{}：{lhs}={stated}", NAMES[name]), row)
            })
    }

    /// Parts in 万元 (two decimals) and one in 元 not a multiple of 10, so the exact total
    /// has four decimals and any one-digit change shows.
    fn parts() -> impl Strategy<Value = (Vec<Decimal>, u32)> {
        (prop::collection::vec(1i64..=99_999, 2..=4), 1u32..=99_999)
            .prop_filter("元 part not a multiple of 10", |(_, y)| y % 10 != 0)
            .prop_map(|(cents, y)| (cents.into_iter().map(|c| Decimal::new(c, 2)).collect(), y))
    }

    fn total_of(parts: &[Decimal], y: u32) -> Decimal {
        let sum: Decimal =
            parts.iter().copied().sum::<Decimal>() + Decimal::from(y) / Decimal::from(10_000);
        sum.normalize()
    }

    fn sum_text() -> impl Strategy<Value = (String, Money)> {
        (parts(), prop::sample::select(vec!["合计", "共计", "总计"])).prop_map(|((ps, y), kw)| {
            let mut s = String::new();
            for (i, p) in ps.iter().enumerate() {
                s.push_str(&format!("{}{}万元，", NAMES[i % NAMES.len()], p));
            }
            s.push_str(&format!("资料费{y}元，{kw}{}万元", total_of(&ps, y)));
            (s, Money::wan(total_of(&ps, y)))
        })
    }

    fn qizhong_text() -> impl Strategy<Value = (String, Money)> {
        parts().prop_map(|(ps, y)| {
            let t = total_of(&ps, y);
            let mut s = format!("本项目共安排资金{t}万元，其中：");
            for (i, p) in ps.iter().enumerate() {
                s.push_str(&format!("{}{}万元；", NAMES[i % NAMES.len()], p));
            }
            s.push_str(&format!("资料费{y}元。"));
            (s, Money::wan(t))
        })
    }

    fn correct_text() -> impl Strategy<Value = (String, Money)> {
        prop_oneof![product_text(), sum_text(), qizhong_text()]
    }

    /// A total off by `delta` hundredths of 万元 (zero half the time), for the shapes that
    /// must be consistent exactly when the total is the sum.
    fn delta() -> impl Strategy<Value = i64> {
        prop_oneof![Just(0i64), -500i64..=500]
    }

    fn wan_parts() -> impl Strategy<Value = Vec<Decimal>> {
        prop::collection::vec(1i64..=99_999, 2..=4)
            .prop_map(|cents| cents.into_iter().map(|c| Decimal::new(c, 2)).collect())
    }

    /// `sum` changed by `delta` hundredths; a total is never written zero or negative (a
    /// leading `-` would be an operator), so it stays at least 0.01 off the sum.
    fn off_by(sum: Decimal, delta: i64) -> Decimal {
        let total = sum + Decimal::new(delta, 2);
        let total = if total <= Decimal::ZERO && delta != 0 {
            sum + Decimal::new(delta.abs(), 2)
        } else {
            total
        };
        total.normalize()
    }

    /// `项目经费{T}万元（培训费{a}万元，会议费{b}万元…），用于全县推广。`
    fn bracket_text() -> impl Strategy<Value = (String, bool)> {
        (wan_parts(), delta()).prop_map(|(ps, d)| {
            let total = off_by(ps.iter().copied().sum(), d);
            let parts: Vec<String> = ps
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{}{}万元", NAMES[i % NAMES.len()], p.normalize()))
                .collect();
            (
                format!(
                    "项目经费{total}万元（{}），用于全县推广。",
                    parts.join("，")
                ),
                d == 0,
            )
        })
    }

    /// `项目总预算{T}万元。一、培训费{S1}万元，其中：{a}万元，{b}万元。二、…` with every 其中
    /// holding; numbered `一、` or `（一）`.
    fn sections_text() -> impl Strategy<Value = (String, bool)> {
        (
            prop::collection::vec((1i64..=9_999, 1i64..=9_999), 2..=4),
            delta(),
            any::<bool>(),
        )
            .prop_map(|(sections, d, bracketed)| {
                const ORDINALS: [&str; 4] = ["一", "二", "三", "四"];
                let mut sum = Decimal::ZERO;
                let mut body = String::new();
                for (i, (a, b)) in sections.iter().enumerate() {
                    let (a, b) = (Decimal::new(*a, 2), Decimal::new(*b, 2));
                    let s = a + b;
                    sum += s;
                    let mark = if bracketed {
                        format!("（{}）", ORDINALS[i])
                    } else {
                        format!("{}、", ORDINALS[i])
                    };
                    body.push_str(&format!(
                        "{mark}{}{}万元，其中：师资费{}万元，场地费{}万元。",
                        NAMES[i % NAMES.len()],
                        s.normalize(),
                        a.normalize(),
                        b.normalize()
                    ));
                }
                (format!("项目总预算{}万元。{body}", off_by(sum, d)), d == 0)
            })
    }

    /// `资金总额 {T} 项目支出 {a} 基本支出 {b}`: bare numbers after labels.
    fn labelled_text() -> impl Strategy<Value = (String, bool)> {
        const LABELS: &[&str] = &["项目支出", "基本支出", "人员经费", "公用经费"];
        (wan_parts(), delta()).prop_map(|(ps, d)| {
            let mut s = format!("资金总额 {}", off_by(ps.iter().copied().sum(), d));
            for (i, p) in ps.iter().enumerate() {
                s.push_str(&format!(" {} {}", LABELS[i % LABELS.len()], p.normalize()));
            }
            (s, d == 0)
        })
    }

    /// Amounts in Chinese numerals (元) with their 合计, off by whole 元.
    fn chinese_text() -> impl Strategy<Value = (String, bool)> {
        (
            prop::collection::vec(11u64..=99_999_999, 2..=3),
            prop_oneof![Just(0i64), -3000i64..=3000],
            any::<bool>(),
        )
            .prop_filter("a positive total", |(ps, d, _)| {
                ps.iter().sum::<u64>() as i64 + d > 10
            })
            .prop_map(|(ps, d, liang)| {
                let chinese = crate::text::tests::chinese;
                let mut s = String::new();
                for (i, p) in ps.iter().enumerate() {
                    s.push_str(&format!(
                        "{}{}元，",
                        NAMES[i % NAMES.len()],
                        chinese(*p, true, liang)
                    ));
                }
                let total = (ps.iter().sum::<u64>() as i64 + d) as u64;
                s.push_str(&format!("合计{}元", chinese(total, true, liang)));
                (s, d == 0)
            })
    }

    /// Texts in the shapes read by structure rather than by operators, and whether their
    /// total is the sum of their parts.
    fn structured_text() -> impl Strategy<Value = (String, bool)> {
        prop_oneof![
            bracket_text(),
            sections_text(),
            labelled_text(),
            chinese_text()
        ]
    }

    /// Pieces that stress the reader: huge numbers, deep brackets, numerals, markers.
    fn hostile() -> impl Strategy<Value = String> {
        let pieces = vec![
            "99999999999999999999999999999",
            "79228162514264337593543950335",
            "0.0000000000000000000000001",
            "((((((((",
            "))))))))",
            "（（（（",
            "））））",
            "九千九百亿亿",
            "一万万",
            "十",
            "零",
            "两",
            "一、",
            "（一）",
            "(1)",
            "1、",
            "1.",
            "，",
            "、",
            "万元",
            "元",
            "合计",
            "其中",
            "总额",
            "=",
            "*",
            "/",
            "+",
            "-",
            "1，200",
            "１，２００",
            "\n",
        ];
        prop::collection::vec(prop::sample::select(pieces), 0..400).prop_map(|v| v.concat())
    }

    fn soup() -> impl Strategy<Value = String> {
        let pieces = vec![
            "1",
            "2",
            "0",
            "5",
            "12",
            ".",
            ",",
            "，",
            "。",
            "；",
            ":",
            "万",
            "元",
            "万元",
            "亿",
            "%",
            "个",
            "人",
            "次",
            "年",
            "米",
            "平方米",
            "*",
            "x",
            "×",
            "/",
            "÷",
            "+",
            "-",
            "=",
            "(",
            ")",
            "（",
            "）",
            "合计",
            "共",
            "其中",
            "每",
            "每次",
            "完成率",
            "增加",
            "长",
            "宽",
            "上年",
            " ",
            "\n",
            "[bookmark: x]",
            "萬",
            "１",
        ];
        prop::collection::vec(prop::sample::select(pieces), 0..80).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn correct_texts_are_never_flagged((text, row) in correct_text()) {
            let r = analyze(&text, Some(row));
            prop_assert_eq!(r.verdict, Verdict::Consistent, "{}: {:#?}", text, r);
        }

        #[test]
        fn a_changed_number_is_always_flagged((text, row) in correct_text(), k in any::<prop::sample::Index>()) {
            let n = number_spans(&text).len();
            let m = mutate(&text, k.index(n));
            let r = analyze(&m, Some(row));
            prop_assert_eq!(r.verdict, Verdict::Inconsistent, "{}: {:#?}", m, r);
            let r = analyze(&m, None);
            prop_assert_eq!(r.verdict, Verdict::Inconsistent, "{} (no row): {:#?}", m, r);
        }

        #[test]
        fn structured_texts_are_consistent_exactly_when_they_add_up((text, adds_up) in structured_text()) {
            let r = analyze(&text, None);
            let expected = if adds_up { Verdict::Consistent } else { Verdict::Inconsistent };
            prop_assert_eq!(r.verdict, expected, "{}: {:#?}", text, r);
        }

        #[test]
        fn hostile_text_never_panics(text in hostile()) {
            let r = analyze(&text, Some(Money::wan(Decimal::ONE)));
            prop_assert_eq!(r.verdict, expected_verdict(&r));
        }

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = analyze(&text, None);
        }

        #[test]
        fn token_soup_never_panics(text in soup()) {
            let r = analyze(&text, Some(Money::wan(Decimal::ONE)));
            prop_assert_eq!(r.verdict, expected_verdict(&r));
        }
    }
}
