//! The Hub: named channels and typed Amplify auth events.
//!
//! Use this crate alone when you want Amplify's event bus without the rest of the client; the
//! umbrella crate `auth` re-exports it as `auth::hub` and dispatches the `auth` channel's events.
#![forbid(unsafe_code)]
