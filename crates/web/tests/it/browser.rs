//! The whole filing and review flow in real headless Chromium, driven over WebDriver
//! (Debian `chromium` + `chromium-driver`): the unit uploads the seed .docx, sees the
//! `empty-indicator` finding beside the 生态效益指标 row, fixes it and submits; the
//! reviewer returns it with a comment; the unit fixes and resubmits; the reviewer approves
//! with 良; the approved dossier is read-only; its PDF holds its text (pdftotext); an admin
//! gives the reviewer a display name on the admin page.
//!
//! Uses `JIXIAO_WEBDRIVER` (e.g. `http://127.0.0.1:9515`, started by `.ci/run`) when set,
//! otherwise starts its own `chromedriver`. Without chromedriver the test is skipped,
//! unless `JIXIAO_REQUIRE_TOOLS=1` (CI), where that is a failure. Screenshots of the main
//! pages go to `JIXIAO_SCREENSHOTS` (a folder) when set: docs/screenshots is made so.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use jixiao_store::{hash_password, Actor, AnyStore, NewUser, Role, SqliteStore, Store};
use jixiao_web::{serve_on, AppState};
use serde_json::{json, Value};

const UNIT: &str = "中共株洲市石峰区委员会统一战线工作部";
const PASSWORD: &str = "浏览器测试密码 1";
const WAIT: Duration = Duration::from_secs(30);

fn require_tools() -> bool {
    std::env::var("JIXIAO_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

fn which(cmd: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(cmd))
            .find(|p| p.is_file())
    })
}

