//! Sign-in with redirect through Cognito's managed login (hosted UI), sans-IO.
//!
//! The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636) against the endpoints of
//! an [`OAuthConfig`]: the `state` ([`OAuthState`], in Amplify's format), the PKCE verifier
//! ([`PkceVerifier`]), the authorization URL ([`authorize_url`]) with the provider and the
//! optional parameters ([`AuthorizeParams`]), the token request ([`token_request`]) and its
//! response ([`decode_token_response`]), and the logout URL ([`logout_url`]).
//!
//! Nothing here opens a browser, listens for the redirect or sends a request: the umbrella
//! client's `Auth::sign_in_with_redirect` does, with these functions.
//!
//! ```
//! use auth_core::config::OAuthConfig;
//! use auth_core::oauth::{self, AuthorizeParams, OAuthState, PkceVerifier, Provider};
//! use rand::SeedableRng;
//!
//! let config = OAuthConfig::builder()
//!     .domain("myapp.auth.eu-west-1.amazoncognito.com")
//!     .scopes(["openid", "email"])
//!     .build()?;
//! let mut rng = rand::rngs::StdRng::seed_from_u64(7);
//! let state = OAuthState::generate(&mut rng, Some("/settings"));
//! let pkce = PkceVerifier::generate(&mut rng);
//! let params = AuthorizeParams::new().provider(Provider::Google).login_hint("alice@example.com");
//! let url = oauth::authorize_url(&config, "client1", "http://localhost:8400/", &state, &pkce, &params);
//! assert!(url.starts_with("https://myapp.auth.eu-west-1.amazoncognito.com/oauth2/authorize?"));
//! assert!(url.contains("identity_provider=Google"));
//! assert!(url.contains("code_challenge_method=S256"));
//! assert_eq!(state.custom_state().as_deref(), Some("/settings"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand_core::CryptoRngCore;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::Sensitive;
use crate::config::{OAuthConfig, OAuthResponseType};
use crate::tokens::{AuthTokens, Jwt, JwtError, RefreshToken};

/// Which identity provider the managed login sends the user to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// The user pool's own sign-in page (`identity_provider=COGNITO`).
    Cognito,
    /// Google (`identity_provider=Google`).
    Google,
    /// Facebook (`identity_provider=Facebook`).
    Facebook,
    /// Login with Amazon (`identity_provider=LoginWithAmazon`).
    Amazon,
    /// Sign in with Apple (`identity_provider=SignInWithApple`).
    Apple,
    /// A SAML or OIDC provider by the name it has in the pool (`identity_provider=<name>`).
    Custom(String),
    /// A SAML or OIDC provider by one of its identifiers, for example an email domain
    /// (`idp_identifier=<id>`).
    IdpIdentifier(String),
}

impl Provider {
    /// The authorization parameter and its value.
    pub fn param(&self) -> (&'static str, &str) {
        match self {
            Self::Cognito => ("identity_provider", "COGNITO"),
            Self::Google => ("identity_provider", "Google"),
            Self::Facebook => ("identity_provider", "Facebook"),
            Self::Amazon => ("identity_provider", "LoginWithAmazon"),
            Self::Apple => ("identity_provider", "SignInWithApple"),
            Self::Custom(name) => ("identity_provider", name),
            Self::IdpIdentifier(id) => ("idp_identifier", id),
        }
    }
}

/// The `prompt` parameter (Cognito managed login, OIDC Core §3.1.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Prompt {
    /// No UI: fail with `login_required` unless a session exists.
    None,
    /// Ask for credentials even with a session.
    Login,
    /// Ask for consent.
    Consent,
    /// Let the user pick an account.
    SelectAccount,
}

impl Prompt {
    /// The parameter value: `none`, `login`, `consent` or `select_account`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Login => "login",
            Self::Consent => "consent",
            Self::SelectAccount => "select_account",
        }
    }
}

