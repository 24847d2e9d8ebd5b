//! [`OpenUrl`]: how sign-in and sign-out with redirect open the managed login in a browser.

use std::fmt;
use std::future::Future;
use std::io;
use std::process::{Command, Stdio};
use std::sync::Arc;

use auth_providers::ProviderFuture;

/// What [`OpenUrl::open_url`] returns.
pub type OpenUrlFuture<'a> = ProviderFuture<'a, io::Result<()>>;

/// Opens a URL for the user: the system browser by default ([`SystemBrowser`]), an in-app
/// browser tab, a webview of a desktop app, or a headless client in tests.
///
/// The hook runs concurrently with the loopback listener, so it may return as soon as the
/// browser is launched, or only once the user is done (an in-app browser session that
/// returns the redirect). An error ends the sign-in with `RedirectError::Browser`; an error of
/// kind [`io::ErrorKind::Interrupted`] means the user closed the browser and ends it with
/// `RedirectError::Authorization(AuthorizationError::Cancelled { .. })`.
///
/// A closure works too, through [`open_url_fn`].
pub trait OpenUrl: Send + Sync + fmt::Debug {
    /// Opens `url`.
    fn open_url(&self, url: &str) -> OpenUrlFuture<'_>;
}

/// A cheap, clonable [`OpenUrl`].
#[derive(Clone, Debug)]
pub struct SharedOpenUrl(Arc<dyn OpenUrl>);

impl SharedOpenUrl {
    /// Wraps a hook.
    pub fn new(hook: impl OpenUrl + 'static) -> Self {
        Self(Arc::new(hook))
    }
}

impl Default for SharedOpenUrl {
    fn default() -> Self {
        Self::new(SystemBrowser)
    }
}

impl OpenUrl for SharedOpenUrl {
    fn open_url(&self, url: &str) -> OpenUrlFuture<'_> {
        self.0.open_url(url)
    }
}

/// The system's default browser: `open` on macOS, `rundll32 url.dll,FileProtocolHandler` on
/// Windows, `xdg-open` elsewhere. The URL is one argument of the command (no shell), and the
/// future resolves when the opener exits: an error if it cannot be run or exits with failure.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBrowser;

impl SystemBrowser {
    fn command(url: &str) -> Command {
        let mut command = if cfg!(target_os = "macos") {
            Command::new("open")
        } else if cfg!(windows) {
            let mut c = Command::new("rundll32");
            c.arg("url.dll,FileProtocolHandler");
            c
        } else {
            Command::new("xdg-open")
        };
        command
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }
}

impl OpenUrl for SystemBrowser {
    fn open_url(&self, url: &str) -> OpenUrlFuture<'_> {
        let mut command = Self::command(url);
        ProviderFuture::new(async move {
            let mut child = command.spawn()?;
            // Wait on a plain thread so no runtime feature is needed and no zombie is left.
            let (tx, rx) = tokio::sync::oneshot::channel();
            std::thread::spawn(move || {
                let _ = tx.send(child.wait());
            });
            let status = rx
                .await
                .map_err(|_| io::Error::other("the browser opener was lost"))??;
            if status.success() {
                Ok(())
            } else {
                Err(io::Error::other(format!(
                    "the browser opener exited with {status}"
                )))
            }
        })
    }
}

/// An [`OpenUrl`] from a closure `|url: String| async move { … }`.
///
/// ```
/// use auth::client::open_url_fn;
///
/// let hook = open_url_fn(|url: String| async move {
///     eprintln!("open this page to sign in: {url}");
///     Ok(())
/// });
/// # let _ = hook;
/// ```
pub fn open_url_fn<F, Fut>(f: F) -> OpenUrlFn<F>
where
    F: Fn(String) -> Fut + Send + Sync,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    OpenUrlFn(f)
}

/// The [`OpenUrl`] made by [`open_url_fn`].
#[derive(Clone, Copy)]
pub struct OpenUrlFn<F>(F);

impl<F> fmt::Debug for OpenUrlFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OpenUrlFn")
    }
}

impl<F, Fut> OpenUrl for OpenUrlFn<F>
where
    F: Fn(String) -> Fut + Send + Sync,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    fn open_url(&self, url: &str) -> OpenUrlFuture<'_> {
        ProviderFuture::new((self.0)(url.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_browser_gets_the_url_as_one_argument() {
        let url = "https://a.example.com/oauth2/authorize?x=1&y=a b;rm -rf";
        let command = SystemBrowser::command(url);
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(args.last().unwrap().to_str(), Some(url));
    }

    #[tokio::test]
    async fn a_closure_is_a_hook() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let hook = SharedOpenUrl::new(open_url_fn(move |url: String| {
            let tx = tx.clone();
            async move {
                tx.send(url).map_err(io::Error::other)?;
                Ok(())
            }
        }));
        hook.open_url("https://example.com/").await.unwrap();
        assert_eq!(rx.recv().await.as_deref(), Some("https://example.com/"));
        assert_eq!(format!("{hook:?}"), "SharedOpenUrl(OpenUrlFn)");
    }
}
