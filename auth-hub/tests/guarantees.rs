//! The Hub's delivery guarantees, each with its test.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use auth_hub::{Channel, DispatchError, Hub, Lagged, Payload, Subscription};
use tokio_stream::StreamExt;

type Log<T> = Arc<Mutex<Vec<T>>>;

/// Registers a listener that records every event it receives.
fn record<T: Payload>(channel: &Channel<T>) -> (Log<T>, Subscription) {
    let seen: Log<T> = Arc::default();
    let log = Arc::clone(&seen);
    let subscription = channel.listen(move |event: &T| log.lock().unwrap().push(event.clone()));
    (seen, subscription)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn drain<T: Payload>(stream: &mut auth_hub::EventStream<T>) -> Vec<Result<T, Lagged>> {
    let mut out = Vec::new();
    while let Some(item) = stream.next().await {
        out.push(item);
    }
    out
}

#[test]
fn listeners_see_events_in_dispatch_order() {
    let hub = Hub::new();
    let channel = hub.channel::<u32>("numbers").unwrap();
    let (seen, _subscription) = record(&channel);
    for i in 0..100_u32 {
        hub.dispatch("numbers", i).unwrap();
    }
    assert_eq!(*seen.lock().unwrap(), (0..100).collect::<Vec<_>>());
}

#[test]
fn every_listener_and_stream_sees_one_order_under_concurrent_dispatchers() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 2_000;
    let hub = Hub::with_stream_capacity(THREADS * PER_THREAD);
    let channel = hub.channel::<(usize, usize)>("orders").unwrap();
    let recorders: Vec<_> = (0..8).map(|_| record(&channel)).collect();
    let mut stream = channel.subscribe();

    thread::scope(|scope| {
        for thread in 0..THREADS {
            let channel = channel.clone();
            scope.spawn(move || {
                for i in 0..PER_THREAD {
                    channel.dispatch((thread, i)).unwrap();
                    if i % 64 == 0 {
                        thread::yield_now();
                    }
                }
            });
        }
    });

    let first = recorders[0].0.lock().unwrap().clone();
    assert_eq!(first.len(), THREADS * PER_THREAD);
    for (seen, _) in &recorders[1..] {
        assert_eq!(
            *seen.lock().unwrap(),
            first,
            "two listeners disagree on the order"
        );
    }
    for thread in 0..THREADS {
        let mine: Vec<usize> = first
            .iter()
            .filter(|(t, _)| *t == thread)
            .map(|(_, i)| *i)
            .collect();
        assert_eq!(mine, (0..PER_THREAD).collect::<Vec<_>>());
    }
    drop(hub);
    let streamed: Vec<_> = runtime()
        .block_on(drain(&mut stream))
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(streamed, first, "the stream disagrees with the listeners");
}

#[test]
fn a_panicking_listener_is_isolated_and_stays_subscribed() {
    let hub = Hub::new();
    let channel = hub.channel::<u32>("numbers").unwrap();
    let (before, _a) = record(&channel);
    let panics = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&panics);
    let _bad = channel.listen(move |n: &u32| {
        counter.fetch_add(1, Ordering::SeqCst);
        assert!(*n != 1, "listener panics on 1");
    });
    let (after, _b) = record(&channel);

    for i in 0..3 {
        channel.dispatch(i).unwrap();
    }
    assert_eq!(*before.lock().unwrap(), [0, 1, 2]);
    assert_eq!(*after.lock().unwrap(), [0, 1, 2]);
    // The panicking listener was called for the events after its panic too.
    assert_eq!(panics.load(Ordering::SeqCst), 3);
    assert_eq!(channel.listener_count(), 3);
}

#[test]
fn a_listener_can_unsubscribe_itself_while_handling_an_event() {
    let hub = Hub::new();
    let channel = hub.channel::<u32>("numbers").unwrap();
    let slot: Arc<Mutex<Option<Subscription>>> = Arc::default();
    let calls = Arc::new(AtomicUsize::new(0));
    let (own_slot, own_calls) = (Arc::clone(&slot), Arc::clone(&calls));
    let subscription = channel.listen(move |_: &u32| {
        own_calls.fetch_add(1, Ordering::SeqCst);
        // Drops its own subscription: must not deadlock.
        drop(own_slot.lock().unwrap().take());
    });
    *slot.lock().unwrap() = Some(subscription);
    let (others, _keep) = record(&channel);

    channel.dispatch(1).unwrap();
    channel.dispatch(2).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(*others.lock().unwrap(), [1, 2]);
    assert_eq!(channel.listener_count(), 1);
}

#[test]
fn a_listener_unsubscribed_by_an_earlier_listener_misses_the_current_event() {
    let hub = Hub::new();
    let channel = hub.channel::<u32>("numbers").unwrap();
    let victim_slot: Arc<Mutex<Option<Subscription>>> = Arc::default();
    let slot = Arc::clone(&victim_slot);
    let _killer = channel.listen(move |_: &u32| drop(slot.lock().unwrap().take()));
    let (victim, subscription) = record(&channel);
    *victim_slot.lock().unwrap() = Some(subscription);
    channel.dispatch(1).unwrap();
    assert!(victim.lock().unwrap().is_empty());
}

#[test]
fn a_listener_can_dispatch_on_its_own_channel_and_the_event_is_queued_in_order() {
    let hub = Hub::new();
    let channel = hub.channel::<u32>("numbers").unwrap();
    let (first, _a) = record(&channel);
    let again = channel.clone();
    let _echo = channel.listen(move |n: &u32| {
        if *n < 3 {
            again.dispatch(n + 10).unwrap();
        }
    });
    let (last, _b) = record(&channel);

    channel.dispatch(1).unwrap();
    channel.dispatch(2).unwrap();
    // 11 is delivered only after every listener has seen 1, and before 2.
    assert_eq!(*first.lock().unwrap(), [1, 11, 2, 12]);
    assert_eq!(*last.lock().unwrap(), [1, 11, 2, 12]);
}

