//! How a sign-in starts: the flow, the first factors, MFA types, the remembered device.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Sensitive;
use crate::machine::ClientMetadata;
use crate::wire::ChallengeName;

/// The sign-in flow (Amplify's `authFlowType`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SignInFlow {
    /// USER_SRP_AUTH: the password never leaves the device (the default, as in Amplify).
    #[default]
    UserSrpAuth,
    /// USER_PASSWORD_AUTH: the password is sent (over TLS).
    UserPasswordAuth,
    /// CUSTOM_AUTH without SRP: custom challenges only; a password is an error.
    CustomWithoutSrp,
    /// CUSTOM_AUTH starting with SRP (`CHALLENGE_NAME: SRP_A`), then custom challenges.
    CustomWithSrp,
    /// USER_AUTH, choice-based sign-in: Cognito offers first factors (SELECT_CHALLENGE) unless
    /// a preferred one is given.
    UserAuth {
        /// `PREFERRED_CHALLENGE`: the first factor to try.
        preferred: Option<FirstFactor>,
    },
}

/// A first factor of USER_AUTH (`AvailableChallenges`, `PREFERRED_CHALLENGE`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FirstFactor {
    /// The password, sent in clear (PASSWORD).
    Password,
    /// The password, proven with SRP (PASSWORD_SRP).
    PasswordSrp,
    /// A one-time code by email (EMAIL_OTP).
    EmailOtp,
    /// A one-time code by SMS (SMS_OTP).
    SmsOtp,
    /// A passkey (WEB_AUTHN).
    WebAuthn,
    /// A factor this version does not know, kept verbatim.
    Other(String),
}

impl FirstFactor {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Password => "PASSWORD",
            Self::PasswordSrp => "PASSWORD_SRP",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SmsOtp => "SMS_OTP",
            Self::WebAuthn => "WEB_AUTHN",
            Self::Other(other) => other,
        }
    }

    pub(crate) fn from_challenge(challenge: &ChallengeName) -> Self {
        match challenge {
            ChallengeName::Password => Self::Password,
            ChallengeName::PasswordSrp => Self::PasswordSrp,
            ChallengeName::EmailOtp => Self::EmailOtp,
            ChallengeName::SmsOtp => Self::SmsOtp,
            ChallengeName::WebAuthn => Self::WebAuthn,
            other => Self::Other(other.as_str().to_owned()),
        }
    }

    pub(crate) fn needs_password(&self) -> bool {
        matches!(self, Self::Password | Self::PasswordSrp)
    }
}

/// An MFA method (`MFAS_CAN_CHOOSE`, `MFAS_CAN_SETUP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum MfaType {
    /// A code by SMS (SMS_MFA).
    Sms,
    /// A TOTP authenticator app (SOFTWARE_TOKEN_MFA).
    Totp,
    /// A code by email (EMAIL_OTP).
    Email,
}

impl MfaType {
    /// The challenge name Cognito uses for it, also the `ANSWER` of SELECT_MFA_TYPE.
    pub fn challenge_name(self) -> &'static str {
        match self {
            Self::Sms => "SMS_MFA",
            Self::Totp => "SOFTWARE_TOKEN_MFA",
            Self::Email => "EMAIL_OTP",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "SMS_MFA" | "SMS" => Some(Self::Sms),
            "SOFTWARE_TOKEN_MFA" | "TOTP" => Some(Self::Totp),
            "EMAIL_OTP" | "EMAIL" => Some(Self::Email),
            _ => None,
        }
    }
}

/// A remembered device: the keys from `NewDeviceMetadata` and the random password whose
/// verifier ConfirmDevice registered. Store it (Amplify's `deviceKey`, `deviceGroupKey`,
/// `randomPasswordKey`) and pass it to the next sign-in to run device SRP.
///
/// The one device type of the workspace: `auth_providers::TokenStore` stores and loads this
/// same type. `Debug` redacts the password (it is [`Sensitive`]); the serialized form
/// contains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceMetadata {
    /// The device key, `<region>_<uuid>`.
    pub device_key: String,
    /// The device group key.
    pub device_group_key: String,
    /// The device's random password for device SRP; zeroized on drop.
    pub random_password: Sensitive,
}

impl DeviceMetadata {
    /// A remembered device.
    pub fn new(
        device_key: impl Into<String>,
        device_group_key: impl Into<String>,
        random_password: impl Into<Sensitive>,
    ) -> Self {
        Self {
            device_key: device_key.into(),
            device_group_key: device_group_key.into(),
            random_password: random_password.into(),
        }
    }
}

/// What to do with a device Cognito asks to track (`NewDeviceMetadata`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceOptions {
    /// `DeviceName` for ConfirmDevice (Amplify sends the user agent).
    pub device_name: Option<String>,
    /// When set and Cognito says the user must choose, send UpdateDeviceStatus with
    /// `remembered` (`true`) or `not_remembered` (`false`).
    pub remember: Option<bool>,
}

/// How a sign-in starts. Built with [`SignInInput::new`] and the `with_*` methods.
///
/// `Debug` redacts the password and the session.
#[derive(Clone, Default)]
pub struct SignInInput {
    pub(crate) username: String,
    pub(crate) password: Option<Sensitive>,
    pub(crate) flow: SignInFlow,
    pub(crate) client_metadata: ClientMetadata,
    pub(crate) device: Option<DeviceMetadata>,
    pub(crate) device_options: DeviceOptions,
    pub(crate) session: Option<Sensitive>,
}

impl SignInInput {
    /// A sign-in of `username` with `password`, USER_SRP_AUTH unless another flow is chosen.
    pub fn new(username: impl Into<String>, password: impl Into<Sensitive>) -> Self {
        Self {
            username: username.into(),
            password: Some(password.into()),
            ..Self::default()
        }
    }

    /// A sign-in without a password (CUSTOM_WITHOUT_SRP, passwordless USER_AUTH).
    pub fn passwordless(username: impl Into<String>, flow: SignInFlow) -> Self {
        Self {
            username: username.into(),
            flow,
            ..Self::default()
        }
    }

    /// Chooses the flow.
    #[must_use]
    pub fn with_flow(mut self, flow: SignInFlow) -> Self {
        self.flow = flow;
        self
    }

    /// Client metadata for every request of this sign-in that takes it.
    #[must_use]
    pub fn with_client_metadata(mut self, client_metadata: ClientMetadata) -> Self {
        self.client_metadata = client_metadata;
        self
    }

    /// The remembered device of this user, for `DEVICE_KEY` and device SRP.
    #[must_use]
    pub fn with_device(mut self, device: DeviceMetadata) -> Self {
        self.device = Some(device);
        self
    }

    /// What to do with a new device.
    #[must_use]
    pub fn with_device_options(mut self, options: DeviceOptions) -> Self {
        self.device_options = options;
        self
    }

    /// USER_AUTH only: the `Session` from sign-up, for sign-in without a second factor right
    /// after confirming.
    #[must_use]
    pub fn with_session(mut self, session: impl Into<Sensitive>) -> Self {
        self.session = Some(session.into());
        self
    }

    /// The username as typed.
    pub fn username(&self) -> &str {
        &self.username
    }
}

impl fmt::Debug for SignInInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInInput")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("flow", &self.flow)
            .field("client_metadata", &self.client_metadata)
            .field("device", &self.device)
            .field("device_options", &self.device_options)
            .field("session", &self.session)
            .finish()
    }
}
