//! `sign_in` and `confirm_sign_in`: the sign-in machine driven over HTTP, the pending sign-in
//! kept across restarts, and what happens at DONE.

use std::sync::atomic::Ordering;

use auth_core::config::UserPoolConfig;
use auth_core::machine::sign_in::{
    Answer, ConfirmOptions, DeviceMetadata, PendingSignIn, SignIn, SignInFlow, SignInInput,
    SignInOutcome, SignInStep,
};
use auth_core::machine::{self, Cause, ClientMetadata, Machine as _, Recovery};
use auth_core::wire::ChallengeName;
use auth_hub::{AuthEvent, AuthUser};
use auth_providers::{KeyValueStorage as _, TokenStore};
use tracing::Instrument as _;

use super::driver::drive;
use super::{Auth, AuthError};

/// Options of [`Auth::sign_in`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignInOptions {
    /// The flow (Amplify's `authFlowType`); USER_SRP_AUTH by default.
    pub flow: SignInFlow,
    /// Client metadata: InitiateAuth passes it to the PreSignUp, PreAuthentication and
    /// UserMigration triggers as `validationData`, and every challenge answer to the
    /// challenge and token triggers. Never put secrets here.
    pub client_metadata: ClientMetadata,
}

impl SignInOptions {
    /// The default options: USER_SRP_AUTH, no client metadata.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flow.
    #[must_use]
    pub fn flow(mut self, flow: SignInFlow) -> Self {
        self.flow = flow;
        self
    }

    /// Sets the client metadata.
    #[must_use]
    pub fn client_metadata(mut self, metadata: ClientMetadata) -> Self {
        self.client_metadata = metadata;
        self
    }
}

/// What a sign-in step ended with (Amplify's `{ isSignedIn, nextStep }`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SignInOutput {
    /// DONE: the tokens are stored and `signedIn` was emitted on the Hub.
    SignedIn(AuthUser),
    /// The user must answer this step with [`Auth::confirm_sign_in`], or (RESET_PASSWORD,
    /// CONFIRM_SIGN_UP) run another flow.
    NextStep(SignInStep),
}

impl SignInOutput {
    /// Whether the user is signed in.
    pub fn is_signed_in(&self) -> bool {
        matches!(self, Self::SignedIn(_))
    }

    /// The step the user must take, unless signed in.
    pub fn next_step(&self) -> Option<&SignInStep> {
        match self {
            Self::SignedIn(_) => None,
            Self::NextStep(step) => Some(step),
        }
    }
}

/// The storage key of the pending sign-in (a JSON [`PendingSignIn`]; it holds the Cognito
/// session, a secret, so it lives with the tokens).
pub(crate) fn pending_key(client_id: &str) -> String {
    format!("CognitoIdentityServiceProvider.{client_id}.authRs.pendingSignIn")
}

