//! STS `AssumeRoleWithWebIdentity` for the classic (basic) flow, unsigned.
//!
//! The STS query protocol: a form-encoded `POST` with `Action` and `Version`, and an XML
//! response. The call needs no AWS credentials: the web identity token (here the OpenID token
//! from Cognito's `GetOpenIdToken`) is the proof. The XML is parsed minimally (the few
//! elements we need, entities decoded) but never trusts the shape: a missing element is a
//! typed [`IdentityPoolError::MalformedResponse`].

use std::time::Duration;

use auth_core::Sensitive;
use auth_providers::AwsCredentials;
use zeroize::Zeroizing;

use crate::error::IdentityPoolError;

const OPERATION: &str = "AssumeRoleWithWebIdentity";

/// The regional STS endpoint, `https://sts.<region>.<partition's DNS suffix>/`.
pub(crate) fn regional_endpoint(region: &str) -> String {
    format!(
        "https://sts.{region}.{}/",
        auth_core::config::dns_suffix(region)
    )
}

/// Builds the request.
pub(crate) fn encode(
    endpoint: &str,
    role_arn: &str,
    session_name: &str,
    web_identity_token: &str,
    duration: Option<Duration>,
) -> Result<http::Request<Vec<u8>>, IdentityPoolError> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", OPERATION)
        .append_pair("Version", "2011-06-15")
        .append_pair("RoleArn", role_arn)
        .append_pair("RoleSessionName", session_name)
        .append_pair("WebIdentityToken", web_identity_token);
    if let Some(duration) = duration {
        form.append_pair("DurationSeconds", &duration.as_secs().to_string());
    }
    // The body holds the token: wipe our copy once the request owns its bytes.
    let body = Zeroizing::new(form.finish());
    http::Request::post(endpoint)
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .header(http::header::ACCEPT, "text/xml")
        .body(body.as_bytes().to_vec())
        .map_err(|e| IdentityPoolError::MalformedResponse {
            operation: OPERATION,
            reason: format!("the STS endpoint {endpoint:?} is not a valid URI: {e}"),
        })
}

/// Decodes the response into credentials.
pub(crate) fn decode(
    response: &http::Response<Vec<u8>>,
) -> Result<AwsCredentials, IdentityPoolError> {
    let malformed = |reason: &str| IdentityPoolError::MalformedResponse {
        operation: OPERATION,
        reason: reason.to_owned(),
    };
    let body =
        std::str::from_utf8(response.body()).map_err(|_| malformed("the body is not UTF-8"))?;
    let status = response.status();
    if !status.is_success() {
        let error = element(body, "Error").unwrap_or(body);
        return match element(error, "Code") {
            Some(code) => Err(IdentityPoolError::Sts {
                code: unescape(code),
                message: element(error, "Message").map(unescape).unwrap_or_default(),
                status: status.as_u16(),
            }),
            None => Err(malformed(&format!(
                "HTTP {} without an STS error code",
                status.as_u16()
            ))),
        };
    }
    let result = element(body, "AssumeRoleWithWebIdentityResult")
        .ok_or_else(|| malformed("no AssumeRoleWithWebIdentityResult element"))?;
    let credentials =
        element(result, "Credentials").ok_or_else(|| malformed("no Credentials element"))?;
    let field = |name: &'static str| {
        element(credentials, name)
            .map(unescape)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| malformed(&format!("no {name} in Credentials")))
    };
    let access_key_id = field("AccessKeyId")?;
    let secret = Sensitive::new(field("SecretAccessKey")?);
    let session_token = field("SessionToken")?;
    let expiration = field("Expiration")?;
    let expiration = auth_core::timestamp::parse_rfc3339(&expiration)
        .ok_or_else(|| malformed("Expiration is not an ISO 8601 UTC time"))?;
    Ok(AwsCredentials::new(
        access_key_id,
        secret,
        Some(session_token),
        Some(expiration),
    ))
}

/// The text between `<name ...>` and `</name>`, the first such element; `None` if absent.
fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut from = 0;
    while let Some(at) = xml[from..].find(&open) {
        let start = from + at + open.len();
        let rest = &xml[start..];
        // `<NameSuffix` is another element; `<Name/>` is empty.
        match rest.chars().next() {
            Some('>') => {
                let content = &rest[1..];
                return content.find(&close).map(|end| &content[..end]);
            }
            Some(c) if c.is_whitespace() => {
                let gt = rest.find('>')?;
                if rest[..gt].ends_with('/') {
                    return Some("");
                }
                let content = &rest[gt + 1..];
                return content.find(&close).map(|end| &content[..end]);
            }
            Some('/') => return Some(""),
            _ => from = start,
        }
    }
    None
}

/// Decodes the five XML entities and numeric character references; trims whitespace.
fn unescape(text: &str) -> String {
    let text = text.trim();

    text.strip_prefix("<![CDATA[")
        .and_then(|t| t.strip_suffix("]]>"))
        .map_or_else(|| decode_entities(text), str::to_owned)
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|&s| s <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    #[test]
    fn the_sts_endpoint_is_in_the_region_partition() {
        assert_eq!(
            regional_endpoint("eu-west-1"),
            "https://sts.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            regional_endpoint("cn-north-1"),
            "https://sts.cn-north-1.amazonaws.com.cn/"
        );
        assert_eq!(
            regional_endpoint("us-iso-east-1"),
            "https://sts.us-iso-east-1.c2s.ic.gov/"
        );
        assert_eq!(
            regional_endpoint("eusc-de-east-1"),
            "https://sts.eusc-de-east-1.amazonaws.eu/"
        );
    }

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[test]
    fn parses_credentials_from_the_documented_response() {
        let body = r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
    <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE&amp;x</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>2014-10-24T23:00:23Z</Expiration>
      <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
    <SourceIdentity>SourceIdentityValue</SourceIdentity>
    <Provider>www.amazon.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#;
        let c = decode(&response(200, body)).unwrap();
        assert_eq!(c.access_key_id(), "ASgeIAIOSFODNN7EXAMPLE");
        assert_eq!(
            c.secret_access_key(),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
        );
        assert_eq!(
            c.session_token(),
            Some("AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE&x")
        );
        assert_eq!(
            c.expiration(),
            Some(UNIX_EPOCH + Duration::from_secs(1_414_191_623))
        );
    }

    #[test]
    fn an_sts_error_is_typed() {
        let body = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Token &quot;x&quot; is bad</Message></Error>
  <RequestId>1</RequestId></ErrorResponse>"#;
        match decode(&response(400, body)).unwrap_err() {
            IdentityPoolError::Sts {
                code,
                message,
                status,
            } => {
                assert_eq!(code, "InvalidIdentityToken");
                assert_eq!(message, "Token \"x\" is bad");
                assert_eq!(status, 400);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_bodies_never_panic() {
        for body in [
            "",
            "<html>",
            "<AssumeRoleWithWebIdentityResult><Credentials>",
            "\u{0}<<>>&;&#xZZ;",
        ] {
            assert!(matches!(
                decode(&response(200, body)),
                Err(IdentityPoolError::MalformedResponse { .. })
            ));
            assert!(decode(&response(503, body)).is_err());
        }
    }
}
