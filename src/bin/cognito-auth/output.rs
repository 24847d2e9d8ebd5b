//! What goes to stdout: the `credential_process` JSON and the session report, and the
//! RFC 3339 timestamps both use.

use std::io::{self, Write};
use std::time::{Duration, SystemTime};

use auth::providers::AwsCredentials;
use serde::Serialize;

/// The AWS CLI's `credential_process` output, version 1.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessCredentials<'a> {
    version: u8,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<String>,
}

/// Writes `credentials` as one line of `credential_process` JSON (`Expiration` in RFC 3339,
/// omitted for credentials that do not expire), straight to `out`: no copy of the secret is
/// left in a buffer of ours.
pub(crate) fn write_process_credentials(
    out: &mut impl Write,
    credentials: &AwsCredentials,
) -> io::Result<()> {
    let json = ProcessCredentials {
        version: 1,
        access_key_id: credentials.access_key_id(),
        secret_access_key: credentials.secret_access_key(),
        session_token: credentials.session_token(),
        expiration: credentials.expiration().map(rfc3339),
    };
    serde_json::to_writer(&mut *out, &json).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// `2026-03-03T07:05:09Z`: RFC 3339 in UTC, whole seconds (rounded down, so never later than
/// the real time), as the AWS SDKs parse it; the workspace's one calendar,
/// [`auth::core::timestamp::format_rfc3339`].
pub(crate) fn rfc3339(time: SystemTime) -> String {
    auth::core::timestamp::format_rfc3339(time)
}

/// `2026-03-03T07:05:09Z (in 59 min)` or `… (expired 2 min ago)`.
pub(crate) fn when(time: SystemTime, now: SystemTime) -> String {
    let relative = match time.duration_since(now) {
        Ok(ahead) => format!("in {}", human(ahead)),
        Err(past) => format!("expired {} ago", human(past.duration())),
    };
    format!("{} ({relative})", rfc3339(time))
}

fn human(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0..60 => format!("{secs} s"),
        60..7200 => format!("{} min", secs / 60),
        7200..172_800 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}

/// `label: value` lines with the values aligned.
#[derive(Debug, Default)]
pub(crate) struct Report {
    lines: Vec<(&'static str, String)>,
}

impl Report {
    pub(crate) fn line(&mut self, label: &'static str, value: impl Into<String>) {
        self.lines.push((label, value.into()));
    }

    pub(crate) fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let width = self.lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 1;
        for (label, value) in &self.lines {
            writeln!(out, "{:<width$} {value}", format!("{label}:"))?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_process_json_has_the_aws_cli_shape() {
        let expiration = SystemTime::UNIX_EPOCH + Duration::from_millis(1_772_521_509_750);
        let credentials = AwsCredentials::new(
            "ASIAEXAMPLE",
            "secret/key+",
            Some("token==".into()),
            Some(expiration),
        );
        let mut out = Vec::new();
        write_process_credentials(&mut out, &credentials).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.ends_with('\n') && text.lines().count() == 1,
            "{text:?}"
        );
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "Version": 1,
                "AccessKeyId": "ASIAEXAMPLE",
                "SecretAccessKey": "secret/key+",
                "SessionToken": "token==",
                "Expiration": "2026-03-03T07:05:09Z",
            })
        );
    }

    #[test]
    fn long_term_credentials_have_no_expiration_or_token() {
        let credentials = AwsCredentials::new("AKIDEXAMPLE", "s", None, None);
        let mut out = Vec::new();
        write_process_credentials(&mut out, &credentials).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"Version": 1, "AccessKeyId": "AKIDEXAMPLE", "SecretAccessKey": "s"})
        );
    }

    #[test]
    fn timestamps_are_rfc3339_utc_and_relative() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400); // leap day 2000
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00Z");
        assert_eq!(
            when(t, t - Duration::from_secs(3599)),
            "2000-02-29T00:00:00Z (in 59 min)"
        );
        assert_eq!(
            when(t, t + Duration::from_secs(30)),
            "2000-02-29T00:00:00Z (expired 30 s ago)"
        );
    }

    #[test]
    fn a_report_aligns_its_values() {
        let mut report = Report::default();
        report.line("username", "alice");
        report.line("identity id", "us-east-1:1");
        let mut out = Vec::new();
        report.write(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "username:    alice\nidentity id: us-east-1:1\n"
        );
    }
}
