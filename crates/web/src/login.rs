//! Logging in: where a login may come from (this site only), where it may lead afterwards
//! (a path of this site), and how failures are throttled (state in the database, so it
//! holds across processes; docs/storage.md, "Login throttling").
//!
//! Throttling is exponential backoff, never a lockout: after `user_free` failures of one
//! username (from any address) within `user_window`, each attempt must wait
//! `base_delay · 2^(n − user_free)` (at most `max_delay`) after the latest failure; the
//! same for one address trying any usernames (`address_free`). Unknown usernames count
//! like known ones and are checked against a dummy argon2 hash, so neither the answer
//! nor its timing says which usernames exist. A browser that has logged in as the user
//! before (the `jixiao_device` cookie) is not held by the username's or the address's
//! backoff, so a stranger's guessing — even from the same proxy address — cannot keep
//! the owner out; it has its own budget of `device_free` failures.

use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue};
use jixiao_store::{verify_password, Actor, Store, StoreError};

use crate::error::{ApiError, ApiResult};
use crate::services::{blocking, Config, LoggedIn, Services, User};

/// Name of the cookie that marks a browser that has logged in as a user before.
pub const DEVICE_COOKIE: &str = "jixiao_device";

/// How failed logins are throttled (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginPolicy {
    /// Failures of one username, from any address, before backoff starts.
    pub user_free: i64,
    /// How far back failures of a username count.
    pub user_window: Duration,
    /// Failures from one address, for any username, before backoff starts.
    pub address_free: i64,
    pub address_window: Duration,
    /// The first wait, doubled with every further failure, and its cap.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Failures with one device cookie before it stops exempting its browser.
    pub device_free: i64,
    /// How long a device cookie is kept (renewed by each login).
    pub device_ttl: Duration,
    /// Failures of one username from one address within this window (opened by the first
    /// one) are one audit record with a count.
    pub audit_window: Duration,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            user_free: 5,
            user_window: Duration::from_secs(3600),
            address_free: 30,
            address_window: Duration::from_secs(15 * 60),
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(5 * 60),
            device_free: 10,
            device_ttl: Duration::from_secs(180 * 24 * 3600),
            audit_window: Duration::from_secs(15 * 60),
        }
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2)
}

impl LoginPolicy {
    /// How long an attempt must still wait after `failures` failures, the latest at
    /// `last`, when `free` of them are free.
    pub fn wait(&self, failures: i64, last: i64, free: i64, now: i64) -> Duration {
        if failures < free.max(1) {
            return Duration::ZERO;
        }
        let doublings = u32::try_from(failures - free.max(1))
            .unwrap_or(u32::MAX)
            .min(40);
        let delay = self
            .base_delay
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.max_delay);
        let until = last.saturating_add(ms(delay));
        Duration::from_millis(u64::try_from(until.saturating_sub(now)).unwrap_or(0))
    }
}

// ---------------------------------------------------------------- where from, where to

/// (scheme, host[:port]) of a URL, lower case, default ports dropped.
fn origin_of(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    let scheme = scheme.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some((scheme.clone(), strip_default_port(&scheme, &authority)))
}

fn strip_default_port(scheme: &str, authority: &str) -> String {
    let default = match scheme {
        "https" => ":443",
        "http" => ":80",
        _ => "",
    };
    authority
        .strip_suffix(default)
        .filter(|_| !default.is_empty())
        .unwrap_or(authority)
        .to_string()
}

/// Where a login request says it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    /// `Origin` (or `Referer`) names this site.
    Same,
    /// It names another site (or is `null`).
    Cross,
    /// Neither header: not a browser.
    Unknown,
}

/// Compares `Origin` (or, without it, `Referer`) with this site: the public URL when it is
/// configured (scheme and host), else the `Host` header (host and port; the scheme is
/// unknown behind a TLS proxy).
pub fn site_of(headers: &HeaderMap, config: &Config) -> Site {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let claimed = match (text(header::ORIGIN), text(header::REFERER)) {
        (Some(origin), _) => origin_of(origin),
        (None, Some(referer)) => origin_of(referer),
        (None, None) => return Site::Unknown,
    };
    let Some((scheme, authority)) = claimed else {
        return Site::Cross;
    };
    let same = match config.public_url.as_deref().and_then(origin_of) {
        Some((s, a)) => s == scheme && a == authority,
        None => text(header::HOST).is_some_and(|host| {
            let host = host.to_ascii_lowercase();
            host == authority || strip_default_port(&scheme, &host) == authority
        }),
    };
    if same {
        Site::Same
    } else {
        Site::Cross
    }
}

