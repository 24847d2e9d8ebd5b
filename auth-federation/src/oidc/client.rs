//! [`OidcClient`]: authorization code + PKCE, refresh, device authorization, logout URL.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use auth_core::Sensitive;
use auth_core::machine::Machine as _;
use auth_core::oauth::{
    self, AuthorizationCode, AuthorizeParams, ClientAuthentication, OAuthClient,
    PendingAuthorization, Prompt, TokenEndpointError, TokenResponse,
};
use auth_core::tokens::{AuthTokens, Jwt, RefreshToken};
use auth_providers::{
    HttpClient, ResponseBodyLimit, RetryConfig, RetryingHttpClient, SharedHttpClient,
    TimeSource as _,
};
use auth_verify::JwksCache;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::config::OidcConfig;
use super::discovery::{MAX_TOKEN_RESPONSE_BYTES, ProviderMetadata, post_form};
use super::error::OidcError;
use super::loopback::{CallbackParams, LoopbackListener};
use super::verify::{IdTokenVerifier, VerifiedIdToken};

/// The PKCE S256 challenge of a verifier (RFC 7636 §4.2): `auth-core`'s, which the user
/// pool's sign-in with redirect uses too.
pub use auth_core::oauth::pkce_challenge;

/// A pending authorization: the URL to open, and the secrets to check the redirect against
/// (`auth-core`'s [`PendingAuthorization`], which the user pool's sign-in with redirect keeps
/// too).
///
/// `Debug` shows only the redirect URI; the PKCE verifier, state and nonce are zeroized on
/// drop.
#[derive(Clone)]
pub struct AuthorizationRequest {
    url: String,
    pending: PendingAuthorization,
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("redirect_uri", &self.pending.redirect_uri())
            .finish_non_exhaustive()
    }
}

impl AuthorizationRequest {
    /// The URL to open in the browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The redirect URI it names.
    pub fn redirect_uri(&self) -> &str {
        self.pending.redirect_uri()
    }

    /// The `state` it carries, to compare with the redirect's.
    pub fn state(&self) -> &str {
        self.pending.state().as_str()
    }

    /// The state, PKCE verifier, redirect URI and nonce, to persist.
    pub fn pending(&self) -> &PendingAuthorization {
        &self.pending
    }
}

/// Tokens from the token endpoint, with the ID token verified.
///
/// `Debug` redacts every token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OidcTokens {
    /// The verified ID token (its `iss` is the identity pool's Logins key).
    pub id_token: VerifiedIdToken,
    /// The access token (often opaque; a JWT for Auth0 with an `audience`).
    pub access_token: Sensitive,
    /// The refresh token, when `offline_access` was granted.
    pub refresh_token: Option<RefreshToken>,
    /// When the access token expires (`expires_in`).
    pub expires_at: Option<SystemTime>,
    /// The granted scopes.
    pub scope: Option<String>,
}

impl OidcTokens {
    /// The tokens as [`AuthTokens`] at `now`, for a
    /// [`TokenProvider`](auth_providers::TokenProvider) caller. `AuthTokens` needs the access
    /// token as a JWT: an opaque access token is replaced by the ID token there (the raw
    /// access token stays in [`access_token`](Self::access_token)).
    pub fn to_auth_tokens(&self, now: SystemTime) -> AuthTokens {
        let id = self.id_token.jwt().clone();
        let access = Jwt::decode(self.access_token.expose()).unwrap_or_else(|_| id.clone());
        let mut tokens = AuthTokens::new(access, now)
            .with_id_token(id)
            .with_username(self.id_token.subject());
        if let Some(refresh) = &self.refresh_token {
            tokens = tokens.with_refresh_token(refresh.clone());
        }
        tokens
    }
}

