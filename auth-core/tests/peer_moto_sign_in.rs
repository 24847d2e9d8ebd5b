//! The machines against a real peer: moto's Cognito (`cargo xtask peers up`), driven by a
//! plain HTTP loop (reqwest, blocking).
//!
//! What moto fakes (reference section 9) and how these tests deal with it:
//! - moto **never verifies the SRP signature** (SRP_B is random, SECRET_BLOCK is a UUID):
//!   the SRP test proves the wire flow (USER_SRP_AUTH, PASSWORD_VERIFIER with USER_ID_FOR_SRP,
//!   TIMESTAMP, the non-base64 secret block), not the math. The math is checked against the
//!   scripted peer (server-side SRP) and against pycognito / known-answer vectors;
//! - confirmation codes are not checked (any code confirms a sign-up);
//! - the forgot-password code comes back in the header `x-moto-forgot-password-confirmation-code`;
//! - CUSTOM_AUTH answers `{}`, which the machine reports as a typed empty-result error;
//! - TOTP codes **are** checked (moto runs with MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true):
//!   the test computes RFC 6238 codes itself.
//!
//! Each test creates its own pool, client and users with moto's admin API (unique names).

#[path = "../../tests/support/peers.rs"]
#[allow(
    unreachable_pub,
    reason = "the shared locator serves every crate's peer tests"
)]
mod peers;
#[path = "../../tests/support/totp.rs"]
mod totp;
use totp::{totp, wrong_totp};

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use auth_core::config::UserPoolConfig;
use auth_core::machine::reset_password::{ResetPassword, ResetPasswordStep};
use auth_core::machine::session::{RefreshMethod, Session, SessionOptions, SessionStep};
use auth_core::machine::sign_in::{
    Answer, ConfirmOptions, MfaType, SignIn, SignInFlow, SignInInput, SignInOutcome, SignInStep,
};
use auth_core::machine::sign_up::{SignUp, SignUpInput, SignUpStep};
use auth_core::machine::{Cause, Error, Machine as _, Recovery};
use auth_core::wire::{AttributeType, ErrorKind};
use serde_json::{Value, json};

const PASSWORD: &str = "Moto-passw0rd!";

/// `SystemTime::now` is forbidden in auth-core's sources (sans-IO); the test driver is the
/// place where the real clock comes in.
#[expect(
    clippy::disallowed_methods,
    reason = "the test's driver supplies the real clock"
)]
fn now() -> SystemTime {
    SystemTime::now()
}

fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A pool and an app client on moto, and the HTTP loop.
struct Moto {
    url: String,
    http: reqwest::blocking::Client,
    pool_id: String,
    client_id: String,
}

