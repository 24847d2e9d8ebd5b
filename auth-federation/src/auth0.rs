//! Auth0: the OIDC adapter configured from an Auth0 domain and client id.
//!
//! Auth0's issuer is `https://<domain>/` (with the trailing slash), so the identity pool's
//! Logins key is the domain, as configured in the pool's OpenID Connect provider. Setting an
//! `audience` (an Auth0 API identifier) makes the access token a JWT for that API. Auth0's
//! logout is `https://<domain>/v2/logout?client_id=…&returnTo=…`, and its device
//! authorization endpoint serves CLIs without a browser (enable the Device Code grant on the
//! application).
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

/// An Auth0 application: domain, client id, optional `audience`.
#[derive(Debug, Clone)]
pub struct Auth0 {
    domain: String,
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
            domain,
            client_id: client_id.into(),
            audience: None,
            builder: OidcConfig::builder().scope("profile").scope("email"),
        }
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

    /// The domain.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The issuer, `https://<domain>/`.
    pub fn issuer(&self) -> String {
        format!("https://{}/", self.domain)
    }

    /// The OIDC configuration.
    ///
    /// # Errors
    ///
    /// [`OidcError::InvalidConfiguration`].
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
        format!("https://{}/v2/logout?{}", self.domain, query.finish())
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
}