/// A device authorization (RFC 8628 §3.2): show `user_code` and `verification_uri` to the
/// user, then [`OidcClient::poll_device_authorization`].
#[derive(Clone)]
#[non_exhaustive]
pub struct DeviceAuthorization {
    /// The code the user types at the verification URI.
    pub user_code: String,
    /// Where the user goes.
    pub verification_uri: String,
    /// The URI with the code filled in, when the provider sends one (for a QR code).
    pub verification_uri_complete: Option<String>,
    /// When the codes expire.
    pub expires_at: SystemTime,
    /// The polling interval.
    pub interval: Duration,
    device_code: Sensitive,
    /// `expires_at` on the monotonic clock the poller sleeps on (the runtime's, so a paused
    /// test clock and a system clock that jumps both leave it right).
    deadline: tokio::time::Instant,
}

impl fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("verification_uri_complete", &self.verification_uri_complete)
            .field("expires_at", &self.expires_at)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct DeviceResponse {
    device_code: Sensitive,
    user_code: String,
    #[serde(alias = "verification_url")]
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    expires_in: u64,
    #[serde(default)]
    interval: Option<u64>,
}

/// An OpenID Connect client of one provider.
///
/// Built from discovery ([`OidcClient::discover`]); cheap to clone.
#[derive(Clone)]
pub struct OidcClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: OidcConfig,
    metadata: ProviderMetadata,
    http: SharedHttpClient,
    verifier: IdTokenVerifier,
    /// The client of the authorization code machine and the token requests.
    oauth: OAuthClient,
}

impl fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcClient")
            .field("config", &self.inner.config)
            .field("metadata", &self.inner.metadata)
            .field("verifier", &self.inner.verifier)
            .finish_non_exhaustive()
    }
}

impl OidcClient {
    /// Discovers the provider of `config` through `http` (GETs retried on 5xx and network
    /// errors; POSTs to the token endpoint are never replayed after reaching the server).
    ///
    /// # Errors
    ///
    /// Discovery's errors ([`ProviderMetadata::discover`]).
    pub async fn discover(
        config: OidcConfig,
        http: impl HttpClient + 'static,
    ) -> Result<Self, OidcError> {
        let http = SharedHttpClient::new(RetryingHttpClient::new(http, RetryConfig::default()));
        let metadata =
            ProviderMetadata::discover_within(&config.issuer, &http, &config.fetch_limits).await?;
        Self::from_metadata(config, metadata, http)
    }

