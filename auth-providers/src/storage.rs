//! [`KeyValueStorage`]: where tokens, device keys and identity ids are kept (Amplify
//! `KeyValueStorageInterface`), and its implementations.

use std::borrow::Cow;
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
