//! [`KeyValueStorage`]: where tokens, device keys and identity ids are kept (Amplify
//! `KeyValueStorageInterface`), and its implementations.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{ErrorKind, ErrorRepr, error_shape};
use crate::future::ProviderFuture;

mod file;
mod memory;
#[cfg(feature = "redis")]
mod redis;

pub use file::FileStorage;
pub use memory::MemoryStorage;
#[cfg(feature = "redis")]
pub use redis::{RedisStorage, RedisStorageBuilder};

/// The future returned by [`KeyValueStorage`] methods.
pub type StorageFuture<'a, T> = ProviderFuture<'a, Result<T, StorageError>>;

/// An async string-to-string store (Amplify's `KeyValueStorageInterface`).
///
/// Each call is atomic on its own; there are no transactions. A value that was
/// [`set`](KeyValueStorage::set) is returned by a later [`get`](KeyValueStorage::get) from
/// any clone or, for shared backends, any process. Share one with [`SharedKeyValueStorage`].
///
/// # Example: a storage that namespaces another
///
/// ```
/// use auth_providers::{KeyValueStorage, MemoryStorage, ProviderFuture, StorageFuture};
///
/// /// Prefixes every key, so two apps can share one backing store.
/// #[derive(Debug)]
/// struct Namespaced<S> { prefix: String, inner: S }
///
/// impl<S: KeyValueStorage> KeyValueStorage for Namespaced<S> {
///     fn get(&self, key: &str) -> StorageFuture<'_, Option<String>> {
///         let key = format!("{}{key}", self.prefix);
///         ProviderFuture::new(async move { self.inner.get(&key).await })
///     }
///     fn set(&self, key: &str, value: &str) -> StorageFuture<'_, ()> {
///         let (key, value) = (format!("{}{key}", self.prefix), value.to_owned());
///         ProviderFuture::new(async move { self.inner.set(&key, &value).await })
///     }
///     fn remove(&self, key: &str) -> StorageFuture<'_, ()> {
///         let key = format!("{}{key}", self.prefix);
///         ProviderFuture::new(async move { self.inner.remove(&key).await })
///     }
///     fn clear(&self) -> StorageFuture<'_, ()> {
///         self.inner.clear()
///     }
/// }
///
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # rt.block_on(async {
/// let store = Namespaced { prefix: "app1:".into(), inner: MemoryStorage::new() };
/// store.set("k", "v").await.unwrap();
/// assert_eq!(store.inner.get("app1:k").await.unwrap().as_deref(), Some("v"));
/// # });
/// ```
pub trait KeyValueStorage: Send + Sync + fmt::Debug {
    /// The value under `key`, if any.
    fn get(&self, key: &str) -> StorageFuture<'_, Option<String>>;
    /// Stores `value` under `key`, replacing any previous value.
    fn set(&self, key: &str, value: &str) -> StorageFuture<'_, ()>;
    /// Removes `key`; removing a missing key is not an error.
    fn remove(&self, key: &str) -> StorageFuture<'_, ()>;
    /// Removes every key of this store.
    fn clear(&self) -> StorageFuture<'_, ()>;

    /// Whether the value under `key` is exactly `expected` (`false` when there is none): how
    /// a client checks, on every call, that what it decoded earlier is still what is stored.
    ///
    /// The default reads the value with [`get`](KeyValueStorage::get) (and zeroizes the
    /// copy); a store that can compare in place overrides it to copy nothing.
    fn value_equals<'a>(&'a self, key: &str, expected: &'a str) -> StorageFuture<'a, bool> {
        let stored = self.get(key);
        ProviderFuture::new(async move {
            let stored = stored.await?.map(zeroize::Zeroizing::new);
            Ok(stored.is_some_and(|s| s.as_str() == expected))
        })
    }

