//! Provider traits, storage, HTTP and aws-sdk-rust adapters.
//!
//! Use this crate alone to plug Cognito-style tokens and credentials into an existing system;
//! the umbrella crate `auth` re-exports it as `auth::providers`.
#![forbid(unsafe_code)]
