//! End-to-end benchmarks against moto: our client and what users would pick instead, side by
//! side in one run, same user pool, same network. **Benchmark code only**: nothing here is an
//! API of the toolkit.
//!
//! `cargo xtask bench` builds this package in release mode and runs the runner
//! (`auth-bench-e2e run`), which
//!
//! 1. provisions one user pool, app client, user and identity pool in moto ([`moto`]);
//! 2. starts a [`proxy::CountingProxy`] on loopback in front of moto, so the HTTP requests of
//!    every implementation are counted the same way (Python's included: it only needs an
//!    endpoint URL);
//! 3. runs each [`Scenario`] × implementation as a child process, N times, interleaved,
//!    through `auth-bench-e2e measure`, which reads the child's CPU time and peak RSS from
//!    `getrusage(RUSAGE_CHILDREN)` once it has waited for it ([`measure`]);
//! 4. prints one JSON document with the medians, which xtask turns into `docs/benchmarks.md`.
//!
//! The implementations are the binaries `e2e-ours` (the full client [`auth::Auth`]) and
//! `e2e-sdk` (a minimal client on `aws-sdk-cognitoidentityprovider`,
//! `aws-sdk-cognitoidentity` and the `aws-cognito-srp` crate, see [`sdk`]), and
//! `bench-e2e/python/pycognito_bench.py` (pycognito and boto3) run with the peers' Python.
//!
//! Each child prints one [`ChildReport`] line; it checks its result (tokens obtained,
//! credentials non-empty) and exits with an error otherwise, so a failure is never reported as
//! a fast run.

pub mod jwt;
pub mod measure;
pub mod moto;
pub mod proxy;
pub mod runner;
pub mod scenario;
pub mod sdk;

pub use scenario::{BenchEnv, ChildReport, Scenario};
