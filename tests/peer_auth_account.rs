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
use moto::{PASSWORD, idp, user, user_pool};

use std::time::{Duration, SystemTime};

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
            Answer::Code(wrong_totp(&secret).into()),
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

fn wrong_totp(secret: &str) -> String {
    let now = SystemTime::now();
    let code = totp(secret, now - Duration::from_secs(300));
    if code == totp(secret, now) {
        "000000".into()
    } else {
        code
    }
}

/// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) of a base32 secret.
fn totp(secret: &str, at: SystemTime) -> String {
    let key = base32_decode(secret);
    let counter = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() / 30;
    let mac = hmac_sha1(&key, &counter.to_be_bytes());
    let offset = usize::from(mac[19] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    format!("{:06}", binary % 1_000_000)
}

fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u64, 0u32, Vec::new());
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET
            .iter()
            .position(|&a| a == c.to_ascii_uppercase())
            .expect("base32") as u64;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// HMAC-SHA1 (RFC 2104); copied from auth-core's moto test.
/// HMAC-SHA1 (RFC 2104) over a small SHA-1 (FIPS 180-4), enough for RFC 6238 in a test.
fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..20].copy_from_slice(&sha1(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = k
        .iter()
        .map(|b| b ^ 0x36)
        .chain(message.iter().copied())
        .collect();
    let outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).chain(sha1(&inner)).collect();
    sha1(&outer)
}

fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64) * 8;
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 80];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([
                chunk[4 * i],
                chunk[4 * i + 1],
                chunk[4 * i + 2],
                chunk[4 * i + 3],
            ]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let temp = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = temp;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, word) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}
