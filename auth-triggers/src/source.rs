//! [`TriggerSource`] and [`TriggerFamily`]: what invoked the function.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::lossless::Field;

macro_rules! sources {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal => $family:ident, )*) => {
        /// The `triggerSource` of an event: which user-pool trigger fired and why.
        ///
        /// A source this crate does not know is kept as [`TriggerSource::Other`]; its
        /// [`family`](Self::family) is still found from the prefix before the first `_`
        /// (so a new `CustomEmailSender_…` source is a custom e-mail sender event).
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum TriggerSource {
            $( $(#[$doc])* $variant, )*
            /// A source this crate does not know, as it arrived.
            Other(String),
        }

        impl TriggerSource {
            /// Every source this crate knows, in documentation order.
            pub const KNOWN: &'static [TriggerSource] = &[$(TriggerSource::$variant,)*];

            /// The source as Cognito writes it, e.g. `"PreSignUp_SignUp"`.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Other(text) => text,
                }
            }

            /// Parses a `triggerSource` string; unknown text becomes [`TriggerSource::Other`].
            #[must_use]
            pub fn parse(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }

            fn parse_owned(text: String) -> Self {
                match text.as_str() {
                    $( $text => Self::$variant, )*
                    _ => Self::Other(text),
                }
            }

            /// The trigger family this source belongs to, or `None` for an unknown prefix.
            #[must_use]
            pub fn family(&self) -> Option<TriggerFamily> {
                match self {
                    $( Self::$variant => Some(TriggerFamily::$family), )*
                    Self::Other(text) => TriggerFamily::from_prefix(text),
                }
            }
        }
    };
}