#[test]
fn a_listener_can_dispatch_on_another_channel_and_back() {
    let hub = Hub::new();
    let ping = hub.channel::<u32>("ping").unwrap();
    let pong = hub.channel::<u32>("pong").unwrap();
    let (pings, _p) = record(&ping);
    let (pongs, _q) = record(&pong);
    let to_pong = pong.clone();
    let _a = ping.listen(move |n: &u32| to_pong.dispatch(n + 1).unwrap());
    let to_ping = ping.clone();
    let _b = pong.listen(move |n: &u32| {
        if *n < 6 {
            to_ping.dispatch(n + 1).unwrap();
        }
    });
    ping.dispatch(0).unwrap();
    assert_eq!(*pings.lock().unwrap(), [0, 2, 4, 6]);
    assert_eq!(*pongs.lock().unwrap(), [1, 3, 5, 7]);
}

#[test]
fn a_listener_can_add_listeners_while_handling_an_event() {
    let hub = Hub::new();
    let channel = hub.channel::<u32>("numbers").unwrap();
    let added: Arc<Mutex<Vec<Subscription>>> = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));
    let (handle, store, counter) = (channel.clone(), Arc::clone(&added), Arc::clone(&count));
    let _adder = channel.listen(move |_: &u32| {
        let counter = Arc::clone(&counter);
        let subscription = handle.listen(move |_: &u32| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        store.lock().unwrap().push(subscription);
    });
    channel.dispatch(1).unwrap(); // adds one listener, which does not see event 1
    channel.dispatch(2).unwrap(); // seen by one, adds another
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(channel.listener_count(), 3);
}

#[test]
fn a_slow_subscriber_sees_lagged_with_the_exact_count() {
    let hub = Hub::with_stream_capacity(4);
    let mut stream = hub.subscribe::<u32>("numbers").unwrap();
    for i in 0..10_u32 {
        hub.dispatch("numbers", i).unwrap();
    }
    drop(hub);
    let items = runtime().block_on(drain(&mut stream));
    assert_eq!(
        items,
        [Err(Lagged(6)), Ok(6), Ok(7), Ok(8), Ok(9)],
        "lag must be reported, then the oldest retained events follow"
    );
}

#[test]
fn a_lagging_subscriber_does_not_slow_down_the_others() {
    let hub = Hub::with_stream_capacity(2);
    let channel = hub.channel::<u32>("numbers").unwrap();
    let (seen, _s) = record(&channel);
    let mut slow = channel.subscribe();
    let rt = runtime();
    let mut fast = channel.subscribe();
    for i in 0..5 {
        channel.dispatch(i).unwrap();
        assert_eq!(rt.block_on(fast.next()), Some(Ok(i)));
    }
    assert_eq!(*seen.lock().unwrap(), [0, 1, 2, 3, 4]);
    assert_eq!(rt.block_on(slow.next()), Some(Err(Lagged(3))));
}

#[test]
fn dropping_the_last_hub_clone_ends_every_stream() {
    let hub = Hub::new();
    let clone = hub.clone();
    let mut numbers = hub.subscribe::<u32>("numbers").unwrap();
    let mut words = hub.subscribe::<String>("words").unwrap();
    let mut auth = hub.auth().subscribe();
    let channel = hub.channel::<u32>("numbers").unwrap();
    hub.dispatch("numbers", 1_u32).unwrap();
    drop(hub);
    // One clone left: still open.
    clone.dispatch("numbers", 2_u32).unwrap();
    drop(clone);

    let rt = runtime();
    assert_eq!(rt.block_on(drain(&mut numbers)), [Ok(1), Ok(2)]);
    assert!(rt.block_on(drain(&mut words)).is_empty());
    assert!(rt.block_on(drain(&mut auth)).is_empty());
    // A leftover channel handle neither keeps the hub alive nor reopens it.
    assert!(matches!(
        channel.dispatch(3),
        Err(DispatchError::HubClosed { .. })
    ));
    assert!(rt.block_on(channel.subscribe().next()).is_none());
}

#[test]
fn a_pending_stream_wakes_up_and_ends_when_the_hub_is_dropped() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let hub = Hub::new();
    let mut stream = hub.subscribe::<u32>("numbers").unwrap();
    let task = rt.spawn(async move { drain(&mut stream).await });
    thread::sleep(std::time::Duration::from_millis(20));
    drop(hub);
    let items = rt
        .block_on(async { tokio::time::timeout(std::time::Duration::from_secs(5), task).await })
        .expect("the stream must end")
        .unwrap();
    assert!(items.is_empty());
}

#[test]
fn dropping_the_hub_drops_listeners_and_breaks_capture_cycles() {
    let hub = Hub::new();
    let channel = hub.channel::<u32>("numbers").unwrap();
    let marker = Arc::new(());
    let held = Arc::clone(&marker);
    let captured = channel.clone();
    channel
        .listen(move |_: &u32| {
            let _ = (&held, &captured);
        })
        .detach();
    assert_eq!(Arc::strong_count(&marker), 2);
    drop(hub);
    assert_eq!(
        Arc::strong_count(&marker),
        1,
        "the listener was not dropped"
    );
    assert_eq!(channel.listener_count(), 0);
}

#[test]
fn a_subscription_outliving_the_hub_is_harmless() {
    let hub = Hub::new();
    let subscription = hub.listen("numbers", |_: &u32| {}).unwrap();
    drop(hub);
    subscription.unsubscribe();
}
