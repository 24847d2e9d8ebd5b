//! The user's side of the device authorization grant at the oidc-provider peer: a
//! cookie-keeping HTTP client standing in for the browser, which opens the verification URI,
//! confirms the code and approves or aborts. The provider's interaction (login as `alice` and
//! consent) finishes without a browser (xtask/assets/oidc-provider.mjs).
//!
//! Shared by the device-flow tests of every crate: include it with
//! `#[path = "…/tests/support/device_user.rs"] mod device_user;`.

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
pub(crate) struct Page {
    /// Where the browser ended.
    pub(crate) url: String,
    /// What the page said.
    pub(crate) body: String,
}

/// The page's `<h1>`.
pub(crate) fn title(page: &Page) -> &str {
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
/// `verification_uri_complete` (a page that auto-submits `user_code` with an `xsrf` field),
/// then on the "Confirm Device" page presses Continue (`confirm=yes`) or Abort
/// (`abort=yes`); returns the last page.
pub(crate) async fn user_at_the_verification_uri(
    complete: &str,
    user_code: &str,
    approve: bool,
) -> Page {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::limited(20))
        .build()
        .unwrap();
    let page = browser
        .get(complete)
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
            .contains(&("user_code".into(), user_code.to_owned())),
        "{code_form:?}"
    );
    let confirm = submit(&browser, &code_form, &[]).await;
    assert_eq!(title(&confirm), "Confirm Device", "{}", confirm.body);
    assert!(confirm.body.contains(user_code));
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
