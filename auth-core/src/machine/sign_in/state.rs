//! The sign-in's internal states (rustls style: one struct per phase, holding only what is
//! valid there) and the context shared by all of them.

use std::fmt;
use std::time::SystemTime;

use rand_core::{CryptoRng, RngCore};

use super::{DeviceMetadata, DeviceOptions, FirstFactor, SignInFlow, SignInOutcome, SignInStep};
use crate::Sensitive;
use crate::config::UserPoolConfig;
use crate::machine::{ClientMetadata, Error, secret_hash};
use crate::srp::SrpClient;
use crate::wire::{
    self, AssociateSoftwareTokenInput, ChallengeName, ConfirmDeviceInput, InitiateAuthInput,
    Parameters, RespondToAuthChallengeInput, UpdateDeviceStatusInput, VerifySoftwareTokenInput,
};

/// Randomness drawn when the sign-in starts, for the legs that run inside `handle_response`
/// (which takes no RNG): device SRP and the new device's password and salt.
pub(super) struct Drawn {
    pub(super) device_srp: Option<SrpClient>,
    pub(super) new_device_password: Sensitive,
    pub(super) new_device_salt: [u8; 16],
}

impl Drawn {
    pub(super) fn new(rng: &mut (impl CryptoRng + RngCore), with_device: bool) -> Self {
        let device_srp = with_device.then(|| SrpClient::new(rng));
        let mut random = zeroize::Zeroizing::new([0u8; 40]);
        rng.fill_bytes(&mut random[..]);
        let mut new_device_salt = [0u8; 16];
        rng.fill_bytes(&mut new_device_salt);
        use base64::Engine as _;
        let new_device_password =
            Sensitive::new(base64::engine::general_purpose::STANDARD.encode(&random[..]));
        Self {
            device_srp,
            new_device_password,
            new_device_salt,
        }
    }
}

/// What every state may read: configuration, who is signing in, metadata, the device.
pub(super) struct Context {
    pub(super) config: UserPoolConfig,
    pub(super) typed_username: String,
    /// `ChallengeParameters.USERNAME`, else `USER_ID_FOR_SRP`, else the previous value
    /// (initially what the user typed): reference section 1.
    pub(super) active_username: String,
    pub(super) flow: SignInFlow,
    pub(super) client_metadata: ClientMetadata,
    pub(super) device: Option<DeviceMetadata>,
    pub(super) device_options: DeviceOptions,
    pub(super) drawn: Drawn,
    /// "Device does not exist" is retried once, without the device.
    pub(super) device_retry_used: bool,
    pub(super) forgot_device: bool,
}

impl Context {
    pub(super) fn update_active_username(&mut self, parameters: &Parameters) {
        if let Some(name) = parameters
            .get("USERNAME")
            .or_else(|| parameters.get("USER_ID_FOR_SRP"))
            .filter(|n| !n.is_empty())
        {
            self.active_username = name.to_owned();
        }
    }

    pub(super) fn device_key(&self) -> Option<&str> {
        self.device.as_ref().map(|d| d.device_key.as_str())
    }

    /// Adds USERNAME (unless set), SECRET_HASH and DEVICE_KEY to challenge responses.
    pub(super) fn finish_responses(&self, mut responses: Parameters) -> Parameters {
        if !responses.contains_key("USERNAME") {
            responses.insert("USERNAME", self.active_username.as_str());
        }
        let username = responses.get("USERNAME").unwrap_or_default().to_owned();
        responses.insert_opt("SECRET_HASH", secret_hash(&self.config, &username));
        responses.insert_opt("DEVICE_KEY", self.device_key());
        responses
    }

    /// A RespondToAuthChallenge with the latest session and the metadata.
    pub(super) fn respond(
        &self,
        challenge: ChallengeName,
        session: Option<Sensitive>,
        responses: Parameters,
        metadata: Option<&ClientMetadata>,
    ) -> Sent {
        Sent::Respond(RespondToAuthChallengeInput {
            client_id: self.config.client_id().to_owned(),
            challenge_name: challenge,
            session,
            challenge_responses: self.finish_responses(responses),
            client_metadata: metadata.unwrap_or(&self.client_metadata).clone(),
            analytics_metadata: None,
            user_context_data: None,
        })
    }

