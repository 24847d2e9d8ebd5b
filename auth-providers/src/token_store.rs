//! [`TokenStore`]: a signed-in user's tokens and device keys in any [`KeyValueStorage`],
//! under Amplify's keys so stores interoperate with Amplify JS, Swift and Flutter.
//!
//! Keys (`<clientId>` is the app client id, `<username>` the Cognito username):
//!
//! | key | value |
//! |---|---|
//! | `CognitoIdentityServiceProvider.<clientId>.LastAuthUser` | the username |
//! | `CognitoIdentityServiceProvider.<clientId>.<username>.accessToken` | JWT |
//! | `… .idToken`, `… .refreshToken` | JWT, opaque string |
//! | `… .clockDrift` | milliseconds, decimal |
//! | `… .signInDetails` | JSON |
//! | `… .deviceKey`, `… .deviceGroupKey`, `… .randomPasswordKey` | the remembered device |
//! | `com.amplify.Cognito.<identityPoolId>.identityId` | identity id |
//!
//! # Writes that fail halfway
//!
//! A storage has no transactions, and a token set is several keys. [`TokenStore::store`]
//! first reads the previous value of every key it will touch, then writes the new tokens,
//! `LastAuthUser` last. If any write fails it restores every key it already changed to its
//! previous value (or removes it if there was none) and returns the original error, so the
//! previous tokens stay readable as a whole. The restore is best-effort: a storage that
//! refuses every write from that moment on cannot be repaired by anyone; [`TokenStore::load`]
//! then still refuses to mix tokens of two users (it checks `LastAuthUser` against the access
//! token's username).

use std::time::SystemTime;

use auth_core::Sensitive;
use auth_core::tokens::{AuthTokens, ClockDrift, Jwt, RefreshToken};
use zeroize::Zeroizing;

use crate::storage::{KeyValueStorage, SharedKeyValueStorage, StorageError};

const USER_POOL_PREFIX: &str = "CognitoIdentityServiceProvider";

/// Amplify's storage keys.
pub mod keys {
    use super::USER_POOL_PREFIX;

    /// `CognitoIdentityServiceProvider.<clientId>.LastAuthUser`.
    pub fn last_auth_user(client_id: &str) -> String {
        format!("{USER_POOL_PREFIX}.{client_id}.LastAuthUser")
    }

    /// `CognitoIdentityServiceProvider.<clientId>.<username>.<field>`, with `field` one of
    /// `accessToken`, `idToken`, `refreshToken`, `clockDrift`, `deviceKey`, `deviceGroupKey`,
    /// `randomPasswordKey`, `signInDetails`.
    pub fn user(client_id: &str, username: &str, field: &str) -> String {
        format!("{USER_POOL_PREFIX}.{client_id}.{username}.{field}")
    }

    /// `com.amplify.Cognito.<identityPoolId>.identityId`.
    pub fn identity_id(identity_pool_id: &str) -> String {
        format!("com.amplify.Cognito.{identity_pool_id}.identityId")
    }
}

const ACCESS_TOKEN: &str = "accessToken";
const ID_TOKEN: &str = "idToken";
const REFRESH_TOKEN: &str = "refreshToken";
const CLOCK_DRIFT: &str = "clockDrift";
const SIGN_IN_DETAILS: &str = "signInDetails";
const DEVICE_KEY: &str = "deviceKey";
const DEVICE_GROUP_KEY: &str = "deviceGroupKey";
const RANDOM_PASSWORD_KEY: &str = "randomPasswordKey";

/// A failed [`TokenStore`] operation.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TokenStoreError {
    /// The storage failed.
    #[error("token storage failed")]
    Storage(#[from] StorageError),
    /// A stored value cannot be read back (not a JWT, not a number, another user's token).
    #[error("the stored {field} is unreadable: {reason}")]
    Corrupt {
        /// Which field (`accessToken`, `clockDrift`, …).
        field: &'static str,
        /// Why, without the value.
        reason: String,
    },
}

/// A remembered device (Cognito device tracking); kept across sign-out. The sign-in
/// machine's own type, re-exported: what [`TokenStore::device_metadata`] loads is what
/// `SignInInput::with_device` takes.
pub use auth_core::machine::sign_in::DeviceMetadata;

