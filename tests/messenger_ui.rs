//! The messenger's screens in headless Chromium, without a server (the
//! behaviour that needs one is in `tests/e2e/messenger.test.mjs`): the
//! launcher and the dialog's keyboard rules, the app's own launcher, a
//! message kept through close, reopen and failed sends, right-to-left
//! Arabic, the conversation view's bubbles, and the update stream's
//! fallback to polling.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use beckon::dom::{document, ShadowHost};
use beckon::messenger::api::Api;
use beckon::messenger::model::{Ask, Pending, SendState};
use beckon::messenger::stream::{Mode, Stream};
use beckon::messenger::view::conversation::{value, ConvView, Ctx};
use beckon::messenger::{Connection, Messenger, MessengerEvent, MessengerOptions};
use beckon_core::conversation::{
    AuthorKind, Conversation, ConversationMessage, ConversationStatus, Delivery, MessengerConfig,
    Source,
};
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, KeyboardEvent, KeyboardEventInit, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

/// Chromium refuses port 9 at once: every call fails like a network error.
const DEAD: &str = "http://127.0.0.1:9";

type Seen = Rc<RefCell<Vec<MessengerEvent>>>;

fn config() -> MessengerConfig {
    MessengerConfig {
        team_name: "Acme support".into(),
        greeting: "Hi! How can we help?".into(),
        bot_name: "Acme Bot".into(),
        expected_reply: "in a few minutes".into(),
    }
}

fn start(opts: MessengerOptions) -> (Messenger, Seen) {
    let seen: Seen = Rc::default();
    let s = seen.clone();
    let conn = Connection {
        api_base: DEAD.into(),
        app_id: "demo".into(),
        session: "token".into(),
    };
    let m = Messenger::new(
        config(),
        conn,
        opts,
        Rc::new(move |e| s.borrow_mut().push(e)),
    )
    .expect("messenger");
    (m, seen)
}

fn root() -> ShadowRoot {
    document()
        .expect("document")
        .query_selector("[data-beckon=messenger]")
        .expect("query")
        .expect("host")
        .shadow_root()
        .expect("shadow root")
}

fn find(sel: &str) -> Option<Element> {
    root().query_selector(sel).expect("query")
}

fn count(sel: &str) -> u32 {
    root().query_selector_all(sel).expect("query").length()
}

fn click(el: &Element) {
    el.unchecked_ref::<HtmlElement>().click();
}

fn hosts() -> u32 {
    document()
        .expect("document")
        .query_selector_all("[data-beckon]")
        .expect("query")
        .length()
}

/// The focused element, looking into shadow roots.
fn focused() -> Option<Element> {
    beckon::ui::a11y::active_element()
}

fn key(target: &Element, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_cancelable(true);
    let e = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    target.dispatch_event(&e).expect("dispatch");
}

