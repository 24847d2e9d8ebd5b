//! Any status, headers and body: the decoder returns a value or a typed error, never panics.
#![no_main]

use auth_core::wire::{self, GetCredentialsForIdentity, GlobalSignOut, InitiateAuth};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = 100 + u16::from_be_bytes([data[0], data[1]]) % 500;
    let split = usize::from(data[2]).min(data.len() - 3);
    let (header, body) = data[3..].split_at(split);
    let build = || {
        let mut builder = http::Response::builder().status(status);
        if let Ok(text) = std::str::from_utf8(header) {
            if let Some((ct, et)) = text.split_once('\n') {
                builder = builder
                    .header("content-type", ct)
                    .header("x-amzn-ErrorType", et);
            }
        }
        builder
            .body(body.to_vec())
            .or_else(|_| http::Response::builder().status(status).body(body.to_vec()))
    };
    if let Ok(response) = build() {
        let _ = wire::decode::<InitiateAuth, _>(response);
    }
    if let Ok(response) = build() {
        let _ = wire::decode::<GlobalSignOut, _>(response);
    }
    if let Ok(response) = build() {
        let _ = wire::decode::<GetCredentialsForIdentity, _>(response);
    }
});
