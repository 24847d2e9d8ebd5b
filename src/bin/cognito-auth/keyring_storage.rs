//! [`KeyringStorage`]: a [`KeyValueStorage`] in the OS keyring, for `--tokens keyring`.
//!
//! The whole map is one [`BlobMap`] blob (the JSON document `FileStorage` writes) kept in
//! keyring entries of service `cognito-auth`, named after the store file (`<path>#0`,
//! `<path>#1`, …). It is cut in chunks of [`CHUNK`] bytes because Windows' Credential Manager holds at most 2,560 bytes per entry
//! and three Cognito tokens are larger; chunk 0 starts with the number of chunks. Chunks are
//! written last to first, so a reader that sees the new chunk 0 sees the other new chunks.
//!
//! The backends: the kernel's keyutils on Linux (works headless; the persistent keyring
//! keeps entries for a few days of inactivity and never across a reboot), the Keychain on
//! macOS, Credential Manager on Windows. Every call runs on tokio's blocking pool, as
//! `FileStorage` does.

use std::cell::Cell;
use std::fmt;
use std::sync::{Arc, Mutex};

use auth::providers::{
    BlobMap, KeyValueStorage, ProviderFuture, StorageError, StorageErrorKind, StorageFuture,
};
use keyring::Entry;

type Map = BlobMap;

/// The keyring service every entry is under.
pub(crate) const SERVICE: &str = "cognito-auth";

/// The largest chunk, under Windows' 2,560-byte limit.
const CHUNK: usize = 2000;

/// A [`KeyValueStorage`] kept in the OS keyring under one name.
#[derive(Clone)]
pub(crate) struct KeyringStorage {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    chunk: usize,
    write_lock: Mutex<()>,
}

impl fmt::Debug for KeyringStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyringStorage")
            .field("service", &SERVICE)
            .field("name", &self.inner.name)
            .finish()
    }
}

impl KeyringStorage {
    /// The storage named `name` (the store file's absolute path).
    pub(crate) fn new(name: &str) -> Result<Self, StorageError> {
        Self::with_chunk(name, CHUNK)
    }

    fn with_chunk(name: &str, chunk: usize) -> Result<Self, StorageError> {
        let storage = Self {
            inner: Arc::new(Inner {
                name: name.to_owned(),
                chunk,
                write_lock: Mutex::new(()),
            }),
        };
        // Fails early when no keyring backend can be reached.
        storage.inner.entry(0)?;
        Ok(storage)
    }

    fn blocking<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Inner) -> Result<T, StorageError> + Send + 'static,
    ) -> StorageFuture<'_, T> {
        let inner = Arc::clone(&self.inner);
        ProviderFuture::new(async move {
            tokio::task::spawn_blocking(move || op(&inner))
                .await
                .map_err(|e| {
                    StorageError::new(StorageErrorKind::Other, "the keyring task failed")
                        .with_source(e)
                })?
        })
    }
}

impl Inner {
    fn entry(&self, index: usize) -> Result<Entry, StorageError> {
        // On Linux, keyrings belong to a thread's credentials. In a thread without a session
        // keyring (a service, a container, a thread started before the process got one), the
        // first entry opened makes the kernel install one (KEYCTL_GET_PERSISTENT links the
        // persistent keyring into it), and that first entry, still bound to the user-session
        // keyring, can neither link its key into the persistent keyring nor find keys there.
        // Entries opened afterwards can: so each thread opens a throwaway entry first.
        thread_local!(static READY: Cell<bool> = const { Cell::new(false) });
        if !READY.get() {
            Entry::new(SERVICE, "session")
                .map_err(|e| unavailable("could not open a keyring entry", e))?;
            READY.set(true);
        }
        Entry::new(SERVICE, &format!("{}#{index}", self.name))
            .map_err(|e| unavailable("could not open a keyring entry", e))
    }

