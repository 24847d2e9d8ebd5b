//! Errors of the wire protocol: what Cognito said ([`ServiceError`]) and responses that are not
//! Cognito JSON at all ([`MalformedResponse`]).

use std::fmt;

use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

/// Decoding a response failed.
///
/// Grouped by cause, as rustls does: Cognito answered with an error ([`Error::Service`]), or
/// the peer sent something that is not a Cognito response ([`Error::MalformedResponse`]).
/// Mistakes of the caller are reported elsewhere, before anything is sent
/// ([`ConfigError`](crate::config::ConfigError), [`SrpError`](crate::srp::SrpError)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Cognito answered with a typed error.
    #[error(transparent)]
    Service(ServiceError),
    /// The response is not a Cognito response: an HTML error page, an empty or truncated body,
    /// JSON of the wrong shape.
    #[error(transparent)]
    MalformedResponse(MalformedResponse),
}

impl Error {
    /// The Cognito error kind, when Cognito answered with one.
    pub fn kind(&self) -> Option<&ErrorKind> {
        match self {
            Self::Service(e) => Some(&e.kind),
            Self::MalformedResponse(_) => None,
        }
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Service(e) => e.status,
            Self::MalformedResponse(e) => e.status,
        }
    }

    /// Whether sending the same request again (after a back-off) can succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Service(e) => e.is_retryable(),
            Self::MalformedResponse(e) => e.is_retryable(),
        }
    }
}

macro_rules! error_kinds {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// The kind of a Cognito error, from the `__type` of the body or the
        /// `x-amzn-ErrorType` header.
        ///
        /// User-pool and identity-pool errors share one enum: both services name the same
        /// condition the same way (`NotAuthorizedException`, `ResourceNotFoundException`, …).
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[$doc])* $variant,)*
            /// An error code this version does not know, kept verbatim (without prefix).
            Unknown(String),
        }

        impl ErrorKind {
            /// Maps an error code (`NotAuthorizedException`, with any `prefix#` or `:suffix`
            /// already removed) to its kind.
            pub fn from_code(code: &str) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// The error code as Cognito spells it.
            pub fn code(&self) -> &str {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Unknown(code) => code,
                }
            }
        }
    };
}

