//! [`OidcConfig`]: which provider, which client, and how strictly ID tokens are checked.

use std::fmt;
use std::time::Duration;

use auth_core::Sensitive;
use auth_providers::SharedTimeSource;
use auth_verify::FetchLimits;

use super::error::OidcError;

/// Signature algorithms an ID token may use. Only asymmetric ones: an HMAC-signed ID token
/// would be keyed by the client secret, which a native app cannot keep, and accepting HMAC
/// is how an RSA public key gets misused as an HMAC key.
const ASYMMETRIC_ALGORITHMS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

/// How to talk to one OpenID Provider as one client.
///
/// ```
/// use std::time::Duration;
/// use auth_federation::oidc::OidcConfig;
///
/// let config = OidcConfig::builder()
///     .issuer("https://accounts.example.com")
///     .client_id("native-app")
///     .scope("email")
///     .leeway(Duration::from_secs(30))
///     .build()?;
/// assert_eq!(config.scopes(), ["openid", "offline_access", "email"]);
/// # Ok::<(), auth_federation::oidc::OidcError>(())
/// ```
#[derive(Clone)]
pub struct OidcConfig {
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<Sensitive>,
    pub(crate) scopes: Vec<String>,
    pub(crate) extra_params: Vec<(String, String)>,
    pub(crate) algorithms: Vec<String>,
    pub(crate) leeway: Duration,
    pub(crate) jwks_refresh_interval: Duration,
    pub(crate) fetch_limits: FetchLimits,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) login_timeout: Duration,
    pub(crate) time: SharedTimeSource,
}

impl fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .field("extra_params", &self.extra_params)
            .field("algorithms", &self.algorithms)
            .field("leeway", &self.leeway)
            .field("jwks_refresh_interval", &self.jwks_refresh_interval)
            .field("fetch_limits", &self.fetch_limits)
            .field("redirect_uri", &self.redirect_uri)
            .field("login_timeout", &self.login_timeout)
            .field("time", &self.time)
            .finish()
    }
}

impl OidcConfig {
    /// Starts a builder.
    pub fn builder() -> OidcConfigBuilder {
        OidcConfigBuilder::default()
    }

    /// The issuer URL, exactly as the provider's `iss` claim spells it.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The client id (the `aud` of ID tokens).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The scopes requested (`openid` first).
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Extra authorization and device-authorization parameters (Auth0's `audience`, …).
    pub fn extra_params(&self) -> &[(String, String)] {
        &self.extra_params
    }

    /// The allowed ID-token signature algorithms.
    pub fn allowed_algorithms(&self) -> &[String] {
        &self.algorithms
    }

    /// The clock-skew leeway for `exp`, `nbf` and `iat`.
    pub fn leeway(&self) -> Duration {
        self.leeway
    }
}

/// Builder of [`OidcConfig`].
#[derive(Debug, Clone, Default)]
pub struct OidcConfigBuilder {
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Sensitive>,
    scopes: Vec<String>,
    no_offline_access: bool,
    extra_params: Vec<(String, String)>,
    algorithms: Option<Vec<String>>,
    leeway: Option<Duration>,
    jwks_refresh_interval: Option<Duration>,
    fetch_limits: Option<FetchLimits>,
    redirect_uri: Option<String>,
    login_timeout: Option<Duration>,
    time: Option<SharedTimeSource>,
}

impl OidcConfigBuilder {
    /// The issuer URL (required), for example `https://tenant.eu.auth0.com/`.
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The client id (required).
    #[must_use]
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// A client secret, for confidential clients (sent as `client_secret_post`). Native and
    /// CLI apps are public clients and have none.
    #[must_use]
    pub fn client_secret(mut self, secret: impl Into<Sensitive>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// Sets or clears the client secret.
    pub fn set_client_secret(&mut self, secret: Option<Sensitive>) -> &mut Self {
        self.client_secret = secret;
        self
    }

    /// Adds a scope to `openid` and `offline_access` (which asks for a refresh token).
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Does not ask for `offline_access` (no refresh token).
    #[must_use]
    pub fn without_offline_access(mut self) -> Self {
        self.no_offline_access = true;
        self
    }

    /// Adds a parameter to the authorization and device-authorization requests (for example
    /// Auth0's `audience`, or `prompt`).
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_params.push((name.into(), value.into()));
        self
    }

    /// The ID-token algorithms to accept (default `["RS256"]`); only asymmetric algorithms
    /// (`RS*`, `PS*`, `ES256`, `ES384`, `EdDSA`) can be allowed.
    #[must_use]
    pub fn allowed_algorithms<I, S>(mut self, algorithms: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.algorithms = Some(algorithms.into_iter().map(Into::into).collect());
        self
    }

