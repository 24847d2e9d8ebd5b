//! [`Sensitive`]: a string that never shows up in logs and is wiped when dropped.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string: a password, a token, a one-time code, a client secret, a secret hash or
/// an SRP value.
///
/// `Debug` prints `"** redacted **"` instead of the value, and the memory is overwritten with
/// zeros when the value is dropped. On the wire it is a plain JSON string (`serde`
/// transparent), so wire types can hold it directly.
///
/// ```
/// use auth_core::Sensitive;
///
/// let password = Sensitive::new("hunter2");
/// assert_eq!(format!("{password:?}"), r#""** redacted **""#);
/// assert_eq!(password.expose(), "hunter2");
/// assert_eq!(serde_json::to_string(&password).unwrap(), r#""hunter2""#);
/// ```
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(transparent)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value. Named so that every place a secret leaves its wrapper is easy to find.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"** redacted **\"")
    }
}

impl From<String> for Sensitive {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Sensitive {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Sensitive::new("top-secret-value");
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("top-secret"), "{shown}");
    }

    #[test]
    fn serializes_as_a_plain_string() {
        let secret: Sensitive = serde_json::from_str(r#""abc""#).unwrap();
        assert_eq!(secret.expose(), "abc");
        assert_eq!(serde_json::to_string(&secret).unwrap(), r#""abc""#);
    }
}