sources! {
    /// Self-service sign-up (`SignUp`).
    PreSignUpSignUp = "PreSignUp_SignUp" => PreSignUp,
    /// An administrator created the user (`AdminCreateUser`).
    PreSignUpAdminCreateUser = "PreSignUp_AdminCreateUser" => PreSignUp,
    /// First sign-in through an external (federated) identity provider.
    PreSignUpExternalProvider = "PreSignUp_ExternalProvider" => PreSignUp,
    /// The user confirmed sign-up (`ConfirmSignUp`, `AdminConfirmSignUp`).
    PostConfirmationConfirmSignUp = "PostConfirmation_ConfirmSignUp" => PostConfirmation,
    /// The user confirmed a password reset (`ConfirmForgotPassword`).
    PostConfirmationConfirmForgotPassword = "PostConfirmation_ConfirmForgotPassword" => PostConfirmation,
    /// Before Cognito checks the user's credentials.
    PreAuthenticationAuthentication = "PreAuthentication_Authentication" => PreAuthentication,
    /// After a successful sign-in.
    PostAuthenticationAuthentication = "PostAuthentication_Authentication" => PostAuthentication,
    /// Custom authentication: decide the next challenge.
    DefineAuthChallengeAuthentication = "DefineAuthChallenge_Authentication" => DefineAuthChallenge,
    /// Custom authentication: create a challenge.
    CreateAuthChallengeAuthentication = "CreateAuthChallenge_Authentication" => CreateAuthChallenge,
    /// Custom authentication: check an answer.
    VerifyAuthChallengeResponseAuthentication = "VerifyAuthChallengeResponse_Authentication" => VerifyAuthChallengeResponse,
    /// Tokens for a managed-login (hosted UI) sign-in.
    TokenGenerationHostedAuth = "TokenGeneration_HostedAuth" => PreTokenGeneration,
    /// Tokens at the end of a sign-in.
    TokenGenerationAuthentication = "TokenGeneration_Authentication" => PreTokenGeneration,
    /// Tokens after a `NEW_PASSWORD_REQUIRED` challenge.
    TokenGenerationNewPasswordChallenge = "TokenGeneration_NewPasswordChallenge" => PreTokenGeneration,
    /// Tokens after device authentication.
    TokenGenerationAuthenticateDevice = "TokenGeneration_AuthenticateDevice" => PreTokenGeneration,
    /// Tokens from a refresh token.
    TokenGenerationRefreshTokens = "TokenGeneration_RefreshTokens" => PreTokenGeneration,
    /// Machine-to-machine access tokens (client-credentials grant; trigger version 3 only).
    TokenGenerationClientCredentials = "TokenGeneration_ClientCredentials" => PreTokenGeneration,
    /// Sign-in of a user not yet in the pool.
    UserMigrationAuthentication = "UserMigration_Authentication" => UserMigration,
    /// Forgot-password for a user not yet in the pool.
    UserMigrationForgotPassword = "UserMigration_ForgotPassword" => UserMigration,
    /// Confirmation code after sign-up.
    CustomMessageSignUp = "CustomMessage_SignUp" => CustomMessage,
    /// Temporary password for an administrator-created user.
    CustomMessageAdminCreateUser = "CustomMessage_AdminCreateUser" => CustomMessage,
    /// Confirmation code sent again.
    CustomMessageResendCode = "CustomMessage_ResendCode" => CustomMessage,
    /// Password-reset code.
    CustomMessageForgotPassword = "CustomMessage_ForgotPassword" => CustomMessage,
    /// Code to verify a changed e-mail address or phone number.
    CustomMessageUpdateUserAttribute = "CustomMessage_UpdateUserAttribute" => CustomMessage,
    /// Code to verify an attribute on request.
    CustomMessageVerifyUserAttribute = "CustomMessage_VerifyUserAttribute" => CustomMessage,
    /// Multi-factor authentication code.
    CustomMessageAuthentication = "CustomMessage_Authentication" => CustomMessage,
    /// Custom e-mail sender: confirmation code after sign-up.
    CustomEmailSenderSignUp = "CustomEmailSender_SignUp" => CustomEmailSender,
    /// Custom e-mail sender: confirmation code sent again.
    CustomEmailSenderResendCode = "CustomEmailSender_ResendCode" => CustomEmailSender,
    /// Custom e-mail sender: password-reset code.
    CustomEmailSenderForgotPassword = "CustomEmailSender_ForgotPassword" => CustomEmailSender,
    /// Custom e-mail sender: code to verify a changed e-mail address.
    CustomEmailSenderUpdateUserAttribute = "CustomEmailSender_UpdateUserAttribute" => CustomEmailSender,
    /// Custom e-mail sender: code to verify an attribute on request.
    CustomEmailSenderVerifyUserAttribute = "CustomEmailSender_VerifyUserAttribute" => CustomEmailSender,
    /// Custom e-mail sender: temporary password for an administrator-created user.
    CustomEmailSenderAdminCreateUser = "CustomEmailSender_AdminCreateUser" => CustomEmailSender,
    /// Custom e-mail sender: threat-protection notification.
    CustomEmailSenderAccountTakeOverNotification = "CustomEmailSender_AccountTakeOverNotification" => CustomEmailSender,
    /// Custom e-mail sender: e-mail multi-factor authentication code.
    CustomEmailSenderAuthentication = "CustomEmailSender_Authentication" => CustomEmailSender,
    /// Custom SMS sender: confirmation code after sign-up.
    CustomSmsSenderSignUp = "CustomSMSSender_SignUp" => CustomSmsSender,
    /// Custom SMS sender: confirmation code sent again.
    CustomSmsSenderResendCode = "CustomSMSSender_ResendCode" => CustomSmsSender,
    /// Custom SMS sender: password-reset code.
    CustomSmsSenderForgotPassword = "CustomSMSSender_ForgotPassword" => CustomSmsSender,
    /// Custom SMS sender: code to verify a changed phone number.
    CustomSmsSenderUpdateUserAttribute = "CustomSMSSender_UpdateUserAttribute" => CustomSmsSender,
    /// Custom SMS sender: code to verify an attribute on request.
    CustomSmsSenderVerifyUserAttribute = "CustomSMSSender_VerifyUserAttribute" => CustomSmsSender,
    /// Custom SMS sender: temporary password for an administrator-created user.
    CustomSmsSenderAdminCreateUser = "CustomSMSSender_AdminCreateUser" => CustomSmsSender,
    /// Custom SMS sender: SMS multi-factor authentication code.
    CustomSmsSenderAuthentication = "CustomSMSSender_Authentication" => CustomSmsSender,
    /// Inbound federation: attributes from an external identity provider.
    InboundFederationExternalProvider = "InboundFederation_ExternalProvider" => InboundFederation,
}

