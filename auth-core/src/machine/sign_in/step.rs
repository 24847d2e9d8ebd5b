//! What the user sees and answers: the steps, the answers, the outcome.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::input::{DeviceMetadata, FirstFactor, MfaType};
use crate::Sensitive;
use crate::machine::ClientMetadata;
use crate::tokens::AuthTokens;
use crate::wire::{CodeDeliveryDetails, DeliveryMedium};

/// Where a code was sent, from `CODE_DELIVERY_DELIVERY_MEDIUM` / `CODE_DELIVERY_DESTINATION`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CodeDelivery {
    /// SMS or email.
    pub medium: Option<DeliveryMedium>,
    /// The masked destination (`+*******1234`, `a***@e***`).
    pub destination: Option<String>,
}

impl From<CodeDeliveryDetails> for CodeDelivery {
    fn from(details: CodeDeliveryDetails) -> Self {
        Self {
            medium: details.delivery_medium,
            destination: details.destination,
        }
    }
}

/// The TOTP secret to show while setting up an authenticator app.
///
/// `Debug` redacts the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSetup {
    /// The base32 secret (`SecretCode` of AssociateSoftwareToken).
    pub secret: Sensitive,
    /// The account name in the URI: the active username.
    pub account: String,
}

impl TotpSetup {
    /// The default issuer of [`uri`](Self::uri) when the app gives none.
    pub const DEFAULT_ISSUER: &'static str = "AWSCognito";

    /// `otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}`, percent-encoded, for
    /// a QR code.
    ///
    /// ```
    /// use auth_core::Sensitive;
    /// use auth_core::machine::sign_in::TotpSetup;
    ///
    /// let setup = TotpSetup { secret: Sensitive::new("JBSWY3DP"), account: "alice b".into() };
    /// assert_eq!(
    ///     setup.uri("My App"),
    ///     "otpauth://totp/My%20App:alice%20b?secret=JBSWY3DP&issuer=My%20App"
    /// );
    /// ```
    pub fn uri(&self, issuer: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}",
            percent_encode(&self.account),
            percent_encode(self.secret.expose())
        )
    }
}

impl fmt::Debug for TotpSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpSetup")
            .field("secret", &self.secret)
            .field("account", &self.account)
            .finish()
    }
}

/// RFC 3986 unreserved characters: everything else is percent-encoded.
const NOT_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn percent_encode(text: &str) -> percent_encoding::PercentEncode<'_> {
    percent_encoding::utf8_percent_encode(text, NOT_UNRESERVED)
}

/// What the user must do next (Amplify's `nextStep.signInStep`), or the end of the sign-in.
///
/// Each variant carries what the user needs to answer; answer it with
/// [`SignIn::confirm`](super::SignIn::confirm) and the matching [`Answer`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SignInStep {
    /// CONFIRM_SIGN_IN_WITH_SMS_CODE (SMS_MFA, SMS_OTP): answer [`Answer::Code`].
    ConfirmWithSmsCode {
        /// Where the code went.
        delivery: CodeDelivery,
    },
    /// CONFIRM_SIGN_IN_WITH_TOTP_CODE (SOFTWARE_TOKEN_MFA): answer [`Answer::Code`].
    ConfirmWithTotpCode,
    /// CONFIRM_SIGN_IN_WITH_EMAIL_CODE (EMAIL_OTP): answer [`Answer::Code`].
    ConfirmWithEmailCode {
        /// Where the code went.
        delivery: CodeDelivery,
    },
    /// CONTINUE_SIGN_IN_WITH_MFA_SELECTION (SELECT_MFA_TYPE): answer [`Answer::Mfa`].
    ContinueWithMfaSelection {
        /// `MFAS_CAN_CHOOSE`.
        allowed: Vec<MfaType>,
    },
    /// CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION (MFA_SETUP offering TOTP and email): answer
    /// [`Answer::Mfa`].
    ContinueWithMfaSetupSelection {
        /// The methods that can be set up.
        allowed: Vec<MfaType>,
    },
    /// CONTINUE_SIGN_IN_WITH_TOTP_SETUP: show the secret (or [`TotpSetup::uri`] as a QR code),
    /// then answer [`Answer::Code`] with a code from the app.
    ContinueWithTotpSetup {
        /// The secret and account name.
        setup: TotpSetup,
    },
    /// CONTINUE_SIGN_IN_WITH_EMAIL_SETUP: answer [`Answer::Email`].
    ContinueWithEmailSetup,
    /// CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED: answer [`Answer::NewPassword`].
    ConfirmWithNewPassword {
        /// Attributes the pool requires and the user lacks (`requiredAttributes`, without the
        /// `userAttributes.` prefix).
        missing_attributes: Vec<String>,
        /// The user's current attributes (`userAttributes`).
        user_attributes: BTreeMap<String, String>,
    },
    /// CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE: answer [`Answer::Custom`].
    ConfirmWithCustomChallenge {
        /// The challenge parameters set by the create-auth-challenge trigger.
        parameters: BTreeMap<String, String>,
    },
    /// CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION (SELECT_CHALLENGE): answer
    /// [`Answer::FirstFactor`].
    ContinueWithFirstFactorSelection {
        /// `AvailableChallenges`.
        available: Vec<FirstFactor>,
    },
    /// CONFIRM_SIGN_IN_WITH_PASSWORD (after choosing PASSWORD or PASSWORD_SRP): answer
    /// [`Answer::Password`].
    ConfirmWithPassword,
    /// RESET_PASSWORD: Cognito requires a password reset; run
    /// [`ResetPassword`](crate::machine::reset_password::ResetPassword). Final.
    ResetPassword {
        /// The username to reset.
        username: String,
    },
    /// CONFIRM_SIGN_UP: the user has not confirmed sign-up; run confirm sign-up. Final.
    ConfirmSignUp {
        /// The username to confirm.
        username: String,
    },
    /// DONE: signed in. Final; take the outcome with
    /// [`SignIn::take_outcome`](super::SignIn::take_outcome).
    Done(Box<SignInOutcome>),
}

