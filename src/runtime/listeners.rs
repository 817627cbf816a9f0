//! The app's `Beckon('on', name, callback)` subscriptions.
//!
//! Kept apart from the runtime so an app can subscribe before `boot` (to
//! catch `ready`) and keep its subscriptions across a re-boot for another
//! user. Callbacks run in a microtask after the SDK has finished its own
//! work, so a callback that calls `Beckon(...)` again never finds the
//! runtime busy, and an exception in a callback is caught and reported as a
//! warning instead of breaking the SDK.

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;

use crate::error::{js_text, warn};

/// The events an app can subscribe to.
pub const EVENTS: &[&str] = &[
    "ready",
    "message:shown",
    "message:dismissed",
    "message:clicked",
    "message:completed",
    "message:goal",
    "unread_count",
    "messenger:opened",
    "messenger:closed",
    "conversation:opened",
    "conversation:started",
];

struct Subscription {
    id: u32,
    event: String,
    callback: js_sys::Function,
}

thread_local! {
    static SUBSCRIPTIONS: RefCell<Vec<Subscription>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// Subscribes `callback` to `event`; the answer is the unsubscribe
/// function, or a warning and `undefined` for an unknown event.
pub fn subscribe(event: &str, callback: JsValue) -> JsValue {
    if !EVENTS.contains(&event) {
        warn(
            &[
                "on: unknown event `",
                event,
                "`, expected one of: ",
                &EVENTS.join(", "),
            ]
            .concat(),
        );
        return JsValue::UNDEFINED;
    }
    let Ok(callback) = callback.dyn_into::<js_sys::Function>() else {
        warn(&["on(", event, "): the second argument must be a function"].concat());
        return JsValue::UNDEFINED;
    };
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    });
    SUBSCRIPTIONS.with(|s| {
        s.borrow_mut().push(Subscription {
            id,
            event: event.to_owned(),
            callback,
        })
    });
    Closure::once_into_js(move || unsubscribe(id))
}

fn unsubscribe(id: u32) {
    SUBSCRIPTIONS.with(|s| s.borrow_mut().retain(|sub| sub.id != id));
}

/// Whether anyone listens to `event` (so the SDK can skip building the
/// payload).
pub fn has_listeners(event: &str) -> bool {
    SUBSCRIPTIONS.with(|s| s.borrow().iter().any(|sub| sub.event == event))
}

/// Calls every subscriber of `event` with `payload`, in a microtask.
pub fn emit(event: &'static str, payload: JsValue) {
    if !has_listeners(event) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let callbacks: Vec<js_sys::Function> = SUBSCRIPTIONS.with(|s| {
            s.borrow()
                .iter()
                .filter(|sub| sub.event == event)
                .map(|sub| sub.callback.clone())
                .collect()
        });
        for cb in callbacks {
            if let Err(e) = cb.call1(&JsValue::UNDEFINED, &payload) {
                warn(&["an `", event, "` callback threw: ", &js_text(&e)].concat());
            }
        }
    });
}

/// A `{message_id}` payload for message events.
pub fn message_payload(message_id: &str) -> JsValue {
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"message_id".into(), &JsValue::from_str(message_id));
    obj.into()
}
