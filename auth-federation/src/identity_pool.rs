//! [`IdentityPool`]: the identity-pool API (GetId, GetCredentialsForIdentity, GetOpenIdToken)
//! and the classic flow through STS, over any [`HttpClient`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::Sensitive;
use auth_core::config::IdentityPoolConfig;
use auth_core::wire::{
    self, GetCredentialsForIdentity, GetCredentialsForIdentityInput, GetId, GetIdInput,
    GetOpenIdToken, GetOpenIdTokenInput, Logins, Operation,
};
use auth_providers::{
    AwsCredentials, CredentialsAndIdentityId, HttpClient, IdentityId, RetryConfig,
    RetryingHttpClient, SharedHttpClient,
};

use crate::error::IdentityPoolError;
use crate::sts;

/// A client of one Cognito identity pool.
///
/// Every call goes through a [`RetryingHttpClient`] (bounded, jittered backoff): throttling
/// (`TooManyRequestsException`, HTTP 429) is retried for every operation, including GetId,
/// because a throttled request was not acted on; 5xx and timeouts only for the idempotent
/// GetCredentialsForIdentity and GetOpenIdToken. GetId is throttled at about 25 requests per
/// second per pool, so callers should persist identity ids (as
/// [`CognitoCredentialsProvider`](crate::CognitoCredentialsProvider) does).
///
/// Cheap to clone.
///
/// ```no_run
/// use auth_core::config::IdentityPoolConfig;
/// use auth_federation::{IdentityPool, logins};
/// use auth_providers::ReqwestHttpClient;
///
/// # async fn run(id_token: auth_core::tokens::Jwt) -> Result<(), Box<dyn std::error::Error>> {
/// let config = IdentityPoolConfig::builder()
///     .identity_pool_id("us-east-1:8b9f2c4e-0000-4000-8000-0123456789ab")
///     .build()?;
/// let pool = IdentityPool::new(config, ReqwestHttpClient::builder().build()?);
/// let logins = logins::from_id_token(&id_token)?;
/// let identity_id = pool.get_id(&logins).await?;
/// let session = pool.get_credentials_for_identity(&identity_id, &logins, None).await?;
/// println!("{}", session.credentials.access_key_id());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct IdentityPool {
    config: IdentityPoolConfig,
    http: SharedHttpClient,
    sts_endpoint: String,
}

impl fmt::Debug for IdentityPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityPool")
            .field("identity_pool_id", &self.config.identity_pool_id())
            .field("endpoint", self.config.endpoint())
            .field("sts_endpoint", &self.sts_endpoint)
            .finish_non_exhaustive()
    }
}

/// An OpenID token from `GetOpenIdToken` (for STS AssumeRoleWithWebIdentity), redacted in
/// `Debug` and zeroized on drop.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OpenIdToken {
    /// The identity the token was issued for.
    pub identity_id: IdentityId,
    /// The token (a JWT issued by `cognito-identity.amazonaws.com`).
    pub token: Sensitive,
}

impl IdentityPool {
    /// A client of `config`'s pool sending through `http`, with the default retries.
    pub fn new(config: IdentityPoolConfig, http: impl HttpClient + 'static) -> Self {
        Self::with_retry(config, http, RetryConfig::default())
    }

    /// Like [`new`](Self::new) with explicit retry settings (`max_attempts(1)` disables
    /// retries, for example when `http` already retries).
    pub fn with_retry(
        config: IdentityPoolConfig,
        http: impl HttpClient + 'static,
        retry: RetryConfig,
    ) -> Self {
        let sts_endpoint = sts::regional_endpoint(config.region());
        Self {
            config,
            http: SharedHttpClient::new(RetryingHttpClient::new(http, retry)),
            sts_endpoint,
        }
    }

