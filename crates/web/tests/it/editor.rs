//! The editor and "new dossier" pages in process, on SQLite and PostgreSQL: who gets
//! them (the editor for the unit and admins, a 403 page for reviewers, a 404 page for
//! strangers), the model embedded in the page equals the stored forms and cannot break out
//! of its script element, and a save made from that model goes through the API.

use crate::common::*;
use axum::http::{header, Method, StatusCode};
use jixiao_store::Store;
use serde_json::{json, Value};

fn html(r: &Reply) -> &str {
    r.body.as_str().unwrap_or_default()
}

/// The JSON of `<script type="application/json" id="model">`.
fn model(page: &str) -> Value {
    let open = "<script type=\"application/json\" id=\"model\">";
    let start = page.find(open).expect("the model element") + open.len();
    let end = start + page[start..].find("</script>").expect("its end");
    serde_json::from_str(&page[start..end]).expect("the model is JSON")
}

async fn seed(env: &Env, who: &Client) -> i64 {
    let r = env.upload(Some(who), "seed.docx", &seed_docx(), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_pages_follow_the_access_rules() {
    backends(|env| async move {
        let own = env.client(UNIT_OWN).await;
        let id = seed(&env, &own).await;
        let edit = format!("/dossiers/{id}/edit");

        let r = env.get(&edit, Some(&own)).await;
        assert_eq!(r.status, StatusCode::OK);
        let page = html(&r);
        for hook in [
            "id=\"editor\"",
            "id=\"save-btn\"",
            "id=\"findings\"",
            "id=\"totals\"",
            "id=\"model\"",
            "<script type=\"module\" src=\"/static/m/",
            "<noscript>",
        ] {
            assert!(page.contains(hook), "{hook} in the editor page");
        }
        assert!(!page.contains("id=\"reason\""), "no adjustment for a draft");

        let admin = env.client(ADMIN).await;
        assert_eq!(env.get(&edit, Some(&admin)).await.status, StatusCode::OK);
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let r = env.get(&edit, Some(&rev)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(html(&r).contains("无权"), "{}", html(&r));
        for stranger in [UNIT_OTHER, REVIEWER_UNASSIGNED] {
            let c = env.client(stranger).await;
            let r = env.get(&edit, Some(&c)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{stranger}");
            assert!(html(&r).contains("档案不存在"));
        }
        let r = env.get("/dossiers/abc/edit", Some(&own)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = env.get(&edit, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers[header::LOCATION].to_str().unwrap(),
            format!("/login?next=/dossiers/{id}/edit")
        );

        // The new-dossier page: three ways for units and admins, a 403 page for reviewers.
        let r = env.get("/dossiers/new", Some(&own)).await;
        assert_eq!(r.status, StatusCode::OK);
        let page = html(&r);
        for hook in [
            "id=\"upload-file\"",
            "id=\"preview\"",
            "id=\"create-btn\"",
            "id=\"copy-form\"",
            "id=\"blank-form\"",
            "<noscript>",
            "从往年档案复制",
            "空白档案",
            UNIT_A,
        ] {
            assert!(page.contains(hook), "{hook} on the new page");
        }
        assert!(
            page.contains(&format!("<option value=\"{id}\">")),
            "the seed may be copied"
        );
        assert!(
            !page.contains("id=\"blank-unit\""),
            "a unit user names no unit"
        );
        let r = env.get("/dossiers/new", Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(html(&r).contains("id=\"blank-unit\"") && html(&r).contains(UNIT_C));
        let m = model(html(&r));
        assert_eq!(m["blank"]["forms"]["project"]["variant"], "project");
        assert!(m["blank"]["rows"]["indicators"]["value"].is_object());
        let r = env.get("/dossiers/new", Some(&rev)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(html(&r).contains("无权"));

        // Submitted: not editable; approved: adjustment mode with a reason.
        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{id}/submit"),
                Some(&own),
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "errors block submit"
        );
        let blank = env.submitted_dossier(env.unit_a, 2030).await;
        let r = env
            .get(&format!("/dossiers/{blank}/edit"), Some(&own))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html(&r).contains("审核期间不能修改"), "{}", html(&r));
        let opinions = json!({ "completeness": "齐全", "relevance": "相关",
            "appropriateness": "适当", "feasibility": "可行" });
        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{blank}/approve"),
                Some(&rev),
                Some(json!({ "grade": "良", "opinions": opinions })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = env
            .get(&format!("/dossiers/{blank}/edit"), Some(&own))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(html(&r).contains("id=\"reason\""), "adjustment mode");
        assert_eq!(model(html(&r))["adjust"], true);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_model_round_trips_and_saves() {
    backends(|env| async move {
        let own = env.client(UNIT_OWN).await;
        let id = seed(&env, &own).await;
        let api = format!("/api/dossiers/{id}");
        let stored = env.get(&api, Some(&own)).await.body;

        let page = env.get(&format!("/dossiers/{id}/edit"), Some(&own)).await;
        let m = model(html(&page));
        assert_eq!(m["forms"], stored["forms"], "the model is the stored forms");
        assert_eq!(m["id"], id);
        assert_eq!(m["version"], 1);
        assert_eq!(m["status"], "draft");
        assert_eq!(m["adjust"], false);
        let output = m["framework"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["level1"] == "产出指标")
            .expect("产出指标 in the framework");
        assert!(output["level2"]
            .as_array()
            .unwrap()
            .contains(&json!("数量指标")));

        // Text that would close the script element stays inside the JSON.
        let mut forms = m["forms"].clone();
        let evil = "统战工作</script><script>alert(1)</script><!--";
        forms[0]["duties"] = json!(evil);
        let r = env.save(&own, id, &forms, m["version"].clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let page = env.get(&format!("/dossiers/{id}/edit"), Some(&own)).await;
        assert!(!html(&page).contains("<script>alert(1)"));
        let m = model(html(&page));
        assert_eq!(m["forms"][0]["duties"], evil);
        assert_eq!(m["version"], 2);

        // What the editor sends: the model's forms with edits, an indicator value as text.
        let mut forms = m["forms"].clone();
        forms[2]["indicators"][0]["value"] =
            json!({ "text": "≥30%", "comparator": null, "number": null, "unit": null });
        forms[2]["details"][0]["amount"] = json!("12.5");
        forms[2]["details_total"] = json!(null);
        let r = env.save(&own, id, &forms, m["version"].clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["version"], 3);
        let saved = env.get(&api, Some(&own)).await.body;
        let v = &saved["forms"][2]["indicators"][0]["value"];
        assert_eq!(
            *v,
            json!({ "text": "≥30%", "comparator": ">=", "number": "30", "unit": "%" }),
            "read like a cell"
        );
        assert_eq!(saved["forms"][2]["details"][0]["amount"], "12.5");
        assert!(saved["forms"][2]["details_total"].is_null());
        assert_eq!(saved["forms"][0], forms[0]);

        // The page after the save carries the new version; a stale save is a conflict.
        let m = model(html(
            &env.get(&format!("/dossiers/{id}/edit"), Some(&own)).await,
        ));
        assert_eq!(m["version"], 3);
        let r = env.save(&own, id, &forms, json!(2)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.body["current_version"], 3);

        // The editor's ES modules: the page loads the entry under the asset version, and
        // every module it imports (relative, so under the same version) is served.
        let page = env.get(&format!("/dossiers/{id}/edit"), Some(&own)).await;
        let entry = html(&page)
            .split("<script type=\"module\" src=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        let dir = entry.rsplit_once('/').unwrap().0.to_string();
        let main = env.get(&entry, None).await;
        assert_eq!(main.status, StatusCode::OK);
        let mut seen = 0;
        for module in html(&main).split("\"./").skip(1) {
            let name = module.split('"').next().unwrap();
            let m = env.get(&format!("{dir}/{name}"), None).await;
            assert_eq!(m.status, StatusCode::OK, "{name}");
            assert!(html(&m).contains("export "), "{name} is a module");
            seen += 1;
        }
        assert_eq!(seen, 4, "util, model, edit and new");
        let report = env.get(&format!("{dir}/editor-report.js"), None).await;
        assert_eq!(report.status, StatusCode::OK);
        assert_eq!(
            env.get(&format!("{dir}/nope.js"), None).await.status,
            StatusCode::NOT_FOUND
        );
        // The scripts and styles of the page stay small.
        assert!(jixiao_web::ui::asset_bytes() < 100 * 1024);
    })
    .await;
}

async fn versions(env: &Env, who: &Client, id: i64) -> usize {
    let h = env
        .get(&format!("/api/dossiers/{id}/history"), Some(who))
        .await;
    h.body["versions"].as_array().unwrap().len()
}

/// A save whose forms are the current version's (Ctrl+S with nothing changed, a client
/// retrying) answers 200 with the current version and stores nothing; a real change after
/// it is stored as usual.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_that_changes_nothing_stores_nothing() {
    backends(|env| async move {
        let own = env.client(UNIT_OWN).await;
        let id = seed(&env, &own).await;
        let d = env.get(&format!("/api/dossiers/{id}"), Some(&own)).await;
        let forms = d.body["forms"].clone();
        for _ in 0..3 {
            let r = env.save(&own, id, &forms, json!(1)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["version"], 1, "the current version answers");
            assert!(r.body["findings"].as_array().is_some_and(|f| !f.is_empty()));
        }
        assert_eq!(versions(&env, &own, id).await, 1, "nothing stored");
        let mut changed = forms.clone();
        changed[0]["unit"] = json!("中共株洲市石峰区委员会统一战线工作部（改）");
        let r = env.save(&own, id, &changed, json!(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["version"], 2);
        assert_eq!(versions(&env, &own, id).await, 2);
    })
    .await;
}

/// 新建档案 from a preview whose year was changed (2023 → 2024): the forms follow the
/// dossier's year as a copy's do (titles, 年度, a one-year 项目实施期); a year typed into a
/// form afterwards that disagrees with the dossier is a `year-mismatch` finding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_year_renames_the_forms_and_a_disagreeing_one_is_a_finding() {
    backends(|env| async move {
        let own = env.client(UNIT_OWN).await;
        let (ct, body) = multipart("seed.docx", &seed_docx(), None);
        let req = request(Method::POST, "/api/preview", Some(&own), "127.0.0.1")
            .header(header::CONTENT_TYPE, ct)
            .body(axum::body::Body::from(body))
            .unwrap();
        let preview = env.send(req).await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        let forms = preview.body["forms"].clone();
        assert_eq!(forms[0]["year"], 2023);
        let r = env
            .json(
                Method::POST,
                "/api/dossiers/create",
                Some(&own),
                Some(json!({ "forms": forms, "year": 2024 })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["id"].as_i64().unwrap();
        let d = env.get(&format!("/api/dossiers/{id}"), Some(&own)).await;
        let stored = d.body["forms"].as_array().unwrap().clone();
        for f in &stored {
            assert_eq!(f["year"], 2024, "{}", f["title"]);
            assert!(
                !f["title"].as_str().unwrap().contains("2023年"),
                "{}",
                f["title"]
            );
        }
        let project = stored.iter().find(|f| f["kind"] == "project").unwrap();
        assert!(
            project["period"].as_str().unwrap().contains("2024年"),
            "{}",
            project["period"]
        );
        let rules = |r: &Reply| -> Vec<String> {
            r.body["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["rule"].as_str().unwrap().to_string())
                .collect()
        };
        assert!(!rules(&d).contains(&"year-mismatch".to_string()));

        let mut edited = d.body["forms"].clone();
        edited[0]["year"] = json!(2025);
        let r = env.save(&own, id, &edited, json!(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let found = r.body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "year-mismatch")
            .cloned()
            .expect("year-mismatch");
        assert_eq!(found["location"]["field"], "year");
        assert!(
            found["message"].as_str().unwrap().contains("2025年"),
            "{found}"
        );
    })
    .await;
}

/// 撤回: the unit takes a submission back to 草稿 (audited) while the reviewer has not
/// written on it; once the reviewer has commented on the version, it is refused with the
/// reason, and a reviewer cannot withdraw for the unit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_withdraws_a_submission_until_the_reviewer_writes_on_it() {
    backends(|env| async move {
        let own = env.client(UNIT_OWN).await;
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let withdraw = |id: i64| format!("/api/dossiers/{id}/withdraw");
        let id = env.submitted_dossier(env.unit_a, 2024).await;
        let r = env
            .json(Method::POST, &withdraw(id), Some(&rev), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = env
            .json(Method::POST, &withdraw(id), Some(&own), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "draft");
        let audit = env.store.audit_log(0, 100_000).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "dossier.withdraw"));
        let r = env
            .json(Method::POST, &withdraw(id), Some(&own), None)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("待审核"), "{}", r.error());

        let id = env.submitted_dossier(env.unit_a, 2025).await;
        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{id}/comments"),
                Some(&rev),
                Some(json!({ "field": "", "body": "请补充测算依据" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = env
            .json(Method::POST, &withdraw(id), Some(&own), None)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.error().contains("审核人员已对本版提出意见"),
            "{}",
            r.error()
        );
    })
    .await;
}

/// 待办 and 消息: the reviewer's to-do lists the submission; after a return with a comment
/// the unit's to-do lists the dossier to fix first, with unread notices naming who did
/// what; marking them read clears the count; another unit sees none of it; the page
/// shows both lists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn todo_lists_what_to_do_and_what_others_did() {
    backends(|env| async move {
        let own = env.client(UNIT_OWN).await;
        let other = env.client(UNIT_OTHER).await;
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let id = env.submitted_dossier(env.unit_a, 2024).await;
        let draft = env.blank_dossier(env.unit_a, 2025).await;

        let t = env.get("/api/todo", Some(&rev)).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        let review: Vec<&Value> = t.body["items"].as_array().unwrap().iter().collect();
        assert!(review
            .iter()
            .any(|i| i["dossier_id"] == id && i["kind"] == "review"));
        assert!(!review.iter().any(|i| i["dossier_id"] == draft));

        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{id}/return"),
                Some(&rev),
                Some(json!({ "comment": "请补充测算依据" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let t = env.get("/api/todo", Some(&own)).await;
        let items = t.body["items"].as_array().unwrap();
        assert_eq!(
            items[0]["dossier_id"], id,
            "the returned dossier comes first"
        );
        assert_eq!(items[0]["kind"], "fix");
        assert!(items
            .iter()
            .any(|i| i["dossier_id"] == draft && i["kind"] == "submit"));
        let notices = t.body["notices"].as_array().unwrap();
        assert!(
            notices.iter().any(|n| n["dossier_id"] == id
                && n["text"].as_str().unwrap().contains("退回修改")
                && n["unread"] == true),
            "{notices:?}"
        );
        let unread = t.body["unread"].as_i64().unwrap();
        assert!(unread >= 1);

        // The page lists both; reading marks them.
        let page = env.get("/todo", Some(&own)).await;
        let html = page.body.as_str().unwrap_or_default();
        assert!(html.contains("按退回意见修改后重新提交审核"), "{html}");
        assert!(html.contains("条未读"));
        let latest = notices[0]["seq"].as_i64().unwrap();
        let r = env
            .json(
                Method::POST,
                "/api/todo/read",
                Some(&own),
                Some(json!({ "seq": latest })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let t = env.get("/api/todo", Some(&own)).await;
        assert_eq!(t.body["unread"], 0);

        // Another unit sees none of unit A's dossiers or steps.
        let t = env.get("/api/todo", Some(&other)).await;
        for list in ["items", "notices"] {
            assert!(
                !t.body[list]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["dossier_id"] == id || i["dossier_id"] == draft),
                "{list}: {}",
                t.body
            );
        }
    })
    .await;
}

/// 填报进度: a reviewer sees the assigned units for a year with their states, overdue
/// against the deadline the admin set; 催报 reaches the unit as a notice; units may not
/// look or remind, and only an admin sets the deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_shows_overdue_units_and_reminds_them() {
    backends(|env| async move {
        let own = env.client(UNIT_OWN).await;
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let admin = env.client(ADMIN).await;
        let year = jixiao_web::services::this_year();
        let deadline = |who, date: &str| {
            env.json(
                Method::PUT,
                "/api/progress/deadline",
                who,
                Some(json!({ "year": year, "date": date })),
            )
        };
        assert_eq!(
            deadline(Some(&rev), "2001-01-01").await.status,
            StatusCode::FORBIDDEN
        );
        let r = deadline(Some(&admin), "2025-02-30").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("截止日期"), "{}", r.error());
        // A deadline already past: nobody has filed, so every overseen unit is overdue.
        assert_eq!(
            deadline(Some(&admin), "2001-01-01").await.status,
            StatusCode::OK
        );
        let url = format!("/api/progress?year={year}");
        let p = env.get(&url, Some(&rev)).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        let rows = p.body["rows"].as_array().unwrap();
        assert!(
            rows.iter().all(|r| r["unit_id"] != env.unit_c),
            "only assigned units"
        );
        let a = rows.iter().find(|r| r["unit_id"] == env.unit_a).unwrap();
        assert_eq!(a["status_label"], "未填报");
        assert_eq!(a["overdue"], true);
        assert!(p.body["deadline"].as_i64().is_some());
        assert_eq!(
            env.get(&url, Some(&own)).await.status,
            StatusCode::FORBIDDEN
        );

        // Once submitted, the unit has handed in and is not overdue.
        let id = env.submitted_dossier(env.unit_a, year).await;
        let p = env.get(&url, Some(&rev)).await;
        let a = p.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_id"] == env.unit_a)
            .unwrap()
            .clone();
        assert_eq!(a["dossier_id"], id);
        assert_eq!(a["status_label"], "已提交");
        assert_eq!(a["overdue"], false);
        assert!(p.body["handed_in"].as_i64().unwrap() >= 1);

        // 催报 reaches the unit's 消息; with nothing left to remind, a clear refusal.
        let r = env
            .json(
                Method::POST,
                "/api/progress/remind",
                Some(&rev),
                Some(json!({ "year": year - 1, "unit_ids": [env.unit_a] })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["reminded"], 1);
        let t = env.get("/api/todo", Some(&own)).await;
        assert!(
            t.body["notices"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["text"]
                    .as_str()
                    .unwrap()
                    .contains("催报：请尽快填报并提交")
                    && n["unread"] == true),
            "{}",
            t.body
        );
        let r = env
            .json(
                Method::POST,
                "/api/progress/remind",
                Some(&own),
                Some(json!({ "year": year })),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The page lists the unit with the deadline and its 催报 buttons.
        let page = env
            .get(&format!("/progress?year={year}"), Some(&admin))
            .await;
        let html = page.body.as_str().unwrap_or_default();
        assert!(
            html.contains("填报进度") && html.contains("id=\"deadline-form\""),
            "{html}"
        );
        assert!(html.contains(&format!("data-unit=\"{}\"", env.unit_a)));
    })
    .await;
}

/// 版本历史 shows the workflow steps beside the saves (提交, 撤回, 退回 …, with who and
/// which version), in the JSON history and on the page; the compare controls are labelled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_shows_the_workflow_steps() {
    backends(|env| async move {
        let own = env.client(UNIT_OWN).await;
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let id = env.blank_dossier(env.unit_a, 2024).await;
        for (who, path, body) in [
            (&own, "submit", json!({})),
            (&own, "withdraw", json!({})),
            (&own, "submit", json!({})),
            (&rev, "return", json!({ "comment": "请补充测算依据" })),
        ] {
            let r = env
                .json(
                    Method::POST,
                    &format!("/api/dossiers/{id}/{path}"),
                    Some(who),
                    Some(body),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        }
        let h = env
            .get(&format!("/api/dossiers/{id}/history"), Some(&own))
            .await;
        let steps: Vec<&str> = h.body["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["what"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            ["新建", "提交审核", "撤回提交", "提交审核", "退回修改"],
            "{}",
            h.body
        );
        assert_eq!(h.body["steps"][4]["version"], 1);
        assert_eq!(h.body["steps"][4]["by"], REVIEWER_ASSIGNED);
        let page = env.get(&format!("/dossiers/{id}"), Some(&own)).await;
        let html = page.body.as_str().unwrap_or_default();
        assert!(
            html.contains("办理记录") && html.contains("<strong>退回修改</strong>（第1版）"),
            "{html}"
        );
        assert!(html.contains("比较：从 / 到"));
    })
    .await;
}

/// 审核意见书: after a return, the unit and the reviewer download the letter as .docx (read
/// back: grade line, the four opinions, the findings, the reviewer's remark, who reviewed);
/// before any review it is 404 with the reason; another unit cannot have it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_letter_as_docx() {
    backends(|env| async move {
        use tower::ServiceExt;
        let own = env.client(UNIT_OWN).await;
        let other = env.client(UNIT_OTHER).await;
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let id = env.submitted_dossier(env.unit_a, 2024).await;
        let url = format!("/dossiers/{id}/review-letter?format=docx");
        let r = env.get(&url, Some(&own)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.as_str().unwrap_or_default().contains("尚未审核"));
        let r = env
            .json(
                Method::POST,
                &format!("/dossiers/{id}/comments").replace("/dossiers", "/api/dossiers"),
                Some(&rev),
                Some(json!({ "field": "", "body": "请补充测算依据" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{id}/return"),
                Some(&rev),
                Some(json!({ "comment": "指标值请量化" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let page = env.get(&format!("/dossiers/{id}"), Some(&own)).await;
        assert!(page
            .body
            .as_str()
            .unwrap_or_default()
            .contains("id=\"letter-docx\""));

        for who in [&own, &rev] {
            let req = request(Method::GET, &url, Some(who), "127.0.0.1")
                .body(axum::body::Body::empty())
                .unwrap();
            let res = env.app.clone().oneshot(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let disp = res.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .to_string();
            assert!(disp.contains("filename*=UTF-8''"), "{disp}");
            let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap();
            let sheet = jixiao_files::read::sniff::read_bytes(
                "letter.docx",
                &bytes,
                &jixiao_files::limits::Limits::default(),
            )
            .unwrap();
            let text: String = sheet
                .rows
                .iter()
                .flat_map(|r| r.cells.iter().map(|c| c.text.clone()))
                .collect::<Vec<_>>()
                .join("|");
            for needle in [
                "预算绩效目标审核意见书",
                "审核结论|退回修改",
                "完整性审核意见",
                "可行性审核意见",
                "审核发现的问题",
                "请补充测算依据",
                "指标值请量化",
                REVIEWER_ASSIGNED,
            ] {
                assert!(text.contains(needle), "{needle} in {text}");
            }
        }
        assert_eq!(
            env.get(&url, Some(&other)).await.status,
            StatusCode::NOT_FOUND
        );
        let bad = env
            .get(
                &format!("/dossiers/{id}/review-letter?format=exe"),
                Some(&own),
            )
            .await;
        assert_eq!(bad.status, StatusCode::NOT_FOUND);
    })
    .await;
}
