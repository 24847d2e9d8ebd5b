//! Parse and serialize throughput over the sample events, side by side with
//! `aws_lambda_events` on the events it can parse.
//!
//! What is compared, in every group: the same events (the sample events under `tests/events/`
//! that `aws_lambda_events` parses), the same input bytes, and both sides building owned typed
//! values (dropped inside the timed loop, on both sides).
//!
//! - `ours` parses any event as a [`TriggerEvent`]: it finds the family from `triggerSource`
//!   (and `version`) itself, remembers for every field whether it arrived absent, `null` or
//!   with a value, and keeps unknown keys at every level. `aws_lambda_events` is handed each
//!   event's concrete type up front, forgets `null` versus absent, and drops unknown keys (its
//!   `catch-all-fields` feature is off, as by default).
//! - `triggers/parse` and `triggers/parse_sorted_keys` read with [`TriggerEvent::from_slice`],
//!   this crate's entry point for bytes; `triggers/serialize` writes with
//!   [`TriggerEvent::to_vec`], which writes the bytes `serde_json::to_vec` would (it starts
//!   with a 1 KiB buffer where `serde_json::to_vec` starts with 128 bytes and grows). The
//!   comparator uses `serde_json::from_slice` and `serde_json::to_vec`, its only way.
//! - `triggers/parse_serde` and `triggers/serialize_serde` measure the generic serde path
//!   instead (`serde_json::from_slice::<TriggerEvent>`, `serde_json::to_vec(&event)`), which
//!   is what `lambda_runtime` (and so this crate's `lambda::Triggers` router) uses.
//!   `serialize_serde` is close to a tie whatever the `Serialize` impls do: nearly all of
//!   it is `serde_json`'s own work (escaping every string byte by byte, its calls per entry,
//!   growing the buffer), the same on both sides, and ours writes the 1.4 % more bytes it
//!   kept. The router's alternative, `to_vec`'s bytes handed to `lambda_runtime` as a
//!   `Box<serde_json::value::RawValue>`, was measured and is slower, since
//!   `RawValue::from_string` parses the bytes again to validate them; it has no group.
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use std::fs;
use std::hint::black_box;
use std::path::Path;

use auth_triggers::{TriggerEvent, TriggerFamily};
use aws_lambda_events::event::cognito as aws;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// An event parsed by `aws_lambda_events`, in its concrete type.
enum Aws {
    PreSignUp(aws::CognitoEventUserPoolsPreSignup),
    PostConfirmation(aws::CognitoEventUserPoolsPostConfirmation),
    PreAuthentication(aws::CognitoEventUserPoolsPreAuthentication),
    PostAuthentication(aws::CognitoEventUserPoolsPostAuthentication),
    Define(aws::CognitoEventUserPoolsDefineAuthChallenge),
    Create(aws::CognitoEventUserPoolsCreateAuthChallenge),
    Verify(Box<aws::CognitoEventUserPoolsVerifyAuthChallenge>),
    TokenV1(aws::CognitoEventUserPoolsPreTokenGen),
    TokenV2(aws::CognitoEventUserPoolsPreTokenGenV2),
    Migration(aws::CognitoEventUserPoolsMigrateUser),
    Message(aws::CognitoEventUserPoolsCustomMessage),
}

/// Which `aws_lambda_events` type an event needs (none for families it lacks).
#[derive(Clone, Copy)]
enum AwsKind {
    PreSignUp,
    PostConfirmation,
    PreAuthentication,
    PostAuthentication,
    Define,
    Create,
    Verify,
    TokenV1,
    TokenV2,
    Migration,
    Message,
}

fn aws_kind(event: &TriggerEvent) -> Option<AwsKind> {
    Some(match event {
        TriggerEvent::PreTokenGenerationV1(_) => AwsKind::TokenV1,
        TriggerEvent::PreTokenGenerationV2(_) | TriggerEvent::PreTokenGenerationV3(_) => {
            AwsKind::TokenV2
        }
        other => match other.family()? {
            TriggerFamily::PreSignUp => AwsKind::PreSignUp,
            TriggerFamily::PostConfirmation => AwsKind::PostConfirmation,
            TriggerFamily::PreAuthentication => AwsKind::PreAuthentication,
            TriggerFamily::PostAuthentication => AwsKind::PostAuthentication,
            TriggerFamily::DefineAuthChallenge => AwsKind::Define,
            TriggerFamily::CreateAuthChallenge => AwsKind::Create,
            TriggerFamily::VerifyAuthChallengeResponse => AwsKind::Verify,
            TriggerFamily::UserMigration => AwsKind::Migration,
            TriggerFamily::CustomMessage => AwsKind::Message,
            _ => return None,
        },
    })
}

fn aws_parse(kind: AwsKind, bytes: &[u8]) -> serde_json::Result<Aws> {
    use serde_json::from_slice as p;
    Ok(match kind {
        AwsKind::PreSignUp => Aws::PreSignUp(p(bytes)?),
        AwsKind::PostConfirmation => Aws::PostConfirmation(p(bytes)?),
        AwsKind::PreAuthentication => Aws::PreAuthentication(p(bytes)?),
        AwsKind::PostAuthentication => Aws::PostAuthentication(p(bytes)?),
        AwsKind::Define => Aws::Define(p(bytes)?),
        AwsKind::Create => Aws::Create(p(bytes)?),
        AwsKind::Verify => Aws::Verify(Box::new(p(bytes)?)),
        AwsKind::TokenV1 => Aws::TokenV1(p(bytes)?),
        AwsKind::TokenV2 => Aws::TokenV2(p(bytes)?),
        AwsKind::Migration => Aws::Migration(p(bytes)?),
        AwsKind::Message => Aws::Message(p(bytes)?),
    })
}

