//! The loopback redirect listener for native and CLI apps (RFC 8252 §7.3).
//!
//! The listener binds to `127.0.0.1` only (never `0.0.0.0`, never `localhost`, whose name
//! resolution can be redirected: RFC 8252 §8.3), on a free port unless one is configured,
//! answers exactly one request on the redirect path, and returns its query parameters.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use super::error::OidcError;

const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// The query parameters of the authorization redirect.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackParams {
    /// The authorization code.
    pub code: Option<auth_core::Sensitive>,
    /// The `state` echoed by the provider.
    pub state: Option<String>,
    /// The OAuth error code, when authorization failed.
    pub error: Option<String>,
    /// The provider's description of the error.
    pub error_description: Option<String>,
    /// The issuer (RFC 9207), when the provider sends it.
    pub iss: Option<String>,
}

impl std::fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackParams")
            .field("code", &self.code)
            .field("state", &self.state.as_ref().map(|_| "** redacted **"))
            .field("error", &self.error)
            .field("error_description", &self.error_description)
            .field("iss", &self.iss)
            .finish()
    }
}

impl CallbackParams {
    /// Parses a query string (`code=…&state=…`).
    pub fn from_query(query: &str) -> Self {
        let mut params = Self::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            match &*name {
                "code" => params.code = Some(value.into()),
                "state" => params.state = Some(value),
                "error" => params.error = Some(value),
                "error_description" => params.error_description = Some(value),
                "iss" => params.iss = Some(value),
                _ => {}
            }
        }
        params
    }
}

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

/// A listener for one authorization redirect on a loopback address.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    path: String,
    redirect_uri: String,
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
        Self::bind_addr(addr, &path).await
    }

    async fn bind_addr(addr: SocketAddr, path: &str) -> Result<Self, OidcError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| OidcError::Listener(Arc::new(e)))?;
        let local = listener
            .local_addr()
            .map_err(|e| OidcError::Listener(Arc::new(e)))?;
        let host = match local.ip() {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let path = if path.is_empty() { "/" } else { path };
        Ok(Self {
            listener,
            path: path.to_owned(),
            redirect_uri: format!("http://{host}:{}{path}", local.port()),
        })
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
            let body: &[u8] = if params.error.is_some() {
                b"<!doctype html><title>Sign-in failed</title><p>Sign-in failed. You can close this window."
            } else {
                b"<!doctype html><title>Signed in</title><p>Signed in. You can close this window and return to the app."
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
    fn callback_debug_redacts_code_and_state() {
        let p = CallbackParams::from_query("code=secret-code&state=secret-state");
        let shown = format!("{p:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
