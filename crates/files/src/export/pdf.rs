//! PDF through headless Chromium printing the HTML print view ([`super::html::document`]).
//!
//! Chromium is found through `JIXIAO_CHROMIUM`, else the first of `chromium`,
//! `chromium-browser`, `google-chrome` on `PATH`. It runs offline in a fresh temporary
//! profile, is killed after a timeout, and its diagnostics go to the log, not to the user.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Why no PDF was made; the messages are for the user, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("未找到 Chromium，无法生成 PDF；请安装 chromium 或设置 JIXIAO_CHROMIUM")]
    ChromiumNotFound,
    #[error("无法启动 Chromium（{path}）：{source}")]
    Start {
        path: String,
        source: std::io::Error,
    },
    #[error("Chromium 在 {0} 秒内未生成 PDF，已终止")]
    Timeout(u64),
    #[error("Chromium 生成 PDF 失败（{0}）")]
    Failed(String),
    #[error("Chromium 没有生成有效的 PDF 文件")]
    NotPdf,
    #[error("生成 PDF 时读写临时文件失败：{0}")]
    Io(#[from] std::io::Error),
}

/// How to run Chromium.
#[derive(Clone, Debug)]
pub struct PdfOptions {
    /// The browser binary; `None`: `JIXIAO_CHROMIUM`, else the first of `chromium`,
    /// `chromium-browser`, `google-chrome` on `PATH`.
    pub chromium: Option<PathBuf>,
    /// Chromium is killed when it takes longer.
    pub timeout: Duration,
}

impl Default for PdfOptions {
    fn default() -> PdfOptions {
        PdfOptions {
            chromium: None,
            timeout: Duration::from_secs(60),
        }
    }
}

/// An executable file named `name` in one of the `PATH` folders.
fn on_path(name: &str, path: Option<OsString>) -> Option<PathBuf> {
    std::env::split_paths(&path?)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// The Chromium binary: `JIXIAO_CHROMIUM` (if set and not empty), else the first of
/// `chromium`, `chromium-browser`, `google-chrome` on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("JIXIAO_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|n| on_path(n, std::env::var_os("PATH")))
}

/// `file://` URL of an absolute path, bytes outside the unreserved set percent-encoded.
fn file_url(p: &Path) -> String {
    let mut url = String::from("file://");
    for b in p.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Print `html` (a standalone page, see [`super::html::document`]) to PDF with headless
/// Chromium, with the default options (Chromium looked up, 60 s timeout).
pub fn html_to_pdf(html: &str) -> Result<Vec<u8>, PdfError> {
    html_to_pdf_with(html, &PdfOptions::default())
}

/// [`html_to_pdf`] with explicit options.
pub fn html_to_pdf_with(html: &str, opts: &PdfOptions) -> Result<Vec<u8>, PdfError> {
    let chromium = match &opts.chromium {
        Some(p) => p.clone(),
        None => find_chromium().ok_or(PdfError::ChromiumNotFound)?,
    };
    let dir = tempfile::Builder::new().prefix("jixiao-pdf-").tempdir()?;
    let page = dir.path().join("forms.html");
    let pdf = dir.path().join("forms.pdf");
    let profile = dir.path().join("profile");
    std::fs::write(&page, html)?;
    let log_path = dir.path().join("chromium.log");
    let log = std::fs::File::create(&log_path)?;
    let mut cmd = Command::new(&chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--no-pdf-header-footer",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .arg(format!("--print-to-pdf={}", pdf.display()))
    .arg(file_url(&page))
    .current_dir(dir.path())
    .stdin(Stdio::null())
    .stdout(log.try_clone()?)
    .stderr(log);
    #[cfg(unix)]
    {
        // Its own process group, so a timeout ends the renderer and helper processes too.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let started = Instant::now();
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PdfError::ChromiumNotFound)
        }
        Err(source) => {
            return Err(PdfError::Start {
                path: chromium.display().to_string(),
                source,
            })
        }
    };
    // Whatever happens below, no process of this Chromium outlives the call: its whole
    // process group is killed when `reaper` is dropped (helpers that linger after the
    // browser exits included), and the browser itself is waited for.
    let mut reaper = Reaper(child);
    let status = loop {
        if let Some(status) = reaper.0.try_wait()? {
            break status;
        }
        if started.elapsed() >= opts.timeout {
            drop(reaper);
            log_output(&log_path, "Chromium timed out");
            return Err(PdfError::Timeout(opts.timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    drop(reaper);
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "Chromium printed the PDF"
    );
    if !status.success() {
        log_output(&log_path, "Chromium failed");
        return Err(PdfError::Failed(match status.code() {
            Some(c) => format!("退出码 {c}"),
            None => "被信号终止".to_string(),
        }));
    }
    let bytes = match std::fs::read(&pdf) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            log_output(&log_path, "Chromium wrote no PDF");
            return Err(PdfError::NotPdf);
        }
        Err(e) => return Err(e.into()),
    };
    if !bytes.starts_with(b"%PDF") {
        log_output(&log_path, "Chromium wrote no PDF");
        return Err(PdfError::NotPdf);
    }
    Ok(bytes)
}

/// Chromium's own output goes to the log (it is noisy and English), never to the user.
fn log_output(path: &Path, what: &str) {
    let text = std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b[b.len().saturating_sub(8192)..]).into_owned())
        .unwrap_or_default();
    tracing::warn!(output = %text, "{what}");
}