    /// Sends STS requests of the classic flow to `endpoint` instead of
    /// `https://sts.<region>.amazonaws.com/` (a proxy, or a local peer).
    #[must_use]
    pub fn with_sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sts_endpoint = endpoint.into();
        self
    }

    /// The pool's configuration.
    pub fn config(&self) -> &IdentityPoolConfig {
        &self.config
    }

    async fn call<Op: Operation>(&self, input: &Op::Input) -> Result<Op::Output, IdentityPoolError>
    where
        Op::Input: wire::OperationInput<Operation = Op>,
    {
        let request = wire::encode(self.config.endpoint(), input);
        let response =
            self.http
                .send(request)
                .await
                .map_err(|source| IdentityPoolError::Network {
                    operation: Op::NAME,
                    source,
                })?;
        wire::decode::<Op, _>(response).map_err(|source| {
            tracing::debug!(operation = Op::NAME, error = %source, "identity pool call failed");
            IdentityPoolError::Cognito {
                operation: Op::NAME,
                source,
            }
        })
    }

    /// `GetId`: the identity id of the user in `logins`, or a new guest identity when
    /// `logins` is empty.
    ///
    /// # Errors
    ///
    /// [`IdentityPoolError`]: Cognito's typed error (for example `NotAuthorized` when guest
    /// access is disabled in the pool), a malformed response, or the network.
    pub async fn get_id(&self, logins: &Logins) -> Result<IdentityId, IdentityPoolError> {
        let input = GetIdInput {
            account_id: None,
            identity_pool_id: self.config.identity_pool_id().to_owned(),
            logins: logins.clone(),
        };
        let output = self.call::<GetId>(&input).await?;
        if output.identity_id.is_empty() {
            return Err(IdentityPoolError::MalformedResponse {
                operation: GetId::NAME,
                reason: "the IdentityId is empty".into(),
            });
        }
        Ok(IdentityId::new(output.identity_id))
    }

    /// `GetCredentialsForIdentity`: temporary credentials for `identity_id` (the enhanced
    /// flow). `custom_role_arn` picks one of the roles the pool's rules allow.
    ///
    /// # Errors
    ///
    /// [`IdentityPoolError`]; a response without credentials is
    /// [`MalformedResponse`](IdentityPoolError::MalformedResponse).
    pub async fn get_credentials_for_identity(
        &self,
        identity_id: &str,
        logins: &Logins,
        custom_role_arn: Option<&str>,
    ) -> Result<CredentialsAndIdentityId, IdentityPoolError> {
        let input = GetCredentialsForIdentityInput {
            identity_id: identity_id.to_owned(),
            logins: logins.clone(),
            custom_role_arn: custom_role_arn.map(str::to_owned),
        };
        let output = self.call::<GetCredentialsForIdentity>(&input).await?;
        let malformed = |reason: &str| IdentityPoolError::MalformedResponse {
            operation: GetCredentialsForIdentity::NAME,
            reason: reason.to_owned(),
        };
        let c = output
            .credentials
            .ok_or_else(|| malformed("no Credentials"))?;
        let access_key_id = c
            .access_key_id
            .filter(|s| !s.is_empty())
            .ok_or_else(|| malformed("no AccessKeyId"))?;
        let secret = c
            .secret_key
            .filter(|s| !s.is_empty())
            .ok_or_else(|| malformed("no SecretKey"))?;
        let session_token = c
            .session_token
            .ok_or_else(|| malformed("no SessionToken"))?;
        let expiration = c
            .expiration
            .map(epoch_seconds)
            .ok_or_else(|| malformed("no Expiration"))?;
        let credentials = AwsCredentials::new(
            access_key_id,
            secret.expose(),
            Some(session_token.expose().to_owned()),
            Some(expiration),
        );
        let identity = output
            .identity_id
            .filter(|s| !s.is_empty())
            .map_or_else(|| IdentityId::new(identity_id), IdentityId::new);
        Ok(CredentialsAndIdentityId::new(credentials, Some(identity)))
    }

    /// `GetOpenIdToken`: an OpenID token for `identity_id`, for STS (the classic flow).
    ///
    /// # Errors
    ///
    /// [`IdentityPoolError`].
    pub async fn get_open_id_token(
        &self,
        identity_id: &str,
        logins: &Logins,
    ) -> Result<OpenIdToken, IdentityPoolError> {
        let input = GetOpenIdTokenInput {
            identity_id: identity_id.to_owned(),
            logins: logins.clone(),
        };
        let output = self.call::<GetOpenIdToken>(&input).await?;
        let token = output.token.filter(|t| !t.is_empty()).ok_or_else(|| {
            IdentityPoolError::MalformedResponse {
                operation: GetOpenIdToken::NAME,
                reason: "no Token".into(),
            }
        })?;
        let identity_id = output
            .identity_id
            .filter(|s| !s.is_empty())
            .map_or_else(|| IdentityId::new(identity_id), IdentityId::new);
        Ok(OpenIdToken { identity_id, token })
    }

    /// STS `AssumeRoleWithWebIdentity`, unsigned: credentials of `role_arn` for the holder of
    /// `web_identity_token`.
    ///
    /// # Errors
    ///
    /// [`IdentityPoolError::Sts`] with STS's error code (`InvalidIdentityToken`,
    /// `AccessDenied`, `ExpiredTokenException`, …), a malformed response, or the network.
    pub async fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        web_identity_token: &str,
        duration: Option<Duration>,
    ) -> Result<AwsCredentials, IdentityPoolError> {
        let mut request = sts::encode(
            &self.sts_endpoint,
            role_arn,
            session_name,
            web_identity_token,
            duration,
        )?;
        // Replaying AssumeRoleWithWebIdentity only mints another set of credentials.
        request
            .extensions_mut()
            .insert(auth_providers::RetrySafety::Idempotent);
        let response =
            self.http
                .send(request)
                .await
                .map_err(|source| IdentityPoolError::Network {
                    operation: "AssumeRoleWithWebIdentity",
                    source,
                })?;
        sts::decode(&response)
    }

    /// The classic (basic) flow: `GetOpenIdToken` for `identity_id`, then STS
    /// `AssumeRoleWithWebIdentity` into `role_arn`. The session name is the identity id's
    /// UUID part.
    ///
    /// # Errors
    ///
    /// [`IdentityPoolError`] from either call.
    pub async fn classic_credentials(
        &self,
        identity_id: &str,
        logins: &Logins,
        role_arn: &str,
    ) -> Result<CredentialsAndIdentityId, IdentityPoolError> {
        let token = self.get_open_id_token(identity_id, logins).await?;
        let session_name = session_name(&token.identity_id);
        let credentials = self
            .assume_role_with_web_identity(role_arn, &session_name, token.token.expose(), None)
            .await?;
        Ok(CredentialsAndIdentityId::new(
            credentials,
            Some(token.identity_id),
        ))
    }
}

/// A RoleSessionName (`[\w+=,.@-]{2,64}`) derived from an identity id.
fn session_name(identity_id: &str) -> String {
    let uuid = identity_id.rsplit(':').next().unwrap_or(identity_id);
    let name: String = format!("CognitoIdentity-{uuid}")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(*c))
        .take(64)
        .collect();
    if name.len() < 2 {
        "CognitoIdentity".to_owned()
    } else {
        name
    }
}

fn epoch_seconds(secs: f64) -> SystemTime {
    if secs.is_finite() && secs > 0.0 {
        UNIX_EPOCH + Duration::from_secs_f64(secs)
    } else {
        UNIX_EPOCH
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_fit_sts_rules() {
        let name = session_name("us-east-1:8b9f2c4e-0000-4000-8000-0123456789ab");
        assert_eq!(name, "CognitoIdentity-8b9f2c4e-0000-4000-8000-0123456789ab");
        assert!(name.len() <= 64);
    }
}