fn aws_serialize(event: &Aws) -> serde_json::Result<Vec<u8>> {
    match event {
        Aws::PreSignUp(e) => serde_json::to_vec(e),
        Aws::PostConfirmation(e) => serde_json::to_vec(e),
        Aws::PreAuthentication(e) => serde_json::to_vec(e),
        Aws::PostAuthentication(e) => serde_json::to_vec(e),
        Aws::Define(e) => serde_json::to_vec(e),
        Aws::Create(e) => serde_json::to_vec(e),
        Aws::Verify(e) => serde_json::to_vec(e),
        Aws::TokenV1(e) => serde_json::to_vec(e),
        Aws::TokenV2(e) => serde_json::to_vec(e),
        Aws::Migration(e) => serde_json::to_vec(e),
        Aws::Message(e) => serde_json::to_vec(e),
    }
}

/// The sample events both crates parse, compacted, with the type `aws_lambda_events` needs.
fn corpus() -> Vec<(Vec<u8>, AwsKind)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/events");
    let mut paths: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        // As written: keys in the order Cognito sends them (`triggerSource` second).
        let bytes = fs::read(&path).unwrap();
        let ours: TriggerEvent = serde_json::from_slice(&bytes).unwrap();
        if let Some(kind) = aws_kind(&ours)
            && aws_parse(kind, &bytes).is_ok()
        {
            out.push((bytes, kind));
        }
    }
    out
}

fn benches(c: &mut Criterion) {
    let corpus = corpus();
    let total: u64 = corpus.iter().map(|(b, _)| b.len() as u64).sum();
    eprintln!(
        "triggers: {} sample events both crates parse, {total} bytes",
        corpus.len()
    );

    let mut parse = c.benchmark_group("triggers/parse");
    parse.throughput(Throughput::Bytes(total));
    parse.bench_function("ours", |b| {
        b.iter(|| {
            for (bytes, _) in &corpus {
                black_box(TriggerEvent::from_slice(black_box(bytes)).unwrap());
            }
        });
    });
    parse.bench_function("aws_lambda_events", |b| {
        b.iter(|| {
            for (bytes, kind) in &corpus {
                black_box(aws_parse(*kind, black_box(bytes)).unwrap());
            }
        });
    });
    parse.finish();

    // The same events re-serialized with sorted keys (`triggerSource` after `request` and
    // `response`), so the family is known only near the end of the object.
    let sorted: Vec<(Vec<u8>, AwsKind)> = corpus
        .iter()
        .map(|(b, k)| {
            let value: serde_json::Value = serde_json::from_slice(b).unwrap();
            (serde_json::to_vec(&value).unwrap(), *k)
        })
        .collect();
    let sorted_total: u64 = sorted.iter().map(|(b, _)| b.len() as u64).sum();
    let mut parse = c.benchmark_group("triggers/parse_sorted_keys");
    parse.throughput(Throughput::Bytes(sorted_total));
    parse.bench_function("ours", |b| {
        b.iter(|| {
            for (bytes, _) in &sorted {
                black_box(TriggerEvent::from_slice(black_box(bytes)).unwrap());
            }
        });
    });
    parse.bench_function("aws_lambda_events", |b| {
        b.iter(|| {
            for (bytes, kind) in &sorted {
                black_box(aws_parse(*kind, black_box(bytes)).unwrap());
            }
        });
    });
    parse.finish();

    let mut parse = c.benchmark_group("triggers/parse_serde");
    parse.throughput(Throughput::Bytes(total));
    parse.bench_function("ours", |b| {
        b.iter(|| {
            for (bytes, _) in &corpus {
                let event: TriggerEvent = serde_json::from_slice(black_box(bytes)).unwrap();
                black_box(event);
            }
        });
    });
    parse.bench_function("aws_lambda_events", |b| {
        b.iter(|| {
            for (bytes, kind) in &corpus {
                black_box(aws_parse(*kind, black_box(bytes)).unwrap());
            }
        });
    });
    parse.finish();

    let ours: Vec<TriggerEvent> = corpus
        .iter()
        .map(|(b, _)| TriggerEvent::from_slice(b).unwrap())
        .collect();
    let theirs: Vec<Aws> = corpus
        .iter()
        .map(|(b, k)| aws_parse(*k, b).unwrap())
        .collect();
    let mut serialize = c.benchmark_group("triggers/serialize");
    serialize.throughput(Throughput::Bytes(total));
    serialize.bench_function("ours", |b| {
        b.iter(|| {
            for event in &ours {
                black_box(black_box(event).to_vec().unwrap());
            }
        });
    });
    serialize.bench_function("aws_lambda_events", |b| {
        b.iter(|| {
            for event in &theirs {
                black_box(aws_serialize(black_box(event)).unwrap());
            }
        });
    });
    serialize.finish();

    let mut serialize = c.benchmark_group("triggers/serialize_serde");
    serialize.throughput(Throughput::Bytes(total));
    serialize.bench_function("ours", |b| {
        b.iter(|| {
            for event in &ours {
                black_box(serde_json::to_vec(black_box(event)).unwrap());
            }
        });
    });
    serialize.bench_function("aws_lambda_events", |b| {
        b.iter(|| {
            for event in &theirs {
                black_box(aws_serialize(black_box(event)).unwrap());
            }
        });
    });
    serialize.finish();
}

criterion_group!(triggers, benches);
criterion_main!(triggers);
