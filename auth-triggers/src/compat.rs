//! Conversions from and to the `aws_lambda_events` Cognito types, for users migrating.
//!
//! Each conversion goes through JSON, so it keeps everything both sides model. Going to
//! `aws_lambda_events` fails where that crate is stricter than Cognito (for example a `null`
//! `session` or a missing `scopes`), and drops keys it does not model unless its
//! `catch-all-fields` feature is on. Going from it always succeeds in practice.
//!
//! ```
//! use auth_triggers::PreSignUpEvent;
//! use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreSignup;
//!
//! let theirs = CognitoEventUserPoolsPreSignup::default();
//! let ours = PreSignUpEvent::try_from(theirs).unwrap();
//! let back = CognitoEventUserPoolsPreSignup::try_from(ours).unwrap();
//! assert_eq!(back.response.auto_confirm_user, false);
//! ```

use aws_lambda_events::event::cognito as aws;

use crate::{
    CreateAuthChallengeEvent, CustomMessageEvent, DefineAuthChallengeEvent,
    PostAuthenticationEvent, PostConfirmationEvent, PreAuthenticationEvent, PreSignUpEvent,
    PreTokenGenerationV1Event, PreTokenGenerationV2Event, UserMigrationEvent,
    VerifyAuthChallengeResponseEvent,
};

/// A conversion between this crate's events and `aws_lambda_events`' failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot convert {from} into {to}")]
pub struct ConversionError {
    from: &'static str,
    to: &'static str,
    #[source]
    source: serde_json::Error,
}

impl ConversionError {
    /// The name of the type converted from.
    #[must_use]
    pub fn from_type(&self) -> &'static str {
        self.from
    }

    /// The name of the type converted into.
    #[must_use]
    pub fn to_type(&self) -> &'static str {
        self.to
    }
}

fn convert<A: serde::Serialize, B: serde::de::DeserializeOwned>(
    value: &A,
) -> Result<B, ConversionError> {
    let error = |source| ConversionError {
        from: std::any::type_name::<A>(),
        to: std::any::type_name::<B>(),
        source,
    };
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(error)
}

macro_rules! conversions {
    ($( $ours:ty => $theirs:ty; )*) => {
        $(
            impl TryFrom<$theirs> for $ours {
                type Error = ConversionError;
                fn try_from(event: $theirs) -> Result<Self, ConversionError> {
                    convert(&event)
                }
            }

            impl TryFrom<$ours> for $theirs {
                type Error = ConversionError;
                fn try_from(event: $ours) -> Result<Self, ConversionError> {
                    convert(&event)
                }
            }
        )*
    };
}

conversions! {
    PreSignUpEvent => aws::CognitoEventUserPoolsPreSignup;
    PostConfirmationEvent => aws::CognitoEventUserPoolsPostConfirmation;
    PreAuthenticationEvent => aws::CognitoEventUserPoolsPreAuthentication;
    PostAuthenticationEvent => aws::CognitoEventUserPoolsPostAuthentication;
    DefineAuthChallengeEvent => aws::CognitoEventUserPoolsDefineAuthChallenge;
    CreateAuthChallengeEvent => aws::CognitoEventUserPoolsCreateAuthChallenge;
    VerifyAuthChallengeResponseEvent => aws::CognitoEventUserPoolsVerifyAuthChallenge;
    PreTokenGenerationV1Event => aws::CognitoEventUserPoolsPreTokenGen;
    PreTokenGenerationV2Event => aws::CognitoEventUserPoolsPreTokenGenV2;
    UserMigrationEvent => aws::CognitoEventUserPoolsMigrateUser;
    CustomMessageEvent => aws::CognitoEventUserPoolsCustomMessage;
}
