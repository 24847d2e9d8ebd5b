//! Sign in with a social provider through a Cognito user pool's managed login (hosted UI),
//! from a native app: the system browser opens, the user signs in with Google (or any
//! provider of the pool), the redirect comes back to a loopback listener, and the app has
//! the user's tokens. Then a sign-out that also ends the managed login's session.
//!
//! Against Cognito, with the `auth.oauth` section of Amplify Gen 2's `amplify_outputs.json`
//! (register `http://localhost:<port>/` as a callback and sign-out URL of the app client):
//!
//! ```sh
//! AUTH_AMPLIFY_OUTPUTS=amplify_outputs.json AUTH_PROVIDER=Google \
//!     cargo run --example sign_in_with_redirect --features client
//! ```
//!
//! Against the local Cognito-shaped OAuth server of `cargo xtask peers up`, headless (an HTTP
//! client plays the browser; the server logs in `AUTH_LOGIN_HINT`, and `deny` declines):
//!
//! ```sh
//! cargo xtask peers up
//! AUTH_OAUTH_DOMAIN=$(grep OIDC_COGNITO_URL target/peers/peers.env | cut -d= -f2) \
//! AUTH_USER_POOL_ID=us-east-1_Local AUTH_CLIENT_ID=native-app \
//! AUTH_REDIRECT_SIGN_IN=http://127.0.0.1/callback AUTH_REDIRECT_SIGN_OUT=http://127.0.0.1/logout \
//! AUTH_HEADLESS=1 AUTH_LOGIN_HINT=alice AUTH_PROVIDER=Google \
//!     cargo run --example sign_in_with_redirect --features client
//! ```
#![expect(clippy::print_stdout, reason = "an example prints what it does")]

use std::error::Error;

use auth::Auth;
use auth::client::{
    AuthError, Provider, SignInWithRedirectOptions, SignInWithRedirectOutput, SignOutOptions,
    open_url_fn,
};
use auth::core::config::{OAuthConfig, UserPoolConfig};
use auth::hub::AuthEvent;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn provider(name: &str) -> Provider {
    match name {
        "Google" => Provider::Google,
        "Facebook" => Provider::Facebook,
        "Amazon" => Provider::Amazon,
        "Apple" => Provider::Apple,
        "COGNITO" => Provider::Cognito,
        custom => Provider::Custom(custom.to_owned()),
    }
}

/// The configuration: `amplify_outputs.json`, or the pieces from the environment.
fn builder() -> Result<auth::client::AuthBuilder, Box<dyn Error>> {
    if let Some(path) = env("AUTH_AMPLIFY_OUTPUTS") {
        return Ok(Auth::builder().amplify_outputs(&std::fs::read_to_string(path)?)?);
    }
    let missing = |name: &str| format!("set AUTH_AMPLIFY_OUTPUTS, or {name} and the others");
    let user_pool = UserPoolConfig::builder()
        .pool_id(env("AUTH_USER_POOL_ID").ok_or_else(|| missing("AUTH_USER_POOL_ID"))?)
        .client_id(env("AUTH_CLIENT_ID").ok_or_else(|| missing("AUTH_CLIENT_ID"))?)
        .build()?;
    let mut oauth = OAuthConfig::builder()
        .domain(env("AUTH_OAUTH_DOMAIN").ok_or_else(|| missing("AUTH_OAUTH_DOMAIN"))?)
        .scopes([
            "openid",
            "email",
            "profile",
            "aws.cognito.signin.user.admin",
        ]);
    if let Some(uri) = env("AUTH_REDIRECT_SIGN_IN") {
        oauth = oauth.redirect_sign_in(uri);
    }
    if let Some(uri) = env("AUTH_REDIRECT_SIGN_OUT") {
        oauth = oauth.redirect_sign_out(uri);
    }
    Ok(Auth::builder().user_pool(user_pool).oauth(oauth.build()?))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut builder = builder()?;
    if env("AUTH_HEADLESS").is_some() {
        // A test server's headless login: an HTTP client with cookies follows the redirects
        // to the loopback listener, as a browser would.
        builder = builder.open_url(open_url_fn(|url: String| async move {
            let browser = reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .map_err(std::io::Error::other)?;
            browser
                .get(url)
                .send()
                .await
                .map_err(std::io::Error::other)?;
            Ok(())
        }));
    }
    let auth = builder.build()?;

    // 1. Listen on the Hub, as `Hub.listen('auth', …)` does.
    let _listener = auth.hub().auth().listen(|event: &AuthEvent| match event {
        AuthEvent::SignedIn { user } => println!("   [hub] signedIn: {}", user.username),
        AuthEvent::CustomOAuthState { state } => println!("   [hub] customOAuthState: {state}"),
        AuthEvent::SignInWithRedirectFailure { error } => {
            println!("   [hub] signInWithRedirect_failure: {}", error.name);
        }
        other => println!("   [hub] {}", other.name()),
    });

    // 2. Sign in through the managed login; the browser opens.
    let mut options = SignInWithRedirectOptions::new().custom_state("/home");
    if let Some(name) = env("AUTH_PROVIDER") {
        options = options.provider(provider(&name));
    }
    if let Some(hint) = env("AUTH_LOGIN_HINT") {
        options = options.login_hint(hint);
    }
    println!("1. sign in with redirect (a browser opens)");
    let user = match auth.sign_in_with_redirect(options).await {
        Ok(SignInWithRedirectOutput::SignedIn(user)) => user,
        Ok(other) => {
            return Err(format!("a loopback redirect URI is needed here: {other:?}").into());
        }
        Err(error) => {
            match error.redirect_error() {
                Some(e) if e.is_cancelled() => println!("   the user cancelled"),
                _ => println!("   failed: {error}"),
            }
            return Err(error.into());
        }
    };
    println!("   signed in as {} (sub {})", user.username, user.user_id);

    // 3. The session: the tokens are stored like any sign-in's.
    let session = auth.fetch_auth_session(Default::default()).await?;
    if let Some(id) = session.tokens.as_ref().and_then(|t| t.id_token.as_ref()) {
        let claims = id.claims();
        println!(
            "2. ID token: email {:?}, identities {}",
            claims.other.get("email"),
            claims
                .other
                .get("identities")
                .map_or("-".into(), ToString::to_string)
        );
    }

    // 4. Sign out of the app and of the managed login (its /logout in the browser).
    println!("3. sign out with redirect");
    let outcome = auth
        .sign_out(SignOutOptions::default().with_redirect(true))
        .await;
    if let Some(error) = &outcome.redirect_error {
        println!("   the managed login's logout failed ({error}); signed out locally");
    }
    match auth.get_current_user().await {
        Err(AuthError::NotSignedIn) => println!("   signed out"),
        other => return Err(format!("still signed in: {other:?}").into()),
    }
    Ok(())
}
