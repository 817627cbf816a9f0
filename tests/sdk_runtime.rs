//! The runtime's parts in headless Chromium: the durable outbox (what is
//! stored, what an answer removes, when to retry), the tab channel's claim
//! rule, and `on()` subscriptions.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use beckon::error::SdkError;
use beckon::runtime::listeners;
use beckon::runtime::outbox::{backoff_ms, Next, Outbox, ACKS_REMEMBERED, BATCH, MAX_STORED_BYTES};
use beckon::runtime::tabs::{Claim, TabMessage, Tabs};
use beckon::storage::Storage;
use beckon_core::protocol::{Event, EventsAccepted};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn event(id: &str, ts: f64) -> Event {
    Event {
        id: id.into(),
        name: "x".into(),
        ts,
        message_id: None,
        data: Default::default(),
    }
}

fn accepted() -> Result<EventsAccepted, SdkError> {
    Ok(EventsAccepted {
        accepted: 1,
        duplicates: 0,
    })
}

#[wasm_bindgen_test]
fn outbox_keeps_events_until_acknowledged_and_across_reopening() {
    let storage = || Storage::for_user("outbox-test", "u1");
    storage().clear();
    let mut outbox = Outbox::open(storage());
    outbox.push(event("a", 1.0));
    outbox.push(event("b", 2.0));
    // Queued in memory until the end of the task: one write for both.
    assert_eq!(Outbox::open(storage()).len(), 0);
    outbox.write();
    // A page reload: a new outbox on the same storage finds both.
    let mut reopened = Outbox::open(storage());
    assert_eq!(reopened.len(), 2);
    let batch = reopened.take_batch().expect("a batch");
    assert!(
        reopened.take_batch().is_none(),
        "one batch in flight at a time"
    );
    let next = reopened.answered(&batch, &Err(SdkError::Network("offline".into())));
    assert!(matches!(next, Next::RetryIn(ms) if (500..=1000).contains(&ms)));
    assert_eq!(reopened.len(), 2, "nothing lost on failure");
    let batch = reopened.take_batch().expect("retry");
    assert_eq!(reopened.answered(&batch, &accepted()), Next::Idle);
    assert!(reopened.is_empty());
    // The first outbox still holds them in memory; its next write must not
    // bring acknowledged events back into storage for good: they are sent
    // again at most (the server drops the duplicates) and then gone.
    outbox.push(event("c", 3.0));
    outbox.write();
    assert_eq!(Outbox::open(storage()).len(), 3);
    // Dropped before its write (the runtime torn down mid-task): still stored.
    let mut last = Outbox::open(storage());
    last.push(event("d", 4.0));
    drop(last);
    assert_eq!(Outbox::open(storage()).len(), 4);
    storage().clear();
}

#[wasm_bindgen_test]
fn a_long_offline_period_of_rich_events_keeps_the_stored_queue_within_its_budget() {
    // 300 events of 2 KB metadata (600 KB): the origin's storage quota,
    // which the app shares, is not the SDK's to fill.
    let storage = || Storage::for_user("outbox-test", "u-budget");
    storage().clear();
    let mut outbox = Outbox::open(storage());
    for i in 0..300 {
        let mut e = event(&format!("e{i:03}"), f64::from(i));
        e.data
            .insert("note".into(), serde_json::Value::String("x".repeat(2048)));
        outbox.push(e);
    }
    outbox.write();
    let stored = storage().get("outbox").expect("stored");
    assert!(stored.len() <= MAX_STORED_BYTES, "{} bytes", stored.len());
    assert!(
        stored.len() > MAX_STORED_BYTES / 2,
        "{} bytes",
        stored.len()
    );
    // The newest are the ones kept, in memory as in storage.
    let reopened = Outbox::open(storage());
    assert_eq!(reopened.len(), outbox.len());
    let kept = reopened.all();
    assert_eq!(kept.last().map(|e| e.id.as_str()), Some("e299"));
    let first: usize = kept[0].id[1..].parse().expect("an index");
    assert_eq!(first, 300 - kept.len(), "a run of the newest");
    storage().clear();
}