/// The optional parameters of an authorization request (Amplify's `signInWithRedirect`
/// `provider` and `options`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizeParams {
    /// Where to sign in; `None` shows the managed login page with every provider.
    pub provider: Option<Provider>,
    /// Scopes replacing the configuration's for this request.
    pub scopes: Option<Vec<String>>,
    /// A username or email to pre-fill (`login_hint`).
    pub login_hint: Option<String>,
    /// The managed login page's language (`lang`, e.g. `fr`).
    pub lang: Option<String>,
    /// A value the ID token must carry back in its `nonce` claim (checked).
    pub nonce: Option<String>,
    /// The `prompt` parameter.
    pub prompt: Option<Prompt>,
}

impl AuthorizeParams {
    /// No optional parameter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the provider.
    #[must_use]
    pub fn provider(mut self, provider: Provider) -> Self {
        self.provider = Some(provider);
        self
    }

    /// Sets the scopes for this request.
    #[must_use]
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `login_hint`.
    #[must_use]
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// Sets `lang`.
    #[must_use]
    pub fn lang(mut self, lang: impl Into<String>) -> Self {
        self.lang = Some(lang.into());
        self
    }

    /// Sets `nonce`.
    #[must_use]
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Sets `prompt`.
    #[must_use]
    pub fn prompt(mut self, prompt: Prompt) -> Self {
        self.prompt = Some(prompt);
        self
    }
}

const STATE_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const STATE_LEN: usize = 32;

/// The `state` of an authorization request, in Amplify's format: 32 random alphanumeric
/// characters, then, when the app passed a custom state, `-` and the custom state
/// [url-safe encoded](url_safe_encode). The random part has no `-`, so the first `-` starts
/// the custom state. `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthState(Sensitive);

impl OAuthState {
    /// A fresh state, carrying `custom_state` when it is given and not empty.
    pub fn generate(rng: &mut impl CryptoRngCore, custom_state: Option<&str>) -> Self {
        let mut state = String::with_capacity(STATE_LEN + 1);
        for _ in 0..STATE_LEN {
            // Rejection sampling keeps the characters uniform (62 does not divide 256).
            loop {
                let mut byte = [0u8; 1];
                rng.fill_bytes(&mut byte);
                let index = usize::from(byte[0]);
                if index < 248 {
                    state.push(char::from(STATE_CHARS[index % STATE_CHARS.len()]));
                    break;
                }
            }
        }
        if let Some(custom) = custom_state.filter(|c| !c.is_empty()) {
            state.push('-');
            state.push_str(&url_safe_encode(custom));
        }
        Self(Sensitive::new(state))
    }

    /// A state read back from storage.
    pub fn from_stored(state: impl Into<String>) -> Self {
        Self(Sensitive::new(state.into()))
    }

    /// The state, for the authorization URL and storage.
    pub fn as_str(&self) -> &str {
        self.0.expose()
    }

    /// Whether `returned` (the redirect's `state`) is this state; constant-time.
    pub fn matches(&self, returned: &str) -> bool {
        bool::from(self.as_str().as_bytes().ct_eq(returned.as_bytes()))
    }

    /// The app's custom state carried by this state, decoded; `None` without one or when it
    /// does not decode.
    pub fn custom_state(&self) -> Option<String> {
        let (_, encoded) = self.as_str().split_once('-')?;
        url_safe_decode(encoded)
    }
}

impl fmt::Debug for OAuthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OAuthState(** redacted **)")
    }
}

/// Amplify's `urlSafeEncode`: each byte as two lowercase hex digits. Amplify encodes UTF-16
/// code units, so the two agree on ASCII; this encodes UTF-8 bytes, so any string round-trips.
pub fn url_safe_encode(text: &str) -> String {
    use fmt::Write as _;
    let mut out = String::with_capacity(text.len() * 2);
    for byte in text.bytes() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// The inverse of [`url_safe_encode`]; `None` for odd lengths, non-hex digits or bytes that
/// are not UTF-8.
pub fn url_safe_decode(hex: &str) -> Option<String> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    let bytes = hex
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(pair, 16).ok()
        })
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

/// A PKCE code verifier (RFC 7636 §4.1): 32 random bytes, base64url (43 characters).
/// `Debug` redacts it; it is zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct PkceVerifier(Sensitive);