error_kinds! {
    /// Wrong credentials, a disabled user, an expired or revoked token, or a flow the app client
    /// does not allow; the message says which.
    NotAuthorized = "NotAuthorizedException",
    /// The user does not exist (only when user existence errors are not prevented).
    UserNotFound = "UserNotFoundException",
    /// The user signed up but has not confirmed; run confirm sign-up.
    UserNotConfirmed = "UserNotConfirmedException",
    /// An administrator reset the password; run reset password.
    PasswordResetRequired = "PasswordResetRequiredException",
    /// The confirmation or MFA code is wrong.
    CodeMismatch = "CodeMismatchException",
    /// The code has expired; request a new one.
    ExpiredCode = "ExpiredCodeException",
    /// A parameter is invalid (also: "Device does not exist", invalid session).
    InvalidParameter = "InvalidParameterException",
    /// The password does not meet the pool's policy.
    InvalidPassword = "InvalidPasswordException",
    /// The new password was used recently.
    PasswordHistoryPolicyViolation = "PasswordHistoryPolicyViolationException",
    /// A limit was exceeded ("Attempt limit exceeded, please try after some time"). Not retried
    /// automatically: an immediate retry hits the same limit (the AWS SDKs do not retry it
    /// either).
    LimitExceeded = "LimitExceededException",
    /// The request rate is too high; retry with back-off.
    TooManyRequests = "TooManyRequestsException",
    /// Too many failed attempts (for example of a code).
    TooManyFailedAttempts = "TooManyFailedAttemptsException",
    /// The pool, client, identity or device does not exist.
    ResourceNotFound = "ResourceNotFoundException",
    /// The token has been revoked.
    TokenRevoked = "TokenRevokedException",
    /// A rotated refresh token was used again.
    RefreshTokenReuse = "RefreshTokenReuseException",
    /// The username is taken.
    UsernameExists = "UsernameExistsException",
    /// The email or phone number is already an alias of another user.
    AliasExists = "AliasExistsException",
    /// The code could not be delivered.
    CodeDeliveryFailure = "CodeDeliveryFailureException",
    /// TOTP is not set up for the user.
    SoftwareTokenMfaNotFound = "SoftwareTokenMFANotFoundException",
    /// TOTP setup did not verify.
    EnableSoftwareTokenMfa = "EnableSoftwareTokenMFAException",
    /// No MFA method the pool could use was found.
    MfaMethodNotFound = "MFAMethodNotFoundException",
    /// The pool is misconfigured for this request.
    InvalidUserPoolConfiguration = "InvalidUserPoolConfigurationException",
    /// A Lambda trigger returned an invalid response.
    InvalidLambdaResponse = "InvalidLambdaResponseException",
    /// A Lambda trigger rejected the request (pre sign-up, pre authentication, …).
    UserLambdaValidation = "UserLambdaValidationException",
    /// A Lambda trigger failed unexpectedly.
    UnexpectedLambda = "UnexpectedLambdaException",
    /// The SMS role's access policy is invalid.
    InvalidSmsRoleAccessPolicy = "InvalidSmsRoleAccessPolicyException",
    /// The SMS role's trust relationship is invalid.
    InvalidSmsRoleTrustRelationship = "InvalidSmsRoleTrustRelationshipException",
    /// The email role's access policy is invalid.
    InvalidEmailRoleAccessPolicy = "InvalidEmailRoleAccessPolicyException",
    /// An advanced-security feature is not enabled on the pool.
    UserPoolAddOnNotEnabled = "UserPoolAddOnNotEnabledException",
    /// The operation is not supported (for example RevokeToken without token revocation).
    UnsupportedOperation = "UnsupportedOperationException",
    /// The token type is not supported by RevokeToken.
    UnsupportedTokenType = "UnsupportedTokenTypeException",
    /// The user is in a state that does not allow the request.
    UnsupportedUserState = "UnsupportedUserStateException",
    /// The client is not authorized (RevokeToken, GetTokensFromRefreshToken).
    Unauthorized = "UnauthorizedException",
    /// A web ACL blocked the request.
    Forbidden = "ForbiddenException",
    /// The operation is not enabled for this user pool or account (declared on every
    /// user-pool operation the client calls).
    OperationNotEnabled = "OperationNotEnabledException",
    /// The feature needs a higher feature plan (tier) of the user pool than it has, for
    /// example passwordless sign-in or threat protection on the Lite plan.
    FeatureUnavailableInTier = "FeatureUnavailableInTierException",
    /// Identity pool: a conflicting change (for example an identity already linked).
    ResourceConflict = "ResourceConflictException",
    /// Identity pool: the external identity provider failed.
    ExternalService = "ExternalServiceException",
    /// Identity pool: the pool's role configuration is invalid.
    InvalidIdentityPoolConfiguration = "InvalidIdentityPoolConfigurationException",
    /// Identity pool: the developer user is already registered.
    DeveloperUserAlreadyRegistered = "DeveloperUserAlreadyRegisteredException",
    /// A concurrent modification was detected.
    ConcurrentModification = "ConcurrentModificationException",
    /// The device key already exists.
    DeviceKeyExists = "DeviceKeyExistsException",
    /// Cognito failed internally; retry.
    InternalError = "InternalErrorException",
    /// Generic AWS throttling; retry with back-off.
    Throttling = "ThrottlingException",
    /// Generic AWS: the service is unavailable; retry.
    ServiceUnavailable = "ServiceUnavailableException",
    /// Generic AWS: access denied.
    AccessDenied = "AccessDeniedException",
    /// Generic AWS: the client (access key) is not recognized.
    UnrecognizedClient = "UnrecognizedClientException",
}

