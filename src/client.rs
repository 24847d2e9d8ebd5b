//! The full client: [`Auth`], Amplify Auth's API in Rust over the toolkit's crates.
//!
//! `Auth` drives the sans-IO machines of `auth-core` over an [`HttpClient`](auth_providers::HttpClient),
//! keeps tokens in a [`TokenStore`] under Amplify's keys, refreshes them once for all callers,
//! gets AWS credentials from an identity pool (or a custom provider), and emits auth events
//! on the [`Hub`]. See `docs/client.md`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::SystemTime;

use auth_core::config::{IdentityPoolConfig, OAuthConfig, UserPoolConfig};
use auth_core::machine::session::RefreshMethod;
use auth_core::machine::sign_in::SignIn;
use auth_core::machine::sign_up::SignUp;
use auth_hub::{AuthDispatcher, AuthEvent, EventSource, Hub};
use auth_providers::{
    SharedCredentialsProvider, SharedHttpClient, SharedKeyValueStorage, SharedTimeSource,
    SharedTokenProvider, TimeSource as _, TokenStore,
};

/// One call authorized by the signed-in user's access token, in a span named after the
/// operation: `authorized!(self, "name", |access_token| Input { … })`.
macro_rules! authorized {
    ($self:ident, $name:literal, $body:expr) => {{
        let span = tracing::info_span!($name);
        async move {
            let (config, _) = $self.user_pool()?;
            let access_token = $self.access_token().await?;
            let input = $body(access_token);
            call(&$self.inner.http, config, &input).await
        }
        .instrument(span)
        .await
    }};
}

mod browser;
mod builder;
mod driver;
mod error;
mod mfa;
mod outputs;
mod redirect;
mod reset_password;
mod session;
mod sign_in;
mod sign_up;
mod user;

pub use auth_core::oauth::{Prompt, Provider};
pub use browser::{OpenUrl, OpenUrlFn, OpenUrlFuture, SharedOpenUrl, SystemBrowser, open_url_fn};
pub use builder::AuthBuilder;
pub use error::{AuthError, BuildError, RedirectError};
pub use mfa::{Device, MfaPreference, MfaPreferenceOutput, UpdateMfaPreference};
pub use redirect::{
    DEFAULT_REDIRECT_TIMEOUT, SIGN_OUT_REDIRECT_TIMEOUT, SignInWithRedirectOptions,
    SignInWithRedirectOutput,
};
pub use session::{
    AuthSession, AuthTokenProvider, FetchAuthSessionOptions, SignOutOptions, SignOutOutcome,
};
pub use sign_in::{SignInOptions, SignInOutput};
pub use sign_up::{SignUpOptions, SignUpOutput};
pub use user::UserAttributes;

