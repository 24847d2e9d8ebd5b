//! The key cache against JWKS endpoints that misbehave on loopback: a body that trickles, a
//! server that never answers, a server that fails, a burst of callers. Every verification is
//! answered within the fetch deadline, failed fetches are rate-limited like successful ones
//! and backed off, concurrent fetches are one, and the HTTP layer's retries do not multiply
//! any of it.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use auth_providers::{ReqwestHttpClient, RetryConfig, RetryingHttpClient};
use auth_verify::Algorithm;
use auth_verify::{FetchErrorKind, FetchLimits, JwksCache, KeySet};
use support::misbehaving::{Behaviour, serve};

const JWKS: &str = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

/// The HTTP client as `OidcClient` builds it: reqwest (default timeouts: 30 s in all) behind
/// the default retry layer (3 attempts).
fn http() -> RetryingHttpClient<ReqwestHttpClient> {
    RetryingHttpClient::new(
        ReqwestHttpClient::builder().build().unwrap(),
        RetryConfig::default(),
    )
}

fn has(kid: &str) -> impl Fn(&KeySet) -> bool + '_ {
    move |keys| keys.find(Some(kid), Algorithm::ES256).is_some()
}

#[tokio::test]
async fn a_trickling_body_is_cut_at_the_deadline() {
    let endpoint = serve(Behaviour::Trickle {
        every: Duration::from_millis(50),
    })
    .await;
    let cache = JwksCache::builder(http())
        .limits(FetchLimits::new().timeout(Duration::from_secs(1)))
        .build();
    let started = Instant::now();
    let error = cache.hydrate(&endpoint.url).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(
        error.kind(),
        &FetchErrorKind::Timeout {
            after: Duration::from_secs(1)
        }
    );
    assert!(error.is_transient());
    assert!(
        took < Duration::from_millis(1500),
        "answered in {took:?}, deadline 1 s"
    );
    assert_eq!(endpoint.requests(), 1);
}

#[tokio::test]
async fn a_silent_endpoint_costs_at_most_the_default_deadline_and_one_request() {
    let endpoint = serve(Behaviour::Silent).await;
    let cache = JwksCache::new(http());
    assert_eq!(cache.limits().deadline(), Duration::from_secs(5));
    let started = Instant::now();
    // Ten verifications arrive together: one request, all answered within the deadline.
    let callers: Vec<_> = (0..10)
        .map(|i| {
            let cache = cache.clone();
            let url = endpoint.url.clone();
            tokio::spawn(async move {
                let kid = format!("unknown-{i}");
                let outcome = cache.key_set(&url, has(&kid)).await;
                (outcome.map(|_| ()), Instant::now())
            })
        })
        .collect();
    for caller in callers {
        let (outcome, at) = caller.await.unwrap();
        let error = outcome.unwrap_err();
        assert!(
            matches!(error.kind(), FetchErrorKind::Timeout { .. }),
            "{error}"
        );
        let waited = at - started;
        assert!(
            waited < Duration::from_millis(5500),
            "answered after {waited:?}"
        );
    }
    assert_eq!(endpoint.requests(), 1);
}

#[tokio::test]
async fn a_failing_endpoint_is_asked_once_per_interval_with_backoff_not_once_per_token() {
    let endpoint = serve(Behaviour::Error500).await;
    // A 1 s interval so the backoff can be watched in a few seconds (the default is 60 s).
    let cache = JwksCache::builder(http())
        .refetch_interval(Duration::from_secs(1))
        .build();
    let started = Instant::now();
    let burst = |n: usize| {
        let cache = cache.clone();
        let url = endpoint.url.clone();
        async move {
            for i in 0..n {
                let kid = format!("forged-{i}");
                let error = cache.key_set(&url, has(&kid)).await.unwrap_err();
                assert_eq!(error.kind(), &FetchErrorKind::Status { status: 500 });
            }
        }
    };
    // 20 tokens with unknown kids: one request (not 20, not 60 with the retry layer's 3).
    burst(20).await;
    assert_eq!(endpoint.requests(), 1);
    // Within the first interval: answered from the last failure, no request.
    tokio::time::sleep(Duration::from_millis(500)).await;
    burst(20).await;
    assert_eq!(endpoint.requests(), 1);
    // After 1 s: one more attempt, which fails; the next wait doubles to 2 s.
    tokio::time::sleep_until((started + Duration::from_millis(1100)).into()).await;
    burst(20).await;
    assert_eq!(endpoint.requests(), 2);
    tokio::time::sleep_until((started + Duration::from_millis(2400)).into()).await;
    burst(20).await;
    assert_eq!(
        endpoint.requests(),
        2,
        "backing off: 2 s after the second failure"
    );
    tokio::time::sleep_until((started + Duration::from_millis(3300)).into()).await;
    burst(20).await;
    assert_eq!(endpoint.requests(), 3);
}

#[tokio::test]
async fn concurrent_callers_share_one_fetch_and_its_keys() {
    let endpoint = serve(Behaviour::Slow {
        delay: Duration::from_millis(300),
        body: JWKS,
    })
    .await;
    let cache = JwksCache::new(http());
    let callers: Vec<_> = (0..50)
        .map(|_| {
            let cache = cache.clone();
            let url = endpoint.url.clone();
            tokio::spawn(async move { cache.key_set(&url, has("k1")).await })
        })
        .collect();
    let mut sets = Vec::new();
    for caller in callers {
        sets.push(caller.await.unwrap().unwrap());
    }
    assert_eq!(endpoint.requests(), 1);
    assert!(sets.iter().all(|s| Arc::ptr_eq(s, &sets[0])));
    assert!(cache.cached(&endpoint.url).is_some());
    // A known kid never fetches; an unknown one within the interval is unknown at once.
    let keys = cache.key_set(&endpoint.url, has("k1")).await.unwrap();
    assert!(keys.find(Some("k1"), Algorithm::ES256).is_some());
    // No request is what "at once" means here (no timing asserted).
    let keys = cache.key_set(&endpoint.url, has("k2")).await.unwrap();
    assert!(keys.find(Some("k2"), Algorithm::ES256).is_none());
    assert_eq!(endpoint.requests(), 1);
}

#[tokio::test]
async fn keys_held_survive_a_failed_refetch() {
    let endpoint = serve(Behaviour::OnceThen500 { body: JWKS }).await;
    let cache = JwksCache::builder(http())
        .refetch_interval(Duration::ZERO)
        .build();
    cache.hydrate(&endpoint.url).await.unwrap();
    // A token with a new kid: the refetch fails, and says so...
    let error = cache
        .key_set(&endpoint.url, has("rotated"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), &FetchErrorKind::Status { status: 500 });
    assert_eq!(endpoint.requests(), 2);
    // ...but the keys held are kept: tokens signed with k1 still verify, without a request.
    let keys = cache.key_set(&endpoint.url, has("k1")).await.unwrap();
    assert!(keys.find(Some("k1"), Algorithm::ES256).is_some());
    assert_eq!(endpoint.requests(), 2);
    // Within the backoff (1 s at least after a failure, even with a zero interval), a new
    // kid is unknown at once: the keys held are returned, no request is made.
    let keys = cache.key_set(&endpoint.url, has("other")).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(endpoint.requests(), 2);
}
