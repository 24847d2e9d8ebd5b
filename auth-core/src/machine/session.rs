//! The token session: when tokens need a refresh, the refresh request, rotation, and what a
//! failed refresh means for the stored tokens (reference section 3).

use std::time::SystemTime;

use crate::Sensitive;
use crate::config::UserPoolConfig;
use crate::machine::{Cause, ClientMetadata, Error, Machine, Outbox, Recovery, secret_hash};
use crate::tokens::{AuthTokens, Jwt, RefreshToken};
use crate::wire::{
    self, AuthFlow, GetTokensFromRefreshToken, GetTokensFromRefreshTokenInput, InitiateAuth,
    InitiateAuthInput, Parameters,
};

/// Which request refreshes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RefreshMethod {
    /// GetTokensFromRefreshToken (refresh-token rotation aware; the default).
    #[default]
    GetTokensFromRefreshToken,
    /// InitiateAuth with `REFRESH_TOKEN_AUTH` (what Amplify JS sends).
    RefreshTokenAuth,
}

/// Options of a [`Session`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionOptions {
    /// The request that refreshes.
    pub method: RefreshMethod,
    /// The remembered device's key (`DEVICE_KEY`).
    pub device_key: Option<String>,
    /// Client metadata for the PreTokenGeneration trigger.
    pub client_metadata: ClientMetadata,
}

/// What a failed refresh means for the stored tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenAction {
    /// A definitive error (NotAuthorized, TokenRevoked, UserNotFound, PasswordResetRequired,
    /// UserNotConfirmed, RefreshTokenReuse): clear the tokens, the user must sign in again.
    ClearTokens,
    /// Anything else (a network error, throttling, a 5xx, a malformed response): keep the
    /// tokens and try again later. Amplify JS once cleared them here and signed users out
    /// offline (amplify-js#14130, #13999, #14033).
    KeepTokens,
}

/// Classifies a refresh failure exactly as reference section 3 says.
///
/// ```
/// use auth_core::machine::session::{classify, TokenAction};
/// use auth_core::wire::{self, GetTokensFromRefreshToken};
///
/// let revoked = http::Response::builder().status(400)
///     .body(r#"{"__type":"NotAuthorizedException","message":"Refresh Token has been revoked"}"#)?;
/// let error = wire::decode::<GetTokensFromRefreshToken, _>(revoked).unwrap_err();
/// assert_eq!(classify(&error), TokenAction::ClearTokens);
/// let busy = http::Response::builder().status(503).body("<html>")?;
/// let error = wire::decode::<GetTokensFromRefreshToken, _>(busy).unwrap_err();
/// assert_eq!(classify(&error), TokenAction::KeepTokens);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn classify(error: &wire::Error) -> TokenAction {
    match error.kind() {
        Some(kind) if kind.invalidates_tokens() => TokenAction::ClearTokens,
        _ => TokenAction::KeepTokens,
    }
}

/// The result of the last refresh.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SessionStep {
    /// New tokens are in [`Session::tokens`]; store them (and emit `tokenRefresh`).
    Refreshed {
        /// Whether Cognito rotated the refresh token.
        rotated: bool,
    },
    /// The refresh failed; emit `tokenRefresh_failure` and apply `action` to storage.
    Failed {
        /// Clear or keep the stored tokens.
        action: TokenAction,
        /// Why.
        error: Error,
    },
}

/// A signed-in user's tokens and their refresh, as a sans-IO state machine.
///
/// # Polling order
///
/// Ask [`needs_refresh`](Self::needs_refresh) with `now`; when true (or when forced), call
/// [`refresh`](Self::refresh), take the request from [`poll_request`](Self::poll_request),
/// send it and hand the response to [`handle_response`](Self::handle_response) — or, when
/// it could not be sent at all, call [`transport_failed`](Self::transport_failed). Then
/// [`step`](Self::step) says what happened and [`tokens`](Self::tokens) holds the tokens to
/// store (`None` after a definitive failure). One refresh is in flight at a time.
#[derive(Debug)]
pub struct Session {
    config: UserPoolConfig,
    options: SessionOptions,
    tokens: Option<AuthTokens>,
    in_flight: Option<RefreshMethod>,
    step: Option<SessionStep>,
    outbox: Outbox,
}

