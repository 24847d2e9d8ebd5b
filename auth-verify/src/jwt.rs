//! Decoding a compact JWS (RFC 7515 §7.1) without trusting it: size first, then strict
//! base64url, then JSON objects whose members appear once.

use std::fmt;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{VerifyError, VerifyErrorKind};
use crate::jwk::Algorithm;

/// The JOSE header members a verifier reads. Any other member is kept in `extra`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Header {
    /// `alg`, as the token names it (checked against the key, never trusted alone).
    pub alg: String,
    /// `kid`.
    pub kid: Option<String>,
    /// `typ`.
    pub typ: Option<String>,
    /// Every member, `alg` and `kid` included.
    pub members: Map<String, Value>,
}

/// A decoded, not yet verified token.
#[derive(Debug)]
pub(crate) struct Decoded<'t> {
    pub(crate) header: Header,
    pub(crate) alg: Option<Algorithm>,
    pub(crate) claims: Map<String, Value>,
    pub(crate) signing_input: &'t str,
    pub(crate) signature: Vec<u8>,
}

/// Header members whose presence means "find the key elsewhere" or "process me specially":
/// a verifier that trusts only its configured keys refuses them outright (RFC 7515 §4.1).
const REFUSED_HEADER_MEMBERS: &[&str] = &["jku", "jwk", "x5u", "x5c", "crit"];

/// How the base64url segments of a token may end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Padding {
    /// RFC 7515 §2: never padded. Every issuer but ALB.
    Forbidden,
    /// Padded with `=` to a multiple of four, or not padded: what Application Load Balancers
    /// emit in `x-amzn-oidc-data` (and only there).
    Optional,
}

pub(crate) fn decode(token: &str, max_len: usize) -> Result<Decoded<'_>, VerifyError> {
    decode_with(token, max_len, Padding::Forbidden)
}

pub(crate) fn decode_with(
    token: &str,
    max_len: usize,
    padding: Padding,
) -> Result<Decoded<'_>, VerifyError> {
    let decode_segment = |b64: &str| match padding {
        Padding::Forbidden => segment(b64),
        Padding::Optional => segment_maybe_padded(b64),
    };
    let malformed = |why: &str| VerifyError::new(VerifyErrorKind::Malformed, why.to_owned());
    if token.len() > max_len {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!(
                "the token is {} bytes, over the limit of {max_len}",
                token.len()
            ),
        ));
    }
    let mut parts = token.splitn(4, '.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(
            "not three dot-separated parts (header, payload, signature)",
        ));
    };
    let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
    let header_bytes =
        decode_segment(header_b64).ok_or_else(|| malformed("the header is not base64url"))?;
    let payload_bytes =
        decode_segment(payload_b64).ok_or_else(|| malformed("the payload is not base64url"))?;
    let signature =
        decode_segment(signature_b64).ok_or_else(|| malformed("the signature is not base64url"))?;
    let members = object(&header_bytes)
        .map_err(|e| malformed(&format!("the header is not a JSON object: {e}")))?;
    let claims = object(&payload_bytes)
        .map_err(|e| malformed(&format!("the payload is not a JSON object: {e}")))?;
    let alg = match members.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        Some(_) => return Err(malformed("the header's alg is not a string")),
        None => return Err(malformed("the header has no alg")),
    };
    let kid = match members.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(malformed("the header's kid is not a string")),
    };
    let typ = members
        .get("typ")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(member) = REFUSED_HEADER_MEMBERS
        .iter()
        .find(|m| members.contains_key(**m))
    {
        return Err(VerifyError::new(
            VerifyErrorKind::Malformed,
            format!("the header carries {member:?}, which this verifier never honours"),
        ));
    }
    Ok(Decoded {
        alg: Algorithm::from_name(&alg),
        header: Header {
            alg,
            kid,
            typ,
            members,
        },
        claims,
        signing_input,
        signature,
    })
}

/// RFC 7515 §2: base64url without padding, nothing else.
fn segment(b64: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(b64).ok()
}

/// base64url with canonical `=` padding or none (never partial padding, never trailing
/// bits): ALB's segments.
fn segment_maybe_padded(b64: &str) -> Option<Vec<u8>> {
    const URL_SAFE_PADDING_OPTIONAL: GeneralPurpose = GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    URL_SAFE_PADDING_OPTIONAL.decode(b64).ok()
}

/// A JSON object whose members each appear once (a duplicate makes the token ambiguous:
/// parsers disagree on which value wins).
fn object(bytes: &[u8]) -> Result<Map<String, Value>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let map = <UniqueObject as de::Deserialize<'_>>::deserialize(&mut de)?.0;
    de.end()?;
    Ok(map)
}

struct UniqueObject(Map<String, Value>);

impl<'de> de::Deserialize<'de> for UniqueObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UniqueVisitor;
        impl<'de> Visitor<'de> for UniqueVisitor {
            type Value = UniqueObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<UniqueObject, A::Error> {
                let mut map = Map::new();
                while let Some(key) = access.next_key::<String>()? {
                    let value: Value = access.next_value()?;
                    // Through the entry, so the key is not copied to be reported.
                    match map.entry(key) {
                        serde_json::map::Entry::Vacant(entry) => {
                            entry.insert(value);
                        }
                        serde_json::map::Entry::Occupied(entry) => {
                            return Err(de::Error::custom(format!(
                                "the member {:?} appears twice",
                                entry.key()
                            )));
                        }
                    }
                }
                Ok(UniqueObject(map))
            }
        }
        deserializer.deserialize_map(UniqueVisitor)
    }
}

/// The claims of a token that has **not** been verified, for logging or routing before
/// verification (which issuer, which kid). Never authorise anything on them.
///
/// ```
/// let unverified = auth_verify::peek_unverified("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3VlciJ9.c2ln").unwrap();
/// assert_eq!(unverified.claim("iss").and_then(|v| v.as_str()), Some("https://issuer"));
/// ```
#[derive(Debug, Clone)]
pub struct Unverified {
    header: Header,
    claims: Map<String, Value>,
}

impl Unverified {
    /// The header, **unverified**.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// A claim, **unverified**.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }

    /// Every claim, **unverified**.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }
}

/// Decodes `token` without verifying it (same size limit and strict decoding as a
/// verifier's default: 16 KiB).
///
/// # Errors
///
/// [`VerifyErrorKind::Malformed`].
pub fn peek_unverified(token: &str) -> Result<Unverified, VerifyError> {
    let decoded = decode(token, crate::verifier::DEFAULT_MAX_TOKEN_BYTES)?;
    Ok(Unverified {
        header: decoded.header,
        claims: decoded.claims,
    })
}
