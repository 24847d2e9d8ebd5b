//! [`OidcClient`]: authorization code + PKCE, refresh, device authorization, logout URL.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use auth_core::Sensitive;
use auth_core::tokens::{AuthTokens, Jwt, RefreshToken};
use auth_providers::{HttpClient, RetryConfig, RetryingHttpClient, SharedHttpClient};
use auth_verify::JwksCache;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::config::OidcConfig;
use super::discovery::{ProviderMetadata, post_form};
use super::error::OidcError;
use super::loopback::{CallbackParams, LoopbackListener};
use super::verify::{IdTokenVerifier, VerifiedIdToken};

/// `n` random bytes from the thread's CSPRNG, base64url without padding.
fn random_token(n: usize) -> String {
    let mut bytes = Zeroizing::new(vec![0u8; n]);
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(&*bytes)
}

/// The PKCE S256 challenge of a verifier (RFC 7636 §4.2): `auth-core`'s, which the user
/// pool's sign-in with redirect uses too.
pub use auth_core::oauth::pkce_challenge;

/// A pending authorization: the URL to open, and the secrets to check the redirect against.
///
/// `Debug` shows only the URL; the PKCE verifier, state and nonce are zeroized on drop.
#[derive(Clone)]
pub struct AuthorizationRequest {
    url: String,
    redirect_uri: String,
    state: Sensitive,
    nonce: Sensitive,
    pkce_verifier: Sensitive,
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("redirect_uri", &self.redirect_uri)
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
        &self.redirect_uri
    }

    /// The `state` it carries, to compare with the redirect's.
    pub fn state(&self) -> &str {
        self.state.expose()
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
    /// The tokens as [`AuthTokens`], for a [`TokenProvider`](auth_providers::TokenProvider)
    /// caller. `AuthTokens` needs the access token as a JWT: an opaque access token is
    /// replaced by the ID token there (the raw access token stays in
    /// [`access_token`](Self::access_token)).
    pub fn to_auth_tokens(&self) -> AuthTokens {
        let id = self.id_token.jwt().clone();
        let access = Jwt::decode(self.access_token.expose()).unwrap_or_else(|_| id.clone());
        let mut tokens = AuthTokens::new(access, SystemTime::now())
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
struct TokenResponse {
    access_token: Sensitive,
    #[serde(default)]
    id_token: Option<Sensitive>,
    #[serde(default)]
    refresh_token: Option<Sensitive>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
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
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                metadata,
                http,
                verifier,
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

    /// A new authorization request for `redirect_uri`: fresh `state`, `nonce` and PKCE
    /// verifier (32 random bytes each), `code_challenge_method=S256`.
    ///
    /// # Errors
    ///
    /// [`OidcError::InvalidConfiguration`] when the authorization endpoint is not a URL.
    pub fn authorization_request(
        &self,
        redirect_uri: &str,
    ) -> Result<AuthorizationRequest, OidcError> {
        let config = &self.inner.config;
        let state = Sensitive::new(random_token(32));
        let nonce = Sensitive::new(random_token(32));
        let pkce_verifier = Sensitive::new(random_token(32));
        let mut url =
            url::Url::parse(&self.inner.metadata.authorization_endpoint).map_err(|_| {
                OidcError::InvalidConfiguration("the authorization endpoint is not a URL".into())
            })?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &config.client_id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("scope", &config.scopes.join(" "))
                .append_pair("state", state.expose())
                .append_pair("nonce", nonce.expose())
                .append_pair("code_challenge", &pkce_challenge(pkce_verifier.expose()))
                .append_pair("code_challenge_method", "S256");
            if config.scopes.iter().any(|s| s == "offline_access") {
                // OIDC Core §11: offline_access needs prompt=consent unless the caller chose.
                if !config.extra_params.iter().any(|(k, _)| k == "prompt") {
                    query.append_pair("prompt", "consent");
                }
            }
            for (name, value) in &config.extra_params {
                query.append_pair(name, value);
            }
        }
        Ok(AuthorizationRequest {
            url: url.into(),
            redirect_uri: redirect_uri.to_owned(),
            state,
            nonce,
            pkce_verifier,
        })
    }

    /// Checks the redirect against `request` and exchanges its code: the `state` must match
    /// (else [`OidcError::StateMismatch`], and nothing is sent), an `error` becomes
    /// [`OidcError::AuthorizationDenied`], an `iss` must be the issuer (RFC 9207), and the ID
    /// token must verify with the request's nonce.
    ///
    /// # Errors
    ///
    /// As above, and the token endpoint's errors ([`OidcError::OAuth`] with `invalid_grant`
    /// for a code that was already used).
    pub async fn complete_authorization(
        &self,
        request: &AuthorizationRequest,
        callback: &CallbackParams,
    ) -> Result<OidcTokens, OidcError> {
        let state_matches = callback.state.as_deref().is_some_and(|s| {
            s.len() == request.state.expose().len()
                && s.bytes()
                    .zip(request.state.expose().bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        });
        if !state_matches {
            return Err(OidcError::StateMismatch);
        }
        if let Some(iss) = &callback.iss
            && *iss != self.inner.config.issuer
        {
            return Err(OidcError::IssuerMismatch {
                expected: self.inner.config.issuer.clone(),
                found: iss.clone(),
            });
        }
        if let Some(error) = &callback.error {
            return Err(OidcError::AuthorizationDenied {
                error: error.clone(),
                description: callback.error_description.clone(),
            });
        }
        let code = callback.code.as_ref().ok_or(OidcError::MissingCode)?;
        self.exchange_code(request, code.expose()).await
    }

    /// Exchanges an authorization `code` (already checked against `request`'s state).
    ///
    /// # Errors
    ///
    /// The token endpoint's errors and ID-token validation errors.
    pub async fn exchange_code(
        &self,
        request: &AuthorizationRequest,
        code: &str,
    ) -> Result<OidcTokens, OidcError> {
        let form = self.form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &request.redirect_uri),
            ("code_verifier", request.pkce_verifier.expose()),
        ]);
        let response: TokenResponse = post_form(
            &self.inner.http,
            &self.inner.metadata.token_endpoint,
            &form,
            "token",
        )
        .await?;
        self.tokens_from(response, Some(request.nonce.expose()), None)
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
        let request = self.authorization_request(listener.redirect_uri())?;
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
        let form = self.form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str()),
        ]);
        let response: TokenResponse = post_form(
            &self.inner.http,
            &self.inner.metadata.token_endpoint,
            &form,
            "token",
        )
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
            expires_at: SystemTime::now() + Duration::from_secs(response.expires_in),
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
                return Err(OidcError::OAuth {
                    endpoint: "token",
                    error: "expired_token".into(),
                    description: Some("the device code expired before the user approved".into()),
                });
            }
            let form = self.form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", authorization.device_code.expose()),
            ]);
            match post_form::<TokenResponse>(
                &self.inner.http,
                &self.inner.metadata.token_endpoint,
                &form,
                "token",
            )
            .await
            {
                Ok(response) => return self.tokens_from(response, None, None).await,
                Err(OidcError::OAuth { error, .. }) if error == "authorization_pending" => {}
                Err(OidcError::OAuth { error, .. }) if error == "slow_down" => {
                    interval += Duration::from_secs(5);
                }
                Err(e) => return Err(e),
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

    /// A form with the client's authentication (`client_id`, and `client_secret` for
    /// confidential clients).
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
            access_token: response.access_token,
            refresh_token: response
                .refresh_token
                .map(|t| RefreshToken::new(t.expose())),
            expires_at: response
                .expires_in
                .map(|s| SystemTime::now() + Duration::from_secs(s)),
            scope: response.scope,
        })
    }
}
