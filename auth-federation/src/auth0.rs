//! Auth0: the OIDC adapter configured from an Auth0 domain and client id.
//!
//! Auth0's issuer is `https://<domain>/` (with the trailing slash), so the identity pool's
//! Logins key is the domain, as configured in the pool's OpenID Connect provider. Setting an
//! `audience` (an Auth0 API identifier) makes the access token a JWT for that API. Auth0's
//! logout is `https://<domain>/v2/logout?client_id=…&returnTo=…`, and its device
//! authorization endpoint serves CLIs without a browser (enable the Device Code grant on the
//! application).
//!
//! A development tenant, a local stand-in or a tenant behind a proxy can be given by its
//! issuer URL instead ([`Auth0::issuer_url`]); plain `http` is accepted only on a loopback
//! host.
//!
//! ```no_run
//! use auth_federation::auth0::Auth0;
//! use auth_providers::ReqwestHttpClient;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let auth0 = Auth0::new("tenant.eu.auth0.com", "AbCdEf123clientid")
//!     .audience("https://api.example.com");
//! let client = auth0.discover(ReqwestHttpClient::builder().build()?).await?;
//! let authorization = client.start_device_authorization().await?;
//! println!("Go to {} and enter {}", authorization.verification_uri, authorization.user_code);
//! let tokens = client.poll_device_authorization(&authorization).await?;
//! println!("{}", auth0.logout_url(Some("https://app.example.com/")));
//! # Ok(()) }
//! ```

use auth_providers::HttpClient;

use crate::oidc::{OidcClient, OidcConfig, OidcConfigBuilder, OidcError};

/// An Auth0 application: domain (or issuer URL), client id, optional `audience`.
#[derive(Debug, Clone)]
pub struct Auth0 {
    domain: String,
    /// The issuer, `https://<domain>/` unless set explicitly; always ends with `/`.
    issuer: String,
    client_id: String,
    audience: Option<String>,
    builder: OidcConfigBuilder,
}

impl Auth0 {
    /// The application `client_id` of the tenant at `domain` (`tenant.eu.auth0.com` or a
    /// custom domain; a scheme or trailing `/` is removed).
    pub fn new(domain: impl AsRef<str>, client_id: impl Into<String>) -> Self {
        let domain = crate::logins::issuer_key(domain.as_ref());
        Self {
            issuer: format!("https://{domain}/"),
            domain,
            client_id: client_id.into(),
            audience: None,
            builder: OidcConfig::builder().scope("profile").scope("email"),
        }
    }

    /// Uses `issuer` (for example `http://127.0.0.1:3000/` for a local provider, or
    /// `https://login.example.com/` for a custom domain) instead of `https://<domain>/`.
    /// Discovery, logout and the Logins key follow it. It is checked when the configuration
    /// is built: `https`, or plain `http` on a loopback host only.
    #[must_use]
    pub fn issuer_url(mut self, issuer: impl Into<String>) -> Self {
        let mut issuer = issuer.into();
        if !issuer.ends_with('/') {
            // Auth0's `iss` always ends with a slash.
            issuer.push('/');
        }
        self.domain = crate::logins::issuer_key(&issuer);
        self.issuer = issuer;
        self
    }

    /// The API the access token is for (Auth0's `audience` parameter).
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Adjusts the underlying OIDC configuration (scopes, leeway, redirect URI, …); issuer,
    /// client id and audience are set by this type.
    #[must_use]
    pub fn configure(mut self, f: impl FnOnce(OidcConfigBuilder) -> OidcConfigBuilder) -> Self {
        self.builder = f(self.builder);
        self
    }

    /// The domain (the issuer without scheme or trailing `/`: the identity pool's Logins
    /// key).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The issuer, `https://<domain>/` unless [set](Self::issuer_url).
    pub fn issuer(&self) -> String {
        self.issuer.clone()
    }

    /// The OIDC configuration.
    ///
    /// # Errors
    ///
    /// [`OidcError::InvalidConfiguration`], for example for a plain-`http` issuer that is not
    /// on a loopback host.
    pub fn config(&self) -> Result<OidcConfig, OidcError> {
        let mut builder = self
            .builder
            .clone()
            .issuer(self.issuer())
            .client_id(self.client_id.clone());
        if let Some(audience) = &self.audience {
            builder = builder.param("audience", audience.clone());
        }
        builder.build()
    }

    /// Discovers the tenant and returns the OIDC client.
    ///
    /// # Errors
    ///
    /// Those of [`OidcClient::discover`].
    pub async fn discover(&self, http: impl HttpClient + 'static) -> Result<OidcClient, OidcError> {
        OidcClient::discover(self.config()?, http).await
    }

    /// Auth0's logout URL: ends the Auth0 session, then sends the browser to `return_to`
    /// (which must be in the application's Allowed Logout URLs).
    pub fn logout_url(&self, return_to: Option<&str>) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("client_id", &self.client_id);
        if let Some(return_to) = return_to {
            query.append_pair("returnTo", return_to);
        }
        format!("{}v2/logout?{}", self.issuer, query.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_logout_and_audience_follow_auth0() {
        let auth0 = Auth0::new("https://tenant.eu.auth0.com/", "cid").audience("https://api");
        assert_eq!(auth0.issuer(), "https://tenant.eu.auth0.com/");
        assert_eq!(
            auth0.logout_url(Some("https://app/")),
            "https://tenant.eu.auth0.com/v2/logout?client_id=cid&returnTo=https%3A%2F%2Fapp%2F"
        );
        let config = auth0.config().unwrap();
        assert!(
            config
                .extra_params()
                .contains(&("audience".into(), "https://api".into()))
        );
        assert_eq!(
            crate::logins::issuer_key(config.issuer()),
            "tenant.eu.auth0.com"
        );
    }

    #[test]
    fn an_explicit_issuer_is_used_everywhere_and_plain_http_only_on_loopback() {
        let local = Auth0::new("tenant.eu.auth0.com", "cid").issuer_url("http://127.0.0.1:3000");
        assert_eq!(local.issuer(), "http://127.0.0.1:3000/");
        assert_eq!(local.domain(), "127.0.0.1:3000");
        assert_eq!(local.config().unwrap().issuer(), "http://127.0.0.1:3000/");
        assert!(
            local
                .logout_url(None)
                .starts_with("http://127.0.0.1:3000/v2/logout?")
        );

        let remote = Auth0::new("x", "cid").issuer_url("http://dev.example.com/");
        let error = remote.config().unwrap_err().to_string();
        assert!(
            error.contains("http://dev.example.com/") && error.contains("loopback"),
            "{error}"
        );
        assert!(
            Auth0::new("x", "cid")
                .issuer_url("https://login.example.com")
                .config()
                .is_ok()
        );
    }
}
