//! [`StringMap`]: the `{ "key": "value" }` maps Cognito sends and expects.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::lossless::Field;

/// A map of names to string values: user attributes, `clientMetadata`, `validationData`,
/// challenge parameters, claims to add.
///
/// Cognito documents these maps as string to string, and that is what [`get`](Self::get) and
/// [`insert`](Self::insert) deal in. Values of another JSON type (some tools and older samples
/// send `"email_verified": true`) are kept as they are, reachable through
/// [`get_value`](Self::get_value), and written back unchanged, so no event is rejected or
/// altered because of them.
///
/// The entries are kept in the order they arrived (new keys go last) and written back in that
/// order. A key that arrives twice keeps its first place and its last value, as
/// `serde_json::Value` keeps the last. Two maps are equal when they hold the same entries,
/// whatever their order. The maps Cognito sends are small, so lookups scan the entries: that
/// is faster than hashing them or building a tree.
///
/// ```
/// use auth_triggers::StringMap;
///
/// let mut metadata = StringMap::new();
/// metadata.insert("plan", "pro");
/// assert_eq!(metadata.get("plan"), Some("pro"));
/// assert_eq!(metadata.get("missing"), None);
/// ```
#[derive(Clone, Default)]
pub struct StringMap(Vec<(String, Value)>);

impl StringMap {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }

    /// The value under `key`, if there is one and it is a string.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.get_value(key).and_then(Value::as_str)
    }

    /// The value under `key` whatever its JSON type.
    #[must_use]
    pub fn get_value(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key` to a string value, returning the value it replaces.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Option<Value> {
        self.insert_value(key, Value::String(value.into()))
    }

    /// Sets `key` to a value of any JSON type, returning the value it replaces. A new key goes
    /// last; a key already there keeps its place.
    ///
    /// ```
    /// use auth_triggers::StringMap;
    /// use serde_json::json;
    ///
    /// let mut attributes = StringMap::new();
    /// attributes.insert_value("email_verified", json!(true));
    /// assert_eq!(attributes.get("email_verified"), None); // not a string
    /// assert_eq!(attributes.get_value("email_verified"), Some(&json!(true)));
    /// ```
    pub fn insert_value(&mut self, key: impl Into<String>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.position(&key) {
            Some(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }

    /// Removes `key`, returning its value. The other entries keep their order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key)?;
        Some(self.0.remove(i).1)
    }

    /// Whether `key` is present (with any value).
    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
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

    /// The entries whose values are strings, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
    }

    /// Every entry whatever the JSON type of its value, in order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    /// The map as a JSON object.
    #[must_use]
    pub fn into_json(self) -> Map<String, Value> {
        self.0.into_iter().collect()
    }

    /// Builds a map from entries that may repeat a key: the first place, the last value.
    fn from_entries(mut entries: Vec<(String, Value)>) -> Self {
        if has_duplicate_keys(&entries) {
            entries = merge_duplicate_keys(entries);
        }
        Self(entries)
    }
}

/// Up to this many entries, comparing every pair is quicker than sorting.
const PAIRWISE: usize = 24;

/// Whether some key appears twice.
fn has_duplicate_keys(entries: &[(String, Value)]) -> bool {
    if entries.len() <= PAIRWISE {
        return entries
            .iter()
            .enumerate()
            .any(|(i, (key, _))| entries[..i].iter().any(|(k, _)| k == key));
    }
    let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|pair| pair[0] == pair[1])
}

/// Keeps one entry per key, at its first place, with its last value.
fn merge_duplicate_keys(entries: Vec<(String, Value)>) -> Vec<(String, Value)> {
    let mut index: std::collections::HashMap<String, usize> =
        std::collections::HashMap::with_capacity(entries.len());
    let mut out: Vec<(String, Value)> = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        match index.get(&key) {
            Some(&i) => out[i].1 = value,
            None => {
                index.insert(key.clone(), out.len());
                out.push((key, value));
            }
        }
    }
    out
}

impl PartialEq for StringMap {
    /// The same entries, in any order.
    fn eq(&self, other: &Self) -> bool {
        if self.0.len() != other.0.len() {
            return false;
        }
        if self.0 == other.0 {
            return true;
        }
        if self.0.len() <= PAIRWISE {
            return self
                .0
                .iter()
                .all(|(k, v)| other.get_value(k).is_some_and(|w| w == v));
        }
        // Keys are unique in each map, so sorted entries line up one to one.
        fn sorted(map: &StringMap) -> Vec<&(String, Value)> {
            let mut entries: Vec<_> = map.0.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            entries
        }
        sorted(self) == sorted(other)
    }
}

impl Eq for StringMap {}

impl fmt::Debug for StringMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl From<Map<String, Value>> for StringMap {
    /// The object's entries, in the object's (key) order.
    fn from(map: Map<String, Value>) -> Self {
        Self(map.into_iter().collect())
    }
}

impl From<StringMap> for Map<String, Value> {
    fn from(map: StringMap) -> Self {
        map.into_json()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for StringMap {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self::from_entries(
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
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            match v {
                // The common case, without going through `Value`'s own dispatch.
                Value::String(s) => map.serialize_entry(k.as_str(), s.as_str())?,
                other => map.serialize_entry(k.as_str(), other)?,
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for StringMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of names to strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StringMap, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(StringMap::from_entries(entries))
            }
        }
        deserializer.deserialize_map(V)
    }
}

impl Field for StringMap {
    fn is_default(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::StringMap;

    #[test]
    fn keeps_arrival_order_and_the_last_of_a_repeated_key() {
        let map: StringMap = serde_json::from_str(r#"{"b": "1", "a": "2", "b": "3"}"#).unwrap();
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(map.get("b"), Some("3"));
        assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"b":"3","a":"2"}"#);
    }

    #[test]
    fn repeated_keys_in_a_large_map_are_merged_too() {
        let mut text = String::from("{");
        for i in 0..100 {
            text.push_str(&format!(r#""k{i}": "{i}", "#));
        }
        text.push_str(r#""k7": "last"}"#);
        let map: StringMap = serde_json::from_str(&text).unwrap();
        assert_eq!(map.len(), 100);
        assert_eq!(map.get("k7"), Some("last"));
        assert_eq!(map.keys().nth(7), Some("k7"));
    }

    #[test]
    fn equality_ignores_order() {
        let a: StringMap = serde_json::from_value(json!({"x": "1", "y": true})).unwrap();
        let b: StringMap = serde_json::from_str(r#"{"y": true, "x": "1"}"#).unwrap();
        assert_eq!(a, b);
        let c: StringMap = serde_json::from_str(r#"{"y": true, "x": "2"}"#).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn insert_replaces_in_place_and_remove_keeps_order() {
        let mut map: StringMap = [("a", "1"), ("b", "2"), ("c", "3")].into_iter().collect();
        assert_eq!(map.insert("b", "two"), Some(json!("2")));
        assert_eq!(map.remove("a"), Some(json!("1")));
        assert_eq!(map.iter().collect::<Vec<_>>(), [("b", "two"), ("c", "3")]);
    }
}
