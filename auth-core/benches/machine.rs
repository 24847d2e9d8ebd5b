//! What one step of a machine costs: `poll_request` / `handle_response` with scripted Cognito
//! responses (realistic token sizes), no network. There is no comparator: no other Rust
//! library has sans-IO Cognito machines, so these are absolute per-step figures.
//!
//! - `machine/sign_in`, parameters:
//!   - `password_initiate`: `SignIn::new` (USER_PASSWORD_AUTH) and `poll_request` (the
//!     InitiateAuth request);
//!   - `password_done`: `handle_response` of the AuthenticationResult and `take_outcome`;
//!   - `srp_done`: the same last step after PASSWORD_VERIFIER. Together with `password_done`
//!     this is the SRP round without its modular exponentiations, whose cost is in the
//!     `srp/compute_a` and `srp/password_signature` groups; the setup (`SignIn::new` with SRP
//!     and the PASSWORD_VERIFIER challenge, two exponentiations) is not timed;
//!   - `srp_round`: the whole USER_SRP_AUTH sign-in through the machine, exponentiations
//!     included, for scale.
//! - `machine/session`, parameter `refresh`: `Session::refresh`, `poll_request` (the
//!   GetTokensFromRefreshToken request) and `handle_response` of rotated tokens.
#![expect(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::config::UserPoolConfig;
use auth_core::machine::Machine as _;
use auth_core::machine::session::{Session, SessionOptions};
use auth_core::machine::sign_in::{SignIn, SignInFlow, SignInInput, SignInStep};
use auth_core::tokens::{AuthTokens, Jwt, RefreshToken};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as B64URL};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::{RngCore, SeedableRng};

const POOL_ID: &str = "us-east-1_AbCdEf123";
const CLIENT_ID: &str = "1example23456789abcdefghij";
const USERNAME: &str = "alice";
const SUB: &str = "6b8e2a4c-0f1d-4c3b-9e8a-1234567890ab";
const PASSWORD: &str = "correct horse battery staple";
const IAT: u64 = 1_772_521_509;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(IAT)
}

fn config() -> UserPoolConfig {
    UserPoolConfig::builder()
        .pool_id(POOL_ID)
        .client_id(CLIENT_ID)
        .build()
        .unwrap()
}

/// A JWT shaped like Cognito's (claims, an RS256-sized signature that nobody checks here).
fn jwt(token_use: &str, rng: &mut impl RngCore) -> String {
    let header =
        B64URL.encode(r#"{"kid":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=","alg":"RS256"}"#);
    let iss = format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}");
    let claims = match token_use {
        "access" => serde_json::json!({
            "sub": SUB, "iss": iss, "client_id": CLIENT_ID, "origin_jti": SUB,
            "event_id": SUB, "token_use": "access", "scope": "aws.cognito.signin.user.admin",
            "auth_time": IAT, "exp": IAT + 3600, "iat": IAT, "jti": SUB, "username": USERNAME,
        }),
        _ => serde_json::json!({
            "sub": SUB, "email_verified": true, "iss": iss, "cognito:username": USERNAME,
            "origin_jti": SUB, "aud": CLIENT_ID, "event_id": SUB, "token_use": "id",
            "auth_time": IAT, "exp": IAT + 3600, "iat": IAT, "jti": SUB,
            "email": "alice@example.com",
        }),
    };
    let mut signature = [0u8; 256];
    rng.fill_bytes(&mut signature);
    format!(
        "{header}.{}.{}",
        B64URL.encode(claims.to_string()),
        B64URL.encode(signature)
    )
}

struct Responses {
    done: Vec<u8>,
    challenge: Vec<u8>,
    rotated: Vec<u8>,
    access: String,
    id: String,
}

fn responses() -> Responses {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let access = jwt("access", &mut rng);
    let id = jwt("id", &mut rng);
    let mut refresh = [0u8; 1200];
    rng.fill_bytes(&mut refresh);
    let refresh = B64URL.encode(refresh);
    let result = serde_json::json!({
        "AccessToken": access, "ExpiresIn": 3600, "TokenType": "Bearer",
        "IdToken": id, "RefreshToken": refresh,
    });
    let done = serde_json::json!({"AuthenticationResult": result, "ChallengeParameters": {}});
    // A B below N (N starts with 0xFF…); any non-zero B mod N is valid for the client.
    let mut b = [0u8; 384];
    rng.fill_bytes(&mut b);
    b[0] = 0x7f;
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let mut secret_block = [0u8; 1024];
    rng.fill_bytes(&mut secret_block);
    let challenge = serde_json::json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": hex::encode(salt), "SRP_B": hex::encode(b), "SECRET_BLOCK": BASE64.encode(secret_block),
            "USER_ID_FOR_SRP": SUB, "USERNAME": SUB,
        },
    });
    Responses {
        done: done.to_string().into_bytes(),
        challenge: challenge.to_string().into_bytes(),
        rotated: serde_json::json!({"AuthenticationResult": result})
            .to_string()
            .into_bytes(),
        access,
        id,
    }
}

