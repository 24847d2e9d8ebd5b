//! `reset_password` and `confirm_reset_password`: the reset-password machine of `auth-core`,
//! driven.

use auth_core::machine::reset_password::{ResetPassword, ResetPasswordStep};
use auth_core::machine::{ClientMetadata, Machine as _};
use tracing::Instrument as _;

use super::driver::drive;
use super::sign_in::flow_error;
use super::{Auth, AuthError};

impl Auth {
    /// Starts a password reset (ForgotPassword); the next step is
    /// CONFIRM_RESET_PASSWORD_WITH_CODE with where the code went.
    ///
    /// # Errors
    ///
    /// [`AuthError::Flow`] (`UserNotFound`, `LimitExceeded`, …) or [`AuthError::Transport`].
    pub async fn reset_password(
        &self,
        username: &str,
        client_metadata: ClientMetadata,
    ) -> Result<ResetPasswordStep, AuthError> {
        let span = tracing::info_span!("reset_password");
        async move {
            let (config, _) = self.user_pool()?;
            let mut machine = ResetPassword::new(config, username, client_metadata, self.now())
                .map_err(|source| flow_error("reset_password", source))?;
            drive(
                &self.inner.http,
                || self.now(),
                &mut machine,
                "reset_password",
            )
            .await?;
            Ok(machine
                .step()
                .cloned()
                .unwrap_or(ResetPasswordStep::ConfirmWithCode { delivery: None }))
        }
        .instrument(span)
        .await
    }

    /// Sets a new password with the code from [`reset_password`](Self::reset_password)
    /// (ConfirmForgotPassword). The reset may have been started by another process or by an
    /// administrator: nothing is kept between the two calls.
    ///
    /// # Errors
    ///
    /// [`AuthError::Flow`] (`CodeMismatch`, `ExpiredCode`, `InvalidPassword`, …) or
    /// [`AuthError::Transport`]; for a wrong or expired code [`AuthError::can_retry_code`] is
    /// true, as for the other codes.
    pub async fn confirm_reset_password(
        &self,
        username: &str,
        new_password: &str,
        code: &str,
        client_metadata: ClientMetadata,
    ) -> Result<(), AuthError> {
        let span = tracing::info_span!("confirm_reset_password");
        async move {
            let (config, _) = self.user_pool()?;
            let operation = "confirm_reset_password";
            let mut machine = ResetPassword::confirm_existing(config, username, client_metadata)
                .map_err(|source| flow_error(operation, source))?;
            machine
                .confirm(code, new_password, None, self.now())
                .map_err(|source| flow_error(operation, source))?;
            drive(&self.inner.http, || self.now(), &mut machine, operation).await
        }
        .instrument(span)
        .await
    }
}
