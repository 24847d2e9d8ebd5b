//! Lambda triggers of the scripted pool: [`Trigger`] names where a function is attached,
//! [`LambdaFunction`] is the function, called with Cognito's event JSON.
//!
//! The peer and the function meet where Cognito and Lambda meet: a JSON event in, the event
//! with its `response` filled (or the function's error) out. So this crate needs no trigger
//! types: [`LambdaFunction::typed`] takes a handler of any serde event type, such as the
//! `auth-triggers` crate's `PreAuthenticationEvent`.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A user-pool trigger a Lambda function can be attached to (a key of the pool's
/// `LambdaConfig`).
///
/// Which call invokes which trigger, and with which metadata, follows the service
/// (reference section 6): `InitiateAuth`'s `ClientMetadata` reaches pre sign-up and pre
/// authentication as `validationData` and no other trigger; `RespondToAuthChallenge`'s
/// reaches the challenge and token triggers as `clientMetadata`; `SignUp` passes its
/// `ValidationData` and `ClientMetadata` to pre sign-up; `GetTokensFromRefreshToken`'s reaches
/// pre token generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trigger {
    /// `PreSignUp_SignUp` at SignUp: reject, or auto-confirm the user (`autoConfirmUser`).
    PreSignUp,
    /// `PreAuthentication_Authentication` at InitiateAuth (not on refresh): an error denies
    /// the sign-in.
    PreAuthentication,
    /// `DefineAuthChallenge_Authentication` in CUSTOM_AUTH: the next challenge, tokens, or
    /// failure. Without it the peer plays the scenario's `custom_rounds`.
    DefineAuthChallenge,
    /// `CreateAuthChallenge_Authentication`: the public and private parameters of a
    /// CUSTOM_CHALLENGE.
    CreateAuthChallenge,
    /// `VerifyAuthChallengeResponse_Authentication`: whether the answer is right.
    VerifyAuthChallengeResponse,
    /// `TokenGeneration_*` (event version 2) before tokens are issued: claims added to or
    /// suppressed from the ID and access tokens (a version 1 `claimsOverrideDetails`
    /// response is applied to the ID token too).
    PreTokenGeneration,
}

impl Trigger {
    /// The trigger's name in Cognito's messages (`PreAuthentication`): a function error
    /// reaches the client as `UserLambdaValidationException` with the message
    /// `<name> failed with error <message>.`.
    pub fn name(self) -> &'static str {
        match self {
            Self::PreSignUp => "PreSignUp",
            Self::PreAuthentication => "PreAuthentication",
            Self::DefineAuthChallenge => "DefineAuthChallenge",
            Self::CreateAuthChallenge => "CreateAuthChallenge",
            Self::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Self::PreTokenGeneration => "PreTokenGeneration",
        }
    }
}

type Function = Box<dyn FnMut(Value) -> Result<Value, String> + Send>;

/// A Lambda function attached to a [`Trigger`] of the scripted pool.
///
/// It is called with the event Cognito sends (`version`, `triggerSource`, `region`,
/// `userPoolId`, `userName`, `callerContext`, `request`, `response`) and returns the event
/// with its `response` filled, or an error: the message of what the function raised.
///
/// ```
/// use auth_core::test_util::LambdaFunction;
/// use serde_json::{Value, json};
///
/// // Raw JSON, as a function in any language sees it.
/// let deny = LambdaFunction::new(|event: Value| match event["request"]["validationData"]["app"].as_str() {
///     Some("mobile") => Ok(event),
///     _ => Err("sign in from the mobile app".to_owned()),
/// });
///
/// // Or typed: any serde type of the event (the `auth-triggers` types are made for this).
/// #[derive(serde::Deserialize, serde::Serialize)]
/// struct Event { request: Value, response: Value }
/// let allow = LambdaFunction::typed(|event: Event| Ok::<_, String>(event));
/// # let _ = (deny, allow);
/// ```
pub struct LambdaFunction(Function);

impl LambdaFunction {
    /// A function of the event JSON.
    pub fn new(function: impl FnMut(Value) -> Result<Value, String> + Send + 'static) -> Self {
        Self(Box::new(function))
    }

    /// A handler of a typed event: the event is read from Cognito's JSON into `E`, and the
    /// event the handler returns is written back. An event `E` cannot read, or an error of the
    /// handler, is the function's error (its `Display`).
    pub fn typed<E, Err>(mut handler: impl FnMut(E) -> Result<E, Err> + Send + 'static) -> Self
    where
        E: DeserializeOwned + Serialize,
        Err: fmt::Display,
    {
        Self::new(move |event| {
            let event: E = serde_json::from_value(event).map_err(|e| e.to_string())?;
            let event = handler(event).map_err(|e| e.to_string())?;
            serde_json::to_value(event).map_err(|e| e.to_string())
        })
    }

    /// Calls the function.
    pub(super) fn invoke(&mut self, event: Value) -> Result<Value, String> {
        (self.0)(event)
    }
}

impl fmt::Debug for LambdaFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LambdaFunction")
    }
}
