//! Listening to auth events: the Amplify docs' sign-in/sign-out listener, in Rust.
//!
//! Run with `cargo run -p auth-hub --example listen_auth_events`. The umbrella `auth` crate
//! dispatches these events as users sign in; here the example plays the library's part with
//! the Hub's `AuthDispatcher`.
#![expect(clippy::print_stdout, reason = "the example prints what it hears")]

use auth_hub::{AuthDispatcher, AuthEvent, AuthEventError, AuthUser, Hub, Subscription};

/// The listener from the Amplify docs: one arm per auth event.
fn listen_to_auth_events(hub: &Hub) -> Subscription {
    hub.auth().listen(|event: &AuthEvent| match event {
        AuthEvent::SignedIn { user } => {
            println!("user {} has been signed in successfully.", user.username);
        }
        AuthEvent::SignedOut => println!("user has been signed out successfully."),
        AuthEvent::TokenRefresh => println!("auth tokens have been refreshed."),
        AuthEvent::TokenRefreshFailure { error } => {
            println!("failure while refreshing auth tokens: {error}");
        }
        AuthEvent::SignInWithRedirect => {
            println!("sign_in_with_redirect has successfully been resolved.");
        }
        AuthEvent::SignInWithRedirectFailure { error } => {
            println!("failure while trying to resolve sign_in_with_redirect: {error}");
        }
        AuthEvent::CustomOAuthState { state } => {
            println!("custom state returned from the Cognito hosted UI: {state}");
        }
        // `AuthEvent` is non-exhaustive: sessionExpired, userDeleted and future events.
        other => println!("auth event: {other}"),
    })
}

/// What the library does over a session.
fn play_the_library(dispatcher: &AuthDispatcher) -> Result<(), auth_hub::DispatchError> {
    dispatcher.dispatch(AuthEvent::SignedIn {
        user: AuthUser::new("alice", "4f1c7a52-0000-4000-8000-000000000001"),
    })?;
    dispatcher.dispatch(AuthEvent::TokenRefresh)?;
    dispatcher.dispatch(AuthEvent::TokenRefreshFailure {
        error: AuthEventError::new("NotAuthorizedException", "Refresh Token has expired"),
    })?;
    dispatcher.dispatch(AuthEvent::SignedOut)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (hub, dispatcher) = Hub::with_auth_dispatcher();
    let subscription = listen_to_auth_events(&hub);
    play_the_library(&dispatcher)?;

    // Stop listening (Amplify: call the function `Hub.listen` returned).
    subscription.unsubscribe();
    dispatcher.dispatch(AuthEvent::SignedOut)?; // nobody hears this one

    // Forwarding to a JS front end: the serde form is Amplify's Hub payload.
    let json = serde_json::to_string(&AuthEvent::SignedOut)?;
    println!("forwarded: {json}");
    Ok(())
}
