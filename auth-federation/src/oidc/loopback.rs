//! The loopback redirect listener for native and CLI apps (RFC 8252 §7.3).
//!
//! The listener binds to `127.0.0.1` only (never `0.0.0.0`, never `localhost`, whose name
//! resolution can be redirected: RFC 8252 §8.3), on a free port unless one is configured,
//! answers exactly one request on the redirect path, and returns its query parameters.
//!
//! Cognito accepts plain-`http` callback URLs only with the host `localhost`, so a redirect URI
//! may name it: [`LoopbackListener::bind_localhost_to`] still binds the IP literal and keeps
//! `localhost` in the redirect URI, to match the registration.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use super::error::OidcError;

const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// The query parameters of the authorization redirect: `auth-core`'s, which the user pool's
/// sign-in with redirect reads too.
pub use auth_core::oauth::CallbackParams;

/// Checks that `uri` is `http://<loopback IP literal>:<port>/<path>` and returns the address
/// and path.
///
/// # Errors
///
/// [`OidcError::RedirectNotLoopback`] for any other host (including `localhost`), scheme,
/// or a URI with user info or a fragment.
pub fn parse_loopback_redirect(uri: &str) -> Result<(SocketAddr, String), OidcError> {
    let not_loopback = || OidcError::RedirectNotLoopback {
        uri: uri.to_owned(),
    };
    let parsed = url::Url::parse(uri).map_err(|_| not_loopback())?;
    if parsed.scheme() != "http"
        || !parsed.username().is_empty()
        || parsed.password().is_some()
        || parsed.fragment().is_some()
    {
        return Err(not_loopback());
    }
    let ip = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Err(not_loopback()),
    };
    if !ip.is_loopback() {
        return Err(not_loopback());
    }
    let port = parsed.port().unwrap_or(0);
    Ok((SocketAddr::new(ip, port), parsed.path().to_owned()))
}

/// Like [`parse_loopback_redirect`], but the host may also be `localhost`, which maps to
/// `127.0.0.1` (the name is never resolved).
///
/// # Errors
///
/// [`OidcError::RedirectNotLoopback`] for any other host, scheme, or a URI with user info or
/// a fragment.
pub fn parse_localhost_redirect(uri: &str) -> Result<(SocketAddr, String), OidcError> {
    let parsed = url::Url::parse(uri).map_err(|_| OidcError::RedirectNotLoopback {
        uri: uri.to_owned(),
    })?;
    if parsed.scheme() == "http"
        && parsed.host_str() == Some("localhost")
        && parsed.username().is_empty()
        && parsed.password().is_none()
        && parsed.fragment().is_none()
    {
        let port = parsed.port().unwrap_or(0);
        return Ok((
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            parsed.path().to_owned(),
        ));
    }
    parse_loopback_redirect(uri)
}

/// A listener for one authorization redirect on a loopback address.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    path: String,
    redirect_uri: String,
    success_page: Option<String>,
}

impl LoopbackListener {
    /// Binds `127.0.0.1` on a free port; the redirect URI is
    /// `http://127.0.0.1:<port>/callback`.
    ///
    /// # Errors
    ///
    /// [`OidcError::Listener`] when binding fails.
    pub async fn bind() -> Result<Self, OidcError> {
        Self::bind_addr(
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            "/callback",
            None,
        )
        .await
    }

    /// Binds the address of a loopback `redirect_uri` (port 0: a free port).
    ///
    /// # Errors
    ///
    /// [`OidcError::RedirectNotLoopback`] when `redirect_uri` is not loopback,
    /// [`OidcError::Listener`] when binding fails.
    pub async fn bind_to(redirect_uri: &str) -> Result<Self, OidcError> {
        let (addr, path) = parse_loopback_redirect(redirect_uri)?;
        Self::bind_addr(addr, &path, None).await
    }

    /// Binds for a redirect URI whose host is a loopback IP literal or `localhost` (see
    /// [`parse_localhost_redirect`]); without a port (or with port 0), a free port. For
    /// `localhost` the listener binds `127.0.0.1` and [`redirect_uri`](Self::redirect_uri)
    /// keeps the name, so it matches a registration such as Cognito's
    /// `http://localhost:8400/callback`. Browsers send `localhost` to the loopback interface.
    ///
    /// # Errors
    ///
    /// [`OidcError::RedirectNotLoopback`] when `redirect_uri` is not loopback,
    /// [`OidcError::Listener`] when binding fails (the port is taken).
    pub async fn bind_localhost_to(redirect_uri: &str) -> Result<Self, OidcError> {
        let (addr, path) = parse_localhost_redirect(redirect_uri)?;
        let named = url::Url::parse(redirect_uri)
            .ok()
            .is_some_and(|u| u.host_str() == Some("localhost"));
        Self::bind_addr(addr, &path, named.then_some("localhost")).await
    }