impl Auth {
    /// Signs a user in; returns DONE or the next step.
    ///
    /// An empty `password` starts a passwordless flow (CUSTOM_WITHOUT_SRP, USER_AUTH). The
    /// user's remembered device, if any, is used for device SRP.
    ///
    /// # Errors
    ///
    /// [`AuthError::UserAlreadyAuthenticated`] while a user is signed in (sign out first);
    /// [`AuthError::Flow`] when Cognito refuses (wrong password: `NotAuthorized`);
    /// [`AuthError::Transport`] when Cognito cannot be reached.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        options: SignInOptions,
    ) -> Result<SignInOutput, AuthError> {
        let span = tracing::info_span!("sign_in", flow = ?options.flow);
        async move {
            let (config, store) = self.user_pool()?;
            if store.load().await?.is_some() {
                return Err(AuthError::UserAlreadyAuthenticated);
            }
            let mut input = if password.is_empty() {
                SignInInput::passwordless(username, options.flow)
            } else {
                SignInInput::new(username, password).with_flow(options.flow)
            }
            .with_client_metadata(options.client_metadata);
            if let Some(device) = device_of(store, username).await? {
                input = input.with_device(device);
            }
            let mut slot = self.inner.pending.lock().await;
            *slot = None;
            self.inner
                .storage
                .remove(&pending_key(config.client_id()))
                .await?;
            let machine = SignIn::new(config, input, &mut rand::thread_rng(), self.now())
                .map_err(|source| flow_error("sign_in", source))?;
            self.run(&mut slot, machine, "sign_in", None).await
        }
        .instrument(span)
        .await
    }

    /// Answers the current step of the pending sign-in (a code, a new password, an MFA
    /// choice, …). Works after a restart too: the pending sign-in is kept in the storage until
    /// its Cognito session (3 minutes) expires.
    ///
    /// # Errors
    ///
    /// [`AuthError::NoPendingSignIn`] without a pending sign-in; [`AuthError::Flow`] for a
    /// wrong code ([`Recovery::Retry`]: answer again) or
    /// an expired session (start over).
    pub async fn confirm_sign_in(
        &self,
        answer: Answer,
        options: ConfirmOptions,
    ) -> Result<SignInOutput, AuthError> {
        let span = tracing::info_span!("confirm_sign_in", answer = answer.kind());
        async move {
            let (config, store) = self.user_pool()?;
            let mut slot = self.inner.pending.lock().await;
            let mut machine = match slot.take() {
                Some(machine) => machine,
                None => self.restore(config, store).await?,
            };
            let saved = machine.snapshot();
            if let Err(source) =
                machine.confirm(answer, &options, &mut rand::thread_rng(), self.now())
            {
                if source.recovery() == Recovery::StartOver {
                    self.forget_pending(config).await?;
                } else {
                    *slot = Some(machine);
                }
                return Err(flow_error("confirm_sign_in", source));
            }
            self.run(&mut slot, machine, "confirm_sign_in", saved).await
        }
        .instrument(span)
        .await
    }

    async fn restore(
        &self,
        config: &UserPoolConfig,
        store: &TokenStore,
    ) -> Result<SignIn, AuthError> {
        let key = pending_key(config.client_id());
        let Some(json) = self.inner.storage.get(&key).await? else {
            return Err(AuthError::NoPendingSignIn);
        };
        let Ok(pending) = serde_json::from_str::<PendingSignIn>(&json) else {
            self.inner.storage.remove(&key).await?;
            return Err(AuthError::NoPendingSignIn);
        };
        let device = device_of(store, &pending.username).await?;
        match SignIn::restore(config, pending, device, &mut rand::thread_rng(), self.now()) {
            Ok(machine) => Ok(machine),
            Err(source) => {
                self.inner.storage.remove(&key).await?;
                Err(flow_error("confirm_sign_in", source))
            }
        }
    }

    async fn forget_pending(&self, config: &UserPoolConfig) -> Result<(), AuthError> {
        self.inner
            .storage
            .remove(&pending_key(config.client_id()))
            .await?;
        Ok(())
    }

    /// Drives `machine`, then settles: DONE stores the tokens, a user step is kept (in memory
    /// and in the storage), a final step or a failure forgets the pending sign-in.
    async fn run(
        &self,
        slot: &mut Option<SignIn>,
        mut machine: SignIn,
        operation: &'static str,
        saved: Option<PendingSignIn>,
    ) -> Result<SignInOutput, AuthError> {
        let (config, store) = self.user_pool()?;
        if let Err(error) = drive(&self.inner.http, || self.now(), &mut machine, operation).await {
            match &error {
                // Back at the step (a wrong code): keep the machine.
                AuthError::Flow { source, .. } if source.recovery() == Recovery::Retry => {
                    *slot = Some(machine);
                }
                // No answer, and the machine is back at the step whose answer was in flight
                // (the driver told it): keep it, so the same answer can be given again.
                AuthError::Transport { .. } if machine.step().is_some() => {
                    if let Some(pending) = saved.or_else(|| machine.snapshot()) {
                        self.save_pending(config, &pending).await?;
                    }
                    *slot = Some(machine);
                }
                // No answer to a request the user did not answer (the first InitiateAuth, a
                // device step): the stored snapshot from before, if any, stays.
                AuthError::Transport { .. } => {
                    if let Some(saved) = saved {
                        self.save_pending(config, &saved).await?;
                    }
                }
                _ => self.forget_pending(config).await?,
            }
            return Err(error);
        }
        match machine.step() {
            Some(SignInStep::Done(_)) => {
                self.forget_pending(config).await?;
                let outcome = machine
                    .take_outcome()
                    .expect("a DONE step holds the outcome");
                let user = self.signed_in(store, outcome).await?;
                Ok(SignInOutput::SignedIn(user))
            }
            Some(step) if step.is_final() => {
                let step = step.clone();
                self.forget_pending(config).await?;
                Ok(SignInOutput::NextStep(step))
            }
            Some(step) => {
                let step = step.clone();
                if let Some(pending) = machine.snapshot() {
                    self.save_pending(config, &pending).await?;
                }
                *slot = Some(machine);
                Ok(SignInOutput::NextStep(step))
            }
            None => {
                // WEB_AUTHN needs the platform's passkey call, which this client does not make.
                self.forget_pending(config).await?;
                Err(flow_error(
                    operation,
                    machine::Error::new(
                        Cause::UnsupportedChallenge(ChallengeName::WebAuthn),
                        Recovery::StartOver,
                    ),
                ))
            }
        }
    }

    async fn save_pending(
        &self,
        config: &UserPoolConfig,
        pending: &PendingSignIn,
    ) -> Result<(), AuthError> {
        let json = serde_json::to_string(pending).expect("a pending sign-in serializes");
        self.inner
            .storage
            .set(&pending_key(config.client_id()), &json)
            .await?;
        Ok(())
    }

    /// DONE: tokens under Amplify's keys, the device remembered (or forgotten), `signedIn`.
    async fn signed_in(
        &self,
        store: &TokenStore,
        outcome: SignInOutcome,
    ) -> Result<AuthUser, AuthError> {
        let tokens = outcome.tokens;
        let username = tokens.username.clone();
        if outcome.forget_stored_device {
            store.clear_device_metadata(&username).await?;
        }
        if let Some(device) = &outcome.new_device {
            store.store_device_metadata(&username, device).await?;
        }
        if let Some(error) = &outcome.device_error {
            tracing::warn!(error = %error, "the device could not be confirmed; signed in without it");
        }
        store.store(&tokens).await?;
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        let sub = tokens
            .access_token
            .claims()
            .sub
            .clone()
            .unwrap_or_else(|| username.to_string());
        let user = AuthUser::new(username, sub);
        self.emit(AuthEvent::SignedIn { user: user.clone() });
        Ok(user)
    }

    /// Finishes a sign-in machine started elsewhere (auto sign-in after sign-up).
    pub(crate) async fn run_sign_in(&self, machine: SignIn) -> Result<SignInOutput, AuthError> {
        let mut slot = self.inner.pending.lock().await;
        *slot = None;
        self.run(&mut slot, machine, "auto_sign_in", None).await
    }
}

/// The remembered device of `username`, as the sign-in machine takes it.
pub(crate) async fn device_of(
    store: &TokenStore,
    username: &str,
) -> Result<Option<DeviceMetadata>, AuthError> {
    Ok(store.device_metadata(username).await?)
}

pub(crate) fn flow_error(operation: &'static str, source: machine::Error) -> AuthError {
    AuthError::Flow { operation, source }
}