    /// A number that changes whenever this store's contents change, when the store can tell;
    /// `None` (the default) when it cannot.
    ///
    /// An in-process store that sees every write ([`MemoryStorage`]) counts its writes. A
    /// store another process may write to (a file, Redis) returns `None`. A client that
    /// decoded what it read may skip reading again while the revision it saw before reading
    /// is unchanged, and reads (or compares with
    /// [`value_equals`](KeyValueStorage::value_equals)) whenever the revision is `None` or
    /// has moved. A wrapper that forwards this must forward every write too.
    fn revision(&self) -> Option<u64> {
        None
    }
}

impl<T: KeyValueStorage + ?Sized> KeyValueStorage for Arc<T> {
    fn get(&self, key: &str) -> StorageFuture<'_, Option<String>> {
        (**self).get(key)
    }
    fn set(&self, key: &str, value: &str) -> StorageFuture<'_, ()> {
        (**self).set(key, value)
    }
    fn remove(&self, key: &str) -> StorageFuture<'_, ()> {
        (**self).remove(key)
    }
    fn clear(&self) -> StorageFuture<'_, ()> {
        (**self).clear()
    }
    fn value_equals<'a>(&'a self, key: &str, expected: &'a str) -> StorageFuture<'a, bool> {
        (**self).value_equals(key, expected)
    }
    fn revision(&self) -> Option<u64> {
        (**self).revision()
    }
}

/// A cheaply cloneable, type-erased [`KeyValueStorage`].
#[derive(Debug, Clone)]
pub struct SharedKeyValueStorage(Arc<dyn KeyValueStorage>);

impl SharedKeyValueStorage {
    /// Wraps a storage.
    pub fn new(storage: impl KeyValueStorage + 'static) -> Self {
        Self(Arc::new(storage))
    }
}

impl KeyValueStorage for SharedKeyValueStorage {
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
    fn value_equals<'a>(&'a self, key: &str, expected: &'a str) -> StorageFuture<'a, bool> {
        self.0.value_equals(key, expected)
    }
    fn revision(&self) -> Option<u64> {
        self.0.revision()
    }
}

/// A whole store as one blob: a string-to-string map serialised as one JSON object of
/// strings (`{"key":"value",…}`, keys sorted).
///
/// The one serialisation of the stores kept whole in a single place: [`FileStorage`]'s file
/// and the `cognito-auth` binary's keyring entries. Its [`Debug`](fmt::Debug) shows the keys
/// only (the values are tokens), and the values are zeroized on drop.
///
/// ```
/// use auth_providers::BlobMap;
///
/// let mut map = BlobMap::new();
/// map.insert("k".to_owned(), "v".to_owned());
/// assert_eq!(&*map.to_blob(), br#"{"k":"v"}"#);
/// let read = BlobMap::from_blob(br#"{ "k": "v" }"#).unwrap();
/// assert_eq!(read.get("k"), Some("v"));
/// assert!(BlobMap::from_blob(b"[1]").is_err());
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct BlobMap(BTreeMap<String, String>);

impl BlobMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a blob written by [`to_blob`](Self::to_blob) (or any JSON object of strings).
    ///
    /// # Errors
    ///
    /// [`StorageErrorKind::Corrupt`] when `blob` is not a JSON object of strings; the parse
    /// error is the source.
    pub fn from_blob(blob: &[u8]) -> Result<Self, StorageError> {
        serde_json::from_slice(blob).map(Self).map_err(|e| {
            StorageError::new(
                StorageErrorKind::Corrupt,
                "the stored data is not a JSON object of strings",
            )
            .with_source(e)
        })
    }

    /// The map as one blob: compact JSON, keys sorted (zeroized on drop).
    pub fn to_blob(&self) -> zeroize::Zeroizing<Vec<u8>> {
        // A map of strings to strings always serialises.
        zeroize::Zeroizing::new(serde_json::to_vec(&self.0).unwrap_or_default())
    }

    /// The value under `key`, if any.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Stores `value` under `key`, returning the previous value.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        self.0.insert(key, value)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.0.remove(key)
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        for value in self.0.values_mut() {
            zeroize::Zeroize::zeroize(value);
        }
        self.0.clear();
    }

    /// Whether the map has no keys.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl Drop for BlobMap {
    fn drop(&mut self) {
        self.clear();
    }
}

