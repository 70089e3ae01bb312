//! 指标库 through the API, on SQLite and PostgreSQL: the library read from approved
//! dossiers at first use and taught by each later approval; suggestions with their usual
//! comparator, unit and range, never a unit's name; similar projects only for a dossier the
//! caller sees; value-outlier and stale-target on save; admin corrections, audited.

use crate::common::*;
use axum::http::{Method, StatusCode};
use jixiao_domain::{Form, Indicator, IndicatorValue, Project, ScoredIndicator, SelfEvaluation};
use jixiao_store::Store;
use serde_json::{json, Value};

fn ind(l1: &str, l2: &str, name: &str, value: &str) -> Indicator {
    Indicator {
        level1: l1.into(),
        level2: l2.into(),
        name: name.into(),
        value: IndicatorValue::parse(value),
        ..Indicator::default()
    }
}

fn road(year: u16, inds: Vec<Indicator>) -> Form {
    Form::Project(Project {
        title: "项目支出绩效目标表".into(),
        year: Some(year),
        name: "农村公路养护工程".into(),
        annual_goal: "完成农村公路日常养护".into(),
        indicators: inds,
        ..Project::default()
    })
}

/// POSTs `body` to `path` as `who`; the answer must be 200.
async fn ok_post(env: &Env, who: &Client, path: &str, body: Value) {
    let r = env.json(Method::POST, path, Some(who), Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_learns_suggests_and_checks() {
    backends(|env| async move {
        // Approved before the library is first read: learnt when it is.
        for (unit, year, acceptance) in [
            (env.unit_a, 2021, "100%"),
            (env.unit_b, 2021, "≥98%"),
            (env.unit_c, 2021, "≥95%"),
            (env.unit_a, 2022, "100%"),
            (env.unit_b, 2022, "≥98%"),
            (env.unit_c, 2022, "100%"),
        ] {
            let y = year as u16;
            env.approved(
                unit,
                year,
                &[road(
                    y,
                    vec![
                        ind("产出指标", "数量指标", "养护公路里程", "≥120公里"),
                        ind("产出指标", "质量指标", "工程验收合格率", acceptance),
                    ],
                )],
            )
            .await;
        }
        let own = env.client(UNIT_OWN).await;
        let other = env.client(UNIT_OTHER).await;
        let admin = env.client(ADMIN).await;

        let r = env
            .get("/api/library/suggest?q=%E9%AA%8C%E6%94%B6", Some(&own))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let first = &r.body[0];
        assert_eq!(first["key"], "验收合格率");
        assert_eq!(first["units"], 3);
        assert_eq!(first["unit"], "%");
        assert_eq!(first["range"]["n"], 6);
        assert_eq!(first["range"]["min"], "95");
        let text = r.body.to_string();
        for unit in [UNIT_A, UNIT_B, UNIT_C] {
            assert!(!text.contains(unit), "a unit's name in {text}");
        }
        let long = "验".repeat(51);
        let r = env
            .get(
                &format!("/api/library/suggest?q={}", urlencode(&long)),
                Some(&own),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // A 2024 draft of unit A: similar projects used 验收合格率; a low target is an
        // outlier (info) when saved.
        let draft = env.blank_dossier(env.unit_a, 2024).await;
        let forms = json!([road(
            2024,
            vec![ind("产出指标", "数量指标", "养护公路里程", "≥150公里")]
        )]);
        let r = env.save(&own, draft, &forms, json!(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let r = env
            .get(
                &format!("/api/library/similar?dossier={draft}&form=0"),
                Some(&own),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let keys: Vec<&str> = r.body["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["验收合格率"], "{:?}", r.body);
        assert_eq!(r.body["indicators"][0]["projects"], 1);
        let r = env
            .get(
                &format!("/api/library/similar?dossier={draft}&form=0"),
                Some(&other),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = env
            .get(
                &format!("/api/library/similar?dossier={draft}&form=9"),
                Some(&own),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = env.get("/api/library/similar?dossier=x", Some(&own)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);

        let low = json!([road(
            2024,
            vec![
                ind("产出指标", "数量指标", "养护公路里程", "≥150公里"),
                ind("产出指标", "质量指标", "项目验收合格率", "≥60%"),
            ]
        )]);
        let r = env.save(&own, draft, &low, json!(2)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let d = env.get(&format!("/api/dossiers/{draft}"), Some(&own)).await;
        let outlier = d.body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "value-outlier")
            .unwrap_or_else(|| panic!("{:?}", d.body["findings"]));
        assert_eq!(outlier["severity"], "info");
        assert_eq!(outlier["location"]["field"], "indicators[1].value");

        // Last year's self-evaluation beat a target that is written again: stale-target.
        let target_2023 = env
            .approved(
                env.unit_a,
                2023,
                &[road(
                    2023,
                    vec![ind("产出指标", "数量指标", "养护公路里程", "≥150公里")],
                )],
            )
            .await;
        let evaluation = Form::SelfEvaluation(SelfEvaluation {
            title: "项目支出绩效自评表".into(),
            year: Some(2023),
            name: "农村公路养护工程".into(),
            indicators: vec![ScoredIndicator {
                level1: "产出指标".into(),
                level2: "数量指标".into(),
                name: "养护公路里程".into(),
                target: IndicatorValue::parse("≥150公里"),
                actual: IndicatorValue::parse("180公里"),
                ..ScoredIndicator::default()
            }],
            ..SelfEvaluation::default()
        });
        let report = env
            .store
            .create_report(
                &jixiao_store::NewReport {
                    target_id: target_2023,
                    kind: jixiao_store::DossierKind::SelfEvaluation,
                    period_months: None,
                    round_id: None,
                },
                &[evaluation],
                &[],
                &system(),
            )
            .await
            .unwrap();
        let rid = report.id;
        ok_post(&env, &own, &format!("/api/reports/{rid}/submit"), json!({})).await;
        let accept = json!({ "grade": "优", "opinions": {} });
        ok_post(&env, &admin, &format!("/api/reports/{rid}/approve"), accept).await;
        // (A save that changes nothing stores nothing: add a row.)
        let again = json!([road(
            2024,
            vec![
                ind("产出指标", "数量指标", "养护公路里程", "≥150公里"),
                ind("产出指标", "质量指标", "项目验收合格率", "≥60%"),
                ind("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"),
            ]
        )]);
        let r = env.save(&own, draft, &again, json!(3)).await;
        assert!(
            r.body["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == "stale-target"),
            "{:?}",
            r.body
        );
        // The approval taught the library the actual (180 of 150 km: 120%).
        let r = env
            .get("/api/library/suggest?q=%E5%85%BB%E6%8A%A4", Some(&own))
            .await;
        assert_eq!(r.body[0]["key"], "养护公路里程");
        assert_eq!(r.body[0]["achieved"]["median"], "120.0");

        // An approval through the API teaches the library at once.
        let fresh = env
            .store
            .create_dossier(
                env.unit_b,
                2024,
                &[road(
                    2024,
                    vec![ind("产出指标", "质量指标", "桥梁检测覆盖率", "100%")],
                )],
                &[],
                &system(),
            )
            .await
            .unwrap();
        let fid = fresh.id;
        ok_post(
            &env,
            &other,
            &format!("/api/dossiers/{fid}/submit"),
            json!({}),
        )
        .await;
        let approve = json!({ "grade": "良", "opinions": {
            "completeness": "齐全", "relevance": "相关",
            "appropriateness": "适当", "feasibility": "可行" } });
        ok_post(
            &env,
            &admin,
            &format!("/api/dossiers/{fid}/approve"),
            approve,
        )
        .await;
        let r = env
            .get("/api/library/suggest?q=%E6%A1%A5%E6%A2%81", Some(&own))
            .await;
        assert_eq!(r.body[0]["key"], "桥梁检测覆盖率", "{:?}", r.body);
        assert_eq!(r.body[0]["uses"], 1);
        assert!(
            r.body[0]["range"].is_null(),
            "one unit's value is not shown"
        );

        // Corrections: administrators only, checked, audited, applied at once.
        let rename =
            json!({ "action": "rename", "key": "验收合格率", "name": "工程（项目）验收合格率" });
        let r = env
            .json(
                Method::POST,
                "/api/library/edits",
                Some(&own),
                Some(rename.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = env
            .json(
                Method::POST,
                "/api/library/edits",
                Some(&admin),
                Some(rename),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let r = env
            .json(
                Method::POST,
                "/api/library/edits",
                Some(&admin),
                Some(json!({ "action": "merge", "from": "没有的指标", "into": "验收合格率" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("没有"), "{}", r.error());
        let r = env
            .json(
                Method::POST,
                "/api/library/edits",
                Some(&admin),
                Some(json!({ "action": "merge", "from": "桥梁检测覆盖率", "into": "验收合格率" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let r = env
            .get("/api/library?q=%E9%AA%8C%E6%94%B6", Some(&admin))
            .await;
        assert_eq!(r.body["entries"][0]["name"], "工程（项目）验收合格率");
        assert_eq!(r.body["entries"][0]["uses"], 7);
        let audit = env.store.audit_log(0, 10_000).await.unwrap();
        assert_eq!(
            audit.iter().filter(|e| e.action == "library.edit").count(),
            2
        );
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}
