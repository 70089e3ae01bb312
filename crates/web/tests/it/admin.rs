//! Accounts an administrator can run (issue 10 §3), in process on SQLite and PostgreSQL:
//! the admin page and its actions (admin only, CSRF-protected, audited, through the
//! services), separation of duties, disabled accounts and display names.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use jixiao_store::{hash_password, NewUser, Role, Store};
use serde_json::json;

fn html(r: &Reply) -> &str {
    r.body.as_str().unwrap_or_default()
}

fn location(r: &Reply) -> &str {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
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

/// A form posted from the admin page: `fields` plus the client's CSRF token.
async fn post(env: &Env, path: &str, who: &Client, fields: &[(&str, &str)]) -> Reply {
    let mut body = format!("csrf={}", who.csrf);
    for (k, v) in fields {
        body.push_str(&format!("&{k}={}", url_encode(v)));
    }
    let req = request(Method::POST, path, Some(who), "10.20.30.40")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, ORIGIN)
        .body(Body::from(body))
        .unwrap();
    env.send(req).await
}

/// A successful action: back to the admin page with a notice.
fn done(r: &Reply) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", html(r));
    assert!(location(r).starts_with("/admin?done="), "{}", location(r));
}

macro_rules! on_every_backend {
    ($($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                backends(cases::$case).await;
            }
        )*
    };
}

on_every_backend!(
    only_admins_see_the_admin_page,
    admins_run_accounts_from_the_page,
    actions_need_the_csrf_token_and_the_admin_role,
    nobody_reviews_their_own_unit,
    disabled_accounts_cannot_log_in,
    display_names_are_shown,
    deleted_drafts_are_restored_by_an_admin,
);

mod cases {
    use super::*;

