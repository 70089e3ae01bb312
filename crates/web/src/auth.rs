//! Sessions over HTTP: the session cookie, the CSRF header and the client address.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};

use crate::error::ApiError;
use crate::services::{same_token, User};
use crate::AppState;

/// Name of the HttpOnly session cookie.
pub const SESSION_COOKIE: &str = "jixiao_session";
/// Header that must carry the session's CSRF token on every state-changing request.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The caller's IP address, from the connection (not from headers a client can forge).
pub fn client_address(parts: &Parts) -> Option<String> {
    if let Some(Forwarded(a)) = parts.extensions.get::<Forwarded>() {
        return Some(a.to_string());
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string())
}

/// The client's address as a trusted reverse proxy reported it (`X-Forwarded-For`), set
/// only when the connection comes from one of `[server] trusted_proxies`; anyone else's
/// header is ignored, so it cannot be used to dodge the per-address login throttle.
#[derive(Clone, Copy, Debug)]
pub struct Forwarded(pub std::net::IpAddr);

/// The address the request came from once the trusted proxies are peeled off: the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn resolve_forwarded(
    peer: std::net::IpAddr,
    header: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> Option<std::net::IpAddr> {
    if !trusted.contains(&peer) {
        return None;
    }
    header?
        .rsplit(',')
        .map(|h| h.trim().parse::<std::net::IpAddr>())
        .find(|a| a.as_ref().map_or(true, |a| !trusted.contains(a)))
        .and_then(Result::ok)
}

/// The client address as an extractor (login has no session yet).
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_address(parts)))
    }
}

/// The value of the cookie `name`, when the request sends a non-empty one.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub(crate) fn session_token(parts: &Parts) -> Option<String> {
    cookie(&parts.headers, SESSION_COOKIE)
}

/// A logged-in caller. Extracting it answers 401 without a valid session and 403 when a
/// state-changing request lacks the session's CSRF token.
pub struct Authed {
    pub user: User,
    /// The session token (to log out).
    pub token: String,
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token =
            session_token(parts).ok_or_else(|| ApiError::Unauthorized("请先登录".into()))?;
        let (user, session) = state
            .services()
            .authenticate(&token, client_address(parts))
            .await?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !same_token(sent, &session.csrf_token) {
                return Err(ApiError::forbidden(
                    "缺少或错误的 CSRF 令牌（请求头 X-CSRF-Token），请重新登录后重试",
                ));
            }
        }
        Ok(Authed { user, token })
    }
}

/// `Set-Cookie` for a new session (or, with `None`, one that clears it).
pub fn session_cookie(token: Option<&str>, max_age_secs: u64, secure: bool) -> HeaderValue {
    let (value, age) = match token {
        Some(t) => (t, max_age_secs),
        None => ("", 0),
    };
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={age}{secure}"
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod forwarded_tests {
    use super::resolve_forwarded;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_trusted_proxies_are_believed() {
        let proxy = [ip("127.0.0.1"), ip("10.0.0.2")];
        let xff = Some("203.0.113.7, 10.0.0.2");
        let via = ip("127.0.0.1");
        assert_eq!(resolve_forwarded(via, xff, &proxy), Some(ip("203.0.113.7")));
        // A client that sends the header itself, not through a proxy: ignored.
        assert_eq!(resolve_forwarded(ip("198.51.100.9"), xff, &proxy), None);
        // A forged left-most entry does not help: the right-most untrusted one counts.
        let forged = Some("1.2.3.4, 203.0.113.7");
        assert_eq!(
            resolve_forwarded(via, forged, &proxy),
            Some(ip("203.0.113.7"))
        );
        // Garbage after the proxy: no address rather than a wrong one.
        assert_eq!(resolve_forwarded(via, Some("x, junk"), &proxy), None);
        assert_eq!(resolve_forwarded(via, None, &proxy), None);
        assert_eq!(resolve_forwarded(via, xff, &[]), None);
    }
}
