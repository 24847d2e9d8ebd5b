//! The token endpoint (RFC 6749 §3.2): the client and how it authenticates ([`OAuthClient`]),
//! the requests of the grants (authorization code with PKCE, refresh token, any other), the
//! response ([`TokenResponse`]) and the one error of the endpoint ([`TokenEndpointError`]).
//! Cognito's managed login and any OpenID Provider share all of it.

use std::fmt;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use subtle::ConstantTimeEq as _;

use super::PkceVerifier;
use crate::Sensitive;
use crate::config::OAuthConfig;
use crate::tokens::{AuthTokens, Jwt, JwtError, RefreshToken};

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1). `Debug` redacts the
/// secret.
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientAuthentication {
    /// A public client (a native app): only `client_id` in the form.
    #[default]
    None,
    /// `client_secret_basic`: HTTP Basic with both parts form-encoded first, as Cognito
    /// requires of an app client with a secret.
    Basic(Sensitive),
    /// `client_secret_post`: `client_secret` in the form.
    Post(Sensitive),
}

impl fmt::Debug for ClientAuthentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "None",
            Self::Basic(_) => "Basic(** redacted **)",
            Self::Post(_) => "Post(** redacted **)",
        })
    }
}

/// One OAuth 2.0 client of one authorization server: its id, how it authenticates, the two
/// endpoints of the authorization code grant and, for RFC 9207, the issuer a redirect's `iss`
/// must name. Cognito's managed login ([`OAuthClient::cognito`]) and an OpenID Provider
/// ([`OAuthClient::new`] with the discovered endpoints) are both one.
///
/// ```
/// use auth_core::oauth::{ClientAuthentication, OAuthClient};
/// use auth_core::tokens::RefreshToken;
///
/// let client = OAuthClient::new("cli", "https://op.example/authorize", "https://op.example/token")
///     .authentication(ClientAuthentication::Post("s3cret".into()))
///     .issuer("https://op.example");
/// let request = client.refresh_request(&RefreshToken::new("r1"));
/// assert_eq!(request.uri(), "https://op.example/token");
/// assert_eq!(
///     request.body().as_slice(),
///     b"grant_type=refresh_token&client_id=cli&client_secret=s3cret&refresh_token=r1"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    client_id: String,
    authentication: ClientAuthentication,
    authorization_endpoint: String,
    token_endpoint: String,
    issuer: Option<String>,
}

impl OAuthClient {
    /// A public client `client_id` of the server with these endpoints.
    pub fn new(
        client_id: impl Into<String>,
        authorization_endpoint: impl Into<String>,
        token_endpoint: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            authentication: ClientAuthentication::None,
            authorization_endpoint: authorization_endpoint.into(),
            token_endpoint: token_endpoint.into(),
            issuer: None,
        }
    }

    /// The app client `client_id` at the managed login of `config`; with a secret it
    /// authenticates with HTTP Basic, as Cognito requires.
    pub fn cognito(
        config: &OAuthConfig,
        client_id: impl Into<String>,
        client_secret: Option<&Sensitive>,
    ) -> Self {
        let client = Self::new(
            client_id,
            config.authorize_endpoint(),
            config.token_endpoint(),
        );
        match client_secret {
            Some(secret) => client.authentication(ClientAuthentication::Basic(secret.clone())),
            None => client,
        }
    }

    /// Sets how the client authenticates at the token endpoint.
    #[must_use]
    pub fn authentication(mut self, authentication: ClientAuthentication) -> Self {
        self.authentication = authentication;
        self
    }

    /// The issuer a redirect's `iss` parameter must name when it has one (RFC 9207).
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The authorization endpoint.
    pub fn authorization_endpoint(&self) -> &str {
        &self.authorization_endpoint
    }

    /// The token endpoint.
    pub fn token_endpoint(&self) -> &str {
        &self.token_endpoint
    }

    /// The issuer set with [`issuer`](Self::issuer).
    pub fn expected_issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// A token request of any grant: a form `POST` of `grant_type`, `client_id`, the
    /// client's authentication and `params` to the token endpoint.
    pub fn token_request(
        &self,
        grant_type: &str,
        params: &[(&str, &str)],
    ) -> http::Request<Vec<u8>> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", grant_type)
            .append_pair("client_id", &self.client_id);
        if let ClientAuthentication::Post(secret) = &self.authentication {
            form.append_pair("client_secret", secret.expose());
        }
        form.extend_pairs(params);
        let body = zeroize::Zeroizing::new(form.finish());
        let mut request = http::Request::post(&self.token_endpoint)
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(http::header::ACCEPT, "application/json");
        if let ClientAuthentication::Basic(secret) = &self.authentication {
            // RFC 6749 §2.3.1: both parts form-encoded before Basic.
            let user =
                form_urlencoded::byte_serialize(self.client_id.as_bytes()).collect::<String>();
            let pass = zeroize::Zeroizing::new(
                form_urlencoded::byte_serialize(secret.expose().as_bytes()).collect::<String>(),
            );
            let basic = zeroize::Zeroizing::new(STANDARD.encode(format!("{user}:{}", *pass)));
            request = request.header(http::header::AUTHORIZATION, format!("Basic {}", *basic));
        }
        request
            .body(body.as_bytes().to_vec())
            // An endpoint that is not a URI (the configuration and discovery validate them)
            // gives a request without one, which no transport sends.
            .unwrap_or_else(|_| http::Request::new(Vec::new()))
    }

    /// The request that exchanges an authorization `code` (RFC 6749 §4.1.3 with the PKCE
    /// `code_verifier`, RFC 7636 §4.5).
    pub fn code_request(
        &self,
        code: &str,
        redirect_uri: &str,
        pkce: &PkceVerifier,
    ) -> http::Request<Vec<u8>> {
        self.token_request(
            "authorization_code",
            &[
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", pkce.expose()),
            ],
        )
    }

    /// The refresh token grant (RFC 6749 §6).
    pub fn refresh_request(&self, refresh_token: &RefreshToken) -> http::Request<Vec<u8>> {
        self.token_request(
            "refresh_token",
            &[("refresh_token", refresh_token.as_str())],
        )
    }
}

