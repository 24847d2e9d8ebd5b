//! [`Triggers`]: one Lambda function serving several triggers under `lambda_runtime`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use lambda_runtime::{Diagnostic, LambdaEvent};

use crate::{
    CreateAuthChallengeEvent, CustomEmailSenderEvent, CustomMessageEvent, CustomSmsSenderEvent,
    DefineAuthChallengeEvent, InboundFederationEvent, PostAuthenticationEvent,
    PostConfirmationEvent, PreAuthenticationEvent, PreSignUpEvent, PreTokenGenerationV1Event,
    PreTokenGenerationV2Event, PreTokenGenerationV3Event, ResponseError, TriggerEvent,
    TriggerSource, UserMigrationEvent, VerifyAuthChallengeResponseEvent,
};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type Handler<E> = Box<dyn Fn(E) -> BoxFuture<Result<E, lambda_runtime::Error>> + Send + Sync>;

fn boxed<E, F, Fut, Err>(handler: F) -> Handler<E>
where
    E: Send + 'static,
    F: Fn(E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<E, Err>> + Send + 'static,
    Err: Into<lambda_runtime::Error> + 'static,
{
    Box::new(move |event| {
        let future = handler(event);
        Box::pin(async move { future.await.map_err(Into::into) })
    })
}

/// Why [`Triggers`] did not return an event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TriggerError {
    /// No handler is registered for the event's trigger source.
    #[error("no handler for trigger source {trigger_source}")]
    Unhandled {
        /// The source that arrived.
        trigger_source: TriggerSource,
    },
    /// The handler built a response Cognito would reject.
    #[error("invalid response to {trigger_source}")]
    InvalidResponse {
        /// The source of the event.
        trigger_source: TriggerSource,
        /// What is wrong with the response.
        #[source]
        error: ResponseError,
    },
    /// The handler returned an error. Its message is shown as is: Cognito passes it on to
    /// the client (e.g. a pre authentication denial).
    #[error(transparent)]
    Handler(lambda_runtime::Error),
}

impl From<TriggerError> for Diagnostic {
    fn from(error: TriggerError) -> Self {
        let error_type = match &error {
            TriggerError::Unhandled { .. } => "UnhandledTriggerSource",
            TriggerError::InvalidResponse { .. } => "InvalidTriggerResponse",
            TriggerError::Handler(_) => "TriggerHandlerError",
        };
        let mut error_message = error.to_string();
        if let TriggerError::InvalidResponse { error: cause, .. } = &error {
            error_message = format!("{error_message}: {cause}");
        }
        Self {
            error_type: error_type.to_owned(),
            error_message,
        }
    }
}

macro_rules! router {
    ($( $(#[$doc:meta])* $method:ident, $field:ident, $variant:ident, $event:ty; )*) => {
        /// A router for one Lambda function that serves several user-pool triggers.
        ///
        /// Register a handler per family with `on_…`; each receives the typed event and returns
        /// it with its response filled. [`handle`](Self::handle) dispatches one invocation
        /// (call it directly in tests); [`run`](Self::run) serves invocations under
        /// `lambda_runtime`. A source with no handler is an error naming it, and a response
        /// Cognito would reject is an error before it leaves the function.
        ///
        /// ```no_run
        /// use auth_triggers::lambda::Triggers;
        /// use auth_triggers::{PreAuthenticationEvent, PreSignUpEvent};
        ///
        /// async fn pre_sign_up(mut event: PreSignUpEvent) -> Result<PreSignUpEvent, String> {
        ///     event.response.auto_confirm_user = true;
        ///     Ok(event)
        /// }
        ///
        /// async fn pre_auth(event: PreAuthenticationEvent) -> Result<PreAuthenticationEvent, String> {
        ///     match event.validation_data().and_then(|m| m.get("app")) {
        ///         Some("mobile") => Ok(event),
        ///         _ => Err("sign in from the mobile app".to_owned()),
        ///     }
        /// }
        ///
        /// # async fn serve() -> Result<(), lambda_runtime::Error> {
        /// Triggers::new()
        ///     .on_pre_sign_up(pre_sign_up)
        ///     .on_pre_authentication(pre_auth)
        ///     .run()
        ///     .await
        /// # }
        /// ```
        #[derive(Default)]
        pub struct Triggers {
            $( $field: Option<Handler<$event>>, )*
            skip_validation: bool,
        }

        impl Triggers {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $method<F, Fut, E>(mut self, handler: F) -> Self
                where
                    F: Fn($event) -> Fut + Send + Sync + 'static,
                    Fut: Future<Output = Result<$event, E>> + Send + 'static,
                    E: Into<lambda_runtime::Error> + 'static,
                {
                    self.$field = Some(boxed(handler));
                    self
                }
            )*

            /// Handles one invocation: runs the handler of the event's family, checks its
            /// response, and returns the event to give back to Cognito.
            ///
            /// # Errors
            ///
            /// [`TriggerError::Unhandled`] if no handler is registered for the source (or it
            /// is unknown), [`TriggerError::Handler`] if the handler failed, and
            /// [`TriggerError::InvalidResponse`] if its response would be rejected.
            pub async fn handle(
                &self,
                invocation: LambdaEvent<TriggerEvent>,
            ) -> Result<TriggerEvent, TriggerError> {
                let event = invocation.payload;
                let source = event.trigger_source().clone();
                let out: TriggerEvent = match event {
                    $(
                        TriggerEvent::$variant(e) => match &self.$field {
                            Some(handler) => TriggerEvent::$variant(
                                handler(e).await.map_err(TriggerError::Handler)?,
                            ),
                            None => return Err(TriggerError::Unhandled { trigger_source: source }),
                        },
                    )*
                    _ => return Err(TriggerError::Unhandled { trigger_source: source }),
                };
                if !self.skip_validation {
                    out.validate()
                        .map_err(|error| TriggerError::InvalidResponse { trigger_source: source, error })?;
                }
                Ok(out)
            }
        }

        impl fmt::Debug for Triggers {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut handled = Vec::new();
                $( if self.$field.is_some() { handled.push(stringify!($variant)); } )*
                f.debug_struct("Triggers")
                    .field("handled", &handled)
                    .field("skip_validation", &self.skip_validation)
                    .finish()
            }
        }
    };
}

