//! [`OAuthConfig`]: the user pool's managed-login (hosted UI) domain and OAuth settings.

use super::ConfigError;

/// Cognito's authorization endpoint path.
pub const COGNITO_AUTHORIZE_PATH: &str = "/oauth2/authorize";
/// Cognito's token endpoint path.
pub const COGNITO_TOKEN_PATH: &str = "/oauth2/token";
/// Cognito's logout endpoint path.
pub const COGNITO_LOGOUT_PATH: &str = "/logout";

/// What the authorization endpoint returns to the redirect URI.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthResponseType {
    /// An authorization code, exchanged at the token endpoint with PKCE (RFC 7636): the only
    /// type a native app should use (RFC 8252 §8.1) and the only one the client implements.
    #[default]
    Code,
    /// Tokens in the URL fragment (the implicit grant). Parsed from configuration files so
    /// they load, but the client's sign-in with redirect refuses it.
    Token,
}

impl OAuthResponseType {
    /// The `response_type` parameter value: `code` or `token`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Token => "token",
        }
    }

    /// Parses `code` or `token` (case-insensitive).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidOAuthSetting`] for anything else.
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        match value.to_ascii_lowercase().as_str() {
            "code" => Ok(Self::Code),
            "token" => Ok(Self::Token),
            _ => Err(ConfigError::InvalidOAuthSetting {
                setting: "response_type",
                reason: "expected `code` or `token`",
            }),
        }
    }
}

/// The OAuth side of a user pool app client: the managed-login domain, scopes and redirect
/// URIs (Amplify's `loginWith.oauth`, `amplify_outputs.json`'s `auth.oauth`).
///
/// The endpoints are `<domain><path>`, with Cognito's paths by default
/// ([`COGNITO_AUTHORIZE_PATH`], [`COGNITO_TOKEN_PATH`], [`COGNITO_LOGOUT_PATH`]); each path can
/// be overridden for a proxy or another OAuth server that stands in for Cognito.
///
/// The domain is a host name (`myapp.auth.eu-west-1.amazoncognito.com`, or a custom domain),
/// reached over `https`. A full `https://…` URL is accepted too, and so is `http://` for a
/// loopback host (`127.0.0.1`, `[::1]`, `localhost`): a local test server, never a remote one.
///
/// ```
/// use auth_core::config::OAuthConfig;
///
/// let oauth = OAuthConfig::builder()
///     .domain("myapp.auth.eu-west-1.amazoncognito.com")
///     .scopes(["openid", "email"])
///     .redirect_sign_in("http://localhost:8400/callback")
///     .redirect_sign_out("http://localhost:8400/signed-out")
///     .build()?;
/// assert_eq!(
///     oauth.authorize_endpoint(),
///     "https://myapp.auth.eu-west-1.amazoncognito.com/oauth2/authorize"
/// );
/// assert_eq!(oauth.token_endpoint(), "https://myapp.auth.eu-west-1.amazoncognito.com/oauth2/token");
/// # Ok::<(), auth_core::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthConfig {
    domain: String,
    base_url: String,
    scopes: Vec<String>,
    redirect_sign_in: Vec<String>,
    redirect_sign_out: Vec<String>,
    response_type: OAuthResponseType,
    identity_providers: Vec<String>,
    authorize_path: String,
    token_path: String,
    logout_path: String,
}

impl OAuthConfig {
    /// Starts a builder.
    pub fn builder() -> OAuthConfigBuilder {
        OAuthConfigBuilder::default()
    }

    /// The domain as configured.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The scopes to request (empty: the app client's allowed scopes, Cognito's default).
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The registered sign-in redirect URIs (callback URLs).
    pub fn redirect_sign_in(&self) -> &[String] {
        &self.redirect_sign_in
    }

    /// The registered sign-out redirect URIs (sign-out URLs).
    pub fn redirect_sign_out(&self) -> &[String] {
        &self.redirect_sign_out
    }

    /// The response type (`code` by default).
    pub fn response_type(&self) -> OAuthResponseType {
        self.response_type
    }

    /// The identity providers the pool offers, as `amplify_outputs.json` lists them (`GOOGLE`,
    /// `FACEBOOK`, `LOGIN_WITH_AMAZON`, `SIGN_IN_WITH_APPLE`, custom names): for a UI to show
    /// buttons; the client does not need them.
    pub fn identity_providers(&self) -> &[String] {
        &self.identity_providers
    }

    /// `<domain>/oauth2/authorize` (or the overridden path).
    pub fn authorize_endpoint(&self) -> String {
        format!("{}{}", self.base_url, self.authorize_path)
    }

    /// `<domain>/oauth2/token` (or the overridden path).
    pub fn token_endpoint(&self) -> String {
        format!("{}{}", self.base_url, self.token_path)
    }

