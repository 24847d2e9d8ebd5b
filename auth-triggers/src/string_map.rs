//! [`StringMap`]: the `{ "key": "value" }` maps Cognito sends and expects.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::wire::Field;

/// A map of names to string values: user attributes, `clientMetadata`, `validationData`,
/// challenge parameters, claims to add.
///
/// Cognito documents these maps as string to string, and that is what [`get`](Self::get) and
/// [`insert`](Self::insert) deal in. Values of another JSON type (some tools and older samples
/// send `"email_verified": true`) are kept as they are, reachable through
/// [`get_value`](Self::get_value), and written back unchanged, so no event is rejected or
/// altered because of them.
///
/// ```
/// use auth_triggers::StringMap;
///
/// let mut metadata = StringMap::new();
/// metadata.insert("plan", "pro");
/// assert_eq!(metadata.get("plan"), Some("pro"));
/// assert_eq!(metadata.get("missing"), None);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct StringMap(Map<String, Value>);

impl StringMap {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The value under `key`, if there is one and it is a string.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// The value under `key` whatever its JSON type.
    #[must_use]
    pub fn get_value(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// Sets `key` to a string value, returning the value it replaces.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Option<Value> {
        self.0.insert(key.into(), Value::String(value.into()))
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.0.remove(key)
    }

    /// Whether `key` is present (with any value).
    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// The number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map has no entries.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries whose values are strings, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
    }

    /// The underlying JSON object.
    #[must_use]
    pub fn as_json(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The underlying JSON object, mutably (to store a value that is not a string).
    pub fn as_json_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.0
    }

    /// Unwraps the underlying JSON object.
    #[must_use]
    pub fn into_json(self) -> Map<String, Value> {
        self.0
    }
}

impl fmt::Debug for StringMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter()).finish()
    }
}

impl From<Map<String, Value>> for StringMap {
    fn from(map: Map<String, Value>) -> Self {
        Self(map)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for StringMap {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(|(k, v)| (k.into(), Value::String(v.into())))
                .collect(),
        )
    }
}

impl<K: Into<String>, V: Into<String>> Extend<(K, V)> for StringMap {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl Serialize for StringMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for StringMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(Self)
    }
}

impl Field for StringMap {
    fn is_default(&self) -> bool {
        self.0.is_empty()
    }
}
