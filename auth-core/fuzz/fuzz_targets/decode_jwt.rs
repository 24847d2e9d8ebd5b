//! Any string: JWT decoding returns claims or a typed error, never panics.
#![no_main]

use auth_core::tokens::Jwt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(jwt) = Jwt::decode(text) {
            let _ = (
                jwt.claims().username(),
                jwt.claims().expires_at(),
                format!("{jwt:?}"),
            );
        }
    }
});
