//! `sign_in_with_redirect` and `handle_redirect`: sign-in through Cognito's managed login
//! (hosted UI) the native-app way (RFC 8252): the authorization code grant with PKCE, the
//! browser opened through the app's [`OpenUrl`](super::OpenUrl) hook, and the redirect taken
//! by a loopback listener or handed over by the app (custom scheme). Also the `/logout` leg
//! of a sign-out with redirect.
//!
//! Every step after the start is persisted (see [`inflight`]); the completion always checks
//! the redirect against the stored sign-in, so a sign-out or a newer sign-in in between makes
//! a late redirect fail instead of signing a user in.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use auth_core::config::{OAuthConfig, OAuthResponseType, UserPoolConfig};
use auth_core::machine::Cause;
use auth_core::oauth::{
    self, AuthorizationCode, AuthorizationError, AuthorizeParams, CallbackParams, OAuthClient,
    PendingAuthorization, Prompt, Provider,
};
use auth_federation::oidc::{LoopbackListener, OidcError, parse_localhost_redirect};
use auth_hub::{AuthEvent, AuthUser};
use auth_providers::{KeyValueStorage as _, TokenStore};
use tracing::Instrument as _;

use super::error::redirect_event_error;
use super::{Auth, AuthError, OpenUrl as _, RedirectError};

mod inflight;

// The guide page's examples are compiled (and the ones that need no browser run) as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/sign-in-with-redirect.md")]
struct SignInWithRedirectGuide;

pub(crate) use inflight::oauth_sign_in_key;

/// How long the user has to finish signing in, by default.
pub const DEFAULT_REDIRECT_TIMEOUT: Duration = Duration::from_secs(300);

/// How long a sign-out with redirect waits for the managed login to send the browser back to
/// a loopback sign-out URI.
pub const SIGN_OUT_REDIRECT_TIMEOUT: Duration = Duration::from_secs(30);

const SIGNED_OUT_PAGE: &str = "<!doctype html><title>Signed out</title><p>Signed out. You can close this window and return to the app.";

/// Options of [`Auth::sign_in_with_redirect`] (Amplify's `provider`, `customState` and
/// `options`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignInWithRedirectOptions {
    /// The provider and the optional authorization parameters (scopes, `login_hint`, `lang`,
    /// `nonce`, `prompt`).
    pub authorize: AuthorizeParams,
    /// The app's own state, dispatched back as `customOAuthState` (Amplify's `customState`).
    /// It travels in URLs: never put a secret in it.
    pub custom_state: Option<String>,
    /// The redirect URI, one of the app client's callback URLs. Default: the first loopback
    /// URI (`http://localhost:…`, `http://127.0.0.1…`) of the configuration's sign-in
    /// redirects, else its first one.
    pub redirect_uri: Option<String>,
    /// How long the user has to sign in (default [`DEFAULT_REDIRECT_TIMEOUT`]).
    pub timeout: Duration,
}

impl Default for SignInWithRedirectOptions {
    fn default() -> Self {
        Self {
            authorize: AuthorizeParams::default(),
            custom_state: None,
            redirect_uri: None,
            timeout: DEFAULT_REDIRECT_TIMEOUT,
        }
    }
}

impl SignInWithRedirectOptions {
    /// The managed login page with every provider, the configured scopes and redirect URI.
    pub fn new() -> Self {
        Self::default()
    }

    /// Goes straight to `provider` (Google, Apple, a SAML or OIDC provider, the user pool).
    #[must_use]
    pub fn provider(mut self, provider: Provider) -> Self {
        self.authorize.provider = Some(provider);
        self
    }

    /// Sets the custom state.
    #[must_use]
    pub fn custom_state(mut self, state: impl Into<String>) -> Self {
        self.custom_state = Some(state.into());
        self
    }

