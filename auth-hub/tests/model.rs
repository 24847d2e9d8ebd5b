//! Property tests against a reference model, and a stress test for deadlocks.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use auth_hub::{Hub, Subscription};
use proptest::prelude::*;
use tokio_stream::StreamExt;

#[derive(Debug, Clone)]
enum Op {
    Listen,
    /// Unsubscribe the n-th live listener (modulo their number).
    Unsubscribe(usize),
    Dispatch(u16),
    /// Dispatch from inside a listener: `v` triggers an extra event `v + 10_000`.
    DispatchEchoed(u16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Listen),
        1 => any::<usize>().prop_map(Op::Unsubscribe),
        4 => (0..10_000_u16).prop_map(Op::Dispatch),
        1 => (0..10_000_u16).prop_map(Op::DispatchEchoed),
    ]
}

type Log = Arc<Mutex<Vec<u32>>>;

proptest! {
    /// Each listener sees exactly the events dispatched while it was registered, in order,
    /// echoes right after the event that caused them; the stream sees all of them.
    #[test]
    fn listeners_see_exactly_the_events_of_their_lifetime(ops in prop::collection::vec(op(), 1..60)) {
        let hub = Hub::with_stream_capacity(1024);
        let channel = hub.channel::<u32>("model").unwrap();
        let echo = {
            let channel = channel.clone();
            channel.clone().listen(move |v: &u32| {
                if (20_000..30_000).contains(v) {
                    channel.dispatch(v - 20_000 + 10_000).unwrap();
                }
            })
        };
        let mut stream = channel.subscribe();

        // Model: the live listeners' expected logs, the retired ones', and the global order.
        let mut live: Vec<(Log, Subscription, Vec<u32>)> = Vec::new();
        let mut retired: Vec<(Log, Vec<u32>)> = Vec::new();
        let mut all = Vec::new();
        for op in ops {
            match op {
                Op::Listen => {
                    let log: Log = Arc::default();
                    let sink = Arc::clone(&log);
                    let s = channel.listen(move |v: &u32| sink.lock().unwrap().push(*v));
                    live.push((log, s, Vec::new()));
                }
                Op::Unsubscribe(n) if !live.is_empty() => {
                    let (log, s, expected) = live.remove(n % live.len());
                    s.unsubscribe();
                    retired.push((log, expected));
                }
                Op::Unsubscribe(_) => {}
                Op::Dispatch(v) => {
                    channel.dispatch(u32::from(v)).unwrap();
                    for (_, _, expected) in &mut live { expected.push(u32::from(v)); }
                    all.push(u32::from(v));
                }
                Op::DispatchEchoed(v) => {
                    let v = u32::from(v);
                    channel.dispatch(v + 20_000).unwrap();
                    for (_, _, expected) in &mut live { expected.extend([v + 20_000, v + 10_000]); }
                    all.extend([v + 20_000, v + 10_000]);
                }
            }
        }
        for (log, _, expected) in &live {
            prop_assert_eq!(&*log.lock().unwrap(), expected);
        }
        for (log, expected) in &retired {
            prop_assert_eq!(&*log.lock().unwrap(), expected);
        }
        drop(echo);
        drop(hub);
        let streamed: Vec<u32> = tokio::runtime::Builder::new_current_thread().build().unwrap()
            .block_on(async { let mut out = Vec::new(); while let Some(v) = stream.next().await { out.push(v.unwrap()); } out });
        prop_assert_eq!(streamed, all);
    }
}

#[test]
fn concurrent_dispatch_listen_and_unsubscribe_never_deadlock() {
    let hub = Hub::new();
    let a = hub.channel::<u64>("a").unwrap();
    let b = hub.channel::<u64>("b").unwrap();
    let delivered = Arc::new(AtomicUsize::new(0));
    // Cross-channel re-entrant listeners: a → b and b → a (bounded by the payload).
    let _ab = {
        let (b, delivered) = (b.clone(), Arc::clone(&delivered));
        a.listen(move |v: &u64| {
            delivered.fetch_add(1, Ordering::Relaxed);
            if *v > 0 {
                b.dispatch(v - 1).unwrap();
            }
        })
    };
    let _ba = {
        let (a, delivered) = (a.clone(), Arc::clone(&delivered));
        b.listen(move |v: &u64| {
            delivered.fetch_add(1, Ordering::Relaxed);
            if *v > 0 {
                a.dispatch(v - 1).unwrap();
            }
        })
    };
    thread::scope(|scope| {
        for t in 0..3_u64 {
            let (a, b) = (a.clone(), b.clone());
            scope.spawn(move || {
                for i in 0..500 {
                    if (i + t) % 2 == 0 {
                        a.dispatch(3).unwrap();
                    } else {
                        b.dispatch(3).unwrap();
                    }
                }
            });
        }
        // Churn: listeners come and go, some removing themselves from inside a callback.
        scope.spawn(|| {
            let mut held: BTreeMap<usize, Subscription> = BTreeMap::new();
            let mut i = 0;
            while i < 2_000 {
                let slot: Arc<Mutex<Option<Subscription>>> = Arc::default();
                let own = Arc::clone(&slot);
                let s = a.listen(move |_: &u64| drop(own.lock().unwrap().take()));
                *slot.lock().unwrap() = Some(s);
                held.insert(i, b.listen(|_: &u64| {}));
                if i % 3 == 0 {
                    held.remove(&(i / 2));
                }
                i += 1;
            }
        });
    });
    // 1500 dispatches of 3 each start a chain of 4 deliveries.
    assert_eq!(delivered.load(Ordering::Relaxed), 1_500 * 4);
}
