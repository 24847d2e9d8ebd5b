//! Sign-in with redirect through Cognito's managed login (hosted UI), sans-IO.
//!
//! The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636) as one sans-IO machine,
//! [`AuthorizationCode`], used by Cognito's managed login and by the OpenID Connect adapters
//! of `auth-federation` alike: the client and its endpoints ([`OAuthClient`]; Cognito's from
//! an [`OAuthConfig`]), the `state` ([`OAuthState`], in Amplify's format), the PKCE verifier
//! ([`PkceVerifier`]), what an authorization in flight keeps ([`PendingAuthorization`]), the
//! authorization URL ([`authorize_url`]) with the provider and the optional parameters
//! ([`AuthorizeParams`]), the redirect ([`CallbackParams`], [`AuthorizationError`]), the token
//! requests ([`OAuthClient::code_request`], [`OAuthClient::refresh_request`]) and their
//! response ([`TokenResponse`], [`TokenEndpointError`]), and the logout URL ([`logout_url`]).
//!
//! Nothing here opens a browser, listens for the redirect or sends a request: the umbrella
//! client's `Auth::sign_in_with_redirect` and `auth-federation`'s `OidcClient` do, driving
//! the machine.
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

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_core::CryptoRngCore;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::Sensitive;
use crate::config::{OAuthConfig, OAuthResponseType};

mod callback;
mod code;
mod token;

pub use callback::{AuthorizationError, CallbackParams};
pub use code::{AuthorizationCode, AuthorizationStep, PendingAuthorization};
pub use token::{
    ClientAuthentication, OAuthClient, TokenEndpointError, TokenResponse, decode_token_response,
    token_request,
};

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
    /// Further parameters, sent last in this order (an OpenID Provider's `audience`, …).
    pub extra: Vec<(String, String)>,
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

    /// Sets the scopes to `scopes` unless this request has its own.
    #[must_use]
    pub fn default_scopes(mut self, scopes: &[String]) -> Self {
        if self.scopes.is_none() {
            self.scopes = Some(scopes.to_vec());
        }
        self
    }

    /// Adds a further parameter.
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
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
        let mut state = random_alphanumeric(rng);
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

/// 32 random alphanumeric characters (about 190 bits).
fn random_alphanumeric(rng: &mut impl CryptoRngCore) -> String {
    let mut out = String::with_capacity(STATE_LEN + 1);
    for _ in 0..STATE_LEN {
        // Rejection sampling keeps the characters uniform (62 does not divide 256).
        loop {
            let mut byte = [0u8; 1];
            rng.fill_bytes(&mut byte);
            let index = usize::from(byte[0]);
            if index < 248 {
                out.push(char::from(STATE_CHARS[index % STATE_CHARS.len()]));
                break;
            }
        }
    }
    out
}

/// A fresh OpenID Connect `nonce` (OIDC Core §3.1.2.1): 32 random alphanumeric characters,
/// as the random part of an [`OAuthState`].
pub fn generate_nonce(rng: &mut impl CryptoRngCore) -> String {
    random_alphanumeric(rng)
}

/// Amplify's `urlSafeEncode`: each byte as two lowercase hex digits (the `hex` crate).
/// Amplify encodes UTF-16 code units, so the two agree on ASCII; this encodes UTF-8 bytes, so
/// any string round-trips.
pub fn url_safe_encode(text: &str) -> String {
    hex::encode(text)
}

/// The inverse of [`url_safe_encode`]; `None` for odd lengths, non-hex digits or bytes that
/// are not UTF-8.
pub fn url_safe_decode(hex: &str) -> Option<String> {
    String::from_utf8(hex::decode(hex).ok()?).ok()
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
    let params = params.clone().default_scopes(config.scopes());
    authorize_url_at(
        &config.authorize_endpoint(),
        client_id,
        redirect_uri,
        state,
        pkce,
        params.nonce.as_deref(),
        &params,
    )
}

/// The authorization URL at any `endpoint` (which may have a query of its own), with `nonce`
/// in place of `params.nonce` and `params.extra` last.
pub(crate) fn authorize_url_at(
    endpoint: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &OAuthState,
    pkce: &PkceVerifier,
    nonce: Option<&str>,
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
    if let Some(scopes) = &params.scopes
        && !scopes.is_empty()
    {
        query.append_pair("scope", &scopes.join(" "));
    }
    query
        .append_pair("state", state.as_str())
        .append_pair("code_challenge", &pkce.challenge())
        .append_pair("code_challenge_method", "S256");
    for (name, value) in [
        ("login_hint", params.login_hint.as_deref()),
        ("lang", params.lang.as_deref()),
        ("nonce", nonce),
        ("prompt", params.prompt.map(Prompt::as_str)),
    ] {
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    query.extend_pairs(&params.extra);
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    format!("{endpoint}{separator}{}", query.finish())
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
}
