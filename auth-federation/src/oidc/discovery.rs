//! OpenID Provider metadata (OIDC Discovery 1.0) and the small HTTP helpers of this module.

use auth_providers::{HttpClient, ResponseBodyLimit, SharedHttpClient};
use auth_verify::{Document, FetchLimits, fetch_json};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::OidcError;

/// The parts of a provider's `/.well-known/openid-configuration` this crate uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// The issuer; equal to the configured issuer (checked).
    pub issuer: String,
    /// Where the browser is sent to log in.
    pub authorization_endpoint: String,
    /// Where codes, refresh tokens and device codes are exchanged.
    pub token_endpoint: String,
    /// The provider's signing keys.
    pub jwks_uri: String,
    /// RP-initiated logout (OIDC RP-Initiated Logout 1.0), if supported.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    /// The device authorization endpoint (RFC 8628), if supported.
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    /// Token revocation (RFC 7009), if supported.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// The ID-token signing algorithms the provider supports.
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// Whether the provider sends `iss` in authorization responses (RFC 9207).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

impl ProviderMetadata {
    /// Fetches `<issuer>/.well-known/openid-configuration` within the default
    /// [`FetchLimits`] and checks that it is for `issuer`.
    ///
    /// # Errors
    ///
    /// [`OidcError::KeyFetch`] (with the URL and the cause), [`OidcError::MalformedResponse`]
    /// or [`OidcError::IssuerMismatch`].
    pub async fn discover(issuer: &str, http: &dyn HttpClient) -> Result<Self, OidcError> {
        Self::discover_within(issuer, http, &FetchLimits::default()).await
    }

    /// [`discover`](Self::discover) within `limits`.
    ///
    /// # Errors
    ///
    /// As [`discover`](Self::discover).
    pub async fn discover_within(
        issuer: &str,
        http: &dyn HttpClient,
        limits: &FetchLimits,
    ) -> Result<Self, OidcError> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let metadata: Self = fetch_json(http, Document::Discovery, &url, limits).await?;
        if metadata.issuer != issuer {
            return Err(OidcError::IssuerMismatch {
                expected: issuer.to_owned(),
                found: metadata.issuer,
            });
        }
        for (name, endpoint) in [
            ("authorization_endpoint", &metadata.authorization_endpoint),
            ("token_endpoint", &metadata.token_endpoint),
            ("jwks_uri", &metadata.jwks_uri),
        ] {
            let parsed = url::Url::parse(endpoint).map_err(|_| OidcError::MalformedResponse {
                endpoint: "discovery",
                reason: format!("{name} is not a URL"),
            })?;
            if !super::config::secure_or_loopback(&parsed) {
                return Err(OidcError::MalformedResponse {
                    endpoint: "discovery",
                    reason: format!(
                        "{name} {endpoint:?} is not an https URL (plain http only on a loopback host)"
                    ),
                });
            }
        }
        Ok(metadata)
    }
}

/// An OAuth error response body (RFC 6749 §5.2).
#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// The largest token-endpoint response read (tokens are a few KiB; reading stops here).
pub(crate) const MAX_TOKEN_RESPONSE_BYTES: usize = 1024 * 1024;

/// `POST` a form and parse a JSON body; an OAuth error body becomes [`OidcError::OAuth`].
pub(crate) async fn post_form<T: DeserializeOwned>(
    http: &SharedHttpClient,
    url: &str,
    form: &str,
    endpoint: &'static str,
) -> Result<T, OidcError> {
    let mut request = http::Request::post(url)
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::ACCEPT, "application/json")
        .body(form.as_bytes().to_vec())
        .map_err(|_| OidcError::InvalidConfiguration(format!("the {endpoint} URL is not valid")))?;
    request
        .extensions_mut()
        .insert(ResponseBodyLimit(MAX_TOKEN_RESPONSE_BYTES));
    let response = http
        .send(request)
        .await
        .map_err(|source| OidcError::Network {
            endpoint,
            url: url.to_owned(),
            source,
        })?;
    let status = response.status();
    if !status.is_success() {
        if let Ok(body) = serde_json::from_slice::<OAuthErrorBody>(response.body())
            && status.is_client_error()
        {
            return Err(OidcError::OAuth {
                endpoint,
                error: body.error,
                description: body.error_description,
            });
        }
        return Err(OidcError::HttpStatus {
            endpoint,
            status: status.as_u16(),
        });
    }
    serde_json::from_slice(response.body()).map_err(|e| OidcError::MalformedResponse {
        endpoint,
        // serde's message names the field, never the token values.
        reason: format!("not the expected JSON: {e}"),
    })
}