    /// A client from metadata obtained elsewhere.
    ///
    /// # Errors
    ///
    /// [`OidcError::InvalidConfiguration`] for an unusable algorithm list, or
    /// [`OidcError::IssuerMismatch`] when the metadata is for another issuer.
    pub fn from_metadata(
        config: OidcConfig,
        metadata: ProviderMetadata,
        http: SharedHttpClient,
    ) -> Result<Self, OidcError> {
        if metadata.issuer != config.issuer {
            return Err(OidcError::IssuerMismatch {
                expected: config.issuer,
                found: metadata.issuer,
            });
        }
        let keys = JwksCache::builder(http.clone())
            .limits(config.fetch_limits)
            .refetch_interval(config.jwks_refresh_interval)
            .build();
        let verifier = IdTokenVerifier::with_key_cache(
            config.issuer.clone(),
            config.client_id.clone(),
            &config.algorithms,
            config.leeway,
            metadata.jwks_uri.clone(),
            keys,
        )?;
        let oauth = OAuthClient::new(
            config.client_id.clone(),
            metadata.authorization_endpoint.clone(),
            metadata.token_endpoint.clone(),
        )
        .issuer(config.issuer.clone())
        .authentication(match &config.client_secret {
            Some(secret) => ClientAuthentication::Post(secret.clone()),
            None => ClientAuthentication::None,
        });
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                metadata,
                http,
                verifier,
                oauth,
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &OidcConfig {
        &self.inner.config
    }

    /// The provider's metadata.
    pub fn metadata(&self) -> &ProviderMetadata {
        &self.inner.metadata
    }

    /// The ID-token verifier (to verify tokens obtained elsewhere).
    pub fn verifier(&self) -> &IdTokenVerifier {
        &self.inner.verifier
    }

    /// The time of the configured clock ([`OidcConfigBuilder::time_source`](super::OidcConfigBuilder::time_source)).
    pub fn now(&self) -> SystemTime {
        self.inner.config.time.now()
    }

    /// A new authorization request for `redirect_uri`: fresh `state`, `nonce` and PKCE
    /// verifier from `rng` (`auth-core`'s generators), `code_challenge_method=S256`, the
    /// configured scopes and parameters (`prompt=consent` with `offline_access` unless a
    /// `prompt` is configured, OIDC Core §11).
    ///
    /// # Errors
    ///
    /// [`OidcError::InvalidConfiguration`] when the authorization endpoint is not a URL.
    pub fn authorization_request(
        &self,
        redirect_uri: &str,
        rng: &mut (impl rand::RngCore + rand::CryptoRng),
    ) -> Result<AuthorizationRequest, OidcError> {
        let config = &self.inner.config;
        url::Url::parse(&self.inner.metadata.authorization_endpoint).map_err(|_| {
            OidcError::InvalidConfiguration("the authorization endpoint is not a URL".into())
        })?;
        let nonce = oauth::generate_nonce(rng);
        let pending = PendingAuthorization::generate(rng, redirect_uri, None, Some(nonce));
        let mut params = AuthorizeParams::new().scopes(config.scopes.iter().cloned());
        if config.scopes.iter().any(|s| s == "offline_access")
            && !config.extra_params.iter().any(|(k, _)| k == "prompt")
        {
            params = params.prompt(Prompt::Consent);
        }
        for (name, value) in &config.extra_params {
            params = params.param(name.clone(), value.clone());
        }
        let machine = AuthorizationCode::new(self.inner.oauth.clone(), pending, &params);
        Ok(AuthorizationRequest {
            url: machine.authorization_url().unwrap_or_default().to_owned(),
            pending: machine.pending().clone(),
        })
    }

    /// Checks the redirect against `request` and exchanges its code, through `auth-core`'s
    /// [`AuthorizationCode`] machine: the `state` must match (else
    /// [`AuthorizationError::StateMismatch`](auth_core::oauth::AuthorizationError::StateMismatch),
    /// and nothing is sent), an `iss` must be the issuer (RFC 9207), an `error` is
    /// [`OidcError::Authorization`], and the ID token must verify with the request's nonce.
    ///
    /// # Errors
    ///
    /// As above, [`OidcError::Network`], and [`OidcError::TokenEndpoint`] (`invalid_grant`
    /// for a code that was already used).
    pub async fn complete_authorization(
        &self,
        request: &AuthorizationRequest,
        callback: &CallbackParams,
    ) -> Result<OidcTokens, OidcError> {
        let mut machine =
            AuthorizationCode::resume(self.inner.oauth.clone(), request.pending.clone());
        machine.handle_redirect(callback)?;
        while let Some(token_request) = machine.poll_request() {
            match self.send_token_request(token_request).await {
                Ok(response) => machine.handle_response(response, self.now())?,
                Err(error) => {
                    // The code may be spent: the machine ends the authorization.
                    let _ = machine.transport_failed(self.now());
                    return Err(error);
                }
            }
        }
        let tokens = machine.into_tokens().ok_or(OidcError::MissingIdToken)?;
        self.tokens_from(tokens, request.pending.nonce(), None)
            .await
    }

    /// The whole native-app login (RFC 8252): binds the loopback listener, builds the
    /// authorization request, calls `open_browser` with its URL, waits for the redirect
    /// (at most the configured login timeout) and completes the authorization.
    ///
    /// `open_browser` runs concurrently with the listener, so it may itself follow the
    /// redirects (a headless test) or return as soon as the browser is launched.
    ///
    /// # Errors
    ///
    /// [`OidcError::Browser`] when the hook fails, then those of
    /// [`complete_authorization`](Self::complete_authorization), [`OidcError::Timeout`].
    pub async fn login_with_loopback<B, Fut>(
        &self,
        open_browser: B,
    ) -> Result<OidcTokens, OidcError>
    where
        B: FnOnce(String) -> Fut,
        Fut: Future<Output = std::io::Result<()>>,
    {
        let listener = match &self.inner.config.redirect_uri {
            Some(uri) => LoopbackListener::bind_to(uri).await?,
            None => LoopbackListener::bind().await?,
        };
        // The driver's randomness, as the umbrella client's: the thread's CSPRNG.
        let request =
            self.authorization_request(listener.redirect_uri(), &mut rand::thread_rng())?;
        let timeout = self.inner.config.login_timeout;
        let (opened, callback) = tokio::join!(
            async {
                let result = open_browser(request.url().to_owned()).await;
                if result.is_err() {
                    // Give a hook that failed after the redirect a moment to have landed.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                result
            },
            listener.wait_for_callback(timeout)
        );
        let callback = match (opened, callback) {
            (_, Ok(callback)) => callback,
            (Err(e), Err(_)) => return Err(OidcError::Browser(e.to_string())),
            (Ok(()), Err(e)) => return Err(e),
        };
        self.complete_authorization(&request, &callback).await
    }

    /// Refreshes with `refresh_token`. A new ID token is verified (without a nonce) and must
    /// have the same `sub` as `previous` (OIDC Core §12.2); without a new one, `previous` is
    /// kept. A rotated refresh token replaces the old one.
    ///
    /// # Errors
    ///
    /// The token endpoint's errors ([`OidcError::OAuth`] `invalid_grant` for a revoked or
    /// expired refresh token) and ID-token validation errors.
    pub async fn refresh(
        &self,
        refresh_token: &RefreshToken,
        previous: Option<&VerifiedIdToken>,
    ) -> Result<OidcTokens, OidcError> {
        let response = self
            .token_grant(self.inner.oauth.refresh_request(refresh_token))
            .await?;
        let mut tokens = self.tokens_from(response, None, previous).await?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.clone());
        }
        Ok(tokens)
    }

