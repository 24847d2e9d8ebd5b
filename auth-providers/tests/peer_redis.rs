//! `RedisStorage` against a real redis-server (`REDIS_URL` in peers.env or `AUTH_REDIS_URL`).
#![cfg(feature = "redis")]

#[path = "../../tests/support/peers.rs"]
mod peers;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::tokens::{AuthTokens, Jwt, RefreshToken};
use auth_providers::{
    DeviceMetadata, KeyValueStorage, RedisStorage, SharedKeyValueStorage, TokenStore,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn unique_prefix(name: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("test:{name}:{}:{nanos}:", std::process::id())
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn redis_storage_round_trips_with_prefix_and_ttl() {
    let url = peers::redis();
    let prefix = unique_prefix("kv");
    let storage = RedisStorage::builder(&url)
        .key_prefix(&prefix)
        .ttl(Duration::from_secs(600))
        .build()
        .await
        .unwrap();
    let neighbour_prefix = unique_prefix("neighbour");
    let neighbour = RedisStorage::builder(&url)
        .key_prefix(&neighbour_prefix)
        .build()
        .await
        .unwrap();

    assert_eq!(storage.get("a").await.unwrap(), None);
    storage.set("a", "1").await.unwrap();
    storage.set("b*[?]", "2").await.unwrap();
    neighbour.set("a", "kept").await.unwrap();
    assert_eq!(storage.get("a").await.unwrap().as_deref(), Some("1"));

    // The key really is prefixed and has a TTL.
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("{prefix}a"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 0 && ttl <= 600, "ttl={ttl}");
    let no_ttl: i64 = redis::cmd("TTL")
        .arg(format!("{neighbour_prefix}a"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(no_ttl, -1);

    storage.remove("a").await.unwrap();
    storage.remove("never-set").await.unwrap();
    assert_eq!(storage.get("a").await.unwrap(), None);
    storage.clear().await.unwrap();
    assert_eq!(storage.get("b*[?]").await.unwrap(), None);
    assert_eq!(
        neighbour.get("a").await.unwrap().as_deref(),
        Some("kept"),
        "clear removes only this store's keys"
    );
    neighbour.clear().await.unwrap();
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn two_servers_share_a_session_through_redis() {
    let url = peers::redis();
    let prefix = unique_prefix("fleet");
    let server = |prefix: String| {
        let url = url.clone();
        async move {
            let storage = RedisStorage::builder(url)
                .key_prefix(prefix)
                .build()
                .await
                .unwrap();
            TokenStore::new(SharedKeyValueStorage::new(storage), "client1")
        }
    };
    let a = server(prefix.clone()).await;
    let b = server(prefix.clone()).await;

    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
    let p = URL_SAFE_NO_PAD.encode(br#"{"username":"alice","exp":4000000000,"iat":1700000000}"#);
    let access = Jwt::decode(format!("{h}.{p}.c2ln")).unwrap();
    let tokens =
        AuthTokens::new(access, SystemTime::now()).with_refresh_token(RefreshToken::new("refresh"));
    a.store(&tokens).await.unwrap();
    a.store_device_metadata("alice", &DeviceMetadata::new("dk", "dgk", "pw"))
        .await
        .unwrap();

    let seen = b.load().await.unwrap().expect("server b sees the session");
    assert_eq!(seen.username, "alice");
    assert_eq!(seen.refresh_token.unwrap().as_str(), "refresh");
    b.clear_tokens().await.unwrap();
    assert!(a.load().await.unwrap().is_none());
    assert!(a.device_metadata("alice").await.unwrap().is_some());
    a.storage().clear().await.unwrap();
}
