//! `fetch_auth_session` (tokens refreshed once for all callers, AWS credentials),
//! `get_current_user`, `sign_out` (with or without the managed login's `/logout`) and
//! `aws_credentials_provider`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use auth_core::Sensitive;
use auth_core::config::UserPoolConfig;
use auth_core::machine::ClientMetadata;
use auth_core::machine::Machine as _;
use auth_core::machine::session::{Session, SessionOptions, SessionStep, TokenAction};
use auth_core::tokens::AuthTokens;
use auth_core::wire::{GlobalSignOutInput, RevokeTokenInput};
use auth_hub::{AuthEvent, AuthEventError, AuthUser};
use auth_providers::aws::CredentialsAdapter;
use auth_providers::{
    AwsCredentials, CredentialsOptions, CredentialsProvider as _, IdentityId, KeyValueStorage as _,
    ProviderError, ProviderFuture, SharedCredentialsProvider, SharedTokenProvider, TokenOptions,
    TokenProvider, TokensFuture,
};
use tracing::Instrument as _;

use super::driver::{call, drive};
use super::sign_in::pending_key;
use super::{Auth, AuthError};

/// Tokens decoded from storage, the storage key of their access token, and the storage's
/// revision read before they were (see `Auth::load_tokens`).
#[derive(Debug)]
pub(crate) struct Decoded {
    tokens: AuthTokens,
    /// Shared so the per-call comparison copies nothing; a new `Decoded` gets a new one.
    access_key: Arc<str>,
    revision: Option<u64>,
}

impl Decoded {
    fn new(store: &auth_providers::TokenStore, tokens: AuthTokens, revision: Option<u64>) -> Self {
        Self {
            access_key: auth_providers::token_store::keys::user(
                store.client_id(),
                &tokens.username,
                "accessToken",
            )
            .into(),
            tokens,
            revision,
        }
    }
}

/// Options of [`Auth::fetch_auth_session`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FetchAuthSessionOptions {
    /// Refresh the tokens (and credentials) even if they are still valid.
    pub force_refresh: bool,
    /// Client metadata for the PreTokenGeneration trigger, when a refresh happens.
    pub client_metadata: ClientMetadata,
}

impl FetchAuthSessionOptions {
    /// Forces a refresh.
    #[must_use]
    pub fn force_refresh(mut self, force: bool) -> Self {
        self.force_refresh = force;
        self
    }

    /// Sets the client metadata.
    #[must_use]
    pub fn client_metadata(mut self, metadata: ClientMetadata) -> Self {
        self.client_metadata = metadata;
        self
    }
}

/// The current session (Amplify's `AuthSession`). `Debug` redacts every secret.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthSession {
    /// The signed-in user's tokens; `None` for a guest.
    pub tokens: Option<AuthTokens>,
    /// The identity-pool identity id, when an identity pool (or a custom credentials provider)
    /// is configured.
    pub identity_id: Option<IdentityId>,
    /// AWS credentials, when an identity pool (or a custom credentials provider) is configured.
    pub credentials: Option<AwsCredentials>,
    /// The user's `sub`, when signed in.
    pub user_sub: Option<String>,
}

/// Options of [`Auth::sign_out`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignOutOptions {
    /// Also sign out of every other device (GlobalSignOut).
    pub global: bool,
    /// Also end the managed login's session (after a sign-in with redirect): open
    /// `/logout?client_id=…&logout_uri=…` through the browser hook, `logout_uri` being the
    /// first loopback sign-out URI of the OAuth configuration, else its first. For a loopback
    /// URI a listener waits (at most [`SIGN_OUT_REDIRECT_TIMEOUT`](super::SIGN_OUT_REDIRECT_TIMEOUT))
    /// for the browser to come back and shows a "signed out" page.
    pub redirect: bool,
}

impl SignOutOptions {
    /// A global sign-out.
    pub fn global() -> Self {
        Self {
            global: true,
            redirect: false,
        }
    }

    /// Sets [`redirect`](Self::redirect).
    #[must_use]
    pub fn with_redirect(mut self, redirect: bool) -> Self {
        self.redirect = redirect;
        self
    }
}

