//! The token store: Amplify's key layout, sign-out keeping device keys, and writes that fail
//! halfway leaving the previous tokens readable.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::tokens::{AuthTokens, Jwt, RefreshToken};
use auth_providers::{
    DeviceMetadata, KeyValueStorage, MemoryStorage, ProviderFuture, SharedKeyValueStorage,
    StorageError, StorageErrorKind, StorageFuture, TokenStore,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn jwt(claims: &serde_json::Value) -> Jwt {
    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
    let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
    Jwt::decode(format!("{h}.{p}.c2ln")).unwrap()
}

fn tokens(user: &str, generation: u32) -> AuthTokens {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let access = jwt(&serde_json::json!({
        "username": user, "sub": format!("sub-{user}"), "iat": 1_700_000_003, "exp": 1_700_003_600,
        "gen": generation,
    }));
    let id = jwt(&serde_json::json!({
        "cognito:username": user, "iat": 1_700_000_003, "exp": 1_700_003_600, "gen": generation,
    }));
    AuthTokens::new(access, now)
        .with_id_token(id)
        .with_refresh_token(RefreshToken::new(format!("refresh-{generation}")))
}

const PREFIX: &str = "CognitoIdentityServiceProvider.client1";

#[tokio::test]
async fn tokens_are_stored_under_amplify_keys() {
    let mem = MemoryStorage::new();
    let store = TokenStore::new(SharedKeyValueStorage::new(mem.clone()), "client1");
    let t = tokens("alice", 1);
    store.store(&t).await.unwrap();
    let get = |k: String| {
        let mem = mem.clone();
        async move { mem.get(&k).await.unwrap() }
    };
    assert_eq!(
        get(format!("{PREFIX}.LastAuthUser")).await.as_deref(),
        Some("alice")
    );
    assert_eq!(
        get(format!("{PREFIX}.alice.accessToken")).await.as_deref(),
        Some(t.access_token.as_str())
    );
    assert_eq!(
        get(format!("{PREFIX}.alice.idToken")).await.as_deref(),
        Some(t.id_token.as_ref().unwrap().as_str())
    );
    assert_eq!(
        get(format!("{PREFIX}.alice.refreshToken")).await.as_deref(),
        Some("refresh-1")
    );
    // clockDrift = iat·1000 − now = 3 s ahead.
    assert_eq!(
        get(format!("{PREFIX}.alice.clockDrift")).await.as_deref(),
        Some("3000")
    );
    let back = store.load().await.unwrap().unwrap();
    assert_eq!(back, t);
}

#[tokio::test]
async fn sign_out_clears_tokens_but_keeps_device_keys() {
    let mem = MemoryStorage::new();
    let store = TokenStore::new(SharedKeyValueStorage::new(mem.clone()), "client1");
    store.store(&tokens("alice", 1)).await.unwrap();
    store
        .store_sign_in_details("alice", r#"{"loginId":"alice"}"#)
        .await
        .unwrap();
    let device = DeviceMetadata::new("eu-west-1_dev", "-grp", "pw");
    store.store_device_metadata("alice", &device).await.unwrap();
    store
        .store_identity_id("eu-west-1:pool", "eu-west-1:id")
        .await
        .unwrap();
    store.clear_tokens().await.unwrap();

    assert!(store.load().await.unwrap().is_none());
    assert_eq!(store.sign_in_details("alice").await.unwrap(), None);
    assert_eq!(store.device_metadata("alice").await.unwrap(), Some(device));
    assert_eq!(
        mem.get(&format!("{PREFIX}.alice.deviceKey"))
            .await
            .unwrap()
            .as_deref(),
        Some("eu-west-1_dev")
    );
    assert_eq!(
        mem.get("com.amplify.Cognito.eu-west-1:pool.identityId")
            .await
            .unwrap()
            .as_deref(),
        Some("eu-west-1:id")
    );
    assert!(!format!("{:?}", store.device_metadata("alice").await.unwrap()).contains("pw\""));
}

#[tokio::test]
async fn a_token_of_another_user_is_not_mixed_in() {
    let mem = MemoryStorage::new();
    let store = TokenStore::new(SharedKeyValueStorage::new(mem.clone()), "client1");
    store.store(&tokens("alice", 1)).await.unwrap();
    mem.set(&format!("{PREFIX}.LastAuthUser"), "bob")
        .await
        .unwrap();
    mem.set(
        &format!("{PREFIX}.bob.accessToken"),
        tokens("alice", 2).access_token.as_str(),
    )
    .await
    .unwrap();
    assert!(store.load().await.is_err());
}

/// A storage that fails the n-th `set`/`remove` (counting from 1) and every later one until
/// healed; reads always work.
#[derive(Debug)]
struct FailingStorage {
    inner: MemoryStorage,
    writes: AtomicUsize,
    fail_at: usize,
    fail_once: bool,
    log: Mutex<Vec<String>>,
}

impl FailingStorage {
    fn write_allowed(&self, key: &str) -> Result<(), StorageError> {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        self.log.lock().unwrap().push(key.to_owned());
        let failing = if self.fail_once {
            n == self.fail_at
        } else {
            n >= self.fail_at
        };
        if failing {
            Err(StorageError::new(
                StorageErrorKind::Io,
                "disk full (injected)",
            ))
        } else {
            Ok(())
        }
    }
}

impl KeyValueStorage for FailingStorage {
    fn get(&self, key: &str) -> StorageFuture<'_, Option<String>> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> StorageFuture<'_, ()> {
        match self.write_allowed(key) {
            Ok(()) => self.inner.set(key, value),
            Err(e) => ProviderFuture::ready(Err(e)),
        }
    }
    fn remove(&self, key: &str) -> StorageFuture<'_, ()> {
        match self.write_allowed(key) {
            Ok(()) => self.inner.remove(key),
            Err(e) => ProviderFuture::ready(Err(e)),
        }
    }
    fn clear(&self) -> StorageFuture<'_, ()> {
        self.inner.clear()
    }
}

