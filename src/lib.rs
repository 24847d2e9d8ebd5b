//! Amplify Auth for Rust.
//!
//! `auth` composes the toolkit's crates behind feature flags. [`core`] (the sans-IO Cognito
//! protocol) is always present; the other crates are re-exported under short names:
//!
//! | feature | module | crate |
//! |---|---|---|
//! | (always) | [`core`] | `auth-core` |
//! | `hub` | `hub` | `auth-hub` |
//! | `providers` | `providers` | `auth-providers` |
//! | `federation` | `federation` | `auth-federation` |
//! | `triggers` | `triggers` | `auth-triggers` |
//! | `client` | [`client`], [`Auth`] | the full client over all of them |
//!
//! Pick a single crate when that is all a system needs (a Lambda that only handles trigger
//! payloads depends on `auth-triggers` alone); enable features here for a full client.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use auth_core as core;

#[cfg(feature = "hub")]
pub use auth_hub as hub;

#[cfg(feature = "providers")]
pub use auth_providers as providers;

#[cfg(feature = "federation")]
pub use auth_federation as federation;

#[cfg(feature = "triggers")]
pub use auth_triggers as triggers;

#[cfg(feature = "client")]
pub mod client;

#[cfg(feature = "client")]
pub use client::Auth;
