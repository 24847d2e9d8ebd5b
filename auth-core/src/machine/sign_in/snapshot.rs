//! Saving and restoring a pending sign-in, so that a confirm survives a restart (as Amplify
//! persists `signInState`).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

use super::SignIn;
use super::challenge::{Next, user_step};
use super::state::{Context, Drawn, ExpectAnswer, State};
use super::{DeviceMetadata, DeviceOptions, FirstFactor, SignInFlow, SignInStep, TotpSetup};
use crate::Sensitive;
use crate::config::UserPoolConfig;
use crate::machine::{Cause, ClientMetadata, Error, Outbox};
use crate::wire::{ChallengeName, Parameters};

/// A sign-in waiting for the user's answer, as data: username, challenge, session, expiry.
///
/// **It contains the Cognito session, a secret** that lets whoever holds it answer the
/// challenge for 3 minutes (and, after TOTP setup started, the TOTP secret): store it where
/// you store tokens, never in logs. `Debug` redacts both.
///
/// ```
/// # use std::time::{Duration, SystemTime};
/// # use auth_core::config::UserPoolConfig;
/// # use auth_core::machine::Machine as _;
/// # use auth_core::machine::sign_in::{PendingSignIn, SignIn, SignInFlow, SignInInput, SignInStep};
/// # let config = UserPoolConfig::builder().pool_id("us-east-1_Ab").client_id("c").build()?;
/// # let mut rng = rand::thread_rng();
/// # let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
/// # let input = SignInInput::new("alice", "pw").with_flow(SignInFlow::UserPasswordAuth);
/// # let mut sign_in = SignIn::new(&config, input, &mut rng, now)?;
/// # let _ = sign_in.poll_request();
/// # let body = r#"{"ChallengeName":"EMAIL_OTP","Session":"s","ChallengeParameters":{}}"#;
/// # sign_in.handle_response(http::Response::new(body), now)?;
/// let saved = serde_json::to_string(&sign_in.snapshot().expect("a step is pending"))?;
/// // ... the process restarts ...
/// let pending: PendingSignIn = serde_json::from_str(&saved)?;
/// let restored = SignIn::restore(&config, pending, None, &mut rng, now + Duration::from_secs(60))?;
/// assert!(matches!(restored.step(), Some(SignInStep::ConfirmWithEmailCode { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PendingSignIn {
    /// The active username.
    pub username: String,
    /// What the user typed.
    pub typed_username: String,
    /// The flow.
    pub flow: SignInFlow,
    /// The Cognito challenge (`ChallengeName`).
    pub challenge: String,
    /// Amplify's step name (client-side steps such as CONFIRM_SIGN_IN_WITH_PASSWORD are not
    /// Cognito challenges).
    pub step: String,
    /// The latest Cognito session (secret).
    pub session: Option<Sensitive>,
    /// The challenge parameters.
    pub parameters: Parameters,
    /// `AvailableChallenges` (USER_AUTH).
    pub available_challenges: Vec<String>,
    /// The first factor chosen before CONFIRM_SIGN_IN_WITH_PASSWORD.
    pub first_factor: Option<FirstFactor>,
    /// The TOTP secret during TOTP setup (secret).
    pub totp_secret: Option<Sensitive>,
    /// When the session expires, in seconds since the Unix epoch.
    pub expires_at: u64,
    /// The sign-in's client metadata.
    pub client_metadata: ClientMetadata,
}