    /// Replaces the configured scopes for this sign-in.
    #[must_use]
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.authorize = self.authorize.scopes(scopes);
        self
    }

    /// Pre-fills the username or email (`login_hint`).
    #[must_use]
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.authorize.login_hint = Some(hint.into());
        self
    }

    /// The managed login's language (`lang`).
    #[must_use]
    pub fn lang(mut self, lang: impl Into<String>) -> Self {
        self.authorize.lang = Some(lang.into());
        self
    }

    /// A `nonce` the ID token must carry back (checked).
    #[must_use]
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.authorize.nonce = Some(nonce.into());
        self
    }

    /// The `prompt` parameter.
    #[must_use]
    pub fn prompt(mut self, prompt: Prompt) -> Self {
        self.authorize.prompt = Some(prompt);
        self
    }

    /// Sets the redirect URI.
    #[must_use]
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// Sets the timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// What [`Auth::sign_in_with_redirect`] ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignInWithRedirectOutput {
    /// A loopback redirect arrived and was completed: the tokens are stored and
    /// `signInWithRedirect` and `signedIn` were dispatched.
    SignedIn(AuthUser),
    /// The redirect URI is not loopback (a custom scheme, or an app-claimed `https` URL): the
    /// browser is open and the sign-in is stored in flight. Hand the URL the system delivers
    /// to the app to [`Auth::handle_redirect`], even after a restart, before the timeout.
    AwaitingRedirect {
        /// The redirect URI sent to the managed login.
        redirect_uri: String,
    },
}

impl SignInWithRedirectOutput {
    /// Whether the user is signed in.
    pub fn is_signed_in(&self) -> bool {
        matches!(self, Self::SignedIn(_))
    }
}

/// `explicit`, else the first loopback URI of `configured`, else its first.
fn choose_redirect(explicit: Option<&str>, configured: &[String]) -> Option<String> {
    explicit
        .map(str::to_owned)
        .or_else(|| {
            configured
                .iter()
                .find(|uri| parse_localhost_redirect(uri).is_ok())
                .cloned()
        })
        .or_else(|| configured.first().cloned())
}

/// The app client at the managed login: Basic authentication when it has a secret.
fn oauth_client(config: &UserPoolConfig, oauth: &OAuthConfig) -> OAuthClient {
    OAuthClient::cognito(oauth, config.client_id(), config.client_secret())
}

/// The machine's refusal of a redirect or of the token endpoint's answer.
fn redirect_error(cause: &Cause) -> AuthError {
    match cause {
        Cause::Authorization(e) => RedirectError::Authorization(e.clone()).into(),
        Cause::TokenEndpoint(e) => RedirectError::TokenEndpoint(e.clone()).into(),
        // A machine made for this one redirect is never misused.
        other => RedirectError::TokenEndpoint(oauth::TokenEndpointError::MalformedResponse {
            reason: other.to_string(),
        })
        .into(),
    }
}

/// `url` without its query and fragment, and its query.
fn split_redirect(url: &str) -> (&str, &str) {
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    url.split_once('?').unwrap_or((url, ""))
}

fn listener_error(error: OidcError) -> AuthError {
    match error {
        OidcError::Timeout => RedirectError::Timeout.into(),
        other => RedirectError::Listener(other).into(),
    }
}

fn browser_error(error: std::io::Error) -> AuthError {
    if error.kind() == std::io::ErrorKind::Interrupted {
        RedirectError::Authorization(AuthorizationError::Cancelled {
            description: Some("the browser was closed".into()),
        })
        .into()
    } else {
        RedirectError::Browser(Arc::new(error)).into()
    }
}

impl Auth {
    /// Signs a user in through the user pool's managed login: Google, Facebook, Apple,
    /// Amazon, a SAML or OIDC provider, or the pool's own page (Amplify's
    /// `signInWithRedirect`).
    ///
    /// With a loopback redirect URI, a listener on `127.0.0.1` (on the URI's port, or a free
    /// one when it has none) takes the redirect, and this returns
    /// [`SignInWithRedirectOutput::SignedIn`] once the user is signed in. With any other
    /// redirect URI it returns [`SignInWithRedirectOutput::AwaitingRedirect`] once the
    /// browser is open; the app completes with [`handle_redirect`](Self::handle_redirect).
    ///
    /// On success: tokens stored like any sign-in, then `customOAuthState` (when a custom
    /// state was given), `signInWithRedirect` and `signedIn` dispatched, in that order.
    /// On failure after the start: nothing stored, the in-flight sign-in cleared, and
    /// `signInWithRedirect_failure` dispatched.
    ///
    /// # Errors
    ///
    /// Refusals (nothing dispatched): [`AuthError::UserAlreadyAuthenticated`],
    /// [`AuthError::NotConfigured`] without a user pool or OAuth configuration,
    /// [`RedirectError::InProgress`] while another sign-in with redirect of this `Auth` is
    /// running, [`RedirectError::NoRedirectUri`], [`RedirectError::UnsupportedResponseType`].
    /// Failures (dispatched): the other [`RedirectError`]s, [`AuthError::Transport`] when
    /// the token endpoint cannot be reached, [`AuthError::Storage`].
    pub async fn sign_in_with_redirect(
        &self,
        options: SignInWithRedirectOptions,
    ) -> Result<SignInWithRedirectOutput, AuthError> {
        let provider = options.authorize.provider.as_ref().map(|p| p.param().1);
        let span = tracing::info_span!("sign_in_with_redirect", provider);
        async move {
            let (config, store, oauth) = self.oauth()?;
            let Ok(_running) = self.inner.redirect_lock.try_lock() else {
                return Err(RedirectError::InProgress.into());
            };
            if store.load().await?.is_some() {
                return Err(AuthError::UserAlreadyAuthenticated);
            }
            let redirect_uri =
                choose_redirect(options.redirect_uri.as_deref(), oauth.redirect_sign_in())
                    .ok_or(RedirectError::NoRedirectUri("sign-in"))?;
            match self
                .start(config, store, oauth, &options, &redirect_uri)
                .await
            {
                Ok(output) => Ok(output),
                Err(error) => Err(self.redirect_failed(config, error).await),
            }
        }
        .instrument(span)
        .await
    }

