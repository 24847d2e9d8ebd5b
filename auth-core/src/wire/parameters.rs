//! [`Parameters`]: `AuthParameters`, `ChallengeParameters` and `ChallengeResponses`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Sensitive;

/// Keys whose values are identifiers rather than secrets, shown by `Debug`.
const PUBLIC_KEYS: &[&str] = &[
    "USERNAME",
    "USER_ID_FOR_SRP",
    "CHALLENGE_NAME",
    "DEVICE_KEY",
    "CODE_DELIVERY_DELIVERY_MEDIUM",
    "CODE_DELIVERY_DESTINATION",
    "MFAS_CAN_CHOOSE",
    "MFAS_CAN_SETUP",
    "PREFERRED_CHALLENGE",
    "ANSWER",
    "requiredAttributes",
    "userAttributes",
];

/// A string map of Cognito parameters: `AuthParameters`, `ChallengeParameters`,
/// `ChallengeResponses`.
///
/// Values may be secrets (`PASSWORD`, `SRP_A`, `SECRET_BLOCK`, `PASSWORD_CLAIM_SIGNATURE`,
/// `SECRET_HASH`, `REFRESH_TOKEN`, codes), so they are stored as [`Sensitive`] and `Debug` shows
/// only the values of a few identifying keys (`USERNAME`, `USER_ID_FOR_SRP`, `DEVICE_KEY`, …).
/// On the wire it is a plain JSON object of strings.
///
/// ```
/// use auth_core::wire::Parameters;
///
/// let params: Parameters = [("USERNAME", "alice"), ("PASSWORD", "hunter2")].into_iter().collect();
/// assert_eq!(params.get("USERNAME"), Some("alice"));
/// let shown = format!("{params:?}");
/// assert!(shown.contains("alice") && !shown.contains("hunter2"));
/// ```
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Parameters(BTreeMap<String, Sensitive>);

impl Parameters {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(Sensitive::expose)
    }

    /// Sets `key` to `value`, returning `self` for chaining.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Sensitive>) -> Self {
        self.insert(key, value);
        self
    }

    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Sensitive>) {
        self.0.insert(key.into(), value.into());
    }

    /// Sets `key` to `value` when `value` is `Some`.
    pub fn insert_opt(&mut self, key: impl Into<String>, value: Option<impl Into<Sensitive>>) {
        if let Some(value) = value {
            self.insert(key, value);
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Sensitive> {
        self.0.remove(key)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Iterates over the keys and values, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.expose()))
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Parameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in &self.0 {
            if PUBLIC_KEYS.contains(&key.as_str()) {
                map.entry(key, &value.expose());
            } else {
                map.entry(key, value);
            }
        }
        map.finish()
    }
}

impl<K: Into<String>, V: Into<Sensitive>> FromIterator<(K, V)> for Parameters {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        Self(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<K: Into<String>, V: Into<Sensitive>> Extend<(K, V)> for Parameters {
    fn extend<T: IntoIterator<Item = (K, V)>>(&mut self, iter: T) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}
