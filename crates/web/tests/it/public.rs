//! 预算公开 end to end, on SQLite and PostgreSQL: an anonymous client sees only what an
//! administrator published (every public route × published / unpublished / other year),
//! never internal data, with the sign-off redacted in every format; the year's data
//! package passes the Frictionless table-schema rules; unpublishing takes it all back.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use jixiao_store::Store;
use serde_json::json;

/// RFC 4180 rows (quotes, doubled quotes, line breaks inside quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// The Frictionless rules this package relies on: a tabular data package whose resources
/// name a path, a CSV format and a schema of uniquely named fields of known types; each
/// file's header is the field names in order, and every value fits its field's type.
async fn validate_package(env: &Env, year: i64) -> usize {
    let pkg = env
        .get(&format!("/public/data/{year}/datapackage.json"), None)
        .await;
    assert_eq!(pkg.status, StatusCode::OK);
    let p = pkg.body;
    assert!(p["name"]
        .as_str()
        .unwrap()
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._".contains(c)));
    assert_eq!(p["profile"], "fiscal-data-package");
    let mut rows = 0;
    for r in p["resources"].as_array().unwrap() {
        assert_eq!(r["profile"], "tabular-data-resource");
        assert_eq!(r["format"], "csv");
        let fields = r["schema"]["fields"].as_array().unwrap();
        let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "field names are unique");
        let path = r["path"].as_str().unwrap();
        assert!(
            !path.starts_with('/') && !path.contains(".."),
            "a relative path: {path}"
        );
        let csv = env.get(&format!("/public/data/{year}/{path}"), None).await;
        assert_eq!(csv.status, StatusCode::OK, "{path}");
        let table = parse_csv(csv.body.as_str().unwrap());
        assert_eq!(
            table[0], names,
            "{path}: the header is the schema's field names"
        );
        for row in &table[1..] {
            assert_eq!(row.len(), names.len(), "{path}: {row:?}");
            for (v, f) in row.iter().zip(fields) {
                if v.is_empty() {
                    continue; // missingValues: [""]
                }
                match f["type"].as_str().unwrap() {
                    "integer" => assert!(v.parse::<i64>().is_ok(), "{path} {}: {v}", f["name"]),
                    "number" => assert!(
                        v.parse::<rust_decimal::Decimal>().is_ok(),
                        "{path} {}: {v}",
                        f["name"]
                    ),
                    "string" => {}
                    t => panic!("unknown field type {t}"),
                }
            }
        }
        rows += table.len() - 1;
    }
    // The model's measures and dimensions point at real fields.
    let targets = &p["resources"][0]["schema"]["fields"];
    for m in p["model"]["measures"].as_object().unwrap().values() {
        assert!(targets
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == m["source"]));
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_readers_see_only_what_is_published() {
    backends(|env| async move {
        let mut forms = seed_forms();
        for f in &mut forms {
            let s = f.signoff_mut();
            s.head = "王负责".into();
            s.preparer = "张填表".into();
            s.phone = "0731-28881234".into();
        }
        let signoff = forms[0].signoff().clone();
        let a = env.approved(env.unit_a, 2023, &forms).await;
        let b = env.approved(env.unit_b, 2023, &forms).await;
        let older = env.approved(env.unit_a, 2022, &forms).await;

        // Nothing published: nothing public.
        let routes = |id: i64| {
            vec![
                format!("/public/dossiers/{id}"),
                format!("/public/dossiers/{id}/export/xlsx"),
                format!("/public/dossiers/{id}/export/csv"),
                format!("/public/dossiers/{id}/export/json"),
            ]
        };
        for id in [a, b, older] {
            for r in routes(id) {
                assert_eq!(env.get(&r, None).await.status, StatusCode::NOT_FOUND, "{r}");
            }
        }
        assert_eq!(validate_package(&env, 2023).await, 0);

        // Only an administrator publishes.
        let unit = env.client(UNIT_OWN).await;
        let r = env
            .json(
                Method::POST,
                "/api/publications",
                Some(&unit),
                Some(json!({ "year": 2023 })),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let admin = env.client(ADMIN).await;
        let r = env
            .json(
                Method::POST,
                "/api/publications",
                Some(&admin),
                Some(json!({ "year": 2023, "unit": UNIT_A })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["published"], 1);

        // Published: A of 2023, not B, not A's 2022.
        let list = env.get("/public", None).await;
        assert_eq!(list.status, StatusCode::OK);
        let l = list.body.as_str().unwrap();
        assert!(l.contains(&format!("href=\"/public/dossiers/{a}\"")));
        assert!(
            !l.contains(&format!("/public/dossiers/{b}\""))
                && !l.contains(&format!("/public/dossiers/{older}\""))
        );
        assert!(list.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .starts_with("public"));
        for id in [b, older] {
            for r in routes(id) {
                assert_eq!(env.get(&r, None).await.status, StatusCode::NOT_FOUND, "{r}");
            }
        }
        let page = env.get(&format!("/public/dossiers/{a}"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        let p = page.body.as_str().unwrap().to_string();
        assert!(p.contains("部门整体支出绩效目标表"));
        // No internal data: no findings, review, users; the sign-off redacted.
        for secret in [&signoff.phone, &signoff.preparer] {
            assert!(
                !p.contains(secret.as_str()),
                "redacted on the page: {secret}"
            );
        }
        assert!(p.contains(jixiao_web::services::public::REDACTED));
        for internal in [
            "审核意见",
            "检查结果",
            "版本",
            ADMIN,
            UNIT_OWN,
            "empty-indicator",
            "相关",
        ] {
            assert!(
                !p.contains(internal),
                "no internal data on the public page: {internal}"
            );
        }
        // Cacheable: an ETag, and 304 for it.
        let tag = page.headers[header::ETAG].to_str().unwrap().to_string();
        let req = request(
            Method::GET,
            &format!("/public/dossiers/{a}"),
            None,
            "127.0.0.1",
        )
        .header(header::IF_NONE_MATCH, &tag)
        .body(Body::empty())
        .unwrap();
        assert_eq!(env.send(req).await.status, StatusCode::NOT_MODIFIED);
        // Every format redacts.
        for fmt in ["csv", "json", "xlsx"] {
            let r = request(
                Method::GET,
                &format!("/public/dossiers/{a}/export/{fmt}"),
                None,
                "127.0.0.1",
            )
            .body(Body::empty())
            .unwrap();
            let res = tower::ServiceExt::oneshot(env.app.clone(), r)
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{fmt}");
            let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec();
            let text = if fmt == "xlsx" {
                let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                let mut all = String::new();
                for i in 0..z.len() {
                    let _ = std::io::Read::read_to_string(&mut z.by_index(i).unwrap(), &mut all);
                }
                all
            } else {
                String::from_utf8(bytes).unwrap()
            };
            assert!(text.contains("石峰"), "{fmt} holds the forms");
            for secret in [&signoff.phone, &signoff.preparer] {
                assert!(!text.contains(secret.as_str()), "{fmt} redacts {secret}");
            }
        }
        let data = env.get("/public/data/2023/data.json", None).await;
        assert!(!data.body.to_string().contains(&signoff.phone));
        assert_eq!(data.body["dossiers"].as_array().unwrap().len(), 1);
        assert!(validate_package(&env, 2023).await > 0);
        assert_eq!(
            validate_package(&env, 2022).await,
            0,
            "another year holds nothing"
        );
        let targets = env.get("/public/data/2023/targets.csv", None).await;
        assert!(targets.body.as_str().unwrap().contains(UNIT_A));
        assert!(!targets.body.as_str().unwrap().contains(UNIT_B));
        let map = env.get("/public/sitemap.xml", None).await;
        assert!(map
            .body
            .as_str()
            .unwrap()
            .contains(&format!("/public/dossiers/{a}<")));
        assert!(!map
            .body
            .as_str()
            .unwrap()
            .contains(&format!("/public/dossiers/{b}<")));

        // Unpublished: gone everywhere.
        let r = env
            .json(
                Method::DELETE,
                "/api/publications",
                Some(&admin),
                Some(json!({ "year": 2023 })),
            )
            .await;
        assert_eq!(r.body["unpublished"], 1, "{}", r.body);
        for r in routes(a) {
            assert_eq!(env.get(&r, None).await.status, StatusCode::NOT_FOUND, "{r}");
        }
        assert_eq!(validate_package(&env, 2023).await, 0);
        assert!(!env
            .get("/public/sitemap.xml", None)
            .await
            .body
            .as_str()
            .unwrap()
            .contains("/public/dossiers/"));
        // Adjusted, approved and published again: the page shows the new version (the
        // layout cached for the first publication is not reused).
        let admin_actor =
            jixiao_store::Actor::user(&env.store.get_user(env.users[ADMIN]).await.unwrap(), None);
        let mut adjusted = forms.clone();
        if let Some(jixiao_domain::Form::Project(p)) = adjusted
            .iter_mut()
            .find(|f| matches!(f, jixiao_domain::Form::Project(_)))
        {
            p.name = "公开后调整的项目".into();
        }
        let cur = env.store.get_dossier(a).await.unwrap();
        let v = env
            .store
            .save_version(
                a,
                cur.current_version,
                &adjusted,
                &[],
                &admin_actor,
                jixiao_store::SaveKind::Adjustment {
                    reason: "年中调整".into(),
                },
            )
            .await
            .unwrap()
            .version;
        for (from, action) in [
            (
                jixiao_domain::review::Status::Adjusting,
                jixiao_domain::review::Action::Submit,
            ),
            (
                jixiao_domain::review::Status::Submitted,
                jixiao_domain::review::Action::Approve {
                    grade: jixiao_domain::review::Grade::Good,
                    opinions: jixiao_domain::review::Opinions {
                        completeness: "齐全".into(),
                        relevance: "相关".into(),
                        appropriateness: "适当".into(),
                        feasibility: "可行".into(),
                    },
                },
            ),
        ] {
            env.store
                .transition(a, from, v, &action, &admin_actor)
                .await
                .unwrap();
        }
        let r = env
            .json(
                Method::POST,
                "/api/publications",
                Some(&admin),
                Some(json!({ "year": 2023 })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let page = env.get(&format!("/public/dossiers/{a}"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.as_str().unwrap().contains("公开后调整的项目"));

        let actions: Vec<String> = env
            .store
            .audit_log(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(
            actions.iter().any(|x| x == "publication.publish")
                && actions.iter().any(|x| x == "publication.unpublish")
        );
    })
    .await;
}
