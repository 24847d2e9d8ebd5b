//! User migration.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::envelope::{Event, TriggerRequest};
use crate::error::ResponseError;
use crate::lossless::{Field, wire_struct};
use crate::source::{TriggerFamily, TriggerSource};
use crate::string_map::StringMap;

/// A user migration event (`UserMigration_Authentication`, `UserMigration_ForgotPassword`):
/// look the user up in the old directory and return their attributes.
pub type UserMigrationEvent = Event<UserMigrationRequest, UserMigrationResponse>;

/// The password a user typed, as sent in a user migration request. Its `Debug` output is
/// redacted; read it with [`expose`](Self::expose).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    #[must_use]
    pub fn new(password: impl Into<String>) -> Self {
        Self(password.into())
    }

    /// The password in clear, to check against the old directory.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Password(\"\")"
        } else {
            "Password(<redacted>)"
        })
    }
}

impl Serialize for Password {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl Field for Password {
    fn is_default(&self) -> bool {
        self.0.is_empty()
    }
}

wire_struct! {
    /// The `request` of a user migration event.
    pub struct UserMigrationRequest {
        /// `password`: the password typed (for `UserMigration_Authentication`; empty for
        /// `UserMigration_ForgotPassword`).
        pub password: Password = "password",
        /// `validationData`: see [`TriggerRequest::validation_data`].
        pub validation_data: StringMap = "validationData",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
    }
}

wire_struct! {
    /// The `response` of a user migration event.
    pub struct UserMigrationResponse {
        /// `userAttributes`: the attributes to create the user with.
        pub user_attributes: StringMap = "userAttributes",
        /// `finalUserStatus`: `"CONFIRMED"` or `"RESET_REQUIRED"` (see [`FinalUserStatus`]).
        pub final_user_status: Option<String> = "finalUserStatus",
        /// `messageAction`: `"SUPPRESS"` to send no welcome message (see [`MessageAction`]).
        pub message_action: Option<String> = "messageAction",
        /// `desiredDeliveryMediums`: `"EMAIL"` and/or `"SMS"` for the welcome message.
        pub desired_delivery_mediums: Vec<String> = "desiredDeliveryMediums",
        /// `forceAliasCreation`: move an e-mail or phone alias from another user.
        pub force_alias_creation: bool = "forceAliasCreation",
        /// `enableSMSMFA`: turn on SMS multi-factor authentication for the migrated user.
        pub enable_sms_mfa: bool = "enableSMSMFA",
    }
}

/// A `finalUserStatus` for a migrated user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FinalUserStatus {
    /// `CONFIRMED`: the user can sign in with the password just checked.
    Confirmed,
    /// `RESET_REQUIRED`: the user must reset the password before signing in.
    ResetRequired,
}

impl FinalUserStatus {
    /// The status as Cognito writes it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "CONFIRMED",
            Self::ResetRequired => "RESET_REQUIRED",
        }
    }
}

/// A `messageAction` for a migrated user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageAction {
    /// `RESEND`: send the welcome message again.
    Resend,
    /// `SUPPRESS`: send no welcome message.
    Suppress,
}

impl MessageAction {
    /// The action as Cognito writes it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Resend => "RESEND",
            Self::Suppress => "SUPPRESS",
        }
    }
}

/// A `desiredDeliveryMediums` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryMedium {
    /// `EMAIL`.
    Email,
    /// `SMS`.
    Sms,
}

impl DeliveryMedium {
    /// The medium as Cognito writes it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "EMAIL",
            Self::Sms => "SMS",
        }
    }
}

impl UserMigrationResponse {
    /// Sets an attribute of the migrated user.
    pub fn attribute(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.user_attributes.insert(name, value);
        self
    }

    /// Sets `finalUserStatus`.
    pub fn final_user_status(&mut self, status: FinalUserStatus) -> &mut Self {
        self.final_user_status = Some(status.as_str().to_owned());
        self
    }

    /// Sets `messageAction`.
    pub fn message_action(&mut self, action: MessageAction) -> &mut Self {
        self.message_action = Some(action.as_str().to_owned());
        self
    }

    /// Adds a `desiredDeliveryMediums` entry.
    pub fn delivery_medium(&mut self, medium: DeliveryMedium) -> &mut Self {
        self.desired_delivery_mediums
            .push(medium.as_str().to_owned());
        self
    }
}

impl TriggerRequest for UserMigrationRequest {
    type Response = UserMigrationResponse;
    const FAMILY: TriggerFamily = TriggerFamily::UserMigration;

    /// The `ClientMetadata` of `ForgotPassword` (Amplify `resetPassword`) for
    /// `UserMigration_ForgotPassword`. For `UserMigration_Authentication` the sign-in's
    /// metadata arrives in [`validation_data`](TriggerRequest::validation_data) instead.
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }

    /// For `UserMigration_Authentication`: the `ClientMetadata` of `InitiateAuth` /
    /// `AdminInitiateAuth` (Amplify `signIn` options), which Cognito delivers under the name
    /// `validationData`.
    fn validation_data(&self) -> Option<&StringMap> {
        Some(&self.validation_data)
    }

    /// Rejects an unknown `finalUserStatus`, `messageAction` or delivery medium, and
    /// `email_verified` / `phone_number_verified` set to `"true"` without the attribute.
    fn validate_response(
        &self,
        _source: &TriggerSource,
        response: &UserMigrationResponse,
    ) -> Result<(), ResponseError> {
        if let Some(status) = &response.final_user_status
            && status != "CONFIRMED"
            && status != "RESET_REQUIRED"
        {
            return Err(ResponseError::UnknownFinalUserStatus {
                status: status.clone(),
            });
        }
        if let Some(action) = &response.message_action
            && action != "SUPPRESS"
            && action != "RESEND"
        {
            return Err(ResponseError::UnknownMessageAction {
                action: action.clone(),
            });
        }
        if let Some(medium) = response
            .desired_delivery_mediums
            .iter()
            .find(|m| *m != "EMAIL" && *m != "SMS")
        {
            return Err(ResponseError::UnknownDeliveryMedium {
                medium: medium.clone(),
            });
        }
        let attributes = &response.user_attributes;
        for (flag, attribute) in [
            ("email_verified", "email"),
            ("phone_number_verified", "phone_number"),
        ] {
            if attributes.get(flag) == Some("true") && !attributes.contains_key(attribute) {
                return Err(ResponseError::MissingVerifiedAttribute { flag, attribute });
            }
        }
        Ok(())
    }
}