/// What a sign-out did. Local state is always cleared and `signedOut` emitted; the network
/// calls may have failed (offline), which leaves the refresh token valid at Cognito until it
/// expires.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct SignOutOutcome {
    /// Why GlobalSignOut failed, if it was asked for and failed.
    pub global_sign_out_error: Option<AuthError>,
    /// Why RevokeToken failed, if it was sent and failed.
    pub revoke_token_error: Option<AuthError>,
    /// Why the managed login's `/logout` failed (the browser hook, no sign-out URI, a
    /// timeout), if it was asked for.
    pub redirect_error: Option<AuthError>,
}

impl SignOutOutcome {
    /// Whether every network call (and the `/logout` redirect) succeeded.
    pub fn is_complete(&self) -> bool {
        self.global_sign_out_error.is_none()
            && self.revoke_token_error.is_none()
            && self.redirect_error.is_none()
    }
}

/// The `Auth`'s tokens as a [`TokenProvider`]: what [`Auth::aws_credentials_provider`] gives
/// the credentials provider. Refreshes as [`Auth::fetch_auth_session`] does.
#[derive(Debug, Clone)]
pub struct AuthTokenProvider(Auth);

impl TokenProvider for AuthTokenProvider {
    fn tokens(&self, options: TokenOptions) -> TokensFuture<'_> {
        ProviderFuture::new(async move {
            self.0
                .tokens(options.force_refresh, ClientMetadata::new())
                .await
                .map_err(|e| {
                    let transient = e.is_transient();
                    let error = if transient {
                        ProviderError::network("the tokens could not be refreshed")
                    } else {
                        ProviderError::provider("the tokens could not be refreshed")
                    };
                    error.with_source(e)
                })
        })
    }
}

impl Auth {
    /// The current session: tokens (refreshed when expired or forced, once for all
    /// concurrent callers), and AWS credentials and identity id from the credentials provider
    /// (guest credentials when nobody is signed in and the identity pool allows guests).
    ///
    /// A refresh that fails definitively (NotAuthorized, TokenRevoked, …) clears the tokens,
    /// emits `tokenRefresh_failure` and returns a session without tokens; any other failure
    /// (offline, throttling, a 5xx) keeps the stored tokens, emits `tokenRefresh_failure`,
    /// and is returned as an error.
    ///
    /// # Errors
    ///
    /// [`AuthError::Transport`] or [`AuthError::Flow`] for a transient refresh failure;
    /// [`AuthError::Credentials`] when the credentials provider fails;
    /// [`AuthError::Storage`].
    pub async fn fetch_auth_session(
        &self,
        options: FetchAuthSessionOptions,
    ) -> Result<AuthSession, AuthError> {
        let span = tracing::info_span!("fetch_auth_session", force_refresh = options.force_refresh);
        async move {
            let tokens = self
                .tokens(options.force_refresh, options.client_metadata)
                .await?;
            let user_sub = tokens
                .as_ref()
                .and_then(|t| t.access_token.claims().sub.clone());
            let (identity_id, credentials) = match &self.inner.credentials {
                None => (None, None),
                Some(provider) => {
                    let request = match &tokens {
                        Some(tokens) => CredentialsOptions::authenticated(tokens.clone()),
                        None if self.guests_allowed() => CredentialsOptions::guest(),
                        None => {
                            return Ok(AuthSession {
                                tokens,
                                identity_id: None,
                                credentials: None,
                                user_sub,
                            });
                        }
                    };
                    let value = provider
                        .credentials_and_identity_id(request.force_refresh(options.force_refresh))
                        .await
                        .map_err(AuthError::Credentials)?;
                    (value.identity_id, Some(value.credentials))
                }
            };
            Ok(AuthSession {
                tokens,
                identity_id,
                credentials,
                user_sub,
            })
        }
        .instrument(span)
        .await
    }