/// Reads and writes a user's tokens, device keys and identity id under Amplify's keys.
///
/// ```
/// use std::time::SystemTime;
/// use auth_core::tokens::{AuthTokens, Jwt, RefreshToken};
/// use auth_providers::{KeyValueStorage, MemoryStorage, SharedKeyValueStorage, TokenStore};
///
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # rt.block_on(async {
/// let storage = MemoryStorage::new();
/// let store = TokenStore::new(SharedKeyValueStorage::new(storage.clone()), "client123");
/// let access = Jwt::decode("eyJhbGciOiJSUzI1NiJ9.eyJ1c2VybmFtZSI6ImFsaWNlIiwiZXhwIjo5OTk5OTk5OTk5fQ.c2ln").unwrap();
/// let tokens = AuthTokens::new(access, SystemTime::now()).with_refresh_token(RefreshToken::new("r"));
/// store.store(&tokens).await.unwrap();
/// assert_eq!(
///     storage.get("CognitoIdentityServiceProvider.client123.LastAuthUser").await.unwrap().as_deref(),
///     Some("alice"),
/// );
/// assert_eq!(store.load().await.unwrap().unwrap().username, "alice");
/// store.clear_tokens().await.unwrap();
/// assert!(store.load().await.unwrap().is_none());
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct TokenStore {
    storage: SharedKeyValueStorage,
    client_id: String,
    /// `keys::last_auth_user(client_id)`, read on every session check.
    last_auth_user_key: String,
}

impl TokenStore {
    /// A store for the app client `client_id` in `storage`.
    pub fn new(storage: SharedKeyValueStorage, client_id: impl Into<String>) -> Self {
        let client_id = client_id.into();
        Self {
            storage,
            last_auth_user_key: keys::last_auth_user(&client_id),
            client_id,
        }
    }

    /// The app client id the keys are built with.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The storage underneath.
    pub fn storage(&self) -> &SharedKeyValueStorage {
        &self.storage
    }

    fn key(&self, username: &str, field: &str) -> String {
        keys::user(&self.client_id, username, field)
    }

    /// The storage key of `LastAuthUser` (built once).
    pub fn last_auth_user_key(&self) -> &str {
        &self.last_auth_user_key
    }

    /// The username of the last signed-in user (`LastAuthUser`), if any.
    pub async fn last_auth_user(&self) -> Result<Option<String>, TokenStoreError> {
        Ok(self.storage.get(&self.last_auth_user_key).await?)
    }

    /// The signed-in user's tokens, or `None` when nobody is signed in.
    pub async fn load(&self) -> Result<Option<AuthTokens>, TokenStoreError> {
        let Some(username) = self.last_auth_user().await? else {
            return Ok(None);
        };
        let Some(access) = self.storage.get(&self.key(&username, ACCESS_TOKEN)).await? else {
            return Ok(None);
        };
        let access = decode(ACCESS_TOKEN, access)?;
        if let Some(owner) = access.claims().username()
            && owner != username
            && access.claims().sub.as_deref() != Some(username.as_str())
        {
            return Err(TokenStoreError::Corrupt {
                field: ACCESS_TOKEN,
                reason: "it belongs to another user than LastAuthUser".into(),
            });
        }
        let drift = match self.storage.get(&self.key(&username, CLOCK_DRIFT)).await? {
            Some(d) => ClockDrift(d.trim().parse().map_err(|_| TokenStoreError::Corrupt {
                field: CLOCK_DRIFT,
                reason: "not an integer".into(),
            })?),
            None => ClockDrift(0),
        };
        let mut tokens = AuthTokens::new(access, SystemTime::UNIX_EPOCH)
            .with_username(username.clone())
            .with_clock_drift(drift);
        if let Some(id) = self.storage.get(&self.key(&username, ID_TOKEN)).await? {
            tokens = tokens.with_id_token(decode(ID_TOKEN, id)?);
        }
        if let Some(refresh) = self
            .storage
            .get(&self.key(&username, REFRESH_TOKEN))
            .await?
        {
            tokens = tokens.with_refresh_token(RefreshToken::new(refresh));
        }
        Ok(Some(tokens))
    }

    /// Stores `tokens` for `tokens.username` and makes them the signed-in user's.
    ///
    /// If a write fails, the keys already written are restored (see the module docs).
    pub async fn store(&self, tokens: &AuthTokens) -> Result<(), TokenStoreError> {
        let user = tokens.username.as_str();
        let drift = tokens.clock_drift.0.to_string();
        let writes: [(String, Option<&str>); 5] = [
            (
                self.key(user, ACCESS_TOKEN),
                Some(tokens.access_token.as_str()),
            ),
            (
                self.key(user, ID_TOKEN),
                tokens.id_token.as_ref().map(Jwt::as_str),
            ),
            (
                self.key(user, REFRESH_TOKEN),
                tokens.refresh_token.as_ref().map(RefreshToken::as_str),
            ),
            (self.key(user, CLOCK_DRIFT), Some(drift.as_str())),
            (self.last_auth_user_key.clone(), Some(user)),
        ];
        self.write_all_or_restore(&writes).await
    }

