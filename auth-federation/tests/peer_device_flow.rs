//! The device authorization grant (RFC 8628) against the real oidc-provider: the client
//! starts the flow for `native-app` and polls while a headless "user" opens the verification
//! URI, confirms the code, passes the provider's interaction (login as alice and consent,
//! finished without a browser by xtask/assets/oidc-provider.mjs) and either approves or
//! aborts. oidc-provider sends no `interval`, so the client polls every 5 seconds (the
//! RFC's default) and each test takes about that long.
#![cfg(feature = "oidc")]

#[path = "../../tests/support/peers.rs"]
mod peers;

use std::time::{Duration, Instant};

use auth_federation::oidc::{DeviceAuthorization, OidcClient, OidcConfig, OidcError, OidcSession};
use auth_providers::{ReqwestHttpClient, TokenOptions, TokenProvider as _};

async fn oidc_client() -> OidcClient {
    let config = OidcConfig::builder()
        .issuer(peers::oidc())
        .client_id("native-app")
        .scope("email")
        .build()
        .unwrap();
    OidcClient::discover(config, ReqwestHttpClient::builder().build().unwrap())
        .await
        .unwrap()
}

/// An HTML form of the provider's pages: its `action` and its hidden inputs.
#[derive(Debug)]
struct Form {
    action: String,
    fields: Vec<(String, String)>,
}

/// The value of `attr="…"` inside `tag`.
fn attribute(tag: &str, attr: &str) -> Option<String> {
    let start = tag.find(&format!("{attr}=\""))? + attr.len() + 2;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_owned())
}

/// The last `<form method="post">` of `page` (oidc-provider's pages nest a form in a form
/// on the auto-submit page; the inner one carries the inputs).
fn post_form(page: &str) -> Option<Form> {
    let start = page.rfind("<form")?;
    let rest = &page[start..];
    let end = rest.find("</form>").unwrap_or(rest.len());
    let form = &rest[..end];
    let open = &form[..form.find('>')?];
    let action = attribute(open, "action")?;
    let fields = form
        .split("<input")
        .skip(1)
        .filter_map(|input| {
            let tag = &input[..input.find('>')?];
            Some((attribute(tag, "name")?, attribute(tag, "value")?))
        })
        .collect();
    Some(Form { action, fields })
}

/// Where a page of the flow landed, and what it said.
struct Page {
    url: String,
    body: String,
}

fn title(page: &Page) -> &str {
    let body = &page.body;
    let start = body.find("<h1>").map_or(0, |i| i + 4);
    let end = body[start..].find("</h1>").map_or(start, |i| start + i);
    &body[start..end]
}

async fn submit(browser: &reqwest::Client, form: &Form, extra: &[(&str, &str)]) -> Page {
    let mut fields: Vec<(&str, &str)> = form
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.extend_from_slice(extra);
    let response = browser
        .post(&form.action)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "POST {} ended at {}",
        form.action,
        response.status()
    );
    Page {
        url: response.url().to_string(),
        body: response.text().await.unwrap(),
    }
}

/// The user, in a cookie-keeping browser that follows redirects: opens
/// `verification_uri_complete` (a page that auto-submits the code with an `xsrf` field), then
/// on the "Confirm Device" page presses Continue (`confirm=yes`) or Abort (`abort=yes`);
/// returns the last page.
async fn user_at_the_verification_uri(authorization: &DeviceAuthorization, approve: bool) -> Page {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::limited(20))
        .build()
        .unwrap();
    let complete = authorization
        .verification_uri_complete
        .clone()
        .expect("oidc-provider sends verification_uri_complete");
    assert!(complete.starts_with(&authorization.verification_uri));
    let page = browser
        .get(&complete)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let code_form = post_form(&page).expect("the page that submits the user code");
    assert!(
        code_form
            .fields
            .contains(&("user_code".into(), authorization.user_code.clone())),
        "{code_form:?}"
    );
    let confirm = submit(&browser, &code_form, &[]).await;
    assert_eq!(title(&confirm), "Confirm Device", "{}", confirm.body);
    assert!(confirm.body.contains(&authorization.user_code));
    let confirm_form = post_form(&confirm.body).expect("the confirmation form");
    if approve {
        // The form's own hidden `confirm=yes` is Continue; it goes through /interaction/<uid>.
        submit(&browser, &confirm_form, &[]).await
    } else {
        let fields: Vec<_> = confirm_form
            .fields
            .into_iter()
            .filter(|(k, _)| k != "confirm")
            .collect();
        let abort = Form {
            action: confirm_form.action,
            fields,
        };
        submit(&browser, &abort, &[("abort", "yes")]).await
    }
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn device_login_at_oidc_provider_yields_verified_tokens_for_alice() {
    let session = OidcSession::new(oidc_client().await);
    let (shown, to_user) = tokio::sync::oneshot::channel::<DeviceAuthorization>();
    let user = tokio::spawn(async move {
        let authorization = to_user.await.unwrap();
        // The user reads the code while the client's first poll sees authorization_pending.
        tokio::time::sleep(Duration::from_millis(500)).await;
        user_at_the_verification_uri(&authorization, true).await
    });

    let started = Instant::now();
    let tokens = tokio::time::timeout(
        Duration::from_secs(30),
        session.login_with_device(|authorization| {
            assert!(
                authorization.verification_uri.starts_with(&peers::oidc()),
                "{authorization:?}"
            );
            assert_eq!(authorization.interval, Duration::from_secs(5));
            shown.send(authorization.clone()).unwrap();
        }),
    )
    .await
    .expect("the client stopped polling")
    .unwrap();
    let last = user.await.unwrap();
    assert_eq!(title(&last), "Sign-in Success", "{}", last.url);
    // At least one authorization_pending, then the 5 s interval, then the tokens.
    assert!(started.elapsed() >= Duration::from_secs(5));

    assert_eq!(tokens.id_token.subject(), "alice");
    assert_eq!(
        auth_federation::logins::id_token_key(tokens.id_token.jwt()).unwrap(),
        auth_federation::logins::issuer_key(&peers::oidc())
    );
    assert!(!tokens.access_token.expose().is_empty());
    assert!(tokens.refresh_token.is_some(), "offline_access was granted");

    // The session serves them as a TokenProvider, and the device's refresh token works.
    let current = session
        .tokens(TokenOptions::default())
        .await
        .unwrap()
        .expect("a signed-in session");
    assert_eq!(current.username, "alice");
    let refreshed = session
        .current_tokens(true)
        .await
        .unwrap()
        .expect("still signed in");
    assert_eq!(refreshed.id_token.subject(), "alice");
    assert_ne!(
        refreshed.access_token.expose(),
        tokens.access_token.expose(),
        "the refresh did not reach the provider"
    );
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn device_login_aborted_by_the_user_ends_with_access_denied() {
    let client = oidc_client().await;
    let authorization = client.start_device_authorization().await.unwrap();
    let poll = tokio::spawn({
        let client = client.clone();
        let authorization = authorization.clone();
        async move { client.poll_device_authorization(&authorization).await }
    });
    let last = user_at_the_verification_uri(&authorization, false).await;
    assert!(
        last.body.contains("interrupted"),
        "the provider did not show the aborted page: {}",
        last.body
    );
    let error = tokio::time::timeout(Duration::from_secs(30), poll)
        .await
        .expect("the client stopped polling")
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&error, OidcError::OAuth { error, .. } if error == "access_denied"),
        "{error:?}"
    );
}