impl ErrorKind {
    /// Whether a retry (after a back-off) can succeed: throttling and internal errors.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::TooManyRequests
                | Self::Throttling
                | Self::InternalError
                | Self::ServiceUnavailable
        )
    }

    /// Whether stored tokens must be cleared when a refresh fails with this error (reference
    /// section 3): the session is definitively over. Any other failure keeps the tokens.
    pub fn invalidates_tokens(&self) -> bool {
        matches!(
            self,
            Self::NotAuthorized
                | Self::TokenRevoked
                | Self::UserNotFound
                | Self::PasswordResetRequired
                | Self::UserNotConfirmed
                | Self::RefreshTokenReuse
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Cognito answered with an error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Cognito's message, verbatim (for example "Incorrect username or password.").
    pub message: Option<String>,
    /// The HTTP status.
    pub status: StatusCode,
    /// The `x-amzn-RequestId` header, for support requests.
    pub request_id: Option<String>,
}

impl ServiceError {
    /// Whether a retry can succeed: a retryable kind, or a 5xx/429 status.
    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
            || self.status.is_server_error()
            || self.status == StatusCode::TOO_MANY_REQUESTS
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Cognito returned {} (HTTP {})",
            self.kind,
            self.status.as_u16()
        )?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

/// Why a response is not a Cognito response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedReason {
    /// The body is empty where Cognito always sends JSON.
    EmptyBody,
    /// The body is not JSON and the content type says something else (an HTML error page).
    NotJson {
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
    },
    /// The body ends in the middle of a JSON value.
    Truncated,
    /// The body is not valid JSON.
    InvalidJson {
        /// Line of the first error (1-based).
        line: usize,
        /// Column of the first error (1-based).
        column: usize,
    },
    /// The body is JSON but not of the operation's output shape (missing or mistyped field).
    UnexpectedShape {
        /// Line of the first error (1-based).
        line: usize,
        /// Column of the first error (1-based).
        column: usize,
    },
    /// An error status without an error code in the headers or the body.
    MissingErrorCode,
}

impl fmt::Display for MalformedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyBody => f.write_str("empty body"),
            Self::NotJson {
                content_type: Some(ct),
            } => write!(f, "body is not JSON ({ct})"),
            Self::NotJson { content_type: None } => f.write_str("body is not JSON"),
            Self::Truncated => f.write_str("truncated JSON body"),
            Self::InvalidJson { line, column } => write!(f, "invalid JSON at {line}:{column}"),
            Self::UnexpectedShape { line, column } => {
                write!(f, "JSON of an unexpected shape at {line}:{column}")
            }
            Self::MissingErrorCode => f.write_str("error response without an error code"),
        }
    }
}

/// The peer sent something that is not a Cognito response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MalformedResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// What is wrong with the body.
    pub reason: MalformedReason,
    /// The start of the body (at most 96 characters, control characters replaced), only for
    /// error statuses: a success body may hold tokens and is never quoted.
    pub excerpt: Option<String>,
}

impl MalformedResponse {
    /// Whether a retry can succeed: 5xx and 429 statuses (a proxy's error page, a cut
    /// connection).
    pub fn is_retryable(&self) -> bool {
        self.status.is_server_error() || self.status == StatusCode::TOO_MANY_REQUESTS
    }
}

impl fmt::Display for MalformedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed response (HTTP {}): {}",
            self.status.as_u16(),
            self.reason
        )?;
        if let Some(excerpt) = &self.excerpt {
            write!(f, ": {excerpt:?}")?;
        }
        Ok(())
    }
}

impl std::error::Error for MalformedResponse {}

const EXCERPT_CHARS: usize = 96;

fn excerpt(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(
        text.chars()
            .take(EXCERPT_CHARS)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
    )
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `prefix#Code:suffix` → `Code`.
fn clean_code(raw: &str) -> Option<&str> {
    let code = raw.rsplit_once('#').map_or(raw, |(_, code)| code);
    let code = code.split_once(':').map_or(code, |(code, _)| code).trim();
    (!code.is_empty()).then_some(code)
}

fn is_json_content_type(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|ct| ct.to_ascii_lowercase().contains("json"))
}

