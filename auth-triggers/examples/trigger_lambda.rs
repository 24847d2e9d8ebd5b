//! One Lambda function serving two user-pool triggers, as in the Amplify docs:
//!
//! - pre sign-up: auto-confirm (and verify the e-mail of) users whose address is in an
//!   allowed domain, and reject everyone else;
//! - pre authentication: read the client metadata the app passed to `signIn` (which Cognito
//!   delivers as `validationData`) and deny sign-ins that do not come from a known app.
//!
//! Build for Lambda with `cargo lambda build --example trigger_lambda --features lambda`, or
//! run the tests in `tests/router.rs`, which call the same handlers without a network.
//! `ALLOWED_DOMAIN` sets the domain (default `example.com`).

use auth_triggers::lambda::Triggers;
use auth_triggers::{PreAuthenticationEvent, PreSignUpEvent};

/// Why a sign-up or sign-in was refused; Cognito shows the message to the client.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

fn allowed_domain() -> String {
    std::env::var("ALLOWED_DOMAIN").unwrap_or_else(|_| "example.com".to_owned())
}

async fn pre_sign_up(mut event: PreSignUpEvent) -> Result<PreSignUpEvent, Refused> {
    let domain = allowed_domain();
    let email = event
        .request
        .user_attributes
        .get("email")
        .unwrap_or_default();
    match email.rsplit_once('@') {
        Some((_, d)) if d.eq_ignore_ascii_case(&domain) => {
            event
                .response
                .auto_confirm_user(true)
                .auto_verify_email(true);
            Ok(event)
        }
        _ => Err(Refused(format!(
            "sign-up is open to {domain} addresses only"
        ))),
    }
}

async fn pre_authentication(
    event: PreAuthenticationEvent,
) -> Result<PreAuthenticationEvent, Refused> {
    // `signIn({ options: { clientMetadata: { app: "…" } } })` arrives here as validationData.
    let app = event.validation_data().and_then(|m| m.get("app"));
    match app {
        Some("web" | "mobile") => Ok(event),
        Some(other) => Err(Refused(format!("unknown app {other:?}"))),
        None => Err(Refused("sign in from the web or mobile app".to_owned())),
    }
}

/// The router this function serves (shared with the tests).
pub(crate) fn router() -> Triggers {
    Triggers::new()
        .on_pre_sign_up(pre_sign_up)
        .on_pre_authentication(pre_authentication)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    router().run().await
}