impl Default for TriggerSource {
    fn default() -> Self {
        Self::Other(String::new())
    }
}

impl fmt::Display for TriggerSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for TriggerSource {
    fn from(text: &str) -> Self {
        Self::parse(text)
    }
}

impl Serialize for TriggerSource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TriggerSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = crate::lossless::Key::deserialize(deserializer)?;
        Ok(match key.0 {
            std::borrow::Cow::Borrowed(text) => Self::parse(text),
            std::borrow::Cow::Owned(text) => Self::parse_owned(text),
        })
    }
}

impl Field for TriggerSource {
    fn is_default(&self) -> bool {
        matches!(self, Self::Other(text) if text.is_empty())
    }
}

/// A group of trigger sources that share one payload shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TriggerFamily {
    /// `PreSignUp_*`: [`PreSignUpEvent`](crate::PreSignUpEvent).
    PreSignUp,
    /// `PostConfirmation_*`: [`PostConfirmationEvent`](crate::PostConfirmationEvent).
    PostConfirmation,
    /// `PreAuthentication_*`: [`PreAuthenticationEvent`](crate::PreAuthenticationEvent).
    PreAuthentication,
    /// `PostAuthentication_*`: [`PostAuthenticationEvent`](crate::PostAuthenticationEvent).
    PostAuthentication,
    /// `DefineAuthChallenge_*`: [`DefineAuthChallengeEvent`](crate::DefineAuthChallengeEvent).
    DefineAuthChallenge,
    /// `CreateAuthChallenge_*`: [`CreateAuthChallengeEvent`](crate::CreateAuthChallengeEvent).
    CreateAuthChallenge,
    /// `VerifyAuthChallengeResponse_*`:
    /// [`VerifyAuthChallengeResponseEvent`](crate::VerifyAuthChallengeResponseEvent).
    VerifyAuthChallengeResponse,
    /// `TokenGeneration_*`: pre token generation, versions 1, 2 and 3.
    PreTokenGeneration,
    /// `UserMigration_*`: [`UserMigrationEvent`](crate::UserMigrationEvent).
    UserMigration,
    /// `CustomMessage_*`: [`CustomMessageEvent`](crate::CustomMessageEvent).
    CustomMessage,
    /// `CustomEmailSender_*`: [`CustomEmailSenderEvent`](crate::CustomEmailSenderEvent).
    CustomEmailSender,
    /// `CustomSMSSender_*`: [`CustomSmsSenderEvent`](crate::CustomSmsSenderEvent).
    CustomSmsSender,
    /// `InboundFederation_*`: [`InboundFederationEvent`](crate::InboundFederationEvent).
    InboundFederation,
}

impl TriggerFamily {
    /// The family of a `triggerSource` string, from the text before its first `_`.
    #[must_use]
    pub fn from_prefix(source: &str) -> Option<Self> {
        let prefix = source.split('_').next().unwrap_or_default();
        Some(match prefix {
            "PreSignUp" => Self::PreSignUp,
            "PostConfirmation" => Self::PostConfirmation,
            "PreAuthentication" => Self::PreAuthentication,
            "PostAuthentication" => Self::PostAuthentication,
            "DefineAuthChallenge" => Self::DefineAuthChallenge,
            "CreateAuthChallenge" => Self::CreateAuthChallenge,
            "VerifyAuthChallengeResponse" => Self::VerifyAuthChallengeResponse,
            "TokenGeneration" => Self::PreTokenGeneration,
            "UserMigration" => Self::UserMigration,
            "CustomMessage" => Self::CustomMessage,
            "CustomEmailSender" => Self::CustomEmailSender,
            "CustomSMSSender" => Self::CustomSmsSender,
            "InboundFederation" => Self::InboundFederation,
            _ => return None,
        })
    }
}
