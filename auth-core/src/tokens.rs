//! Cognito tokens: JWT decoding without verification, clock drift and the expiry rule.
//!
//! The client never verifies the signature of a token Cognito handed it over TLS; it only
//! needs to read a few claims (`sub`, `cognito:username`, `exp`, `iat`, `origin_jti`, `iss`).
//! Verification of third-party ID tokens (OIDC, Auth0) lives in `auth-federation`, on a
//! maintained JWT library.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::Sensitive;

/// How long before `exp` a token already counts as expired (Amplify's 5-second buffer).
pub const EXPIRY_BUFFER: Duration = Duration::from_secs(5);

/// A JWT that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// The token does not have three dot-separated parts.
    #[error("a JWT has three dot-separated parts, this one has {parts}")]
    WrongShape {
        /// How many parts the token had.
        parts: usize,
    },
    /// A part is not valid unpadded base64url.
    #[error("the JWT {part} is not valid base64url")]
    Base64 {
        /// `"header"` or `"payload"`.
        part: &'static str,
    },
    /// A part is not a JSON object of the expected shape.
    #[error("the JWT {part} is not a valid JSON object: {reason}")]
    Json {
        /// `"header"` or `"payload"`.
        part: &'static str,
        /// What serde said, without the token's content.
        reason: String,
    },
}

/// The header of a JWT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JwtHeader {
    /// The signing algorithm (`RS256` for Cognito).
    pub alg: String,
    /// The key id in the issuer's JWKS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The token type, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
}

/// The claims the client reads from a Cognito access or ID token.
///
/// Every other claim is kept in [`Claims::other`], so custom attributes and claims added by a
/// pre-token-generation trigger stay readable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct Claims {
    /// The user's stable id (`sub`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The issuer (`https://cognito-idp.<region>.amazonaws.com/<poolId>` for Cognito).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Expiry, seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Issued-at, seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// `cognito:username` in ID tokens.
    #[serde(
        rename = "cognito:username",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cognito_username: Option<String>,
    /// `username` in access tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Present when the token was issued with revocation enabled; RevokeToken is then possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_jti: Option<String>,
    /// `token_use`: `"id"` or `"access"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_use: Option<String>,
    /// The app client id (`client_id` in access tokens; ID tokens carry it as `aud`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// All other claims, as JSON.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Claims {
    /// The username Cognito knows the user by: `cognito:username`, else `username`.
    pub fn username(&self) -> Option<&str> {
        self.cognito_username
            .as_deref()
            .or(self.username.as_deref())
    }

    /// The expiry as a `SystemTime`, if the token has one.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.exp.map(epoch_seconds)
    }

    /// The issue time as a `SystemTime`, if the token has one.
    pub fn issued_at(&self) -> Option<SystemTime> {
        self.iat.map(epoch_seconds)
    }
}

fn epoch_seconds(secs: i64) -> SystemTime {
    match u64::try_from(secs) {
        Ok(s) => UNIX_EPOCH + Duration::from_secs(s),
        Err(_) => UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()),
    }
}

/// A JWT as a string, together with its decoded header and claims.
///
/// Decoding does **not** verify the signature. `Debug` never shows the token. Cheap to clone:
/// clones share one decoded token (an `Arc`), whose string is zeroized when the last clone
/// is dropped.
#[derive(Clone, PartialEq)]
pub struct Jwt(Arc<DecodedJwt>);

#[derive(PartialEq)]
struct DecodedJwt {
    raw: Sensitive,
    header: JwtHeader,
    claims: Claims,
}

impl Jwt {
    /// Decodes a compact JWT (`header.payload.signature`) without verifying it.
    pub fn decode(token: impl Into<String>) -> Result<Self, JwtError> {
        let raw = token.into();
        let (header, claims) = {
            let parts: Vec<&str> = raw.split('.').collect();
            if parts.len() != 3 {
                return Err(JwtError::WrongShape { parts: parts.len() });
            }
            (
                decode_part::<JwtHeader>(parts[0], "header")?,
                decode_part::<Claims>(parts[1], "payload")?,
            )
        };
        Ok(Self(Arc::new(DecodedJwt {
            raw: Sensitive::new(raw),
            header,
            claims,
        })))
    }

    /// The compact token, for an `Authorization` header or a Logins map.
    pub fn as_str(&self) -> &str {
        self.0.raw.expose()
    }

    /// The decoded header.
    pub fn header(&self) -> &JwtHeader {
        &self.0.header
    }

    /// The decoded claims.
    pub fn claims(&self) -> &Claims {
        &self.0.claims
    }
}

impl fmt::Debug for Jwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwt")
            .field("token", &"** redacted **")
            .field("sub", &self.0.claims.sub)
            .field("exp", &self.0.claims.exp)
            .finish()
    }
}