    /// Completes a sign-in with redirect from the URL the system handed to the app (a custom
    /// scheme such as `com.example.app:/callback?code=…&state=…`), also after a restart: the
    /// sign-in in flight is read from the storage. Success and failure are dispatched as for
    /// [`sign_in_with_redirect`](Self::sign_in_with_redirect).
    ///
    /// # Errors
    ///
    /// Refusals (nothing dispatched, the sign-in in flight kept):
    /// [`RedirectError::NoneInProgress`], [`RedirectError::NotForThisSignIn`] for a URL that is
    /// not the sign-in's redirect URI, [`RedirectError::InProgress`] while a loopback sign-in
    /// of this `Auth` is running, [`AuthError::UserAlreadyAuthenticated`]. Failures
    /// (dispatched): [`RedirectError::Authorization`] (a state mismatch, a cancellation, …),
    /// [`RedirectError::Timeout`] when the sign-in expired, the token endpoint's errors.
    pub async fn handle_redirect(&self, url: &str) -> Result<AuthUser, AuthError> {
        let span = tracing::info_span!("handle_redirect");
        async move {
            let (config, store, oauth) = self.oauth()?;
            let Ok(_running) = self.inner.redirect_lock.try_lock() else {
                return Err(RedirectError::InProgress.into());
            };
            if store.load().await?.is_some() {
                return Err(AuthError::UserAlreadyAuthenticated);
            }
            let Some(inflight) = inflight::load(&self.inner.storage, config.client_id()).await?
            else {
                return Err(RedirectError::NoneInProgress.into());
            };
            let (base, query) = split_redirect(url);
            if base.trim_end_matches('/') != inflight.pending.redirect_uri().trim_end_matches('/') {
                return Err(RedirectError::NotForThisSignIn.into());
            }
            let callback = CallbackParams::from_query(query);
            match self.complete(config, store, oauth, &callback).await {
                Ok(user) => Ok(user),
                Err(error) => Err(self.redirect_failed(config, error).await),
            }
        }
        .instrument(span)
        .await
    }

    /// The user pool, its token store and the OAuth configuration.
    fn oauth(&self) -> Result<(&UserPoolConfig, &TokenStore, &OAuthConfig), AuthError> {
        let (config, store) = self.user_pool()?;
        let oauth = self
            .inner
            .oauth
            .as_ref()
            .ok_or(AuthError::NotConfigured("OAuth domain (auth.oauth)"))?;
        if oauth.response_type() != OAuthResponseType::Code {
            return Err(
                RedirectError::UnsupportedResponseType(oauth.response_type().as_str()).into(),
            );
        }
        Ok((config, store, oauth))
    }

