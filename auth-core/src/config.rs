//! Configuration of a Cognito user pool client and of an identity pool.
//!
//! [`OAuthConfig`] adds the managed-login (hosted UI) domain of a user pool for sign-in with
//! redirect.
//!
//! All are built with smithy-style builders (`x(self, v) -> Self`, `set_x(&mut self,
//! Option<v>)`, `build() -> Result`). The region is derived from the pool id, as Amplify does,
//! and a custom endpoint (a proxy, or a local peer such as moto) replaces the regional one.
//! Regional endpoints and token issuers use the DNS suffix of the region's AWS partition
//! ([`dns_suffix`]).

use std::fmt;

use crate::Sensitive;
use crate::wire::Endpoint;

mod oauth;
mod partition;

pub use oauth::{
    COGNITO_AUTHORIZE_PATH, COGNITO_LOGOUT_PATH, COGNITO_TOKEN_PATH, OAuthConfig,
    OAuthConfigBuilder, OAuthResponseType,
};
pub use partition::dns_suffix;

/// A configuration value was missing or malformed: the caller misused the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required field was not set on the builder.
    #[error("missing required configuration field `{0}`")]
    MissingField(&'static str),
    /// The user pool id is not of the form `<region>_<name>` (for example `us-east-1_AbC123`).
    #[error("invalid user pool id {id:?}: {reason}")]
    InvalidUserPoolId {
        /// The id as given.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The identity pool id is not of the form `<region>:<uuid>`.
    #[error("invalid identity pool id {id:?}: {reason}")]
    InvalidIdentityPoolId {
        /// The id as given.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The client id is empty or not printable ASCII.
    #[error("invalid app client id {0:?}")]
    InvalidClientId(String),
    /// The custom endpoint is not an absolute `http` or `https` URI.
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A sign-in or sign-out redirect URI is not an absolute URI without a fragment.
    #[error("invalid redirect URI {uri:?}: {reason}")]
    InvalidRedirectUri {
        /// The URI as given.
        uri: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An OAuth setting other than a URI is malformed.
    #[error("invalid OAuth setting `{setting}`: {reason}")]
    InvalidOAuthSetting {
        /// The setting (`response_type`, …).
        setting: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

fn is_region(region: &str) -> bool {
    !region.is_empty()
        && region.contains('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
}

/// Parses `<region>_<name>` into its two parts.
fn parse_user_pool_id(id: &str) -> Result<(&str, &str), ConfigError> {
    let invalid = |reason| ConfigError::InvalidUserPoolId {
        id: id.to_owned(),
        reason,
    };
    let (region, name) = id
        .split_once('_')
        .ok_or_else(|| invalid("expected `<region>_<name>`"))?;
    if !is_region(region) {
        return Err(invalid("the part before `_` is not an AWS region"));
    }
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(
            "the part after `_` must be non-empty and alphanumeric",
        ));
    }
    Ok((region, name))
}

/// Parses `<region>:<uuid>` and returns the region.
fn parse_identity_pool_id(id: &str) -> Result<&str, ConfigError> {
    let invalid = |reason| ConfigError::InvalidIdentityPoolId {
        id: id.to_owned(),
        reason,
    };
    let (region, uuid) = id
        .split_once(':')
        .ok_or_else(|| invalid("expected `<region>:<uuid>`"))?;
    if !is_region(region) {
        return Err(invalid("the part before `:` is not an AWS region"));
    }
    if uuid.is_empty() || !uuid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        return Err(invalid("the part after `:` is not a UUID"));
    }
    Ok(region)
}

fn parse_endpoint(endpoint: &str) -> Result<Endpoint, ConfigError> {
    Endpoint::parse(endpoint).map_err(|reason| ConfigError::InvalidEndpoint {
        endpoint: endpoint.to_owned(),
        reason,
    })
}

/// How to reach a Cognito user pool through one app client.
///
/// ```
/// use auth_core::config::UserPoolConfig;
///
/// let config = UserPoolConfig::builder()
///     .pool_id("eu-west-2_AbCdEf123")
///     .client_id("1example23456789")
///     .client_secret("shh")
///     .build()?;
/// assert_eq!(config.region(), "eu-west-2");
/// assert_eq!(config.pool_name(), "AbCdEf123");
/// assert_eq!(config.endpoint().uri(), "https://cognito-idp.eu-west-2.amazonaws.com/");
/// assert!(!format!("{config:?}").contains("shh"));
/// # Ok::<(), auth_core::config::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct UserPoolConfig {
    pool_id: String,
    region_len: usize,
    client_id: String,
    client_secret: Option<Sensitive>,
    endpoint: Endpoint,
    custom_endpoint: bool,
}

impl UserPoolConfig {
    /// Starts a builder.
    pub fn builder() -> UserPoolConfigBuilder {
        UserPoolConfigBuilder::default()
    }

    /// A builder holding this configuration, to change a part of it (an endpoint, say).
    pub fn to_builder(&self) -> UserPoolConfigBuilder {
        UserPoolConfigBuilder {
            pool_id: Some(self.pool_id.clone()),
            client_id: Some(self.client_id.clone()),
            client_secret: self.client_secret.clone(),
            endpoint: self
                .custom_endpoint
                .then(|| self.endpoint.uri().to_string()),
        }
    }

    /// The user pool id, `<region>_<name>`.
    pub fn pool_id(&self) -> &str {
        &self.pool_id
    }

    /// The region, the part of the pool id before `_`.
    pub fn region(&self) -> &str {
        &self.pool_id[..self.region_len]
    }

    /// The pool name, the part of the pool id after `_`; SRP hashes it.
    pub fn pool_name(&self) -> &str {
        &self.pool_id[self.region_len + 1..]
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The app client secret, when the app client has one (then every call carries a
    /// `SECRET_HASH`).
    pub fn client_secret(&self) -> Option<&Sensitive> {
        self.client_secret.as_ref()
    }

    /// Where requests go: the custom endpoint, else `https://cognito-idp.<region>.<suffix>/`
    /// with the [`dns_suffix`] of the region's partition.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Whether [`endpoint`](Self::endpoint) was set explicitly.
    pub fn has_custom_endpoint(&self) -> bool {
        self.custom_endpoint
    }

    /// The issuer of this pool's tokens without `https://`, the key of the identity pool's
    /// `Logins` map: `cognito-idp.<region>.<suffix>/<poolId>` with the [`dns_suffix`] of the
    /// region's partition (`amazonaws.com` in most regions).
    pub fn logins_key(&self) -> String {
        format!(
            "cognito-idp.{}.{}/{}",
            self.region(),
            dns_suffix(self.region()),
            self.pool_id
        )
    }
}

impl fmt::Debug for UserPoolConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserPoolConfig")
            .field("pool_id", &self.pool_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

/// Builder of [`UserPoolConfig`].
#[derive(Clone, Default)]
pub struct UserPoolConfigBuilder {
    pool_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Sensitive>,
    endpoint: Option<String>,
}

impl fmt::Debug for UserPoolConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserPoolConfigBuilder")
            .field("pool_id", &self.pool_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

impl UserPoolConfigBuilder {
    /// The user pool id, `<region>_<name>` (required).
    pub fn pool_id(mut self, pool_id: impl Into<String>) -> Self {
        self.set_pool_id(Some(pool_id.into()));
        self
    }

    /// Sets or clears the user pool id.
    pub fn set_pool_id(&mut self, pool_id: Option<String>) -> &mut Self {
        self.pool_id = pool_id;
        self
    }

    /// The app client id (required).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.set_client_id(Some(client_id.into()));
        self
    }

    /// Sets or clears the app client id.
    pub fn set_client_id(&mut self, client_id: Option<String>) -> &mut Self {
        self.client_id = client_id;
        self
    }

    /// The app client secret, for app clients that have one.
    pub fn client_secret(mut self, client_secret: impl Into<Sensitive>) -> Self {
        self.set_client_secret(Some(client_secret.into()));
        self
    }

    /// Sets or clears the app client secret.
    pub fn set_client_secret(&mut self, client_secret: Option<Sensitive>) -> &mut Self {
        self.client_secret = client_secret;
        self
    }

    /// A custom endpoint (absolute `http`/`https` URI) instead of the regional one.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.set_endpoint(Some(endpoint.into()));
        self
    }

    /// Sets or clears the custom endpoint.
    pub fn set_endpoint(&mut self, endpoint: Option<String>) -> &mut Self {
        self.endpoint = endpoint;
        self
    }

    /// Validates and builds the configuration.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when the pool id or client id is missing or malformed, or the endpoint
    /// is not an absolute `http(s)` URI.
    pub fn build(self) -> Result<UserPoolConfig, ConfigError> {
        let pool_id = self.pool_id.ok_or(ConfigError::MissingField("pool_id"))?;
        let client_id = self
            .client_id
            .ok_or(ConfigError::MissingField("client_id"))?;
        let (region, _) = parse_user_pool_id(&pool_id)?;
        let region_len = region.len();
        if client_id.is_empty() || !client_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError::InvalidClientId(client_id));
        }
        let (endpoint, custom_endpoint) = match &self.endpoint {
            Some(endpoint) => (parse_endpoint(endpoint)?, true),
            None => (Endpoint::user_pool(region), false),
        };
        Ok(UserPoolConfig {
            pool_id,
            region_len,
            client_id,
            client_secret: self.client_secret,
            endpoint,
            custom_endpoint,
        })
    }
}

/// How to reach a Cognito identity pool.
///
/// ```
/// use auth_core::config::IdentityPoolConfig;
///
/// let config = IdentityPoolConfig::builder()
///     .identity_pool_id("us-east-1:8b9f2c4e-0000-4000-8000-0123456789ab")
///     .allow_guest_access(true)
///     .build()?;
/// assert_eq!(config.region(), "us-east-1");
/// assert_eq!(config.endpoint().uri(), "https://cognito-identity.us-east-1.amazonaws.com/");
/// # Ok::<(), auth_core::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityPoolConfig {
    identity_pool_id: String,
    region_len: usize,
    endpoint: Endpoint,
    custom_endpoint: bool,
    allow_guest_access: bool,
}

impl IdentityPoolConfig {
    /// Starts a builder.
    pub fn builder() -> IdentityPoolConfigBuilder {
        IdentityPoolConfigBuilder::default()
    }

    /// A builder holding this configuration, to change a part of it (an endpoint, say).
    pub fn to_builder(&self) -> IdentityPoolConfigBuilder {
        IdentityPoolConfigBuilder {
            identity_pool_id: Some(self.identity_pool_id.clone()),
            endpoint: self
                .custom_endpoint
                .then(|| self.endpoint.uri().to_string()),
            allow_guest_access: self.allow_guest_access,
        }
    }

    /// The identity pool id, `<region>:<uuid>`.
    pub fn identity_pool_id(&self) -> &str {
        &self.identity_pool_id
    }

    /// The region, the part of the id before `:`.
    pub fn region(&self) -> &str {
        &self.identity_pool_id[..self.region_len]
    }

    /// Where requests go: the custom endpoint, else
    /// `https://cognito-identity.<region>.<suffix>/` with the [`dns_suffix`] of the region's
    /// partition.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Whether [`endpoint`](Self::endpoint) was set explicitly.
    pub fn has_custom_endpoint(&self) -> bool {
        self.custom_endpoint
    }

    /// Whether unauthenticated (guest) identities may be requested.
    pub fn allow_guest_access(&self) -> bool {
        self.allow_guest_access
    }
}

/// Builder of [`IdentityPoolConfig`].
#[derive(Debug, Clone, Default)]
pub struct IdentityPoolConfigBuilder {
    identity_pool_id: Option<String>,
    endpoint: Option<String>,
    allow_guest_access: bool,
}

impl IdentityPoolConfigBuilder {
    /// The identity pool id, `<region>:<uuid>` (required).
    pub fn identity_pool_id(mut self, id: impl Into<String>) -> Self {
        self.set_identity_pool_id(Some(id.into()));
        self
    }

    /// Sets or clears the identity pool id.
    pub fn set_identity_pool_id(&mut self, id: Option<String>) -> &mut Self {
        self.identity_pool_id = id;
        self
    }

    /// A custom endpoint (absolute `http`/`https` URI) instead of the regional one.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.set_endpoint(Some(endpoint.into()));
        self
    }

    /// Sets or clears the custom endpoint.
    pub fn set_endpoint(&mut self, endpoint: Option<String>) -> &mut Self {
        self.endpoint = endpoint;
        self
    }

    /// Whether guests (no `Logins`) may get credentials; the pool must allow it too.
    pub fn allow_guest_access(mut self, allow: bool) -> Self {
        self.allow_guest_access = allow;
        self
    }

    /// Validates and builds the configuration.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when the id is missing or malformed or the endpoint is not an absolute
    /// `http(s)` URI.
    pub fn build(self) -> Result<IdentityPoolConfig, ConfigError> {
        let identity_pool_id = self
            .identity_pool_id
            .ok_or(ConfigError::MissingField("identity_pool_id"))?;
        let region = parse_identity_pool_id(&identity_pool_id)?;
        let region_len = region.len();
        let (endpoint, custom_endpoint) = match &self.endpoint {
            Some(endpoint) => (parse_endpoint(endpoint)?, true),
            None => (Endpoint::identity_pool(region), false),
        };
        Ok(IdentityPoolConfig {
            identity_pool_id,
            region_len,
            endpoint,
            custom_endpoint,
            allow_guest_access: self.allow_guest_access,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_pool(id: &str) -> Result<UserPoolConfig, ConfigError> {
        UserPoolConfig::builder()
            .pool_id(id)
            .client_id("client")
            .build()
    }

    #[test]
    fn region_and_pool_name_come_from_the_pool_id() {
        let config = user_pool("us-gov-west-1_Ab12").unwrap();
        assert_eq!(config.region(), "us-gov-west-1");
        assert_eq!(config.pool_name(), "Ab12");
        assert_eq!(
            config.logins_key(),
            "cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_Ab12"
        );
    }

    #[test]
    fn endpoints_and_issuer_use_the_partition_of_the_region() {
        for (region, suffix) in [
            ("cn-north-1", "amazonaws.com.cn"),
            ("us-iso-east-1", "c2s.ic.gov"),
            ("us-isob-east-1", "sc2s.sgov.gov"),
            ("eu-isoe-west-1", "cloud.adc-e.uk"),
            ("us-isof-south-1", "csp.hci.ic.gov"),
            ("eusc-de-east-1", "amazonaws.eu"),
        ] {
            let config = user_pool(&format!("{region}_Ab12")).unwrap();
            assert_eq!(
                config.endpoint().uri(),
                &*format!("https://cognito-idp.{region}.{suffix}/")
            );
            assert_eq!(
                config.logins_key(),
                format!("cognito-idp.{region}.{suffix}/{region}_Ab12")
            );
            let identity = IdentityPoolConfig::builder()
                .identity_pool_id(format!("{region}:0e1c-42"))
                .build()
                .unwrap();
            assert_eq!(
                identity.endpoint().uri(),
                &*format!("https://cognito-identity.{region}.{suffix}/")
            );
        }
    }

    #[test]
    fn malformed_pool_ids_are_typed_errors() {
        for id in [
            "",
            "us-east-1",
            "_abc",
            "us-east-1_",
            "USEAST1_abc",
            "us-east-1_a-b",
            "us east-1_a",
        ] {
            assert!(
                matches!(user_pool(id), Err(ConfigError::InvalidUserPoolId { .. })),
                "{id:?} was accepted"
            );
        }
    }

    #[test]
    fn missing_fields_are_named() {
        let err = UserPoolConfig::builder()
            .pool_id("us-east-1_a")
            .build()
            .unwrap_err();
        assert_eq!(err, ConfigError::MissingField("client_id"));
    }

    #[test]
    fn client_secret_is_redacted_in_debug() {
        let builder = UserPoolConfig::builder()
            .pool_id("us-east-1_a")
            .client_id("c")
            .client_secret("very-secret");
        assert!(!format!("{builder:?}").contains("very-secret"));
        let config = builder.build().unwrap();
        assert!(!format!("{config:?}").contains("very-secret"));
        assert_eq!(config.client_secret().unwrap().expose(), "very-secret");
    }

    #[test]
    fn custom_endpoint_replaces_the_regional_one() {
        let config = UserPoolConfig::builder()
            .pool_id("us-east-1_a")
            .client_id("c")
            .endpoint("http://127.0.0.1:5000")
            .build()
            .unwrap();
        assert!(config.has_custom_endpoint());
        assert_eq!(config.endpoint().uri(), "http://127.0.0.1:5000/");
        let err = UserPoolConfig::builder()
            .pool_id("us-east-1_a")
            .client_id("c")
            .endpoint("not a uri")
            .build()
            .unwrap_err();
        assert!(matches!(err, ConfigError::InvalidEndpoint { .. }));
    }

    #[test]
    fn to_builder_keeps_everything_but_what_is_changed() {
        let config = UserPoolConfig::builder()
            .pool_id("us-east-1_a")
            .client_id("c")
            .client_secret("s")
            .build()
            .unwrap();
        assert_eq!(config.to_builder().build().unwrap(), config);
        let moved = config
            .to_builder()
            .endpoint("http://127.0.0.1:5000")
            .build()
            .unwrap();
        assert_eq!(moved.endpoint().uri(), "http://127.0.0.1:5000/");
        assert_eq!(moved.client_secret().unwrap().expose(), "s");
        let identity = IdentityPoolConfig::builder()
            .identity_pool_id("us-east-1:0e1c-42")
            .allow_guest_access(true)
            .endpoint("http://127.0.0.1:5000")
            .build()
            .unwrap();
        assert_eq!(identity.to_builder().build().unwrap(), identity);
        assert!(identity.has_custom_endpoint());
    }

    #[test]
    fn identity_pool_ids_are_validated() {
        let config = IdentityPoolConfig::builder()
            .identity_pool_id("eu-central-1:0e1c-42")
            .build()
            .unwrap();
        assert_eq!(config.region(), "eu-central-1");
        assert!(!config.allow_guest_access());
        for id in ["eu-central-1", "eu-central-1:", ":abc", "eu-central-1:xyz"] {
            let err = IdentityPoolConfig::builder()
                .identity_pool_id(id)
                .build()
                .unwrap_err();
            assert!(
                matches!(err, ConfigError::InvalidIdentityPoolId { .. }),
                "{id:?}"
            );
        }
    }
}
