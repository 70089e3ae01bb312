//! Properties of self-evaluation scoring (财预〔2020〕10号) and monitoring lights (136号),
//! over generated numbers and forms.

use jixiao_domain::profile::ReverseFormula;
use jixiao_domain::rules::check_dossier;
use jixiao_domain::scoring::{self, Direction};
use jixiao_domain::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// An amount with 2 decimals in [0, 10^6].
fn amount() -> impl Strategy<Value = Decimal> {
    (0i64..=100_000_000).prop_map(|c| Decimal::new(c, 2))
}

/// A positive amount with 2 decimals.
fn positive() -> impl Strategy<Value = Decimal> {
    (1i64..=100_000_000).prop_map(|c| Decimal::new(c, 2))
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::Positive),
        Just(Direction::Equal),
        Just(Direction::Reverse { strict: false }),
        Just(Direction::Reverse { strict: true }),
    ]
}

fn formula() -> impl Strategy<Value = ReverseFormula> {
    prop_oneof![
        Just(ReverseFormula::Ratio),
        Just(ReverseFormula::LinearDeduction)
    ]
}

proptest! {
    #[test]
    fn scores_stay_within_their_weight(
        dir in direction(), f in formula(), t in amount(), a in amount(), w in amount()
    ) {
        let s = scoring::quantitative_score(dir, t, a, w, f).unwrap();
        prop_assert!(s >= Decimal::ZERO && s <= w, "{s} of {w}");
    }

    #[test]
    fn scores_are_monotone_in_the_actual(
        dir in direction(), f in formula(), t in positive(), a in amount(), b in amount(), w in amount()
    ) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let s_lo = scoring::quantitative_score(dir, t, lo, w, f).unwrap();
        let s_hi = scoring::quantitative_score(dir, t, hi, w, f).unwrap();
        match dir {
            Direction::Reverse { .. } => prop_assert!(s_lo >= s_hi, "reverse: {s_lo} < {s_hi}"),
            _ => prop_assert!(s_lo <= s_hi, "positive: {s_lo} > {s_hi}"),
        }
    }

    #[test]
    fn a_met_target_earns_full_marks(dir in direction(), f in formula(), t in positive(), w in amount()) {
        prop_assert_eq!(scoring::quantitative_score(dir, t, t, w, f).unwrap(), w);
    }

    #[test]
    fn lights_are_monotone_in_progress(
        t in positive(), a in amount(), b in amount(), month in 1u8..=12, reverse in any::<bool>()
    ) {
        let p = Profile::national();
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let (target, unit) = if reverse { (format!("≤{t}元"), "元") } else { (format!("{t}个"), "个") };
        let light = |x: Decimal| {
            scoring::indicator_light(
                "产出指标",
                "数量指标",
                "x",
                &IndicatorValue::parse(&target),
                &IndicatorValue::parse(&format!("{x}{unit}")),
                month,
                &p,
            )
            .unwrap()
        };
        // Red > Yellow > Green > Blue: more progress never worsens a positive light, and
        // never improves a reverse one.
        if reverse {
            prop_assert!(light(lo) <= light(hi));
        } else {
            prop_assert!(light(lo) >= light(hi));
        }
        let (r_lo, r_hi) = (
            scoring::budget_light(lo, month, &p).unwrap(),
            scoring::budget_light(hi, month, &p).unwrap(),
        );
        prop_assert!(r_lo >= r_hi);
    }
}

/// One met row of a given 分值: positive, reverse, or qualitative (达成, full score stated).
fn met_row(kind: u8, weight: u32, not_applicable: bool) -> ScoredIndicator {
    let w = Decimal::from(weight);
    let (target, actual, score) = match kind % 3 {
        0 => ("≥50人次", "60人次", None),
        1 => ("≤90元", "80元", None),
        _ => ("显著改善", "达成年度指标", Some(w)),
    };
    let (target, actual) = if not_applicable {
        ("不适用", "不适用")
    } else {
        (target, actual)
    };
    ScoredIndicator {
        level1: "产出指标".into(),
        level2: "数量指标".into(),
        name: format!("指标{kind}"),
        target: IndicatorValue::parse(target),
        actual: IndicatorValue::parse(actual),
        weight: Some(w),
        score,
        ..ScoredIndicator::default()
    }
}

