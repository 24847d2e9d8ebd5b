//! Cognito's wire protocol (AWS JSON 1.1) as pure functions.
//!
//! Every operation is a marker type implementing [`Operation`], with serde types for its input
//! and output in Cognito's PascalCase JSON. [`encode`] turns an input into an
//! `http::Request<Vec<u8>>` (`POST`, `X-Amz-Target`, `Content-Type:
//! application/x-amz-json-1.1`) and [`decode`] turns any `http::Response` into the output or an
//! [`Error`]. Nothing here sends a request: bring any transport.
//!
//! ```
//! use auth_core::wire::{self, AuthFlow, Endpoint, InitiateAuth, InitiateAuthInput, Operation};
//!
//! let endpoint = Endpoint::parse("https://cognito-idp.us-east-1.amazonaws.com").unwrap();
//! let input = InitiateAuthInput {
//!     auth_flow: AuthFlow::UserPasswordAuth,
//!     client_id: "client".into(),
//!     auth_parameters: [("USERNAME", "alice"), ("PASSWORD", "hunter2")].into_iter().collect(),
//!     ..Default::default()
//! };
//! let request = wire::encode(&endpoint, &input);
//! assert_eq!(request.headers()["x-amz-target"], InitiateAuth::TARGET);
//!
//! let response = http::Response::builder()
//!     .status(400)
//!     .header("content-type", "application/x-amz-json-1.1")
//!     .body(r#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#)
//!     .unwrap();
//! let error = wire::decode::<InitiateAuth, _>(response).unwrap_err();
//! assert_eq!(error.kind(), Some(&wire::ErrorKind::NotAuthorized));
//! ```

use std::fmt;

use http::header::{CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

mod device;
mod error;
mod identity_pool;
mod parameters;
mod sign_up;
mod user;
mod user_pool;

pub use device::*;
pub use error::{Error, ErrorKind, MalformedReason, MalformedResponse, ServiceError};
pub use identity_pool::*;
pub use parameters::Parameters;
pub use sign_up::*;
pub use user::*;
pub use user_pool::*;

/// The content type of every request and response body.
pub const CONTENT_TYPE_AMZ_JSON: &str = "application/x-amz-json-1.1";

/// The header naming the operation.
pub const X_AMZ_TARGET: &str = "x-amz-target";

/// Where requests are sent: an absolute `http` or `https` URI.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Endpoint(http::Uri);

impl Endpoint {
    /// Parses an absolute `http`/`https` URI; an empty path becomes `/`.
    ///
    /// # Errors
    ///
    /// A short reason when the string is not an absolute `http(s)` URI.
    pub fn parse(uri: &str) -> Result<Self, &'static str> {
        let parsed: http::Uri = uri.parse().map_err(|_| "not a URI")?;
        match parsed.scheme_str() {
            Some("http" | "https") => {}
            Some(_) => return Err("the scheme must be http or https"),
            None => return Err("the URI must be absolute"),
        }
        if parsed.authority().is_none() {
            return Err("the URI has no host");
        }
        if parsed.query().is_some() {
            return Err("the URI must not have a query");
        }
        Ok(Self(parsed))
    }

    fn regional(service: &str, region: &str) -> Self {
        let suffix = crate::config::dns_suffix(region);
        let uri = format!("https://{service}.{region}.{suffix}/");
        // The region was validated by the configuration (lowercase letters, digits, `-`).
        Self::parse(&uri)
            .unwrap_or_else(|_| Self(http::Uri::from_static("https://invalid.region/")))
    }

    /// The regional user-pool endpoint, `https://cognito-idp.<region>.<suffix>/`.
    pub(crate) fn user_pool(region: &str) -> Self {
        Self::regional("cognito-idp", region)
    }

    /// The regional identity-pool endpoint, `https://cognito-identity.<region>.<suffix>/`.
    pub(crate) fn identity_pool(region: &str) -> Self {
        Self::regional("cognito-identity", region)
    }

    /// The URI.
    pub fn uri(&self) -> &http::Uri {
        &self.0
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({})", self.0)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The Cognito service an operation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Service {
    /// User pools, `cognito-idp`, target prefix `AWSCognitoIdentityProviderService`.
    UserPool,
    /// Identity pools, `cognito-identity`, target prefix `AWSCognitoIdentityService`.
    IdentityPool,
}

/// One Cognito API operation: its input and output types and its `X-Amz-Target`.
pub trait Operation {
    /// The request body.
    type Input: OperationInput<Operation = Self> + fmt::Debug;
    /// The successful response body.
    type Output: DeserializeOwned + fmt::Debug;
    /// The operation's name, for example `InitiateAuth`.
    const NAME: &'static str;
    /// The service the operation belongs to.
    const SERVICE: Service;
    /// The `X-Amz-Target` header, for example `AWSCognitoIdentityProviderService.InitiateAuth`.
    const TARGET: &'static str;
    /// Whether the output has no fields, so that an empty 2xx body is a success.
    const EMPTY_OUTPUT: bool;
}

/// An operation's input; links the input type back to its [`Operation`] so that [`encode`]
/// needs only the input.
pub trait OperationInput: Serialize {
    /// The operation this is the input of.
    type Operation: Operation<Input = Self>;
}

/// Encodes an operation's input as an HTTP request to `endpoint`.
///
/// The request is `POST` to the endpoint's path with the headers `X-Amz-Target` and
/// `Content-Type: application/x-amz-json-1.1` and the JSON body. The transport adds `Host` and
/// `Content-Length`.
pub fn encode<I: OperationInput>(endpoint: &Endpoint, input: &I) -> http::Request<Vec<u8>> {
    // Wire types hold only strings, numbers, booleans, lists and maps with string keys, which
    // serde_json always serializes; an empty object is a safe fallback that Cognito rejects
    // with a typed InvalidParameter error.
    let body = serde_json::to_vec(input).unwrap_or_else(|_| b"{}".to_vec());
    let mut request = http::Request::new(body);
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = endpoint.0.clone();
    let headers = request.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(CONTENT_TYPE_AMZ_JSON),
    );
    headers.insert(X_AMZ_TARGET, HeaderValue::from_static(I::Operation::TARGET));
    request
}