/// Amplify Auth for Cognito: sign-in, sign-up, password reset, sessions and AWS credentials.
///
/// Cheap to clone (an `Arc` inside) and `Send + Sync`: build one and share it. Every method
/// runs in a `tracing` span named after it; no field of a span is a secret.
///
/// ```no_run
/// use auth::Auth;
/// use auth::client::SignInOptions;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let auth = Auth::builder()
///     .amplify_outputs(&std::fs::read_to_string("amplify_outputs.json")?)?
///     .build()?;
/// let _listener = auth.hub().auth().listen(|event| println!("auth event: {}", event.name()));
/// let output = auth.sign_in("alice", "correct horse", SignInOptions::default()).await?;
/// assert!(output.is_signed_in());
/// let session = auth.fetch_auth_session(Default::default()).await?;
/// println!("signed in as {:?}", session.tokens.map(|t| t.username));
/// auth.sign_out(Default::default()).await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    user_pool: Option<UserPoolConfig>,
    identity_pool: Option<IdentityPoolConfig>,
    oauth: Option<OAuthConfig>,
    /// Opens the managed login for sign-in and sign-out with redirect.
    open_url: SharedOpenUrl,
    http: SharedHttpClient,
    storage: SharedKeyValueStorage,
    store: Option<TokenStore>,
    hub: Hub,
    dispatcher: AuthDispatcher,
    source: EventSource,
    time: SharedTimeSource,
    token_provider: Option<SharedTokenProvider>,
    credentials: Option<SharedCredentialsProvider>,
    refresh_method: RefreshMethod,
    /// The sign-in waiting for the user's answer (also persisted, see `sign_in.rs`).
    pending: tokio::sync::Mutex<Option<SignIn>>,
    /// The sign-up in progress (kept for its Session, which auto sign-in reuses).
    sign_up: tokio::sync::Mutex<Option<(String, SignUp)>>,
    /// Held while tokens are refreshed: one refresh in flight for all callers.
    refresh_lock: tokio::sync::Mutex<()>,
    /// Held while a sign-in with redirect runs (`try_lock`: a second one is refused).
    redirect_lock: tokio::sync::Mutex<()>,
    /// Bumped whenever the stored tokens change (refresh, sign-in, sign-out).
    generation: AtomicU64,
    /// The tokens last read from storage, decoded (see `Auth::load_tokens`).
    decoded: std::sync::Mutex<Option<session::Decoded>>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Auth")
            .field("user_pool", &inner.user_pool)
            .field("identity_pool", &inner.identity_pool)
            .field("oauth", &inner.oauth)
            .field("open_url", &inner.open_url)
            .field("http", &inner.http)
            .field("storage", &inner.storage)
            .field("source", &inner.source)
            .field("custom_token_provider", &inner.token_provider.is_some())
            .field("credentials_provider", &inner.credentials)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// A builder; see [`AuthBuilder`] for the defaults.
    pub fn builder() -> AuthBuilder {
        AuthBuilder::default()
    }

    /// A client configured from Amplify Gen 2's `amplify_outputs.json` (or the older
    /// `amplifyconfiguration.json`), with every other part left at its default.
    ///
    /// # Errors
    ///
    /// As [`AuthBuilder::amplify_outputs`] and [`AuthBuilder::build`].
    pub fn from_amplify_outputs(json: &str) -> Result<Self, BuildError> {
        Self::builder().amplify_outputs(json)?.build()
    }

    /// The Hub this client emits auth events on: the [global](auth_hub::global) one unless
    /// the builder was given another. Listen with `auth.hub().auth().listen(…)`; with several
    /// clients on one Hub, `listen_capsules` tells them apart by [`event_source`](Self::event_source).
    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }

    /// The source stamped on this client's events: its [name](AuthBuilder::name) and a
    /// process-unique id (a re-configured client, built anew, is another source).
    pub fn event_source(&self) -> &EventSource {
        &self.inner.source
    }

    /// The user pool configuration, if any.
    pub fn user_pool_config(&self) -> Option<&UserPoolConfig> {
        self.inner.user_pool.as_ref()
    }

    /// The identity pool configuration, if any.
    pub fn identity_pool_config(&self) -> Option<&IdentityPoolConfig> {
        self.inner.identity_pool.as_ref()
    }

    /// The OAuth (managed login) configuration, if any.
    pub fn oauth_config(&self) -> Option<&OAuthConfig> {
        self.inner.oauth.as_ref()
    }

    /// The storage (tokens under Amplify's keys, device keys, identity id, pending sign-in).
    pub fn storage(&self) -> &SharedKeyValueStorage {
        &self.inner.storage
    }

    pub(crate) fn now(&self) -> SystemTime {
        self.inner.time.now()
    }

    pub(crate) fn user_pool(&self) -> Result<(&UserPoolConfig, &TokenStore), AuthError> {
        match (&self.inner.user_pool, &self.inner.store) {
            (Some(config), Some(store)) => Ok((config, store)),
            _ => Err(AuthError::NotConfigured("user pool")),
        }
    }

    pub(crate) fn emit(&self, event: AuthEvent) {
        let name = event.name();
        if let Err(error) = self.inner.dispatcher.dispatch(event) {
            tracing::warn!(event = name, error = %error, "could not emit an auth event");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> UserPoolConfig {
        UserPoolConfig::builder()
            .pool_id("us-east-1_Ab")
            .client_id("c")
            .build()
            .unwrap()
    }

    #[test]
    fn auth_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<Auth>();
    }

    #[test]
    fn a_hub_whose_dispatcher_was_taken_is_refused() {
        let (hub, _dispatcher) = Hub::with_auth_dispatcher();
        let err = Auth::builder()
            .user_pool(config())
            .hub(hub)
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::HubDispatcherTaken));
    }

    #[test]
    fn endpoint_overrides_apply_to_pools_from_amplify_outputs() {
        let outputs = r#"{"auth":{"aws_region":"eu-west-1","user_pool_id":"eu-west-1_Ab",
            "user_pool_client_id":"c","identity_pool_id":"eu-west-1:0e1c-42"}}"#;
        let auth = Auth::builder()
            .amplify_outputs(outputs)
            .unwrap()
            .user_pool_endpoint("http://127.0.0.1:5000")
            .identity_pool_endpoint("https://vpce-1.cognito-identity.eu-west-1.vpce.amazonaws.com")
            .build()
            .unwrap();
        let user_pool = auth.user_pool_config().unwrap();
        assert_eq!(user_pool.endpoint().uri(), "http://127.0.0.1:5000/");
        assert_eq!(
            user_pool.region(),
            "eu-west-1",
            "the region stays the pool's"
        );
        assert_eq!(
            auth.identity_pool_config().unwrap().endpoint().uri(),
            "https://vpce-1.cognito-identity.eu-west-1.vpce.amazonaws.com/"
        );
        let err = Auth::builder()
            .amplify_outputs(outputs)
            .unwrap()
            .user_pool_endpoint("not a uri")
            .build()
            .unwrap_err();
        assert!(
            matches!(
                err,
                BuildError::Config(auth_core::config::ConfigError::InvalidEndpoint { .. })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn nothing_configured_is_refused() {
        assert!(matches!(
            Auth::builder().build().unwrap_err(),
            BuildError::NothingConfigured
        ));
    }

    #[test]
    fn identity_pool_only_configuration_builds() {
        let identity = IdentityPoolConfig::builder()
            .identity_pool_id("us-east-1:0e1c-42")
            .build()
            .unwrap();
        let auth = Auth::builder().identity_pool(identity).build().unwrap();
        assert!(auth.user_pool_config().is_none());
        assert!(matches!(
            auth.user_pool(),
            Err(AuthError::NotConfigured("user pool"))
        ));
    }
}
