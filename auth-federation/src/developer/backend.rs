//! The backend side: `GetOpenIdTokenForDeveloperIdentity`, signed with SigV4 by
//! `aws-sdk-cognitoidentity`.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use aws_sdk_cognitoidentity::Client;
use aws_sdk_cognitoidentity::error::{ProvideErrorMetadata as _, SdkError};

use super::DeveloperToken;

/// Why the backend could not mint a developer token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeveloperBackendError {
    /// Cognito refused the request (`NotAuthorizedException`, `ResourceNotFoundException`,
    /// `DeveloperUserAlreadyRegisteredException`, an IAM denial, …).
    #[error("GetOpenIdTokenForDeveloperIdentity failed with {code}")]
    Service {
        /// The service's error code.
        code: String,
        /// Its message.
        message: Option<String>,
        /// The SDK's error.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// No response (network, timeout, missing credentials or region).
    #[error("GetOpenIdTokenForDeveloperIdentity could not be sent")]
    Dispatch(#[source] Box<dyn StdError + Send + Sync>),
    /// The response lacks the identity id or the token.
    #[error("GetOpenIdTokenForDeveloperIdentity returned no {0}")]
    MalformedResponse(&'static str),
}

/// Mints OpenID tokens for your users on your backend (which has AWS credentials allowed to
/// call `cognito-identity:GetOpenIdTokenForDeveloperIdentity`). Hand the result to the app,
/// whose [`DeveloperIdentityProvider`](super::DeveloperIdentityProvider) exchanges it.
///
/// ```no_run
/// # async fn run(client: aws_sdk_cognitoidentity::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use auth_federation::DeveloperBackend;
///
/// let backend = DeveloperBackend::new(client, "us-east-1:8b9f2c4e-0000-4000-8000-0123456789ab", "login.example.app");
/// let token = backend.open_id_token_for("user-42").await?;
/// // Send token.identity_id and token.token to the app over your own authenticated API.
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct DeveloperBackend {
    client: Client,
    identity_pool_id: String,
    developer_provider_name: String,
    token_duration: Option<Duration>,
}

impl fmt::Debug for DeveloperBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeveloperBackend")
            .field("identity_pool_id", &self.identity_pool_id)
            .field("developer_provider_name", &self.developer_provider_name)
            .field("token_duration", &self.token_duration)
            .finish_non_exhaustive()
    }
}

impl DeveloperBackend {
    /// A backend for `identity_pool_id`, whose developer provider name (set on the pool) is
    /// `developer_provider_name`.
    pub fn new(
        client: Client,
        identity_pool_id: impl Into<String>,
        developer_provider_name: impl Into<String>,
    ) -> Self {
        Self {
            client,
            identity_pool_id: identity_pool_id.into(),
            developer_provider_name: developer_provider_name.into(),
            token_duration: None,
        }
    }

    /// How long tokens live (Cognito's default: 15 minutes; at most 24 hours).
    #[must_use]
    pub fn token_duration(mut self, duration: Duration) -> Self {
        self.token_duration = Some(duration);
        self
    }

    /// A token for your user `user_id` (any stable id of your own user store).
    ///
    /// # Errors
    ///
    /// [`DeveloperBackendError`].
    pub async fn open_id_token_for(
        &self,
        user_id: &str,
    ) -> Result<DeveloperToken, DeveloperBackendError> {
        let mut request = self
            .client
            .get_open_id_token_for_developer_identity()
            .identity_pool_id(&self.identity_pool_id)
            .logins(&self.developer_provider_name, user_id);
        if let Some(duration) = self.token_duration {
            request = request.token_duration(i64::try_from(duration.as_secs()).unwrap_or(i64::MAX));
        }
        let output = request.send().await.map_err(|e| match &e {
            SdkError::ServiceError(service) => DeveloperBackendError::Service {
                code: service.err().code().unwrap_or("Unknown").to_owned(),
                message: service.err().message().map(str::to_owned),
                source: Box::new(e),
            },
            _ => DeveloperBackendError::Dispatch(Box::new(e)),
        })?;
        let identity_id = output
            .identity_id()
            .filter(|s| !s.is_empty())
            .ok_or(DeveloperBackendError::MalformedResponse("IdentityId"))?;
        let token = output
            .token()
            .filter(|s| !s.is_empty())
            .ok_or(DeveloperBackendError::MalformedResponse("Token"))?;
        Ok(DeveloperToken::new(identity_id, token))
    }
}
