//! The identity pool's `Logins` map: which provider vouches for the user, and its token.
//!
//! Cognito keys the map by provider name (reference §4):
//!
//! | provider | key |
//! |---|---|
//! | a user pool | `cognito-idp.<region>.<DNS suffix>/<poolId>` (`auth_core::config::dns_suffix`: `amazonaws.com`, `amazonaws.com.cn`, …) |
//! | any OIDC issuer (Auth0, Google, …) | the issuer without `https://`: `tenant.auth0.com`, `accounts.google.com` |
//! | developer-authenticated identities | `cognito-identity.amazonaws.com` |
//! | Facebook, Amazon, Apple, Twitter | `graph.facebook.com`, `www.amazon.com`, `appleid.apple.com`, `api.twitter.com` |

use auth_core::Sensitive;
use auth_core::tokens::Jwt;
use auth_core::wire::Logins;

use crate::error::IdentityPoolError;

/// The Logins key of developer-authenticated identities (an OpenID token that Cognito issued
/// through `GetOpenIdTokenForDeveloperIdentity`).
pub const DEVELOPER_PROVIDER: &str = "cognito-identity.amazonaws.com";

/// The Logins key of an OIDC issuer: the issuer URL without its scheme and without a
/// trailing `/`.
///
/// ```
/// use auth_federation::logins::issuer_key;
/// assert_eq!(issuer_key("https://tenant.eu.auth0.com/"), "tenant.eu.auth0.com");
/// assert_eq!(
///     issuer_key("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC"),
///     "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC"
/// );
/// assert_eq!(issuer_key("http://127.0.0.1:3000"), "127.0.0.1:3000");
/// ```
pub fn issuer_key(issuer: &str) -> String {
    issuer_key_str(issuer).to_owned()
}

/// [`issuer_key`] as a slice of `issuer` (no allocation).
pub(crate) fn issuer_key_str(issuer: &str) -> &str {
    let rest = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
        .unwrap_or(issuer);
    rest.trim_end_matches('/')
}

/// The Logins key of a Cognito user pool: `cognito-idp.<region>.amazonaws.com/<poolId>`
/// (`.amazonaws.com.cn` in China regions), with the region taken from the pool id.
///
/// ```
/// use auth_federation::logins::user_pool_key;
/// assert_eq!(user_pool_key("eu-west-1_AbC123"), "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123");
/// ```
pub fn user_pool_key(user_pool_id: &str) -> String {
    let region = user_pool_id.split('_').next().unwrap_or_default();
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("cognito-idp.{region}.{suffix}/{user_pool_id}")
}

/// The Logins key of an ID token: its `iss` without the scheme.
///
/// # Errors
///
/// [`IdentityPoolError::MissingIssuer`] when the token has no `iss`.
pub fn id_token_key(id_token: &Jwt) -> Result<String, IdentityPoolError> {
    id_token
        .claims()
        .iss
        .as_deref()
        .map(issuer_key)
        .ok_or(IdentityPoolError::MissingIssuer)
}

/// A Logins map with one entry: `id_token` under the key of its issuer.
///
/// # Errors
///
/// [`IdentityPoolError::MissingIssuer`] when the token has no `iss`.
pub fn from_id_token(id_token: &Jwt) -> Result<Logins, IdentityPoolError> {
    Ok(single(id_token_key(id_token)?, id_token.as_str()))
}

/// A Logins map with one entry.
pub fn single(key: impl Into<String>, token: impl Into<Sensitive>) -> Logins {
    let mut logins = Logins::new();
    logins.insert(key.into(), token.into());
    logins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_cognito_naming() {
        assert_eq!(issuer_key("accounts.google.com"), "accounts.google.com");
        assert_eq!(
            user_pool_key("cn-north-1_X1"),
            "cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_X1"
        );
    }

    #[test]
    fn id_token_without_issuer_is_a_typed_error() {
        // {"alg":"RS256"}.{"sub":"a"}.sig
        let jwt = Jwt::decode("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln").unwrap();
        assert!(matches!(
            from_id_token(&jwt),
            Err(IdentityPoolError::MissingIssuer)
        ));
    }
}