router! {
    /// Handles `PreSignUp_*`.
    on_pre_sign_up, pre_sign_up, PreSignUp, PreSignUpEvent;
    /// Handles `PostConfirmation_*`.
    on_post_confirmation, post_confirmation, PostConfirmation, PostConfirmationEvent;
    /// Handles `PreAuthentication_*`; return an error to deny the sign-in.
    on_pre_authentication, pre_authentication, PreAuthentication, PreAuthenticationEvent;
    /// Handles `PostAuthentication_*`.
    on_post_authentication, post_authentication, PostAuthentication, PostAuthenticationEvent;
    /// Handles `DefineAuthChallenge_*`.
    on_define_auth_challenge, define_auth_challenge, DefineAuthChallenge, DefineAuthChallengeEvent;
    /// Handles `CreateAuthChallenge_*`.
    on_create_auth_challenge, create_auth_challenge, CreateAuthChallenge, CreateAuthChallengeEvent;
    /// Handles `VerifyAuthChallengeResponse_*`.
    on_verify_auth_challenge_response, verify_auth_challenge_response, VerifyAuthChallengeResponse, VerifyAuthChallengeResponseEvent;
    /// Handles `TokenGeneration_*` events of version 1.
    on_pre_token_generation_v1, pre_token_generation_v1, PreTokenGenerationV1, PreTokenGenerationV1Event;
    /// Handles `TokenGeneration_*` events of version 2.
    on_pre_token_generation_v2, pre_token_generation_v2, PreTokenGenerationV2, PreTokenGenerationV2Event;
    /// Handles `TokenGeneration_*` events of version 3, including client credentials.
    on_pre_token_generation_v3, pre_token_generation_v3, PreTokenGenerationV3, PreTokenGenerationV3Event;
    /// Handles `UserMigration_*`.
    on_user_migration, user_migration, UserMigration, UserMigrationEvent;
    /// Handles `CustomMessage_*`.
    on_custom_message, custom_message, CustomMessage, CustomMessageEvent;
    /// Handles `CustomEmailSender_*`.
    on_custom_email_sender, custom_email_sender, CustomEmailSender, CustomEmailSenderEvent;
    /// Handles `CustomSMSSender_*`.
    on_custom_sms_sender, custom_sms_sender, CustomSmsSender, CustomSmsSenderEvent;
    /// Handles `InboundFederation_*`.
    on_inbound_federation, inbound_federation, InboundFederation, InboundFederationEvent;
}

impl Triggers {
    /// A router with no handlers.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns responses without checking them (by default they are checked with
    /// [`TriggerEvent::validate`]).
    #[must_use]
    pub fn skip_response_validation(mut self) -> Self {
        self.skip_validation = true;
        self
    }

    /// Serves invocations under `lambda_runtime` until the runtime stops.
    ///
    /// # Errors
    ///
    /// What `lambda_runtime::run` returns: the runtime API could not be reached.
    pub async fn run(self) -> Result<(), lambda_runtime::Error> {
        // `lambda_runtime` writes the returned event with `serde_json::to_vec`, through this
        // crate's `Serialize` impls. Returning `TriggerEvent::to_vec`'s bytes as a
        // `Box<RawValue>` instead was measured slower: `RawValue::from_string` parses the
        // bytes again (see `benches/triggers.rs`).
        let router = Arc::new(self);
        lambda_runtime::run(lambda_runtime::service_fn(move |invocation| {
            let router = Arc::clone(&router);
            async move { router.handle(invocation).await }
        }))
        .await
    }
}