fn classify(error: &serde_json::Error, body: &[u8], content_type: Option<&str>) -> MalformedReason {
    let looks_like_json = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'{' | b'['));
    if !looks_like_json && !is_json_content_type(content_type) {
        return MalformedReason::NotJson {
            content_type: content_type.map(str::to_owned),
        };
    }
    let (line, column) = (error.line(), error.column());
    match error.classify() {
        serde_json::error::Category::Eof => MalformedReason::Truncated,
        serde_json::error::Category::Data => MalformedReason::UnexpectedShape { line, column },
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
            MalformedReason::InvalidJson { line, column }
        }
    }
}

/// The error fields of a JSON error body; everything else is ignored.
#[derive(serde::Deserialize)]
struct ErrorBody {
    #[serde(rename = "__type")]
    type_: Option<String>,
    code: Option<String>,
    #[serde(rename = "Code")]
    code_upper: Option<String>,
    message: Option<String>,
    #[serde(rename = "Message")]
    message_upper: Option<String>,
}

pub(super) fn decode_parts<T: DeserializeOwned>(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    empty_output: bool,
) -> Result<T, Error> {
    let content_type = header_str(headers, "content-type");
    let malformed = |reason, excerpt| {
        Error::MalformedResponse(MalformedResponse {
            status,
            reason,
            excerpt,
        })
    };
    if status.is_success() {
        if body.iter().all(u8::is_ascii_whitespace) {
            return if empty_output {
                serde_json::from_slice(b"{}")
                    .map_err(|e| malformed(classify(&e, b"{}", None), None))
            } else {
                Err(malformed(MalformedReason::EmptyBody, None))
            };
        }
        return serde_json::from_slice(body)
            .map_err(|e| malformed(classify(&e, body, content_type), None));
    }

    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let header_code = header_str(headers, "x-amzn-errortype").and_then(clean_code);
    let body_code = parsed.as_ref().and_then(|b| {
        [&b.type_, &b.code, &b.code_upper]
            .into_iter()
            .flatten()
            .find_map(|c| clean_code(c))
    });
    let Some(code) = header_code.or(body_code).map(str::to_owned) else {
        let reason = if body.iter().all(u8::is_ascii_whitespace) {
            MalformedReason::EmptyBody
        } else if parsed.is_some() {
            MalformedReason::MissingErrorCode
        } else {
            match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(_) => MalformedReason::MissingErrorCode,
                Err(e) => classify(&e, body, content_type),
            }
        };
        return Err(malformed(reason, excerpt(body)));
    };
    let message = parsed
        .and_then(|b| b.message.or(b.message_upper))
        .or_else(|| header_str(headers, "x-amzn-errormessage").map(str::to_owned));
    Err(Error::Service(ServiceError {
        kind: ErrorKind::from_code(&code),
        message,
        status,
        request_id: header_str(headers, "x-amzn-requestid").map(str::to_owned),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_lose_their_prefix_and_suffix() {
        assert_eq!(
            clean_code("com.amazonaws.cognito.identity.model#NotAuthorizedException"),
            Some("NotAuthorizedException")
        );
        assert_eq!(
            clean_code("UserNotFoundException:http://internal.amazon.com/coral/"),
            Some("UserNotFoundException")
        );
        assert_eq!(
            clean_code("a#b#CodeMismatchException"),
            Some("CodeMismatchException")
        );
        assert_eq!(clean_code("#"), None);
    }

    #[test]
    fn every_kind_round_trips_through_its_code() {
        for kind in [
            ErrorKind::NotAuthorized,
            ErrorKind::SoftwareTokenMfaNotFound,
            ErrorKind::MfaMethodNotFound,
            ErrorKind::OperationNotEnabled,
            ErrorKind::FeatureUnavailableInTier,
        ] {
            assert_eq!(ErrorKind::from_code(kind.code()), kind);
        }
        assert_eq!(
            ErrorKind::from_code("NewException"),
            ErrorKind::Unknown("NewException".into())
        );
    }

    #[test]
    fn limit_exceeded_is_not_retried_but_throttling_is() {
        assert!(!ErrorKind::LimitExceeded.is_retryable());
        assert!(ErrorKind::TooManyRequests.is_retryable());
        assert!(ErrorKind::InternalError.is_retryable());
        assert!(!ErrorKind::NotAuthorized.is_retryable());
    }
}
