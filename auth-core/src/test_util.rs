//! Test utilities (feature `test-util`): a scripted Cognito peer and proptest strategies.
//!
//! [`ScriptedPeer`] answers the machines' requests from a [`Scenario`]: users and their
//! passwords, MFA settings, custom-challenge rounds, remembered devices, and faults to inject.
//! It implements the server side of SRP, so a wrong password claim is refused, as Cognito
//! does (moto does not check it). Sessions are single-use and live 3 minutes of the `now`
//! you pass, so stale sessions and expiry behave as in Cognito.
//!
//! The pool runs Lambda triggers too (moto runs none): attach a [`LambdaFunction`] to a
//! [`Trigger`] with [`ScriptedPeer::with_trigger`], and the peer invokes it where Cognito
//! does, with the event and the `clientMetadata` / `validationData` Cognito sends, and acts on
//! its response (a pre authentication error denies the sign-in, define / create / verify auth
//! challenge run a custom flow, pre token generation changes the claims).
//!
//! [`strategy`] has proptest strategies for sign-in scenarios, for users who property-test
//! their own flows.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use auth_core::machine::Machine as _;
//! use auth_core::machine::sign_in::{Answer, ConfirmOptions, SignIn, SignInInput, SignInStep, MfaType};
//! use auth_core::test_util::{Mfa, Scenario, ScriptedPeer, UserSpec, TOTP_CODE};
//!
//! let scenario = Scenario::new().with_user(UserSpec::new("alice", "Passw0rd!").with_mfa(Mfa::Totp));
//! let config = scenario.config();
//! let mut peer = ScriptedPeer::new(scenario);
//! let mut rng = rand::thread_rng();
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
//!
//! let mut sign_in = SignIn::new(&config, SignInInput::new("alice", "Passw0rd!"), &mut rng, now)?;
//! peer.drive(&mut sign_in, now)?; // USER_SRP_AUTH, PASSWORD_VERIFIER (signature checked)
//! assert!(matches!(sign_in.step(), Some(SignInStep::ConfirmWithTotpCode)));
//! sign_in.confirm(Answer::Code(TOTP_CODE.into()), &ConfirmOptions::default(), &mut rng, now)?;
//! peer.drive(&mut sign_in, now)?;
//! assert!(matches!(sign_in.step(), Some(SignInStep::Done(_))));
//! assert_eq!(peer.operations(), ["InitiateAuth", "RespondToAuthChallenge", "RespondToAuthChallenge"]);
//! # Ok::<(), auth_core::machine::Error>(())
//! ```

use std::fmt;

use crate::config::UserPoolConfig;
use crate::machine::sign_in::{DeviceMetadata, FirstFactor, MfaType};

mod lambda;
mod peer;
mod srp_server;
pub mod strategy;

pub use lambda::{LambdaFunction, Trigger};
pub use peer::{RecordedRequest, ScriptedPeer};

/// The SMS code the peer sends (SMS_MFA, SMS_OTP).
pub const SMS_CODE: &str = "111111";
/// The code the peer's TOTP accepts (any time step).
pub const TOTP_CODE: &str = "222222";
/// The email code the peer sends (EMAIL_OTP).
pub const EMAIL_CODE: &str = "333333";
/// The sign-up confirmation and forgot-password code.
pub const CONFIRMATION_CODE: &str = "444444";
/// The TOTP secret AssociateSoftwareToken returns.
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

/// How a user's MFA is configured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mfa {
    /// No MFA.
    #[default]
    None,
    /// SMS_MFA.
    Sms,
    /// SOFTWARE_TOKEN_MFA.
    Totp,
    /// EMAIL_OTP.
    Email,
    /// SELECT_MFA_TYPE among these.
    Select(Vec<MfaType>),
    /// MFA_SETUP offering these (required but not set up yet).
    Setup(Vec<MfaType>),
}

/// A user of the scripted pool.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserSpec {
    /// The username.
    pub username: String,
    /// Another name the user can sign in with (an email alias); challenges then carry
    /// `USERNAME` = [`username`](Self::username).
    pub alias: Option<String>,
    /// The password.
    pub password: String,
    /// The `sub`, sent as `USER_ID_FOR_SRP`.
    pub sub: String,
    /// Whether sign-up is confirmed (else UserNotConfirmed).
    pub confirmed: bool,
    /// Whether an administrator reset the password (PasswordResetRequired).
    pub password_reset_required: bool,
    /// NEW_PASSWORD_REQUIRED with these missing attributes.
    pub new_password_required: Option<Vec<String>>,
    /// MFA.
    pub mfa: Mfa,
    /// CUSTOM_AUTH: the expected answer of each round, in order.
    pub custom_rounds: Vec<String>,
    /// USER_AUTH: the first factors offered by SELECT_CHALLENGE.
    pub first_factors: Vec<FirstFactor>,
    /// WEB_AUTHN: the credential the peer accepts.
    pub passkey_credential: Option<String>,
    /// Remembered devices.
    pub devices: Vec<DeviceMetadata>,
}

impl fmt::Debug for UserSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserSpec")
            .field("username", &self.username)
            .field("password", &"** redacted **")
            .field("confirmed", &self.confirmed)
            .field("new_password_required", &self.new_password_required)
            .field("mfa", &self.mfa)
            .field("custom_rounds", &self.custom_rounds.len())
            .field("devices", &self.devices.len())
            .finish_non_exhaustive()
    }
}