    /// From the listener to the signed-in user, or the output awaiting a custom-scheme
    /// redirect.
    async fn start(
        &self,
        config: &UserPoolConfig,
        store: &TokenStore,
        oauth: &OAuthConfig,
        options: &SignInWithRedirectOptions,
        redirect_uri: &str,
    ) -> Result<SignInWithRedirectOutput, AuthError> {
        let listener = match parse_localhost_redirect(redirect_uri) {
            Ok(_) => Some(
                LoopbackListener::bind_localhost_to(redirect_uri)
                    .await
                    .map_err(RedirectError::Listener)?,
            ),
            Err(_) => None,
        };
        let redirect_uri = listener
            .as_ref()
            .map_or(redirect_uri, LoopbackListener::redirect_uri);
        let pending = PendingAuthorization::generate(
            &mut rand::thread_rng(),
            redirect_uri,
            options.custom_state.as_deref(),
            options.authorize.nonce.clone(),
        );
        let machine = AuthorizationCode::new(
            oauth_client(config, oauth),
            pending,
            &options.authorize.clone().default_scopes(oauth.scopes()),
        );
        let url = machine.authorization_url().unwrap_or_default().to_owned();
        let inflight = inflight::InFlight {
            pending: machine.pending().clone(),
            expires_at: self.now() + options.timeout,
        };
        inflight::save(&self.inner.storage, config.client_id(), &inflight).await?;
        let Some(listener) = listener else {
            self.inner
                .open_url
                .open_url(&url)
                .await
                .map_err(browser_error)?;
            return Ok(SignInWithRedirectOutput::AwaitingRedirect {
                redirect_uri: inflight.pending.redirect_uri().to_owned(),
            });
        };
        let callback = self
            .wait_for_redirect(&url, &listener, options.timeout)
            .await?;
        drop(listener);
        let user = self.complete(config, store, oauth, &callback).await?;
        Ok(SignInWithRedirectOutput::SignedIn(user))
    }

    /// Opens `url` and waits (at most `timeout`) for the listener to take a redirect. The hook
    /// runs concurrently: one that never returns is bounded by the timeout too.
    async fn wait_for_redirect(
        &self,
        url: &str,
        listener: &LoopbackListener,
        timeout: Duration,
    ) -> Result<CallbackParams, AuthError> {
        let wait = listener.wait_for_callback(timeout);
        tokio::pin!(wait);
        tokio::select! {
            biased;
            callback = &mut wait => callback.map_err(listener_error),
            opened = self.inner.open_url.open_url(url) => match opened {
                Ok(()) => wait.await.map_err(listener_error),
                Err(error) => Err(browser_error(error)),
            },
        }
    }

    /// Checks the redirect against the stored sign-in, exchanges the code, stores the tokens
    /// and dispatches the events.
    async fn complete(
        &self,
        config: &UserPoolConfig,
        store: &TokenStore,
        oauth: &OAuthConfig,
        callback: &CallbackParams,
    ) -> Result<AuthUser, AuthError> {
        let client_id = config.client_id();
        let inflight = inflight::load(&self.inner.storage, client_id)
            .await?
            .ok_or(RedirectError::NoneInProgress)?;
        if self.now() > inflight.expires_at {
            return Err(RedirectError::Timeout.into());
        }
        let nonce = inflight.pending.nonce().map(str::to_owned);
        let custom_state = inflight.pending.state().custom_state();
        let mut machine = AuthorizationCode::resume(oauth_client(config, oauth), inflight.pending);
        machine
            .handle_redirect(callback)
            .map_err(|e| redirect_error(e.cause()))?;
        // A code is single-use: the POST is never replayed once sent (not idempotent), and a
        // lost answer ends the sign-in (the machine says `StartOver`).
        super::driver::drive(
            &self.inner.http,
            || self.now(),
            &mut machine,
            "oauth2/token",
        )
        .instrument(tracing::info_span!("oauth2/token"))
        .await
        .map_err(|error| match error {
            AuthError::Flow { source, .. } => redirect_error(source.cause()),
            other => other,
        })?;
        let tokens = machine
            .into_tokens()
            // Unreachable: `drive` returned after the machine took the tokens.
            .ok_or(RedirectError::Authorization(
                AuthorizationError::MissingCode,
            ))?
            .to_auth_tokens(self.now(), nonce.as_deref())
            .map_err(RedirectError::TokenEndpoint)?;
        store.store(&tokens).await?;
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        if let Err(error) = inflight::clear(&self.inner.storage, client_id).await {
            tracing::warn!(error = %error, "could not clear the completed sign-in with redirect");
        }
        if let Err(error) = self
            .inner
            .storage
            .set(&oauth_sign_in_key(client_id), "true,false")
            .await
        {
            tracing::warn!(error = %error, "could not record the sign-in with redirect");
        }
        let sub = tokens
            .id_token
            .as_ref()
            .and_then(|t| t.claims().sub.clone())
            .or_else(|| tokens.access_token.claims().sub.clone())
            .unwrap_or_else(|| tokens.username.to_string());
        let user = AuthUser::new(tokens.username.clone(), sub);
        if let Some(custom) = custom_state {
            self.emit(AuthEvent::CustomOAuthState { state: custom });
        }
        self.emit(AuthEvent::SignInWithRedirect);
        self.emit(AuthEvent::SignedIn { user: user.clone() });
        Ok(user)
    }

