//! `sign_up`, `confirm_sign_up`, `resend_sign_up_code` and `auto_sign_in`.

use std::collections::BTreeMap;

use auth_core::Sensitive;
use auth_core::machine::sign_in::SignIn;
use auth_core::machine::sign_up::{SignUp, SignUpInput, SignUpStep};
use auth_core::machine::{ClientMetadata, Machine as _, ValidationData};
use auth_core::wire::AttributeType;
use tracing::Instrument as _;

use super::driver::drive;
use super::sign_in::flow_error;
use super::{Auth, AuthError, SignInOutput};

/// Options of [`Auth::sign_up`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignUpOptions {
    /// User attributes (`email`, `phone_number`, `custom:plan`, …).
    pub user_attributes: BTreeMap<String, String>,
    /// `ValidationData`, for the PreSignUp trigger only (the trigger's `validationData`).
    pub validation_data: ValidationData,
    /// Client metadata for the PreSignUp, CustomMessage and PostConfirmation triggers.
    pub client_metadata: ClientMetadata,
    /// Sign in after confirmation ([`Auth::auto_sign_in`]), as Amplify's `autoSignIn`.
    pub auto_sign_in: bool,
}

impl SignUpOptions {
    /// No attributes, no metadata, no auto sign-in.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a user attribute.
    #[must_use]
    pub fn user_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.user_attributes.insert(name.into(), value.into());
        self
    }

    /// Sets the client metadata.
    #[must_use]
    pub fn client_metadata(mut self, metadata: ClientMetadata) -> Self {
        self.client_metadata = metadata;
        self
    }

    /// Sets the validation data, which only the PreSignUp trigger sees (its
    /// `validationData`); ClientMetadata's sibling.
    #[must_use]
    pub fn validation_data(mut self, data: ValidationData) -> Self {
        self.validation_data = data;
        self
    }

    /// Asks for auto sign-in after confirmation.
    #[must_use]
    pub fn auto_sign_in(mut self, enabled: bool) -> Self {
        self.auto_sign_in = enabled;
        self
    }
}

/// What a sign-up step ended with (Amplify's `{ isSignUpComplete, userId, nextStep }`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignUpOutput {
    /// The next step: CONFIRM_SIGN_UP, COMPLETE_AUTO_SIGN_IN or DONE.
    pub next_step: SignUpStep,
    /// The new user's `sub`, when Cognito said.
    pub user_id: Option<String>,
}

impl SignUpOutput {
    /// Whether the sign-up is complete (COMPLETE_AUTO_SIGN_IN or DONE).
    pub fn is_sign_up_complete(&self) -> bool {
        !matches!(self.next_step, SignUpStep::ConfirmSignUp { .. })
    }
}

fn attributes(map: BTreeMap<String, String>) -> Vec<AttributeType> {
    map.into_iter()
        .map(|(k, v)| AttributeType::new(k, v))
        .collect()
}

impl Auth {
    /// Registers a user (SignUp); the next step is usually CONFIRM_SIGN_UP.
    ///
    /// # Errors
    ///
    /// [`AuthError::Flow`] when Cognito refuses (`UsernameExists`, `InvalidPassword`, …);
    /// [`AuthError::Transport`] when it cannot be reached.
    pub async fn sign_up(
        &self,
        username: &str,
        password: &str,
        options: SignUpOptions,
    ) -> Result<SignUpOutput, AuthError> {
        let span = tracing::info_span!("sign_up", auto_sign_in = options.auto_sign_in);
        async move {
            let (config, _) = self.user_pool()?;
            let input = SignUpInput {
                username: username.to_owned(),
                password: (!password.is_empty()).then(|| Sensitive::new(password)),
                attributes: attributes(options.user_attributes),
                validation_data: attributes(options.validation_data),
                client_metadata: options.client_metadata,
                auto_sign_in: options.auto_sign_in,
            };
            let mut machine = SignUp::new(config, input, self.now())
                .map_err(|source| flow_error("sign_up", source))?;
            drive(&self.inner.http, || self.now(), &mut machine, "sign_up").await?;
            let output = sign_up_output(&machine, "sign_up")?;
            *self.inner.sign_up.lock().await = Some((username.to_owned(), machine));
            Ok(output)
        }
        .instrument(span)
        .await
    }