    /// Starts the device authorization grant (RFC 8628 §3.1), for CLIs and devices without a
    /// browser.
    ///
    /// # Errors
    ///
    /// [`OidcError::InvalidConfiguration`] when the provider has no device endpoint, else the
    /// endpoint's errors.
    pub async fn start_device_authorization(&self) -> Result<DeviceAuthorization, OidcError> {
        let endpoint = self
            .inner
            .metadata
            .device_authorization_endpoint
            .as_deref()
            .ok_or_else(|| {
                OidcError::InvalidConfiguration(
                    "the provider has no device authorization endpoint".into(),
                )
            })?;
        let scope = self.inner.config.scopes.join(" ");
        let mut pairs = vec![("scope", scope.as_str())];
        pairs.extend(
            self.inner
                .config
                .extra_params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let form = self.form(&pairs);
        let response: DeviceResponse =
            post_form(&self.inner.http, endpoint, &form, "device_authorization").await?;
        Ok(DeviceAuthorization {
            user_code: response.user_code,
            verification_uri: response.verification_uri,
            verification_uri_complete: response.verification_uri_complete,
            expires_at: self.now() + Duration::from_secs(response.expires_in),
            interval: Duration::from_secs(response.interval.unwrap_or(5).max(1)),
            device_code: response.device_code,
            deadline: tokio::time::Instant::now() + Duration::from_secs(response.expires_in),
        })
    }

    /// Polls the token endpoint until the user approves (RFC 8628 §3.4–3.5):
    /// `authorization_pending` waits an interval, `slow_down` adds 5 seconds to it.
    ///
    /// # Errors
    ///
    /// [`OidcError::OAuth`] with `access_denied` or `expired_token` (also when the codes
    /// expire while polling), and ID-token validation errors.
    pub async fn poll_device_authorization(
        &self,
        authorization: &DeviceAuthorization,
    ) -> Result<OidcTokens, OidcError> {
        let mut interval = authorization.interval;
        loop {
            if tokio::time::Instant::now() >= authorization.deadline {
                return Err(TokenEndpointError::OAuth {
                    error: "expired_token".into(),
                    description: Some("the device code expired before the user approved".into()),
                }
                .into());
            }
            let request = self.inner.oauth.token_request(
                "urn:ietf:params:oauth:grant-type:device_code",
                &[("device_code", authorization.device_code.expose())],
            );
            match self.token_grant(request).await {
                Ok(response) => return self.tokens_from(response, None, None).await,
                Err(e) => match e.oauth_error() {
                    Some("authorization_pending") => {}
                    Some("slow_down") => interval += Duration::from_secs(5),
                    _ => return Err(e),
                },
            }
            // Not past the codes' expiry: polling then would only be refused.
            let next = tokio::time::Instant::now() + interval;
            tokio::time::sleep_until(next.min(authorization.deadline)).await;
        }
    }

    /// The RP-initiated logout URL (OIDC RP-Initiated Logout 1.0), when the provider has an
    /// `end_session_endpoint`.
    pub fn end_session_url(
        &self,
        id_token_hint: Option<&Jwt>,
        post_logout_redirect_uri: Option<&str>,
    ) -> Option<String> {
        let endpoint = self.inner.metadata.end_session_endpoint.as_deref()?;
        let mut url = url::Url::parse(endpoint).ok()?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("client_id", &self.inner.config.client_id);
            if let Some(hint) = id_token_hint {
                query.append_pair("id_token_hint", hint.as_str());
            }
            if let Some(uri) = post_logout_redirect_uri {
                query.append_pair("post_logout_redirect_uri", uri);
            }
        }
        Some(url.into())
    }