fn decode_part<T: serde::de::DeserializeOwned>(
    part: &str,
    name: &'static str,
) -> Result<T, JwtError> {
    // Some issuers pad base64url; accept it by trimming the padding.
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| JwtError::Base64 { part: name })?;
    serde_json::from_slice(&bytes).map_err(|e| JwtError::Json {
        part: name,
        reason: e.to_string(),
    })
}

/// A refresh token: opaque, redacted in `Debug`, zeroized when the last clone is dropped.
/// Cheap to clone (an `Arc`).
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(Arc<Sensitive>);

impl RefreshToken {
    /// Wraps a refresh token string.
    pub fn new(token: impl Into<String>) -> Self {
        Self(Arc::new(Sensitive::new(token)))
    }

    /// The token, for a refresh or revoke request.
    pub fn as_str(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(** redacted **)")
    }
}

/// Difference between the server's clock and ours, as Amplify stores it.
///
/// `clockDrift = iat·1000 − now` in milliseconds, taken when tokens are stored. A positive
/// drift means the server's clock is ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ClockDrift(pub i64);

impl ClockDrift {
    /// The drift between a token's `iat` and `now` (milliseconds; zero without `iat`).
    pub fn from_token(token: &Jwt, now: SystemTime) -> Self {
        let Some(iat) = token.claims().iat else {
            return Self(0);
        };
        Self(
            iat.saturating_mul(1000)
                .saturating_sub(millis_since_epoch(now)),
        )
    }
}

/// Milliseconds since the Unix epoch (negative before it).
pub fn millis_since_epoch(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// Whether a token is expired by Amplify's rule: `now + clockDrift + 5 s > exp`.
///
/// A token without `exp` counts as expired: the client cannot know it is still good.
pub fn is_expired(token: &Jwt, drift: ClockDrift, now: SystemTime) -> bool {
    expired_at_millis(token, drift, millis_since_epoch(now))
}

/// [`is_expired`] with `now` already in milliseconds since the epoch.
fn expired_at_millis(token: &Jwt, drift: ClockDrift, now_millis: i64) -> bool {
    let Some(exp) = token.claims().exp else {
        return true;
    };
    let buffer = i64::try_from(EXPIRY_BUFFER.as_millis()).unwrap_or(i64::MAX);
    now_millis.saturating_add(drift.0).saturating_add(buffer) > exp.saturating_mul(1000)
}

/// The tokens of a signed-in user.
///
/// `Debug` redacts every token; the tokens are zeroized when the last clone is dropped. Cheap
/// to clone: the tokens and the username are shared (`Arc`), nothing is copied.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct AuthTokens {
    /// The access token (required by Cognito's authenticated user APIs).
    pub access_token: Jwt,
    /// The ID token (its `iss` is the identity-pool Logins key).
    pub id_token: Option<Jwt>,
    /// The refresh token, when the flow returned one.
    pub refresh_token: Option<RefreshToken>,
    /// The clock drift recorded when the tokens were stored.
    pub clock_drift: ClockDrift,
    /// The username the tokens belong to (for Amplify's storage keys).
    pub username: Username,
}

/// The username a user's tokens are stored under: Cognito's `username` claim (or `sub`), or
/// what the user signed in with. Shared, so cloning [`AuthTokens`] copies nothing; reads as a
/// `&str` (`Deref`).
///
/// ```
/// use auth_core::tokens::Username;
///
/// let name = Username::from("alice");
/// assert_eq!(name, "alice");
/// assert_eq!(name.len(), 5);
/// assert_eq!(name.to_string(), "alice");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(Arc<str>);

impl Username {
    /// The username as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Username {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Username {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Username {
    fn from(name: &str) -> Self {
        Self(Arc::from(name))
    }
}

impl From<String> for Username {
    fn from(name: String) -> Self {
        Self(Arc::from(name))
    }
}

impl From<&String> for Username {
    fn from(name: &String) -> Self {
        Self(Arc::from(name.as_str()))
    }
}

impl From<Username> for String {
    fn from(name: Username) -> Self {
        name.0.as_ref().to_owned()
    }
}

