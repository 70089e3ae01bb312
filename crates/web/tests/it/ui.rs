//! The HTML pages in process, on SQLite and PostgreSQL: login, the home page per role,
//! the dossier page with findings on its cells, the diff, print view and exports, and the
//! same access rules as the API (another unit's dossier is "not found").

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};

fn html(r: &Reply) -> &str {
    r.body.as_str().unwrap_or_default()
}

/// A form posted from one of this site's pages (a browser sends `Origin`).
async fn form_post(env: &Env, path: &str, who: Option<&Client>, body: &str) -> Reply {
    let req = request(Method::POST, path, who, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, ORIGIN)
        .body(Body::from(body.to_string()))
        .unwrap();
    env.send(req).await
}

fn location(r: &Reply) -> &str {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The seed uploaded by the unit: (id, version).
async fn seed(env: &Env, who: &Client) -> (i64, i64) {
    let r = env.upload(Some(who), "seed.docx", &seed_docx(), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    (
        r.body["id"].as_i64().unwrap(),
        r.body["version"].as_i64().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_send_strangers_to_login_and_back() {
    backends(|env| async move {
        let r = env.get("/dossiers/1?version=2", None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/login?next=/dossiers/1%3Fversion%3D2");

        let page = env.get("/login?next=/dossiers", None).await;
        assert_eq!(page.status, StatusCode::OK);
        let csp = page.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(html(&page).contains("用户名"), "{}", html(&page));

        let wrong = form_post(
            &env,
            "/login",
            None,
            "username=unit_own&password=nope&next=%2Fdossiers",
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(html(&wrong).contains("用户名或密码错误"));

        let pw: String = url_encode(PASSWORD);
        let ok = form_post(
            &env,
            "/login",
            None,
            &format!("username=unit_own&password={pw}&next=%2Fdossiers%2F5"),
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&ok), "/dossiers/5");
        let cookie = ok.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));

        // Only this site's paths are followed after login (tests/hardening.rs has more).
        let evil = form_post(
            &env,
            "/login",
            None,
            &format!("username=unit_own&password={pw}&next=%2F%2Fevil.example"),
        )
        .await;
        assert_eq!(location(&evil), "/");

        // Unknown pages are a Chinese page, unknown API paths JSON.
        let missing = env.get("/no-such-page", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(html(&missing).contains("页面不存在"));
        let api = env.get("/api/no-such", None).await;
        assert_eq!(api.body["error"], "接口不存在");
    })
    .await;
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_needs_the_pages_csrf_token() {
    backends(|env| async move {
        let me = env.client(UNIT_OWN).await;
        let bare = Client {
            cookie: me.cookie.clone(),
            csrf: String::new(),
        };
        let refused = form_post(&env, "/logout", Some(&bare), "csrf=wrong").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(env.get("/dossiers", Some(&me)).await.status, StatusCode::OK);

        let out = form_post(&env, "/logout", Some(&bare), &format!("csrf={}", me.csrf)).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&out), "/login");
        assert_eq!(
            env.get("/dossiers", Some(&me)).await.status,
            StatusCode::SEE_OTHER
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dossier_page_puts_findings_beside_their_cells() {
    backends(|env| async move {
        let me = env.client(UNIT_OWN).await;
        let (id, _) = seed(&env, &me).await;

        let home = env.get("/dossiers", Some(&me)).await;
        assert!(html(&home).contains(&format!("href=\"/dossiers/{id}\"")));
        assert!(html(&home).contains("2023年"));

        let page = env.get(&format!("/dossiers/{id}"), Some(&me)).await;
        assert_eq!(page.status, StatusCode::OK);
        let p = html(&page);
        assert!(p.contains("部门整体支出绩效目标表"));
        assert!(
            p.contains(&format!("content=\"{}\"", me.csrf)),
            "CSRF token for the scripts"
        );
        // The finding in the list links to the cell, and the cell carries its marker.
        let li = p
            .find("data-rule=\"empty-indicator\"")
            .expect("the empty-indicator finding");
        let n: String = p[..li]
            .rsplit("id=\"finding-")
            .next()
            .unwrap()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let marker = format!("href=\"#finding-{n}\"");
        let at = p.find(&marker).expect("a marker on the cell");
        let row_start = p[..at].rfind("<tr").unwrap();
        let row_end = at + p[at..].find("</tr>").unwrap();
        let row = &p[row_start..row_end];
        assert!(row.contains("生态效益指标"), "{row}");
        assert!(row.contains("sev-error"), "{row}");
        // In the user's terms: the table and the row and column as drawn on the page; the
        // rule id and the place in the uploaded file only behind 详情.
        let item = &p[li..li + p[li..].find("</li>").unwrap()];
        let place = &item[item.find("class=\"where\">").unwrap()..];
        let place = &place[..place.find("</div>").unwrap()];
        assert!(
            place.contains("部门整体支出绩效目标表") && place.contains("（表中第") && place.contains("列）"),
            "{place}"
        );
        assert!(!place.contains("empty-indicator") && !place.contains("格）"), "{place}");
        assert!(
            item.contains("<details class=\"rule-id\"><summary>详情</summary>规则编号 <code>empty-indicator</code>"),
            "{item}"
        );
        assert!(p.contains("id=\"finding-counts\">错误 "), "one set of counts");
        assert!(p.contains(" · 提示 "), "one set of counts");
        assert!(p.contains("id=\"edit-link\"") && p.contains("id=\"submit-btn\""));
        assert!(!p.contains("id=\"review-form\""), "units do not review");

        // A path that is not a dossier number is simply not found.
        for path in [
            "/dossiers/abc",
            "/dossiers/9x/export/pdf",
            "/dossiers/-/edit",
        ] {
            let r = env.get(path, Some(&me)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert!(html(&r).contains("档案不存在"), "{path}");
        }

        // Another unit and an unassigned reviewer: not found, as in the API.
        for who in [UNIT_OTHER, REVIEWER_UNASSIGNED] {
            let c = env.client(who).await;
            for path in [
                format!("/dossiers/{id}"),
                format!("/dossiers/{id}/diff?from=1&to=1"),
                format!("/dossiers/{id}/print"),
                format!("/dossiers/{id}/export/xlsx"),
            ] {
                let r = env.get(&path, Some(&c)).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} {path}");
                assert!(html(&r).contains("档案不存在"), "{who} {path}");
            }
        }

        // The assigned reviewer reads it; the review panel shows once it is submitted.
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let r = env.get(&format!("/dossiers/{id}"), Some(&rev)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!html(&r).contains("id=\"review-form\"") && !html(&r).contains("id=\"edit-link\""));
    })
    .await;
}

/// The reader's note that Word bookmarks were dropped is not shown to the unit that filed
/// (it is stored, and a reviewer still sees it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_housekeeping_is_not_shown_to_units() {
    backends(|env| async move {
        let me = env.client(UNIT_OWN).await;
        let text = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/seed-2023-shifeng-tongzhanbu.txt"
        ))
        .unwrap();
        let r = env.upload(Some(&me), "seed.txt", &text, None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let note = jixiao_files::read::text::BOOKMARK_NOTE;
        assert!(r.body["findings"].to_string().contains(note), "stored");
        let id = r.body["id"].as_i64().unwrap();
        let page = env.get(&format!("/dossiers/{id}"), Some(&me)).await;
        assert!(!html(&page).contains(note));
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let page = env.get(&format!("/dossiers/{id}"), Some(&rev)).await;
        assert!(html(&page).contains(note));
    })
    .await;
}

/// Each comment is listed once under 意见: one on the whole dossier and one on a cell
/// (a whole-dossier comment, the return reason among them, was listed twice).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_comment_is_listed_once() {
    backends(|env| async move {
        let me = env.client(UNIT_OWN).await;
        let (id, _) = seed(&env, &me).await;
        for (field, body) in [
            ("", "请补充部门整体目标的说明"),
            ("f0:indicators[0].value", "指标值请写成可衡量的数字"),
        ] {
            let r = env
                .json(
                    Method::POST,
                    &format!("/api/dossiers/{id}/comments"),
                    Some(&me),
                    Some(json!({ "field": field, "body": body })),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        let page = env.get(&format!("/dossiers/{id}"), Some(&me)).await;
        let p = html(&page);
        let start = p.find("<ul class=\"comments\">").expect("the comment list");
        let list = &p[start..start + p[start..].find("</ul>").unwrap()];
        for body in ["请补充部门整体目标的说明", "指标值请写成可衡量的数字"]
        {
            assert_eq!(list.matches(body).count(), 1, "{body} in {list}");
        }
        assert_eq!(list.matches("整个档案").count(), 1, "{list}");
    })
    .await;
}

/// A reviewer's remarks on cells follow the dossier into later versions, onto the row they
/// were about (found by identity after a row above was deleted), marked 已修改 once the cell
/// changed; the editor shows them beside their inputs; ticked off 已解决 they stop following.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remarks_follow_their_cells_until_resolved() {
    backends(|env| async move {
        let me = env.client(UNIT_OWN).await;
        let reviewer = env.client(REVIEWER_ASSIGNED).await;
        let (id, _) = seed(&env, &me).await;
        let d = env.get(&format!("/api/dossiers/{id}"), Some(&me)).await;
        let mut forms = d.body["forms"].clone();
        let name =
            |i: usize, f: &Value| f[0]["indicators"][i]["name"].as_str().unwrap().to_string();
        let (third, fourth) = (name(3, &forms), name(4, &forms));
        let remark = |field: &'static str, body: &'static str| {
            let env = &env;
            let reviewer = reviewer.clone();
            async move {
                let r = env
                    .json(
                        Method::POST,
                        &format!("/api/dossiers/{id}/comments"),
                        Some(&reviewer),
                        Some(json!({ "field": field, "body": body })),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                r.body["id"].as_i64().unwrap()
            }
        };
        let fixed = remark("f0:indicators[3].value", "指标值请量化").await;
        let kept = remark("f0:indicators[4].value", "请写明单位").await;
        // Version 2: row 0 deleted (rows move up), row 3's value rewritten.
        forms[0]["indicators"][3]["value"] =
            json!({ "text": "≥95%", "comparator": null, "number": "95", "unit": "%" });
        forms[0]["indicators"].as_array_mut().unwrap().remove(0);
        let saved = env.save(&me, id, &forms, json!(1)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        assert_eq!(name(2, &forms), third);
        assert_eq!(name(3, &forms), fourth);

        let page = env.get(&format!("/dossiers/{id}"), Some(&reviewer)).await;
        let p = html(&page);
        let list = &p[p.find("<ul class=\"comments\">").expect("the comment list")..];
        let list = &list[..list.find("</ul>").unwrap()];
        let item = |body: &str| {
            let at = list
                .find(body)
                .unwrap_or_else(|| panic!("{body} in {list}"));
            let start = list[..at].rfind("<li").unwrap();
            list[start..start + list[start..].find("</li>").unwrap()].to_string()
        };
        let a = item("指标值请量化");
        assert!(
            a.contains("href=\"#c0-indicators-2-value\""),
            "followed its row: {a}"
        );
        assert!(a.contains("已修改") && a.contains("对第1版"), "{a}");
        let b = item("请写明单位");
        assert!(b.contains("href=\"#c0-indicators-3-value\""), "{b}");
        assert!(
            b.contains("尚未修改") && b.contains(&format!("data-comment=\"{kept}\"")),
            "{b}"
        );
        assert!(
            a.contains("标记已解决"),
            "the reviewer can tick it off: {a}"
        );
        assert!(
            p.contains("class=\"cmark changed\""),
            "the changed cell's mark"
        );
        // The unit sees them too but may not tick off the reviewer's remarks.
        let unit_page = env.get(&format!("/dossiers/{id}"), Some(&me)).await;
        assert!(html(&unit_page).contains("指标值请量化"));
        assert!(!html(&unit_page).contains("标记已解决"));
        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{id}/comments/{fixed}/resolve"),
                Some(&me),
                Some(json!({})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        // The editor shows the open remarks where their cells are now.
        let editor = env.get(&format!("/dossiers/{id}/edit"), Some(&me)).await;
        let e = html(&editor);
        let model = &e[e.find("id=\"model\">").unwrap() + 11..];
        let model: Value =
            serde_json::from_str(&model[..model.find("</script>").unwrap()]).unwrap();
        let remarks = model["remarks"].as_array().unwrap();
        assert_eq!(remarks.len(), 2, "{remarks:?}");
        assert_eq!(remarks[0]["field"], "f0:indicators[2].value");
        assert_eq!(remarks[0]["changed"], true);
        assert_eq!(remarks[1]["field"], "f0:indicators[3].value");
        assert_eq!(remarks[1]["changed"], false);

        // 已解决: no longer carried; on its own version it shows as resolved, by whom.
        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{id}/comments/{fixed}/resolve"),
                Some(&reviewer),
                Some(json!({ "resolved": true })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body["resolved_at"].is_i64());
        let page = env.get(&format!("/dossiers/{id}"), Some(&reviewer)).await;
        assert!(!html(&page).contains("指标值请量化"));
        assert!(html(&page).contains("请写明单位"));
        let old = env
            .get(&format!("/dossiers/{id}?version=1"), Some(&reviewer))
            .await;
        assert!(
            html(&old).contains("已解决（"),
            "resolved on its own version"
        );
        let editor = env.get(&format!("/dossiers/{id}/edit"), Some(&me)).await;
        assert!(!html(&editor).contains("指标值请量化"));
    })
    .await;
}

/// 统计汇总: the page and its downloads show the numbers of GET /api/stats (the store's SQL
/// aggregates), only over the units the reviewer oversees; units may not open it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_desk_shows_the_sql_numbers() {
    backends(|env| async move {
        let me = env.client(UNIT_OWN).await;
        let (seeded, _) = seed(&env, &me).await;
        env.submitted_dossier(env.unit_b, 2023).await;
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let api = env.get("/api/stats?year=2023", Some(&rev)).await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.body);
        let units = api.body["units"].as_array().unwrap();
        assert_eq!(units.len(), 1, "only the unit overseen: {units:?}");
        assert_eq!(units[0]["dossier_id"], seeded);
        let d = env
            .get(&format!("/api/dossiers/{seeded}"), Some(&rev))
            .await;
        let (e, w) = (
            d.body["error_count"].as_i64().unwrap(),
            d.body["warning_count"].as_i64().unwrap(),
        );
        assert_eq!(units[0]["errors"], e);
        assert_eq!(units[0]["quality"], jixiao_store::stats::quality(e, w));
        assert_eq!(units[0]["total_fen"], 185_910_000, "the seed's 185.91 万元");
        let findings = d.body["findings"].as_array().unwrap();
        let empty = findings
            .iter()
            .filter(|f| f["rule"] == "empty-indicator")
            .count() as i64;
        let rule = api.body["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "empty-indicator")
            .expect("the seed's empty indicator");
        assert_eq!(rule["findings"], empty);
        let sum: i64 = api.body["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["findings"].as_i64().unwrap())
            .sum();
        assert_eq!(sum as usize, findings.len(), "every finding counted once");

        let page = env.get("/stats?year=2023", Some(&rev)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", html(&page));
        let p = html(&page);
        assert!(
            p.contains("档案 <strong>1</strong> 份"),
            "one dossier in scope"
        );
        assert!(p.contains("<strong>185.91</strong> 万元"));
        assert!(
            p.contains("<svg class=\"chart\" role=\"img\""),
            "charts drawn on the server"
        );
        assert!(!p.contains(UNIT_B), "no other unit");
        for code in [
            "status",
            "grade",
            "units",
            "parents",
            "categories",
            "rules",
            "repeats",
            "trend",
        ] {
            assert!(
                p.contains(&format!("href=\"/stats/export/{code}?year=2023\"")),
                "{code}"
            );
        }
        let x = env.get("/stats/export/units?year=2023", Some(&rev)).await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(
            x.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("spreadsheetml"),
            "{:?}",
            x.headers
        );
        let missing = env.get("/stats/export/nothing?year=2023", Some(&rev)).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);

        // The admin sees both units; a unit user is refused.
        let admin = env.client(ADMIN).await;
        let all = env.get("/api/stats?year=2023", Some(&admin)).await;
        assert_eq!(all.body["units"].as_array().unwrap().len(), 2);
        assert_eq!(
            env.get("/stats", Some(&me)).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            env.get("/api/stats", Some(&me)).await.status,
            StatusCode::FORBIDDEN
        );
        let bad = env.get("/stats?year=二〇二三", Some(&rev)).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);

        // A save changes the numbers at once (a cached answer is only reused while nothing
        // it depends on changed).
        let mut forms = d.body["forms"].clone();
        forms[0]["indicators"] = json!([]);
        let saved = env.save(&me, seeded, &forms, json!(1)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let after = env
            .get(&format!("/api/dossiers/{seeded}"), Some(&rev))
            .await;
        let api = env.get("/api/stats?year=2023", Some(&rev)).await;
        assert_eq!(api.body["units"][0]["errors"], after.body["error_count"]);
        assert_eq!(
            api.body["units"][0]["warnings"],
            after.body["warning_count"]
        );
        assert_ne!(
            (e, w),
            (
                after.body["error_count"].as_i64().unwrap(),
                after.body["warning_count"].as_i64().unwrap()
            ),
            "the save changed the counts"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewer_queue_orders_by_quality_and_filters() {
    backends(|env| async move {
        let a = env.submitted_dossier(env.unit_a, 2024).await;
        let c = env.submitted_dossier(env.unit_c, 2023).await;
        let b = env.submitted_dossier(env.unit_b, 2023).await;
        let admin = env.client(ADMIN).await;
        let queue = env.get("/dossiers", Some(&admin)).await;
        let q = html(&queue);
        assert!(q.contains("审核队列"));
        assert!(
            q.contains("href=\"/dossiers/new\""),
            "an admin may create dossiers"
        );
        for id in [a, b, c] {
            assert!(q.contains(&format!("href=\"/dossiers/{id}\"")), "{id}");
        }
        // Errors first: the seed (an error, many warnings) of a new year heads the queue.
        let (seeded, _) = seed(&env, &env.client(UNIT_OWN).await).await;
        let without_drafts = env.get("/dossiers?status=", Some(&admin)).await;
        assert!(!html(&without_drafts).contains(&format!("href=\"/dossiers/{seeded}\"")));
        assert!(html(&without_drafts).contains(&format!("href=\"/dossiers/{a}\"")));
        let all = env.get("/dossiers?status=all", Some(&admin)).await;
        let pos = |id: i64| {
            html(&all)
                .find(&format!("href=\"/dossiers/{id}\""))
                .unwrap()
        };
        assert!(pos(seeded) < pos(a) && pos(seeded) < pos(b) && pos(seeded) < pos(c));
        // Filter by unit and by search text.
        let only_c = env
            .get(&format!("/dossiers?unit={}", env.unit_c), Some(&admin))
            .await;
        assert!(html(&only_c).contains(&format!("href=\"/dossiers/{c}\"")));
        assert!(!html(&only_c).contains(&format!("href=\"/dossiers/{a}\"")));
        let search = env
            .get(
                &format!("/dossiers?q={}", url_encode("教育局")),
                Some(&admin),
            )
            .await;
        assert!(html(&search).contains(&format!("href=\"/dossiers/{c}\"")));
        assert!(!html(&search).contains(&format!("href=\"/dossiers/{b}\"")));
        // The queue's search as people type it: a year in Chinese numerals with a word.
        let search = env
            .get(
                &format!("/dossiers?q={}", url_encode("二〇二三年 教育局")),
                Some(&admin),
            )
            .await;
        assert!(html(&search).contains(&format!("href=\"/dossiers/{c}\"")));
        assert!(!html(&search).contains(&format!("href=\"/dossiers/{a}\"")));
        // 报送时间 column; ordered by time, the latest submission (b) comes first.
        assert!(q.contains("报送时间"));
        let recent = env.get("/dossiers?order=recent", Some(&admin)).await;
        let at = |id: i64| {
            html(&recent)
                .find(&format!("href=\"/dossiers/{id}\""))
                .unwrap()
        };
        assert!(at(b) < at(c) && at(c) < at(a), "newest submission first");
        assert!(html(&recent).contains("按时间排序"));

        // An assigned reviewer sees only their units, whatever the filter says.
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let mine = env
            .get(
                &format!("/dossiers?unit={}&status=", env.unit_b),
                Some(&rev),
            )
            .await;
        assert!(!html(&mine).contains(&format!("href=\"/dossiers/{b}\"")));
        let all = env.get("/dossiers?status=", Some(&rev)).await;
        assert!(
            !html(&all).contains("href=\"/dossiers/new\""),
            "reviewers do not create"
        );
        assert!(html(&all).contains(&format!("href=\"/dossiers/{a}\"")));
        assert!(!html(&all).contains(&format!("href=\"/dossiers/{b}\"")));

        // The review panel on a submitted dossier.
        let page = env.get(&format!("/dossiers/{a}"), Some(&rev)).await;
        assert!(html(&page).contains("id=\"review-form\""));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_marks_changed_cells_and_old_versions_read_only() {
    backends(|env| async move {
        let me = env.client(UNIT_OWN).await;
        let (id, version) = seed(&env, &me).await;
        let d = env.get(&format!("/api/dossiers/{id}"), Some(&me)).await;
        let mut forms = d.body["forms"].clone();
        let before = forms[0]["indicators"][0]["name"]
            .as_str()
            .unwrap()
            .to_string();
        forms[0]["indicators"][0]["name"] = json!("改过的三级指标");
        let saved = env.save(&me, id, &forms, json!(version)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

        let diff = env
            .get(&format!("/dossiers/{id}/diff?from=1&to=2"), Some(&me))
            .await;
        assert_eq!(diff.status, StatusCode::OK);
        let page = html(&diff);
        // The list of changes links to the changed cell.
        let list = &page[page.find("改动列表").expect("a list of changes")..];
        let item = &list[..list.find("</li>").unwrap()];
        assert!(
            item.contains("href=\"#c0-indicators-0-name\"") && item.contains("改过的三级指标"),
            "{item}"
        );
        assert!(item.contains(&format!("<del>{before}</del>")), "{item}");
        let p = &page[page.find("class=\"paper\"").unwrap()..];
        let at = p.find("改过的三级指标").expect("the new text");
        let cell = &p[p[..at].rfind("<td").unwrap()..at + p[at..].find("</td>").unwrap()];
        assert!(cell.contains("diff-changed"), "{cell}");
        assert!(
            cell.contains(&format!("<del aria-label=\"删去\">{before}</del>")),
            "{cell}"
        );

        // Version 3: one character of a long text fixed, the sign-off's phone changed and
        // one indicator row deleted. The diff shows exactly these three things.
        let mut forms3 = forms.clone();
        let duties = forms3[0]["duties"].as_str().unwrap().to_string();
        assert!(duties.contains("选拨"));
        forms3[0]["duties"] = json!(duties.replacen("选拨", "选拔", 1));
        forms3[0]["signoff"]["phone"] = json!("0731-22222222");
        let gone = forms3[0]["indicators"].as_array_mut().unwrap().remove(2);
        let saved = env.save(&me, id, &forms3, json!(2)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let diff = env
            .get(&format!("/dossiers/{id}/diff?from=2&to=3"), Some(&me))
            .await;
        let page = html(&diff);
        let list = &page[page.find("改动列表").expect("a list of changes")..];
        let list = &list[..list.find("</ol>").unwrap()];
        assert_eq!(list.matches("<li>").count(), 2, "{list}");
        assert!(
            list.contains("<del>拨</del>") || list.contains("拨</del>"),
            "{list}"
        );
        assert!(
            list.contains("联系电话") && list.contains("0731-22222222"),
            "{list}"
        );
        let removed = &page[page.find("删除的内容").expect("removed rows")..];
        let removed = &removed[..removed.find("</ul>").unwrap()];
        assert_eq!(removed.matches("<li>").count(), 1, "{removed}");
        assert!(
            removed.contains(gone["name"].as_str().unwrap()),
            "{removed}"
        );
        let p = &page[page.find("class=\"paper\"").unwrap()..];
        assert!(p.contains("<del aria-label=\"删去\">拨</del><ins aria-label=\"加入\">拔</ins>"));

        // The old version reads, without edit or submit buttons.
        let old = env
            .get(&format!("/dossiers/{id}?version=1"), Some(&me))
            .await;
        assert!(html(&old).contains("历史版本，只读"));
        assert!(!html(&old).contains("id=\"edit-link\""));
        assert!(html(&old).contains(&before));

        let same = env
            .get(&format!("/dossiers/{id}/diff?from=2&to=2"), Some(&me))
            .await;
        assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_view_and_exports_come_from_the_stored_forms() {
    backends(|env| async move {
        let me = env.client(UNIT_OWN).await;
        let (id, _) = seed(&env, &me).await;
        let print = env.get(&format!("/dossiers/{id}/print"), Some(&me)).await;
        assert_eq!(print.status, StatusCode::OK);
        let p = html(&print);
        assert!(p.starts_with("<!DOCTYPE html>") || p.starts_with("<!doctype html>"));
        assert!(p.contains("填报单位（盖章）") && p.contains("金额单位：万元"));
        // On screen: the way back and a 打印 button (its one script), neither printed.
        assert_eq!(
            p.matches("<script").count(),
            1,
            "only the print button's script"
        );
        assert!(p.contains("src=\"/static/print.js?v="));
        assert!(p.contains(&format!("href=\"/dossiers/{id}\" id=\"print-back\"")));
        assert!(
            p.contains("id=\"print-btn\"")
                && p.contains("@media print { .print-bar { display: none; } }")
        );
        let js = env.get("/static/print.js", Some(&me)).await;
        assert_eq!(js.status, StatusCode::OK);

        for (fmt, ctype) in [
            (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                "docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            ("csv", "text/csv; charset=utf-8"),
            ("json", "application/json"),
        ] {
            let r = env
                .get(&format!("/dossiers/{id}/export/{fmt}"), Some(&me))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{fmt}");
            assert_eq!(r.headers[header::CONTENT_TYPE], ctype, "{fmt}");
            let disp = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
            assert!(
                disp.starts_with("attachment;") && disp.contains("filename*=UTF-8''"),
                "{disp}"
            );
        }
        let csv = env
            .get(&format!("/dossiers/{id}/export/csv"), Some(&me))
            .await;
        assert!(html(&csv).contains("生态效益指标"));
        let json = env
            .get(&format!("/dossiers/{id}/export/json"), Some(&me))
            .await;
        assert!(
            json.body.is_object() || json.body.is_array(),
            "{}",
            json.body
        );
        let unknown = env
            .get(&format!("/dossiers/{id}/export/exe"), Some(&me))
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert!(matches!(unknown.body, Value::String(_)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_are_cacheable_and_small() {
    backends(|env| async move {
        let css = env.get("/static/app.css", None).await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(css.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable"));
        assert_eq!(
            env.get("/static/nope.js", None).await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}