    /// Sends a request to the token endpoint (its response read up to
    /// [`MAX_TOKEN_RESPONSE_BYTES`]).
    async fn send_token_request(
        &self,
        mut request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, OidcError> {
        request
            .extensions_mut()
            .insert(ResponseBodyLimit(MAX_TOKEN_RESPONSE_BYTES));
        self.inner
            .http
            .send(request)
            .await
            .map_err(|source| OidcError::Network {
                endpoint: "token",
                url: self.inner.metadata.token_endpoint.clone(),
                source,
            })
    }

    /// One grant at the token endpoint (refresh, device code): send, then
    /// [`TokenResponse::decode`].
    async fn token_grant(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<TokenResponse, OidcError> {
        let response = self.send_token_request(request).await?;
        Ok(TokenResponse::decode(&response)?)
    }

    /// The device authorization form with the client's authentication (`client_id`, and
    /// `client_secret` for confidential clients).
    fn form(&self, pairs: &[(&str, &str)]) -> Zeroizing<String> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("client_id", &self.inner.config.client_id);
        if let Some(secret) = &self.inner.config.client_secret {
            form.append_pair("client_secret", secret.expose());
        }
        form.extend_pairs(pairs);
        Zeroizing::new(form.finish())
    }

    async fn tokens_from(
        &self,
        response: TokenResponse,
        nonce: Option<&str>,
        previous: Option<&VerifiedIdToken>,
    ) -> Result<OidcTokens, OidcError> {
        let id_token = match (&response.id_token, previous) {
            (Some(raw), _) => {
                let verified = self.inner.verifier.verify(raw.expose(), nonce).await?;
                if let Some(previous) = previous
                    && verified.subject() != previous.subject()
                {
                    return Err(super::error::IdTokenError::Malformed(
                        "the refreshed ID token is for another subject".into(),
                    )
                    .into());
                }
                verified
            }
            (None, Some(previous)) => previous.clone(),
            (None, None) => return Err(OidcError::MissingIdToken),
        };
        Ok(OidcTokens {
            id_token,
            refresh_token: response.refresh_token(),
            expires_at: response.expires_at(self.now()),
            access_token: response.access_token,
            scope: response.scope,
        })
    }
}