impl fmt::Debug for BlobMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobMap")
            .field("keys", &self.0.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Why a storage operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageErrorKind {
    /// Reading or writing the backing file failed.
    Io,
    /// The backing data exists but cannot be parsed. It is left untouched for inspection;
    /// no write goes through until it is repaired or removed.
    Corrupt,
    /// A remote backend (Redis) could not be reached or refused the command. Transient.
    Unavailable,
    /// Anything else (a custom storage's own failure).
    Other,
}

impl ErrorKind for StorageErrorKind {
    fn is_transient(self) -> bool {
        self == Self::Unavailable
    }
}

impl fmt::Display for StorageErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Io => "storage I/O error",
            Self::Corrupt => "storage is corrupt",
            Self::Unavailable => "storage unavailable",
            Self::Other => "storage error",
        })
    }
}

/// A failed [`KeyValueStorage`] operation. Cheap to clone; the cause is the
/// [`source()`](std::error::Error::source). The same layout as
/// [`ProviderError`](crate::ProviderError) and [`HttpError`](crate::HttpError), plus the file
/// the error is about.
#[derive(Clone)]
pub struct StorageError {
    repr: ErrorRepr<StorageErrorKind>,
    path: Option<PathBuf>,
}

impl StorageError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: StorageErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            repr: ErrorRepr::new(kind, message.into()),
            path: None,
        }
    }

    /// Attaches the file the error is about.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The file the error is about, for file storage.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }
}

impl fmt::Debug for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.repr
            .debug(f, "StorageError")
            .field("path", &self.path)
            .finish()
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.repr.fmt(f)?;
        if let Some(path) = &self.path {
            write!(f, " ({})", path.display())?;
        }
        Ok(())
    }
}

error_shape!(StorageError, StorageErrorKind, repr);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_map_keeps_the_existing_format() {
        // Bytes as FileStorage and the keyring storage wrote them before BlobMap existed
        // (`serde_json::to_vec` of a `BTreeMap<String, String>`).
        let old = br#"{"CognitoIdentityServiceProvider.c.LastAuthUser":"alice","a\"b":"\u00e9\n"}"#;
        let map = BlobMap::from_blob(old).unwrap();
        assert_eq!(
            map.get("CognitoIdentityServiceProvider.c.LastAuthUser"),
            Some("alice")
        );
        assert_eq!(map.get("a\"b"), Some("\u{e9}\n"));
        assert_eq!(map.len(), 2);
        let mut legacy = BTreeMap::new();
        legacy.insert("a\"b".to_owned(), "\u{e9}\n".to_owned());
        legacy.insert(
            "CognitoIdentityServiceProvider.c.LastAuthUser".to_owned(),
            "alice".to_owned(),
        );
        assert_eq!(*map.to_blob(), serde_json::to_vec(&legacy).unwrap());
        assert_eq!(BlobMap::from_blob(&map.to_blob()).unwrap(), map);
        assert_eq!(&*BlobMap::new().to_blob(), b"{}");
    }

    #[test]
    fn blob_map_rejects_what_is_not_an_object_of_strings() {
        for bad in [&b""[..], b"null", b"[]", br#"{"a":1}"#, br#"{"a":"1","#] {
            let e = BlobMap::from_blob(bad).unwrap_err();
            assert_eq!(e.kind(), StorageErrorKind::Corrupt);
            assert!(std::error::Error::source(&e).is_some());
        }
    }

    #[test]
    fn blob_map_debug_shows_keys_not_values() {
        let mut map = BlobMap::new();
        map.insert("idToken".to_owned(), "eyJsecret".to_owned());
        let debug = format!("{map:?}");
        assert!(debug.contains("idToken"), "{debug}");
        assert!(!debug.contains("eyJsecret"), "{debug}");
    }
}
