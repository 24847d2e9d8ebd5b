//! Cognito identity-pool federation.
//!
//! Use this crate alone when a backend needs AWS credentials for users of Auth0, any OIDC
//! provider, developer identities or guests; the umbrella crate `auth` re-exports it as
//! `auth::federation`.
#![forbid(unsafe_code)]