impl fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("username", &self.username)
            .field("challenge", &self.challenge)
            .field("step", &self.step)
            .field("session", &self.session)
            .field("parameters", &self.parameters)
            .field("totp_secret", &self.totp_secret)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl SignIn {
    /// The pending sign-in, while a step waits for the user (or a passkey); `None` otherwise.
    pub fn snapshot(&self) -> Option<PendingSignIn> {
        let (State::Answer(pending) | State::Passkey(pending)) = &self.state else {
            return None;
        };
        let totp_secret = match &pending.step {
            SignInStep::ContinueWithTotpSetup { setup } => Some(setup.secret.clone()),
            _ => None,
        };
        let step = if matches!(self.state, State::Passkey(_)) {
            "WEB_AUTHN"
        } else {
            pending.step.name()
        };
        Some(PendingSignIn {
            username: self.ctx.active_username.clone(),
            typed_username: self.ctx.typed_username.clone(),
            flow: self.ctx.flow.clone(),
            challenge: pending.challenge.as_str().to_owned(),
            step: step.to_owned(),
            session: pending.session.clone(),
            parameters: pending.parameters.clone(),
            available_challenges: pending
                .available
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            first_factor: pending.first_factor.clone(),
            totp_secret,
            expires_at: pending
                .expires_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            client_metadata: self.ctx.client_metadata.clone(),
        })
    }

    /// Restores a pending sign-in saved with [`snapshot`](Self::snapshot). `device` is the
    /// user's remembered device, as for a new sign-in.
    ///
    /// # Errors
    ///
    /// [`Cause::SessionExpired`] when the session is over at `now`; [`Cause::InvalidInput`] for
    /// a snapshot that names no step this version knows.
    pub fn restore(
        config: &UserPoolConfig,
        pending: PendingSignIn,
        device: Option<DeviceMetadata>,
        rng: &mut (impl CryptoRng + RngCore),
        now: SystemTime,
    ) -> Result<Self, Error> {
        let expires_at = UNIX_EPOCH + Duration::from_secs(pending.expires_at);
        if now >= expires_at {
            return Err(Error::fatal(Cause::SessionExpired));
        }
        let ctx = Context {
            config: config.clone(),
            typed_username: pending.typed_username,
            active_username: pending.username,
            flow: pending.flow,
            client_metadata: pending.client_metadata,
            drawn: Drawn::new(rng, device.is_some()),
            device,
            device_options: DeviceOptions::default(),
            device_retry_used: false,
            forgot_device: false,
        };
        let challenge = ChallengeName::from(pending.challenge.as_str());
        let available = pending
            .available_challenges
            .iter()
            .map(|c| ChallengeName::from(c.as_str()))
            .collect();
        let mut answer = ExpectAnswer {
            step: SignInStep::ConfirmWithTotpCode,
            challenge: challenge.clone(),
            session: pending.session,
            parameters: pending.parameters,
            available,
            first_factor: pending.first_factor,
            expires_at,
        };
        let invalid = || {
            Error::fatal(Cause::InvalidInput {
                reason: "the snapshot names no known step",
            })
        };
        let state = match pending.step.as_str() {
            "CONTINUE_SIGN_IN_WITH_TOTP_SETUP" => {
                let secret = pending.totp_secret.ok_or_else(invalid)?;
                answer.step = SignInStep::ContinueWithTotpSetup {
                    setup: TotpSetup {
                        secret,
                        account: ctx.active_username.clone(),
                    },
                };
                State::Answer(Box::new(answer))
            }
            "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP" => {
                answer.step = SignInStep::ContinueWithEmailSetup;
                State::Answer(Box::new(answer))
            }
            "CONFIRM_SIGN_IN_WITH_PASSWORD" => {
                answer.step = SignInStep::ConfirmWithPassword;
                State::Answer(Box::new(answer))
            }
            _ => {
                let next = user_step(
                    challenge,
                    answer.session.clone(),
                    answer.parameters.clone(),
                    answer.available.clone(),
                    now,
                )?;
                match next {
                    Next::Answer(mut p) => {
                        p.expires_at = expires_at;
                        p.first_factor = answer.first_factor;
                        State::Answer(p)
                    }
                    Next::Passkey(mut p) => {
                        p.expires_at = expires_at;
                        State::Passkey(p)
                    }
                    _ => return Err(invalid()),
                }
            }
        };
        Ok(Self {
            ctx,
            state,
            outbox: Outbox::default(),
        })
    }
}