impl SignInStep {
    /// Amplify's name of the step (`CONFIRM_SIGN_IN_WITH_SMS_CODE`, …, `DONE`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::ConfirmWithSmsCode { .. } => "CONFIRM_SIGN_IN_WITH_SMS_CODE",
            Self::ConfirmWithTotpCode => "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
            Self::ConfirmWithEmailCode { .. } => "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
            Self::ContinueWithMfaSelection { .. } => "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
            Self::ContinueWithMfaSetupSelection { .. } => {
                "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
            }
            Self::ContinueWithTotpSetup { .. } => "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
            Self::ContinueWithEmailSetup => "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
            Self::ConfirmWithNewPassword { .. } => "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED",
            Self::ConfirmWithCustomChallenge { .. } => "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE",
            Self::ContinueWithFirstFactorSelection { .. } => {
                "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
            }
            Self::ConfirmWithPassword => "CONFIRM_SIGN_IN_WITH_PASSWORD",
            Self::ResetPassword { .. } => "RESET_PASSWORD",
            Self::ConfirmSignUp { .. } => "CONFIRM_SIGN_UP",
            Self::Done(_) => "DONE",
        }
    }

    /// Whether the sign-in is over (RESET_PASSWORD, CONFIRM_SIGN_UP or DONE).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::ResetPassword { .. } | Self::ConfirmSignUp { .. } | Self::Done(_)
        )
    }
}

/// The user's answer to a [`SignInStep`].
///
/// `Debug` redacts codes, passwords and answers.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// An SMS, email or TOTP code (also the code that finishes TOTP setup).
    Code(Sensitive),
    /// The chosen MFA method (selection or setup selection).
    Mfa(MfaType),
    /// The email address for email MFA setup.
    Email(String),
    /// A new password and the missing attributes.
    NewPassword {
        /// The new password.
        password: Sensitive,
        /// Attributes to set (`userAttributes.<name>`), for example the missing ones.
        attributes: BTreeMap<String, String>,
    },
    /// The answer to a custom challenge.
    Custom(Sensitive),
    /// The chosen first factor.
    FirstFactor(FirstFactor),
    /// The password after choosing PASSWORD or PASSWORD_SRP.
    Password(Sensitive),
}

impl Answer {
    /// A short name of the answer's kind, for errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Code(_) => "a code",
            Self::Mfa(_) => "an MFA type",
            Self::Email(_) => "an email address",
            Self::NewPassword { .. } => "a new password",
            Self::Custom(_) => "a custom answer",
            Self::FirstFactor(_) => "a first factor",
            Self::Password(_) => "a password",
        }
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code(c) => f.debug_tuple("Code").field(c).finish(),
            Self::Mfa(m) => f.debug_tuple("Mfa").field(m).finish(),
            Self::Email(e) => f.debug_tuple("Email").field(e).finish(),
            Self::NewPassword {
                password,
                attributes,
            } => f
                .debug_struct("NewPassword")
                .field("password", password)
                .field("attributes", &attributes.keys().collect::<Vec<_>>())
                .finish(),
            Self::Custom(c) => f.debug_tuple("Custom").field(c).finish(),
            Self::FirstFactor(x) => f.debug_tuple("FirstFactor").field(x).finish(),
            Self::Password(p) => f.debug_tuple("Password").field(p).finish(),
        }
    }
}

/// Options of one answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfirmOptions {
    /// Client metadata for this answer; when empty, the sign-in's metadata is used.
    pub client_metadata: ClientMetadata,
    /// `FriendlyDeviceName` of VerifySoftwareToken (TOTP setup).
    pub friendly_device_name: Option<String>,
}

/// A signed-in user: the tokens and what to store.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SignInOutcome {
    /// The tokens (`username` is the active username, the storage key).
    pub tokens: AuthTokens,
    /// A device Cognito now tracks (ConfirmDevice succeeded): store it for device SRP.
    pub new_device: Option<DeviceMetadata>,
    /// The stored device was unknown to Cognito ("Device does not exist") and was dropped:
    /// clear it from storage.
    pub forget_stored_device: bool,
    /// ConfirmDevice or UpdateDeviceStatus failed; the sign-in still succeeded, without a new
    /// device (as Amplify does).
    pub device_error: Option<crate::machine::Error>,
}

/// What a passkey sign-in needs from the platform (the WEB_AUTHN hook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyRequest {
    /// `CREDENTIAL_REQUEST_OPTIONS`: the WebAuthn `PublicKeyCredentialRequestOptions` JSON to
    /// hand to the platform authenticator.
    pub credential_request_options: String,
}
