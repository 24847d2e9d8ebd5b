//! Identity-pool operations: GetId, GetCredentialsForIdentity, GetOpenIdToken.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::operation;
use crate::Sensitive;

/// The `Logins` map: issuer without `https://` (for example
/// `cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC`) to ID token.
pub type Logins = BTreeMap<String, Sensitive>;

/// Input of [`GetId`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetIdInput {
    /// The AWS account id (only for old pools).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The identity pool id.
    pub identity_pool_id: String,
    /// Tokens of the signed-in user; empty for a guest.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub logins: Logins,
}

/// Output of [`GetId`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetIdOutput {
    /// The identity id, `<region>:<uuid>`.
    pub identity_id: String,
}

operation! {
    /// Gets (or creates) the identity id; throttled at about 25 requests per second per pool.
    IdentityPool GetId(GetIdInput) -> GetIdOutput
}

/// Input of [`GetCredentialsForIdentity`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetCredentialsForIdentityInput {
    /// The identity id.
    pub identity_id: String,
    /// Tokens of the signed-in user; empty for a guest.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub logins: Logins,
    /// A role to assume among the pool's roles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_role_arn: Option<String>,
}

/// Temporary AWS credentials.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Credentials {
    /// The access key id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// The secret access key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<Sensitive>,
    /// The session token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_token: Option<Sensitive>,
    /// Expiry, epoch seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<f64>,
}

/// Output of [`GetCredentialsForIdentity`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GetCredentialsForIdentityOutput {
    /// The identity id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_id: Option<String>,
    /// The credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
}

operation! {
    /// Gets temporary AWS credentials for an identity (the enhanced flow).
    IdentityPool GetCredentialsForIdentity(GetCredentialsForIdentityInput) -> GetCredentialsForIdentityOutput
}

/// Input of [`GetOpenIdToken`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetOpenIdTokenInput {
    /// The identity id.
    pub identity_id: String,
    /// Tokens of the signed-in user; empty for a guest.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub logins: Logins,
}

/// Output of [`GetOpenIdToken`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GetOpenIdTokenOutput {
    /// The identity id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_id: Option<String>,
    /// An OpenID token for STS AssumeRoleWithWebIdentity (the classic flow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<Sensitive>,
}

operation! {
    /// Gets an OpenID token for the classic flow.
    IdentityPool GetOpenIdToken(GetOpenIdTokenInput) -> GetOpenIdTokenOutput
}
