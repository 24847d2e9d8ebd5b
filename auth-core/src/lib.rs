//! The sans-IO Amazon Cognito protocol.
//!
//! `auth-core` holds everything about talking to Cognito that does not need a runtime, a
//! clock or a socket: configuration types, the wire types of the user-pool and identity-pool
//! operations, SRP, JWT claims and token expiry, and the state machines of the multi-step flows.
//! Time (`now: SystemTime`) and randomness are always passed in, so every function here is
//! deterministic and can be driven by any transport or by a property test.
//!
//! Use this crate directly when you bring your own transport or want to model-check a flow.
//! For a ready client that sends the requests, stores tokens and refreshes them, use the
//! umbrella crate `auth` instead.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod tokens;
