//! The SDK's DOM parts in headless Chromium (wasm-bindgen-test): the shadow
//! host, the banner's rendering and listeners, storage namespacing, and the
//! link filter. End-to-end behaviour against the server is in `tests/e2e/`.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use beckon::dom::{document, ShadowHost};
use beckon::runtime::random_id;
use beckon::storage::Storage;
use beckon::ui::banner::BannerView;
use beckon::ui::{Env, UiEvent};
use beckon_core::protocol::{Action, ActionTarget, Content, Message, MessageKind};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn hosts() -> u32 {
    document()
        .expect("document")
        .query_selector_all("[data-beckon]")
        .expect("query")
        .length()
}

fn banner(body: &str) -> Message {
    Message {
        id: "m1".into(),
        kind: MessageKind::Banner,
        priority: 0,
        content: Content {
            title: Some("Hello".into()),
            body: body.into(),
            action: Some(Action {
                label: "Go".into(),
                target: ActionTarget::Url { url: "/x".into() },
            }),
            ..Content::default()
        },
        targeting: Default::default(),
    }
}

#[wasm_bindgen_test]
fn shadow_host_is_removed_on_drop_and_pins_its_position() {
    let before = hosts();
    let host = ShadowHost::new("test", &[".a{}"], &[("position", "fixed")]).expect("host");
    assert_eq!(hosts(), before + 1);
    let el = document()
        .expect("document")
        .query_selector("[data-beckon=test]")
        .expect("query")
        .expect("host in page")
        .dyn_into::<web_sys::HtmlElement>()
        .expect("html element");
    assert_eq!(el.style().get_property_priority("position"), "important");
    assert!(el.shadow_root().is_some());
    drop(host);
    assert_eq!(hosts(), before);
}

#[wasm_bindgen_test]
fn banner_renders_server_text_as_text_and_reports_clicks() {
    let hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    let dismissed = Rc::new(Cell::new(0));
    let acted = Rc::new(Cell::new(0));
    let (d, a) = (dismissed.clone(), acted.clone());
    let view = BannerView::show(
        &banner(hostile),
        &Env::default(),
        Rc::new(move |e| match e {
            UiEvent::Dismissed => d.set(d.get() + 1),
            UiEvent::Clicked(_) => a.set(a.get() + 1),
            _ => {}
        }),
    )
    .expect("banner");
    let root = document()
        .expect("document")
        .query_selector("[data-beckon=banner]")
        .expect("query")
        .expect("host")
        .shadow_root()
        .expect("shadow root");
    let body = root.query_selector(".body").expect("q").expect("body");
    assert_eq!(body.text_content().as_deref(), Some(hostile));
    assert!(root.query_selector("img, script").expect("q").is_none());

    // Buttons found by what a user sees: the action's label, the close
    // button's accessible name.
    let click = |pick: &dyn Fn(&web_sys::Element) -> bool| {
        let buttons = root.query_selector_all("button").expect("q");
        let button = (0..buttons.length())
            .filter_map(|i| buttons.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .find(|b| pick(b))
            .expect("button");
        button.click()
    };
    click(&|b| b.text_content().as_deref() == Some("Go"));
    click(&|b| b.get_attribute("aria-label").as_deref() == Some("Dismiss"));
    assert_eq!((acted.get(), dismissed.get()), (1, 1));
    drop(view);
    assert_eq!(hosts(), 0);
}

#[wasm_bindgen_test]
fn storage_is_namespaced_and_clear_removes_only_its_own_keys() {
    let a = Storage::for_user("app", "alice");
    let b = Storage::for_user("app", "bob");
    a.set("state", "A");
    b.set("state", "B");
    assert_eq!(a.get("state").as_deref(), Some("A"));
    assert_eq!(b.get("state").as_deref(), Some("B"));
    a.clear();
    assert_eq!(a.get("state"), None);
    assert_eq!(b.get("state").as_deref(), Some("B"));
    b.clear();
}

#[wasm_bindgen_test]
fn what_storage_refuses_is_kept_in_memory_shared_by_every_handle() {
    // localStorage refusing every write, as when its quota is full.
    js_sys::eval(
        "Storage.prototype.__beckonSetItem = Storage.prototype.setItem;
         Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };",
    )
    .expect("patch setItem");
    let first = Storage::with_prefix("beckon:quota-app:".into());
    first.set("anonymous_id", "v1");
    // Another handle on the same namespace (a later boot) finds it.
    let second = Storage::with_prefix("beckon:quota-app:".into());
    assert_eq!(second.get("anonymous_id").as_deref(), Some("v1"));
    let other = Storage::for_user("quota-other-app", "u1");
    other.set("state", "S");
    second.clear();
    assert_eq!(first.get("anonymous_id"), None);
    assert_eq!(
        other.get("state").as_deref(),
        Some("S"),
        "another namespace stays"
    );
    other.remove("state");
    assert_eq!(other.get("state"), None);
    js_sys::eval("Storage.prototype.setItem = Storage.prototype.__beckonSetItem;")
        .expect("restore setItem");
}

