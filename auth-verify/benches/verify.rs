//! Verifying a Cognito access token with cached keys, side by side in one run:
//!
//! * `ours`: `CognitoVerifier::verify_sync_at` (decoding, every Cognito check, signature);
//! * `jsonwebtoken`: what a Rust user would pick today, `jsonwebtoken::decode` (RustCrypto
//!   backend) with a prepared `DecodingKey` and a `Validation` for the issuer, plus the
//!   `token_use` and `client_id` checks by hand;
//! * `aws_lc_signature_only`: the floor, the bare RS256 signature check of the same token on
//!   a key parsed once (`aws-lc-rs`, the backend ours uses).
//!
//! Same token, same key (the RSA-2048 test key of auth-federation's fixtures; see
//! `peer/fixture.rs`). `aws-jwt-verify` on Node.js verifies the same token in
//! `verify_peer.rs`, which `cargo xtask bench --verify` runs right after this group.

use std::hint::black_box;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_main};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

#[path = "peer/fixture.rs"]
mod fixture;

use fixture::CLIENT;

fn verify(c: &mut Criterion) {
    let fixture = fixture::cognito_access_token();
    let ours = fixture::hydrated_verifier(&fixture);
    let (token, jwk, issuer, now) = (&fixture.token, &fixture.jwk, &fixture.issuer, fixture.now);

    let n = jwk["n"].as_str().unwrap();
    let e = jwk["e"].as_str().unwrap();
    let decoding = DecodingKey::from_rsa_components(n, e).unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.validate_aud = false;
    let theirs = |token: &str| {
        let data =
            jsonwebtoken::decode::<serde_json::Value>(token, &decoding, &validation).unwrap();
        assert_eq!(data.claims["token_use"], "access");
        assert_eq!(data.claims["client_id"], CLIENT);
        data.claims
    };
    theirs(token);

    let n = URL_SAFE_NO_PAD.decode(n).unwrap();
    let e = URL_SAFE_NO_PAD.decode(e).unwrap();
    let floor = RsaPublicKeyComponents {
        n: &n[..],
        e: &e[..],
    }
    .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
    .unwrap();
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    floor.verify_sig(input.as_bytes(), &signature).unwrap();

    let mut group = c.benchmark_group("verify/cognito_access_token");
    group.bench_function("ours", |b| {
        b.iter(|| black_box(ours.verify_sync_at(black_box(token), now).unwrap()));
    });
    group.bench_function("jsonwebtoken", |b| {
        b.iter(|| black_box(theirs(black_box(token))));
    });
    group.bench_function("aws_lc_signature_only", |b| {
        b.iter(|| {
            floor
                .verify_sig(black_box(input.as_bytes()), black_box(&signature))
                .unwrap();
        });
    });
    group.finish();
}

mod group {
    //! `criterion_group!` output, kept private so it needs no docs.
    criterion::criterion_group!(benches, super::verify);
}
use group::benches;
criterion_main!(benches);