/// One round of `%XX` decoding (invalid sequences kept as they are).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied(),
            bytes.get(i + 2).copied(),
        ) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A path of this site: one leading `/` not followed by `/` or `\`, no backslash and no
/// control character anywhere.
fn local_path(p: &str) -> bool {
    let mut chars = p.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !p.chars().any(|c| c.is_control() || c == '\\')
}

/// Where to go after logging in: `next` when it is a path of this site, also after one
/// more round of percent-decoding; otherwise `/`. Non-ASCII characters are
/// percent-encoded, so the result is always a valid `Location`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.len() <= 2048 && local_path(n) && local_path(&percent_decode(n)) => {
            let mut out = String::with_capacity(n.len());
            for c in n.chars() {
                if c.is_ascii_graphic() {
                    out.push(c);
                } else {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
            }
            out
        }
        _ => "/".to_string(),
    }
}

// ---------------------------------------------------------------- cookies

/// `Set-Cookie` for a device token.
pub fn device_cookie(token: &str, config: &Config) -> HeaderValue {
    let secure = if config.secure() { "; Secure" } else { "" };
    let cookie = format!(
        "{DEVICE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        config.login.device_ttl.as_secs()
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The device token a request carries.
pub fn device_token(headers: &HeaderMap) -> Option<String> {
    crate::auth::cookie(headers, DEVICE_COOKIE)
}

// ---------------------------------------------------------------- logging in

/// Known-bad PHC string so an unknown username costs as much as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| jixiao_store::hash_password("jixiao-dummy-password").unwrap_or_default())
}

fn wrong() -> ApiError {
    ApiError::Unauthorized("用户名或密码错误".into())
}

impl Services {
    /// Checks the password (throttled, see the module documentation) and opens a session.
    /// `device` is the request's device token; a new one is returned when the browser had
    /// none (or an unusable one).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: Option<String>,
        device: Option<&str>,
    ) -> ApiResult<LoggedIn> {
        let policy = &self.config().login;
        let store = self.store();
        let username = username.trim();
        if username.is_empty() || username.chars().count() > 100 || password.len() > 1024 {
            return Err(wrong());
        }
        let account = match store.user_by_username(username).await {
            Ok(u) => Some(u),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let known_device = match (device, &account) {
            (Some(token), Some(a)) => match store.login_device(token).await {
                Ok(d) if d.user_id == a.id && d.failures < policy.device_free => Some(token),
                Ok(_) | Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            _ => None,
        };
        if known_device.is_none() {
            let now = self.config().clock.now_ms();
            let p = store
                .login_pressure(
                    username,
                    address.as_deref(),
                    now - ms(policy.user_window),
                    now - ms(policy.address_window),
                )
                .await?;
            let wait = policy
                .wait(p.user_failures, p.user_last, policy.user_free, now)
                .max(policy.wait(p.address_failures, p.address_last, policy.address_free, now));
            if !wait.is_zero() {
                let secs = wait.as_millis().div_ceil(1000).max(1);
                return Err(ApiError::TooManyRequests {
                    message: format!("登录失败次数过多，请 {secs} 秒后再试"),
                    retry_after: u64::try_from(secs).unwrap_or(u64::MAX),
                });
            }
        }
        let phc = account
            .as_ref()
            .map_or_else(|| dummy_hash().to_string(), |u| u.password_hash.clone());
        let pw = password.to_string();
        let matches = blocking(move || verify_password(&pw, &phc)).await?;
        let Some(account) = account.filter(|_| matches) else {
            store
                .record_login_failure(username, address.as_deref(), policy.audit_window)
                .await?;
            if let Some(token) = known_device {
                store.login_device_used(token, false).await?;
            }
            return Err(wrong());
        };
        if !account.enabled {
            return Err(ApiError::Unauthorized("账号已停用，请联系管理员".into()));
        }
        let (token, session) = store
            .create_session(account.id, self.config().session_ttl)
            .await?;
        let new_device = match known_device {
            Some(token) => {
                store.login_device_used(token, true).await?;
                None
            }
            None => Some(
                store
                    .create_login_device(account.id, policy.device_ttl)
                    .await?,
            ),
        };
        let user = User { account, address };
        let actor: Actor = user.actor();
        store
            .append_audit(
                &actor,
                "login",
                &format!("user:{}", user.account.username),
                &serde_json::json!({}),
            )
            .await?;
        Ok(LoggedIn {
            token,
            session,
            device: new_device,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_a_path_of_this_site() {
        for ok in ["/", "/dossiers/5?version=2", "/dossiers?q=%E6%95%99"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        assert_eq!(
            safe_next(Some("/dossiers?q=教育")),
            "/dossiers?q=%E6%95%99%E8%82%B2"
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n",
            "/%09/evil.example",
            "/%2F/evil.example",
            "/%5Cevil.example",
            "/a%0d%0aSet-Cookie:x",
            "https://evil.example",
            " /x",
            "",
            "/a\u{85}b",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("HTTPS://Example.org:443/login?x"),
            Some(("https".into(), "example.org".into()))
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080"),
            Some(("http".into(), "127.0.0.1:8080".into()))
        );
        assert_eq!(origin_of("null"), None);
        assert_eq!(origin_of("http://user@evil/"), None);
        let cfg = Config::default();
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("localhost:8080"));
        assert_eq!(site_of(&h, &cfg), Site::Unknown);
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://localhost:8080"),
        );
        assert_eq!(site_of(&h, &cfg), Site::Same);
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://localhost:8081"),
        );
        assert_eq!(site_of(&h, &cfg), Site::Cross);
        let https = Config {
            public_url: Some("https://jixiao.example".into()),
            ..Config::default()
        };
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://jixiao.example"),
        );
        assert_eq!(site_of(&h, &https), Site::Same);
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://jixiao.example"),
        );
        assert_eq!(site_of(&h, &https), Site::Cross);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = LoginPolicy::default();
        let now = 1_000_000;
        assert_eq!(p.wait(4, now, 5, now), Duration::ZERO);
        assert_eq!(p.wait(5, now, 5, now), Duration::from_secs(1));
        assert_eq!(p.wait(7, now, 5, now), Duration::from_secs(4));
        assert_eq!(p.wait(60, now, 5, now), Duration::from_secs(300));
        assert_eq!(p.wait(i64::MAX, now, 5, now), Duration::from_secs(300));
        assert_eq!(p.wait(7, now - 3000, 5, now), Duration::from_secs(1));
        assert_eq!(p.wait(7, now - 9000, 5, now), Duration::ZERO);
    }
}