    fn read(&self) -> Result<Map, StorageError> {
        let first = match self.entry(0)?.get_secret() {
            Ok(bytes) => bytes,
            Err(keyring::Error::NoEntry) => return Ok(Map::new()),
            Err(e) => return Err(unavailable("could not read the keyring", e)),
        };
        let newline = first
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| corrupt("the keyring entry has no chunk count"))?;
        let count: usize = std::str::from_utf8(&first[..newline])
            .ok()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| corrupt("the keyring entry's chunk count is unreadable"))?;
        let mut json = first[newline + 1..].to_vec();
        for index in 1..count {
            match self.entry(index)?.get_secret() {
                Ok(bytes) => json.extend_from_slice(&bytes),
                Err(keyring::Error::NoEntry) => {
                    return Err(corrupt("a chunk of the keyring entry is missing"));
                }
                Err(e) => return Err(unavailable("could not read the keyring", e)),
            }
        }
        Map::from_blob(&json)
    }

    fn modify(&self, change: impl FnOnce(&mut Map)) -> Result<(), StorageError> {
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let old = self.read()?;
        let mut map = old.clone();
        change(&mut map);
        if map == old {
            return Ok(());
        }
        let old_count = self.count()?;
        if map.is_empty() {
            return self.delete(0, old_count);
        }
        let json = map.to_blob();
        // The count must fit in chunk 0 with some JSON: count the chunks with the header in.
        let mut count = json.len().div_ceil(self.chunk).max(1);
        let blob = loop {
            let mut blob = format!("{count}\n").into_bytes();
            blob.extend_from_slice(&json);
            let needed = blob.len().div_ceil(self.chunk);
            if needed <= count {
                break blob;
            }
            count = needed;
        };
        let chunks: Vec<&[u8]> = blob.chunks(self.chunk).collect();
        for (index, chunk) in chunks.iter().enumerate().rev() {
            self.entry(index)?
                .set_secret(chunk)
                .map_err(|e| unavailable("could not write to the keyring", e))?;
        }
        self.delete(chunks.len(), old_count)
    }

    /// The number of chunks stored now (0 when there is no entry).
    fn count(&self) -> Result<usize, StorageError> {
        match self.entry(0)?.get_secret() {
            Ok(bytes) => Ok(bytes
                .split(|b| *b == b'\n')
                .next()
                .and_then(|n| std::str::from_utf8(n).ok())
                .and_then(|n| n.parse().ok())
                .unwrap_or(1)),
            Err(keyring::Error::NoEntry) => Ok(0),
            Err(e) => Err(unavailable("could not read the keyring", e)),
        }
    }

    /// Deletes chunks `from..to` (chunk 0 last, so the entry never points at missing chunks).
    fn delete(&self, from: usize, to: usize) -> Result<(), StorageError> {
        for index in (from..to).rev() {
            match self.entry(index)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(unavailable("could not delete from the keyring", e)),
            }
        }
        Ok(())
    }
}

fn unavailable(message: &'static str, error: keyring::Error) -> StorageError {
    StorageError::new(StorageErrorKind::Unavailable, message).with_source(error)
}

fn corrupt(message: &'static str) -> StorageError {
    StorageError::new(StorageErrorKind::Corrupt, message)
}

impl KeyValueStorage for KeyringStorage {
    fn get(&self, key: &str) -> StorageFuture<'_, Option<String>> {
        let key = key.to_owned();
        self.blocking(move |inner| Ok(inner.read()?.remove(&key)))
    }

    fn set(&self, key: &str, value: &str) -> StorageFuture<'_, ()> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.blocking(move |inner| {
            inner.modify(|map| {
                map.insert(key, value);
            })
        })
    }

    fn remove(&self, key: &str) -> StorageFuture<'_, ()> {
        let key = key.to_owned();
        self.blocking(move |inner| {
            inner.modify(|map| {
                map.remove(&key);
            })
        })
    }

    fn clear(&self) -> StorageFuture<'_, ()> {
        self.blocking(|inner| inner.modify(Map::clear))
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    /// A storage with a unique name, or `None` (and why, on stderr) when this machine has no
    /// usable keyring: a container whose seccomp profile forbids the keyutils system calls,
    /// or a kernel without them.
    fn storage(chunk: usize) -> Option<KeyringStorage> {
        let name = format!(
            "cognito-auth-test-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let probe = KeyringStorage::with_chunk(&name, chunk).and_then(|storage| {
            let entry = storage.inner.entry(usize::MAX)?;
            entry
                .set_secret(b"probe")
                .and_then(|()| entry.delete_credential())
                .map_err(|e| unavailable("the probe failed", e))?;
            Ok(storage)
        });
        match probe {
            Ok(storage) => Some(storage),
            Err(e) => {
                eprintln!(
                    "SKIPPED: the OS keyring is unavailable here: {e}: {:?}",
                    e.source()
                );
                None
            }
        }
    }

    #[tokio::test]
    async fn values_round_trip_through_the_keyring_in_several_chunks() {
        let Some(storage) = storage(64) else { return };
        assert_eq!(storage.get("a").await.unwrap(), None);
        let token = "eyJ".repeat(100); // 300 bytes: five chunks of 64
        storage.set("token", &token).await.unwrap();
        storage.set("a", "1").await.unwrap();
        assert_eq!(
            storage.get("token").await.unwrap().as_deref(),
            Some(token.as_str())
        );
        assert_eq!(storage.get("a").await.unwrap().as_deref(), Some("1"));
        // A new handle on the same name (another process) reads the same values.
        let again = KeyringStorage::with_chunk(&storage.inner.name, 64).unwrap();
        assert_eq!(
            again.get("token").await.unwrap().as_deref(),
            Some(token.as_str())
        );

        // Shrinking drops the chunks no longer needed.
        storage.remove("token").await.unwrap();
        assert_eq!(storage.get("token").await.unwrap(), None);
        assert_eq!(storage.inner.count().unwrap(), 1);
        assert!(matches!(
            storage.inner.entry(2).unwrap().get_secret(),
            Err(keyring::Error::NoEntry)
        ));

        storage.clear().await.unwrap();
        assert_eq!(storage.get("a").await.unwrap(), None);
        assert_eq!(storage.inner.count().unwrap(), 0);
    }

    #[tokio::test]
    async fn a_missing_chunk_is_reported_as_corrupt() {
        let Some(storage) = storage(16) else { return };
        storage.set("k", &"v".repeat(100)).await.unwrap();
        storage.inner.entry(3).unwrap().delete_credential().unwrap();
        let err = storage.get("k").await.unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::Corrupt);
        storage.inner.delete(0, 20).unwrap();
    }
}