impl UserSpec {
    /// A confirmed user without MFA.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        let username = username.into();
        Self {
            sub: format!("sub-{username}"),
            username,
            alias: None,
            password: password.into(),
            confirmed: true,
            password_reset_required: false,
            new_password_required: None,
            mfa: Mfa::None,
            custom_rounds: Vec::new(),
            first_factors: vec![
                FirstFactor::Password,
                FirstFactor::PasswordSrp,
                FirstFactor::EmailOtp,
            ],
            passkey_credential: None,
            devices: Vec::new(),
        }
    }

    /// Sets the MFA.
    #[must_use]
    pub fn with_mfa(mut self, mfa: Mfa) -> Self {
        self.mfa = mfa;
        self
    }

    /// Sets an alias.
    #[must_use]
    pub fn with_alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// Requires a new password, with these missing attributes.
    #[must_use]
    pub fn with_new_password_required(mut self, missing: Vec<String>) -> Self {
        self.new_password_required = Some(missing);
        self
    }

    /// Sets the custom-challenge answers, one per round.
    #[must_use]
    pub fn with_custom_rounds(mut self, answers: Vec<String>) -> Self {
        self.custom_rounds = answers;
        self
    }

    /// Sets the USER_AUTH first factors.
    #[must_use]
    pub fn with_first_factors(mut self, factors: Vec<FirstFactor>) -> Self {
        self.first_factors = factors;
        self
    }

    /// Accepts this passkey credential.
    #[must_use]
    pub fn with_passkey(mut self, credential: impl Into<String>) -> Self {
        self.passkey_credential = Some(credential.into());
        self
    }

    /// Adds a remembered device.
    #[must_use]
    pub fn with_device(mut self, device: DeviceMetadata) -> Self {
        self.devices.push(device);
        self
    }

    /// Marks the user unconfirmed.
    #[must_use]
    pub fn unconfirmed(mut self) -> Self {
        self.confirmed = false;
        self
    }

    /// Marks the password as reset by an administrator.
    #[must_use]
    pub fn with_password_reset_required(mut self) -> Self {
        self.password_reset_required = true;
        self
    }
}

/// A fault: the `nth` (0-based) request of `operation` (any operation when `None`) gets
/// `response` instead of its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The operation name (`RespondToAuthChallenge`), or any.
    pub operation: Option<String>,
    /// Which occurrence.
    pub nth: usize,
    /// What to answer.
    pub response: FaultResponse,
}

/// What a fault answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultResponse {
    /// A Cognito error (`__type` without the `Exception` suffix is not added: give the full
    /// code, e.g. `TooManyRequestsException`).
    Error {
        /// The code.
        code: String,
        /// The message.
        message: String,
        /// The HTTP status.
        status: u16,
    },
    /// A 503 HTML page, as a proxy sends.
    Html503,
    /// `200 {}`.
    EmptyObject,
}

impl FaultResponse {
    /// A Cognito error with status 400.
    pub fn error(code: &str, message: &str) -> Self {
        Self::Error {
            code: code.to_owned(),
            message: message.to_owned(),
            status: 400,
        }
    }
}

/// A scripted user pool.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Scenario {
    /// The pool id.
    pub pool_id: String,
    /// The app client id.
    pub client_id: String,
    /// The app client secret (SECRET_HASH is then checked).
    pub client_secret: Option<String>,
    /// The users.
    pub users: Vec<UserSpec>,
    /// Faults to inject.
    pub faults: Vec<Fault>,
    /// Whether tokens come with `NewDeviceMetadata` when no remembered device was used.
    pub track_devices: bool,
    /// ConfirmDevice's `UserConfirmationNecessary`.
    pub device_confirmation_necessary: bool,
}

impl Default for Scenario {
    fn default() -> Self {
        Self::new()
    }
}

impl Scenario {
    /// An empty pool `us-east-1_TestPool`, client `testclient`, no secret.
    pub fn new() -> Self {
        Self {
            pool_id: "us-east-1_TestPool".into(),
            client_id: "testclient".into(),
            client_secret: None,
            users: Vec::new(),
            faults: Vec::new(),
            track_devices: false,
            device_confirmation_necessary: false,
        }
    }

    /// Adds a user.
    #[must_use]
    pub fn with_user(mut self, user: UserSpec) -> Self {
        self.users.push(user);
        self
    }

    /// Adds a fault.
    #[must_use]
    pub fn with_fault(
        mut self,
        operation: Option<&str>,
        nth: usize,
        response: FaultResponse,
    ) -> Self {
        self.faults.push(Fault {
            operation: operation.map(str::to_owned),
            nth,
            response,
        });
        self
    }

    /// Sets a client secret.
    #[must_use]
    pub fn with_client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// Issues `NewDeviceMetadata` with tokens.
    #[must_use]
    pub fn with_device_tracking(mut self, confirmation_necessary: bool) -> Self {
        self.track_devices = true;
        self.device_confirmation_necessary = confirmation_necessary;
        self
    }

    /// The configuration the machines use to reach this pool.
    ///
    /// # Panics
    ///
    /// When the pool or client id is not valid (the defaults are).
    pub fn config(&self) -> UserPoolConfig {
        let mut builder = UserPoolConfig::builder()
            .pool_id(self.pool_id.clone())
            .client_id(self.client_id.clone())
            .endpoint("http://scripted.peer/");
        builder.set_client_secret(self.client_secret.clone().map(Into::into));
        builder.build().expect("a valid scenario configuration")
    }
}
