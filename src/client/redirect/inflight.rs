//! The sign-in with redirect in flight, kept in the storage under Amplify's keys so a
//! custom-scheme redirect can be completed after the app restarts.
//!
//! | key (`CognitoIdentityServiceProvider.<clientId>.…`) | value |
//! |---|---|
//! | `inflightOAuth` | `true` while a sign-in is in flight (Amplify's) |
//! | `oauthState` | the `state` sent (Amplify's) |
//! | `oauthPKCE` | the PKCE code verifier (Amplify's) |
//! | `authRs.oauthRedirect` | JSON: the redirect URI sent (it may hold an ephemeral port), the `nonce`, and when the sign-in expires |
//! | `oauthSignIn` | `true,false` after a sign-in with redirect (Amplify's `isOAuthSignIn,preferPrivateSession`) |

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::oauth::{OAuthState, PendingAuthorization, PkceVerifier};
use auth_providers::{KeyValueStorage as _, SharedKeyValueStorage, StorageError};
use serde::{Deserialize, Serialize};

const PREFIX: &str = "CognitoIdentityServiceProvider";

fn key(client_id: &str, field: &str) -> String {
    format!("{PREFIX}.{client_id}.{field}")
}

/// `CognitoIdentityServiceProvider.<clientId>.oauthSignIn`.
pub(crate) fn oauth_sign_in_key(client_id: &str) -> String {
    key(client_id, "oauthSignIn")
}

const INFLIGHT: &str = "inflightOAuth";
const STATE: &str = "oauthState";
const PKCE: &str = "oauthPKCE";
const REDIRECT: &str = "authRs.oauthRedirect";

/// One sign-in with redirect in flight: the authorization code machine's pending
/// authorization, and when it expires.
#[derive(Debug)]
pub(crate) struct InFlight {
    pub(crate) pending: PendingAuthorization,
    pub(crate) expires_at: SystemTime,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Redirect {
    redirect_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    /// Milliseconds since the Unix epoch.
    expires_at: u64,
}

/// Stores `inflight`, replacing any sign-in in flight. If a write fails, what was written is
/// removed again (best effort) and the error returned.
pub(crate) async fn save(
    storage: &SharedKeyValueStorage,
    client_id: &str,
    inflight: &InFlight,
) -> Result<(), StorageError> {
    let redirect = Redirect {
        redirect_uri: inflight.pending.redirect_uri().to_owned(),
        nonce: inflight.pending.nonce().map(str::to_owned),
        expires_at: u64::try_from(
            inflight
                .expires_at
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis(),
        )
        .unwrap_or(u64::MAX),
    };
    let redirect = serde_json::to_string(&redirect).expect("the in-flight redirect serializes");
    // `inflightOAuth` last: a half-written set is never read as a sign-in in flight.
    let writes = [
        (STATE, inflight.pending.state().as_str()),
        (PKCE, inflight.pending.pkce().expose()),
        (REDIRECT, redirect.as_str()),
        (INFLIGHT, "true"),
    ];
    for (field, value) in writes {
        if let Err(error) = storage.set(&key(client_id, field), value).await {
            let _ = clear(storage, client_id).await;
            return Err(error);
        }
    }
    Ok(())
}

/// The sign-in in flight, if any. An incomplete or unreadable set counts as none.
pub(crate) async fn load(
    storage: &SharedKeyValueStorage,
    client_id: &str,
) -> Result<Option<InFlight>, StorageError> {
    if storage.get(&key(client_id, INFLIGHT)).await?.as_deref() != Some("true") {
        return Ok(None);
    }
    let (Some(state), Some(pkce), Some(redirect)) = (
        storage.get(&key(client_id, STATE)).await?,
        storage.get(&key(client_id, PKCE)).await?,
        storage.get(&key(client_id, REDIRECT)).await?,
    ) else {
        return Ok(None);
    };
    let Ok(redirect) = serde_json::from_str::<Redirect>(&redirect) else {
        return Ok(None);
    };
    Ok(Some(InFlight {
        pending: PendingAuthorization::from_stored(
            OAuthState::from_stored(state),
            PkceVerifier::from_stored(pkce),
            redirect.redirect_uri,
            redirect.nonce,
        ),
        expires_at: UNIX_EPOCH + Duration::from_millis(redirect.expires_at),
    }))
}

/// Forgets the sign-in in flight (`inflightOAuth` first, so a failure halfway leaves nothing
/// that reads as in flight).
pub(crate) async fn clear(
    storage: &SharedKeyValueStorage,
    client_id: &str,
) -> Result<(), StorageError> {
    for field in [INFLIGHT, STATE, PKCE, REDIRECT] {
        storage.remove(&key(client_id, field)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use auth_providers::MemoryStorage;

    #[tokio::test]
    async fn an_in_flight_sign_in_round_trips_under_amplify_keys() {
        let storage = SharedKeyValueStorage::new(MemoryStorage::new());
        let expires_at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        let inflight = InFlight {
            pending: PendingAuthorization::from_stored(
                OAuthState::from_stored("abc-6162"),
                PkceVerifier::from_stored("verifier"),
                "com.example.app:/callback",
                Some("n".into()),
            ),
            expires_at,
        };
        save(&storage, "c1", &inflight).await.unwrap();
        let get = |k: &'static str| {
            let storage = storage.clone();
            async move {
                storage
                    .get(&format!("CognitoIdentityServiceProvider.c1.{k}"))
                    .await
                    .unwrap()
            }
        };
        assert_eq!(get("inflightOAuth").await.as_deref(), Some("true"));
        assert_eq!(get("oauthState").await.as_deref(), Some("abc-6162"));
        assert_eq!(get("oauthPKCE").await.as_deref(), Some("verifier"));
        let loaded = load(&storage, "c1").await.unwrap().unwrap();
        assert_eq!(loaded.pending, inflight.pending);
        assert!(loaded.pending.state().matches("abc-6162"));
        assert_eq!(loaded.expires_at, expires_at);
        clear(&storage, "c1").await.unwrap();
        assert!(load(&storage, "c1").await.unwrap().is_none());
        assert_eq!(get("oauthPKCE").await, None);
    }

    #[tokio::test]
    async fn an_incomplete_set_is_not_in_flight() {
        let storage = SharedKeyValueStorage::new(MemoryStorage::new());
        storage
            .set("CognitoIdentityServiceProvider.c1.inflightOAuth", "true")
            .await
            .unwrap();
        assert!(load(&storage, "c1").await.unwrap().is_none());
    }
}