    /// Ends a failed sign-in: forgets it and dispatches `signInWithRedirect_failure`.
    async fn redirect_failed(&self, config: &UserPoolConfig, error: AuthError) -> AuthError {
        if let Err(cleanup) = inflight::clear(&self.inner.storage, config.client_id()).await {
            tracing::warn!(error = %cleanup, "could not clear the failed sign-in with redirect");
        }
        tracing::info!(error = %error, "sign-in with redirect failed");
        self.emit(AuthEvent::SignInWithRedirectFailure {
            error: redirect_event_error(&error),
        });
        error
    }

    /// The managed login's `/logout` leg of a sign-out with redirect: opens
    /// `/logout?client_id=…&logout_uri=…` and, for a loopback sign-out URI, waits for the
    /// browser to come back.
    pub(crate) async fn sign_out_redirect(&self) -> Result<(), AuthError> {
        let (config, _, oauth) = self.oauth()?;
        let logout_uri = choose_redirect(None, oauth.redirect_sign_out())
            .ok_or(RedirectError::NoRedirectUri("sign-out"))?;
        if parse_localhost_redirect(&logout_uri).is_err() {
            let url = oauth::logout_url(oauth, config.client_id(), &logout_uri);
            return self
                .inner
                .open_url
                .open_url(&url)
                .await
                .map_err(browser_error);
        }
        let listener = LoopbackListener::bind_localhost_to(&logout_uri)
            .await
            .map_err(RedirectError::Listener)?
            .with_success_page(SIGNED_OUT_PAGE);
        let url = oauth::logout_url(oauth, config.client_id(), listener.redirect_uri());
        self.wait_for_redirect(&url, &listener, SIGN_OUT_REDIRECT_TIMEOUT)
            .await
            .map(drop)
    }

    /// Forgets a sign-in with redirect in flight and the `oauthSignIn` mark (sign-out).
    pub(crate) async fn forget_redirect(&self, config: &UserPoolConfig) {
        if let Err(error) = inflight::clear(&self.inner.storage, config.client_id()).await {
            tracing::warn!(error = %error, "could not clear the sign-in with redirect in flight");
        }
        if let Err(error) = self
            .inner
            .storage
            .remove(&oauth_sign_in_key(config.client_id()))
            .await
        {
            tracing::warn!(error = %error, "could not clear the oauthSignIn mark");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_loopback_redirect_is_preferred() {
        let configured = vec![
            "https://app.example.com/".to_owned(),
            "com.example.app:/callback".to_owned(),
            "http://localhost:8400/callback".to_owned(),
        ];
        assert_eq!(
            choose_redirect(None, &configured).as_deref(),
            Some("http://localhost:8400/callback")
        );
        assert_eq!(
            choose_redirect(None, &configured[..2]).as_deref(),
            Some("https://app.example.com/")
        );
        assert_eq!(
            choose_redirect(Some("myapp://cb"), &configured).as_deref(),
            Some("myapp://cb")
        );
        assert_eq!(choose_redirect(None, &[]), None);
    }

    #[test]
    fn a_redirect_splits_into_uri_and_query() {
        assert_eq!(
            split_redirect("com.example.app:/callback?code=c&state=s#frag"),
            ("com.example.app:/callback", "code=c&state=s")
        );
        assert_eq!(split_redirect("myapp://cb"), ("myapp://cb", ""));
    }

    #[test]
    fn an_interrupted_browser_is_a_cancellation() {
        let error = browser_error(std::io::Error::from(std::io::ErrorKind::Interrupted));
        assert!(error.redirect_error().unwrap().is_cancelled());
        let error = browser_error(std::io::Error::other("no browser"));
        assert!(matches!(
            error.redirect_error(),
            Some(RedirectError::Browser(_))
        ));
    }
}
