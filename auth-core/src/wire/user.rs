//! Operations on the signed-in user, authorized by the access token: GetUser,
//! UpdateUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute,
//! DeleteUserAttributes, DeleteUser, AssociateSoftwareToken, VerifySoftwareToken,
//! SetUserMFAPreference.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    AttributeType, CodeDeliveryDetails, CodeDeliveryOutput, DeliveryMedium, EmptyOutput, operation,
    string_enum,
};
use crate::Sensitive;

/// Input of [`GetUser`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserInput {
    /// The access token.
    pub access_token: Sensitive,
}

/// A legacy SMS MFA option (`MFAOptions`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MfaOption {
    /// Always SMS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_medium: Option<DeliveryMedium>,
    /// The attribute the code goes to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

/// Output of [`GetUser`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GetUserOutput {
    /// The username (a UUID when the pool signs in with email or phone).
    pub username: String,
    /// The attributes.
    pub user_attributes: Vec<AttributeType>,
    /// Legacy SMS MFA options.
    #[serde(rename = "MFAOptions", skip_serializing_if = "Option::is_none")]
    pub mfa_options: Option<Vec<MfaOption>>,
    /// The preferred MFA method (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `EMAIL_OTP`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<String>,
    /// The enabled MFA methods.
    #[serde(rename = "UserMFASettingList", skip_serializing_if = "Option::is_none")]
    pub user_mfa_setting_list: Option<Vec<String>>,
}

operation! {
    /// Reads the signed-in user's attributes and MFA settings.
    UserPool GetUser(GetUserInput) -> GetUserOutput
}

/// Input of [`UpdateUserAttributes`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesInput {
    /// The attributes to set.
    pub user_attributes: Vec<AttributeType>,
    /// The access token.
    pub access_token: Sensitive,
    /// Passed to the Lambda triggers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_metadata: BTreeMap<String, String>,
}

/// Output of [`UpdateUserAttributes`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UpdateUserAttributesOutput {
    /// Codes sent to verify changed email or phone attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_delivery_details_list: Option<Vec<CodeDeliveryDetails>>,
}

operation! {
    /// Updates the signed-in user's attributes.
    UserPool UpdateUserAttributes(UpdateUserAttributesInput) -> UpdateUserAttributesOutput
}

/// Input of [`GetUserAttributeVerificationCode`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAttributeVerificationCodeInput {
    /// The access token.
    pub access_token: Sensitive,
    /// `email` or `phone_number`.
    pub attribute_name: String,
    /// Passed to the Lambda triggers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_metadata: BTreeMap<String, String>,
}

operation! {
    /// Sends a code to verify an attribute.
    UserPool GetUserAttributeVerificationCode(GetUserAttributeVerificationCodeInput) -> CodeDeliveryOutput
}

/// Input of [`VerifyUserAttribute`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyUserAttributeInput {
    /// The access token.
    pub access_token: Sensitive,
    /// `email` or `phone_number`.
    pub attribute_name: String,
    /// The code the user received.
    pub code: Sensitive,
}

operation! {
    /// Verifies an attribute with the code the user received.
    UserPool VerifyUserAttribute(VerifyUserAttributeInput) -> EmptyOutput
}

/// Input of [`DeleteUserAttributes`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserAttributesInput {
    /// The attribute names.
    pub user_attribute_names: Vec<String>,
    /// The access token.
    pub access_token: Sensitive,
}

operation! {
    /// Deletes attributes of the signed-in user.
    UserPool DeleteUserAttributes(DeleteUserAttributesInput) -> EmptyOutput
}

/// Input of [`DeleteUser`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserInput {
    /// The access token.
    pub access_token: Sensitive,
}

operation! {
    /// Deletes the signed-in user.
    UserPool DeleteUser(DeleteUserInput) -> EmptyOutput
}

/// Input of [`AssociateSoftwareToken`]: the access token, or the session of an MFA_SETUP
/// challenge.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenInput {
    /// The access token (signed-in user).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Sensitive>,
    /// The session (MFA_SETUP during sign-in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

/// Output of [`AssociateSoftwareToken`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AssociateSoftwareTokenOutput {
    /// The TOTP secret (base32) to show the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_code: Option<Sensitive>,
    /// The new session, for VerifySoftwareToken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

operation! {
    /// Starts TOTP setup: returns the secret.
    UserPool AssociateSoftwareToken(AssociateSoftwareTokenInput) -> AssociateSoftwareTokenOutput
}

/// Input of [`VerifySoftwareToken`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenInput {
    /// The access token (signed-in user).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Sensitive>,
    /// The session (MFA_SETUP during sign-in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
    /// The code from the authenticator app.
    pub user_code: Sensitive,
    /// A name for the authenticator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_device_name: Option<String>,
}

string_enum! {
    /// The result of VerifySoftwareToken.
    VerifySoftwareTokenStatus {
        /// The code was right; TOTP is set up.
        Success = "SUCCESS",
        /// The code was wrong.
        Error = "ERROR",
    }
}

/// Output of [`VerifySoftwareToken`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VerifySoftwareTokenOutput {
    /// Whether the code was right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<VerifySoftwareTokenStatus>,
    /// The session for RespondToAuthChallenge MFA_SETUP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

operation! {
    /// Finishes TOTP setup with a code from the authenticator app.
    UserPool VerifySoftwareToken(VerifySoftwareTokenInput) -> VerifySoftwareTokenOutput
}

/// Whether one MFA method is enabled and preferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaSettings {
    /// Enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Preferred.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_mfa: Option<bool>,
}

/// Whether passkey MFA is on (`WebAuthnMfaSettingsType`): a passkey sign-in with user
/// verification then counts as both factors. Unlike the other methods it has no
/// `PreferredMfa`: a passkey is only ever the first factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebAuthnMfaSettings {
    /// Enabled. Cognito refuses it unless another MFA method is enabled too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// Input of [`SetUserMfaPreference`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserMfaPreferenceInput {
    /// SMS MFA.
    #[serde(rename = "SMSMfaSettings", skip_serializing_if = "Option::is_none")]
    pub sms_mfa_settings: Option<MfaSettings>,
    /// TOTP MFA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_settings: Option<MfaSettings>,
    /// Email MFA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_mfa_settings: Option<MfaSettings>,
    /// Passkey (WebAuthn) MFA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_authn_mfa_settings: Option<WebAuthnMfaSettings>,
    /// The access token.
    pub access_token: Sensitive,
}

/// SetUserMFAPreference (the marker type follows Rust naming; the target is
/// `AWSCognitoIdentityProviderService.SetUserMFAPreference`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetUserMfaPreference;

impl super::Operation for SetUserMfaPreference {
    type Input = SetUserMfaPreferenceInput;
    type Output = EmptyOutput;
    const NAME: &'static str = "SetUserMFAPreference";
    const SERVICE: super::Service = super::Service::UserPool;
    const TARGET: &'static str = "AWSCognitoIdentityProviderService.SetUserMFAPreference";
    const EMPTY_OUTPUT: bool = true;
}

impl super::OperationInput for SetUserMfaPreferenceInput {
    type Operation = SetUserMfaPreference;
}
