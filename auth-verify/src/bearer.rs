//! Bearer tokens out of `Authorization` values (RFC 6750 §2.1), for the tower layer and for
//! Lambda authorizers, which receive the header's value as a string.

/// Why no bearer token could be taken from a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BearerError {
    /// No `Authorization` header, or one of another scheme (`Basic …`): the client did not
    /// try bearer authentication. Answer 401 with a bare `WWW-Authenticate: Bearer`
    /// (RFC 6750 §3.1: no error code).
    Missing,
    /// More than one `Authorization` header, or a `Bearer` value without a token or with
    /// characters a token cannot have. Answer 400 `error="invalid_request"`.
    Invalid,
}

/// The token of an `Authorization: Bearer <token>` value: the scheme is matched without
/// regard to case, the token must be one `b64token` (RFC 6750 §2.1: letters, digits and
/// `-._~+/`, then any `=`).
///
/// ```
/// use auth_verify::{BearerError, bearer_token};
///
/// assert_eq!(bearer_token("Bearer eyJ.a.b"), Ok("eyJ.a.b"));
/// assert_eq!(bearer_token("bearer eyJ.a.b"), Ok("eyJ.a.b"));
/// assert_eq!(bearer_token("Basic dXNlcjpwdw=="), Err(BearerError::Missing));
/// assert_eq!(bearer_token("Bearer "), Err(BearerError::Invalid));
/// ```
///
/// # Errors
///
/// [`BearerError::Missing`] for another scheme, [`BearerError::Invalid`] for a `Bearer`
/// value that holds no well-formed token.
pub fn bearer_token(value: &str) -> Result<&str, BearerError> {
    let value = value.trim_matches(|c| c == ' ' || c == '\t');
    let (scheme, rest) = match value.split_once([' ', '\t']) {
        Some((scheme, rest)) => (scheme, rest),
        None => (value, ""),
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(BearerError::Missing);
    }
    let token = rest.trim_start_matches([' ', '\t']);
    if is_b64token(token) {
        Ok(token)
    } else {
        Err(BearerError::Invalid)
    }
}

/// `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_taken_only_from_well_formed_bearer_values() {
        assert_eq!(bearer_token("BEARER a.b.c"), Ok("a.b.c"));
        assert_eq!(bearer_token("Bearer   a.b.c  "), Ok("a.b.c"));
        assert_eq!(bearer_token("Bearer abc=="), Ok("abc=="));
        assert_eq!(bearer_token(""), Err(BearerError::Missing));
        assert_eq!(bearer_token("Bearerx a.b.c"), Err(BearerError::Missing));
        assert_eq!(bearer_token("Bearer"), Err(BearerError::Invalid));
        assert_eq!(bearer_token("Bearer a b"), Err(BearerError::Invalid));
        assert_eq!(bearer_token("Bearer a\"b"), Err(BearerError::Invalid));
        assert_eq!(bearer_token("Bearer ==="), Err(BearerError::Invalid));
    }
}
