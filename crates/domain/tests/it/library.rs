//! The indicator library (指标库): grouping of names, aggregates that never show one unit's
//! filing, add/remove symmetry, suggestions, similar projects, admin edits, and the checks
//! that read it (value-outlier, stale-target) or the profile's grouping (indicator-duplicate).

use jixiao_domain::library::{name_key, Edit, Library, Mined, MIN_UNITS};
use jixiao_domain::rules::{self, library_findings, Ctx};
use jixiao_domain::{
    Dossier, Form, Indicator, IndicatorValue, Profile, Project, ScoredIndicator, SelfEvaluation,
};
use proptest::prelude::*;

fn profile() -> Profile {
    Profile::national()
}

fn ind(l1: &str, l2: &str, name: &str, value: &str) -> Indicator {
    Indicator {
        level1: l1.into(),
        level2: l2.into(),
        name: name.into(),
        value: IndicatorValue::parse(value),
        ..Indicator::default()
    }
}

fn project(unit: &str, year: u16, name: &str, inds: Vec<Indicator>) -> Form {
    Form::Project(Project {
        unit: unit.into(),
        year: Some(year),
        name: name.into(),
        indicators: inds,
        ..Project::default()
    })
}

fn mined(unit: &str, year: u16, name: &str, inds: Vec<Indicator>) -> Mined {
    Mined::from_forms(unit, Some(year), &[project(unit, year, name, inds)])
}

fn road(unit: &str, acceptance: &str) -> Mined {
    mined(
        unit,
        2023,
        "农村公路养护工程",
        vec![
            ind("产出指标", "数量指标", "养护公路里程", "≥120公里"),
            ind("产出指标", "质量指标", "工程验收合格率", acceptance),
            ind("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"),
        ],
    )
}

fn library_of(ms: &[Mined]) -> Library {
    let mut lib = Library::new(&profile().library);
    for m in ms {
        lib.add(m);
    }
    lib.finish();
    lib
}

#[test]
fn names_that_measure_the_same_thing_share_a_key() {
    let s = &profile().library;
    let k = name_key("验收合格率", s);
    assert_eq!(k, "验收合格率");
    for n in [
        "项目验收合格率",
        "工程验收合格率",
        "项目(工程)验收合格率",
        "项目（工程）验收合格率",
        " 工程 验收合格率 ",
    ] {
        assert_eq!(name_key(n, s), k, "{n}");
    }
    // Synonyms of the profile, also behind a bracketed alternative.
    assert_eq!(name_key("及时(按期)开工率", s), name_key("按期开工率", s));
    assert_eq!(name_key("受益对象满意度", s), name_key("服务对象满意度", s));
    // A qualifier is not stripped down to nothing, and different things stay apart.
    assert_eq!(name_key("项目", s), "项目");
    assert_ne!(name_key("验收合格率", s), name_key("验收及时率", s));
}

#[test]
fn suggestions_complete_a_name_with_its_usual_comparator_unit_and_range() {
    let lib = library_of(&[
        road("甲局", "100%"),
        road("乙局", "≥95%"),
        road("丙局", "≥98%"),
        road("丁局", "100%"),
    ]);
    let s = lib.suggest("验收", 10);
    let first = &s[0];
    assert_eq!(first.key, "验收合格率");
    assert_eq!(first.units, 4);
    assert_eq!(first.unit.as_deref(), Some("%"));
    let r = first.range.as_ref().expect("four units give a range");
    assert_eq!(
        (r.min.to_string(), r.max.to_string()),
        ("95".into(), "100".into())
    );
    assert_eq!(r.n, 4);
    assert_eq!(first.level2, "质量指标");
    // Nothing in an answer names a unit.
    let json = serde_json::to_string(&s).unwrap();
    for unit in ["甲局", "乙局", "丙局", "丁局"] {
        assert!(!json.contains(unit), "{json}");
    }
    // A profile's 共性 entry is offered before any filing uses it.
    let s = lib.suggest("开工", 10);
    assert!(s[0].common, "{s:?}");
    assert_eq!(s[0].usual_value.as_deref(), Some("≥90%"));
}

#[test]
fn one_units_filing_is_never_shown_as_a_range() {
    let lib = library_of(&[road("甲局", "≥97%")]);
    let s = lib.suggest("养护公路里程", 5);
    assert_eq!(s[0].units, 1);
    assert!(s[0].range.is_none());
    assert!(s[0].usual_value.is_none());
    assert!(lib.similar("农村公路养护", &[], 10).is_empty());
    const { assert!(MIN_UNITS >= 2) };
}

