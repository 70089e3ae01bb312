//! The rest of the year through the API, on SQLite and PostgreSQL: a reviewer opens a
//! monitoring round over approved targets, the unit fills progress (a red light with its
//! reasons), the reviewer approves; the unit starts its self-evaluation prefilled from the
//! targets and the monitoring report, enters actuals, the server scores it; the board and
//! the score list show only what each caller may see.

use crate::common::*;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

fn value(text: &str) -> Value {
    json!({ "text": text, "comparator": null, "number": null, "unit": null })
}

fn rules(body: &Value) -> Vec<String> {
    body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

async fn post(env: &Env, who: &Client, path: &str, body: Value) -> Reply {
    env.json(Method::POST, path, Some(who), Some(body)).await
}

async fn put_report(env: &Env, who: &Client, id: i64, forms: &Value, base: i64) -> Reply {
    env.json(
        Method::PUT,
        &format!("/api/reports/{id}"),
        Some(who),
        Some(json!({ "forms": forms, "base_version": base })),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_and_self_evaluation_through_the_year() {
    backends(|env| async move {
        let forms = seed_forms();
        let projects = forms
            .iter()
            .filter(|f| matches!(f, jixiao_domain::Form::Project(_)))
            .count();
        assert!(projects > 0);
        let target = env.approved(env.unit_a, 2023, &forms).await;
        let other = env.approved(env.unit_b, 2023, &forms).await;
        let draft = env.blank_dossier(env.unit_c, 2023).await;
        let own = env.client(UNIT_OWN).await;
        let stranger = env.client(UNIT_OTHER).await;
        let reviewer = env.client(REVIEWER_ASSIGNED).await;
        let admin = env.client(ADMIN).await;

        // A unit cannot open a round; the assigned reviewer opens 1–6月 for their unit.
        let body = json!({ "year": 2023, "period_months": 6, "due": "2023-07-15" });
        let r = post(&env, &own, "/api/rounds", body.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(&env, &reviewer, "/api/rounds", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["created"], 1);
        let round = r.body["round"]["id"].as_i64().unwrap();

        // The unit finds it on its target dossier; nobody else does.
        let list = env
            .get(&format!("/api/dossiers/{target}/reports"), Some(&own))
            .await;
        assert_eq!(list.status, StatusCode::OK);
        let reports = list.body.as_array().unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0]["kind"], "monitoring");
        assert_eq!(reports[0]["period_months"], 6);
        assert_eq!(reports[0]["round_id"], round);
        let rid = reports[0]["id"].as_i64().unwrap();
        for who in [&stranger, &env.client(REVIEWER_UNASSIGNED).await] {
            let r = env.get(&format!("/api/reports/{rid}"), Some(who)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        }
        // A target dossier is not a report; reports stay out of the dossier list.
        let r = env.get(&format!("/api/reports/{target}"), Some(&own)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let listed = env.get("/api/dossiers?year=2023", Some(&own)).await;
        assert_eq!(listed.body["total"], 1);
        let listed = env
            .get("/api/dossiers?year=2023&kind=monitoring", Some(&own))
            .await;
        assert_eq!(listed.body["items"][0]["id"], rid);

        // Prefilled: one monitoring form per project, each indicator with its target.
        let r = env.get(&format!("/api/reports/{rid}"), Some(&own)).await;
        assert_eq!(r.status, StatusCode::OK);
        let mut sheet = r.body["forms"].clone();
        assert_eq!(sheet.as_array().unwrap().len(), projects);
        assert!(sheet
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["kind"] == "monitoring" && f["period_months"] == 6));
        let first_target = sheet[0]["indicators"][0]["target"]["text"].clone();
        assert!(!first_target.as_str().unwrap().is_empty());

        // Half the year gone, 10 % of the budget spent and nothing done on the first
        // indicator: red, and 有可能 without reasons is a finding.
        let annual: rust_decimal::Decimal = sheet[0]["money"]["annual"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        sheet[0]["money"]["executed"] = json!((annual / rust_decimal::Decimal::TEN).to_string());
        sheet[0]["indicators"][0]["progress"] = value("0");
        sheet[0]["indicators"][0]["possibility"] = json!("possible");
        let r = put_report(&env, &own, rid, &sheet, 1).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["version"], 2);
        assert_eq!(r.body["forms"][0]["money"]["light"], "red");
        assert_eq!(r.body["forms"][0]["light"], "red");
        assert!(rules(&r.body).contains(&"deviation-unexplained".to_string()));
        // A stale save is a conflict, as for dossiers.
        let stale = put_report(&env, &own, rid, &sheet, 1).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);

        // Changing the approved target is reported against the approved version.
        let mut changed = sheet.clone();
        changed[0]["indicators"][0]["target"] = value("1个");
        let r = post(
            &env,
            &own,
            "/api/check",
            json!({ "forms": changed, "dossier": rid }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(rules(&r.body).contains(&"target-changed".to_string()));
        assert_eq!(r.body["scores"][0]["kind"], "monitoring");
        assert_eq!(r.body["scores"][0]["light"], "red");

        // With the reasons and measures the finding goes; submitted and approved.
        sheet[0]["indicators"][0]["deviation"] = json!("设备采购延期，下半年集中实施");
        sheet[0]["indicators"][0]["measures"] = json!("9月底前完成采购");
        let r = put_report(&env, &own, rid, &sheet, 2).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!rules(&r.body).contains(&"deviation-unexplained".to_string()));
        let r = post(&env, &own, &format!("/api/reports/{rid}/submit"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // The reviewer's board: red first; another unit's reviewer sees nothing.
        let b = env.get("/api/monitoring?year=2023", Some(&reviewer)).await;
        assert_eq!(b.status, StatusCode::OK);
        assert_eq!(b.body["rows"].as_array().unwrap().len(), projects);
        assert_eq!(b.body["rows"][0]["light"], "red");
        assert_eq!(b.body["rows"][0]["report_id"], rid);
        let b = env
            .get(
                "/api/monitoring?year=2023",
                Some(&env.client(REVIEWER_UNASSIGNED).await),
            )
            .await;
        assert!(b.body["rows"].as_array().unwrap().is_empty());

        let r = post(
            &env,
            &reviewer,
            &format!("/api/reports/{rid}/approve"),
            json!({ "grade": "良", "opinions": {} }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "approved");

        // Reports only on approved targets; reviewers do not write self-evaluations.
        let r = post(
            &env,
            &admin,
            &format!("/api/dossiers/{draft}/reports"),
            json!({ "kind": "self_evaluation" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("尚未审核通过"), "{}", r.error());
        let r = post(
            &env,
            &reviewer,
            &format!("/api/dossiers/{target}/reports"),
            json!({ "kind": "self_evaluation" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(
            &env,
            &own,
            &format!("/api/dossiers/{other}/reports"),
            json!({ "kind": "self_evaluation" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // The self-evaluation: prefilled from the targets (with the profile's weights) and
        // the monitoring report's reasons.
        let r = post(
            &env,
            &own,
            &format!("/api/dossiers/{target}/reports"),
            json!({ "kind": "self_evaluation" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let sid = r.body["id"].as_i64().unwrap();
        let mut eval = r.body["forms"].clone();
        let project = eval
            .as_array()
            .unwrap()
            .iter()
            .position(|f| f["variant"] == "project" && f["name"] == sheet[0]["name"])
            .unwrap();
        assert!(eval[project]["indicators"][0]["deviation"]
            .as_str()
            .unwrap()
            .contains("设备采购延期"));
        let again = post(
            &env,
            &own,
            &format!("/api/dossiers/{target}/reports"),
            json!({ "kind": "self_evaluation" }),
        )
        .await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        // Every target met and the budget spent: the server scores each form 100 (优).
        // Qualitative rows (及时, 健康发展) have no formula: the unit states their score,
        // which must lie in the band of the level reached.
        for f in eval.as_array_mut().unwrap() {
            f["money"]["total"]["executed"] = f["money"]["total"]["annual"].clone();
            for i in f["indicators"].as_array_mut().unwrap() {
                i["actual"] = i["target"].clone();
                if i["target"]["number"].is_null() {
                    i["score"] = i["weight"].clone();
                }
            }
        }
        let r = put_report(&env, &own, sid, &eval, 1).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let got = env.get(&format!("/api/reports/{sid}"), Some(&own)).await;
        let scored = &got.body["forms"][project];
        assert_eq!(scored["computed_total"], "100", "{scored}");
        assert_eq!(scored["computed_grade"], "优");

        // Missing the first target by half costs points, and the total follows.
        eval[project]["indicators"][0]["actual"] = value("1个");
        let r = post(
            &env,
            &own,
            "/api/check",
            json!({ "forms": eval, "dossier": sid }),
        )
        .await;
        let s = r.body["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["form"] == project)
            .unwrap()
            .clone();
        assert_eq!(s["kind"], "self_evaluation");
        assert_eq!(s["execution_rate"], "100");

        // The score list: the unit's own, best first, with the grade distribution.
        let e = env.get("/api/self-evaluations?year=2023", Some(&own)).await;
        assert_eq!(e.status, StatusCode::OK);
        let rows = e.body["rows"].as_array().unwrap();
        assert_eq!(rows.len(), eval.as_array().unwrap().len());
        assert!(rows.iter().all(|r| r["report_id"] == sid));
        let best = e.body["grades"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g[0] == "优")
            .unwrap()[1]
            .as_u64()
            .unwrap();
        assert!(best >= 1);
        let e = env
            .get("/api/self-evaluations?year=2023", Some(&stranger))
            .await;
        assert!(e.body["rows"].as_array().unwrap().is_empty());

        // A filled self-evaluation file read into the report (previewed, nothing stored).
        let filled = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/corpus/selfeval-sichuan-qingshen-01.txt"
        ))
        .unwrap();
        let r = env
            .upload_with(
                &format!("/api/dossiers/{sid}/reimport"),
                Some(&own),
                "自评表.txt",
                &filled,
                &[("preview", "true")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["forms"][0]["kind"], "self_evaluation");
        assert!(!r.body["forms"][0]["indicators"]
            .as_array()
            .unwrap()
            .is_empty());
        assert!(r.body["findings"].is_array());

        // The report in the official layouts, and an approved report stays locked.
        for format in ["xlsx", "docx", "json", "csv"] {
            let x = env
                .get(&format!("/dossiers/{sid}/export/{format}"), Some(&own))
                .await;
            assert_eq!(x.status, StatusCode::OK, "{format}");
        }
        let json = env
            .get(&format!("/dossiers/{sid}/export/json"), Some(&own))
            .await;
        assert!(
            json.body.to_string().contains("computed_total"),
            "{}",
            json.body
        );
        let r = put_report(&env, &own, rid, &sheet, 3).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}