async fn until(what: &str, f: impl Fn() -> bool) {
    for _ in 0..120 {
        if f() {
            return;
        }
        TimeoutFuture::new(50).await;
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn launcher_opens_a_dialog_that_keeps_focus_and_escape_returns_it() {
    let (m, seen) = start(MessengerOptions::default());
    let launcher = find("button.launcher").expect("launcher");
    assert_eq!(
        launcher.get_attribute("aria-label").as_deref(),
        Some("Messages")
    );
    assert_eq!(
        launcher.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    launcher
        .unchecked_ref::<HtmlElement>()
        .focus()
        .expect("focus");
    click(&launcher);
    assert!(m.is_open());
    let dialog = find("[role=dialog]").expect("dialog");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let title = find("#mt").expect("title");
    assert_eq!(title.text_content().as_deref(), Some("Acme support"));
    assert_eq!(
        launcher.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    let inside = focused().expect("focus");
    assert!(
        dialog.contains(Some(&inside)),
        "focus moved into the dialog"
    );
    assert_eq!(inside.text_content().as_deref(), Some("Ask a question"));
    // The back button is hidden and disabled on the home view, so the
    // focus trap's first stop is the close button.
    let back = find(".back").expect("back");
    assert!(back.has_attribute("hidden") && back.has_attribute("disabled"));
    // Tab from the last control wraps to the first.
    let controls = dialog
        .query_selector_all("button:not([disabled]),input")
        .expect("query");
    let last: Element = controls
        .item(controls.length() - 1)
        .expect("last")
        .unchecked_into();
    last.unchecked_ref::<HtmlElement>().focus().expect("focus");
    key(&last, "Tab");
    let first: Element = controls.item(0).expect("first").unchecked_into();
    assert_eq!(focused(), Some(first));
    key(&focused().expect("focus"), "Escape");
    assert!(!m.is_open());
    assert!(find("[role=dialog]").is_none());
    assert_eq!(
        focused(),
        Some(launcher.clone()),
        "focus back on the launcher"
    );
    TimeoutFuture::new(0).await;
    let events = seen.borrow().clone();
    assert!(events.contains(&MessengerEvent::Opened));
    assert_eq!(events.last(), Some(&MessengerEvent::Closed));
    drop(m);
}

#[wasm_bindgen_test]
async fn the_home_view_greets_offers_a_question_and_a_search() {
    let (m, _) = start(MessengerOptions::default());
    m.open();
    let body = find(".body")
        .expect("body")
        .text_content()
        .unwrap_or_default();
    assert!(body.contains("Hi! How can we help?"));
    assert!(body.contains("We'll reply in a few minutes"));
    let search = find("form[role=search] input[type=search]").expect("search");
    assert_eq!(
        search.get_attribute("aria-label").as_deref(),
        Some("Search for help")
    );
    // The help articles cannot load from a dead server: said, not thrown.
    until("the load failure", || {
        find(".body")
            .and_then(|b| b.text_content())
            .is_some_and(|t| t.contains("Could not load"))
    })
    .await;
    drop(m);
}

#[wasm_bindgen_test]
async fn what_the_user_writes_survives_closing_and_failed_sends() {
    let (m, seen) = start(MessengerOptions::default());
    m.new_message(Some("Hi there"));
    let field = find("textarea").expect("composer");
    assert_eq!(value(&field), "Hi there");
    assert_eq!(focused(), Some(field.clone()));
    m.close();
    m.open();
    let field = find("textarea").expect("composer");
    assert_eq!(value(&field), "Hi there", "the draft survives closing");
    key(&field, "Enter");
    let bubble = find(".log .msg.user").expect("bubble at once");
    assert!(bubble
        .text_content()
        .unwrap_or_default()
        .contains("Hi there"));
    assert!(bubble
        .text_content()
        .unwrap_or_default()
        .contains("Sending…"));
    assert_eq!(value(&field), "");
    // Three network failures (with backoff), then it waits for the user.
    until("Not sent", || {
        find(".log .msg.user .meta")
            .and_then(|b| b.text_content())
            .is_some_and(|t| t.contains("Not sent"))
    })
    .await;
    let retry = find(".log .msg.user [data-act=retry]").expect("retry button");
    assert_eq!(count(".log .msg"), 1);
    click(&retry);
    let meta = find(".log .msg.user .meta").expect("meta");
    assert!(meta.text_content().unwrap_or_default().contains("Sending…"));
    assert_eq!(count(".log .msg"), 1, "the same bubble, not a copy");
    TimeoutFuture::new(0).await;
    assert!(!seen
        .borrow()
        .iter()
        .any(|e| matches!(e, MessengerEvent::ConversationStarted(_))));
    drop(m);
}

#[wasm_bindgen_test]
async fn the_apps_own_launcher_opens_it_and_the_default_one_can_be_hidden() {
    let doc = document().expect("document");
    let own = doc.create_element("button").expect("button");
    own.set_id("my-help");
    doc.body()
        .expect("body")
        .append_child(&own)
        .expect("append");
    let opts = MessengerOptions {
        launcher_selector: Some("#my-help".into()),
        hide_launcher: true,
        ..MessengerOptions::default()
    };
    let (m, _) = start(opts);
    assert!(find("button.launcher").is_none());
    click(&own);
    assert!(m.is_open());
    click(&own);
    assert!(!m.is_open());
    drop(m);
    // After drop the page's button is the page's again.
    let before = hosts();
    click(&own);
    assert_eq!(hosts(), before);
    own.remove();
    // A selector that is not CSS is a warning, not a failure.
    let bad = MessengerOptions {
        launcher_selector: Some("##".into()),
        ..MessengerOptions::default()
    };
    let (m, _) = start(bad);
    assert!(find("button.launcher").is_some());
    drop(m);
}

#[wasm_bindgen_test]
fn arabic_reads_right_to_left_and_the_launcher_sits_where_asked() {
    let opts = MessengerOptions {
        locale: "ar".into(),
        alignment: beckon::messenger::Alignment::Left,
        horizontal_padding: Some(40),
        ..MessengerOptions::default()
    };
    let (m, _) = start(opts);
    let wrap = find(".wrap").expect("wrap");
    assert_eq!(wrap.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(wrap.get_attribute("lang").as_deref(), Some("ar"));
    assert!(wrap.class_list().contains("left"));
    let launcher = find("button.launcher").expect("launcher");
    assert_eq!(
        launcher.get_attribute("aria-label").as_deref(),
        Some("الرسائل")
    );
    let rect = launcher.get_bounding_client_rect();
    assert!(
        (rect.left() - 40.0).abs() < 1.0,
        "left edge at 40px, got {}",
        rect.left()
    );
    m.open();
    let ask = find("[data-act=new]").expect("ask");
    assert_eq!(ask.text_content().as_deref(), Some("اطرح سؤالاً"));
    drop(m);
}

#[wasm_bindgen_test]
fn dropping_removes_every_node() {
    let before = hosts();
    let (m, _) = start(MessengerOptions::default());
    m.new_message(Some("x"));
    assert_eq!(hosts(), before + 1);
    drop(m);
    assert_eq!(hosts(), before);
}

fn message(id: &str, author: AuthorKind, body: &str) -> ConversationMessage {
    ConversationMessage {
        id: id.into(),
        client_id: None,
        author,
        author_name: None,
        body: body.into(),
        ts: js_sys::Date::now(),
        sources: Vec::new(),
        delivery: None,
        asks_feedback: false,
        asks_email: false,
    }
}

#[wasm_bindgen_test]
fn conversation_bubbles_tell_authors_apart_and_grow_in_place() {
    let host = ShadowHost::new("conv-test", &[beckon::messenger::view::CSS], &[]).expect("host");
    let body = document()
        .expect("document")
        .create_element("div")
        .expect("div");
    host.root().append_child(&body).expect("append");
    let ctx = Ctx {
        locale: "en",
        bot_name: "Acme Bot",
        team: "Acme support",
        expected: "in a few minutes",
    };
    let mut view = ConvView::new(&body, "en", "").expect("view");
    let mut mine = message("u1", AuthorKind::User, "How do I reset my password?");
    mine.client_id = Some("c1".into());
    mine.delivery = Some(Delivery::Sent);
    let mut bot = message(
        "b1",
        AuthorKind::Bot,
        "Use **Reset password** on the sign-in page.",
    );
    bot.author_name = Some("Acme Bot".into());
    bot.asks_feedback = true;
    bot.sources = vec![Source {
        kind: "article".into(),
        id: "reset-password".into(),
        title: "Resetting your password".into(),
    }];
    let mut agent = message("a1", AuthorKind::Agent, "Hi, Ana here.");
    agent.author_name = Some("Ana".into());
    let system = message("s1", AuthorKind::System, "<img src=x onerror=alert(1)>");
    let mut conv = Conversation {
        id: "conv".into(),
        status: ConversationStatus::Open,
        assignee: Some("Ana".into()),
        expected_reply: Some("in a few minutes".into()),
        unread: 0,
        rating: None,
        messages: vec![mine, bot, system, agent],
        updated_at: 0.0,
    };
    view.sync(&ctx, Some(&conv), &[], &Ask::Feedback("b1".into()))
        .expect("sync");
    let q = |sel: &str| body.query_selector(sel).expect("query");
    let all = |sel: &str| body.query_selector_all(sel).expect("query").length();
    let log = q("[role=log]").expect("log");
    assert_eq!(log.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(all(".msg"), 4);
    let user = q(".msg.user").expect("user bubble");
    assert_eq!(
        q(".msg.user .sr").and_then(|e| e.text_content()).as_deref(),
        Some("You")
    );
    assert!(user
        .text_content()
        .unwrap_or_default()
        .contains("Delivered"));
    assert!(q(".msg.user time[datetime]").is_some());
    let who = q(".msg.bot .who").expect("bot name");
    assert_eq!(who.text_content().as_deref(), Some("Acme BotBot"));
    let source = q(".msg.bot .src [data-act=article]").expect("citation");
    assert_eq!(
        source.get_attribute("data-arg").as_deref(),
        Some("reset-password")
    );
    assert_eq!(
        source.text_content().as_deref(),
        Some("Resetting your password")
    );
    assert_eq!(
        q(".msg.agent .who")
            .and_then(|e| e.text_content())
            .as_deref(),
        Some("Ana")
    );
    assert!(q("img").is_none(), "server text stays text");
    assert!(q(".msg.system")
        .and_then(|e| e.text_content())
        .unwrap_or_default()
        .contains("<img"));
    assert!(q("[data-act=helped][data-arg=b1]").is_some());
    assert!(q("[data-act=person][data-arg=b1]").is_some());
    // The agent answered last: no "will answer" notice.
    assert!(q(".notice").is_none());

    // A message on its way shows at once, and becomes the stored one in
    // place when the server has it.
    let p = Pending {
        client_id: "c2".into(),
        target: beckon::messenger::model::Target::Conv("conv".into()),
        body: "Thanks!".into(),
        ts: js_sys::Date::now(),
        state: SendState::InFlight,
        failures: 0,
    };
    view.sync(&ctx, Some(&conv), &[&p], &Ask::Nothing)
        .expect("sync");
    assert_eq!(all(".msg"), 5);
    let sending: Element = body
        .query_selector_all(".msg.user")
        .expect("q")
        .item(1)
        .expect("second")
        .unchecked_into();
    assert!(sending
        .text_content()
        .unwrap_or_default()
        .contains("Sending…"));
    // An agent message that arrives meanwhile goes before it.
    let mut late = message("a2", AuthorKind::Agent, "Anything else?");
    late.author_name = Some("Ana".into());
    conv.messages.push(late);
    view.sync(&ctx, Some(&conv), &[&p], &Ask::Nothing)
        .expect("sync");
    assert_eq!(log.last_element_child(), Some(sending.clone()));
    let mut stored = message("u2", AuthorKind::User, "Thanks!");
    stored.client_id = Some("c2".into());
    stored.delivery = Some(Delivery::Seen);
    conv.messages.push(stored);
    view.sync(&ctx, Some(&conv), &[], &Ask::Nothing)
        .expect("sync");
    assert_eq!(all(".msg"), 6, "no copy of the sent message");
    assert!(sending.is_connected());
    assert!(sending.text_content().unwrap_or_default().contains("Seen"));
    // Waiting for the person again: who and when.
    let notice = q(".notice")
        .and_then(|e| e.text_content())
        .unwrap_or_default();
    assert_eq!(notice, "Ana will answer · We'll reply in a few minutes");
    view.set_typing("en", Some("Ana"));
    assert_eq!(
        q(".typing").and_then(|e| e.text_content()).as_deref(),
        Some("Ana is typing…")
    );
    conv.status = ConversationStatus::Closed;
    view.sync(&ctx, Some(&conv), &[], &Ask::Rating)
        .expect("sync");
    let stars = q("[role=group]").expect("rating");
    assert_eq!(
        stars
            .query_selector_all("[data-act=rate]")
            .expect("q")
            .length(),
        5
    );
    assert_eq!(
        q("[data-arg='5']")
            .and_then(|b| b.get_attribute("aria-label"))
            .as_deref(),
        Some("5 of 5")
    );
}

fn here() -> Api {
    let origin = web_sys::window()
        .expect("window")
        .location()
        .origin()
        .expect("origin");
    Api {
        base: origin,
        app_id: "demo".into(),
        session: "token".into(),
    }
}

#[wasm_bindgen_test]
async fn the_stream_falls_back_to_polling_when_it_fails_or_is_missing() {
    // The test server answers 404: EventSource gives up, polling starts.
    let stream = Stream::start(here(), Some("5".into()), Rc::new(|_| {}));
    until("polling", || stream.mode() == Mode::Polling).await;
    assert_eq!(stream.cursor().as_deref(), Some("5"), "the cursor is kept");
    drop(stream);
    // No EventSource at all (an old browser, a strict policy).
    let window = web_sys::window().expect("window");
    let key = JsValue::from_str("EventSource");
    let original = js_sys::Reflect::get(&window, &key).expect("EventSource");
    js_sys::Reflect::delete_property(&window, &key).expect("delete");
    let stream = Stream::start(here(), None, Rc::new(|_| {}));
    let mode = stream.mode();
    js_sys::Reflect::set(&window, &key, &original).expect("restore");
    assert_eq!(mode, Mode::Polling);
    drop(stream);
}