#[test]
fn similar_projects_suggest_what_they_used() {
    let mut ms = vec![road("甲局", "100%"), road("乙局", "100%")];
    ms.push(mined(
        "丙局",
        2023,
        "中小学校舍维修",
        vec![ind("产出指标", "数量指标", "维修校舍面积", "≥2000平方米")],
    ));
    let lib = library_of(&ms);
    let have = vec!["养护公路里程".to_string()];
    let s = lib.similar("2024年农村公路养护", &have, 10);
    let keys: Vec<&str> = s.iter().map(|x| x.entry.key.as_str()).collect();
    assert!(keys.contains(&"验收合格率"), "{keys:?}");
    assert!(!keys.contains(&"养护公路里程"), "already on the form");
    assert!(!keys.contains(&"维修校舍面积"), "another kind of project");
    assert!(s.iter().all(|x| x.projects >= 1 && x.projects <= x.of));
}

#[test]
fn outliers_are_percentages_far_outside_what_others_write() {
    let ms: Vec<Mined> = ["甲", "乙", "丙", "丁", "戊", "己"]
        .iter()
        .map(|u| road(u, "≥98%"))
        .collect();
    let lib = library_of(&ms);
    let low = IndicatorValue::parse("≥60%");
    let (range, below) = lib.outlier("项目验收合格率", &low).expect("far below");
    assert!(below);
    assert_eq!(range.median.to_string(), "98");
    assert!(lib
        .outlier("验收合格率", &IndicatorValue::parse("≥95%"))
        .is_none());
    assert!(lib
        .outlier("验收合格率", &IndicatorValue::parse("100%"))
        .is_none());
    // Counts depend on the project's size: never compared.
    assert!(lib
        .outlier("养护公路里程", &IndicatorValue::parse("≥1公里"))
        .is_none());

    let p = profile();
    let d = Dossier::of(
        "庚局",
        Some(2024),
        "t",
        &[project(
            "庚局",
            2024,
            "农村公路养护",
            vec![ind("产出指标", "质量指标", "工程验收合格率", "≥60%")],
        )],
    );
    let fs = library_findings(&d, &Ctx::new(&p), &lib, &[]);
    assert_eq!(fs.len(), 1, "{fs:?}");
    assert_eq!(fs[0].rule, "value-outlier");
    assert_eq!(fs[0].location.field.as_deref(), Some("indicators[0].value"));
    assert!(fs[0].message.contains("明显低于"), "{}", fs[0].message);
}

#[test]
fn a_target_last_year_exceeded_is_stale() {
    let p = profile();
    let last = Form::SelfEvaluation(SelfEvaluation {
        unit: "甲局".into(),
        year: Some(2023),
        name: "农村公路养护".into(),
        indicators: vec![
            ScoredIndicator {
                level1: "产出指标".into(),
                level2: "数量指标".into(),
                name: "养护公路里程".into(),
                target: IndicatorValue::parse("≥120公里"),
                actual: IndicatorValue::parse("150公里"),
                ..ScoredIndicator::default()
            },
            ScoredIndicator {
                level1: "产出指标".into(),
                level2: "质量指标".into(),
                name: "验收合格率".into(),
                target: IndicatorValue::parse("100%"),
                actual: IndicatorValue::parse("100%"),
                ..ScoredIndicator::default()
            },
        ],
        ..SelfEvaluation::default()
    });
    let previous = Dossier::of("甲局", Some(2023), "自评", &[last]).forms;
    let this_year = |km: &str| {
        Dossier::of(
            "甲局",
            Some(2024),
            "t",
            &[project(
                "甲局",
                2024,
                "农村公路养护",
                vec![
                    ind("产出指标", "数量指标", "养护公路里程", km),
                    ind("产出指标", "质量指标", "项目验收合格率", "100%"),
                ],
            )],
        )
    };
    let lib = Library::new(&p.library);
    let fs = library_findings(&this_year("≥120公里"), &Ctx::new(&p), &lib, &previous);
    assert_eq!(fs.len(), 1, "{fs:?}");
    assert_eq!(fs[0].rule, "stale-target");
    assert!(fs[0].message.contains("150公里"));
    // Raised, or met exactly last year: nothing to say.
    assert!(library_findings(&this_year("≥150公里"), &Ctx::new(&p), &lib, &previous).is_empty());
}

#[test]
fn duplicates_within_a_form() {
    let p = profile();
    let d = Dossier::of(
        "甲局",
        Some(2024),
        "t",
        &[project(
            "甲局",
            2024,
            "农村公路养护",
            vec![
                ind("产出指标", "质量指标", "项目验收合格率", "100%"),
                ind("产出指标", "时效指标", "完成率", "100%"),
                ind("产出指标", "数量指标", "完成率", "100%"),
                ind("产出指标", "质量指标", "工程验收合格率", "≥95%"),
            ],
        )],
    );
    let fs: Vec<_> = rules::check_dossier(&d, &p)
        .into_iter()
        .filter(|f| f.rule == "indicator-duplicate")
        .collect();
    assert_eq!(fs.len(), 1, "{fs:?}");
    assert_eq!(fs[0].location.field.as_deref(), Some("indicators[3].name"));
    assert!(
        fs[0].message.contains("第1个指标“项目验收合格率”"),
        "{}",
        fs[0].message
    );
}

