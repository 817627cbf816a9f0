//! Test-only entry points (cargo feature `test-hooks`, which the release
//! build never enables): a page of the end-to-end tests starts and drives
//! a [`Messenger`] directly, with a session it got from `/v1/boot`
//! itself, independently of the runtime's wiring.

use std::cell::RefCell;
use std::rc::Rc;

use beckon_core::conversation::MessengerConfig;
use wasm_bindgen::prelude::*;

use super::{Connection, Messenger, MessengerEvent, MessengerOptions};

thread_local! {
    static MESSENGER: RefCell<Option<Messenger>> = const { RefCell::new(None) };
}

/// Appends `[name, value]` to `globalThis.__beckonMessengerEvents`.
fn record(event: MessengerEvent) {
    let (name, value): (&str, JsValue) = match event {
        MessengerEvent::Opened => ("opened", JsValue::NULL),
        MessengerEvent::Closed => ("closed", JsValue::NULL),
        MessengerEvent::UnreadCount(n) => ("unread_count", n.into()),
        MessengerEvent::ConversationOpened(id) => ("conversation:opened", id.into()),
        MessengerEvent::ConversationStarted(id) => ("conversation:started", id.into()),
        MessengerEvent::SessionExpired => ("session_expired", JsValue::NULL),
    };
    let global = js_sys::global();
    let key = JsValue::from_str("__beckonMessengerEvents");
    let list = js_sys::Reflect::get(&global, &key)
        .ok()
        .and_then(|l| l.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_else(|| {
            let l = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&global, &key, &l);
            l
        });
    list.push(&js_sys::Array::of2(&name.into(), &value));
}

/// Starts a messenger (replacing one started before); `options` as
/// [`MessengerOptions`] in JSON shape. Returns an error text or `null`.
#[wasm_bindgen]
pub fn messenger_debug_start(
    api_base: String,
    app_id: String,
    session: String,
    config: JsValue,
    options: JsValue,
) -> Option<String> {
    let config: MessengerConfig = match crate::client::from_js(&config) {
        Ok(c) => c,
        Err(e) => return Some(e),
    };
    let options: MessengerOptions = if options.is_undefined() || options.is_null() {
        MessengerOptions::default()
    } else {
        match crate::client::from_js(&options) {
            Ok(o) => o,
            Err(e) => return Some(e),
        }
    };
    let conn = Connection {
        api_base,
        app_id,
        session,
    };
    MESSENGER.with(|m| m.borrow_mut().take());
    match Messenger::new(config, conn, options, Rc::new(record)) {
        Ok(messenger) => {
            MESSENGER.with(|m| *m.borrow_mut() = Some(messenger));
            None
        }
        Err(e) => Some(e.describe()),
    }
}

/// Calls the running messenger: `open`, `close`, `new` (arg: prefill),
/// `article` (arg: id), `session` (arg: token), `drop`; or reads
/// `unread`, `is_open`, `mode`.
#[wasm_bindgen]
pub fn messenger_debug(command: &str, arg: Option<String>) -> JsValue {
    if command == "drop" {
        MESSENGER.with(|m| m.borrow_mut().take());
        return JsValue::TRUE;
    }
    MESSENGER.with(|m| {
        let m = m.borrow();
        let Some(m) = m.as_ref() else {
            return JsValue::NULL;
        };
        match command {
            "open" => m.open(),
            "close" => m.close(),
            "new" => m.new_message(arg.as_deref()),
            "article" => m.show_article(arg.as_deref().unwrap_or_default()),
            "session" => m.set_session(arg.unwrap_or_default()),
            "unread" => return m.unread().into(),
            "is_open" => return m.is_open().into(),
            "mode" => {
                return match m.stream_mode() {
                    Some(mode) => format!("{mode:?}").to_lowercase().into(),
                    None => JsValue::NULL,
                }
            }
            _ => return JsValue::UNDEFINED,
        }
        JsValue::TRUE
    })
}
