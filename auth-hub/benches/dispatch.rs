//! Dispatch throughput and latency, side by side with a bare `tokio::sync::broadcast` channel
//! doing the same fan-out (the physical-limit reference).
//!
//! Groups follow the workspace convention read by `cargo xtask bench`: `hub/<what>`, with our
//! implementation as `ours`, the reference as `tokio_broadcast`, and the number of listeners or
//! subscribers as the parameter.
//!
//! - `hub/dispatch_sync`: one dispatch to N synchronous listeners (the time is the latency of
//!   `dispatch`, which returns after every listener ran). The reference sends once and has
//!   each of N receivers `try_recv` it: the same fan-out, done synchronously.
//! - `hub/dispatch_async`: N async subscriber tasks each receive a batch of events, on a
//!   current-thread runtime. Ours reads through `EventStream` (`StreamExt::next`), the
//!   reference through `Receiver::recv`. Throughput is counted in deliveries (events × N).
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use auth_hub::{Hub, Subscription};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tokio::sync::broadcast;
use tokio_stream::StreamExt;

const LISTENERS: [usize; 3] = [1, 16, 256];
/// Events per async iteration; the stream capacity is larger, so nobody lags.
const BATCH: usize = 512;
const CAPACITY: usize = 1024;

fn dispatch_sync(c: &mut Criterion) {
    let mut group = c.benchmark_group("hub/dispatch_sync");
    for &n in &LISTENERS {
        group.throughput(Throughput::Elements(n as u64));

        let hub = Hub::new();
        let channel = hub.channel::<u64>("bench").unwrap();
        let counters: Vec<Arc<AtomicU64>> = (0..n).map(|_| Arc::default()).collect();
        let _subscriptions: Vec<Subscription> = counters
            .iter()
            .map(|counter| {
                let counter = Arc::clone(counter);
                channel.listen(move |event: &u64| {
                    counter.fetch_add(*event, Ordering::Relaxed);
                })
            })
            .collect();
        group.bench_with_input(BenchmarkId::new("ours", n), &n, |b, _| {
            b.iter(|| channel.dispatch(black_box(1)).unwrap());
        });

        let (sender, _) = broadcast::channel::<u64>(CAPACITY);
        let mut receivers: Vec<_> = (0..n).map(|_| sender.subscribe()).collect();
        let sinks: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
        group.bench_with_input(BenchmarkId::new("tokio_broadcast", n), &n, |b, _| {
            b.iter(|| {
                sender.send(black_box(1)).unwrap();
                for (receiver, sink) in receivers.iter_mut().zip(&sinks) {
                    let event = receiver.try_recv().unwrap();
                    sink.fetch_add(event, Ordering::Relaxed);
                }
            });
        });
    }
    group.finish();
}

fn dispatch_async(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("hub/dispatch_async");
    group.sample_size(20);
    for &n in &LISTENERS {
        group.throughput(Throughput::Elements((BATCH * n) as u64));

        let hub = Hub::with_stream_capacity(CAPACITY);
        let channel = hub.channel::<u64>("bench").unwrap();
        group.bench_with_input(BenchmarkId::new("ours", n), &n, |b, &n| {
            b.iter(|| {
                runtime.block_on(async {
                    let tasks: Vec<_> = (0..n)
                        .map(|_| {
                            let mut stream = channel.subscribe();
                            tokio::spawn(async move {
                                let mut sum = 0;
                                for _ in 0..BATCH {
                                    sum += stream.next().await.unwrap().unwrap();
                                }
                                sum
                            })
                        })
                        .collect();
                    for i in 0..BATCH as u64 {
                        channel.dispatch(black_box(i)).unwrap();
                    }
                    for task in tasks {
                        black_box(task.await.unwrap());
                    }
                });
            });
        });

        let (sender, _) = broadcast::channel::<u64>(CAPACITY);
        group.bench_with_input(BenchmarkId::new("tokio_broadcast", n), &n, |b, &n| {
            b.iter(|| {
                runtime.block_on(async {
                    let tasks: Vec<_> = (0..n)
                        .map(|_| {
                            let mut receiver = sender.subscribe();
                            tokio::spawn(async move {
                                let mut sum = 0;
                                for _ in 0..BATCH {
                                    sum += receiver.recv().await.unwrap();
                                }
                                sum
                            })
                        })
                        .collect();
                    for i in 0..BATCH as u64 {
                        sender.send(black_box(i)).unwrap();
                    }
                    for task in tasks {
                        black_box(task.await.unwrap());
                    }
                });
            });
        });
    }
    group.finish();
}

criterion_group!(benches, dispatch_sync, dispatch_async);
criterion_main!(benches);