#[wasm_bindgen_test]
fn random_ids_are_32_hex_digits_and_distinct() {
    let (x, y) = (random_id(), random_id());
    assert_eq!(x.len(), 32);
    assert!(x.bytes().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(x, y);
}

/// Numbers are written as JavaScript writes them: whole ones by the SDK
/// itself (no host call, nothing entered in V8's number-string cache),
/// the others by the host.
#[wasm_bindgen_test]
fn numbers_are_written_as_javascript_writes_them() {
    for n in [
        0.0,
        -0.0,
        1.0,
        -7.0,
        1_732_867_200_123.0,
        9_007_199_254_740_991.0,
        9_007_199_254_740_992.0,
        1e21,
        0.1 + 0.2,
        -1.5e-7,
        123.456,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        let ours = beckon_core::condition::js_number(n);
        let host: String = js_sys::Number::from(n)
            .to_string_with_radix(10)
            .expect("Number.prototype.toString")
            .into();
        assert_eq!(ours, host, "{n}");
    }
}

/// JSON text is read in the module as the host's `JSON.parse` reads it:
/// the same values (numbers above all, which go through the host's parser
/// unless short and whole), written back the same by `JSON.stringify`, and
/// the same texts refused.
#[wasm_bindgen_test]
fn json_text_is_read_as_json_parse_reads_it() {
    for text in [
        "0",
        "-0",
        "42",
        "-7",
        "999999999999999",
        "1000000000000000",
        "9007199254740993",
        "123456789012345678901234567890",
        "0.1",
        "0.30000000000000004",
        "-1.5e-7",
        "1E21",
        "5e-324",
        "2.2250738585072014e-308",
        "1.7976931348623157e308",
        "1e400",
        "3.0",
        r#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00 ünï""#,
        r#""\ud800x""#,
        r#"{"b": [1, 2.5, {"c": null}], "a": true, "b": false}"#,
        " [ ] ",
    ] {
        let ours = beckon_core::json::text::parse(text).expect(text);
        let ours = beckon::client::to_json_string(&ours).expect("writes");
        let host = js_sys::JSON::parse(text).expect("JSON.parse reads it");
        let host: String = js_sys::JSON::stringify(&host).expect("stringify").into();
        // The host keeps a lone surrogate that Rust strings cannot hold.
        let host = host.replace("\\ud800", "\u{fffd}");
        assert_eq!(ours, host, "{text}");
    }
    for text in [
        "", "01", "1.", ".5", "+1", "[1,]", "{'a':1}", "\"\t\"", "NaN", "[1] 2",
    ] {
        assert!(beckon_core::json::text::parse(text).is_err(), "{text:?}");
        assert!(
            js_sys::JSON::parse(text).is_err(),
            "the host refuses {text:?} too"
        );
    }
}

/// Shadow roots share each stylesheet: parsed once, adopted by every root
/// that uses it; after `forget_stylesheets` (shutdown) a new root gets a
/// fresh one.
#[wasm_bindgen_test]
fn shadow_roots_share_each_parsed_stylesheet() {
    const BASE: &str = ".shared{color:red}";
    const OWN: &str = ".own{color:blue}";
    let sheets = |host: &ShadowHost| -> js_sys::Array {
        js_sys::Reflect::get(host.root(), &"adoptedStyleSheets".into())
            .expect("adoptedStyleSheets")
            .unchecked_into()
    };
    let a = ShadowHost::new("share-a", &[BASE], &[]).expect("host a");
    let b = ShadowHost::new("share-b", &[BASE, OWN], &[]).expect("host b");
    assert_eq!(sheets(&a).length(), 1);
    assert_eq!(sheets(&b).length(), 2);
    assert!(
        js_sys::Object::is(&sheets(&a).get(0), &sheets(&b).get(0)),
        "one sheet object for both roots"
    );
    let rules = js_sys::Reflect::get(&sheets(&b).get(1), &"cssRules".into()).expect("cssRules");
    let count = js_sys::Reflect::get(&rules, &"length".into()).expect("length");
    assert_eq!(
        count.as_f64(),
        Some(1.0),
        "the second sheet is the root's own"
    );
    beckon::dom::forget_stylesheets();
    let c = ShadowHost::new("share-c", &[BASE], &[]).expect("host c");
    assert!(!js_sys::Object::is(&sheets(&a).get(0), &sheets(&c).get(0)));
    drop((a, b, c));
}