/// Owns a started Chromium: on drop, kills its process group (it runs in its own, see
/// `process_group(0)`), then kills and waits for the browser itself, so no process is left
/// behind, finished, failed or timed out.
struct Reaper(std::process::Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        kill_group(self.0.id());
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Kill the process group of a Chromium (best effort; the browser itself is killed and
/// waited for by [`Reaper`] in any case).
#[cfg(unix)]
fn kill_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(not(unix))]
fn kill_group(_pid: u32) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_percent_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/表.html")),
            "file:///tmp/a%20b/%E8%A1%A8.html"
        );
    }

    #[test]
    fn a_missing_chromium_is_a_chinese_error() {
        let opts = PdfOptions {
            chromium: Some(PathBuf::from("/nonexistent/chromium")),
            ..Default::default()
        };
        let e = html_to_pdf_with("<p>x</p>", &opts).unwrap_err();
        assert!(matches!(e, PdfError::ChromiumNotFound));
        assert_eq!(
            e.to_string(),
            "未找到 Chromium，无法生成 PDF；请安装 chromium 或设置 JIXIAO_CHROMIUM"
        );
    }

    #[test]
    fn path_lookup_skips_missing_and_non_executable_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("chromium"), "").unwrap();
        #[cfg(unix)]
        assert_eq!(on_path("chromium", Some(dir.path().into())), None);
        assert_eq!(on_path("nothing-here", Some(dir.path().into())), None);
        assert_eq!(on_path("chromium", None), None);
    }

    /// A fake browser: a shell script written by another process (so no file descriptor of
    /// this multi-threaded test process makes exec fail with "text file busy").
    #[cfg(unix)]
    fn script(dir: &Path, body: &str) -> PathBuf {
        let p = dir.join("fake-chromium");
        let ok = Command::new("sh")
            .arg("-c")
            .arg("printf '#!/bin/sh\\n%s\\n' \"$1\" > \"$2\" && chmod 755 \"$2\"")
            .args(["sh", body])
            .arg(&p)
            .status()
            .unwrap();
        assert!(ok.success());
        p
    }

    #[cfg(unix)]
    #[test]
    fn a_hanging_chromium_is_killed_after_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let fake = script(dir.path(), "sleep 30");
        let opts = PdfOptions {
            chromium: Some(fake),
            timeout: Duration::from_millis(300),
        };
        let t = Instant::now();
        let e = html_to_pdf_with("<p>x</p>", &opts).unwrap_err();
        assert!(matches!(e, PdfError::Timeout(_)), "{e}");
        assert!(t.elapsed() < Duration::from_secs(10));
    }

    /// A browser whose helper process outlives it (`sleep` in its process group): after
    /// the export, success or timeout, nothing of it runs any more.
    #[cfg(unix)]
    #[test]
    fn no_chromium_process_outlives_the_export() {
        for (body, ok) in [
            // Prints, leaves a helper behind and exits.
            (
                "for a; do case $a in --print-to-pdf=*) out=${a#--print-to-pdf=};; esac; done; \
                 sleep 300 & echo $! > PIDFILE; echo '%PDF-1.4 fake' > \"$out\"; exit 0",
                true,
            ),
            // Starts a helper and hangs.
            ("sleep 300 & echo $! > PIDFILE; sleep 300", false),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let pidfile = dir.path().join("helper.pid");
            let body = body.replace("PIDFILE", &pidfile.display().to_string());
            let opts = PdfOptions {
                chromium: Some(script(dir.path(), &body)),
                timeout: Duration::from_millis(if ok { 60_000 } else { 500 }),
            };
            let result = html_to_pdf_with("<p>x</p>", &opts);
            assert_eq!(result.is_ok(), ok, "{result:?}");
            let pid = std::fs::read_to_string(&pidfile).unwrap();
            // The helper was killed: no such process, or a zombie waiting for its new
            // parent to reap it (a killed signal takes a moment to be delivered).
            let stat = format!("/proc/{}/stat", pid.trim());
            let gone = (0..200).any(|_| {
                let dead = std::fs::read_to_string(&stat).map_or(true, |s| {
                    s.rsplit(") ").next().is_some_and(|r| r.starts_with('Z'))
                });
                if !dead {
                    std::thread::sleep(Duration::from_millis(50));
                }
                dead
            });
            assert!(gone, "helper {} still runs (ok: {ok})", pid.trim());
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_browser_that_writes_no_pdf_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let opts = PdfOptions {
            chromium: Some(script(dir.path(), "echo noisy >&2; exit 0")),
            ..Default::default()
        };
        let e = html_to_pdf_with("<p>x</p>", &opts).unwrap_err();
        assert!(matches!(e, PdfError::NotPdf), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let opts = PdfOptions {
            chromium: Some(script(dir.path(), "exit 3")),
            ..Default::default()
        };
        let e = html_to_pdf_with("<p>x</p>", &opts).unwrap_err();
        assert_eq!(e.to_string(), "Chromium 生成 PDF 失败（退出码 3）");
    }
}