/// The token request that exchanges an authorization `code` at Cognito's managed login:
/// [`OAuthClient::cognito`] and [`OAuthClient::code_request`].
pub fn token_request(
    config: &OAuthConfig,
    client_id: &str,
    client_secret: Option<&Sensitive>,
    code: &str,
    redirect_uri: &str,
    pkce: &PkceVerifier,
) -> http::Request<Vec<u8>> {
    OAuthClient::cognito(config, client_id, client_secret).code_request(code, redirect_uri, pkce)
}

/// Why the token endpoint did not give usable tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenEndpointError {
    /// An OAuth error (RFC 6749 §5.2): `invalid_grant` for a used or expired code or a wrong
    /// PKCE verifier, `invalid_client`, `unauthorized_client`, …
    #[error("the token endpoint answered {error}")]
    OAuth {
        /// The OAuth error code.
        error: String,
        /// The server's description.
        description: Option<String>,
    },
    /// An HTTP error status without an OAuth error body (a 5xx with an HTML page, …).
    #[error("the token endpoint answered HTTP {status}")]
    HttpStatus {
        /// The status.
        status: u16,
    },
    /// A success status with a body that is not a token response.
    #[error("the token endpoint sent a malformed response: {reason}")]
    MalformedResponse {
        /// What is wrong (never a token).
        reason: String,
    },
    /// A token is not a readable JWT.
    #[error("the {token} from the token endpoint is not a JWT")]
    InvalidToken {
        /// `access token` or `ID token`.
        token: &'static str,
        /// Why.
        #[source]
        source: JwtError,
    },
    /// The ID token's `nonce` is not the one sent in the authorization request.
    #[error("the ID token's nonce does not match the authorization request")]
    NonceMismatch,
}