fn ok(body: &[u8]) -> http::Response<&[u8]> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/x-amz-json-1.1")
        .body(body)
        .unwrap()
}

fn finish(mut sign_in: SignIn, done: &[u8]) {
    sign_in.handle_response(ok(done), now()).unwrap();
    assert!(sign_in.poll_request().is_none());
    assert!(matches!(sign_in.step(), Some(SignInStep::Done(_))));
    black_box(sign_in.take_outcome().unwrap());
}

fn sign_in(c: &mut Criterion) {
    let config = config();
    let responses = responses();
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let password_input =
        || SignInInput::new(USERNAME, PASSWORD).with_flow(SignInFlow::UserPasswordAuth);
    let mut group = c.benchmark_group("machine/sign_in");

    group.bench_function(BenchmarkId::new("ours", "password_initiate"), |b| {
        b.iter(|| {
            let mut sign_in = SignIn::new(
                &config,
                password_input(),
                &mut rand::rngs::StdRng::seed_from_u64(1),
                now(),
            )
            .unwrap();
            black_box(sign_in.poll_request().unwrap());
            sign_in
        });
    });

    group.bench_function(BenchmarkId::new("ours", "password_done"), |b| {
        b.iter_batched(
            || {
                let mut sign_in = SignIn::new(
                    &config,
                    password_input(),
                    &mut rand::rngs::StdRng::seed_from_u64(1),
                    now(),
                )
                .unwrap();
                let _ = sign_in.poll_request().unwrap();
                sign_in
            },
            |sign_in| finish(sign_in, &responses.done),
            BatchSize::SmallInput,
        );
    });

    // Each setup runs two 3072-bit exponentiations (about 9 ms) for a step of microseconds:
    // few iterations suffice and keep the run short.
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(5));
    group.measurement_time(Duration::from_millis(20));
    group.bench_function(BenchmarkId::new("ours", "srp_done"), |b| {
        b.iter_batched(
            || {
                let input = SignInInput::new(USERNAME, PASSWORD);
                let mut sign_in = SignIn::new(&config, input, &mut rng, now()).unwrap();
                let _ = sign_in.poll_request().unwrap();
                sign_in
                    .handle_response(ok(&responses.challenge), now())
                    .unwrap();
                let _ = sign_in.poll_request().unwrap();
                sign_in
            },
            |sign_in| finish(sign_in, &responses.done),
            BatchSize::PerIteration,
        );
    });

    group.measurement_time(Duration::from_secs(2));
    group.bench_function(BenchmarkId::new("ours", "srp_round"), |b| {
        b.iter(|| {
            let input = SignInInput::new(USERNAME, PASSWORD);
            let mut sign_in = SignIn::new(&config, input, &mut rng, now()).unwrap();
            black_box(sign_in.poll_request().unwrap());
            sign_in
                .handle_response(ok(&responses.challenge), now())
                .unwrap();
            black_box(sign_in.poll_request().unwrap());
            finish(sign_in, &responses.done);
        });
    });
    group.finish();

    let mut group = c.benchmark_group("machine/session");
    let tokens = AuthTokens::new(Jwt::decode(responses.access.clone()).unwrap(), now())
        .with_id_token(Jwt::decode(responses.id.clone()).unwrap())
        .with_refresh_token(RefreshToken::new("old-refresh-token"))
        .with_username(USERNAME);
    group.bench_function(BenchmarkId::new("ours", "refresh"), |b| {
        b.iter_batched(
            || Session::new(&config, tokens.clone(), SessionOptions::default()),
            |mut session| {
                session.refresh(now()).unwrap();
                black_box(session.poll_request().unwrap());
                session
                    .handle_response(ok(&responses.rotated), now())
                    .unwrap();
                black_box(session.tokens().unwrap().refresh_token.is_some());
                session
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, sign_in);
criterion_main!(benches);