/// A chromedriver this test started; killed on drop.
struct Driver {
    child: Option<Child>,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

async fn driver() -> Option<Driver> {
    if let Ok(url) = std::env::var("JIXIAO_WEBDRIVER") {
        return Some(Driver { child: None, url });
    }
    let Some(bin) = which("chromedriver") else {
        assert!(
            !require_tools(),
            "chromedriver is required (JIXIAO_REQUIRE_TOOLS=1) but not installed"
        );
        eprintln!("skipped: chromedriver is not installed (apt install chromium chromium-driver)");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let child = Command::new(bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let d = Driver {
        child: Some(child),
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(d);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

async fn browser(driver: &Driver, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("JIXIAO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                "--window-size=1366,768", "--lang=zh-CN",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session")
}

/// The server on a fresh SQLite file: the seed's unit, a unit user and a reviewer assigned
/// to the unit; no dossier yet.
async fn server(dir: &Path) -> (SocketAddr, AnyStore, AppState) {
    let store: AnyStore = SqliteStore::open(dir.join("jixiao.db"))
        .await
        .unwrap()
        .into();
    let actor = Actor::system("browser-test");
    let unit = store.create_unit(UNIT, None, &actor).await.unwrap();
    let hash = hash_password(PASSWORD).unwrap();
    store
        .create_user(
            &NewUser {
                username: "tianbao",
                password_hash: &hash,
                role: Role::Unit,
                unit_id: Some(unit.id),
            },
            &actor,
        )
        .await
        .unwrap();
    let reviewer = store
        .create_user(
            &NewUser {
                username: "shenhe",
                password_hash: &hash,
                role: Role::Reviewer,
                unit_id: None,
            },
            &actor,
        )
        .await
        .unwrap();
    store
        .assign_reviewer(reviewer.id, unit.id, &actor)
        .await
        .unwrap();
    store
        .create_user(
            &NewUser {
                username: "guanli",
                password_hash: &hash,
                role: Role::Admin,
                unit_id: None,
            },
            &actor,
        )
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::with(
        store.clone(),
        jixiao_domain::Profile::builtin("hunan-zhuzhou").unwrap(),
        jixiao_web::Config::default(),
    );
    tokio::spawn(serve_on(listener, state.clone(), std::future::pending()));
    (addr, store, state)
}

struct Flow {
    c: Client,
    base: String,
    shots: Option<PathBuf>,
}

impl Flow {
    async fn go(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn css(&self, sel: &str) -> Element {
        self.c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(sel))
            .await
            .unwrap_or_else(|e| panic!("no element {sel}: {e}"))
    }

    /// Clicks `sel` after bringing it to the middle of the screen, as a user scrolls to
    /// what they click (the reviewer's bar covers the bottom edge).
    async fn click(&self, sel: &str) {
        let e = self.css(sel).await;
        let arg = serde_json::to_value(&e).unwrap();
        self.c
            .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
            .await
            .unwrap();
        e.click().await.unwrap();
    }

    async fn type_in(&self, sel: &str, text: &str) {
        self.css(sel).await.send_keys(text).await.unwrap();
    }

    /// Waits until the dossier page's status badge reads `label`.
    async fn until_status(&self, label: &str) {
        let script = format!(
            "const s = document.getElementById('status'); return !!s && s.textContent.trim() === '{label}';"
        );
        self.until(&format!("the status {label}"), &script).await;
    }

    async fn has(&self, sel: &str) -> bool {
        !self.c.find_all(Locator::Css(sel)).await.unwrap().is_empty()
    }

    async fn path(&self) -> String {
        self.c.current_url().await.unwrap().path().to_string()
    }

    async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.c
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until `script` returns true (polling), or fails with `what`.
    async fn until(&self, what: &str, script: &str) {
        for _ in 0..300 {
            if self.js(script, vec![]).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("timed out waiting for: {what}");
    }

    /// Every main page is checked for controls a screen reader could not name, and
    /// saved as a screenshot when asked.
    async fn shot(&self, name: &str) {
        let unnamed = self
            .js(
                r#"return [...document.querySelectorAll(
                     'input:not([type=hidden]), select, textarea, button, a[href]')]
                   .filter(e => e.offsetParent !== null || e.type === 'file')
                   .filter(e => {
                     if (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.title) return false;
                     if (e.tagName === 'BUTTON' || e.tagName === 'A') return !e.textContent.trim();
                     return !(e.labels && e.labels.length);
                   })
                   .map(e => e.outerHTML.slice(0, 160));"#,
                vec![],
            )
            .await;
        assert_eq!(
            unnamed,
            json!([]),
            "controls without an accessible name on {name}"
        );
        let ids = self
            .js(
                "const seen = new Set(), dup = [];
                 document.querySelectorAll('[id]').forEach(e => { if (seen.has(e.id)) dup.push(e.id); seen.add(e.id); });
                 return dup;",
                vec![],
            )
            .await;
        assert_eq!(ids, json!([]), "duplicate ids on {name}");
        if let Some(dir) = &self.shots {
            let png = self.c.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
        }
    }

    async fn login(&self, user: &str) {
        if self.has("form[action='/logout'] button").await {
            self.click("form[action='/logout'] button").await;
            self.css("#username").await;
        }
        self.go("/login").await;
        self.type_in("#username", user).await;
        self.type_in("#password", PASSWORD).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        self.css("form[action='/logout']").await;
    }

    /// Types into an editor input (by its `data-path`), replacing what it held.
    async fn fill(&self, path: &str, text: &str) {
        let el = self.css(&format!("[data-path=\"{path}\"]")).await;
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    /// Saves in the editor and waits for the save to be acknowledged.
    async fn save(&self) {
        let before = self
            .js(
                "return document.getElementById('editor').dataset.version || ''",
                vec![],
            )
            .await;
        self.click("#save-btn").await;
        let script = format!(
            "return (document.getElementById('editor').dataset.version || '') !== {before}"
        );
        self.until("the editor saved a new version", &script).await;
    }

    /// The PDF behind the link `sel`, fetched with the browser's session, as text without
    /// whitespace (`pdftotext -raw` keeps a wrapped cell's lines together).
    async fn pdf_text(&self, sel: &str, file: &Path) -> String {
        let href = self
            .css(sel)
            .await
            .attr("href")
            .await
            .unwrap()
            .expect("a PDF link");
        let bytes = self
            .c
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   fetch(arguments[0]).then(r => r.arrayBuffer())
                     .then(b => done(Array.from(new Uint8Array(b))), e => done(String(e)));"#,
                vec![json!(href)],
            )
            .await
            .unwrap();
        let bytes: Vec<u8> = serde_json::from_value(bytes).expect("PDF bytes");
        assert!(bytes.starts_with(b"%PDF"), "a PDF behind {sel}");
        std::fs::write(file, &bytes).unwrap();
        let out = Command::new("pdftotext")
            .arg("-raw")
            .arg(file)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils)");
        String::from_utf8_lossy(&out.stdout)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    /// Answers the page's confirmation dialogs with `yes`, keeping what they asked in
    /// `window.__asked` (until the page reloads).
    async fn confirm(&self, yes: bool) {
        self.js(
            &format!("window.__asked = []; window.confirm = (m) => {{ window.__asked.push(m); return {yes}; }}; return true;"),
            vec![],
        )
        .await;
    }

    /// What the last confirmation asked.
    async fn asked(&self) -> String {
        self.js("return (window.__asked || []).slice(-1)[0] || ''", vec![])
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn dossier_id(&self) -> i64 {
        let path = self.path().await;
        path.trim_start_matches("/dossiers/")
            .split('/')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not on a dossier page: {path}"))
    }
}

fn seed_docx() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/seed-2023-shifeng-tongzhanbu.docx")
        .canonicalize()
        .unwrap()
}

/// The field (`indicators[8].name`) of the cell the `empty-indicator` finding marks, after
/// checking that the cell sits in the row of 生态效益指标.
async fn empty_indicator_cell(f: &Flow) -> String {
    let found = f
        .js(
            r##"
            const li = document.querySelector('li.finding[data-rule="empty-indicator"]');
            if (!li) return {error: 'no empty-indicator finding'};
            const n = li.id.replace('finding-', '');
            const mark = document.querySelector('a.fmark[href="#finding-' + n + '"]');
            if (!mark) return {error: 'no marker on a cell'};
            const cell = mark.closest('td,th');
            const row = cell.closest('tr');
            return {field: cell.dataset.field, row: row.textContent, cls: cell.className};
            "##,
            vec![],
        )
        .await;
    assert!(found.get("error").is_none(), "{found}");
    let row = found["row"].as_str().unwrap();
    assert!(row.contains("生态效益指标"), "marked row: {row}");
    assert!(
        found["cls"].as_str().unwrap().contains("sev-error"),
        "{found}"
    );
    found["field"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unit_files_reviewer_returns_then_approves_in_chromium() {
    let Some(driver) = driver().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (addr, store, _) = server(dir.path()).await;
    let shots = std::env::var_os("JIXIAO_SCREENSHOTS").map(PathBuf::from);
    if let Some(s) = &shots {
        std::fs::create_dir_all(s).unwrap();
    }
    let c = browser(&driver, &dir.path().join("chromium-profile")).await;
    let f = Flow {
        c,
        base: format!("http://{addr}"),
        shots,
    };

    // Not signed in: any page leads to the login page.
    f.go("/dossiers").await;
    f.css("#username").await;
    assert_eq!(f.path().await, "/login");
    f.shot("01-login").await;

    // The unit uploads the seed .docx and sees a preview with what was read.
    f.login("tianbao").await;
    f.go("/dossiers/new").await;
    f.type_in("#upload-file", &seed_docx().display().to_string())
        .await;
    f.until(
        "the preview of the upload",
        "const p = document.getElementById('preview'); return !!p && p.textContent.includes('生态效益指标');",
    )
    .await;
    // 未识别的内容: what the reader left unused, with place and reason, behind a toggle.
    f.until(
        "the unread cells of the upload",
        "const s = document.querySelector('#preview details.pv-unread summary'); return !!s && /未识别的内容（\\d+ 处/.test(s.textContent) && document.querySelector('#preview details.pv-unread').textContent.includes('附表2');",
    )
    .await;
    f.shot("02-upload-preview").await;
    f.click("#create-btn").await;
    f.until(
        "the dossier page",
        "return /^\\/dossiers\\/\\d+$/.test(location.pathname)",
    )
    .await;
    let id = f.dossier_id().await;
    f.css("#findings-title").await;
    // The upload itself was stored (not just the previewed forms): findings name the file.
    let v1 = store.get_version(id, 1).await.unwrap();
    assert!(
        !v1.findings.is_empty()
            && v1
                .findings
                .iter()
                .all(|x| x.location.file == "seed-2023-shifeng-tongzhanbu.docx"),
        "{:?}",
        v1.findings.first().map(|x| &x.location.file)
    );

    // The empty-indicator finding sits beside the 生态效益指标 row; the finding jumps to it.
    let field = empty_indicator_cell(&f).await;
    let k: usize = field
        .trim_start_matches("indicators[")
        .split(']')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an indicator cell: {field}"));
    f.shot("03-dossier-findings").await;
    f.click("li.finding[data-rule='empty-indicator'] a.jump")
        .await;
    let hash =
        f.c.current_url()
            .await
            .unwrap()
            .fragment()
            .map(str::to_string);
    assert!(
        hash.is_some_and(|h| h.contains(&format!("indicators-{k}"))),
        "jumped to the cell"
    );

    // Fix it in the editor: the findings refresh without a reload, then save and submit.
    f.click("#edit-link").await;
    f.css("#editor").await;
    f.shot("04-editor").await;
    f.js("window.__same_page = true", vec![]).await;
    f.fill(&format!("f0:indicators[{k}].name"), "办公区绿化覆盖率")
        .await;
    f.fill(&format!("f0:indicators[{k}].value"), "≥30%").await;
    // Amounts as people type them are read exactly into the form's unit (万元).
    let cases =
        f.c.execute_async(
            r#"const done = arguments[arguments.length - 1];
               const src = document.querySelector('script[type=module]').src.replace(/editor-[a-z]+\.js$/, 'editor-util.js');
               import(src).then((m) => done([
                 '12万元', '12万', '120000元', '十二万', '１２', '1,200.50', '三千五百元',
                 '十二万五千元', '0.5亿元', '￥ 8,000 元', '185.91', '一百二十万', '二〇二三', '',
                 '12块', '-5', '99999999999999元'
               ].map((t) => { const r = m.toWan(t); return r.error ? 'ERR' : String(r.wan); })));"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        cases,
        json!([
            "12",
            "12",
            "12",
            "12",
            "12",
            "1200.5",
            "0.35",
            "12.5",
            "5000",
            "0.8",
            "185.91",
            "120",
            "2023",
            "null",
            "ERR",
            "ERR",
            "9999999999.9999"
        ])
    );
    f.fill("f0:budget.total", "十二块").await;
    f.until(
        "the refusal written beside the cell",
        "const i = document.querySelector('[data-path=\"f0:budget.total\"]'); const n = document.getElementById(i.id + '-note'); return i.getAttribute('aria-invalid') === 'true' && !!n && n.textContent.includes('看不懂这个金额');",
    )
    .await;
    f.fill("f0:budget.total", "1,859,100元").await;
    f.until(
        "the amount read in 万元 beside the cell",
        "const n = document.getElementById(document.querySelector('[data-path=\"f0:budget.total\"]').id + '-note'); return !!n && n.textContent === '= 185.91 万元';",
    )
    .await;
    let shown = f
        .js(
            "document.activeElement.blur(); return document.querySelector('[data-path=\"f0:budget.total\"]').value",
            vec![],
        )
        .await;
    assert_eq!(
        shown,
        json!("185.91"),
        "written normalised once the cell is left"
    );
    f.until(
        "live findings without the empty-indicator error",
        r#"const l = document.getElementById('findings');
           return !!l && l.dataset.checked === 'true' && !l.textContent.includes('生态效益指标一行未填写');"#,
    )
    .await;
    assert_eq!(
        f.js("return window.__same_page === true", vec![]).await,
        json!(true),
        "findings refreshed without a page reload"
    );
    f.save().await;
    f.go(&format!("/dossiers/{id}")).await;
    assert!(!f.has("li.finding[data-rule='empty-indicator']").await);
    // 提交审核 asks first and says afterwards, on the reloaded page.
    f.confirm(true).await;
    f.click("#submit-btn").await;
    f.until_status("已提交").await;
    f.until(
        "the lasting submit notice",
        "const n = document.getElementById('notice'); return !n.hidden && n.textContent.includes('已提交审核');",
    )
    .await;
    assert!(
        !f.has("#edit-link").await,
        "a submitted dossier is not editable"
    );
    // 撤回 (confirmed) takes it back to 草稿; it is submitted again.
    f.js("window.confirm = () => true; return true;", vec![])
        .await;
    f.click("#withdraw-btn").await;
    f.until_status("草稿").await;
    assert!(
        f.has("#edit-link").await,
        "a withdrawn dossier is editable again"
    );
    f.confirm(true).await;
    f.click("#submit-btn").await;
    f.until_status("已提交").await;

    // The reviewer finds it in the queue and returns it with a comment.
    f.login("shenhe").await;
    f.go("/dossiers").await;
    f.css(&format!("a[href='/dossiers/{id}']")).await;
    f.shot("05-review-queue").await;
    f.go(&format!("/dossiers/{id}")).await;
    f.css("#review-form").await;
    // A comment on the cell of a finding, picked from the keyboard-reachable button.
    f.click("li.finding[data-rule='vague-value'] button.comment-on")
        .await;
    let field = f.css("#comment-field").await.prop("value").await.unwrap();
    assert!(
        field
            .as_deref()
            .is_some_and(|v| v.starts_with("f0:indicators[")),
        "{field:?}"
    );
    f.type_in("#comment-body", "这个指标值请量化。").await;
    f.click("#comment-form button[type=submit]").await;
    f.until(
        "the comment beside its cell",
        "return !!document.querySelector('.paper td .cmark') && document.querySelector('ul.comments').textContent.includes('这个指标值请量化');",
    )
    .await;
    f.css("#review-form").await;
    f.type_in(
        "#op-comment",
        "社会效益指标“不断加强”无法衡量，请改为可量化的指标值。",
    )
    .await;
    f.type_in("#op-relevance", "指标与部门职责相关。").await;
    f.shot("06-review-panel").await;
    // With the form's own buttons out of sight (a short screen: the side panel scrolls on
    // its own), the decisions sit in a bar at the bottom of the screen.
    f.c.set_window_size(1366, 420).await.unwrap();
    f.js(
        "document.querySelector('aside.side').scrollTop = 0; return true;",
        vec![],
    )
    .await;
    f.until(
        "the review bar on screen",
        "const bar = document.getElementById('review-bar'); const b = bar.getBoundingClientRect(); return !bar.hidden && b.bottom <= window.innerHeight + 1 && b.top < window.innerHeight;",
    )
    .await;
    f.confirm(true).await;
    f.click("#bar-return").await;
    f.until_status("退回修改").await;
    f.c.set_window_size(1366, 768).await.unwrap();
    f.until(
        "the lasting return notice",
        "const n = document.getElementById('notice'); return !n.hidden && n.textContent.includes('已退回单位修改');",
    )
    .await;

    // The unit sees why, fixes and resubmits. The header's 待办 count says so first, and
    // 待办 lists the dossier to fix with an unread notice, read once the page is shown.
    f.login("tianbao").await;
    f.until(
        "the 待办 count in the header",
        "const b = document.getElementById('todo-badge'); return !!b && !b.hidden && Number(b.textContent) > 0;",
    )
    .await;
    f.click("#todo-link").await;
    f.until(
        "the 待办 page",
        &format!("return !!document.querySelector('#todo-items tr[data-kind=\"fix\"] a[href=\"/dossiers/{id}\"]') && !!document.querySelector('#notices li.unread');"),
    )
    .await;
    f.shot("07a-todo").await;
    f.go("/dossiers").await;
    f.until(
        "the notices read",
        "const b = document.getElementById('todo-badge'); return !!b && b.parentElement.getAttribute('aria-label') !== null && b.parentElement.getAttribute('aria-label').includes('未读消息 0 条');",
    )
    .await;
    f.go(&format!("/dossiers/{id}")).await;
    let why = f.css("section.returned").await.text().await.unwrap();
    assert!(why.contains("请改为可量化的指标值"), "{why}");
    assert!(
        f.has(".paper td .cmark").await,
        "the reviewer's cell comment is shown on the cell"
    );
    f.shot("07-returned").await;
    f.click("#edit-link").await;
    f.css("#editor").await;
    let social = f
        .js(
            r#"const i = [...document.querySelectorAll('[data-path^="f0:indicators["][data-path$="].value"]')]
                 .find(e => e.value === '不断加强');
               return i ? i.dataset.path : null;"#,
            vec![],
        )
        .await;
    let social = social
        .as_str()
        .expect("the 不断加强 value input")
        .to_string();
    f.fill(&social, "统战对象座谈会≥4次").await;
    f.save().await;
    f.go(&format!("/dossiers/{id}")).await;
    f.confirm(true).await;
    f.click("#submit-btn").await;
    f.until_status("已提交").await;

    // The reviewer compares the versions and approves with 良.
    f.login("shenhe").await;
    f.go(&format!("/dossiers/{id}/diff")).await;
    let diff = f.css("main").await.text().await.unwrap();
    assert!(
        diff.contains("统战对象座谈会≥4次"),
        "the diff shows the change"
    );
    assert!(f.has(".paper .diff-changed").await);
    f.shot("08-diff").await;
    f.go(&format!("/dossiers/{id}")).await;
    // 审核通过 without a grade: the message says so, the first grade gets the focus (in
    // view), and the notice bar stays small and can be closed.
    f.click("#approve-btn").await;
    f.until(
        "the grade prompt",
        "return !document.getElementById('notice').hidden && document.getElementById('notice').textContent.includes('请先选择审核等级')",
    )
    .await;
    assert_eq!(
        f.js(
            "const a = document.activeElement; return a && a.name === 'grade';",
            vec![]
        )
        .await,
        json!(true),
        "the grades have the focus"
    );
    assert_eq!(
        f.js(
            "return document.getElementById('notice').getBoundingClientRect().height <= window.innerHeight * 0.31;",
            vec![]
        )
        .await,
        json!(true),
        "the notice bar takes at most a third of the screen"
    );
    f.click("#notice-close").await;
    f.until(
        "the notice closed",
        "return document.getElementById('notice').hidden;",
    )
    .await;
    // 中 returns the dossier: said before, and nothing happens when the reviewer declines.
    f.click("#review-form input[name=grade][value='中']").await;
    f.type_in("#op-completeness", "表内要素齐全。").await;
    f.confirm(false).await;
    f.click("#approve-btn").await;
    f.until(
        "the missing opinions named",
        "const n = document.getElementById('notice'); return !n.hidden && n.textContent.includes('相关性、适当性、可行性');",
    )
    .await;
    for (sel, text) in [
        ("#op-relevance", "指标与职责相关。"),
        ("#op-appropriateness", "资金测算合理。"),
        ("#op-feasibility", "目标可实现。"),
    ] {
        f.type_in(sel, text).await;
    }
    f.click("#approve-btn").await;
    assert!(
        f.asked().await.contains("将退回单位修改"),
        "{}",
        f.asked().await
    );
    f.until_status("已提交").await;
    f.js(
        "for (const k of ['completeness','relevance','appropriateness','feasibility']) document.getElementById('op-' + k).value = ''; return true;",
        vec![],
    )
    .await;
    f.click("#review-form input[name=grade][value='良']").await;
    for (sel, text) in [
        ("#op-completeness", "表内要素齐全。"),
        ("#op-relevance", "指标与职责相关。"),
        ("#op-appropriateness", "资金测算合理。"),
        ("#op-feasibility", "目标可实现。"),
    ] {
        f.type_in(sel, text).await;
    }
    f.confirm(true).await;
    f.click("#approve-btn").await;
    f.until_status("审核通过").await;
    f.until(
        "the lasting approval notice",
        "const n = document.getElementById('notice'); return !n.hidden && n.textContent.includes('已审核通过（等级“良”）');",
    )
    .await;

    // 批量打印: the year's approved dossiers as one PDF, made in the background while the
    // page shows progress, then offered for download.
    f.go("/dossiers").await;
    f.css("#batch-form").await;
    f.js(
        "document.getElementById('batch-year').value = '2023'; document.getElementById('batch-format').value = 'print';",
        vec![],
    )
    .await;
    f.click("#batch-approved").await;
    f.until(
        "the batch download",
        "return !!document.getElementById('batch-download')",
    )
    .await;
    f.shot("12-batch-export").await;
    let batch = f
        .pdf_text("#batch-download", &dir.path().join("batch.pdf"))
        .await;
    assert!(
        batch.contains("部门整体支出绩效目标表"),
        "the forms are printed"
    );

    // 统计汇总 from the header: the year's numbers with charts drawn on the server.
    f.click("#stats-link").await;
    f.css("#stats-summary").await;
    f.go("/stats?year=2023").await;
    let summary = f.css("#stats-summary").await.text().await.unwrap();
    assert!(
        summary.contains("档案 1 份") && summary.contains("185.91"),
        "{summary}"
    );
    assert!(
        f.has("#stats-rules svg.chart").await,
        "a chart of the common problems"
    );
    f.shot("13-stats").await;

    // Approved is read-only: no edit or submit, and the API refuses a plain save.
    f.login("tianbao").await;
    f.go(&format!("/dossiers/{id}")).await;
    f.css("#locked").await;
    assert!(!f.has("#edit-link").await && !f.has("#submit-btn").await);
    f.shot("09-approved").await;

    // On a tablet (portrait) the page reflows: the side panel moves under the forms and
    // nothing pushes the page wider than the screen.
    f.c.set_window_size(820, 1180).await.unwrap();
    f.go(&format!("/dossiers/{id}")).await;
    f.css("#locked").await;
    let fits = f
        .js(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth",
            vec![],
        )
        .await;
    assert_eq!(fits, json!(true), "no horizontal scrolling on a tablet");
    let stacked = f
        .js(
            "const p = document.getElementById('paper').getBoundingClientRect();
             const s = document.querySelector('aside.side').getBoundingClientRect();
             return s.top >= p.bottom - 1;",
            vec![],
        )
        .await;
    assert_eq!(stacked, json!(true), "the side panel sits under the forms");
    f.shot("10-tablet").await;
    f.c.set_window_size(1366, 768).await.unwrap();
    let status =
        f.c.execute_async(
            r#"const done = arguments[arguments.length - 1];
               const id = arguments[0];
               const csrf = document.querySelector('meta[name="csrf-token"]').content;
               fetch('/api/dossiers/' + id).then(r => r.json()).then(d =>
                 fetch('/api/dossiers/' + id, {method: 'PUT',
                   headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
                   body: JSON.stringify({forms: d.forms, base_version: d.version})}))
               .then(r => done(r.status), e => done(String(e)));"#,
            vec![json!(id)],
        )
        .await
        .unwrap();
    assert_eq!(status, json!(422), "saving an approved dossier is refused");
    let d = store.get_dossier(id).await.unwrap();
    assert_eq!(d.status.label(), "审核通过");
    assert_eq!(d.grade.map(|g| g.label()), Some("良"));

    // The print view: 打印 opens the browser's print dialog, 返回档案 leads back.
    f.go(&format!("/dossiers/{id}/print")).await;
    f.js(
        "window.__printed = 0; window.print = () => { window.__printed += 1; }; return true;",
        vec![],
    )
    .await;
    f.click("#print-btn").await;
    assert_eq!(f.js("return window.__printed", vec![]).await, json!(1));
    f.click("#print-back").await;
    f.css("#locked").await;

    // Its PDF, fetched with the browser's session from the dossier page's link.
    let text = f
        .pdf_text("a[data-export='pdf']", &dir.path().join("dossier.pdf"))
        .await;
    for needle in [
        "部门整体支出绩效目标表",
        UNIT,
        "办公区绿化覆盖率",
        "统战对象座谈会≥4次",
        "185.91",
    ] {
        assert!(text.contains(needle), "the PDF holds {needle}");
    }

    // 审核意见书 as PDF, from the dossier page's link: the grade and the reviewer's words.
    let text = f
        .pdf_text("#letter-pdf", &dir.path().join("letter.pdf"))
        .await;
    for needle in [
        "预算绩效目标审核意见书",
        "审核通过",
        "良",
        "完整性审核意见",
        UNIT,
    ] {
        assert!(text.contains(needle), "the letter holds {needle}: {text}");
    }

    // 删除草稿: the unit deletes a draft after a confirmation and reads the message on
    // the list it lands on; the administrator restores it from the admin page.
    let unit_id = store
        .user_by_username("tianbao")
        .await
        .unwrap()
        .unit_id
        .expect("a unit user");
    let draft = store
        .create_dossier(
            unit_id,
            2022,
            &v1.forms,
            &[],
            &jixiao_store::Actor::system("test"),
        )
        .await
        .unwrap()
        .id;
    f.login("tianbao").await;
    f.go(&format!("/dossiers/{draft}")).await;
    f.js("window.confirm = () => true; return true;", vec![])
        .await;
    f.click("#delete-btn").await;
    f.until(
        "the list with the deletion notice",
        "const n = document.getElementById('notice'); return location.pathname === '/dossiers' && !!n && !n.hidden && n.textContent.includes('已删除');",
    )
    .await;
    assert!(matches!(
        store.get_dossier(draft).await,
        Err(jixiao_store::StoreError::NotFound)
    ));

    // The admin page (named controls, unique ids): the reviewer gets a real name, which
    // the reviewer's header then shows.
    f.login("guanli").await;
    f.go("/admin").await;
    f.shot("10-admin").await;
    f.click(&format!(
        "form[action='/admin/dossiers/{draft}/restore'] button"
    ))
    .await;
    f.css(".alert.ok").await;
    assert_eq!(store.get_dossier(draft).await.unwrap().year, 2022);

    // 填报进度 of 2022: the admin sets a deadline already past; the unit's draft is overdue;
    // 催报 sends it a reminder.
    f.go("/progress?year=2022").await;
    // (A date input's typed form follows the browser's locale; the value is set directly.)
    f.js(
        "document.getElementById('deadline-date').value = '2022-03-31'; return true;",
        vec![],
    )
    .await;
    f.click("#deadline-form button[type=submit]").await;
    f.until(
        "the overdue unit",
        &format!(
            "return !!document.querySelector('#progress tr.overdue[data-unit=\"{unit_id}\"]');"
        ),
    )
    .await;
    f.shot("11-progress").await;
    f.click(&format!("button.remind[data-unit='{unit_id}']"))
        .await;
    f.until(
        "the reminder sent",
        "const n = document.getElementById('notice'); return !!n && !n.hidden && n.textContent.includes('已催报 1 个单位');",
    )
    .await;
    assert!(store
        .audit_log(0, 100_000)
        .await
        .unwrap()
        .iter()
        .any(|e| e.action == "unit.remind" && e.target == format!("unit:{unit_id}")));
    f.go("/admin").await;
    let reviewer = store.user_by_username("shenhe").await.unwrap().id;
    f.type_in(&format!("#name-{reviewer}"), "李审核").await;
    f.click(&format!(
        "form[action='/admin/users/{reviewer}/rename'] button"
    ))
    .await;
    f.css(".alert.ok").await;
    assert_eq!(
        store.get_user(reviewer).await.unwrap().display_name,
        "李审核"
    );
    // 预算公开: the admin publishes 2023; anyone reads it without logging in, and the
    // year's data package is linked.
    f.type_in("#publish-year", "2023").await;
    f.click("#publish-btn").await;
    f.until(
        "the publication",
        "const n = document.getElementById('notice'); return !!n && !n.hidden && n.textContent.includes('已公开 1 份');",
    )
    .await;
    f.c.delete_all_cookies().await.unwrap();
    f.go("/public?year=2023").await;
    f.click(".public-list a").await;
    f.css("#public-paper table").await;
    assert!(!f.has("#todo-link").await, "not signed in");
    let page = f.css("#public-paper").await.text().await.unwrap();
    assert!(
        page.contains("部门整体支出绩效目标表"),
        "the official tables"
    );
    f.shot("14-public").await;
    let pkg = f
        .c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               fetch(document.querySelector('a[href$="datapackage.json"]').href)
                 .then(r => r.json()).then(p => done(p.resources.map(r => r.path)), e => done(String(e)));"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(pkg, json!(["targets.csv", "indicators.csv", "details.csv"]));
    f.login("shenhe").await;
    assert!(f.css(".who").await.text().await.unwrap().contains("李审核"));
    f.c.close().await.unwrap();
}

/// Waits for the editor to say it saved, then reads the dossier's current version.
async fn saved_in_editor(f: &Flow, store: &AnyStore, id: i64) -> jixiao_store::Version {
    f.until(
        "the editor's save",
        "const s = document.getElementById('save-state'); return !!s && s.textContent.includes('已保存为第');",
    )
    .await;
    let d = store.get_dossier(id).await.unwrap();
    store.get_version(id, d.current_version).await.unwrap()
}

/// The editor loses nothing: a save that meets someone else's newer save shows both and
/// keeps the user's on request; a save after the session expired keeps the edit in the
/// page (and the browser), and goes through once the user has logged in again.
/// A server with `file` (the seed) uploaded by `tianbao` (dossier id last), and a browser
/// signed in as `tianbao`.
async fn signed_in_with_seed(
    driver: &Driver,
    dir: &Path,
    file: &Path,
) -> (Flow, AnyStore, AppState, jixiao_web::User, i64) {
    let (addr, store, state) = server(dir).await;
    let filer = jixiao_web::User {
        account: store.user_by_username("tianbao").await.unwrap(),
        address: None,
    };
    let saved = state
        .services()
        .upload(
            &filer,
            &file.file_name().unwrap().to_string_lossy(),
            std::fs::read(file).unwrap(),
            None,
        )
        .await
        .unwrap();
    let f = flow(driver, dir, addr).await;
    f.login("tianbao").await;
    (f, store, state, filer, saved.id)
}

/// A browser on the server at `addr`, saving screenshots where `JIXIAO_SCREENSHOTS` says.
async fn flow(driver: &Driver, dir: &Path, addr: SocketAddr) -> Flow {
    let c = browser(driver, &dir.join("chromium-profile")).await;
    let shots = std::env::var_os("JIXIAO_SCREENSHOTS").map(PathBuf::from);
    if let Some(s) = &shots {
        std::fs::create_dir_all(s).unwrap();
    }
    Flow {
        c,
        base: format!("http://{addr}"),
        shots,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_keeps_work_through_a_conflict_and_a_session_timeout() {
    let Some(driver) = driver().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (f, store, state, filer, id) = signed_in_with_seed(&driver, dir.path(), &seed_docx()).await;
    f.go(&format!("/dossiers/{id}/edit")).await;
    f.css("#editor").await;
    // A long entry wraps inside its cell at 1366 px: no text scrolled out of sight.
    let long =
        "部门整体支出绩效目标中与统战工作相关的党外代表人士队伍建设和培养选拔推荐工作完成情况";
    f.fill("f0:indicators[2].name", long).await;
    let fits = f
        .js(
            "const e = document.querySelector('[data-path=\"f0:indicators[2].name\"]'); \
             return [e.tagName, e.scrollWidth <= e.clientWidth + 1, e.offsetHeight > 40, e.value.length, window.innerWidth];",
            vec![],
        )
        .await;
    assert_eq!(fits[0], "TEXTAREA", "{fits}");
    assert_eq!(fits[1], true, "no horizontal overflow: {fits}");
    assert_eq!(fits[2], true, "grown to more than one line: {fits}");
    assert_eq!(
        fits[3],
        long.chars().count(),
        "Enter-free, nothing lost: {fits}"
    );
    f.fill("f0:indicators[0].name", "浏览器里的修改").await;

    // Meanwhile a colleague saves version 2 from elsewhere.
    let mut theirs = store.get_version(id, 1).await.unwrap().forms;
    if let jixiao_domain::Form::DepartmentOverall(d) = &mut theirs[0] {
        d.duties = "同事改过的部门职责".into();
    } else {
        panic!("the seed starts with the department form");
    }
    state
        .services()
        .save(&filer, id, theirs, 1, None)
        .await
        .unwrap();

    // Saving in the browser meets the conflict: both versions are shown; keep mine.
    f.click("#save-btn").await;
    f.until(
        "the conflict view",
        "const c = document.getElementById('conflict'); return !!c && !c.hidden && !!document.getElementById('keep-mine');",
    )
    .await;
    let shown = f.css("#conflict").await.text().await.unwrap();
    assert!(
        shown.contains("浏览器里的修改") && shown.contains("同事改过的部门职责"),
        "{shown}"
    );
    f.click("#keep-mine").await;
    let current = saved_in_editor(&f, &store, id).await;
    assert_eq!(current.forms[0].indicators()[0].name, "浏览器里的修改");
    let kinds: Vec<_> = store
        .history(id)
        .await
        .unwrap()
        .iter()
        .map(|v| v.kind.code())
        .collect();
    assert!(
        kinds.contains(&"conflict"),
        "the stale save is kept: {kinds:?}"
    );

    // The session expires while the user types; saving says so and keeps the edit.
    let cookie = f.c.get_named_cookie("jixiao_session").await.unwrap();
    assert!(store.delete_session(cookie.value()).await.unwrap());
    f.fill("f0:indicators[1].name", "过期后输入的内容").await;
    f.click("#save-btn").await;
    f.css("#retry-save").await;
    let kept = f
        .js(
            "return Object.keys(localStorage).some(k => (localStorage.getItem(k) || '').includes('过期后输入的内容'))",
            vec![],
        )
        .await;
    assert_eq!(kept, json!(true), "the edit is kept in the browser");
    // Log in again (as from another window: a new session cookie), then retry.
    let relogin =
        f.c.execute_async(
            r#"const done = arguments[arguments.length - 1];
               fetch('/api/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
                 body: JSON.stringify({username: 'tianbao', password: arguments[0]})})
               .then(r => done(r.status), e => done(String(e)));"#,
            vec![json!(PASSWORD)],
        )
        .await
        .unwrap();
    assert_eq!(relogin, json!(200));
    f.click("#retry-save").await;
    let current = saved_in_editor(&f, &store, id).await;
    assert_eq!(current.forms[0].indicators()[1].name, "过期后输入的内容");
    assert_eq!(current.forms[0].indicators()[0].name, "浏览器里的修改");
    f.c.close().await.unwrap();
}

/// 导入修改后的文件: the unit fixed a typo in Word; it picks the file on the dossier page,
/// sees the one changed character and the findings before anything is stored, saves, and
/// is back on the dossier with the new version and a message that says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reimport_a_corrected_file_in_chromium() {
    let Some(driver) = driver().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let seed_txt = seed_docx().with_extension("txt");
    let (f, store, _, _, id) = signed_in_with_seed(&driver, dir.path(), &seed_txt).await;
    let seed_text = std::fs::read_to_string(&seed_txt).unwrap();
    let fixed = dir.path().join("改好的档案.txt");
    std::fs::write(&fixed, seed_text.replace("选拨", "选拔")).unwrap();

    f.go(&format!("/dossiers/{id}")).await;
    f.click("#reimport-menu summary").await;
    f.type_in("#reimport-file", &fixed.display().to_string())
        .await;
    f.click("#reimport-form button[type=submit]").await;
    f.css("#reimport-intro").await;
    assert_eq!(
        store.history(id).await.unwrap().len(),
        1,
        "nothing stored yet"
    );
    let changes = f.css("#changes-title").await;
    assert_eq!(changes.text().await.unwrap(), "改动列表");
    let marked = f
        .js(
            "return Array.from(document.querySelectorAll('ol.changes li')).map(li => li.innerHTML).join('\\n')",
            vec![],
        )
        .await;
    let marked = marked.as_str().unwrap().to_string();
    assert!(
        marked.contains("<del>拨</del><ins>拔</ins>"),
        "the one changed character is marked: {marked}"
    );
    assert!(
        f.has("#reimport-findings li").await,
        "the findings are shown"
    );
    let housekeeping = f
        .js("return document.body.textContent.includes('书签')", vec![])
        .await;
    assert_eq!(
        housekeeping,
        json!(false),
        "the reader's bookmark note is not the unit's business"
    );
    f.shot("06b-reimport-preview").await;
    f.click("#reimport-save").await;
    f.until(
        "the dossier page after saving",
        &format!("return location.pathname === '/dossiers/{id}' && document.getElementById('notice') && document.getElementById('notice').textContent.includes('第2版')"),
    )
    .await;
    let v2 = store.get_version(id, 2).await.unwrap();
    let text = serde_json::to_string(&v2.forms).unwrap();
    assert!(text.contains("选拔") && !text.contains("选拨"));
    // Saved as a save is (the page sent the forms it showed): the rules ran on them.
    assert!(v2.findings.iter().any(|x| x.rule == "empty-indicator"));
    assert_eq!(v2.info.kind.code(), "save");
    f.c.close().await.unwrap();
}

/// Sets every cell `sel` matches to `value(cell)` (a JS expression over `e`, the cell)
/// and fires the event the editor listens to, as typing would.
async fn set_cells(f: &Flow, sel: &str, value: &str) -> usize {
    let n = f
        .js(
            &format!(
                "let n = 0; for (const e of document.querySelectorAll(arguments[0])) {{
                   const v = ({value}); if (v == null) continue;
                   e.value = v; e.dispatchEvent(new Event(e.tagName === 'SELECT' ? 'change' : 'input', {{ bubbles: true }})); n++;
                 }} return n;"
            ),
            vec![json!(sel)],
        )
        .await;
    n.as_u64().unwrap() as usize
}

/// The budget year after the targets, in Chromium: the reviewer opens the 1–6月 monitoring
/// round; the unit fills its report with one red light and its reasons, the reviewer
/// approves; after the year the unit starts its self-evaluation prefilled from the targets,
/// enters the actuals and sees the score computed as it types, submits; the reviewer
/// approves with the computed grade; the PDF of the 自评表 holds the scores.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_and_self_evaluation_in_chromium() {
    let Some(driver) = driver().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let seed_txt = seed_docx().with_extension("txt");
    let (f, store, _, _, id) = signed_in_with_seed(&driver, dir.path(), &seed_txt).await;
    // The targets approved (the review itself is the first browser test's subject).
    let reviewer = Actor::user(&store.user_by_username("shenhe").await.unwrap(), None);
    use jixiao_domain::review::{Action, Grade, Opinions, Status};
    store
        .transition(id, Status::Draft, 1, &Action::Submit, &reviewer)
        .await
        .unwrap();
    let opinions = Opinions {
        completeness: "齐全".into(),
        relevance: "相关".into(),
        appropriateness: "适当".into(),
        feasibility: "可行".into(),
    };
    store
        .transition(
            id,
            Status::Submitted,
            1,
            &Action::Approve {
                grade: Grade::Good,
                opinions,
            },
            &reviewer,
        )
        .await
        .unwrap();

    // The reviewer opens the round from the monitoring board.
    f.login("shenhe").await;
    f.go("/monitoring?year=2023").await;
    f.click("#round-form button[type=submit]").await;
    f.until(
        "the board of the new round",
        "return !!document.querySelector('#board tbody tr')",
    )
    .await;
    let rid = store.reports_of(id).await.unwrap()[0].id;

    // The unit: half the year gone, almost nothing spent, the first indicator at 0 with
    // 有可能 — a red light — and the reasons and measures given.
    f.login("tianbao").await;
    f.go(&format!("/dossiers/{id}")).await;
    f.click(&format!("#reports a[href='/dossiers/{rid}']"))
        .await;
    f.click("#edit-link").await;
    f.css("[data-path='f0:money.executed']").await;
    f.fill("f0:money.executed", "1").await;
    f.fill("f0:indicators[0].progress", "0").await;
    set_cells(
        &f,
        "[data-path=\"f0:indicators[0].possibility\"]",
        "'possible'",
    )
    .await;
    f.until(
        "the red light of the first indicator",
        "const o = document.querySelector('output[data-computed=\"f0:0\"]'); return !!o && o.textContent === '红灯';",
    )
    .await;
    f.until(
        "deviation-unexplained while the reasons are missing",
        "return !!document.querySelector('#findings li[data-rule=\"deviation-unexplained\"]')",
    )
    .await;
    f.fill("f0:indicators[0].deviation", "设备采购延期").await;
    f.fill("f0:indicators[0].measures", "9月底前完成采购").await;
    set_cells(&f, "[data-path$='signoff.preparer']", "'张填表'").await;
    set_cells(&f, "[data-path$='signoff.phone']", "'0731-28881234'").await;
    f.shot("16-monitoring-editor").await;
    f.save().await;
    f.go(&format!("/dossiers/{rid}")).await;
    f.confirm(true).await;
    f.click("#submit-btn").await;
    f.until_status("已提交").await;

    f.login("shenhe").await;
    f.go("/monitoring?year=2023").await;
    let first = f.css("#board tbody tr").await;
    assert_eq!(
        first.attr("data-light").await.unwrap().as_deref(),
        Some("red")
    );
    f.shot("17-monitoring-board").await;
    f.go(&format!("/dossiers/{rid}")).await;
    f.click("#review-form input[value='良']").await;
    f.confirm(true).await;
    f.click("#approve-btn").await;
    f.until_status("审核通过").await;

    // After the year: the self-evaluation, prefilled; actuals as targeted, the budget
    // spent; the score follows the typing.
    f.login("tianbao").await;
    f.go(&format!("/dossiers/{id}")).await;
    f.click("#start-self-eval").await;
    f.css("[data-sum$=':scores']").await;
    let sid = store
        .reports_of(id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.kind == jixiao_store::DossierKind::SelfEvaluation)
        .unwrap()
        .id;
    set_cells(
        &f,
        "[data-path$='money.total.executed']",
        "document.querySelector('[data-path=\"' + e.dataset.path.replace('executed', 'annual') + '\"]').value",
    )
    .await;
    let actuals = set_cells(
        &f,
        "[data-path*='indicators['][data-path$='.actual']",
        "document.querySelector('[data-path=\"' + e.dataset.path.replace(/actual$/, 'target') + '\"]').value",
    )
    .await;
    assert!(actuals > 5, "{actuals} actuals");
    // Qualitative rows (及时, 健康发展) are scored by the unit within their band.
    set_cells(
        &f,
        "[data-path*='indicators['][data-path$='.score']",
        "(() => { const t = document.querySelector('[data-path=\"' + e.dataset.path.replace(/score$/, 'target') + '\"]').value;
                  return /\\d/.test(t) ? null : document.querySelector('[data-path=\"' + e.dataset.path.replace(/score$/, 'weight') + '\"]').value; })()",
    )
    .await;
    set_cells(&f, "[data-path$='signoff.preparer']", "'张填表'").await;
    set_cells(&f, "[data-path$='signoff.phone']", "'0731-28881234'").await;
    f.until(
        "the computed total of a project's self-evaluation",
        "return [...document.querySelectorAll('[data-sum$=\":scores\"]')].some(s => s.textContent.includes('计算总分 100') && s.textContent.includes('计算等级 优'))",
    )
    .await;
    f.shot("18-self-evaluation-editor").await;
    f.save().await;
    f.go(&format!("/dossiers/{sid}")).await;
    let total = f.css("#scores .total").await.text().await.unwrap();
    assert_eq!(total, "100");
    f.confirm(true).await;
    f.click("#submit-btn").await;
    f.until_status("已提交").await;

    // The reviewer approves with the grade the score gives (preselected).
    f.login("shenhe").await;
    f.go(&format!("/dossiers/{sid}")).await;
    let checked = f
        .js(
            "const g = document.querySelector('#review-form input[name=grade]:checked'); return g ? g.value : null;",
            vec![],
        )
        .await;
    assert_eq!(checked, json!("优"));
    f.confirm(true).await;
    f.click("#approve-btn").await;
    f.until_status("审核通过").await;
    let d = store.get_dossier(sid).await.unwrap();
    assert_eq!(d.grade, Some(Grade::Excellent));
    f.shot("19-self-evaluation-approved").await;

    // The official 自评表 as PDF holds the scores.
    let pdf = f
        .pdf_text("a[data-export='pdf']", &dir.path().join("自评表.pdf"))
        .await;
    assert!(pdf.contains("项目支出绩效自评表"), "{pdf}");
    assert!(pdf.contains("总分") && pdf.contains("100"), "{pdf}");
    assert!(pdf.contains("自评等级") && pdf.contains("优"), "{pdf}");
    f.c.close().await.unwrap();
}

/// A target table of the road project of `year` with the given indicator rows.
fn road_form(year: u16, rows: &[(&str, &str, &str, &str)]) -> jixiao_domain::Form {
    jixiao_domain::Form::Project(jixiao_domain::Project {
        title: "项目支出绩效目标表".into(),
        year: Some(year),
        name: format!("{year}年农村公路养护工程"),
        annual_goal: "完成农村公路日常养护".into(),
        indicators: rows
            .iter()
            .map(|(l1, l2, name, value)| jixiao_domain::Indicator {
                level1: (*l1).into(),
                level2: (*l2).into(),
                name: (*name).into(),
                value: jixiao_domain::IndicatorValue::parse(value),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    })
}

/// 指标库 in Chromium: three units' approved 2022 targets teach the library; writing its
/// 2024 targets, a unit types part of a 三级 name and picks a suggestion (name, 一级/二级 and
/// the usual target filled, the range of comparable filings shown, no unit named), then adds
/// what similar projects used with one click, and saves; an admin renames the entry on the
/// library page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indicator_library_in_chromium() {
    let Some(driver) = driver().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (addr, store, state) = server(dir.path()).await;
    let admin_user = jixiao_web::User {
        account: store.user_by_username("guanli").await.unwrap(),
        address: None,
    };
    let admin = Actor::user(&admin_user.account, None);
    let own = store.unit_by_name(UNIT).await.unwrap().id;
    use jixiao_domain::review::{Action, Grade, Opinions, Status};
    let others = ["区交通运输局", "区农业农村局"];
    let mut units = vec![(UNIT.to_string(), own)];
    for name in others {
        let u = store.create_unit(name, None, &admin).await.unwrap();
        units.push((name.to_string(), u.id));
    }
    for ((_, unit), acceptance) in units.iter().zip(["100%", "≥98%", "≥95%"]) {
        let forms = [road_form(
            2022,
            &[
                ("产出指标", "数量指标", "养护公路里程", "≥120公里"),
                ("产出指标", "质量指标", "工程验收合格率", acceptance),
                ("满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%"),
            ],
        )];
        let d = store
            .create_dossier(*unit, 2022, &forms, &[], &admin)
            .await
            .unwrap();
        store
            .transition(d.id, Status::Draft, 1, &Action::Submit, &admin)
            .await
            .unwrap();
        let opinions = Opinions {
            completeness: "齐全".into(),
            relevance: "相关".into(),
            appropriateness: "适当".into(),
            feasibility: "可行".into(),
        };
        // Approved through the service, as the review page does: the library learns it.
        state
            .services()
            .approve(&admin_user, d.id, Grade::Good, opinions, Some(1))
            .await
            .unwrap();
    }
    let draft = store
        .create_dossier(
            own,
            2024,
            &[road_form(
                2024,
                &[("产出指标", "数量指标", "养护公路里程", "≥130公里")],
            )],
            &[],
            &admin,
        )
        .await
        .unwrap();

    let f = flow(&driver, dir.path(), addr).await;
    f.login("tianbao").await;
    f.go(&format!("/dossiers/{}/edit", draft.id)).await;
    f.click("section[data-form='0'] [data-add='indicators']")
        .await;
    f.type_in("[data-path='f0:indicators[1].name']", "验收")
        .await;
    f.until(
        "the library's suggestions",
        "const l = document.getElementById('lib-suggest'); return !!l && !l.hidden && !!l.querySelector('li[data-key=\"验收合格率\"]');",
    )
    .await;
    let list = f.css("#lib-suggest").await.text().await.unwrap();
    assert!(
        list.contains("同类目标 95%～100%（中位数98%，3份）"),
        "{list}"
    );
    for (name, _) in &units {
        assert!(!list.contains(name.as_str()), "a unit named in {list}");
    }
    f.shot("20-library-suggest").await;
    f.click("#lib-suggest li[data-key='验收合格率'] button")
        .await;
    f.until(
        "the suggestion filled in",
        "const v = (p) => (document.querySelector('[data-path=\"' + p + '\"]') || {}).value;
         return v('f0:indicators[1].name') === '工程验收合格率' && v('f0:indicators[1].value') === '≥98%'
           && v('f0:indicators[1].level1') === '产出指标' && v('f0:indicators[1].level2') === '质量指标';",
    )
    .await;
    let hint = f.css(".lib-hint").await.text().await.unwrap();
    assert!(hint.contains("中位数98%"), "{hint}");

    // What similar projects used that this form lacks, one click to add.
    f.click("section[data-form='0'] button[data-lib='similar']")
        .await;
    f.css(".lib-similar li[data-key='沿线群众满意度']").await;
    let similar = f.css(".lib-similar").await.text().await.unwrap();
    assert!(
        !similar.contains("工程验收合格率"),
        "already on the form: {similar}"
    );
    f.shot("21-library-similar").await;
    f.click(".lib-similar li[data-key='沿线群众满意度'] button[data-lib='add']")
        .await;
    f.until(
        "the similar projects' indicator added",
        "const e = document.querySelector('[data-path=\"f0:indicators[2].name\"]'); return !!e && e.value === '沿线群众满意度';",
    )
    .await;
    f.save().await;
    let v = saved_in_editor(&f, &store, draft.id).await;
    let jixiao_domain::Form::Project(p) = &v.forms[0] else {
        panic!("a project form")
    };
    let names: Vec<&str> = p.indicators.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["养护公路里程", "工程验收合格率", "沿线群众满意度"]);
    assert_eq!(p.indicators[1].value.text, "≥98%");

    // The admin's library page: the entry, renamed.
    f.login("guanli").await;
    f.click("#library-link").await;
    f.css("#library-table tr[data-key='验收合格率']").await;
    f.type_in(
        "#library-table tr[data-key='验收合格率'] input[name='name']",
        "工程（项目）验收合格率",
    )
    .await;
    f.click("#library-table tr[data-key='验收合格率'] form button[type='submit']")
        .await;
    f.css(".alert.ok").await;
    let row = f
        .css("#library-table tr[data-key='验收合格率']")
        .await
        .text()
        .await
        .unwrap();
    assert!(row.contains("工程（项目）验收合格率"), "{row}");
    f.shot("22-library-admin").await;
    assert!(store
        .audit_log(0, 100_000)
        .await
        .unwrap()
        .iter()
        .any(|e| e.action == "library.edit"));
    f.c.close().await.unwrap();
}