impl PartialEq<str> for Username {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Username {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Username {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Username> for str {
    fn eq(&self, other: &Username) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Username> for &str {
    fn eq(&self, other: &Username) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Username> for String {
    fn eq(&self, other: &Username) -> bool {
        **self == *other.0
    }
}

impl AuthTokens {
    /// Builds tokens from an access token, deriving the username from its claims and the
    /// drift from its `iat` relative to `now`.
    pub fn new(access_token: Jwt, now: SystemTime) -> Self {
        let clock_drift = ClockDrift::from_token(&access_token, now);
        let username = access_token
            .claims()
            .username()
            .or(access_token.claims().sub.as_deref())
            .unwrap_or_default()
            .into();
        Self {
            access_token,
            id_token: None,
            refresh_token: None,
            clock_drift,
            username,
        }
    }

    /// Sets the ID token.
    #[must_use]
    pub fn with_id_token(mut self, id_token: Jwt) -> Self {
        self.id_token = Some(id_token);
        self
    }

    /// Sets the refresh token.
    #[must_use]
    pub fn with_refresh_token(mut self, refresh_token: RefreshToken) -> Self {
        self.refresh_token = Some(refresh_token);
        self
    }

    /// Sets the username the tokens are stored under.
    #[must_use]
    pub fn with_username(mut self, username: impl Into<Username>) -> Self {
        self.username = username.into();
        self
    }

    /// Sets the clock drift (as read back from storage).
    #[must_use]
    pub fn with_clock_drift(mut self, drift: ClockDrift) -> Self {
        self.clock_drift = drift;
        self
    }

    /// Whether the access token (or the ID token, if present) is expired at `now`.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        let now = millis_since_epoch(now);
        expired_at_millis(&self.access_token, self.clock_drift, now)
            || self
                .id_token
                .as_ref()
                .is_some_and(|t| expired_at_millis(t, self.clock_drift, now))
    }

    /// The earliest expiry among the access and ID tokens.
    pub fn expires_at(&self) -> Option<SystemTime> {
        let access = self.access_token.claims().expires_at();
        let id = self.id_token.as_ref().and_then(|t| t.claims().expires_at());
        match (access, id) {
            (Some(a), Some(i)) => Some(a.min(i)),
            (a, i) => a.or(i),
        }
    }
}

impl fmt::Debug for AuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthTokens")
            .field("access_token", &self.access_token)
            .field("id_token", &self.id_token)
            .field("refresh_token", &self.refresh_token)
            .field("clock_drift", &self.clock_drift)
            .field("username", &self.username)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &serde_json::Value) -> String {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k1"}"#);
        let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
        format!("{h}.{p}.c2ln")
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn decode_reads_cognito_claims_and_keeps_the_rest() {
        let t = Jwt::decode(jwt(&serde_json::json!({
            "sub": "abc", "cognito:username": "alice", "exp": 2000, "iat": 1000,
            "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X",
            "origin_jti": "j", "custom:tier": "gold"
        })))
        .unwrap();
        assert_eq!(t.header().alg, "RS256");
        assert_eq!(t.header().kid.as_deref(), Some("k1"));
        assert_eq!(t.claims().username(), Some("alice"));
        assert_eq!(t.claims().origin_jti.as_deref(), Some("j"));
        assert_eq!(t.claims().other["custom:tier"], "gold");
        assert_eq!(t.claims().expires_at(), Some(at(2000)));
    }

    #[test]
    fn malformed_tokens_are_typed_errors() {
        assert_eq!(
            Jwt::decode("a.b").unwrap_err(),
            JwtError::WrongShape { parts: 2 }
        );
        assert_eq!(
            Jwt::decode("!!.e30.x").unwrap_err(),
            JwtError::Base64 { part: "header" }
        );
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
        let not_object = URL_SAFE_NO_PAD.encode(b"[1]");
        assert!(matches!(
            Jwt::decode(format!("{h}.{not_object}.x")).unwrap_err(),
            JwtError::Json {
                part: "payload",
                ..
            }
        ));
        let wrong_exp = URL_SAFE_NO_PAD.encode(br#"{"exp":"soon"}"#);
        assert!(matches!(
            Jwt::decode(format!("{h}.{wrong_exp}.x")).unwrap_err(),
            JwtError::Json {
                part: "payload",
                ..
            }
        ));
    }

    #[test]
    fn expiry_uses_drift_and_the_five_second_buffer() {
        let t = Jwt::decode(jwt(&serde_json::json!({"exp": 1000, "iat": 0}))).unwrap();
        assert!(!is_expired(&t, ClockDrift(0), at(994)));
        assert!(is_expired(&t, ClockDrift(0), at(996)));
        // Server clock 10 s ahead of ours: expires 10 s earlier on our clock.
        assert!(is_expired(&t, ClockDrift(10_000), at(986)));
        assert!(!is_expired(&t, ClockDrift(-10_000), at(1004)));
        let no_exp = Jwt::decode(jwt(&serde_json::json!({}))).unwrap();
        assert!(is_expired(&no_exp, ClockDrift(0), at(0)));
    }

    #[test]
    fn drift_is_iat_minus_now_in_millis() {
        let t = Jwt::decode(jwt(&serde_json::json!({"iat": 100}))).unwrap();
        assert_eq!(ClockDrift::from_token(&t, at(97)), ClockDrift(3000));
    }

    #[test]
    fn debug_never_shows_tokens() {
        let raw = jwt(&serde_json::json!({"sub": "s", "username": "u", "exp": 5}));
        let tokens = AuthTokens::new(Jwt::decode(raw.clone()).unwrap(), at(0))
            .with_refresh_token(RefreshToken::new("refresh-secret"));
        let dbg = format!("{tokens:?}");
        assert!(!dbg.contains(&raw), "{dbg}");
        assert!(!dbg.contains("refresh-secret"), "{dbg}");
        assert_eq!(tokens.username, "u");
    }
}