    /// Confirms a sign-up with the code Cognito sent (ConfirmSignUp). After a sign-up with
    /// `auto_sign_in`, the next step is COMPLETE_AUTO_SIGN_IN: call [`auto_sign_in`](Self::auto_sign_in).
    ///
    /// # Errors
    ///
    /// [`AuthError::Flow`]: for a wrong or expired code (`CodeMismatch`, `ExpiredCode`),
    /// [`AuthError::can_retry_code`] is true and the code may be entered again.
    pub async fn confirm_sign_up(
        &self,
        username: &str,
        code: &str,
        client_metadata: ClientMetadata,
    ) -> Result<SignUpOutput, AuthError> {
        let span = tracing::info_span!("confirm_sign_up");
        async move {
            let mut machine = self.sign_up_machine(username).await?;
            let metadata = (!client_metadata.is_empty()).then_some(client_metadata);
            machine
                .confirm(code, metadata, self.now())
                .map_err(|source| flow_error("confirm_sign_up", source))?;
            let driven = drive(
                &self.inner.http,
                || self.now(),
                &mut machine,
                "confirm_sign_up",
            )
            .await;
            let output = driven.and_then(|()| sign_up_output(&machine, "confirm_sign_up"));
            *self.inner.sign_up.lock().await = Some((username.to_owned(), machine));
            output
        }
        .instrument(span)
        .await
    }

    /// Asks Cognito to send the sign-up confirmation code again (ResendConfirmationCode).
    ///
    /// # Errors
    ///
    /// [`AuthError::Flow`] or [`AuthError::Transport`].
    pub async fn resend_sign_up_code(
        &self,
        username: &str,
        client_metadata: ClientMetadata,
    ) -> Result<SignUpOutput, AuthError> {
        let span = tracing::info_span!("resend_sign_up_code");
        async move {
            let mut machine = self.sign_up_machine(username).await?;
            let metadata = (!client_metadata.is_empty()).then_some(client_metadata);
            machine
                .resend_code(metadata)
                .map_err(|source| flow_error("resend_sign_up_code", source))?;
            let driven = drive(
                &self.inner.http,
                || self.now(),
                &mut machine,
                "resend_sign_up_code",
            )
            .await;
            let output = driven.and_then(|()| sign_up_output(&machine, "resend_sign_up_code"));
            *self.inner.sign_up.lock().await = Some((username.to_owned(), machine));
            output
        }
        .instrument(span)
        .await
    }

    /// Finishes a sign-up with `auto_sign_in` after its confirmation: signs the user in with
    /// the confirmation's session (USER_AUTH), without the password.
    ///
    /// # Errors
    ///
    /// [`AuthError::NoPendingSignIn`] when no confirmed sign-up asked for auto sign-in;
    /// [`AuthError::UserAlreadyAuthenticated`]; the errors of [`sign_in`](Self::sign_in).
    pub async fn auto_sign_in(&self) -> Result<SignInOutput, AuthError> {
        let span = tracing::info_span!("auto_sign_in");
        async move {
            let (config, store) = self.user_pool()?;
            if store.load().await?.is_some() {
                return Err(AuthError::UserAlreadyAuthenticated);
            }
            let input = {
                let slot = self.inner.sign_up.lock().await;
                slot.as_ref()
                    .and_then(|(_, machine)| machine.auto_sign_in())
                    .ok_or(AuthError::NoPendingSignIn)?
            };
            let machine = SignIn::new(config, input, &mut rand::thread_rng(), self.now())
                .map_err(|source| flow_error("auto_sign_in", source))?;
            let output = self.run_sign_in(machine).await;
            if output.is_ok() {
                *self.inner.sign_up.lock().await = None;
            }
            output
        }
        .instrument(span)
        .await
    }

    /// The sign-up machine of `username`: the one in progress, else one at CONFIRM_SIGN_UP.
    async fn sign_up_machine(&self, username: &str) -> Result<SignUp, AuthError> {
        let (config, _) = self.user_pool()?;
        let mut slot = self.inner.sign_up.lock().await;
        Ok(match slot.take() {
            Some((name, machine))
                if name == username
                    && matches!(machine.step(), Some(SignUpStep::ConfirmSignUp { .. })) =>
            {
                machine
            }
            _ => SignUp::confirm_existing(config, username, ClientMetadata::new()),
        })
    }
}

fn sign_up_output(machine: &SignUp, operation: &'static str) -> Result<SignUpOutput, AuthError> {
    match machine.step() {
        Some(step) => Ok(SignUpOutput {
            next_step: step.clone(),
            user_id: machine.user_sub().map(str::to_owned),
        }),
        None => Err(machine
            .failure()
            .cloned()
            .map_or(AuthError::NoPendingSignIn, |source| {
                flow_error(operation, source)
            })),
    }
}
