//! Typed channels, protected channels, the global Hub, events' serde form and panic reports.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use auth_hub::{
    AUTH_CHANNEL, AuthEvent, AuthEventError, AuthUser, ChannelError, DispatchError, Hub,
    PROTECTED_CHANNELS,
};
use serde_json::json;

#[test]
fn a_channel_name_keeps_the_payload_type_it_was_opened_with() {
    let hub = Hub::new();
    let _numbers = hub.channel::<u32>("numbers").unwrap();
    let error = hub.channel::<String>("numbers").unwrap_err();
    assert_eq!(
        error,
        ChannelError::TypeMismatch {
            channel: "numbers".into(),
            registered: "u32",
            requested: "alloc::string::String",
        }
    );
    assert!(matches!(
        hub.dispatch("numbers", "seven".to_owned()),
        Err(DispatchError::Channel(ChannelError::TypeMismatch { .. }))
    ));
    assert!(hub.listen("numbers", |_: &u8| {}).is_err());
    assert!(hub.subscribe::<i64>("numbers").is_err());
    assert!(hub.channel::<u32>("numbers").is_ok());
}

#[test]
fn the_auth_channel_carries_auth_events_from_the_start() {
    let hub = Hub::new();
    assert!(hub.channel::<AuthEvent>(AUTH_CHANNEL).is_ok());
    assert!(matches!(
        hub.channel::<String>(AUTH_CHANNEL),
        Err(ChannelError::TypeMismatch { .. })
    ));
    assert!(hub.channel_names().contains(&"auth".to_owned()));
}

#[test]
fn user_dispatch_to_a_protected_channel_is_refused() {
    let hub = Hub::new();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    let _s = hub
        .listen(AUTH_CHANNEL, move |_: &AuthEvent| {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    assert_eq!(
        hub.dispatch(AUTH_CHANNEL, AuthEvent::SignedOut),
        Err(DispatchError::Protected {
            channel: "auth".into()
        })
    );
    assert!(matches!(
        hub.auth().dispatch(AuthEvent::SignedOut),
        Err(DispatchError::Protected { .. })
    ));
    for channel in PROTECTED_CHANNELS {
        assert!(matches!(
            hub.dispatch(channel, 1_u8),
            Err(DispatchError::Protected { .. })
        ));
    }
    assert_eq!(seen.load(Ordering::SeqCst), 0);
}

#[test]
fn protected_channels_other_than_auth_are_opened_only_by_the_dispatcher() {
    let hub = Hub::new();
    assert_eq!(
        hub.channel::<u8>("core").unwrap_err(),
        ChannelError::Reserved {
            channel: "core".into()
        }
    );
    let dispatcher = hub.take_auth_dispatcher().unwrap();
    let core = dispatcher.channel::<String>("core").unwrap();
    assert!(core.is_protected());
    let (seen, _s) = {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let s = hub
            .listen("core", move |e: &String| {
                log.lock().unwrap().push(e.clone());
            })
            .unwrap();
        (seen, s)
    };
    assert!(matches!(
        core.dispatch("configured".into()),
        Err(DispatchError::Protected { .. })
    ));
    dispatcher
        .dispatch_to("core", "configured".to_owned())
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), ["configured"]);
}

#[test]
fn the_dispatcher_is_handed_out_once_per_hub() {
    let hub = Hub::new();
    let dispatcher = hub.take_auth_dispatcher().expect("first caller gets it");
    assert!(hub.take_auth_dispatcher().is_none());
    let clone = hub.clone();
    assert!(
        clone.take_auth_dispatcher().is_none(),
        "clones share the one dispatcher"
    );
    drop(clone);
    // Another hub has its own.
    let (_other, _its_dispatcher) = Hub::with_auth_dispatcher();

    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let _s = hub
        .auth()
        .listen(move |e: &AuthEvent| log.lock().unwrap().push(e.clone()));
    let user = AuthUser::new("alice", "sub-1");
    dispatcher
        .dispatch(AuthEvent::SignedIn { user: user.clone() })
        .unwrap();
    let shared = dispatcher.clone();
    shared.dispatch(AuthEvent::SignedOut).unwrap();
    drop(dispatcher);
    assert_eq!(
        *seen.lock().unwrap(),
        [AuthEvent::SignedIn { user }, AuthEvent::SignedOut]
    );
}

