//! The cached-credentials hot path, ours against aws-smithy-runtime's lazy identity cache
//! resolving the same credentials, in the same run.
//!
//! Both are polled once with `now_or_never` (a cache hit completes on the first poll), so
//! the figures are the caches' own cost, not an executor's.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use auth_providers::{
    AwsCredentials, CachedCredentialsProvider, CredentialsAndIdentityId, CredentialsOptions,
    CredentialsProvider, StaticCredentialsProvider,
};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_async::rt::sleep::TokioSleep;
use aws_smithy_async::time::SystemTimeSource;
use aws_smithy_runtime::client::identity::IdentityCache;
use aws_smithy_runtime_api::client::identity::{ResolveCachedIdentity, SharedIdentityResolver};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder;
use aws_smithy_types::config_bag::ConfigBag;
use criterion::{Criterion, criterion_main};
use futures_util::FutureExt as _;

fn cached_credentials(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = rt.enter();
    let expiry = SystemTime::now() + Duration::from_secs(3600);

    let ours = CachedCredentialsProvider::new(StaticCredentialsProvider::new(
        CredentialsAndIdentityId::new(
            AwsCredentials::new(
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                Some("session-token".into()),
                Some(expiry),
            ),
            None,
        ),
    ));
    rt.block_on(ours.credentials_and_identity_id(CredentialsOptions::guest()))
        .unwrap();

    let cache = IdentityCache::lazy().build();
    let resolver = SharedIdentityResolver::new(SharedCredentialsProvider::new(Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Some("session-token".into()),
        Some(expiry),
        "bench",
    )));
    let components = RuntimeComponentsBuilder::for_tests()
        .with_time_source(Some(SystemTimeSource::new()))
        .with_sleep_impl(Some(TokioSleep::new()))
        .build()
        .unwrap();
    let cfg = ConfigBag::base();
    rt.block_on(cache.resolve_cached_identity(resolver.clone(), &components, &cfg))
        .unwrap();

    let mut group = c.benchmark_group("providers/cached_credentials");
    group.bench_function("ours", |b| {
        b.iter(|| {
            black_box(
                ours.credentials_and_identity_id(black_box(CredentialsOptions::guest()))
                    .now_or_never()
                    .expect("a cache hit is ready on the first poll")
                    .unwrap(),
            )
        });
    });
    group.bench_function("smithy_lazy_cache", |b| {
        b.iter(|| {
            black_box(
                cache
                    .resolve_cached_identity(resolver.clone(), &components, &cfg)
                    .now_or_never()
                    .expect("a cache hit is ready on the first poll")
                    .unwrap(),
            )
        });
    });
    group.finish();
}

mod group {
    //! `criterion_group!` output, kept private so it needs no docs.
    criterion::criterion_group!(benches, super::cached_credentials);
}
use group::benches;
criterion_main!(benches);
