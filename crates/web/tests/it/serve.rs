//! The real server: a TCP listener on 127.0.0.1:0, the client address from the
//! connection, and graceful shutdown.

use std::time::Duration;

use jixiao_store::{AnyStore, SqliteStore, Store};
use jixiao_web::{serve_on, AppState};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn http(addr: std::net::SocketAddr, request: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

/// `/healthz` answers over TCP; a failed login is audited with the peer address; the
/// server stops when the shutdown future resolves and closes the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_over_tcp_and_shuts_down_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let store: AnyStore = SqliteStore::open(dir.path().join("jixiao.db"))
        .await
        .unwrap()
        .into();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_on(listener, AppState::new(store.clone()), async {
        stopped.await.ok();
    }));

    let health = http(
        addr,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#""database":"sqlite""#), "{health}");

    let body = r#"{"username":"nobody","password":"x"}"#;
    let login = http(
        addr,
        &format!(
            "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert!(login.starts_with("HTTP/1.1 401"), "{login}");
    let log = store.audit_log(0, 100).await.unwrap();
    assert_eq!(log.last().unwrap().action, "login.failed");
    assert_eq!(log.last().unwrap().address.as_deref(), Some("127.0.0.1"));

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("shuts down")
        .unwrap()
        .unwrap();
}

/// When the database is gone, `/healthz` says 503 and other routes a generic 500: the
/// driver's error text (the internal cause) is logged, never sent to the client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_causes_are_not_shown() {
    use axum::body::Body;
    use axum::http::{header, Request, StatusCode};
    use tower::ServiceExt;

    let dir = tempfile::tempdir().unwrap();
    let store: AnyStore = SqliteStore::open(dir.path().join("jixiao.db"))
        .await
        .unwrap()
        .into();
    let app = jixiao_web::router(AppState::new(store.clone()));
    store.close().await;
    let call = |req: Request<Body>| {
        let app = app.clone();
        async move {
            let res = app.oneshot(req).await.unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, String::from_utf8(body.to_vec()).unwrap())
        }
    };
    let (status, body) = call(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, r#"{"error":"数据库暂时不可用"}"#);
    let (status, body) = call(
        Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"username":"a","password":"b"}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        r#"{"error":"服务器内部错误，请稍后重试或联系管理员"}"#
    );
}
