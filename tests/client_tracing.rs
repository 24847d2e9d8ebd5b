//! No secret in any tracing field: every span and event `Auth` emits during a sign-in with a
//! wrong and a right TOTP code, a refresh and a sign-out is recorded (all levels, every
//! field) and searched for the password, the codes and the tokens.
#![cfg(feature = "client")]

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use auth::Auth;
use auth::client::{FetchAuthSessionOptions, SignInOptions, SignOutOptions};
use auth::core::machine::sign_in::{Answer, ConfirmOptions};
use auth::core::test_util::{Mfa, Scenario, ScriptedPeer, TOTP_CODE, UserSpec};
use auth::providers::{HttpClient, HttpFuture, ManualTimeSource, ProviderFuture, TimeSource as _};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records every span name, field and event into one string.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut out = self.0.lock().unwrap();
        let _ = write!(out, "\nspan {}", span.metadata().name());
        span.record(&mut Fields(&mut out));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut out = self.0.lock().unwrap();
        let _ = write!(out, "\nevent {}", event.metadata().target());
        event.record(&mut Fields(&mut out));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[derive(Debug, Clone)]
struct Scripted(Arc<Mutex<ScriptedPeer>>, ManualTimeSource);

impl HttpClient for Scripted {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        let response = self.0.lock().unwrap().handle(&request, self.1.now());
        ProviderFuture::ready(Ok(response))
    }
}

#[tokio::test]
async fn no_secret_appears_in_any_tracing_field() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let password = "Corr3ct-horse-s3cret";
    let scenario = Scenario::new().with_user(UserSpec::new("alice", password).with_mfa(Mfa::Totp));
    let clock = ManualTimeSource::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let auth = Auth::builder()
        .user_pool(scenario.config())
        .http_client(Scripted(
            Arc::new(Mutex::new(ScriptedPeer::new(scenario))),
            clock.clone(),
        ))
        .time_source(clock.clone())
        .build()
        .unwrap();

    auth.sign_in("alice", password, SignInOptions::new())
        .await
        .unwrap();
    let wrong = "987654";
    let _ = auth
        .confirm_sign_in(Answer::Code(wrong.into()), ConfirmOptions::default())
        .await
        .unwrap_err();
    auth.confirm_sign_in(Answer::Code(TOTP_CODE.into()), ConfirmOptions::default())
        .await
        .unwrap();
    let before = auth
        .fetch_auth_session(Default::default())
        .await
        .unwrap()
        .tokens
        .unwrap();
    clock.advance(Duration::from_secs(2 * 3600));
    let after = auth
        .fetch_auth_session(FetchAuthSessionOptions::default())
        .await
        .unwrap()
        .tokens
        .unwrap();
    auth.sign_out(SignOutOptions::global()).await;

    let text = recorder.0.lock().unwrap().clone();
    assert!(text.contains("span sign_in"), "spans were recorded: {text}");
    assert!(text.contains("span refresh_tokens"), "{text}");
    let mut secrets = vec![password, wrong, TOTP_CODE];
    let tokens = [&before, &after];
    let strings: Vec<String> = tokens
        .iter()
        .flat_map(|t| {
            let mut v = vec![t.access_token.as_str().to_owned()];
            v.extend(t.id_token.as_ref().map(|j| j.as_str().to_owned()));
            v.extend(t.refresh_token.as_ref().map(|r| r.as_str().to_owned()));
            v
        })
        .collect();
    secrets.extend(strings.iter().map(String::as_str));
    for secret in secrets {
        assert!(!text.contains(secret), "a secret is in the tracing output");
    }
}