    /// Clock-skew leeway for `exp`, `nbf` and `iat` (default 60 s, at most 5 minutes).
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = Some(leeway);
        self
    }

    /// The shortest time between two JWKS fetches triggered by an unknown `kid` (default
    /// 60 s), so forged tokens cannot make us hammer the provider.
    #[must_use]
    pub fn jwks_refresh_interval(mut self, interval: Duration) -> Self {
        self.jwks_refresh_interval = Some(interval);
        self
    }

    /// The size and time limits of each discovery and JWKS fetch (default
    /// [`FetchLimits::default`]: 256 KiB, 5 s).
    #[must_use]
    pub fn fetch_limits(mut self, limits: FetchLimits) -> Self {
        self.fetch_limits = Some(limits);
        self
    }

    /// A fixed loopback redirect URI (`http://127.0.0.1:<port>/<path>`) for providers that
    /// want an exact registered port; by default a free port is picked and the redirect is
    /// `http://127.0.0.1:<port>/callback`.
    #[must_use]
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// How long the loopback flow waits for the redirect (default 5 minutes).
    #[must_use]
    pub fn login_timeout(mut self, timeout: Duration) -> Self {
        self.login_timeout = Some(timeout);
        self
    }

    /// The clock that dates tokens (`expires_in`) and device codes (default: the system
    /// clock); a `ManualTimeSource` in tests.
    #[must_use]
    pub fn time_source(mut self, time: SharedTimeSource) -> Self {
        self.time = Some(time);
        self
    }

    /// Validates and builds.
    ///
    /// # Errors
    ///
    /// [`OidcError::InvalidConfiguration`] for a missing issuer or client id, an issuer that
    /// is not an `https` URL (plain `http` only on a loopback host), a symmetric or unknown algorithm, or a leeway over 5 minutes;
    /// [`OidcError::RedirectNotLoopback`] for a redirect URI that is not loopback.
    pub fn build(self) -> Result<OidcConfig, OidcError> {
        let invalid = |m: &str| OidcError::InvalidConfiguration(m.to_owned());
        let issuer = self
            .issuer
            .ok_or_else(|| invalid("the issuer is required"))?;
        let parsed = url::Url::parse(&issuer).map_err(|_| invalid("the issuer is not a URL"))?;
        if parsed.host().is_none() || !secure_or_loopback(&parsed) {
            return Err(OidcError::InvalidConfiguration(format!(
                "the issuer {issuer:?} must be an https URL (plain http only on a loopback host)"
            )));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(invalid("the issuer must not have a query or fragment"));
        }
        let client_id = self
            .client_id
            .filter(|c| !c.is_empty())
            .ok_or_else(|| invalid("the client id is required"))?;
        let mut scopes = vec!["openid".to_owned()];
        if !self.no_offline_access {
            scopes.push("offline_access".to_owned());
        }
        for scope in self.scopes {
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        let algorithms = self.algorithms.unwrap_or_else(|| vec!["RS256".to_owned()]);
        if algorithms.is_empty() {
            return Err(invalid("at least one ID-token algorithm must be allowed"));
        }
        if let Some(bad) = algorithms
            .iter()
            .find(|a| !ASYMMETRIC_ALGORITHMS.contains(&a.as_str()))
        {
            return Err(OidcError::InvalidConfiguration(format!(
                "the ID-token algorithm {bad:?} cannot be allowed (only {})",
                ASYMMETRIC_ALGORITHMS.join(", ")
            )));
        }
        let leeway = self.leeway.unwrap_or(Duration::from_secs(60));
        if leeway > Duration::from_secs(300) {
            return Err(invalid("a leeway over 5 minutes is not allowed"));
        }
        if let Some(uri) = &self.redirect_uri {
            super::loopback::parse_loopback_redirect(uri)?;
        }
        Ok(OidcConfig {
            issuer,
            client_id,
            client_secret: self.client_secret,
            scopes,
            extra_params: self.extra_params,
            algorithms,
            leeway,
            jwks_refresh_interval: self
                .jwks_refresh_interval
                .unwrap_or(Duration::from_secs(60)),
            fetch_limits: self.fetch_limits.unwrap_or_default(),
            redirect_uri: self.redirect_uri,
            login_timeout: self.login_timeout.unwrap_or(Duration::from_secs(300)),
            time: self.time.unwrap_or_default(),
        })
    }
}

/// Whether `url` is `https`, or plain `http` to a loopback host (`localhost`, `127.0.0.0/8`,
/// `[::1]`): a development or local provider, where nothing crosses a network.
pub(crate) fn secure_or_loopback(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}