    /// Admins see units with their 主管部门, users with role, unit, display name and
    /// state, and the assignments; everyone else is refused, strangers go to the login.
    pub async fn only_admins_see_the_admin_page(env: Env) {
        let r = env.get("/admin", None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(location(&r).starts_with("/login"));
        for who in [UNIT_OWN, REVIEWER_ASSIGNED] {
            let c = env.client(who).await;
            let r = env.get("/admin", Some(&c)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
            assert!(
                !html(&r).contains(REVIEWER_UNASSIGNED),
                "{who} sees no accounts"
            );
        }
        let sub = env
            .store
            .create_unit("石峰区统战部下属单位", Some(env.unit_a), &system())
            .await
            .unwrap();
        let admin = env.client(ADMIN).await;
        let r = env.get("/admin", Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK);
        let page = html(&r);
        for text in [
            UNIT_A,
            "石峰区统战部下属单位",
            UNIT_OWN,
            REVIEWER_ASSIGNED,
            "填报",
            "审核",
            "启用",
        ] {
            assert!(page.contains(text), "{text} on the page");
        }
        // The sub-unit's row names its 主管部门.
        let row = page.split("<tr").find(|r| r.contains(&sub.name)).unwrap();
        assert!(row.contains(UNIT_A), "{row}");
        // The assignments: reviewer_assigned → unit A.
        let row = page
            .split("<tr")
            .find(|r| r.contains("data-assignment") && r.contains(REVIEWER_ASSIGNED))
            .unwrap();
        assert!(row.contains(UNIT_A), "{row}");
        assert!(r.headers.contains_key(header::CONTENT_SECURITY_POLICY));
        // The header links the page for admins only.
        assert!(page.contains(r#"href="/admin""#));
        let c = env.client(UNIT_OWN).await;
        assert!(!html(&env.get("/dossiers", Some(&c)).await).contains(r#"href="/admin""#));
    }

    /// Create a unit and a user (with a display name), rename, reset the password,
    /// disable and enable, assign and unassign: each through the page, each audited with
    /// the admin and their address; disabling and a new password end the user's sessions.
    pub async fn admins_run_accounts_from_the_page(env: Env) {
        let admin = env.client(ADMIN).await;
        done(
            &post(
                &env,
                "/admin/units",
                &admin,
                &[("name", "新的单位"), ("parent", &env.unit_b.to_string())],
            )
            .await,
        );
        let unit = env.store.unit_by_name("新的单位").await.unwrap();
        assert_eq!(unit.parent_id, Some(env.unit_b));

        done(
            &post(
                &env,
                "/admin/users",
                &admin,
                &[
                    ("username", "xinren"),
                    ("display_name", "王新人"),
                    ("role", "unit"),
                    ("unit", &unit.id.to_string()),
                    ("password", "新人的密码 123"),
                ],
            )
            .await,
        );
        let u = env.store.user_by_username("xinren").await.unwrap();
        assert_eq!(
            (u.role, u.unit_id, u.display_name.as_str()),
            (Role::Unit, Some(unit.id), "王新人")
        );
        let (r, client) = env.login("xinren", "新人的密码 123", "10.1.1.1").await;
        assert_eq!(r.status, StatusCode::OK);
        let client = client.unwrap();

        // A reviewer with a unit and a short password are refused, in Chinese.
        let r = post(
            &env,
            "/admin/users",
            &admin,
            &[
                ("username", "badrev"),
                ("role", "reviewer"),
                ("unit", &unit.id.to_string()),
                ("password", "long enough 1"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html(&r).contains("审核人员不能属于预算单位"));
        let r = post(
            &env,
            "/admin/users",
            &admin,
            &[
                ("username", "shortpw"),
                ("role", "admin"),
                ("password", "short"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html(&r).contains("8 个字符"));
        assert!(env.store.user_by_username("badrev").await.is_err());

        done(
            &post(
                &env,
                &format!("/admin/users/{}/rename", u.id),
                &admin,
                &[("display_name", "王二")],
            )
            .await,
        );
        assert_eq!(env.store.get_user(u.id).await.unwrap().display_name, "王二");

        done(
            &post(
                &env,
                &format!("/admin/users/{}/password", u.id),
                &admin,
                &[("password", "又一个新密码 456")],
            )
            .await,
        );
        assert_eq!(
            env.get("/api/dossiers", Some(&client)).await.status,
            StatusCode::UNAUTHORIZED,
            "logged out"
        );
        let (r, client) = env.login("xinren", "又一个新密码 456", "10.1.1.1").await;
        assert_eq!(r.status, StatusCode::OK);
        let client = client.unwrap();

        done(&post(&env, &format!("/admin/users/{}/disable", u.id), &admin, &[]).await);
        assert_eq!(
            env.get("/api/dossiers", Some(&client)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert!(!env.store.get_user(u.id).await.unwrap().enabled);
        let page = html(&env.get("/admin", Some(&admin)).await).to_string();
        let row = page.split("<tr").find(|r| r.contains("xinren")).unwrap();
        assert!(row.contains("停用"), "{row}");
        done(&post(&env, &format!("/admin/users/{}/enable", u.id), &admin, &[]).await);
        assert!(env.store.get_user(u.id).await.unwrap().enabled);
        // Admins cannot disable themselves (there would be nobody to undo it).
        let r = post(
            &env,
            &format!("/admin/users/{}/disable", env.users[ADMIN]),
            &admin,
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(env.store.get_user(env.users[ADMIN]).await.unwrap().enabled);

        let reviewer = env.users[REVIEWER_UNASSIGNED].to_string();
        done(
            &post(
                &env,
                "/admin/assignments",
                &admin,
                &[("reviewer", &reviewer), ("unit", &unit.id.to_string())],
            )
            .await,
        );
        assert!(env
            .store
            .reviewer_units(env.users[REVIEWER_UNASSIGNED])
            .await
            .unwrap()
            .contains(&unit.id));
        done(
            &post(
                &env,
                "/admin/assignments/remove",
                &admin,
                &[("reviewer", &reviewer), ("unit", &unit.id.to_string())],
            )
            .await,
        );
        assert!(!env
            .store
            .reviewer_units(env.users[REVIEWER_UNASSIGNED])
            .await
            .unwrap()
            .contains(&unit.id));
        let r = post(
            &env,
            "/admin/assignments",
            &admin,
            &[
                ("reviewer", &u.id.to_string()),
                ("unit", &unit.id.to_string()),
            ],
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "only reviewers are assigned"
        );

        let log = env.store.audit_log(0, 10_000).await.unwrap();
        for action in [
            "unit.create",
            "user.create",
            "user.rename",
            "user.password",
            "user.disable",
            "user.enable",
            "reviewer.assign",
            "reviewer.unassign",
        ] {
            let r = log
                .iter()
                .rev()
                .find(|r| r.action == action)
                .unwrap_or_else(|| panic!("{action} audited"));
            assert_eq!(r.actor, ADMIN, "{action} by the admin");
            assert_eq!(r.address.as_deref(), Some("10.20.30.40"), "{action}");
        }
        assert!(env.store.verify_audit().await.unwrap().is_intact());
        // The notice after an action is one of the page's own texts.
        let r = env.get("/admin?done=user-created", Some(&admin)).await;
        assert!(html(&r).contains("已新增用户"));
        let r = env.get("/admin?done=%3Cscript%3E", Some(&admin)).await;
        assert!(!html(&r).contains("<script>"));
    }

    /// Every action needs the page's CSRF token and an admin; nothing changes otherwise.
    pub async fn actions_need_the_csrf_token_and_the_admin_role(env: Env) {
        let target = env.users[UNIT_OTHER];
        let admin = env.client(ADMIN).await;
        let mut forged = admin.clone();
        forged.csrf = "0".repeat(64);
        let paths = [
            "/admin/units".to_string(),
            "/admin/users".to_string(),
            format!("/admin/users/{target}/disable"),
            format!("/admin/users/{target}/enable"),
            format!("/admin/users/{target}/password"),
            format!("/admin/users/{target}/rename"),
            "/admin/assignments".to_string(),
            "/admin/assignments/remove".to_string(),
            "/admin/dossiers/1/restore".to_string(),
        ];
        let before = env.store.audit_log(0, 10_000).await.unwrap().len();
        for path in &paths {
            let r = post(
                &env,
                path,
                &forged,
                &[
                    ("name", "x"),
                    ("password", "long enough 1"),
                    ("display_name", "x"),
                ],
            )
            .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} without the token");
            for who in [UNIT_OWN, REVIEWER_ASSIGNED] {
                let c = env.client(who).await;
                let r = post(
                    &env,
                    path,
                    &c,
                    &[
                        ("name", "x"),
                        ("password", "long enough 1"),
                        ("display_name", "x"),
                    ],
                )
                .await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} as {who}");
            }
        }
        assert!(env.store.get_user(target).await.unwrap().enabled);
        assert_eq!(
            env.store.audit_log(0, 10_000).await.unwrap().len(),
            before,
            "nothing written"
        );
    }

    /// Nobody approves or returns a dossier of their own unit, whatever their role; the
    /// same person may review other units.
    pub async fn nobody_reviews_their_own_unit(env: Env) {
        let hash = hash_password(PASSWORD).unwrap();
        let insider = env
            .store
            .create_user(
                &NewUser {
                    username: "admin_of_a",
                    password_hash: &hash,
                    role: Role::Admin,
                    unit_id: Some(env.unit_a),
                },
                &system(),
            )
            .await
            .unwrap();
        let (token, session) = env
            .store
            .create_session(insider.id, std::time::Duration::from_secs(600))
            .await
            .unwrap();
        let me = Client {
            cookie: format!("jixiao_session={token}"),
            csrf: session.csrf_token,
        };
        let opinions = json!({ "completeness": "齐全", "relevance": "相关", "appropriateness": "适当", "feasibility": "可行" });
        for (action, body) in [
            ("approve", json!({ "grade": "良", "opinions": opinions })),
            ("return", json!({ "comment": "请修改" })),
        ] {
            let own = env
                .submitted_dossier(env.unit_a, 2040 + i64::from(action == "return"))
                .await;
            let r = env
                .json(
                    Method::POST,
                    &format!("/api/dossiers/{own}/{action}"),
                    Some(&me),
                    Some(body.clone()),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}: {:?}", r.body);
            assert!(r.error().contains("本单位"), "{}", r.error());
            assert_eq!(
                env.store.get_dossier(own).await.unwrap().status,
                jixiao_domain::review::Status::Submitted
            );
            let other = env
                .submitted_dossier(env.unit_b, 2040 + i64::from(action == "return"))
                .await;
            let r = env
                .json(
                    Method::POST,
                    &format!("/api/dossiers/{other}/{action}"),
                    Some(&me),
                    Some(body),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{action} elsewhere: {:?}", r.body);
        }
    }

    /// A disabled account cannot log in (the right password says so, a wrong one does not)
    /// and its sessions are gone.
    pub async fn disabled_accounts_cannot_log_in(env: Env) {
        let (_, client) = env.login(UNIT_OTHER, PASSWORD, "10.4.4.4").await;
        let client = client.unwrap();
        env.store
            .set_user_enabled(env.users[UNIT_OTHER], false, &system())
            .await
            .unwrap();
        assert_eq!(
            env.get("/api/dossiers", Some(&client)).await.status,
            StatusCode::UNAUTHORIZED
        );
        let (r, none) = env.login(UNIT_OTHER, PASSWORD, "10.4.4.4").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(none.is_none());
        assert!(r.error().contains("停用"), "{}", r.error());
        let (r, _) = env.login(UNIT_OTHER, "错误的密码", "10.4.4.4").await;
        assert_eq!(r.error(), "用户名或密码错误");
        // A session made for a disabled account (a race with disabling) is refused too.
        let (token, session) = env
            .store
            .create_session(env.users[UNIT_OTHER], std::time::Duration::from_secs(60))
            .await
            .unwrap();
        let c = Client {
            cookie: format!("jixiao_session={token}"),
            csrf: session.csrf_token,
        };
        assert_eq!(
            env.get("/api/dossiers", Some(&c)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }

    /// Real names, where names appear: the page header, comments and the history.
    pub async fn display_names_are_shown(env: Env) {
        env.store
            .rename_user(env.users[UNIT_OWN], "张填报", &system())
            .await
            .unwrap();
        env.store
            .rename_user(env.users[REVIEWER_ASSIGNED], "李审核", &system())
            .await
            .unwrap();
        let me = env.client(UNIT_OWN).await;
        let r = env.upload(Some(&me), "seed.docx", &seed_docx(), None).await;
        let id = r.body["id"].as_i64().unwrap();
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{id}/comments"),
                Some(&rev),
                Some(json!({ "body": "请补充" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(r.body["author_name"], "李审核");
        let page = env.get(&format!("/dossiers/{id}"), Some(&me)).await;
        let page = html(&page);
        assert!(page.contains("张填报（填报）"), "the header");
        assert!(page.contains("— 李审核"), "the comment");
        assert!(page.contains("张填报<br>"), "the history");
        let history = env
            .get(&format!("/api/dossiers/{id}/history"), Some(&me))
            .await;
        assert_eq!(history.body["versions"][0]["created_by_name"], "张填报");
    }

    /// 删除: a unit deletes its draft (confirmed in the page, audited); it leaves the list,
    /// the year can be filed again, a reviewer cannot delete, a submitted dossier is not
    /// deleted; the admin page lists it and 恢复 brings it back (refused while the year is
    /// taken again).
    pub async fn deleted_drafts_are_restored_by_an_admin(env: Env) {
        let own = env.client(UNIT_OWN).await;
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let admin = env.client(ADMIN).await;
        let id = env.blank_dossier(env.unit_a, 2024).await;
        let page = env.get(&format!("/dossiers/{id}"), Some(&own)).await;
        assert!(
            html(&page).contains("id=\"delete-btn\""),
            "a draft offers 删除草稿"
        );
        let page = env.get(&format!("/dossiers/{id}"), Some(&rev)).await;
        assert!(
            !html(&page).contains("id=\"delete-btn\""),
            "not to a reviewer"
        );

        let url = format!("/api/dossiers/{id}");
        let r = env.json(Method::DELETE, &url, Some(&rev), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = env
            .json(
                Method::DELETE,
                &url,
                Some(&own),
                Some(json!({ "version": 5 })),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "a stale version: {}",
            r.body
        );
        let r = env.json(Method::DELETE, &url, Some(&own), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["deleted"], id);
        assert_eq!(
            env.get(&url, Some(&own)).await.status,
            StatusCode::NOT_FOUND
        );
        let list = env.get("/api/dossiers?limit=500", Some(&own)).await;
        assert!(!list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == id));
        let audit = env.store.audit_log(0, 100_000).await.unwrap();
        assert!(audit
            .iter()
            .any(|e| e.action == "dossier.delete" && e.target == format!("dossier:{id}")));

        // A submitted dossier is withdrawn first.
        let sub = env.submitted_dossier(env.unit_a, 2025).await;
        let r = env
            .json(
                Method::DELETE,
                &format!("/api/dossiers/{sub}"),
                Some(&own),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("请先撤回"), "{}", r.error());

        // The admin page lists it; 2024 is filed again meanwhile, so 恢复 is refused.
        let page = env.get("/admin", Some(&admin)).await;
        assert!(html(&page).contains(&format!("data-deleted=\"{id}\"")));
        let again = env.blank_dossier(env.unit_a, 2024).await;
        let restore = format!("/admin/dossiers/{id}/restore");
        let r = post(&env, &restore, &admin, &[]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", html(&r));
        assert!(html(&r).contains("不能恢复"), "{}", html(&r));
        let r = post(&env, &restore, &own, &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The unit deletes the new one; the old one comes back as it was.
        let r = env
            .json(
                Method::DELETE,
                &format!("/api/dossiers/{again}"),
                Some(&own),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        done(&post(&env, &restore, &admin, &[]).await);
        let r = env.get(&url, Some(&own)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["year"], 2024);
        assert_eq!(r.body["status"], "draft");
        let audit = env.store.audit_log(0, 100_000).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "dossier.restore"));
    }
}