#[test]
fn admin_edits_merge_rename_retire_and_mark_common() {
    let mut lib = library_of(&[
        road("甲局", "100%"),
        road("乙局", "100%"),
        mined(
            "丙局",
            2023,
            "农村公路养护",
            vec![ind("产出指标", "质量指标", "竣工验收通过率", "≥95%")],
        ),
    ]);
    let before = lib.suggest("验收合格率", 1)[0].uses;
    lib.apply(&Edit::Merge {
        from: "竣工验收通过率".into(),
        into: "验收合格率".into(),
    });
    let merged = &lib.suggest("验收合格率", 1)[0];
    assert_eq!(merged.uses, before + 1);
    assert_eq!(merged.units, 3);
    // The old name still finds the entry; later filings under it count there too.
    assert_eq!(lib.suggest("竣工验收", 5)[0].key, "验收合格率");
    lib.add(&mined(
        "丁局",
        2024,
        "公路",
        vec![ind("产出指标", "质量指标", "竣工验收通过率", "100%")],
    ));
    lib.finish();
    assert_eq!(lib.suggest("验收合格率", 1)[0].uses, before + 2);

    lib.apply(&Edit::Rename {
        key: "验收合格率".into(),
        name: "工程验收合格率（竣工）".into(),
    });
    assert_eq!(
        lib.suggest("验收合格率", 1)[0].name,
        "工程验收合格率（竣工）"
    );
    lib.apply(&Edit::Common {
        key: "验收合格率".into(),
        common: true,
    });
    assert!(lib.suggest("验收合格率", 1)[0].common);
    lib.apply(&Edit::Retire {
        key: "验收合格率".into(),
        retired: true,
    });
    assert!(lib
        .suggest("验收合格率", 5)
        .iter()
        .all(|s| s.key != "验收合格率"));
    assert!(
        lib.list("验收合格率")[0].retired,
        "the admin list still shows it"
    );

    // An imported entry is known before any filing uses it; tags classify it.
    lib.apply(&Edit::Define {
        level1: "产出指标".into(),
        level2: "数量指标".into(),
        name: "新建村级公路里程".into(),
        value: "≥10公里".into(),
        standard: "以交通部门验收数据为准".into(),
        common: false,
    });
    lib.apply(&Edit::Tag {
        key: "新建村级公路里程".into(),
        tags: vec!["交通运输".into(), " ".into(), "农村公路".into()],
    });
    let s = &lib.suggest("村级公路", 5)[0];
    assert_eq!((s.uses, s.common), (0, false));
    assert_eq!(s.usual_value.as_deref(), Some("≥10公里"));
    assert_eq!(s.comparator.as_deref(), Some("≥"));
    assert_eq!(s.tags, ["交通运输", "农村公路"]);
}

proptest! {
    /// Removing a source undoes adding it: the library answers as if it had never come.
    #[test]
    fn remove_undoes_add(values in proptest::collection::vec(50u32..=100, 1..12), extra in 0u32..=100) {
        let ms: Vec<Mined> = values
            .iter()
            .enumerate()
            .map(|(i, v)| road(&format!("单位{i}"), &format!("≥{v}%")))
            .collect();
        let base = library_of(&ms);
        let mut lib = base.clone();
        let other = road("另一单位", &format!("≥{extra}%"));
        lib.add(&other);
        lib.finish();
        lib.remove(&other);
        lib.finish();
        prop_assert_eq!(lib.suggest("验收", 10), base.suggest("验收", 10));
        prop_assert_eq!(lib.similar("农村公路", &[], 10), base.similar("农村公路", &[], 10));
    }

    /// Quartiles are values filings wrote, in order, inside [min, max].
    #[test]
    fn ranges_are_ordered(values in proptest::collection::vec(0u32..=1000, 2..40)) {
        let ms: Vec<Mined> = values
            .iter()
            .enumerate()
            .map(|(i, v)| road(&format!("单位{i}"), &format!("≥{v}%")))
            .collect();
        let lib = library_of(&ms);
        let s = lib.suggest("验收合格率", 1);
        let r = s[0].range.clone().unwrap();
        prop_assert!(r.min <= r.q1 && r.q1 <= r.median && r.median <= r.q3 && r.q3 <= r.max);
        prop_assert_eq!(r.n as usize, values.len());
    }

    /// Grouping is stable: a key is its own key.
    #[test]
    fn keys_are_fixed_points(name in "[项目工程验收合格率及时开工满意度()（）]{1,12}") {
        let s = &profile().library;
        let k = name_key(&name, s);
        prop_assert_eq!(name_key(&k, s), k.clone());
    }
}
