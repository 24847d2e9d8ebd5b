//! Provider traits, storage, HTTP and aws-sdk-rust adapters for Amplify-style Cognito auth.
//!
//! This crate holds the seams that let you replace any part of the client, and hand its
//! credentials to any AWS SDK for Rust client:
//!
//! * traits, shaped like `aws-credential-types` (verbs, `Send + Sync + Debug`,
//!   dyn-compatible, a [`ProviderFuture`] that is ready-now or boxed, `Shared*` wrappers):
//!   [`TokenProvider`], [`CredentialsProvider`], [`ClientMetadataProvider`],
//!   [`KeyValueStorage`], [`HttpClient`];
//! * storage: [`MemoryStorage`], [`FileStorage`] (atomic, owner-only), `RedisStorage`
//!   (feature `redis`), and a [`TokenStore`] with Amplify's key layout;
//! * HTTP: `ReqwestHttpClient` (feature `reqwest`) and
//!   [`RetryingHttpClient`];
//! * caching: [`RefreshCache`] (single-flight, backoff, jittered expiry buffer) and
//!   [`CachedCredentialsProvider`];
//! * `aws` (feature `aws-sdk`): adapters to `ProvideCredentials`, `ProvideToken` and the
//!   SDK's HTTP client.
//!
//! Use this crate alone to plug Cognito-style tokens and credentials into an existing
//! system. For sign-in, sign-up and the whole Amplify Auth API, use the umbrella crate `auth`,
//! which re-exports this one as `auth::providers`.
//!
//! # Example
//!
//! Tokens saved under Amplify's keys in a file, and AWS credentials cached for all callers:
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use auth_core::tokens::{AuthTokens, Jwt};
//! use auth_providers::{
//!     AwsCredentials, CachedCredentialsProvider, CredentialsAndIdentityId, CredentialsOptions,
//!     CredentialsProvider, FileStorage, SharedKeyValueStorage, StaticCredentialsProvider, TokenStore,
//! };
//!
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
//! # rt.block_on(async {
//! let dir = tempfile::tempdir().unwrap();
//! let store = TokenStore::new(SharedKeyValueStorage::new(FileStorage::new(dir.path().join("auth.json"))), "my-client-id");
//! let access = Jwt::decode("eyJhbGciOiJSUzI1NiJ9.eyJ1c2VybmFtZSI6ImFsaWNlIiwiZXhwIjo5OTk5OTk5OTk5fQ.c2ln").unwrap();
//! store.store(&AuthTokens::new(access, SystemTime::now())).await.unwrap();
//! let tokens = store.load().await.unwrap().expect("signed in");
//!
//! let broker = StaticCredentialsProvider::new(CredentialsAndIdentityId::new(
//!     AwsCredentials::new("AKID", "secret", None, Some(SystemTime::now() + Duration::from_secs(3600))),
//!     None,
//! ));
//! let credentials = CachedCredentialsProvider::new(broker);
//! let session = credentials.credentials_and_identity_id(CredentialsOptions::authenticated(tokens)).await.unwrap();
//! assert_eq!(session.credentials.access_key_id(), "AKID");
//! # });
//! ```
//!
//! # Features
//!
//! No feature is on by default (the umbrella `auth` turns on what its own features need).
//!
//! | feature | what it adds | umbrella feature |
//! |---|---|---|
//! | `reqwest` | `ReqwestHttpClient` (rustls) | `reqwest` (and `client`) |
//! | `redis` | `RedisStorage` | `redis` |
//! | `aws-sdk` | the `aws` module: SDK credentials, token and HTTP adapters | `aws-sdk` (and `client`) |
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "aws-sdk")]
pub mod aws;
mod cached_credentials;
mod credentials;
mod error;
mod future;
pub mod http;
mod metadata;
mod refresh_cache;
pub mod storage;
pub mod time;
mod token;
pub mod token_store;

pub use cached_credentials::CachedCredentialsProvider;
pub use credentials::{
    AwsCredentials, ClearFuture, CredentialsAndIdentityId, CredentialsFuture, CredentialsOptions,
    CredentialsProvider, IdentityId, SharedCredentialsProvider, StaticCredentialsProvider,
};
pub use error::{ProviderError, ProviderErrorKind};
pub use future::ProviderFuture;
pub use http::{
    HttpClient, HttpError, HttpErrorKind, HttpFuture, ResponseBodyLimit, RetryConfig, RetrySafety,
    RetryingHttpClient, SharedHttpClient,
};
#[cfg(feature = "reqwest")]
pub use http::{ReqwestHttpClient, ReqwestHttpClientBuilder};
pub use metadata::{
    ClientMetadata, ClientMetadataFuture, ClientMetadataProvider, MetadataRequest,
    SharedClientMetadataProvider, StaticClientMetadata,
};
pub use refresh_cache::{Expiring, RefreshCache, RefreshCacheBuilder};
pub use storage::{
    BlobMap, FileStorage, KeyValueStorage, MemoryStorage, SharedKeyValueStorage, StorageError,
    StorageErrorKind, StorageFuture,
};
#[cfg(feature = "redis")]
pub use storage::{RedisStorage, RedisStorageBuilder};
pub use time::{
    ManualTimeSource, SharedSleep, SharedTimeSource, Sleep, SystemTimeSource, TimeSource,
    TokioSleep,
};
pub use token::{
    SharedTokenProvider, StaticTokenProvider, TokenOptions, TokenProvider, TokensFuture,
};
pub use token_store::{DeviceMetadata, TokenStore, TokenStoreError};
