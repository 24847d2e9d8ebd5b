//! A hostile JWKS endpoint streaming 400 MiB cannot make the verifying process buffer it:
//! reading stops at the body limit, and the peak resident memory of this process grows by
//! less than 10 MiB. Alone in its test binary, so no other test's allocations count.

mod support;

use std::time::Duration;

use auth_providers::{ReqwestHttpClient, RetryConfig, RetryingHttpClient};
use auth_verify::{FetchErrorKind, JwksCache};
use support::misbehaving::{Behaviour, peak_rss_kib, reset_peak_rss, serve};

const MIB: u64 = 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_400_mib_jwks_is_cut_at_the_limit_and_costs_under_10_mib() {
    // The client as OidcClient builds it: reqwest behind the retry layer.
    let http = RetryingHttpClient::new(
        ReqwestHttpClient::builder().build().unwrap(),
        RetryConfig::default(),
    );
    let cache = JwksCache::new(http);
    // Warm up: the client, its TLS roots and the runtime allocate once, before measuring.
    let healthy = serve(Behaviour::Slow {
        delay: Duration::ZERO,
        body: r#"{"keys":[]}"#,
    })
    .await;
    cache.hydrate(&healthy.url).await.unwrap();

    for declared in [false, true] {
        let hostile = serve(Behaviour::Huge {
            bytes: 400 * MIB,
            declared,
        })
        .await;
        reset_peak_rss();
        let before = peak_rss_kib();
        let error = cache.hydrate(&hostile.url).await.unwrap_err();
        let growth_kib = peak_rss_kib().saturating_sub(before);
        assert_eq!(
            error.kind(),
            &FetchErrorKind::TooLarge { limit: 256 * 1024 },
            "{error}"
        );
        assert!(
            error.to_string().contains(&hostile.url),
            "the error names the URL: {error}"
        );
        assert!(
            growth_kib < 10 * 1024,
            "peak RSS grew by {growth_kib} KiB (declared length: {declared})"
        );
        assert_eq!(hostile.requests(), 1, "sent once, not retried");
        // The server could not push much more than the limit and the socket buffers.
        assert!(
            (hostile.written() as u64) < 32 * MIB,
            "the server wrote {} bytes (declared length: {declared})",
            hostile.written()
        );
        eprintln!(
            "400 MiB JWKS (declared length: {declared}): peak RSS +{growth_kib} KiB, server wrote {} KiB",
            hostile.written() / 1024
        );
    }
}