    /// The stored tokens, decoded once per change. Storage stays the source of truth (another
    /// process may share it): while the storage's [revision] is unchanged since the tokens
    /// were decoded, nothing was written and they are reused as they are; otherwise (a store
    /// that cannot tell, or any write since) LastAuthUser and the access token are compared
    /// in place ([`value_equals`]) and the decoded tokens reused while both are unchanged.
    /// Every write of tokens (sign-in, refresh with or without rotation) writes a new access
    /// token, and sign-out removes it, so the pair identifies what is stored.
    ///
    /// [revision]: auth_providers::KeyValueStorage::revision
    /// [`value_equals`]: auth_providers::KeyValueStorage::value_equals
    async fn load_tokens(
        &self,
        store: &auth_providers::TokenStore,
    ) -> Result<Option<AuthTokens>, AuthError> {
        let storage = store.storage();
        // Read before anything else: a write after this point moves it, and the next call
        // then compares again.
        let revision = storage.revision();
        let earlier = {
            let decoded = self.decoded();
            match &*decoded {
                // Cheap: everything in the tokens is shared (`Arc`s), nothing is copied.
                Some(d) if revision.is_some() && d.revision == revision => {
                    return Ok(Some(d.tokens.clone()));
                }
                Some(d) => Some((d.tokens.clone(), Arc::clone(&d.access_key))),
                None => None,
            }
        };
        if let Some((tokens, access_key)) = earlier
            && storage
                .value_equals(store.last_auth_user_key(), &tokens.username)
                .await?
            && storage
                .value_equals(&access_key, tokens.access_token.as_str())
                .await?
        {
            // Still what is stored (something else was written): remember the revision that
            // proves it, unless another caller replaced the decoded tokens meanwhile.
            if let Some(d) = &mut *self.decoded()
                && Arc::ptr_eq(&d.access_key, &access_key)
            {
                d.revision = revision;
            }
            return Ok(Some(tokens));
        }
        let tokens = store.load().await?;
        *self.decoded() = tokens
            .clone()
            .map(|tokens| Decoded::new(store, tokens, revision));
        Ok(tokens)
    }

    /// Remembers tokens this client has just stored, so that nobody decodes them again. No
    /// revision: another writer may have written since, so the next call compares once.
    fn remember(&self, store: &auth_providers::TokenStore, tokens: &AuthTokens) {
        *self.decoded() = Some(Decoded::new(store, tokens.clone(), None));
    }

    fn decoded(&self) -> std::sync::MutexGuard<'_, Option<Decoded>> {
        self.inner
            .decoded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn guests_allowed(&self) -> bool {
        // A custom credentials provider decides for itself.
        self.inner
            .identity_pool
            .as_ref()
            .is_none_or(|c| c.allow_guest_access())
    }

    /// The signed-in user's tokens, refreshed when expired (or forced); `None` when nobody is
    /// signed in. With a custom token provider, its tokens.
    pub(crate) async fn tokens(
        &self,
        force: bool,
        client_metadata: ClientMetadata,
    ) -> Result<Option<AuthTokens>, AuthError> {
        if let Some(provider) = &self.inner.token_provider {
            return provider
                .tokens(TokenOptions::new().force_refresh(force))
                .await
                .map_err(AuthError::Tokens);
        }
        let Ok((config, store)) = self.user_pool() else {
            return Ok(None);
        };
        let generation = self.inner.generation.load(Ordering::Acquire);
        let Some(tokens) = self.load_tokens(store).await? else {
            return Ok(None);
        };
        if !force && !tokens.is_expired(self.now()) {
            return Ok(Some(tokens));
        }
        drop(tokens);
        // Boxed: the refresh's state machine is large, and inlining it would make every
        // `fetch_auth_session` future (and each move of it) that large.
        Box::pin(self.refresh_tokens(config, store, generation, client_metadata)).await
    }