#[test]
fn the_dispatcher_does_not_keep_its_hub_alive() {
    let (hub, dispatcher) = Hub::with_auth_dispatcher();
    drop(hub);
    assert!(matches!(
        dispatcher.dispatch(AuthEvent::SignedOut),
        Err(DispatchError::HubClosed { .. })
    ));
    assert!(matches!(
        dispatcher.dispatch_to("core", 1_u8),
        Err(DispatchError::HubClosed { .. })
    ));
}

#[test]
fn the_global_hub_is_one_hub_shared_by_everyone() {
    let a = auth_hub::global();
    let b = Hub::global();
    let _c = a.channel::<u64>("global-test").unwrap();
    assert!(b.channel::<String>("global-test").is_err());
    assert!(std::ptr::eq(a, b));
}

#[test]
fn auth_events_serialize_with_amplify_names() {
    let error = AuthEventError::new("NotAuthorizedException", "Refresh Token has expired");
    let cases = [
        (
            AuthEvent::SignedIn {
                user: AuthUser::new("alice", "sub-1"),
            },
            json!({"event": "signedIn", "data": {"username": "alice", "userId": "sub-1"}}),
        ),
        (AuthEvent::SignedOut, json!({"event": "signedOut"})),
        (AuthEvent::TokenRefresh, json!({"event": "tokenRefresh"})),
        (
            AuthEvent::TokenRefreshFailure {
                error: error.clone(),
            },
            json!({"event": "tokenRefresh_failure", "data": {"error": {
                "name": "NotAuthorizedException", "message": "Refresh Token has expired"}}}),
        ),
        (
            AuthEvent::SignInWithRedirect,
            json!({"event": "signInWithRedirect"}),
        ),
        (
            AuthEvent::SignInWithRedirectFailure {
                error: error.with_recovery_suggestion("Sign in again"),
            },
            json!({"event": "signInWithRedirect_failure", "data": {"error": {
                "name": "NotAuthorizedException", "message": "Refresh Token has expired",
                "recoverySuggestion": "Sign in again"}}}),
        ),
        (
            AuthEvent::CustomOAuthState {
                state: "/cart".into(),
            },
            json!({"event": "customOAuthState", "data": "/cart"}),
        ),
        (
            AuthEvent::SessionExpired,
            json!({"event": "sessionExpired"}),
        ),
        (AuthEvent::UserDeleted, json!({"event": "userDeleted"})),
    ];
    for (event, expected) in cases {
        let value = serde_json::to_value(&event).unwrap();
        assert_eq!(value, expected);
        assert_eq!(value["event"], event.name());
        let back: AuthEvent = serde_json::from_value(value).unwrap();
        assert_eq!(back, event);
    }
}

#[test]
fn unknown_auth_events_do_not_deserialize() {
    assert!(serde_json::from_value::<AuthEvent>(json!({"event": "autoSignIn"})).is_err());
}

/// A minimal `tracing` subscriber that records events' levels and fields.
mod capture {
    use std::fmt::Debug;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Level, Metadata, Subscriber};

    #[derive(Clone, Default)]
    pub(crate) struct Capture {
        pub(crate) events: Arc<Mutex<Vec<(Level, String)>>>,
    }

    struct Fields(String);

    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
            self.0.push_str(&format!("{}={:?} ", field.name(), value));
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut fields = Fields(String::new());
            event.record(&mut fields);
            self.events
                .lock()
                .unwrap()
                .push((*event.metadata().level(), fields.0));
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
}

#[test]
fn a_listener_panic_is_reported_through_tracing_without_the_payload() {
    let capture = capture::Capture::default();
    let hub = Hub::new();
    let channel = hub.channel::<String>("secrets").unwrap();
    let _bad = channel.listen(|_: &String| panic!("listener failed"));
    tracing::subscriber::with_default(capture.clone(), || {
        channel.dispatch("hunter2".to_owned()).unwrap();
    });
    let events = capture.events.lock().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let (level, fields) = &events[0];
    assert_eq!(*level, tracing::Level::ERROR);
    assert!(fields.contains("channel=secrets"), "{fields}");
    assert!(fields.contains("panicked"), "{fields}");
    assert!(!fields.contains("hunter2"), "the payload leaked: {fields}");
}