impl Moto {
    fn new(mfa: Option<&str>) -> Self {
        let url = peers::moto();
        let http = reqwest::blocking::Client::new();
        let mut moto = Self {
            url,
            http,
            pool_id: String::new(),
            client_id: String::new(),
        };
        let pool = moto.admin("CreateUserPool", &json!({"PoolName": unique("machines")}));
        moto.pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
        if let Some(mfa) = mfa {
            moto.admin(
                "SetUserPoolMfaConfig",
                &json!({"UserPoolId": moto.pool_id, "MfaConfiguration": mfa,
                        "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
            );
        }
        let client = moto.admin(
            "CreateUserPoolClient",
            &json!({"UserPoolId": moto.pool_id, "ClientName": unique("client"),
                    "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                                          "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"]}),
        );
        moto.client_id = client["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_owned();
        moto
    }

    fn config(&self) -> UserPoolConfig {
        UserPoolConfig::builder()
            .pool_id(self.pool_id.clone())
            .client_id(self.client_id.clone())
            .endpoint(self.url.clone())
            .build()
            .unwrap()
    }

    fn admin(&self, operation: &str, body: &Value) -> Value {
        let response = self
            .http
            .post(format!("{}/", self.url))
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .header("content-type", "application/x-amz-json-1.1")
            .body(body.to_string())
            .send()
            .unwrap();
        let status = response.status();
        let text = response.text().unwrap();
        assert!(status.is_success(), "{operation}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A confirmed user with a permanent password.
    fn user(&self, name: &str) -> String {
        let username = unique(name);
        self.admin(
            "AdminCreateUser",
            &json!({"UserPoolId": self.pool_id, "Username": username, "TemporaryPassword": "Temp-passw0rd!",
                    "MessageAction": "SUPPRESS",
                    "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}]}),
        );
        self.admin(
            "AdminSetUserPassword",
            &json!({"UserPoolId": self.pool_id, "Username": username, "Password": PASSWORD, "Permanent": true}),
        );
        username
    }

    /// Sends one machine request to moto.
    fn send(&self, request: &http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        let mut builder = self
            .http
            .post(request.uri().to_string())
            .body(request.body().clone());
        for (name, value) in request.headers() {
            builder = builder.header(name.as_str(), value.as_bytes());
        }
        let response = builder.send().unwrap();
        let mut out = http::Response::builder().status(response.status().as_u16());
        for (name, value) in response.headers() {
            out = out.header(name.as_str(), value.as_bytes());
        }
        out.body(response.bytes().unwrap().to_vec()).unwrap()
    }
}

/// The driver loop: poll, send, hand back, until the machine has nothing to send.
macro_rules! drive {
    ($moto:expr, $machine:expr) => {{
        let mut result: Result<(), Error> = Ok(());
        while let Some(request) = $machine.poll_request() {
            let response = $moto.send(&request);
            result = $machine.handle_response(response, now());
            if result.is_err() {
                break;
            }
        }
        result
    }};
}

fn sign_in(moto: &Moto, input: SignInInput) -> (SignIn, Result<(), Error>) {
    let mut rng = rand::thread_rng();
    let mut machine = SignIn::new(&moto.config(), input, &mut rng, now()).unwrap();
    let result = drive!(moto, machine);
    (machine, result)
}

fn done(machine: &mut SignIn) -> SignInOutcome {
    assert_eq!(
        machine.step().map(SignInStep::name),
        Some("DONE"),
        "{:?}",
        machine.step()
    );
    machine.take_outcome().unwrap()
}

fn confirm(moto: &Moto, machine: &mut SignIn, answer: Answer) -> Result<(), Error> {
    machine.confirm(
        answer,
        &ConfirmOptions::default(),
        &mut rand::thread_rng(),
        now(),
    )?;
    drive!(moto, machine)
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn moto_password_sign_in_returns_tokens() {
    let moto = Moto::new(None);
    let user = moto.user("pw");
    let input = SignInInput::new(user.clone(), PASSWORD).with_flow(SignInFlow::UserPasswordAuth);
    let (mut machine, result) = sign_in(&moto, input);
    result.unwrap();
    let outcome = done(&mut machine);
    assert_eq!(
        outcome.tokens.access_token.claims().username(),
        Some(user.as_str())
    );
    assert!(outcome.tokens.id_token.is_some() && outcome.tokens.refresh_token.is_some());
    assert!(!outcome.tokens.is_expired(now()));
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn moto_srp_sign_in_completes_the_wire_flow() {
    // moto does not verify the SRP signature: this proves the wire flow only.
    let moto = Moto::new(None);
    let user = moto.user("srp");
    let (mut machine, result) = sign_in(&moto, SignInInput::new(user.clone(), PASSWORD));
    result.unwrap();
    let outcome = done(&mut machine);
    assert!(outcome.tokens.refresh_token.is_some());
    // moto's PASSWORD_VERIFIER carries USERNAME and USER_ID_FOR_SRP (the sub): the active
    // username is USERNAME.
    assert_eq!(outcome.tokens.username, user);
    assert_eq!(machine.username(), user);
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn moto_wrong_password_is_not_authorized() {
    let moto = Moto::new(None);
    let user = moto.user("wrong");
    let input = SignInInput::new(user, "Not-the-passw0rd").with_flow(SignInFlow::UserPasswordAuth);
    let (machine, result) = sign_in(&moto, input);
    let error = result.unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert_eq!(error.recovery(), Recovery::StartOver);
    assert!(machine.failure().is_some());
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn moto_new_password_required_after_admin_create_user() {
    let moto = Moto::new(None);
    let username = unique("np");
    moto.admin(
        "AdminCreateUser",
        &json!({"UserPoolId": moto.pool_id, "Username": username, "TemporaryPassword": "Temp-passw0rd!",
                "MessageAction": "SUPPRESS"}),
    );
    let input = SignInInput::new(username.clone(), "Temp-passw0rd!")
        .with_flow(SignInFlow::UserPasswordAuth);
    let (mut machine, result) = sign_in(&moto, input);
    result.unwrap();
    assert_eq!(
        machine.step().map(SignInStep::name),
        Some("CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED")
    );
    let answer = Answer::NewPassword {
        password: "Brand-new-passw0rd!".into(),
        attributes: Default::default(),
    };
    confirm(&moto, &mut machine, answer).unwrap();
    done(&mut machine);
    // The new password is the password now.
    let input =
        SignInInput::new(username, "Brand-new-passw0rd!").with_flow(SignInFlow::UserPasswordAuth);
    let (mut again, result) = sign_in(&moto, input);
    result.unwrap();
    done(&mut again);
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn moto_totp_setup_then_totp_sign_in_with_checked_codes() {
    let moto = Moto::new(Some("ON"));
    let user = moto.user("totp");
    // moto asks for MFA_SETUP only after PASSWORD_VERIFIER, so the setup runs over SRP.
    let (mut machine, result) = sign_in(&moto, SignInInput::new(user.clone(), PASSWORD));
    result.unwrap();
    let Some(SignInStep::ContinueWithTotpSetup { setup }) = machine.step() else {
        panic!("expected TOTP setup, got {:?}", machine.step());
    };
    let secret = setup.secret.expose().to_owned();
    assert!(setup.uri("Moto").starts_with("otpauth://totp/Moto:"));
    // A wrong code is refused by moto's TOTP check; the step stays.
    let wrong = confirm(
        &moto,
        &mut machine,
        Answer::Code(wrong_totp(&secret, now()).into()),
    )
    .unwrap_err();
    assert_eq!(wrong.recovery(), Recovery::Retry, "{wrong:?}");
    confirm(
        &moto,
        &mut machine,
        Answer::Code(totp(&secret, now()).into()),
    )
    .unwrap();
    done(&mut machine);

    let input = SignInInput::new(user, PASSWORD).with_flow(SignInFlow::UserPasswordAuth);
    let (mut machine, result) = sign_in(&moto, input);
    result.unwrap();
    assert_eq!(machine.step(), Some(&SignInStep::ConfirmWithTotpCode));
    let error = confirm(
        &moto,
        &mut machine,
        Answer::Code(wrong_totp(&secret, now()).into()),
    )
    .unwrap_err();
    assert_eq!(
        error.service_kind(),
        Some(&ErrorKind::CodeMismatch),
        "{error:?}"
    );
    assert_eq!(machine.step(), Some(&SignInStep::ConfirmWithTotpCode));
    confirm(
        &moto,
        &mut machine,
        Answer::Code(totp(&secret, now()).into()),
    )
    .unwrap();
    done(&mut machine);
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn moto_refresh_rotates_nothing_and_keeps_the_refresh_token() {
    let moto = Moto::new(None);
    let user = moto.user("refresh");
    let input = SignInInput::new(user, PASSWORD).with_flow(SignInFlow::UserPasswordAuth);
    let (mut machine, result) = sign_in(&moto, input);
    result.unwrap();
    let tokens = done(&mut machine).tokens;
    let options = SessionOptions {
        method: RefreshMethod::RefreshTokenAuth,
        ..Default::default()
    };
    let mut session = Session::new(&moto.config(), tokens.clone(), options);
    assert!(!session.needs_refresh(now()));
    assert!(session.needs_refresh(now() + Duration::from_secs(3600)));
    session.refresh(now()).unwrap();
    drive!(moto, session).unwrap();
    assert_eq!(
        session.step(),
        Some(&SessionStep::Refreshed { rotated: false })
    );
    let refreshed = session.tokens().unwrap();
    assert_eq!(
        refreshed.refresh_token, tokens.refresh_token,
        "kept without rotation"
    );
    assert_eq!(refreshed.username, tokens.username);

    // A refresh token moto does not know: NotAuthorized, the tokens are cleared.
    let bogus = tokens.with_refresh_token(auth_core::tokens::RefreshToken::new("not-a-token"));
    let mut session = Session::new(
        &moto.config(),
        bogus,
        SessionOptions {
            method: RefreshMethod::RefreshTokenAuth,
            ..Default::default()
        },
    );
    session.refresh(now()).unwrap();
    let error = drive!(moto, session).unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert!(session.tokens().is_none());
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn moto_unconfirmed_user_gets_confirm_sign_up_then_signs_in() {
    let moto = Moto::new(None);
    let username = unique("signup");
    let input = SignUpInput {
        username: username.clone(),
        password: Some(PASSWORD.into()),
        attributes: vec![AttributeType::new(
            "email",
            format!("{username}@example.com"),
        )],
        ..Default::default()
    };
    let mut sign_up = SignUp::new(&moto.config(), input, now()).unwrap();
    drive!(moto, sign_up).unwrap();
    assert!(matches!(
        sign_up.step(),
        Some(SignUpStep::ConfirmSignUp { .. })
    ));
    assert!(sign_up.user_sub().is_some());

    let input =
        SignInInput::new(username.clone(), PASSWORD).with_flow(SignInFlow::UserPasswordAuth);
    let (machine, result) = sign_in(&moto, input);
    result.unwrap();
    assert_eq!(
        machine.step(),
        Some(&SignInStep::ConfirmSignUp {
            username: username.clone()
        })
    );

    // moto does not check confirmation codes.
    let mut confirm =
        SignUp::confirm_existing(&moto.config(), username.clone(), Default::default());
    confirm.confirm("000000", None, now()).unwrap();
    drive!(moto, confirm).unwrap();
    assert_eq!(confirm.step(), Some(&SignUpStep::Done));
    let input = SignInInput::new(username, PASSWORD).with_flow(SignInFlow::UserPasswordAuth);
    let (mut machine, result) = sign_in(&moto, input);
    result.unwrap();
    done(&mut machine);
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn moto_forgot_password_with_the_code_moto_returns() {
    let moto = Moto::new(None);
    let user = moto.user("forgot");
    let mut reset =
        ResetPassword::new(&moto.config(), user.clone(), Default::default(), now()).unwrap();
    let request = reset.poll_request().unwrap();
    let response = moto.send(&request);
    // moto hands the code back in a header (a real pool sends it by email).
    let code = response
        .headers()
        .get("x-moto-forgot-password-confirmation-code")
        .expect("moto's code header")
        .to_str()
        .unwrap()
        .to_owned();
    reset.handle_response(response, now()).unwrap();
    assert!(matches!(
        reset.step(),
        Some(ResetPasswordStep::ConfirmWithCode { .. })
    ));
    reset.confirm(code, "Reset-passw0rd!", None, now()).unwrap();
    drive!(moto, reset).unwrap();
    assert_eq!(reset.step(), Some(&ResetPasswordStep::Done));
    let input = SignInInput::new(user, "Reset-passw0rd!").with_flow(SignInFlow::UserPasswordAuth);
    let (mut machine, result) = sign_in(&moto, input);
    result.unwrap();
    done(&mut machine);
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn moto_custom_auth_empty_result_is_a_typed_error() {
    // moto answers CUSTOM_AUTH with `{}` (no Lambda triggers run).
    let moto = Moto::new(None);
    let user = moto.user("custom");
    let (machine, result) = sign_in(
        &moto,
        SignInInput::passwordless(user, SignInFlow::CustomWithoutSrp),
    );
    let error = result.unwrap_err();
    assert_eq!(error.cause(), &Cause::EmptyResult);
    assert!(machine.failure().is_some());
    let _ = MfaType::Totp;
}
