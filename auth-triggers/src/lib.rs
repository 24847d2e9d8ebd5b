//! Typed payloads for every Amazon Cognito user-pool Lambda trigger.
//!
//! This crate stands alone (it depends on serde, not on the rest of the toolkit): a Lambda
//! function that only handles triggers needs nothing else. The umbrella crate `auth`
//! re-exports it as `auth::triggers`.
#![forbid(unsafe_code)]

mod authentication;
mod challenge;
mod envelope;
mod error;
mod event;
mod federation;
mod message;
mod migration;
mod sign_up;
mod source;
mod string_map;
mod token;
mod wire;

pub use authentication::*;
pub use challenge::*;
pub use envelope::{CallerContext, Event, TriggerRequest, Version};
pub use error::ResponseError;
pub use event::{TriggerEvent, UnknownEvent};
pub use federation::*;
pub use message::*;
pub use migration::*;
pub use sign_up::*;
pub use source::{TriggerFamily, TriggerSource};
pub use string_map::StringMap;
pub use token::*;