    async fn write_all_or_restore(
        &self,
        writes: &[(String, Option<&str>)],
    ) -> Result<(), TokenStoreError> {
        let mut previous = Vec::with_capacity(writes.len());
        for (key, _) in writes {
            previous.push(Zeroizing::new(self.storage.get(key).await?));
        }
        for (done, (key, value)) in writes.iter().enumerate() {
            let result = match value {
                Some(v) => self.storage.set(key, v).await,
                None => self.storage.remove(key).await,
            };
            if let Err(error) = result {
                tracing::warn!(key = %key, "token write failed; restoring the previous tokens");
                // Restore the key that failed too: a backend may have applied it anyway.
                for ((key, _), old) in writes.iter().zip(&previous).take(done + 1).rev() {
                    let restored = match old.as_deref() {
                        Some(v) => self.storage.set(key, v).await,
                        None => self.storage.remove(key).await,
                    };
                    if restored.is_err() {
                        tracing::warn!(key = %key, "could not restore a token key");
                    }
                }
                return Err(error.into());
            }
        }
        Ok(())
    }

    /// Signs the user out locally: removes the tokens, clock drift, sign-in details and
    /// `LastAuthUser`, and keeps the device keys.
    pub async fn clear_tokens(&self) -> Result<(), TokenStoreError> {
        let Some(username) = self.last_auth_user().await? else {
            return Ok(());
        };
        for field in [
            ACCESS_TOKEN,
            ID_TOKEN,
            REFRESH_TOKEN,
            CLOCK_DRIFT,
            SIGN_IN_DETAILS,
        ] {
            self.storage.remove(&self.key(&username, field)).await?;
        }
        self.storage.remove(&self.last_auth_user_key).await?;
        Ok(())
    }

    /// The sign-in details (Amplify's `signInDetails` JSON) of `username`.
    pub async fn sign_in_details(&self, username: &str) -> Result<Option<String>, TokenStoreError> {
        Ok(self
            .storage
            .get(&self.key(username, SIGN_IN_DETAILS))
            .await?)
    }

    /// Stores the sign-in details JSON of `username`.
    pub async fn store_sign_in_details(
        &self,
        username: &str,
        json: &str,
    ) -> Result<(), TokenStoreError> {
        Ok(self
            .storage
            .set(&self.key(username, SIGN_IN_DETAILS), json)
            .await?)
    }

    /// The remembered device of `username`, if all three keys are present.
    pub async fn device_metadata(
        &self,
        username: &str,
    ) -> Result<Option<DeviceMetadata>, TokenStoreError> {
        let key = self.storage.get(&self.key(username, DEVICE_KEY)).await?;
        let group = self
            .storage
            .get(&self.key(username, DEVICE_GROUP_KEY))
            .await?;
        let password = self
            .storage
            .get(&self.key(username, RANDOM_PASSWORD_KEY))
            .await?
            .map(Sensitive::new);
        Ok(match (key, group, password) {
            (Some(device_key), Some(device_group_key), Some(random_password)) => {
                Some(DeviceMetadata {
                    device_key,
                    device_group_key,
                    random_password,
                })
            }
            _ => None,
        })
    }

    /// Remembers a device for `username` (restoring the previous one if a write fails).
    pub async fn store_device_metadata(
        &self,
        username: &str,
        device: &DeviceMetadata,
    ) -> Result<(), TokenStoreError> {
        let writes = [
            (
                self.key(username, DEVICE_KEY),
                Some(device.device_key.as_str()),
            ),
            (
                self.key(username, DEVICE_GROUP_KEY),
                Some(device.device_group_key.as_str()),
            ),
            (
                self.key(username, RANDOM_PASSWORD_KEY),
                Some(device.random_password.expose()),
            ),
        ];
        self.write_all_or_restore(&writes).await
    }

    /// Forgets the remembered device of `username` (after "Device does not exist").
    pub async fn clear_device_metadata(&self, username: &str) -> Result<(), TokenStoreError> {
        for field in [DEVICE_KEY, DEVICE_GROUP_KEY, RANDOM_PASSWORD_KEY] {
            self.storage.remove(&self.key(username, field)).await?;
        }
        Ok(())
    }

    /// The identity id persisted for `identity_pool_id`.
    pub async fn identity_id(
        &self,
        identity_pool_id: &str,
    ) -> Result<Option<String>, TokenStoreError> {
        Ok(self
            .storage
            .get(&keys::identity_id(identity_pool_id))
            .await?)
    }

    /// Persists the identity id for `identity_pool_id` (GetId is throttled; keep it).
    pub async fn store_identity_id(
        &self,
        identity_pool_id: &str,
        identity_id: &str,
    ) -> Result<(), TokenStoreError> {
        Ok(self
            .storage
            .set(&keys::identity_id(identity_pool_id), identity_id)
            .await?)
    }

    /// Forgets the identity id for `identity_pool_id`.
    pub async fn clear_identity_id(&self, identity_pool_id: &str) -> Result<(), TokenStoreError> {
        Ok(self
            .storage
            .remove(&keys::identity_id(identity_pool_id))
            .await?)
    }
}

fn decode(field: &'static str, raw: String) -> Result<Jwt, TokenStoreError> {
    Jwt::decode(raw).map_err(|e| TokenStoreError::Corrupt {
        field,
        reason: e.to_string(),
    })
}