    /// The metadata of one answer: its own when given, else the sign-in's.
    pub(super) fn metadata<'a>(&'a self, given: &'a ClientMetadata) -> &'a ClientMetadata {
        if given.is_empty() {
            &self.client_metadata
        } else {
            given
        }
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("pool_id", &self.config.pool_id())
            .field("typed_username", &self.typed_username)
            .field("active_username", &self.active_username)
            .field("flow", &self.flow)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

/// A request that was queued, kept so it can be sent again (a transient failure, or the one
/// retry without the device).
#[derive(Debug, Clone)]
pub(super) enum Sent {
    Initiate(InitiateAuthInput),
    Respond(RespondToAuthChallengeInput),
    Associate(AssociateSoftwareTokenInput),
    VerifyTotp(VerifySoftwareTokenInput),
    ConfirmDevice(ConfirmDeviceInput),
    UpdateDeviceStatus(UpdateDeviceStatusInput),
}

impl Sent {
    pub(super) fn encode(&self, config: &UserPoolConfig) -> http::Request<Vec<u8>> {
        let endpoint = config.endpoint();
        match self {
            Self::Initiate(i) => wire::encode(endpoint, i),
            Self::Respond(i) => wire::encode(endpoint, i),
            Self::Associate(i) => wire::encode(endpoint, i),
            Self::VerifyTotp(i) => wire::encode(endpoint, i),
            Self::ConfirmDevice(i) => wire::encode(endpoint, i),
            Self::UpdateDeviceStatus(i) => wire::encode(endpoint, i),
        }
    }

    /// Removes DEVICE_KEY; whether there was one.
    pub(super) fn drop_device_key(&mut self) -> bool {
        match self {
            Self::Initiate(i) => i.auth_parameters.remove("DEVICE_KEY").is_some(),
            Self::Respond(i) => i.challenge_responses.remove("DEVICE_KEY").is_some(),
            _ => false,
        }
    }
}

/// The SRP exchange of a password: the client's ephemeral values and the password, kept until
/// PASSWORD_VERIFIER arrives.
pub(super) struct SrpLeg {
    pub(super) client: SrpClient,
    pub(super) password: Sensitive,
}

impl fmt::Debug for SrpLeg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrpLeg")
            .field("password", &self.password)
            .finish_non_exhaustive()
    }
}

/// Waiting for the user's answer to a step.
#[derive(Debug, Clone)]
pub(super) struct ExpectAnswer {
    pub(super) step: SignInStep,
    /// The Cognito challenge the answer goes to.
    pub(super) challenge: ChallengeName,
    /// The latest session.
    pub(super) session: Option<Sensitive>,
    pub(super) parameters: Parameters,
    pub(super) available: Vec<ChallengeName>,
    /// After ContinueWithFirstFactorSelection: which password factor was chosen.
    pub(super) first_factor: Option<FirstFactor>,
    pub(super) expires_at: SystemTime,
}

/// What the response in flight leads to.
#[derive(Debug)]
pub(super) enum Awaiting {
    /// InitiateAuth or RespondToAuthChallenge: a challenge or tokens.
    Auth {
        /// The SRP exchange, when the answer will be PASSWORD_VERIFIER.
        srp: Option<SrpLeg>,
    },
    /// AssociateSoftwareToken: the TOTP secret for the setup step.
    Associate,
    /// VerifySoftwareToken: then MFA_SETUP with the new session.
    VerifyTotp,
    /// ConfirmDevice after tokens arrived.
    ConfirmDevice {
        outcome: Box<SignInOutcome>,
        device: DeviceMetadata,
    },
    /// UpdateDeviceStatus after ConfirmDevice.
    UpdateDeviceStatus { outcome: Box<SignInOutcome> },
}

/// A request is queued or in flight.
#[derive(Debug)]
pub(super) struct ExpectResponse {
    pub(super) sent: Sent,
    pub(super) awaiting: Awaiting,
    /// The step the user answered, to return to on a wrong code (Recovery::Retry).
    pub(super) back: Option<Box<ExpectAnswer>>,
    /// A transient failure happened; `resend` queues the request again.
    pub(super) may_resend: bool,
}

/// The sign-in's state.
#[derive(Debug)]
pub(super) enum State {
    Response(Box<ExpectResponse>),
    Answer(Box<ExpectAnswer>),
    Passkey(Box<ExpectAnswer>),
    Finished(Box<SignInStep>),
    Failed(Box<Error>),
    /// The outcome was taken.
    Taken,
}
