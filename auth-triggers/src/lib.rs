//! Typed payloads for every Amazon Cognito user-pool Lambda trigger.
//!
//! This crate stands alone (it depends on serde, not on the rest of the toolkit): a Lambda
//! function that only handles triggers needs nothing else. The umbrella crate `auth`
//! re-exports it as `auth::triggers`.
#![forbid(unsafe_code)]
