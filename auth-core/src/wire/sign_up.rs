//! Sign-up and password operations: SignUp, ConfirmSignUp, ResendConfirmationCode,
//! ForgotPassword, ConfirmForgotPassword, ChangePassword.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{AnalyticsMetadata, EmptyOutput, UserContextData, operation, string_enum};
use crate::Sensitive;

/// A user attribute (`{"Name": "email", "Value": "a@example.com"}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    /// The attribute name, for example `email` or `custom:plan`.
    pub name: String,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl AttributeType {
    /// An attribute with a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
        }
    }
}

string_enum! {
    /// How a code was delivered (`DeliveryMedium`).
    DeliveryMedium {
        /// By SMS.
        Sms = "SMS",
        /// By email.
        Email = "EMAIL",
    }
}

/// Where a code was sent (`CodeDeliveryDetails`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CodeDeliveryDetails {
    /// The masked destination, for example `a***@e***.com`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// SMS or email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_medium: Option<DeliveryMedium>,
    /// The attribute the code verifies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

/// Input of [`SignUp`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpInput {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH` of the username, for clients with a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Sensitive>,
    /// The username.
    pub username: String,
    /// The password (absent for passwordless sign-up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<Sensitive>,
    /// User attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_attributes: Vec<AttributeType>,
    /// Passed to the pre sign-up trigger only (`validationData`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation_data: Vec<AttributeType>,
    /// Passed to the Lambda triggers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_metadata: BTreeMap<String, String>,
    /// Pinpoint analytics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadata>,
    /// Advanced security context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextData>,
}

/// Output of [`SignUp`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SignUpOutput {
    /// Whether the user is already confirmed (a pre sign-up trigger may confirm).
    pub user_confirmed: bool,
    /// Where the confirmation code went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
    /// The new user's `sub`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_sub: Option<String>,
    /// A session for sign-in after confirmation (USER_AUTH).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

operation! {
    /// Registers a user.
    UserPool SignUp(SignUpInput) -> SignUpOutput
}

/// Input of [`ConfirmSignUp`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpInput {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH`, for clients with a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Sensitive>,
    /// The username.
    pub username: String,
    /// The code the user received.
    pub confirmation_code: Sensitive,
    /// Move an alias (email, phone) from another user to this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_alias_creation: Option<bool>,
    /// Passed to the Lambda triggers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_metadata: BTreeMap<String, String>,
    /// The session from SignUp (USER_AUTH).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
    /// Pinpoint analytics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadata>,
    /// Advanced security context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextData>,
}

/// Output of [`ConfirmSignUp`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ConfirmSignUpOutput {
    /// A session for auto sign-in with USER_AUTH.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

operation! {
    /// Confirms a sign-up with the code the user received.
    UserPool ConfirmSignUp(ConfirmSignUpInput) -> ConfirmSignUpOutput
}

/// Input of [`ResendConfirmationCode`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCodeInput {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH`, for clients with a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Sensitive>,
    /// The username.
    pub username: String,
    /// Passed to the Lambda triggers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_metadata: BTreeMap<String, String>,
    /// Pinpoint analytics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadata>,
    /// Advanced security context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextData>,
}

/// Output of [`ResendConfirmationCode`], [`ForgotPassword`] and
/// [`GetUserAttributeVerificationCode`](super::GetUserAttributeVerificationCode).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CodeDeliveryOutput {
    /// Where the code went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
}

operation! {
    /// Sends the sign-up confirmation code again.
    UserPool ResendConfirmationCode(ResendConfirmationCodeInput) -> CodeDeliveryOutput
}

/// Input of [`ForgotPassword`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgotPasswordInput {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH`, for clients with a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Sensitive>,
    /// The username.
    pub username: String,
    /// Passed to the Lambda triggers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_metadata: BTreeMap<String, String>,
    /// Pinpoint analytics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadata>,
    /// Advanced security context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextData>,
}

operation! {
    /// Starts a password reset: sends a code.
    UserPool ForgotPassword(ForgotPasswordInput) -> CodeDeliveryOutput
}

/// Input of [`ConfirmForgotPassword`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmForgotPasswordInput {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH`, for clients with a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Sensitive>,
    /// The username.
    pub username: String,
    /// The code the user received.
    pub confirmation_code: Sensitive,
    /// The new password.
    pub password: Sensitive,
    /// Passed to the Lambda triggers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_metadata: BTreeMap<String, String>,
    /// Pinpoint analytics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadata>,
    /// Advanced security context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextData>,
}

operation! {
    /// Finishes a password reset with the code and the new password.
    UserPool ConfirmForgotPassword(ConfirmForgotPasswordInput) -> EmptyOutput
}

/// Input of [`ChangePassword`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangePasswordInput {
    /// The current password (optional for passwordless users).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_password: Option<Sensitive>,
    /// The new password.
    pub proposed_password: Sensitive,
    /// The access token.
    pub access_token: Sensitive,
}

operation! {
    /// Changes the signed-in user's password.
    UserPool ChangePassword(ChangePasswordInput) -> EmptyOutput
}