impl PkceVerifier {
    /// A fresh verifier.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *bytes);
        Self(Sensitive::new(URL_SAFE_NO_PAD.encode(*bytes)))
    }

    /// A verifier read back from storage.
    pub fn from_stored(verifier: impl Into<String>) -> Self {
        Self(Sensitive::new(verifier.into()))
    }

    /// The verifier, for the token request and storage.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Its S256 challenge.
    pub fn challenge(&self) -> String {
        pkce_challenge(self.expose())
    }
}

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceVerifier(** redacted **)")
    }
}

/// The PKCE S256 challenge of a verifier: `BASE64URL(SHA256(verifier))` (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The URL that starts a sign-in at the managed login: `<authorize endpoint>?redirect_uri=…&
/// response_type=code&client_id=…[&identity_provider=…|&idp_identifier=…][&scope=…]&state=…&
/// code_challenge=…&code_challenge_method=S256[&login_hint=…][&lang=…][&nonce=…][&prompt=…]`.
///
/// The response type is always `code`: the implicit grant is not offered to native apps
/// (RFC 8252 §8.1). Scopes are the request's, else the configuration's; none at all leaves
/// the parameter out (Cognito then grants the app client's allowed scopes).
pub fn authorize_url(
    config: &OAuthConfig,
    client_id: &str,
    redirect_uri: &str,
    state: &OAuthState,
    pkce: &PkceVerifier,
    params: &AuthorizeParams,
) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_type", OAuthResponseType::Code.as_str())
        .append_pair("client_id", client_id);
    if let Some(provider) = &params.provider {
        let (name, value) = provider.param();
        query.append_pair(name, value);
    }
    let scopes = params.scopes.as_deref().unwrap_or(config.scopes());
    if !scopes.is_empty() {
        query.append_pair("scope", &scopes.join(" "));
    }
    query
        .append_pair("state", state.as_str())
        .append_pair("code_challenge", &pkce.challenge())
        .append_pair("code_challenge_method", "S256");
    for (name, value) in [
        ("login_hint", params.login_hint.as_deref()),
        ("lang", params.lang.as_deref()),
        ("nonce", params.nonce.as_deref()),
        ("prompt", params.prompt.map(Prompt::as_str)),
    ] {
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    format!("{}?{}", config.authorize_endpoint(), query.finish())
}

/// The managed login's logout URL: `<logout endpoint>?client_id=…&logout_uri=…`. Cognito
/// ends its session cookie and redirects to `logout_uri`, which must be one of the app
/// client's sign-out URLs.
pub fn logout_url(config: &OAuthConfig, client_id: &str, logout_uri: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("logout_uri", logout_uri)
        .finish();
    format!("{}?{query}", config.logout_endpoint())
}

/// The token request that exchanges an authorization `code` (RFC 6749 §4.1.3 with the PKCE
/// `code_verifier`): a form `POST` to the token endpoint. An app client with a secret
/// authenticates with HTTP Basic, as Cognito requires.
pub fn token_request(
    config: &OAuthConfig,
    client_id: &str,
    client_secret: Option<&Sensitive>,
    code: &str,
    redirect_uri: &str,
    pkce: &PkceVerifier,
) -> http::Request<Vec<u8>> {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("client_id", client_id)
        .append_pair("code", code)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("code_verifier", pkce.expose())
        .finish();
    let mut request = http::Request::post(config.token_endpoint())
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::ACCEPT, "application/json");
    if let Some(secret) = client_secret {
        // RFC 6749 §2.3.1: both parts form-encoded before Basic.
        let user = form_urlencoded::byte_serialize(client_id.as_bytes()).collect::<String>();
        let pass = form_urlencoded::byte_serialize(secret.expose().as_bytes()).collect::<String>();
        let basic = zeroize::Zeroizing::new(STANDARD.encode(format!("{user}:{pass}")));
        request = request.header(http::header::AUTHORIZATION, format!("Basic {}", *basic));
    }
    request
        .body(body.into_bytes())
        // The endpoint was validated by the configuration and the headers are constants.
        .unwrap_or_else(|_| http::Request::new(Vec::new()))
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
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: Sensitive,
    #[serde(default)]
    id_token: Option<Sensitive>,
    #[serde(default)]
    refresh_token: Option<Sensitive>,
    #[serde(default)]
    token_type: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Reads the token endpoint's response into [`AuthTokens`] (the username from the access