    /// Refreshes the stored tokens, once for all concurrent callers: a caller that finds the
    /// generation moved while it waited for the lock takes what the other stored.
    async fn refresh_tokens(
        &self,
        config: &UserPoolConfig,
        store: &auth_providers::TokenStore,
        generation: u64,
        client_metadata: ClientMetadata,
    ) -> Result<Option<AuthTokens>, AuthError> {
        let _refreshing = self.inner.refresh_lock.lock().await;
        if self.inner.generation.load(Ordering::Acquire) != generation {
            // Another caller refreshed (or signed out) while this one waited: its tokens,
            // decoded once for all the waiters.
            return self.load_tokens(store).await;
        }
        let Some(tokens) = store.load().await? else {
            return Ok(None);
        };
        let device_key = store
            .device_metadata(&tokens.username)
            .await?
            .map(|d| d.device_key);
        let span = tracing::info_span!("refresh_tokens");
        let mut session = Session::new(
            config,
            tokens,
            SessionOptions {
                method: self.inner.refresh_method,
                device_key,
                client_metadata,
            },
        );
        session
            .refresh(self.now())
            .map_err(|source| AuthError::Flow {
                operation: "refresh_tokens",
                source,
            })?;
        let driven = drive(
            &self.inner.http,
            || self.now(),
            &mut session,
            "refresh_tokens",
        )
        .instrument(span)
        .await;
        // After a transport failure the driver has told the session: it holds
        // `Failed { KeepTokens, .. }`, so the stored tokens stay.
        match session.step() {
            Some(SessionStep::Refreshed { .. }) => {
                let tokens = session.tokens().cloned().expect("refreshed tokens");
                store.store(&tokens).await?;
                self.remember(store, &tokens);
                self.inner.generation.fetch_add(1, Ordering::AcqRel);
                self.emit(AuthEvent::TokenRefresh);
                Ok(Some(tokens))
            }
            Some(SessionStep::Failed { action, error }) => {
                let event_error = AuthEventError::new(
                    error
                        .service_kind()
                        .map_or("RefreshFailed", |k| k.code())
                        .to_owned(),
                    error.to_string(),
                );
                self.emit(AuthEvent::TokenRefreshFailure { error: event_error });
                if *action == TokenAction::ClearTokens {
                    tracing::info!("the refresh token is no longer valid; signing out locally");
                    store.clear_tokens().await?;
                    if let Some(credentials) = &self.inner.credentials {
                        credentials.clear().await;
                    }
                    self.inner.generation.fetch_add(1, Ordering::AcqRel);
                    return Ok(None);
                }
                Err(driven.err().unwrap_or_else(|| AuthError::Flow {
                    operation: "refresh_tokens",
                    source: error.clone(),
                }))
            }
            _ => Err(driven.err().unwrap_or(AuthError::NotSignedIn)),
        }
    }

    /// The signed-in user (username and `sub`), from the stored tokens without a request.
    ///
    /// # Errors
    ///
    /// [`AuthError::NotSignedIn`] when nobody is signed in.
    pub async fn get_current_user(&self) -> Result<AuthUser, AuthError> {
        let (_, store) = self.user_pool()?;
        let tokens = store.load().await?.ok_or(AuthError::NotSignedIn)?;
        let sub = tokens.access_token.claims().sub.clone().unwrap_or_default();
        Ok(AuthUser::new(tokens.username, sub))
    }

    /// Signs out: RevokeToken when the access token has `origin_jti`, GlobalSignOut when
    /// `global`, the managed login's `/logout` when `redirect`; then, whatever the network
    /// and the browser said, clears the tokens, the pending sign-in, any sign-in with
    /// redirect in flight and the credentials (device keys are kept) and emits `signedOut`.
    pub async fn sign_out(&self, options: SignOutOptions) -> SignOutOutcome {
        let span = tracing::info_span!(
            "sign_out",
            global = options.global,
            redirect = options.redirect
        );
        async move {
            let mut outcome = SignOutOutcome::default();
            let Ok((config, store)) = self.user_pool() else {
                if let Some(credentials) = &self.inner.credentials {
                    credentials.clear().await;
                }
                self.emit(AuthEvent::SignedOut);
                return outcome;
            };
            let _refreshing = self.inner.refresh_lock.lock().await;
            let tokens = match store.load().await {
                Ok(tokens) => tokens,
                Err(error) => {
                    tracing::warn!(error = %error, "stored tokens are unreadable; clearing them");
                    None
                }
            };
            if let Some(tokens) = &tokens {
                if options.global {
                    let input = GlobalSignOutInput {
                        access_token: Sensitive::new(tokens.access_token.as_str()),
                    };
                    outcome.global_sign_out_error =
                        call(&self.inner.http, config, &input).await.err();
                }
                if let (Some(refresh), Some(_)) = (
                    &tokens.refresh_token,
                    &tokens.access_token.claims().origin_jti,
                ) {
                    let input = RevokeTokenInput {
                        token: Sensitive::new(refresh.as_str()),
                        client_id: config.client_id().to_owned(),
                        client_secret: config.client_secret().cloned(),
                    };
                    outcome.revoke_token_error = call(&self.inner.http, config, &input).await.err();
                }
            }
            if let Some(error) = &outcome.global_sign_out_error {
                tracing::warn!(error = %error, "GlobalSignOut failed; signing out locally");
            }
            if let Some(error) = &outcome.revoke_token_error {
                tracing::warn!(error = %error, "RevokeToken failed; signing out locally");
            }
            if options.redirect {
                outcome.redirect_error = self.sign_out_redirect().await.err();
                if let Some(error) = &outcome.redirect_error {
                    tracing::warn!(error = %error, "the managed login's logout failed; signing out locally");
                }
            }
            self.forget_redirect(config).await;
            if let Err(error) = store.clear_tokens().await {
                tracing::warn!(error = %error, "could not clear the stored tokens");
            }
            *self.inner.pending.lock().await = None;
            if let Err(error) = self
                .inner
                .storage
                .remove(&pending_key(config.client_id()))
                .await
            {
                tracing::warn!(error = %error, "could not clear the pending sign-in");
            }
            if let Some(credentials) = &self.inner.credentials {
                credentials.clear().await;
            }
            self.inner.generation.fetch_add(1, Ordering::AcqRel);
            self.emit(AuthEvent::SignedOut);
            outcome
        }
        .instrument(span)
        .await
    }

