//! Which Hub an `Auth` emits on, and how listeners tell several clients apart.
//!
//! Sign-out with nobody signed in sends nothing and emits `signedOut`, so these tests need no
//! peer.
#![cfg(feature = "client")]

use std::sync::{Arc, Mutex};

use auth::Auth;
use auth::client::BuildError;
use auth::core::config::UserPoolConfig;
use auth::hub::{AuthEvent, Capsule, EventSource, Hub};
use tokio_stream::StreamExt as _;

fn config(client_id: &str) -> UserPoolConfig {
    UserPoolConfig::builder()
        .pool_id("us-east-1_Ab")
        .client_id(client_id)
        .endpoint("http://127.0.0.1:9")
        .build()
        .unwrap()
}

/// Every `signedOut` on the global Hub's `auth` channel, with its source.
fn record(hub: &Hub) -> (Arc<Mutex<Vec<Capsule<AuthEvent>>>>, auth::hub::Subscription) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let subscription = hub
        .auth()
        .listen_capsules(move |capsule: &Capsule<AuthEvent>| {
            sink.lock().unwrap().push(capsule.clone());
        });
    (seen, subscription)
}

fn from(seen: &Mutex<Vec<Capsule<AuthEvent>>>, source: &EventSource) -> Vec<&'static str> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|c| c.is_from(source))
        .map(|c| c.payload.name())
        .collect()
}

#[tokio::test]
async fn a_default_auth_emits_on_the_global_hub_as_the_docs_say() {
    let (seen, _subscription) = record(auth::hub::global());
    let auth = Auth::builder().user_pool(config("global")).build().unwrap();
    auth.sign_out(Default::default()).await;
    assert_eq!(from(&seen, auth.event_source()), ["signedOut"]);
    assert_eq!(
        auth.event_source().name(),
        "global",
        "the app client id by default"
    );
}

#[tokio::test]
async fn several_clients_share_the_global_hub_and_listeners_tell_them_apart() {
    let (seen, _subscription) = record(auth::hub::global());
    let admin = Auth::builder()
        .user_pool(config("c1"))
        .name("admin")
        .build()
        .unwrap();
    let shop = Auth::builder().user_pool(config("c2")).build().unwrap();
    admin.sign_out(Default::default()).await;
    shop.sign_out(Default::default()).await;
    shop.sign_out(Default::default()).await;
    assert_eq!(from(&seen, admin.event_source()), ["signedOut"]);
    assert_eq!(from(&seen, shop.event_source()), ["signedOut", "signedOut"]);
    assert_eq!(admin.event_source().name(), "admin");
    assert_ne!(admin.event_source(), shop.event_source());
}

#[tokio::test]
async fn a_client_configured_again_after_the_first_is_dropped_still_emits() {
    let (seen, _subscription) = record(auth::hub::global());
    let first = Auth::builder().user_pool(config("again")).build().unwrap();
    let first_source = first.event_source().clone();
    drop(first);
    // Before, this was `BuildError::HubDispatcherTaken`: one `Auth` per process, ever.
    let second = Auth::builder().user_pool(config("again")).build().unwrap();
    second.sign_out(Default::default()).await;
    assert_eq!(from(&seen, second.event_source()), ["signedOut"]);
    assert!(from(&seen, &first_source).is_empty());
    assert_ne!(
        &first_source,
        second.event_source(),
        "a new client, a new source"
    );
}

#[tokio::test]
async fn clients_on_a_hub_of_their_own_share_it_and_streams_carry_the_source() {
    let hub = Hub::new();
    let mut stream = hub.auth().subscribe_capsules();
    let a = Auth::builder()
        .user_pool(config("a"))
        .hub(hub.clone())
        .build()
        .unwrap();
    let b = Auth::builder()
        .user_pool(config("b"))
        .hub(hub.clone())
        .build()
        .unwrap();
    b.sign_out(Default::default()).await;
    a.sign_out(Default::default()).await;
    let first = stream.next().await.unwrap().unwrap();
    let second = stream.next().await.unwrap().unwrap();
    assert!(first.is_from(b.event_source()) && second.is_from(a.event_source()));
    assert_eq!(first.payload, AuthEvent::SignedOut);
    // Plain listeners and streams still get the bare event.
    let mut plain = hub.auth().subscribe();
    a.sign_out(Default::default()).await;
    assert_eq!(plain.next().await, Some(Ok(AuthEvent::SignedOut)));
}

#[test]
fn a_hub_whose_dispatcher_an_application_took_is_still_refused() {
    let hub = Hub::new();
    let _mine = hub.take_auth_dispatcher().unwrap();
    let err = Auth::builder()
        .user_pool(config("x"))
        .hub(hub)
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::HubDispatcherTaken), "{err:?}");
}