    /// `<domain>/logout` (or the overridden path).
    pub fn logout_endpoint(&self) -> String {
        format!("{}{}", self.base_url, self.logout_path)
    }
}

/// Builder of [`OAuthConfig`].
#[derive(Debug, Clone, Default)]
pub struct OAuthConfigBuilder {
    domain: Option<String>,
    scopes: Vec<String>,
    redirect_sign_in: Vec<String>,
    redirect_sign_out: Vec<String>,
    response_type: OAuthResponseType,
    identity_providers: Vec<String>,
    authorize_path: Option<String>,
    token_path: Option<String>,
    logout_path: Option<String>,
}

impl OAuthConfigBuilder {
    /// The managed-login domain (required): a host name, or an `https://` URL (`http://` for
    /// loopback hosts only).
    #[must_use]
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.set_domain(Some(domain.into()));
        self
    }

    /// Sets or clears the domain.
    pub fn set_domain(&mut self, domain: Option<String>) -> &mut Self {
        self.domain = domain;
        self
    }

    /// Adds a scope (`openid`, `email`, `phone`, `profile`, `aws.cognito.signin.user.admin`, or
    /// a resource server's `<identifier>/<scope>`).
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Replaces the scopes.
    #[must_use]
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a registered sign-in redirect URI (a loopback `http://localhost:<port>/…` or
    /// `http://127.0.0.1/…`, a custom scheme `com.example.app:/callback`, or an `https` URL).
    #[must_use]
    pub fn redirect_sign_in(mut self, uri: impl Into<String>) -> Self {
        self.redirect_sign_in.push(uri.into());
        self
    }

    /// Adds a registered sign-out redirect URI.
    #[must_use]
    pub fn redirect_sign_out(mut self, uri: impl Into<String>) -> Self {
        self.redirect_sign_out.push(uri.into());
        self
    }

    /// The response type (`code` by default).
    #[must_use]
    pub fn response_type(mut self, response_type: OAuthResponseType) -> Self {
        self.response_type = response_type;
        self
    }

    /// Adds an identity provider name (informational, see
    /// [`OAuthConfig::identity_providers`]).
    #[must_use]
    pub fn identity_provider(mut self, provider: impl Into<String>) -> Self {
        self.identity_providers.push(provider.into());
        self
    }

    /// Overrides the authorization endpoint path (default `/oauth2/authorize`).
    #[must_use]
    pub fn authorize_path(mut self, path: impl Into<String>) -> Self {
        self.authorize_path = Some(path.into());
        self
    }

    /// Overrides the token endpoint path (default `/oauth2/token`).
    #[must_use]
    pub fn token_path(mut self, path: impl Into<String>) -> Self {
        self.token_path = Some(path.into());
        self
    }

    /// Overrides the logout endpoint path (default `/logout`).
    #[must_use]
    pub fn logout_path(mut self, path: impl Into<String>) -> Self {
        self.logout_path = Some(path.into());
        self
    }

    /// Validates and builds.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingField`] without a domain; [`ConfigError::InvalidEndpoint`] for a
    /// domain that is not a host or an `https` URL (or `http` to a non-loopback host), or a
    /// path that does not start with `/`; [`ConfigError::InvalidRedirectUri`] for a redirect
    /// URI that is not absolute or has a fragment.
    pub fn build(self) -> Result<OAuthConfig, ConfigError> {
        let domain = self.domain.ok_or(ConfigError::MissingField("domain"))?;
        let base_url = base_url(&domain)?;
        let path = |path: Option<String>, default: &str| -> Result<String, ConfigError> {
            let path = path.unwrap_or_else(|| default.to_owned());
            if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
                return Err(ConfigError::InvalidEndpoint {
                    endpoint: path,
                    reason: "an endpoint path starts with `/` and has no query or fragment",
                });
            }
            Ok(path)
        };
        for uri in self.redirect_sign_in.iter().chain(&self.redirect_sign_out) {
            check_redirect_uri(uri)?;
        }
        Ok(OAuthConfig {
            domain,
            base_url,
            scopes: self.scopes,
            redirect_sign_in: self.redirect_sign_in,
            redirect_sign_out: self.redirect_sign_out,
            response_type: self.response_type,
            identity_providers: self.identity_providers,
            authorize_path: path(self.authorize_path, COGNITO_AUTHORIZE_PATH)?,
            token_path: path(self.token_path, COGNITO_TOKEN_PATH)?,
            logout_path: path(self.logout_path, COGNITO_LOGOUT_PATH)?,
        })
    }
}

