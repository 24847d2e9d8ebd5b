//! [`RedisStorage`]: sessions shared by a fleet of servers.

use std::time::Duration;

use auth_core::Sensitive;
use redis::aio::ConnectionManager;

use super::{KeyValueStorage, StorageError, StorageErrorKind, StorageFuture};
use crate::future::ProviderFuture;

/// A [`KeyValueStorage`] in Redis (feature `redis`), for servers that share sessions.
///
/// Every key is stored under a prefix (so one Redis can hold several stores, and
/// [`clear`](KeyValueStorage::clear) removes only this store's keys, by `SCAN`), and
/// optionally with a TTL that each write renews. The connection reconnects by itself.
///
/// ```no_run
/// use std::time::Duration;
/// use auth_providers::{KeyValueStorage, RedisStorage};
///
/// # async fn run() -> Result<(), auth_providers::StorageError> {
/// let storage = RedisStorage::builder("redis://127.0.0.1:6379/")
///     .key_prefix("myapp:auth:")
///     .ttl(Duration::from_secs(30 * 24 * 3600))
///     .build()
///     .await?;
/// storage.set("CognitoIdentityServiceProvider.client.LastAuthUser", "alice").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStorage {
    connection: ConnectionManager,
    prefix: String,
    ttl: Option<Duration>,
}

impl std::fmt::Debug for RedisStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStorage")
            .field("prefix", &self.prefix)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// Builds a [`RedisStorage`]. `Debug` redacts the URL (it may carry a password).
#[derive(Debug, Clone)]
pub struct RedisStorageBuilder {
    url: Sensitive,
    prefix: String,
    ttl: Option<Duration>,
}

impl RedisStorageBuilder {
    /// Prefix of every key (default `"auth:"`).
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Expire keys this long after their last write (default: never). Whole seconds; at
    /// least one.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Sets or clears the TTL.
    pub fn set_ttl(&mut self, ttl: Option<Duration>) -> &mut Self {
        self.ttl = ttl;
        self
    }

    /// Connects (`redis://host:port/db`, `rediss://…`, `redis+unix:///path`).
    pub async fn build(self) -> Result<RedisStorage, StorageError> {
        let client = redis::Client::open(self.url.expose()).map_err(|e| {
            StorageError::new(StorageErrorKind::Other, "invalid Redis URL").with_source(e)
        })?;
        let connection = ConnectionManager::new(client).await.map_err(unavailable)?;
        Ok(RedisStorage {
            connection,
            prefix: self.prefix,
            ttl: self.ttl,
        })
    }
}

fn unavailable(e: redis::RedisError) -> StorageError {
    StorageError::new(StorageErrorKind::Unavailable, "the Redis command failed").with_source(e)
}

/// Escapes glob characters so the prefix matches literally in `SCAN MATCH`.
fn glob_escape(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('*');
    out
}

impl RedisStorage {
    /// A builder for the server at `url`.
    pub fn builder(url: impl Into<String>) -> RedisStorageBuilder {
        RedisStorageBuilder {
            url: Sensitive::new(url),
            prefix: "auth:".into(),
            ttl: None,
        }
    }

    /// The key prefix.
    pub fn key_prefix(&self) -> &str {
        &self.prefix
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

impl KeyValueStorage for RedisStorage {
    fn get(&self, key: &str) -> StorageFuture<'_, Option<String>> {
        let key = self.key(key);
        let mut conn = self.connection.clone();
        ProviderFuture::new(async move {
            redis::cmd("GET")
                .arg(&key)
                .query_async::<Option<String>>(&mut conn)
                .await
                .map_err(unavailable)
        })
    }

    fn set(&self, key: &str, value: &str) -> StorageFuture<'_, ()> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.key(key)).arg(value);
        if let Some(ttl) = self.ttl {
            cmd.arg("EX").arg(ttl.as_secs().max(1));
        }
        let mut conn = self.connection.clone();
        ProviderFuture::new(
            async move { cmd.query_async::<()>(&mut conn).await.map_err(unavailable) },
        )
    }

    fn remove(&self, key: &str) -> StorageFuture<'_, ()> {
        let key = self.key(key);
        let mut conn = self.connection.clone();
        ProviderFuture::new(async move {
            redis::cmd("DEL")
                .arg(&key)
                .query_async::<()>(&mut conn)
                .await
                .map_err(unavailable)
        })
    }

    fn clear(&self) -> StorageFuture<'_, ()> {
        let pattern = glob_escape(&self.prefix);
        let mut conn = self.connection.clone();
        ProviderFuture::new(async move {
            let mut cursor: u64 = 0;
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(500)
                    .query_async(&mut conn)
                    .await
                    .map_err(unavailable)?;
                if !keys.is_empty() {
                    redis::cmd("DEL")
                        .arg(&keys)
                        .query_async::<()>(&mut conn)
                        .await
                        .map_err(unavailable)?;
                }
                if next == 0 {
                    return Ok(());
                }
                cursor = next;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_matched_literally() {
        assert_eq!(glob_escape("a*b?[c]"), "a\\*b\\?\\[c\\]*");
    }

    #[test]
    fn builder_debug_never_shows_the_url_password() {
        let builder = RedisStorage::builder("redis://:hunter2@cache.internal:6379/0");
        let shown = format!("{builder:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