impl Session {
    /// A session holding `tokens`.
    pub fn new(config: &UserPoolConfig, tokens: AuthTokens, options: SessionOptions) -> Self {
        Self {
            config: config.clone(),
            options,
            tokens: Some(tokens),
            in_flight: None,
            step: None,
            outbox: Outbox::default(),
        }
    }

    /// The current tokens; `None` after a failure that cleared them.
    pub fn tokens(&self) -> Option<&AuthTokens> {
        self.tokens.as_ref()
    }

    /// Whether the tokens need a refresh at `now`: Amplify's rule, `now + clockDrift + 5 s >
    /// exp` for the access or ID token.
    pub fn needs_refresh(&self, now: SystemTime) -> bool {
        self.tokens.as_ref().is_some_and(|t| t.is_expired(now))
    }

    /// Queues the refresh request (with DEVICE_KEY and client metadata).
    ///
    /// # Errors
    ///
    /// [`Cause::RequestInFlight`] when a refresh is in flight; [`Cause::InvalidInput`] without
    /// tokens or without a refresh token.
    pub fn refresh(&mut self, now: SystemTime) -> Result<(), Error> {
        let _ = now;
        self.queue_refresh()
    }

    fn queue_refresh(&mut self) -> Result<(), Error> {
        if self.in_flight.is_some() {
            return Err(Error::misuse(Cause::RequestInFlight));
        }
        let tokens = self
            .tokens
            .as_ref()
            .ok_or_else(|| Error::invalid_input("there are no tokens"))?;
        let refresh = tokens
            .refresh_token
            .as_ref()
            .ok_or_else(|| Error::invalid_input("there is no refresh token"))?;
        let request = match self.options.method {
            RefreshMethod::GetTokensFromRefreshToken => wire::encode(
                self.config.endpoint(),
                &GetTokensFromRefreshTokenInput {
                    refresh_token: Sensitive::new(refresh.as_str()),
                    client_id: self.config.client_id().to_owned(),
                    client_secret: self.config.client_secret().cloned(),
                    device_key: self.options.device_key.clone(),
                    client_metadata: self.options.client_metadata.clone(),
                },
            ),
            RefreshMethod::RefreshTokenAuth => {
                let mut parameters = Parameters::new().with("REFRESH_TOKEN", refresh.as_str());
                // Cognito checks SECRET_HASH of REFRESH_TOKEN_AUTH against the user's `sub`.
                let user = tokens
                    .access_token
                    .claims()
                    .sub
                    .as_deref()
                    .unwrap_or(&tokens.username);
                parameters.insert_opt("SECRET_HASH", secret_hash(&self.config, user));
                parameters.insert_opt("DEVICE_KEY", self.options.device_key.as_deref());
                wire::encode(
                    self.config.endpoint(),
                    &InitiateAuthInput {
                        auth_flow: AuthFlow::RefreshTokenAuth,
                        client_id: self.config.client_id().to_owned(),
                        auth_parameters: parameters,
                        client_metadata: self.options.client_metadata.clone(),
                        ..Default::default()
                    },
                )
            }
        };
        self.outbox.put(request);
        self.in_flight = Some(self.options.method);
        self.step = None;
        Ok(())
    }

    fn apply(
        &mut self,
        result: &wire::AuthenticationResult,
        now: SystemTime,
    ) -> Result<bool, Error> {
        let Some(old) = self.tokens.as_ref() else {
            return Err(Error::misuse(Cause::InvalidInput {
                reason: "there are no tokens",
            }));
        };
        let bad = |_| {
            Error::new(
                Cause::UnexpectedResponse {
                    reason: "a refreshed token is not a JWT",
                },
                Recovery::Resend,
            )
        };
        let access = Jwt::decode(result.access_token.expose()).map_err(bad)?;
        let mut tokens = AuthTokens::new(access, now).with_username(old.username.clone());
        match &result.id_token {
            Some(id) => tokens = tokens.with_id_token(Jwt::decode(id.expose()).map_err(bad)?),
            None => tokens.id_token = old.id_token.clone(),
        }
        let rotated = result.refresh_token.is_some();
        tokens.refresh_token = match &result.refresh_token {
            Some(new) => Some(RefreshToken::new(new.expose())),
            None => old.refresh_token.clone(),
        };
        self.tokens = Some(tokens);
        Ok(rotated)
    }
}