/// token's `username` claim, as Amplify reads it, else `cognito:username` or `sub`; the clock
/// drift from its `iat` and `now`). When the authorization request carried a `nonce` and an
/// ID token came back, the ID token's `nonce` must equal it.
///
/// # Errors
///
/// [`TokenEndpointError`].
pub fn decode_token_response(
    response: &http::Response<Vec<u8>>,
    now: SystemTime,
    expected_nonce: Option<&str>,
) -> Result<AuthTokens, TokenEndpointError> {
    let status = response.status();
    if !status.is_success() {
        if status.is_client_error()
            && let Ok(body) = serde_json::from_slice::<ErrorBody>(response.body())
        {
            return Err(TokenEndpointError::OAuth {
                error: body.error,
                description: body.error_description,
            });
        }
        return Err(TokenEndpointError::HttpStatus {
            status: status.as_u16(),
        });
    }
    let body: TokenBody = serde_json::from_slice(response.body()).map_err(|e| {
        TokenEndpointError::MalformedResponse {
            // serde names the field or position, never a value of a string.
            reason: format!(
                "not a token response (line {}, column {})",
                e.line(),
                e.column()
            ),
        }
    })?;
    if let Some(kind) = &body.token_type
        && !kind.eq_ignore_ascii_case("bearer")
    {
        return Err(TokenEndpointError::MalformedResponse {
            reason: "token_type is not Bearer".into(),
        });
    }
    let access = Jwt::decode(body.access_token.expose()).map_err(|source| {
        TokenEndpointError::InvalidToken {
            token: "access token",
            source,
        }
    })?;
    let mut tokens = AuthTokens::new(access, now);
    if let Some(id) = &body.id_token {
        let id = Jwt::decode(id.expose()).map_err(|source| TokenEndpointError::InvalidToken {
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
    if let Some(refresh) = &body.refresh_token {
        tokens = tokens.with_refresh_token(RefreshToken::new(refresh.expose()));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng as _;

    fn config() -> OAuthConfig {
        OAuthConfig::builder()
            .domain("myapp.auth.us-east-1.amazoncognito.com")
            .scopes(["openid", "email", "aws.cognito.signin.user.admin"])
            .build()
            .unwrap()
    }

    fn rng() -> rand::rngs::StdRng {
        rand::rngs::StdRng::seed_from_u64(1)
    }

    fn query(url: &str) -> Vec<(String, String)> {
        let (_, query) = url.split_once('?').unwrap();
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    fn jwt(claims: &serde_json::Value) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    #[test]
    fn state_is_amplify_shaped_and_carries_the_custom_state() {
        let mut rng = rng();
        let plain = OAuthState::generate(&mut rng, None);
        assert_eq!(plain.as_str().len(), 32);
        assert!(plain.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(plain.custom_state(), None);
        assert_eq!(OAuthState::generate(&mut rng, Some("")).as_str().len(), 32);

        let custom = OAuthState::generate(&mut rng, Some("back-to=/orders?id=7 é"));
        let (random, encoded) = custom.as_str().split_once('-').unwrap();
        assert_eq!(random.len(), 32);
        assert!(encoded.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(
            custom.custom_state().as_deref(),
            Some("back-to=/orders?id=7 é")
        );
        assert_ne!(plain, OAuthState::generate(&mut rng, None));
    }

    #[test]
    fn url_safe_encoding_matches_amplify_on_ascii() {
        // Amplify: "ab/1".split('').map(c => c.charCodeAt(0).toString(16).padStart(2,'0'))
        assert_eq!(url_safe_encode("ab/1"), "61622f31");
        assert_eq!(url_safe_decode("61622f31").as_deref(), Some("ab/1"));
        assert_eq!(url_safe_decode("6"), None);
        assert_eq!(url_safe_decode("zz"), None);
        assert_eq!(url_safe_decode("ff"), None);
    }

    #[test]
    fn state_comparison_needs_the_exact_value() {
        let state = OAuthState::from_stored("abc-6162");
        assert!(state.matches("abc-6162"));
        assert!(!state.matches("abc-6163"));
        assert!(!state.matches("abc"));
        assert!(!format!("{state:?}").contains("abc"));
    }

    #[test]
    fn pkce_challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let verifier = PkceVerifier::generate(&mut rng());
        assert_eq!(verifier.expose().len(), 43);
        assert!(!format!("{verifier:?}").contains(verifier.expose()));
    }

    #[test]
    fn authorize_url_has_every_parameter_amplify_sends() {
        let mut rng = rng();
        let state = OAuthState::generate(&mut rng, Some("x"));
        let pkce = PkceVerifier::generate(&mut rng);
        let params = AuthorizeParams::new()
            .provider(Provider::Apple)
            .login_hint("alice@example.com")
            .lang("fr")
            .nonce("n-1")
            .prompt(Prompt::SelectAccount);
        let url = authorize_url(
            &config(),
            "client1",
            "http://localhost:8400/cb",
            &state,
            &pkce,
            &params,
        );
        assert!(
            url.starts_with("https://myapp.auth.us-east-1.amazoncognito.com/oauth2/authorize?")
        );
        let expected: Vec<(String, String)> = [
            ("redirect_uri", "http://localhost:8400/cb"),
            ("response_type", "code"),
            ("client_id", "client1"),
            ("identity_provider", "SignInWithApple"),
            ("scope", "openid email aws.cognito.signin.user.admin"),
            ("state", state.as_str()),
            ("code_challenge", &pkce.challenge()),
            ("code_challenge_method", "S256"),
            ("login_hint", "alice@example.com"),
            ("lang", "fr"),
            ("nonce", "n-1"),
            ("prompt", "select_account"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(query(&url), expected);
    }

    #[test]
    fn providers_map_to_cognito_parameters() {
        let cases = [
            (Provider::Cognito, ("identity_provider", "COGNITO")),
            (Provider::Google, ("identity_provider", "Google")),
            (Provider::Facebook, ("identity_provider", "Facebook")),
            (Provider::Amazon, ("identity_provider", "LoginWithAmazon")),
            (Provider::Apple, ("identity_provider", "SignInWithApple")),
            (
                Provider::Custom("Okta".into()),
                ("identity_provider", "Okta"),
            ),
            (
                Provider::IdpIdentifier("example.com".into()),
                ("idp_identifier", "example.com"),
            ),
        ];
        for (provider, param) in cases {
            assert_eq!(provider.param(), param);
        }
    }

    #[test]
    fn no_scopes_leave_the_parameter_out_and_request_scopes_win() {
        let bare = OAuthConfig::builder()
            .domain("a.example.com")
            .build()
            .unwrap();
        let mut rng = rng();
        let state = OAuthState::generate(&mut rng, None);
        let pkce = PkceVerifier::generate(&mut rng);
        let url = authorize_url(
            &bare,
            "c",
            "myapp://cb",
            &state,
            &pkce,
            &AuthorizeParams::new(),
        );
        assert!(query(&url).iter().all(|(k, _)| k != "scope"));
        let url = authorize_url(
            &config(),
            "c",
            "myapp://cb",
            &state,
            &pkce,
            &AuthorizeParams::new().scopes(["openid"]),
        );
        assert!(query(&url).contains(&("scope".into(), "openid".into())));
    }

    #[test]
    fn logout_url_names_the_client_and_the_logout_uri() {
        let url = logout_url(&config(), "client1", "myapp://signed-out");
        assert_eq!(
            url,
            "https://myapp.auth.us-east-1.amazoncognito.com/logout?client_id=client1&logout_uri=myapp%3A%2F%2Fsigned-out"
        );
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
