//! The Hub: named channels and typed Amplify auth events.
//!
//! Amplify apps react to sign-in and sign-out by listening on the Hub's `auth` channel. This
//! crate is that Hub for Rust: named channels with one payload type each, synchronous
//! listeners ([`Channel::listen`]), async streams ([`Channel::subscribe`]), typed
//! [`AuthEvent`]s whose serde form is Amplify's, and [protected channels](PROTECTED_CHANNELS)
//! that only the library can dispatch to (through an [`AuthDispatcher`]).
//!
//! Use this crate alone when you want Amplify's event bus without the rest of the client (for
//! example to forward auth events to a front end, or in a crate that only reacts to them); the
//! umbrella crate `auth` re-exports it as `auth::hub` and dispatches the `auth` channel's
//! events as users sign in, refresh tokens and sign out. Applications that sign users in
//! should depend on `auth` instead.
//!
//! # Listening to auth events
//!
//! ```
//! use auth_hub::{AuthEvent, AuthUser, Hub};
//!
//! // `auth_hub::global()` is the process-wide Hub; a separate one is handy in tests.
//! let (hub, dispatcher) = Hub::with_auth_dispatcher();
//!
//! let subscription = hub.auth().listen(|event: &AuthEvent| match event {
//!     AuthEvent::SignedIn { user } => println!("{} has signed in", user.username),
//!     AuthEvent::SignedOut => println!("the user has signed out"),
//!     AuthEvent::TokenRefreshFailure { error } => println!("refresh failed: {error}"),
//!     other => println!("auth event: {other}"),
//! });
//!
//! // What the library does when a sign-in completes:
//! dispatcher.dispatch(AuthEvent::SignedIn { user: AuthUser::new("alice", "sub-1") })?;
//!
//! // Stop listening (dropping the subscription does the same).
//! subscription.unsubscribe();
//! # Ok::<(), auth_hub::DispatchError>(())
//! ```
//!
//! # Your own channels
//!
//! Any `Clone + Send + Sync + 'static` type can be a channel's payload; the first use of a
//! name fixes its type.
//!
//! ```
//! use auth_hub::Hub;
//! use tokio_stream::StreamExt;
//!
//! #[derive(Clone, Debug, PartialEq)]
//! struct CartUpdated { items: usize }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let hub = Hub::new();
//! let cart = hub.channel::<CartUpdated>("cart")?;
//! let mut updates = cart.subscribe();
//! cart.dispatch(CartUpdated { items: 3 })?;
//! assert_eq!(updates.next().await, Some(Ok(CartUpdated { items: 3 })));
//!
//! // The same name with another type is a typed error, not a panic or a silent new channel.
//! assert!(hub.channel::<String>("cart").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! See [`Hub`] for the delivery guarantees (FIFO per channel, panic isolation, re-entrancy,
//! explicit lag) and [`AuthDispatcher`] for the protected-channel policy.
#![forbid(unsafe_code)]

mod capsule;
mod channel;
mod dispatcher;
mod error;
mod event;
mod hub;
mod stream;
mod subscription;

pub use capsule::{Capsule, EventSource};
pub use channel::{Channel, Payload};
pub use dispatcher::AuthDispatcher;
pub use error::{ChannelError, DispatchError, Lagged};
pub use event::{AuthEvent, AuthEventError, AuthUser};
pub use hub::{
    AUTH_CHANNEL, DEFAULT_STREAM_CAPACITY, Hub, PROTECTED_CHANNELS, global, is_protected,
};
pub use stream::{CapsuleStream, EventStream};
pub use subscription::Subscription;

/// Compiles the README's example.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