impl TokenEndpointError {
    /// Whether trying again may succeed (a 5xx or 429). A code is single-use, so "again"
    /// means a new sign-in.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::HttpStatus { status } if *status >= 500 || *status == 429)
    }

    /// The OAuth error code, when the server sent one.
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            Self::OAuth { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A successful token response (RFC 6749 §5.1), as sent: the ID token is neither decoded nor
/// verified here (an OpenID Provider's is verified against its keys by the caller;
/// [`to_auth_tokens`](Self::to_auth_tokens) reads Cognito's). `Debug` redacts the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TokenResponse {
    /// The access token (a JWT at Cognito, often opaque elsewhere).
    pub access_token: Sensitive,
    /// The ID token, when `openid` was granted.
    #[serde(default)]
    pub id_token: Option<Sensitive>,
    /// The refresh token, when one was issued (or rotated).
    #[serde(default)]
    pub refresh_token: Option<Sensitive>,
    /// `Bearer` (checked; other types are refused).
    #[serde(default)]
    pub token_type: Option<String>,
    /// The access token's lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// The granted scopes, when they differ from the requested ones.
    #[serde(default)]
    pub scope: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

impl TokenResponse {
    /// Reads the token endpoint's response: an OAuth error body (RFC 6749 §5.2) on a 4xx,
    /// else the status, else the token response.
    ///
    /// # Errors
    ///
    /// [`TokenEndpointError::OAuth`], [`TokenEndpointError::HttpStatus`],
    /// [`TokenEndpointError::MalformedResponse`].
    pub fn decode<B: AsRef<[u8]>>(
        response: &http::Response<B>,
    ) -> Result<Self, TokenEndpointError> {
        let status = response.status();
        let body = response.body().as_ref();
        if !status.is_success() {
            if status.is_client_error()
                && let Ok(error) = serde_json::from_slice::<ErrorBody>(body)
            {
                return Err(TokenEndpointError::OAuth {
                    error: error.error,
                    description: error.error_description,
                });
            }
            return Err(TokenEndpointError::HttpStatus {
                status: status.as_u16(),
            });
        }
        let tokens: Self =
            serde_json::from_slice(body).map_err(|e| TokenEndpointError::MalformedResponse {
                // serde names the field or position, never a value of a string.
                reason: format!(
                    "not a token response (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            })?;
        if let Some(kind) = &tokens.token_type
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(TokenEndpointError::MalformedResponse {
                reason: "token_type is not Bearer".into(),
            });
        }
        Ok(tokens)
    }

    /// When the access token expires, for a response received at `now`.
    pub fn expires_at(&self, now: SystemTime) -> Option<SystemTime> {
        self.expires_in.map(|s| now + Duration::from_secs(s))
    }

    /// The refresh token.
    pub fn refresh_token(&self) -> Option<RefreshToken> {
        self.refresh_token
            .as_ref()
            .map(|t| RefreshToken::new(t.expose()))
    }

    /// The tokens as Cognito's [`AuthTokens`]: the username from the access token's
    /// `username` claim, as Amplify reads it, else the ID token's `cognito:username` or
    /// `sub`; the clock drift from its `iat` and `now`. When the authorization request
    /// carried a `nonce` and an ID token came back, the ID token's `nonce` must equal it
    /// (compared in constant time).
    ///
    /// # Errors
    ///
    /// [`TokenEndpointError::InvalidToken`], [`TokenEndpointError::NonceMismatch`],
    /// [`TokenEndpointError::MalformedResponse`] when no token names the user.
    pub fn to_auth_tokens(
        &self,
        now: SystemTime,
        expected_nonce: Option<&str>,
    ) -> Result<AuthTokens, TokenEndpointError> {
        let access = Jwt::decode(self.access_token.expose()).map_err(|source| {
            TokenEndpointError::InvalidToken {
                token: "access token",
                source,
            }
        })?;
        let mut tokens = AuthTokens::new(access, now);
        if let Some(id) = &self.id_token {
            let id =
                Jwt::decode(id.expose()).map_err(|source| TokenEndpointError::InvalidToken {
                    token: "ID token",
                    source,
                })?;
            if let Some(expected) = expected_nonce {
                let nonce = id.claims().other.get("nonce").and_then(|n| n.as_str());
                if !nonce.is_some_and(|n| bool::from(n.as_bytes().ct_eq(expected.as_bytes()))) {
                    return Err(TokenEndpointError::NonceMismatch);
                }
            }
            if tokens.username.is_empty()
                && let Some(name) = id.claims().username().or(id.claims().sub.as_deref())
            {
                tokens.username = name.into();
            }
            tokens = tokens.with_id_token(id);
        }
        if tokens.username.is_empty() {
            return Err(TokenEndpointError::MalformedResponse {
                reason: "no token names the user (username, cognito:username or sub)".into(),
            });
        }
        if let Some(refresh) = self.refresh_token() {
            tokens = tokens.with_refresh_token(refresh);
        }
        Ok(tokens)
    }
}

/// Reads the token endpoint's response into Cognito's [`AuthTokens`]:
/// [`TokenResponse::decode`], then [`TokenResponse::to_auth_tokens`].
///
/// # Errors
///
/// [`TokenEndpointError`].
pub fn decode_token_response<B: AsRef<[u8]>>(
    response: &http::Response<B>,
    now: SystemTime,
    expected_nonce: Option<&str>,
) -> Result<AuthTokens, TokenEndpointError> {
    TokenResponse::decode(response)?.to_auth_tokens(now, expected_nonce)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn config() -> OAuthConfig {
        OAuthConfig::builder()
            .domain("myapp.auth.us-east-1.amazoncognito.com")
            .scopes(["openid", "email", "aws.cognito.signin.user.admin"])
            .build()
            .unwrap()
    }

    fn jwt(claims: &serde_json::Value) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    #[test]
    fn token_request_is_a_pkce_form_post_with_basic_auth_for_secrets() {
        let pkce = PkceVerifier::from_stored("verifier");
        let request = token_request(&config(), "client1", None, "the-code", "myapp://cb", &pkce);
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(
            request.uri(),
            "https://myapp.auth.us-east-1.amazoncognito.com/oauth2/token"
        );
        assert!(request.headers().get(http::header::AUTHORIZATION).is_none());
        let body = String::from_utf8(request.body().clone()).unwrap();
        assert_eq!(
            body,
            "grant_type=authorization_code&client_id=client1&code=the-code&redirect_uri=myapp%3A%2F%2Fcb&code_verifier=verifier"
        );
        let secret = Sensitive::new("s3cr:t");
        let request = token_request(
            &config(),
            "client1",
            Some(&secret),
            "c",
            "myapp://cb",
            &pkce,
        );
        let basic = request.headers()[http::header::AUTHORIZATION]
            .to_str()
            .unwrap();
        assert_eq!(
            basic,
            format!("Basic {}", STANDARD.encode("client1:s3cr%3At"))
        );
    }

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[test]
    fn token_response_becomes_tokens_named_by_the_access_token() {
        let access = jwt(
            &serde_json::json!({"sub": "s-1", "username": "Google_123", "exp": 2_000_000_000, "iat": 1_000}),
        );
        let id = jwt(
            &serde_json::json!({"sub": "s-1", "cognito:username": "Google_123", "nonce": "n-1"}),
        );
        let body = serde_json::json!({"access_token": access, "id_token": id, "refresh_token": "r", "token_type": "Bearer", "expires_in": 3600});
        let tokens = decode_token_response(
            &response(200, &body.to_string()),
            SystemTime::UNIX_EPOCH,
            Some("n-1"),
        )
        .unwrap();
        assert_eq!(tokens.username, "Google_123");
        assert!(tokens.id_token.is_some());
        assert_eq!(tokens.refresh_token.unwrap().as_str(), "r");
        let err = decode_token_response(
            &response(200, &body.to_string()),
            SystemTime::UNIX_EPOCH,
            Some("other"),
        )
        .unwrap_err();
        assert_eq!(err, TokenEndpointError::NonceMismatch);
    }

    #[test]
    fn token_endpoint_failures_are_typed() {
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(
            decode_token_response(&response(400, r#"{"error":"invalid_grant"}"#), now, None)
                .unwrap_err(),
            TokenEndpointError::OAuth {
                error: "invalid_grant".into(),
                description: None
            }
        );
        let html =
            decode_token_response(&response(500, "<html>oops</html>"), now, None).unwrap_err();
        assert_eq!(html, TokenEndpointError::HttpStatus { status: 500 });
        assert!(html.is_transient());
        assert!(matches!(
            decode_token_response(&response(200, "<html>"), now, None).unwrap_err(),
            TokenEndpointError::MalformedResponse { .. }
        ));
        assert!(matches!(
            decode_token_response(&response(200, r#"{"access_token":"opaque"}"#), now, None)
                .unwrap_err(),
            TokenEndpointError::InvalidToken {
                token: "access token",
                ..
            }
        ));
        let nameless = jwt(&serde_json::json!({"exp": 1}));
        let body = serde_json::json!({ "access_token": nameless });
        assert!(matches!(
            decode_token_response(&response(200, &body.to_string()), now, None).unwrap_err(),
            TokenEndpointError::MalformedResponse { .. }
        ));
    }
}