    /// The tokens of this client as a [`TokenProvider`].
    pub fn token_provider(&self) -> AuthTokenProvider {
        AuthTokenProvider(self.clone())
    }

    /// An `SdkConfig` for any `aws-sdk-*` client, backed by this client's session: the
    /// safe one-line path to AWS services.
    ///
    /// Every request asks [`aws_credentials_provider`](Self::aws_credentials_provider) for
    /// credentials, with the SDK's identity cache off
    /// ([`NoIdentityCache`](auth_providers::aws::NoIdentityCache)): after
    /// [`sign_out`](Self::sign_out) a client built from it signs with guest credentials, or
    /// fails with the SDK's `CredentialsError::not_loaded` without guest access, instead of
    /// going on as the signed-out user. The provider's own cache keeps that cheap. The region
    /// is the identity pool's (else the user pool's); the behavior version the latest.
    ///
    /// ```no_run
    /// # async fn example(auth: auth::Auth) -> Result<(), Box<dyn std::error::Error>> {
    /// let sts = aws_sdk_sts::Client::new(&auth.sdk_config()?);
    /// # let _ = sts;
    /// // Or adjust it: aws_sdk_sts::config::Builder::from(&auth.sdk_config()?).endpoint_url(…)
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`AuthError::NotConfigured`] without an identity pool or custom credentials provider.
    pub fn sdk_config(&self) -> Result<aws_types::SdkConfig, AuthError> {
        let credentials = self.aws_credentials_provider()?;
        let region = self
            .inner
            .identity_pool
            .as_ref()
            .map(|c| c.region())
            .or_else(|| self.inner.user_pool.as_ref().map(|c| c.region()));
        let config = auth_providers::aws::sdk_config(credentials, region.unwrap_or_default());
        Ok(match region {
            Some(_) => config,
            // No pool says where: the caller sets the region.
            None => config.to_builder().region(None).build(),
        })
    }

    /// An aws-sdk-rust credentials provider backed by this client's session: the signed-in
    /// user's identity-pool credentials (tokens refreshed as needed), else guest credentials.
    ///
    /// Prefer [`sdk_config`](Self::sdk_config). Handed to a service
    /// `Config::builder().credentials_provider(…)` or `aws_config::ConfigLoader` by hand, also
    /// set `.identity_cache(IdentityCache::no_cache())`: the SDK's default cache keeps the
    /// credentials it got until they expire, so a client built without that line goes on
    /// calling AWS as a user who has signed out.
    ///
    /// # Errors
    ///
    /// [`AuthError::NotConfigured`] without an identity pool or custom credentials provider.
    pub fn aws_credentials_provider(
        &self,
    ) -> Result<CredentialsAdapter<SharedCredentialsProvider>, AuthError> {
        let credentials = self
            .inner
            .credentials
            .clone()
            .ok_or(AuthError::NotConfigured("identity pool"))?;
        Ok(CredentialsAdapter::new(credentials)
            .with_token_provider(SharedTokenProvider::new(self.token_provider())))
    }
}
