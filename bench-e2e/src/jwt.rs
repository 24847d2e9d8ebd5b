//! Aging a JWT, for the expired-tokens scenario.
//!
//! moto always issues one-hour tokens (it ignores the app client's validity settings) and
//! stamps them with its real clock, so waiting for expiry is not an option, and advancing a
//! client's clock does not treat the three implementations alike: ours and the SDK client
//! correct for clock drift, pycognito compares `exp` with the local clock and would find even
//! freshly refreshed tokens expired. Instead, every implementation gets the same treatment:
//! after sign-in, its stored access and ID tokens are replaced by copies whose `iat` and `exp`
//! claims are [`TOKEN_AGE`](crate::scenario::TOKEN_AGE) earlier, as if the app had slept that
//! long. The signature is left as is: no implementation verifies a stored token before deciding
//! to refresh, and the refresh token is untouched. The Python script does the same with the
//! same rule.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::Value;

/// `token` with its `iat` and `exp` claims moved back by `by` (other claims, header and
/// signature unchanged).
///
/// # Errors
///
/// When `token` is not a JWT with a JSON payload.
pub fn age(token: &str, by: Duration) -> Result<String, String> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT (three parts)".into());
    };
    let bytes = B64URL
        .decode(payload)
        .map_err(|e| format!("payload: {e}"))?;
    let mut claims: Value = serde_json::from_slice(&bytes).map_err(|e| format!("payload: {e}"))?;
    let by = i64::try_from(by.as_secs()).map_err(|e| e.to_string())?;
    for claim in ["iat", "exp"] {
        let value = claims[claim]
            .as_i64()
            .ok_or_else(|| format!("no numeric {claim}"))?;
        claims[claim] = Value::from(value - by);
    }
    let payload = B64URL.encode(serde_json::to_vec(&claims).map_err(|e| e.to_string())?);
    Ok(format!("{header}.{payload}.{signature}"))
}

/// The numeric claim `name` of `token`, without verifying anything.
pub fn claim(token: &str, name: &str) -> Option<i64> {
    let payload = token.split('.').nth(1)?;
    let claims: Value = serde_json::from_slice(&B64URL.decode(payload).ok()?).ok()?;
    claims[name].as_i64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: &str) -> String {
        format!(
            "{}.{}.c2ln",
            B64URL.encode(r#"{"alg":"RS256","kid":"dummy"}"#),
            B64URL.encode(claims)
        )
    }

    #[test]
    fn aging_moves_iat_and_exp_and_keeps_the_rest() {
        let original = token(r#"{"sub":"u1","iat":10000,"exp":13600,"token_use":"access"}"#);
        let aged = age(&original, Duration::from_secs(7200)).unwrap();
        assert_eq!(claim(&aged, "iat"), Some(2800));
        assert_eq!(claim(&aged, "exp"), Some(6400));
        assert_eq!(aged.split('.').next(), original.split('.').next());
        assert!(aged.ends_with(".c2ln"));
        assert!(age("a.b", Duration::ZERO).is_err());
        assert!(age(&token(r#"{"iat":1}"#), Duration::ZERO).is_err());
    }
}
