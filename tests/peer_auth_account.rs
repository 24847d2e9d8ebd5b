//! `Auth`'s account calls against moto (`cargo xtask peers up`): attributes, password, TOTP
//! setup and MFA preference, then a TOTP sign-in with codes moto checks
//! (MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true). moto answers DeleteUser,
//! DeleteUserAttributes, attribute verification and the device calls with an HTML 500 (reference section 9): those are checked as typed errors.
#![cfg(feature = "client")]

#[path = "support/peers.rs"]
#[allow(
    unreachable_pub,
    reason = "the shared locator serves every crate's peer tests"
)]
mod peers;

#[path = "support/moto.rs"]
mod moto;
#[path = "support/totp.rs"]
mod totp;
use moto::{PASSWORD, idp, user, user_pool};
use totp::{totp, wrong_totp};

use std::time::SystemTime;

use auth::Auth;
use auth::client::{
    AuthError, MfaPreference, SignInOptions, SignOutOptions, UpdateMfaPreference, UserAttributes,
};
use auth::core::config::UserPoolConfig;
use auth::core::machine::sign_in::{Answer, ConfirmOptions, MfaType, SignInStep};
use serde_json::json;

async fn signed_in(mfa: Option<&str>) -> (Auth, UserPoolConfig, String) {
    let config = user_pool().await;
    if let Some(mfa) = mfa {
        idp(
            "SetUserPoolMfaConfig",
            &json!({"UserPoolId": config.pool_id(), "MfaConfiguration": mfa,
                    "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        )
        .await;
    }
    let username = user(&config).await;
    let auth = Auth::builder().user_pool(config.clone()).build().unwrap();
    let out = auth
        .sign_in(&username, PASSWORD, SignInOptions::new())
        .await
        .unwrap();
    assert!(out.is_signed_in(), "{out:?}");
    (auth, config, username)
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn attributes_and_password_are_updated_for_the_signed_in_user() {
    let (auth, _, username) = signed_in(None).await;
    let mut update = UserAttributes::new();
    update.insert("name".into(), "Alice Liddell".into());
    auth.update_user_attributes(update, Default::default())
        .await
        .unwrap();
    let attributes = auth.fetch_user_attributes().await.unwrap();
    assert_eq!(
        attributes.get("name").map(String::as_str),
        Some("Alice Liddell")
    );
    assert!(attributes.contains_key("sub"));

    let err = auth
        .update_password("not-the-password", "N3w-passw0rd!")
        .await
        .unwrap_err();
    assert!(err.service_kind().is_some(), "{err:?}");
    auth.update_password(PASSWORD, "N3w-passw0rd!")
        .await
        .unwrap();
    auth.sign_out(SignOutOptions::default()).await;
    let err = auth.fetch_user_attributes().await.unwrap_err();
    assert!(matches!(err, AuthError::NotSignedIn), "{err:?}");
    let out = auth
        .sign_in(&username, "N3w-passw0rd!", SignInOptions::new())
        .await
        .unwrap();
    assert!(out.is_signed_in());
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn totp_set_up_by_a_signed_in_user_is_then_asked_at_sign_in() {
    let (auth, _, username) = signed_in(Some("OPTIONAL")).await;
    let setup = auth.set_up_totp().await.unwrap();
    assert_eq!(setup.account, username);
    let secret = setup.secret.expose().to_owned();
    assert!(setup.uri("Moto").starts_with("otpauth://totp/Moto:"));
    auth.verify_totp_setup(&totp(&secret, SystemTime::now()), Some("phone".into()))
        .await
        .unwrap();
    auth.update_mfa_preference(UpdateMfaPreference::new().totp(MfaPreference::Preferred))
        .await
        .unwrap();
    let preference = auth.fetch_mfa_preference().await.unwrap();
    assert_eq!(preference.preferred, Some(MfaType::Totp), "{preference:?}");
    assert!(preference.enabled.contains(&MfaType::Totp));

    auth.sign_out(SignOutOptions::default()).await;
    let out = auth
        .sign_in(&username, PASSWORD, SignInOptions::new())
        .await
        .unwrap();
    assert_eq!(
        out.next_step(),
        Some(&SignInStep::ConfirmWithTotpCode),
        "{out:?}"
    );
    let wrong = auth
        .confirm_sign_in(
            Answer::Code(wrong_totp(&secret, SystemTime::now()).into()),
            ConfirmOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(wrong.service_kind().is_some(), "{wrong:?}");
    let out = auth
        .confirm_sign_in(
            Answer::Code(totp(&secret, SystemTime::now()).into()),
            ConfirmOptions::default(),
        )
        .await
        .unwrap();
    assert!(out.is_signed_in(), "{out:?}");
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn required_mfa_sets_up_totp_during_sign_in() {
    let config = user_pool().await;
    idp(
        "SetUserPoolMfaConfig",
        &json!({"UserPoolId": config.pool_id(), "MfaConfiguration": "ON",
                "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    )
    .await;
    let username = user(&config).await;
    let auth = Auth::builder().user_pool(config).build().unwrap();
    let out = auth
        .sign_in(&username, PASSWORD, SignInOptions::new())
        .await
        .unwrap();
    let Some(SignInStep::ContinueWithTotpSetup { setup }) = out.next_step() else {
        panic!("expected TOTP setup, got {out:?}");
    };
    let secret = setup.secret.expose().to_owned();
    let out = auth
        .confirm_sign_in(
            Answer::Code(totp(&secret, SystemTime::now()).into()),
            ConfirmOptions::default(),
        )
        .await
        .unwrap();
    assert!(out.is_signed_in(), "{out:?}");
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn calls_moto_answers_with_html_are_typed_errors_and_keep_the_user() {
    let (auth, _, username) = signed_in(None).await;
    // moto: DeleteUser and the device calls answer HTTP 500 with an HTML body.
    let err = auth.delete_user().await.unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::Service {
                operation: "DeleteUser",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());
    let err = auth
        .delete_user_attributes(vec!["name".into()])
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Service { .. }), "{err:?}");
    let err = auth.fetch_devices().await.unwrap_err();
    assert!(matches!(err, AuthError::Service { .. }), "{err:?}");
    assert_eq!(auth.get_current_user().await.unwrap().username, username);
    let err = auth
        .send_user_attribute_verification_code("email", Default::default())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Service { .. }), "{err:?}");
    let err = auth
        .confirm_user_attribute("email", "123456")
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Service { .. }), "{err:?}");
    let err = auth.remember_device().await.unwrap_err();
    assert!(matches!(err, AuthError::NotConfigured(_)), "{err:?}");
    // No remembered device: forgetting "this device" is refused before any request.
    let err = auth.forget_device(None).await.unwrap_err();
    assert!(matches!(err, AuthError::NotConfigured(_)), "{err:?}");
}
