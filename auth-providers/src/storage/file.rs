//! One JSON file per store, replaced atomically.
//!
//! Every write serialises the whole map to a temporary file in the same directory, fsyncs
//! it, renames it over the store and fsyncs the directory. `rename(2)` within a directory is
//! atomic, so a reader in any process sees the old file or the new one, never a mix, even if
//! the writer is killed mid-write (a stray `.tmp` file may then be left behind; it is never
//! read). A file that does not parse is reported as [`StorageErrorKind::Corrupt`] and left
//! alone: neither reads nor writes touch it until someone repairs or removes it.
//!
//! Writers inside one process are serialised. Two *processes* writing the same file each
//! replace it whole, so one may drop the other's concurrent change: give each writing
//! process its own file (readers may be anywhere).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::{BlobMap, KeyValueStorage, StorageError, StorageErrorKind, StorageFuture};
use crate::future::ProviderFuture;

type Map = BlobMap;

/// A [`KeyValueStorage`] kept in one JSON file, written atomically with owner-only
/// permissions (`0600`, directory `0700` when created).
///
/// ```
/// use auth_providers::{FileStorage, KeyValueStorage};
///
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # rt.block_on(async {
/// let dir = tempfile::tempdir().unwrap();
/// let storage = FileStorage::new(dir.path().join("session.json"));
/// storage.set("CognitoIdentityServiceProvider.client.LastAuthUser", "alice").await.unwrap();
/// let reopened = FileStorage::new(dir.path().join("session.json"));
/// assert_eq!(reopened.get("CognitoIdentityServiceProvider.client.LastAuthUser").await.unwrap().as_deref(), Some("alice"));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct FileStorage {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    write_lock: Mutex<()>,
    counter: AtomicU64,
}

impl FileStorage {
    /// A store kept in the file at `path` (created on the first write).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            inner: Arc::new(Inner {
                path: path.into(),
                write_lock: Mutex::new(()),
                counter: AtomicU64::new(0),
            }),
        }
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    fn blocking<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Inner) -> Result<T, StorageError> + Send + 'static,
    ) -> StorageFuture<'_, T> {
        let inner = Arc::clone(&self.inner);
        ProviderFuture::new(async move {
            let path = inner.path.clone();
            tokio::task::spawn_blocking(move || op(&inner))
                .await
                .map_err(|e| {
                    StorageError::new(StorageErrorKind::Io, "the storage task failed")
                        .with_source(e)
                        .with_path(path)
                })?
        })
    }
}

impl Inner {
    fn read(&self) -> Result<Map, StorageError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Map::new()),
            Err(e) => return Err(self.io("could not read the storage file", e)),
        };
        let bytes = zeroize::Zeroizing::new(bytes);
        Map::from_blob(&bytes).map_err(|e| e.with_path(&self.path))
    }

    fn modify(&self, change: impl FnOnce(&mut Map)) -> Result<(), StorageError> {
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut map = self.read()?;
        change(&mut map);
        self.write(&map)
    }

    fn write(&self, map: &Map) -> Result<(), StorageError> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        create_private_dir(&dir).map_err(|e| self.io("could not create the directory", e))?;
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "storage".into());
        let tmp = dir.join(format!(
            ".{name}.tmp-{}-{}",
            std::process::id(),
            self.counter.fetch_add(1, Ordering::Relaxed)
        ));
        let json = map.to_blob();
        let result = (|| {
            let mut file = create_private_file(&tmp)?;
            file.write_all(&json)?;
            file.sync_all()?;
            drop(file);
            fs::rename(&tmp, &self.path)?;
            // Make the rename itself durable.
            fs::File::open(&dir)?.sync_all()
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(self.io("could not replace the storage file", e));
        }
        Ok(())
    }

    fn io(&self, message: &'static str, e: io::Error) -> StorageError {
        StorageError::new(StorageErrorKind::Io, message)
            .with_source(e)
            .with_path(&self.path)
    }
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

impl KeyValueStorage for FileStorage {
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
        self.blocking(|inner| {
            let _guard = inner.write_lock.lock().unwrap_or_else(|e| e.into_inner());
            // Refuse to clear a corrupt file too: it is evidence, not garbage.
            inner.read()?;
            inner.write(&Map::new())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_storage_round_trips_across_instances() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/store.json");
        let s = FileStorage::new(&path);
        assert_eq!(s.get("a").await.unwrap(), None);
        s.set("a", "1").await.unwrap();
        s.set("b", "2").await.unwrap();
        s.remove("a").await.unwrap();
        let t = FileStorage::new(&path);
        assert_eq!(t.get("a").await.unwrap(), None);
        assert_eq!(t.get("b").await.unwrap().as_deref(), Some("2"));
        t.clear().await.unwrap();
        assert_eq!(s.get("b").await.unwrap(), None);
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn file_storage_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("private/store.json");
        FileStorage::new(&path).set("k", "v").await.unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
    }

    #[tokio::test]
    async fn corrupt_file_is_a_typed_error_and_never_wiped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.json");
        fs::write(&path, b"{\"a\": \"1\", trunc").unwrap();
        let s = FileStorage::new(&path);
        let e = s.get("a").await.unwrap_err();
        assert_eq!(e.kind(), StorageErrorKind::Corrupt);
        assert_eq!(e.path(), Some(path.as_path()));
        assert_eq!(
            s.set("a", "2").await.unwrap_err().kind(),
            StorageErrorKind::Corrupt
        );
        assert_eq!(
            s.clear().await.unwrap_err().kind(),
            StorageErrorKind::Corrupt
        );
        assert_eq!(fs::read(&path).unwrap(), b"{\"a\": \"1\", trunc");
    }

    #[tokio::test]
    async fn a_file_written_before_blob_map_still_reads_and_keeps_its_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.json");
        // What FileStorage wrote before (compact, sorted), and a hand-edited, pretty one.
        fs::write(&path, br#"{"a":"1","b":"x\"y"}"#).unwrap();
        let s = FileStorage::new(&path);
        assert_eq!(s.get("a").await.unwrap().as_deref(), Some("1"));
        assert_eq!(s.get("b").await.unwrap().as_deref(), Some("x\"y"));
        s.set("c", "3").await.unwrap();
        assert_eq!(fs::read(&path).unwrap(), br#"{"a":"1","b":"x\"y","c":"3"}"#);
        fs::write(&path, b"{\n  \"a\": \"1\"\n}\n").unwrap();
        assert_eq!(s.get("a").await.unwrap().as_deref(), Some("1"));
    }
}