#[wasm_bindgen_test]
fn a_refused_batch_is_sent_again_one_by_one_and_only_the_refused_event_is_dropped() {
    let storage = || Storage::for_user("outbox-test", "u2");
    storage().clear();
    let mut outbox = Outbox::open(storage());
    for i in 0..(BATCH + 3) {
        outbox.push(event(&i.to_string(), i as f64));
    }
    let first = outbox.take_batch().expect("batch");
    assert_eq!(first.len(), BATCH);
    assert_eq!(first[0].id, "0", "oldest first");
    // The server refuses the batch for good (one bad event in it): nothing
    // is dropped yet, and the batch goes again one event at a time.
    let refused = || Err(SdkError::Refused(422, "bad event".into()));
    assert_eq!(outbox.answered(&first, &refused()), Next::Send);
    assert_eq!(outbox.len(), BATCH + 3);
    let one = outbox.take_batch().expect("one");
    assert_eq!(one.len(), 1);
    assert_eq!(outbox.answered(&one, &accepted()), Next::Send);
    // The bad one, refused alone, is the only one dropped.
    let bad = outbox.take_batch().expect("the bad one");
    assert_eq!((bad.len(), bad[0].id.as_str()), (1, "1"));
    assert_eq!(outbox.answered(&bad, &refused()), Next::Send);
    assert_eq!(outbox.len(), BATCH + 1);
    for _ in 2..BATCH {
        let one = outbox.take_batch().expect("one");
        assert_eq!(one.len(), 1);
        outbox.answered(&one, &accepted());
    }
    // Past the refused batch, full batches again.
    let rest = outbox.take_batch().expect("rest");
    assert_eq!(rest.len(), 3);
    let limited = Err(SdkError::Refused(429, "slow down".into()));
    assert!(matches!(outbox.answered(&rest, &limited), Next::RetryIn(_)));
    assert_eq!(outbox.len(), 3, "a rate limit is retried, not dropped");
    // A server that says how long to wait is not asked again sooner, though
    // the first backoff would be at most a second.
    let rest = outbox.take_batch().expect("rest");
    let busy = Err(SdkError::Busy(429, 7_000, "retry after 7 s".into()));
    assert_eq!(outbox.answered(&rest, &busy), Next::RetryIn(7_000));
    assert_eq!(outbox.len(), 3);
    storage().clear();
}

#[wasm_bindgen_test]
fn a_long_lived_outbox_remembers_a_bounded_number_of_acknowledgements() {
    let storage = || Storage::for_user("outbox-test", "u3");
    storage().clear();
    let mut outbox = Outbox::open(storage());
    let mut most = 0;
    for round in 0..(ACKS_REMEMBERED / BATCH + 5) {
        for i in 0..BATCH {
            outbox.push(event(&format!("{round}-{i}"), (round * BATCH + i) as f64));
        }
        let batch = outbox.take_batch().expect("batch");
        assert_eq!(outbox.answered(&batch, &accepted()), Next::Idle);
        most = most.max(outbox.remembered_acks());
    }
    assert!(outbox.is_empty());
    assert_eq!(most, ACKS_REMEMBERED);
    assert!(outbox.remembered_acks() <= ACKS_REMEMBERED);
    storage().clear();
}

#[wasm_bindgen_test]
fn backoff_doubles_with_jitter_and_caps_at_a_minute() {
    assert_eq!(backoff_ms(1, 1.0), 1000);
    assert_eq!(backoff_ms(1, 0.0), 500);
    assert_eq!(backoff_ms(3, 1.0), 4000);
    assert_eq!(backoff_ms(30, 1.0), 60_000);
    assert!(backoff_ms(30, 0.0) >= 30_000);
}

#[wasm_bindgen_test]
fn the_earlier_claim_on_a_message_wins_in_every_tab() {
    let mut tabs = Tabs::open("claims-test", "u", "tab-b".into(), |_| {}).expect("channel");
    tabs.note(&TabMessage::Showing {
        tab: "tab-a".into(),
        claims: vec![Claim {
            id: "m".into(),
            since: 100.0,
        }],
    });
    assert!(
        tabs.held_elsewhere("m", None),
        "not open here: leave it to tab a"
    );
    assert!(
        tabs.held_elsewhere("m", Some(200.0)),
        "opened later here: close it"
    );
    assert!(
        !tabs.held_elsewhere("m", Some(50.0)),
        "opened earlier here: keep it"
    );
    assert!(
        tabs.held_elsewhere("m", Some(100.0)),
        "a tie goes to the smaller tab id"
    );
    assert!(!tabs.held_elsewhere("other", None));
    tabs.note(&TabMessage::Bye {
        tab: "tab-a".into(),
    });
    assert!(
        !tabs.held_elsewhere("m", None),
        "a closed tab holds nothing"
    );
}

#[wasm_bindgen_test]
async fn subscriptions_receive_events_until_unsubscribed() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let callback = Closure::<dyn Fn(JsValue)>::new(move |payload: JsValue| {
        let id = js_sys::Reflect::get(&payload, &"message_id".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        s.borrow_mut().push(id);
    });
    let off = listeners::subscribe("message:shown", callback.as_ref().clone());
    listeners::emit("message:shown", listeners::message_payload("one"));
    gloo_timers::future::TimeoutFuture::new(0).await;
    assert_eq!(*seen.borrow(), vec!["one".to_owned()]);
    let off: js_sys::Function = off.dyn_into().expect("unsubscribe is a function");
    off.call0(&JsValue::UNDEFINED).expect("unsubscribe");
    listeners::emit("message:shown", listeners::message_payload("two"));
    gloo_timers::future::TimeoutFuture::new(0).await;
    assert_eq!(seen.borrow().len(), 1, "nothing after unsubscribing");
    assert!(listeners::subscribe("no-such-event", JsValue::NULL).is_undefined());
}
