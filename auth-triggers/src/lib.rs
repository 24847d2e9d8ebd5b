//! Typed payloads for every Amazon Cognito user-pool Lambda trigger.
//!
//! Cognito calls Lambda triggers during sign-up and sign-in and expects the event back with
//! its `response` filled in. This crate gives each trigger family a typed `request` and
//! `response` ([`PreSignUpEvent`], [`DefineAuthChallengeEvent`], [`PreTokenGenerationV2Event`],
//! [`CustomEmailSenderEvent`], [`InboundFederationEvent`], …), an enum over all of them
//! ([`TriggerEvent`]) that dispatches on `triggerSource`, and, behind the `lambda` feature, a
//! router ([`lambda::Triggers`]) that serves several triggers from one function.
//!
//! # Lenient in, lossless out, strict responses
//!
//! - `null` for a map, list, string or boolean reads as its default; missing fields are fine;
//!   `version` may be a string or a number; version 2/3 claim values may be any JSON.
//! - Keys this crate does not model are kept in each object's `extra` map, and a field that
//!   arrived as `null` or was missing is written back that way unless the handler changed it:
//!   `serde_json::to_value(serde_json::from_slice::<TriggerEvent>(bytes)?)` is the JSON value
//!   that was read. A source of an unknown family is kept whole in [`TriggerEvent::Unknown`].
//! - [`Event::validate`] (run by the router before returning) rejects responses Cognito would
//!   refuse, with a typed [`ResponseError`]: `issueTokens` with `failAuthentication`, an
//!   unknown `finalUserStatus`, a custom message without its code placeholder, a reserved
//!   claim, …
//!
//! # `clientMetadata` and `validationData`
//!
//! [`Event::client_metadata`] and [`Event::validation_data`] (and the same on
//! [`TriggerEvent`]) give the maps a client filled; the docs of each request type's
//! [`TriggerRequest`] implementation say which API calls fill them. Note that the
//! `ClientMetadata` of `InitiateAuth` (Amplify `signIn`) reaches pre authentication, user
//! migration and sign-in-time pre sign-up as **`validationData`**. Cognito neither stores,
//! validates nor encrypts client metadata: never put secrets in it.
//!
//! # Example
//!
//! ```
//! use auth_triggers::{TriggerEvent, TriggerSource};
//!
//! let bytes = br#"{
//!     "version": "1", "triggerSource": "PreSignUp_SignUp", "region": "us-east-1",
//!     "userPoolId": "us-east-1_EXAMPLE", "userName": "jdoe",
//!     "callerContext": {"awsSdkVersion": "aws-sdk-js-3", "clientId": "abc"},
//!     "request": {"userAttributes": {"email": "jdoe@example.com"},
//!                 "validationData": null, "clientMetadata": {"plan": "pro"}},
//!     "response": {}
//! }"#;
//!
//! let mut event: TriggerEvent = serde_json::from_slice(bytes)?;
//! assert_eq!(event.trigger_source(), &TriggerSource::PreSignUpSignUp);
//! assert_eq!(event.client_metadata().and_then(|m| m.get("plan")), Some("pro"));
//!
//! if let TriggerEvent::PreSignUp(sign_up) = &mut event {
//!     let email = sign_up.request.user_attributes.get("email").unwrap_or_default();
//!     if email.ends_with("@example.com") {
//!         sign_up.response.auto_confirm_user(true).auto_verify_email(true);
//!     }
//! }
//! event.validate()?;
//!
//! // Only what the handler changed differs from what Cognito sent; the `null` stays `null`.
//! let out = serde_json::to_value(&event)?;
//! assert_eq!(out["response"]["autoConfirmUser"], true);
//! assert!(out["request"]["validationData"].is_null());
//! assert!(out["response"].get("autoVerifyPhone").is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! | feature | what it adds |
//! |---|---|
//! | `lambda` | [`lambda::Triggers`], a router for `lambda_runtime` 1.x |
//! | `aws-lambda-events` | `compat`: conversions from and to `aws_lambda_events` Cognito types |
//!
//! No feature is on by default: the crate then depends on serde, serde_json and thiserror only.
//!
//! This crate stands alone (it depends on serde, not on the rest of the toolkit): a Lambda
//! function that only handles triggers needs nothing else. Applications that sign users in
//! use the umbrella crate `auth`, which re-exports this one as `auth::triggers`.
#![forbid(unsafe_code)]

mod authentication;
mod challenge;
mod envelope;
mod error;
mod event;
mod federation;
mod lossless;
mod message;
mod migration;
mod pre_token_generation;
#[cfg(feature = "fast-json")]
mod scan;
mod sign_up;
mod source;
mod string_map;
#[cfg(feature = "fast-json")]
mod writer;

pub use authentication::*;
pub use challenge::*;
pub use envelope::{CallerContext, Event, TriggerRequest, Version};
pub use error::ResponseError;
pub use event::{TriggerEvent, UnknownEvent};
pub use federation::*;
pub use message::*;
pub use migration::*;
pub use pre_token_generation::*;
pub use sign_up::*;
pub use source::{TriggerFamily, TriggerSource};
pub use string_map::StringMap;

#[cfg(feature = "lambda")]
pub mod lambda;

#[cfg(feature = "aws-lambda-events")]
pub mod compat;

/// The README's examples, compiled as doctests.
#[cfg(all(doctest, feature = "lambda"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