/// Decodes a response of operation `Op` into its output or a typed [`Error`].
///
/// Never panics: a response that is not Cognito JSON becomes
/// [`Error::MalformedResponse`] carrying the status.
///
/// # Errors
///
/// [`Error::Service`] when Cognito answered with an error, [`Error::MalformedResponse`] when
/// the response is not what Cognito sends.
pub fn decode<Op, B>(response: http::Response<B>) -> Result<Op::Output, Error>
where
    Op: Operation,
    B: AsRef<[u8]>,
{
    let (parts, body) = response.into_parts();
    error::decode_parts::<Op::Output>(
        parts.status,
        &parts.headers,
        body.as_ref(),
        Op::EMPTY_OUTPUT,
    )
}

/// Defines an operation marker type and links its input to it.
macro_rules! operation {
    (@prefix UserPool) => { "AWSCognitoIdentityProviderService." };
    (@prefix IdentityPool) => { "AWSCognitoIdentityService." };
    (@empty EmptyOutput) => { true };
    (@empty $output:ident) => { false };
    ($(#[$doc:meta])* $service:ident $op:ident($input:ident) -> $output:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $op;

        impl $crate::wire::Operation for $op {
            type Input = $input;
            type Output = $output;
            const NAME: &'static str = stringify!($op);
            const SERVICE: $crate::wire::Service = $crate::wire::Service::$service;
            const TARGET: &'static str = concat!(operation!(@prefix $service), stringify!($op));
            const EMPTY_OUTPUT: bool = operation!(@empty $output);
        }

        impl $crate::wire::OperationInput for $input {
            type Operation = $op;
        }
    };
}
use operation;

/// A string-valued enum with a catch-all for values this version does not know.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A value this version does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Ok(Self::from(&*text))
            }
        }
    };
}
use string_enum;

#[cfg(test)]
mod tests;
