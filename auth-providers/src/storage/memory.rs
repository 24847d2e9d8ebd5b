use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use super::{KeyValueStorage, StorageFuture};
use crate::future::ProviderFuture;

/// An in-memory [`KeyValueStorage`]; clones share the same map.
///
/// Values do not survive the process (Amplify's `sessionStorage` / in-memory default). It
/// counts its writes ([`KeyValueStorage::revision`]), so a client skips re-reading what it
/// decoded while nothing was written.
#[derive(Clone, Default)]
pub struct MemoryStorage {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    map: RwLock<HashMap<String, String>>,
    /// Bumped under the write lock by every write, after the map changed.
    revision: AtomicU64,
}

impl Inner {
    fn write<R>(&self, f: impl FnOnce(&mut HashMap<String, String>) -> R) -> R {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        let out = f(&mut map);
        self.revision.fetch_add(1, Ordering::Release);
        out
    }
}

impl MemoryStorage {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many keys are stored.
    pub fn len(&self) -> usize {
        self.inner
            .map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for MemoryStorage {
    // Never print values: they are tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStorage")
            .field("keys", &self.len())
            .finish()
    }
}

impl KeyValueStorage for MemoryStorage {
    fn get(&self, key: &str) -> StorageFuture<'_, Option<String>> {
        let map = self.inner.map.read().unwrap_or_else(|e| e.into_inner());
        ProviderFuture::ready(Ok(map.get(key).cloned()))
    }

    fn set(&self, key: &str, value: &str) -> StorageFuture<'_, ()> {
        self.inner
            .write(|map| map.insert(key.to_owned(), value.to_owned()));
        ProviderFuture::ready(Ok(()))
    }

    fn remove(&self, key: &str) -> StorageFuture<'_, ()> {
        self.inner.write(|map| map.remove(key));
        ProviderFuture::ready(Ok(()))
    }

    fn clear(&self) -> StorageFuture<'_, ()> {
        self.inner.write(HashMap::clear);
        ProviderFuture::ready(Ok(()))
    }

    fn value_equals<'a>(&'a self, key: &str, expected: &'a str) -> StorageFuture<'a, bool> {
        // Compared under the lock: no copy of the value.
        let map = self.inner.map.read().unwrap_or_else(|e| e.into_inner());
        ProviderFuture::ready(Ok(map.get(key).is_some_and(|v| v == expected)))
    }

    fn revision(&self) -> Option<u64> {
        Some(self.inner.revision.load(Ordering::Acquire))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_storage_round_trips_and_clones_share_state() {
        let a = MemoryStorage::new();
        let b = a.clone();
        a.set("k", "v").await.unwrap();
        assert_eq!(b.get("k").await.unwrap().as_deref(), Some("v"));
        b.remove("k").await.unwrap();
        b.remove("missing").await.unwrap();
        assert_eq!(a.get("k").await.unwrap(), None);
        a.set("x", "1").await.unwrap();
        a.clear().await.unwrap();
        assert!(b.is_empty());
        assert!(!format!("{a:?}").contains('1') || format!("{a:?}").contains("keys"));
    }

    /// Forwards `get` only: `value_equals` is the trait's default.
    #[derive(Debug)]
    struct GetOnly(MemoryStorage);

    impl KeyValueStorage for GetOnly {
        fn get(&self, key: &str) -> StorageFuture<'_, Option<String>> {
            self.0.get(key)
        }
        fn set(&self, key: &str, value: &str) -> StorageFuture<'_, ()> {
            self.0.set(key, value)
        }
        fn remove(&self, key: &str) -> StorageFuture<'_, ()> {
            self.0.remove(key)
        }
        fn clear(&self) -> StorageFuture<'_, ()> {
            self.0.clear()
        }
    }

    #[tokio::test]
    async fn value_equals_compares_in_place_and_by_default_through_get() {
        let memory = MemoryStorage::new();
        memory.set("k", "token-1").await.unwrap();
        let default = GetOnly(memory.clone());
        let shared = crate::SharedKeyValueStorage::new(memory.clone());
        for (name, store) in [
            ("memory", &memory as &dyn KeyValueStorage),
            ("default", &default),
            ("shared", &shared),
        ] {
            assert!(store.value_equals("k", "token-1").await.unwrap(), "{name}");
            assert!(!store.value_equals("k", "token-2").await.unwrap(), "{name}");
            assert!(!store.value_equals("k", "token-").await.unwrap(), "{name}");
            assert!(!store.value_equals("missing", "").await.unwrap(), "{name}");
        }
    }

    #[tokio::test]
    async fn every_write_through_any_clone_moves_the_revision_and_reads_do_not() {
        let memory = MemoryStorage::new();
        let clone = memory.clone();
        let shared = crate::SharedKeyValueStorage::new(memory.clone());
        let start = memory.revision().unwrap();
        memory.get("k").await.unwrap();
        memory.value_equals("k", "v").await.unwrap();
        assert_eq!(memory.revision(), Some(start), "reads leave it");
        let mut seen = vec![start];
        clone.set("k", "v").await.unwrap();
        seen.push(shared.revision().unwrap());
        clone.set("k", "v").await.unwrap();
        seen.push(memory.revision().unwrap());
        shared.remove("missing").await.unwrap();
        seen.push(memory.revision().unwrap());
        memory.clear().await.unwrap();
        seen.push(clone.revision().unwrap());
        let mut distinct = seen.clone();
        distinct.dedup();
        assert_eq!(distinct, seen, "each write moved it: {seen:?}");
        // A wrapper that does not forward it cannot tell.
        assert_eq!(GetOnly(memory).revision(), None);
    }
}