impl Machine for Session {
    type Step = SessionStep;

    /// The result of the last refresh; `None` before the first and while one is in flight.
    fn step(&self) -> Option<&SessionStep> {
        self.step.as_ref()
    }

    /// The next request to send, until `None`.
    fn poll_request(&mut self) -> Option<http::Request<Vec<u8>>> {
        self.outbox.take()
    }

    /// The refresh request could not be sent or got no response (offline, timeout): the
    /// tokens are kept and the step is [`SessionStep::Failed`] with
    /// [`TokenAction::KeepTokens`]; [`resend`](Self::resend) queues the refresh again.
    ///
    /// # Errors
    ///
    /// [`Cause::UnexpectedResponse`] when no refresh is in flight.
    fn transport_failed(&mut self, now: SystemTime) -> Result<Recovery, Error> {
        let _ = now;
        if self.in_flight.take().is_none() {
            return Err(Error::misuse(Cause::UnexpectedResponse {
                reason: "no refresh is in flight",
            }));
        }
        self.outbox.clear();
        self.step = Some(SessionStep::Failed {
            action: TokenAction::KeepTokens,
            error: Error::new(Cause::NoResponse, Recovery::Resend),
        });
        Ok(Recovery::Resend)
    }

    /// Queues the refresh again after a failure that kept the tokens ([`Recovery::Resend`]).
    ///
    /// # Errors
    ///
    /// [`Cause::UnexpectedInput`] when the last refresh did not fail that way.
    fn resend(&mut self) -> Result<(), Error> {
        match &self.step {
            Some(SessionStep::Failed {
                action: TokenAction::KeepTokens,
                error,
            }) if error.recovery() == Recovery::Resend => self.queue_refresh(),
            _ => Err(Error::unexpected_input("no resend", "a resend")),
        }
    }

    /// Hands the refresh response to the machine: new tokens (a returned refresh token
    /// replaces the old one), or a failure classified by [`classify`].
    ///
    /// # Errors
    ///
    /// No refresh in flight: [`Cause::UnexpectedResponse`] (state unchanged). A failed
    /// refresh: the error, with [`Recovery::StartOver`] when the tokens were cleared and
    /// [`Recovery::Resend`] when they were kept (call `refresh` again later).
    fn handle_response<B: AsRef<[u8]>>(
        &mut self,
        response: http::Response<B>,
        now: SystemTime,
    ) -> Result<(), Error> {
        let Some(method) = self.in_flight.take() else {
            return Err(Error::misuse(Cause::UnexpectedResponse {
                reason: "no refresh is in flight",
            }));
        };
        self.outbox.clear();
        let result = match method {
            RefreshMethod::GetTokensFromRefreshToken => {
                wire::decode::<GetTokensFromRefreshToken, _>(response)
                    .map(|o| o.authentication_result)
            }
            RefreshMethod::RefreshTokenAuth => {
                wire::decode::<InitiateAuth, _>(response).map(|o| o.authentication_result)
            }
        };
        let failure = match result {
            Ok(Some(result)) => match self.apply(&result, now) {
                Ok(rotated) => {
                    self.step = Some(SessionStep::Refreshed { rotated });
                    return Ok(());
                }
                Err(error) => (TokenAction::KeepTokens, error),
            },
            Ok(None) => (
                TokenAction::KeepTokens,
                Error::new(Cause::EmptyResult, Recovery::Resend),
            ),
            Err(error) => {
                let action = classify(&error);
                let recovery = match action {
                    TokenAction::ClearTokens => Recovery::StartOver,
                    TokenAction::KeepTokens => Recovery::Resend,
                };
                (
                    action,
                    Error::from_wire(error, recovery).with_recovery(recovery),
                )
            }
        };
        let (action, error) = failure;
        if action == TokenAction::ClearTokens {
            self.tokens = None;
        }
        self.step = Some(SessionStep::Failed {
            action,
            error: error.clone(),
        });
        Err(error)
    }
}