proptest! {
    #[test]
    fn everything_met_totals_one_hundred(
        cuts in prop::collection::btree_set(1u32..100, 1..10),
        kinds in prop::collection::vec(0u8..3, 10),
        mask in prop::collection::vec(any::<bool>(), 10),
    ) {
        // Cut 100 into 分值: the first is 预算执行率, the rest indicator rows.
        let mut bounds: Vec<u32> = vec![0];
        bounds.extend(cuts.iter().copied());
        bounds.push(100);
        let weights: Vec<u32> = bounds.windows(2).map(|w| w[1] - w[0]).collect();
        let rows: Vec<ScoredIndicator> = weights[1..]
            .iter()
            .enumerate()
            // Not every row may be 不适用: the first stays applicable.
            .map(|(i, w)| met_row(kinds[i], *w, i > 0 && mask[i]))
            .collect();
        let e = SelfEvaluation {
            money: SelfEvaluationMoney {
                total: MoneyRow {
                    annual: Some(Money::wan(Decimal::from(37))),
                    executed: Some(Money::wan(Decimal::from(37))),
                    weight: Some(Decimal::from(weights[0])),
                    ..MoneyRow::default()
                },
                ..SelfEvaluationMoney::default()
            },
            indicators: rows,
            ..SelfEvaluation::default()
        };
        let ev = scoring::evaluate(&e, &Profile::national());
        prop_assert_eq!(ev.total, Some(Decimal::ONE_HUNDRED));
        prop_assert_eq!(ev.grade.as_deref(), Some("优"));
    }

    /// Any text in any cell and any number a JSON body can carry (up to Decimal's limits):
    /// scoring, lights and the rules answer, never panic.
    #[test]
    fn untrusted_cells_never_panic(
        target in "\\PC{0,12}", actual in "\\PC{0,12}",
        weight in (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>()),
        score in (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>()),
        scale in 0u32..28, month in any::<u8>(), possibility in prop::option::of(0u8..3)
    ) {
        let big = |(lo, mid, hi, neg): (u32, u32, u32, bool)| Decimal::from_parts(lo, mid, hi, neg, scale);
        let (weight, score) = (big(weight), big(score));
        let dec = |n: Decimal| n;
        let ind = ScoredIndicator {
            level1: "产出指标".into(),
            level2: "成本指标".into(),
            name: "x".into(),
            target: IndicatorValue::parse(&target),
            actual: IndicatorValue::parse(&actual),
            weight: Some(dec(weight)),
            score: Some(dec(score)),
            ..ScoredIndicator::default()
        };
        let e = SelfEvaluation {
            money: SelfEvaluationMoney {
                total: MoneyRow {
                    annual: Some(Money::wan(dec(weight))),
                    executed: Some(Money::wan(dec(score))),
                    rate: Some(dec(score)),
                    weight: Some(dec(weight)),
                    score: Some(dec(score)),
                    ..MoneyRow::default()
                },
                ..SelfEvaluationMoney::default()
            },
            // Several rows: sums of huge 分值 and 得分 must not overflow.
            indicators: vec![ind.clone(), ind.clone(), ind],
            subtotals: vec![Subtotal {
                level1: "产出指标".into(),
                weight: Some(dec(weight)),
                score: Some(dec(score)),
            }],
            budget_items: vec![BudgetItem { name: "a".into(), amount: None, share: Some(dec(score)) }; 3],
            total_score: Some(dec(score)),
            grade: Some(actual.clone()),
            ..SelfEvaluation::default()
        };
        let m = Monitoring {
            period_months: Some(month),
            money: MonitoringMoney {
                annual: Some(Money::wan(dec(weight))),
                executed: Some(Money::wan(dec(score))),
                rate: Some(dec(score)),
                ..MonitoringMoney::default()
            },
            indicators: vec![MonitoredIndicator {
                name: "x".into(),
                target: IndicatorValue::parse(&target),
                progress: IndicatorValue::parse(&actual),
                forecast: IndicatorValue::parse(&actual),
                possibility: possibility.map(|p| [Possibility::Certain, Possibility::Possible, Possibility::Impossible][p as usize]),
                ..MonitoredIndicator::default()
            }],
            ..Monitoring::default()
        };
        let p = Profile::national();
        let mut scored = e.clone();
        scoring::score_self_evaluation(&mut scored, &p);
        let mut lit = m.clone();
        scoring::light_monitoring(&mut lit, &p);
        let d = Dossier {
            unit: String::new(),
            year: None,
            forms: vec![
                FiledForm { file: "f".into(), index: 0, form: Form::SelfEvaluation(e) },
                FiledForm { file: "f".into(), index: 1, form: Form::Monitoring(m) },
            ],
        };
        let _ = check_dossier(&d, &p);
    }
}