/// `https://<domain>`, or the URL given, without a trailing `/`.
fn base_url(domain: &str) -> Result<String, ConfigError> {
    let invalid = |reason| ConfigError::InvalidEndpoint {
        endpoint: domain.to_owned(),
        reason,
    };
    let url = if domain.contains("://") {
        domain.trim_end_matches('/').to_owned()
    } else {
        format!("https://{}", domain.trim_end_matches('/'))
    };
    let parsed: http::Uri = url.parse().map_err(|_| invalid("not a host name or URL"))?;
    let host = parsed.host().ok_or_else(|| invalid("no host"))?;
    if parsed.query().is_some() {
        return Err(invalid("the domain must not have a query"));
    }
    match parsed.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback_host(host) => {}
        Some("http") => {
            return Err(invalid(
                "plain http is allowed for loopback hosts only; use https",
            ));
        }
        _ => return Err(invalid("the scheme must be https")),
    }
    Ok(url)
}

/// `127.0.0.1` (any of 127/8), `[::1]` or `localhost`.
fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// An absolute URI (`scheme:` then something), without a fragment or whitespace.
fn check_redirect_uri(uri: &str) -> Result<(), ConfigError> {
    let invalid = |reason| ConfigError::InvalidRedirectUri {
        uri: uri.to_owned(),
        reason,
    };
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Err(invalid("not an absolute URI (no scheme)"));
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() {
        return Err(invalid("not an absolute URI"));
    }
    if uri.contains('#') {
        return Err(invalid("a redirect URI must not have a fragment"));
    }
    if uri.chars().any(char::is_whitespace) {
        return Err(invalid("a redirect URI must not contain whitespace"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_name_domain_is_reached_over_https_at_cognito_paths() {
        let config = OAuthConfig::builder()
            .domain("auth.example.com/")
            .build()
            .unwrap();
        assert_eq!(
            config.authorize_endpoint(),
            "https://auth.example.com/oauth2/authorize"
        );
        assert_eq!(
            config.token_endpoint(),
            "https://auth.example.com/oauth2/token"
        );
        assert_eq!(config.logout_endpoint(), "https://auth.example.com/logout");
        assert_eq!(config.response_type(), OAuthResponseType::Code);
    }

    #[test]
    fn paths_can_be_overridden() {
        let config = OAuthConfig::builder()
            .domain("http://127.0.0.1:3000")
            .authorize_path("/auth")
            .token_path("/token")
            .logout_path("/session/end")
            .build()
            .unwrap();
        assert_eq!(config.authorize_endpoint(), "http://127.0.0.1:3000/auth");
        assert_eq!(config.token_endpoint(), "http://127.0.0.1:3000/token");
        assert_eq!(
            config.logout_endpoint(),
            "http://127.0.0.1:3000/session/end"
        );
        let err = OAuthConfig::builder()
            .domain("auth.example.com")
            .token_path("token")
            .build()
            .unwrap_err();
        assert!(matches!(err, ConfigError::InvalidEndpoint { .. }));
    }

    #[test]
    fn plain_http_is_refused_for_remote_hosts() {
        for ok in [
            "http://127.0.0.1:9000",
            "http://localhost:9000",
            "http://[::1]:9000",
            "https://auth.example.com",
        ] {
            assert!(OAuthConfig::builder().domain(ok).build().is_ok(), "{ok}");
        }
        for bad in [
            "http://auth.example.com",
            "ftp://auth.example.com",
            "",
            "https://auth.example.com?x=1",
        ] {
            let err = OAuthConfig::builder().domain(bad).build().unwrap_err();
            assert!(matches!(err, ConfigError::InvalidEndpoint { .. }), "{bad}");
        }
        assert_eq!(
            OAuthConfig::builder().build().unwrap_err(),
            ConfigError::MissingField("domain")
        );
    }

    #[test]
    fn redirect_uris_must_be_absolute_without_fragment() {
        for ok in [
            "http://localhost:8400/callback",
            "com.example.app:/callback",
            "myapp://callback",
            "https://app.example.com/",
        ] {
            assert!(
                OAuthConfig::builder()
                    .domain("a.example.com")
                    .redirect_sign_in(ok)
                    .build()
                    .is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "/callback",
            "callback",
            "myapp://cb#x",
            "1app://cb",
            "a b:/c",
        ] {
            let err = OAuthConfig::builder()
                .domain("a.example.com")
                .redirect_sign_out(bad)
                .build()
                .unwrap_err();
            assert!(
                matches!(err, ConfigError::InvalidRedirectUri { .. }),
                "{bad}"
            );
        }
    }

    #[test]
    fn response_types_parse_case_insensitively() {
        assert_eq!(
            OAuthResponseType::parse("CODE").unwrap(),
            OAuthResponseType::Code
        );
        assert_eq!(
            OAuthResponseType::parse("token").unwrap(),
            OAuthResponseType::Token
        );
        assert!(OAuthResponseType::parse("id_token").is_err());
    }
}