    async fn bind_addr(
        addr: SocketAddr,
        path: &str,
        host_name: Option<&str>,
    ) -> Result<Self, OidcError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| OidcError::Listener(Arc::new(e)))?;
        let local = listener
            .local_addr()
            .map_err(|e| OidcError::Listener(Arc::new(e)))?;
        let host = match (host_name, local.ip()) {
            (Some(name), _) => name.to_owned(),
            (None, IpAddr::V4(ip)) => ip.to_string(),
            (None, IpAddr::V6(ip)) => format!("[{ip}]"),
        };
        let path = if path.is_empty() { "/" } else { path };
        Ok(Self {
            listener,
            path: path.to_owned(),
            redirect_uri: format!("http://{host}:{}{path}", local.port()),
            success_page: None,
        })
    }

    /// The HTML page answered to a redirect without an `error` (default: "Signed in. You can
    /// close this window…"), for example a sign-out page when the listener waits for a
    /// post-logout redirect.
    #[must_use]
    pub fn with_success_page(mut self, html: impl Into<String>) -> Self {
        self.success_page = Some(html.into());
        self
    }

    /// The redirect URI to send in the authorization request.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits (at most `timeout`) for the redirect and returns its parameters. Requests for
    /// other paths (a browser's `/favicon.ico`) get a 404 and are ignored.
    ///
    /// # Errors
    ///
    /// [`OidcError::Timeout`], or [`OidcError::Listener`] when accepting fails.
    pub async fn wait_for_callback(&self, timeout: Duration) -> Result<CallbackParams, OidcError> {
        tokio::time::timeout(timeout, self.accept_loop())
            .await
            .map_err(|_| OidcError::Timeout)?
    }

    async fn accept_loop(&self) -> Result<CallbackParams, OidcError> {
        loop {
            let (mut stream, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| OidcError::Listener(Arc::new(e)))?;
            let Ok(Some(target)) =
                tokio::time::timeout(Duration::from_secs(10), read_target(&mut stream))
                    .await
                    .unwrap_or(Ok(None))
            else {
                continue;
            };
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            if path != self.path {
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    )
                    .await;
                continue;
            }
            let params = CallbackParams::from_query(query);
            let body: &[u8] = match (&params.error, &self.success_page) {
                (Some(_), _) => b"<!doctype html><title>Sign-in failed</title><p>Sign-in failed. You can close this window.",
                (None, Some(page)) => page.as_bytes(),
                (None, None) => b"<!doctype html><title>Signed in</title><p>Signed in. You can close this window and return to the app.",
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncache-control: no-store\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body).await;
            let _ = stream.shutdown().await;
            return Ok(params);
        }
    }
}

/// Reads the request head and returns the request target of a `GET`.
async fn read_target(stream: &mut tokio::net::TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() + n > MAX_REQUEST_HEAD {
            return Ok(None);
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut parts = text.lines().next().unwrap_or_default().split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Ok(Some(target.to_owned())),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_ip_literals_over_http_are_accepted() {
        assert!(parse_loopback_redirect("http://127.0.0.1:8400/callback").is_ok());
        assert!(parse_loopback_redirect("http://[::1]/cb").is_ok());
        for bad in [
            "http://localhost:8400/callback",
            "http://evil.example.com/callback",
            "https://127.0.0.1/callback",
            "http://10.0.0.1/callback",
            "http://user@127.0.0.1/callback",
            "http://127.0.0.1.evil.example/callback",
            "com.example.app:/callback",
        ] {
            assert!(
                matches!(
                    parse_loopback_redirect(bad),
                    Err(OidcError::RedirectNotLoopback { .. })
                ),
                "{bad} was accepted"
            );
        }
    }

    #[test]
    fn localhost_is_accepted_only_by_the_localhost_variant() {
        let (addr, path) = parse_localhost_redirect("http://localhost:8400/cb").unwrap();
        assert_eq!(addr, "127.0.0.1:8400".parse().unwrap());
        assert_eq!(path, "/cb");
        assert!(parse_localhost_redirect("http://[::1]/cb").is_ok());
        for bad in [
            "https://localhost/cb",
            "http://localhost.evil.example/cb",
            "http://user@localhost/cb",
            "com.example.app:/callback",
        ] {
            assert!(parse_localhost_redirect(bad).is_err(), "{bad} was accepted");
        }
    }

    #[tokio::test]
    async fn a_localhost_listener_binds_the_ip_and_keeps_the_name() {
        let listener = LoopbackListener::bind_localhost_to("http://localhost/done")
            .await
            .unwrap();
        let uri = listener.redirect_uri().to_owned();
        assert!(uri.starts_with("http://localhost:"), "{uri}");
        assert!(uri.ends_with("/done"), "{uri}");
        assert!(!uri.contains(":0/"), "{uri}");
        assert_eq!(
            listener.listener.local_addr().unwrap().ip(),
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        );
    }

    #[test]
    fn callback_debug_redacts_code_and_state() {
        let p = CallbackParams::from_query("code=secret-code&state=secret-state");
        let shown = format!("{p:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