#[tokio::test]
async fn a_storage_write_failing_halfway_leaves_the_previous_tokens_readable() {
    // The token set is 5 writes; fail each one in turn (once, so the restore can work).
    for fail_at in 1..=5 {
        let mem = MemoryStorage::new();
        let seed = TokenStore::new(SharedKeyValueStorage::new(mem.clone()), "client1");
        let old = tokens("alice", 1);
        seed.store(&old).await.unwrap();

        let failing = std::sync::Arc::new(FailingStorage {
            inner: mem.clone(),
            writes: AtomicUsize::new(0),
            fail_at,
            fail_once: true,
            log: Mutex::default(),
        });
        let store = TokenStore::new(SharedKeyValueStorage::new(failing.clone()), "client1");
        let err = store.store(&tokens("alice", 2)).await.unwrap_err();
        assert!(err.to_string().contains("storage"), "{err}");
        let after = seed.load().await.unwrap().unwrap();
        assert_eq!(
            after, old,
            "fail_at={fail_at}: previous tokens must be intact"
        );
    }
}

#[tokio::test]
async fn a_failed_sign_in_of_a_new_user_leaves_the_previous_user_signed_in() {
    for fail_at in 1..=5 {
        let mem = MemoryStorage::new();
        let seed = TokenStore::new(SharedKeyValueStorage::new(mem.clone()), "client1");
        let old = tokens("alice", 1);
        seed.store(&old).await.unwrap();
        let failing = FailingStorage {
            inner: mem.clone(),
            writes: AtomicUsize::new(0),
            fail_at,
            fail_once: true,
            log: Mutex::default(),
        };
        let store = TokenStore::new(SharedKeyValueStorage::new(failing), "client1");
        assert!(store.store(&tokens("bob", 2)).await.is_err());
        assert_eq!(
            seed.load().await.unwrap().unwrap(),
            old,
            "fail_at={fail_at}"
        );
        assert_eq!(
            mem.get(&format!("{PREFIX}.bob.accessToken")).await.unwrap(),
            None,
            "bob's partial write was rolled back"
        );
    }
}

#[tokio::test]
async fn when_the_storage_stays_broken_the_previous_user_is_still_never_mixed() {
    // Writes fail from the 4th on (clockDrift of the new set) and the restore fails too: the
    // new access token is in place, LastAuthUser was never switched.
    let mem = MemoryStorage::new();
    let seed = TokenStore::new(SharedKeyValueStorage::new(mem.clone()), "client1");
    seed.store(&tokens("alice", 1)).await.unwrap();
    let failing = FailingStorage {
        inner: mem.clone(),
        writes: AtomicUsize::new(0),
        fail_at: 4,
        fail_once: false,
        log: Mutex::default(),
    };
    let store = TokenStore::new(SharedKeyValueStorage::new(failing), "client1");
    assert!(store.store(&tokens("bob", 2)).await.is_err());
    let loaded = seed.load().await.unwrap().unwrap();
    assert_eq!(loaded.username, "alice");
    assert_eq!(loaded.access_token.claims().username(), Some("alice"));
    let _ = SystemTime::now();
}
