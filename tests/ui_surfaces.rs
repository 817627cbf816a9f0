//! Each surface in headless Chromium through `ui::show`: what it draws,
//! what it reports, how it follows its element, and that dropping it
//! leaves nothing behind.
#![cfg(target_arch = "wasm32")]

use beckon_core::vecmap::VecSet;
use std::cell::RefCell;
use std::rc::Rc;

use beckon::dom::document;
use beckon::ui::{self, Env, Progress, Surface, UiEvent};
use beckon_core::protocol::{Content, Message, MessageKind};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

fn message(kind: MessageKind, content: Value) -> Message {
    Message {
        id: "m1".into(),
        kind,
        priority: 0,
        content: serde_json::from_value::<Content>(content).expect("content"),
        targeting: Default::default(),
    }
}

type Seen = Rc<RefCell<Vec<UiEvent>>>;

fn show(kind: MessageKind, content: Value, env: &Env) -> (Box<dyn Surface>, Seen) {
    let seen: Seen = Rc::default();
    let s = seen.clone();
    let view = ui::show(
        &message(kind, content),
        env,
        Rc::new(move |e| s.borrow_mut().push(e)),
    )
    .expect("shown");
    (view, seen)
}

/// The newest host of `kind` (async tests interleave, so an older test's
/// surface may still be on the page).
fn root(kind: &str) -> ShadowRoot {
    let all = document()
        .expect("document")
        .query_selector_all(&["[data-beckon=", kind, "]"].concat())
        .expect("query");
    all.get(all.length().saturating_sub(1))
        .and_then(|n| n.dyn_into::<Element>().ok())
        .and_then(|h| h.shadow_root())
        .expect("shadow root")
}

/// Whether the surface drawn in `root` is gone from the page.
fn gone(root: &ShadowRoot) -> bool {
    !root.host().is_connected()
}

/// A card's `top` as positioned (its box may still be sliding in).
fn top(card: &Element) -> String {
    card.dyn_ref::<HtmlElement>()
        .expect("html")
        .style()
        .get_property_value("top")
        .unwrap_or_default()
}

fn find(root: &ShadowRoot, sel: &str) -> Element {
    root.query_selector(sel)
        .expect("query")
        .unwrap_or_else(|| panic!("{sel} not found"))
}

fn click(el: &Element) {
    el.dyn_ref::<HtmlElement>().expect("html").click();
}

fn button(root: &ShadowRoot, name: &str) -> Element {
    let all = root.query_selector_all("button").expect("query");
    (0..all.length())
        .filter_map(|i| all.get(i).and_then(|n| n.dyn_into::<Element>().ok()))
        .find(|b| {
            b.get_attribute("aria-label").as_deref() == Some(name)
                || b.text_content().as_deref() == Some(name)
        })
        .unwrap_or_else(|| panic!("no button {name}"))
}

fn key(target: &Element, key: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_shift_key(shift);
    let e =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    target.dispatch_event(&e).expect("dispatch");
}

/// Lets observers and timers run.
async fn tick(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("timeout");
    });
    wasm_bindgen_futures::JsFuture::from(p)
        .await
        .expect("timer");
}

fn body_element(tag: &str, id: &str, css: &str) -> HtmlElement {
    let doc = document().expect("document");
    let el: HtmlElement = doc.create_element(tag).expect("el").unchecked_into();
    el.set_id(id);
    el.set_text_content(Some(id));
    el.style().set_css_text(css);
    doc.body().expect("body").append_child(&el).expect("append");
    el
}

fn active_in(root: &ShadowRoot) -> Option<Element> {
    root.active_element()
}

#[wasm_bindgen_test]
fn banner_goes_inline_into_the_app_slot_or_floats_without_one() {
    let slot = body_element("div", "slot", "min-height:52px");
    let (view, seen) = show(
        MessageKind::Banner,
        json!({"title": "Hi {{first_name|there}}", "body": "Read **this**", "slot": "#slot",
               "action": {"label": "Go", "type": "url", "url": "/x"}}),
        &Env::default(),
    );
    let host = slot.first_element_child().expect("host in the slot");
    assert_eq!(host.get_attribute("data-beckon").as_deref(), Some("banner"));
    assert_eq!(
        slot.get_attribute("data-beckon-state").as_deref(),
        Some("open")
    );
    let r = root("banner");
    assert_eq!(
        find(&r, ".title").text_content().as_deref(),
        Some("Hi there")
    );
    assert_eq!(
        find(&r, ".body strong").text_content().as_deref(),
        Some("this")
    );
    assert_eq!(
        find(&r, ".banner").get_attribute("aria-label").as_deref(),
        Some("Hi there")
    );
    click(&button(&r, "Go"));
    click(&button(&r, "Dismiss"));
    assert!(matches!(
        seen.borrow().as_slice(),
        [UiEvent::Clicked(_), UiEvent::Dismissed]
    ));
    drop(view);
    assert_eq!(
        slot.get_attribute("data-beckon-state").as_deref(),
        Some("closed")
    );
    assert_eq!(slot.child_element_count(), 0);
    slot.remove();

    let (view, _) = show(
        MessageKind::Banner,
        json!({"body": "x", "slot": "#no-such-slot", "position": "bottom"}),
        &Env::default(),
    );
    let root_of_float = root("banner");
    let host: HtmlElement = root_of_float.host().unchecked_into();
    assert_eq!(
        host.style().get_property_value("position").as_deref(),
        Ok("fixed")
    );
    assert_eq!(
        host.style().get_property_value("bottom").as_deref(),
        Ok("0px")
    );
    drop(view);
    assert!(gone(&root_of_float));
}

#[wasm_bindgen_test]
fn centred_post_is_a_modal_dialog_that_traps_focus_and_returns_it() {
    let opener = body_element("button", "opener", "");
    opener.focus().expect("focus");
    let (view, seen) = show(
        MessageKind::Post,
        json!({"title": "News", "body": "Text with a [link](/a)", "image": "/i.png",
               "action": {"label": "Go", "type": "url", "url": "/x"},
               "actions": [{"label": "Chat", "type": "messenger"}]}),
        &Env::default(),
    );
    let r = root("post");
    let card = find(&r, ".post");
    assert_eq!(card.get_attribute("role").as_deref(), Some("dialog"));
    assert_eq!(card.get_attribute("aria-modal").as_deref(), Some("true"));
    assert_eq!(card.get_attribute("aria-labelledby").as_deref(), Some("t"));
    assert_eq!(find(&r, "#t").text_content().as_deref(), Some("News"));
    assert_eq!(
        find(&r, "img.hero").get_attribute("alt").as_deref(),
        Some("")
    );
    assert_eq!(active_in(&r).as_ref(), Some(&card), "focus in the dialog");
    // Tab from the last control wraps to the first, Shift+Tab back.
    let close = button(&r, "Close");
    close
        .dyn_ref::<HtmlElement>()
        .expect("h")
        .focus()
        .expect("focus");
    key(&close, "Tab", false);
    let first = find(&r, "a[href='/a']");
    assert_eq!(active_in(&r).as_ref(), Some(&first));
    key(&first, "Tab", true);
    assert_eq!(active_in(&r).as_ref(), Some(&close));
    // An action reports the click and finishes the post.
    click(&button(&r, "Chat"));
    key(&card, "Escape", false);
    assert!(matches!(
        seen.borrow().as_slice(),
        [UiEvent::Clicked(_), UiEvent::Completed, UiEvent::Dismissed]
    ));
    drop(view);
    assert_eq!(
        document()
            .expect("d")
            .active_element()
            .map(|e| e.id())
            .as_deref(),
        Some("opener"),
        "focus back where it was"
    );
    opener.remove();
}

#[wasm_bindgen_test]
fn corner_post_leaves_the_page_alone() {
    let (view, _) = show(
        MessageKind::Post,
        json!({"body": "Psst", "layout": "corner"}),
        &Env::default(),
    );
    let r = root("post");
    let card = find(&r, ".post.corner");
    assert_eq!(card.get_attribute("aria-modal"), None);
    assert!(r.query_selector(".backdrop").expect("q").is_none());
    assert!(active_in(&r).is_none(), "no focus stolen");
    drop(view);
}

#[wasm_bindgen_test]
async fn tooltip_follows_its_element_and_hides_when_it_goes() {
    let anchor = body_element(
        "button",
        "anchor",
        "position:fixed;left:300px;top:300px;width:100px;height:30px",
    );
    let (view, _) = show(
        MessageKind::Tooltip,
        json!({"title": "Tip", "body": "Hello", "anchor": {"selector": "#anchor", "placement": "bottom"}}),
        &Env::default(),
    );
    let r = root("tooltip");
    let card = find(&r, ".tip");
    assert!(!card.has_attribute("hidden"), "shown at once");
    assert_eq!(card.get_attribute("data-side").as_deref(), Some("bottom"));
    assert_eq!(top(&card), "342px", "12px below the element");
    anchor.style().set_property("top", "200px").expect("move");
    tick(50).await;
    assert_eq!(top(&card), "242px", "followed the element");
    anchor.remove();
    tick(50).await;
    assert!(
        card.has_attribute("hidden"),
        "hidden while the element is gone"
    );
    let again = body_element(
        "button",
        "anchor",
        "position:fixed;left:10px;top:10px;width:100px;height:30px",
    );
    tick(50).await;
    assert!(!card.has_attribute("hidden"), "back when it is back");
    // Dropping restores the page: no host, no description left behind.
    drop(view);
    assert!(gone(&r));
    assert_eq!(again.get_attribute("aria-description"), None);
    again.remove();
}

#[wasm_bindgen_test]
async fn hover_tooltip_describes_its_element_and_opens_on_focus() {
    let anchor = body_element(
        "button",
        "hov",
        "position:fixed;left:300px;top:300px;width:100px;height:30px",
    );
    let (view, _) = show(
        MessageKind::Tooltip,
        json!({"title": "Tip", "body": "More *words*", "dismissible": false,
               "anchor": {"selector": "#hov", "show_on": "focus"}}),
        &Env::default(),
    );
    let card = find(&root("tooltip"), ".tip");
    assert!(card.has_attribute("hidden"));
    assert_eq!(
        anchor.get_attribute("aria-description").as_deref(),
        Some("Tip. More words")
    );
    anchor.focus().expect("focus");
    assert!(!card.has_attribute("hidden"), "opened on focus");
    key(&anchor, "Escape", false);
    assert!(card.has_attribute("hidden"), "Escape closes");
    drop(view);
    assert_eq!(anchor.get_attribute("aria-description"), None);
    anchor.remove();
}

#[wasm_bindgen_test]
fn hotspot_dot_opens_the_tip() {
    let anchor = body_element(
        "button",
        "hs",
        "position:fixed;left:300px;top:300px;width:100px;height:30px",
    );
    let (view, seen) = show(
        MessageKind::Hotspot,
        json!({"title": "New", "body": "x", "anchor": {"selector": "#hs"}}),
        &Env::default(),
    );
    let r = root("hotspot");
    let dot = find(&r, ".dot");
    assert!(!dot.has_attribute("hidden"));
    let d = dot.get_bounding_client_rect();
    assert_eq!(
        (d.left(), d.top()),
        (390.0, 290.0),
        "on the element's top corner"
    );
    assert_eq!(
        dot.get_attribute("aria-label").as_deref(),
        Some("Show tip: New")
    );
    let card = find(&r, ".tip");
    assert!(card.has_attribute("hidden"));
    click(&dot);
    assert!(!card.has_attribute("hidden"));
    assert_eq!(dot.get_attribute("aria-expanded").as_deref(), Some("true"));
    click(&button(&r, "Close"));
    assert_eq!(seen.borrow().as_slice(), &[UiEvent::Dismissed]);
    drop(view);
    anchor.remove();
}

fn checklist() -> Value {
    json!({"title": "Start", "checklist": {"tasks": [
        {"id": "a", "title": "A", "done_when": {"type": "event", "name": "a"}},
        {"id": "b", "title": "B", "done_when": {"type": "manual"},
         "action": {"label": "Help", "type": "article", "article_id": "x"}},
        {"id": "c", "title": "C", "done_when": {"type": "click", "selector": "#c"}}]}})
}

#[wasm_bindgen_test]
fn checklist_shows_progress_ticks_tasks_and_completes() {
    let env = Env {
        progress: Progress {
            done_tasks: VecSet::from(["a".to_owned()]),
            seen_before: true,
            ..Progress::default()
        },
        ..Env::default()
    };
    let (mut view, seen) = show(MessageKind::Checklist, checklist(), &env);
    let r = root("checklist");
    let bar = find(&r, "[role=progressbar]");
    assert_eq!(bar.get_attribute("aria-valuenow").as_deref(), Some("1"));
    assert_eq!(
        bar.get_attribute("aria-label").as_deref(),
        Some("1 of 3 done")
    );
    assert!(
        find(&r, ".panel").has_attribute("hidden"),
        "seen before: launcher only"
    );
    let launcher = find(&r, ".launcher");
    assert_eq!(
        launcher.text_content().as_deref(),
        Some("1/3Start, 1 of 3 done"),
        "named by its visible words and the progress in words"
    );
    click(&launcher);
    assert!(!find(&r, ".panel").has_attribute("hidden"));
    assert_eq!(
        launcher.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    click(&button(&r, "Help"));
    click(&button(&r, "Mark as done"));
    assert_eq!(
        find(&r, "[role=progressbar]")
            .get_attribute("aria-valuenow")
            .as_deref(),
        Some("2")
    );
    assert!(matches!(
        seen.borrow().as_slice(),
        [UiEvent::Clicked(_), UiEvent::TaskClicked(id)] if id == "b"
    ));
    // The runtime saw the click on #c: every task done, the list completes.
    let all = Env {
        progress: Progress {
            done_tasks: VecSet::from(["a".to_owned(), "c".to_owned()]),
            ..Progress::default()
        },
        ..Env::default()
    };
    view.update(&all).expect("update");
    assert_eq!(r.query_selector_all(".task.done").expect("q").length(), 3);
    assert_eq!(seen.borrow().last(), Some(&UiEvent::Completed));
    view.update(&all).expect("update again");
    let completions = seen
        .borrow()
        .iter()
        .filter(|e| **e == UiEvent::Completed)
        .count();
    assert_eq!(completions, 1, "completed once");
    key(&find(&r, ".panel"), "Escape", false);
    assert!(find(&r, ".panel").has_attribute("hidden"));
    drop(view);
    assert!(gone(&r));
}

#[wasm_bindgen_test]
fn checklist_folds_its_panel_while_a_tour_runs() {
    let with_tour = |tour_running| Env {
        progress: Progress {
            tour_running,
            ..Progress::default()
        },
        ..Env::default()
    };
    // First sight with no tour: the panel opens.
    let (mut view, _seen) = show(MessageKind::Checklist, checklist(), &with_tour(false));
    let r = root("checklist");
    let panel = || find(&r, ".panel");
    assert!(!panel().has_attribute("hidden"), "open at first sight");
    view.update(&with_tour(true)).expect("update");
    assert!(
        panel().has_attribute("hidden"),
        "folded while the tour runs"
    );
    view.update(&with_tour(false)).expect("update");
    assert!(
        !panel().has_attribute("hidden"),
        "open again after the tour"
    );
    // Closed by the user: it stays closed after a tour.
    key(&panel(), "Escape", false);
    view.update(&with_tour(true)).expect("update");
    view.update(&with_tour(false)).expect("update");
    assert!(panel().has_attribute("hidden"), "stays as the user left it");
    drop(view);

    // First sight during a tour: folded, and opened when the tour is over.
    let (mut view, _seen) = show(MessageKind::Checklist, checklist(), &with_tour(true));
    let r = root("checklist");
    assert!(
        find(&r, ".panel").has_attribute("hidden"),
        "folded at first"
    );
    view.update(&with_tour(false)).expect("update");
    assert!(!find(&r, ".panel").has_attribute("hidden"), "opened after");
    drop(view);
}

fn tour() -> Value {
    json!({"tour": {"steps": [
        {"kind": "modal", "title": "Hello", "body": "Welcome"},
        {"selector": "#step2", "title": "Here", "body": "This", "advance_on": {"type": "click"}},
        {"kind": "modal", "title": "Bye", "body": "Done"}]},
        "locales": {"de": {"steps": [{"title": "Hallo"}]}}})
}

#[wasm_bindgen_test]
async fn tour_steps_back_next_skip_and_waits_for_its_element() {
    let (mut view, seen) = show(MessageKind::Tour, tour(), &Env::default());
    let r = root("tour");
    let card = find(&r, ".step");
    assert_eq!(card.get_attribute("aria-modal").as_deref(), Some("true"));
    assert_eq!(find(&r, ".count").text_content().as_deref(), Some("1 of 3"));
    assert_eq!(active_in(&r).as_ref(), Some(&card));
    click(&button(&r, "Next"));
    assert_eq!(seen.borrow().last(), Some(&UiEvent::Step(1)));
    // Step 2 waits for its element, then points at it; its Next button is
    // only for when it is shown centred, its element missing.
    let card = find(&r, ".step");
    assert!(card.has_attribute("hidden"));
    let next = find(&r, ".primary");
    assert!(next.class_list().contains("only-centred"));
    let el = body_element(
        "button",
        "step2",
        "position:fixed;left:100px;top:100px;width:80px;height:30px",
    );
    tick(50).await;
    assert!(!card.has_attribute("hidden"), "shown once its element came");
    let style = web_sys::window()
        .and_then(|w| w.get_computed_style(&next).ok().flatten())
        .expect("style");
    assert_eq!(style.get_property_value("display").as_deref(), Ok("none"));
    assert_eq!(find(&r, ".count").text_content().as_deref(), Some("2 of 3"));
    // Clicking the element is the way on.
    el.click();
    assert_eq!(seen.borrow().last(), Some(&UiEvent::Step(2)));
    assert_eq!(find(&r, ".count").text_content().as_deref(), Some("3 of 3"));
    click(&button(&r, "Back"));
    assert_eq!(seen.borrow().last(), Some(&UiEvent::Step(1)));
    // The runtime moved the tour (another tab, an event): it follows.
    view.update(&Env {
        progress: Progress {
            step: 2,
            ..Progress::default()
        },
        ..Env::default()
    })
    .expect("update");
    assert_eq!(find(&r, ".count").text_content().as_deref(), Some("3 of 3"));
    click(&button(&r, "Done"));
    assert_eq!(seen.borrow().last(), Some(&UiEvent::Completed));
    click(&button(&r, "Skip"));
    assert_eq!(seen.borrow().last(), Some(&UiEvent::Dismissed));
    drop(view);
    el.remove();
    assert!(gone(&r));
}

#[wasm_bindgen_test]
fn tour_speaks_the_users_language_and_arabic_is_rtl() {
    let de = Env {
        locale: "de-DE".into(),
        ..Env::default()
    };
    let (view, _) = show(MessageKind::Tour, tour(), &de);
    let r = root("tour");
    assert_eq!(find(&r, "#t").text_content().as_deref(), Some("Hallo"));
    assert_eq!(
        find(&r, ".count").text_content().as_deref(),
        Some("1 von 3")
    );
    button(&r, "Weiter");
    button(&r, "Überspringen");
    drop(view);
    let ar = Env {
        locale: "ar".into(),
        ..Env::default()
    };
    let (view, _) = show(MessageKind::Tour, tour(), &ar);
    let r = root("tour");
    assert_eq!(find(&r, ".bk").get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(find(&r, ".count").text_content().as_deref(), Some("1 من 3"));
    button(&r, "التالي");
    drop(view);
}

#[wasm_bindgen_test]
fn tour_step_on_another_page_offers_the_way_there() {
    let (view, seen) = show(
        MessageKind::Tour,
        json!({"tour": {"steps": [{"kind": "modal", "body": "x", "page": "/elsewhere.html"},
                                  {"kind": "modal", "body": "y"}]}}),
        &Env::default(),
    );
    let r = root("tour");
    assert!(
        r.query_selector(".step").expect("q").is_none(),
        "no step here"
    );
    let resume = find(&r, "button.resume");
    assert_eq!(
        resume.text_content().as_deref(),
        Some("Continue the tour (1 of 2)")
    );
    assert!(active_in(&r).is_none(), "no focus taken");
    assert!(seen.borrow().is_empty());
    drop(view);
    assert!(gone(&r));
}

/// The host's z-index.
fn z_of(kind: &str) -> i64 {
    let host = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!("[data-beckon=\"{kind}\"]"))
                .ok()
                .flatten()
        })
        .expect("host");
    let style = host
        .dyn_into::<HtmlElement>()
        .expect("html element")
        .style();
    style
        .get_property_value("z-index")
        .ok()
        .and_then(|z| z.parse().ok())
        .expect("a z-index")
}

#[wasm_bindgen_test]
fn surfaces_stack_in_a_fixed_order_whatever_order_they_open_in() {
    let _anchor = body_element(
        "button",
        "layer-anchor",
        "position:fixed;left:10px;top:200px",
    );
    let env = Env::default();
    // Opened in the reverse of their stacking order.
    let (_post, _) = show(
        MessageKind::Post,
        json!({"title": "Big news", "body": "x", "layout": "center"}),
        &env,
    );
    let (_list, _) = show(MessageKind::Checklist, checklist(), &env);
    let (_bar, _) = show(MessageKind::Banner, json!({"body": "Hi"}), &env);
    let (_tip, _) = show(
        MessageKind::Tooltip,
        json!({"body": "Tip", "anchor": {"selector": "#layer-anchor"}}),
        &env,
    );
    let order = [
        z_of("tooltip"),
        z_of("banner"),
        z_of("checklist"),
        z_of("post"),
    ];
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "anchored < bar < panel < modal: {order:?}"
    );
    assert_eq!(order[0], i64::from(env.z_index));
}

/// A page that changes all the time (a live dashboard): the tracker
/// measures its element once per animation frame, not after each change,
/// each of which would make the browser lay the page out again.
#[wasm_bindgen_test]
async fn a_tracker_measures_once_per_frame_however_often_the_page_changes() {
    use beckon::ui::track::{Target, Tracker};
    let anchor = body_element(
        "button",
        "busy-anchor",
        "position:fixed;left:10px;top:10px;width:100px;height:30px",
    );
    let ticker = body_element("span", "busy-ticker", "");
    let calls = Rc::new(std::cell::Cell::new(0u32));
    let counted = calls.clone();
    let on_move = Rc::new(move |target: Option<&Target>| {
        assert!(target.is_some(), "the element is there");
        counted.set(counted.get() + 1);
    });
    let tracker = Tracker::new("#busy-anchor", None, on_move).expect("tracker");
    assert_eq!(calls.get(), 1, "measured once at the start");
    // 40 changes in one task, each delivered to the observer on its own
    // (a microtask between them), so the count does not depend on how
    // fast the machine is: before, each was measured at once.
    for i in 0..40 {
        ticker.set_text_content(Some(&i.to_string()));
        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
            .await
            .expect("microtask");
    }
    let in_the_task = calls.get() - 1;
    assert_eq!(in_the_task, 0, "nothing measured during the changes");
    tick(100).await;
    let after = calls.get() - 1;
    assert!(
        (1..=3).contains(&after),
        "measured at the next frame (and at the body's first size report): {after} for 40 changes"
    );
    drop(tracker);
    anchor.remove();
    ticker.remove();
}

/// An image that cannot be loaded (moved, refused, offline) leaves no
/// broken-image icon in the card; one that loads stays.
#[wasm_bindgen_test]
async fn a_post_image_that_cannot_load_is_taken_out_not_shown_broken() {
    let (view, _) = show(
        MessageKind::Post,
        json!({"title": "News", "layout": "corner", "image": "/beckon-missing-hero.png",
               "body": "Before ![chart](/beckon-missing-inline.png) after"}),
        &Env::default(),
    );
    let r = root("post");
    let hero = find(&r, "img.hero");
    let inline = find(&r, ".md img");
    let hidden = |img: &Element| {
        web_sys::window()
            .expect("window")
            .get_computed_style(img)
            .expect("style")
            .expect("style")
            .get_property_value("display")
            .expect("display")
            == "none"
    };
    for _ in 0..40 {
        if hidden(&hero) && hidden(&inline) {
            break;
        }
        tick(50).await;
    }
    assert!(hidden(&hero), "the hero image is out of the layout");
    assert!(hidden(&inline), "and so is the one in the text");
    assert!(find(&r, ".md")
        .text_content()
        .unwrap_or_default()
        .contains("after"));
    drop(view);
}

/// A `<button id=…>` appended to `parent`.
fn child_button(parent: &web_sys::Node, id: &str) -> Element {
    let button = document()
        .expect("document")
        .create_element("button")
        .expect("button");
    button.set_id(id);
    parent.append_child(&button).expect("append");
    button
}

/// A tracker of `selector` that keeps `of` the last box it reported.
fn tracking(
    selector: &str,
    of: fn(&web_sys::DomRect) -> f64,
) -> (beckon::ui::track::Tracker, Rc<std::cell::Cell<f64>>) {
    let last = Rc::new(std::cell::Cell::new(f64::NAN));
    let seen = last.clone();
    let on_move = Rc::new(move |target: Option<&beckon::ui::track::Target>| {
        if let Some(t) = target {
            seen.set(of(&t.element.get_bounding_client_rect()));
        }
    });
    let tracker = beckon::ui::track::Tracker::new(selector, None, on_move).expect("tracker");
    (tracker, last)
}

/// A transition moves the anchor without a DOM change or a resize (a
/// sidebar sliding): the tracker follows it to where it ends.
#[wasm_bindgen_test]
async fn a_tracker_follows_its_element_through_a_css_transition() {
    let wrapper = body_element(
        "div",
        "sliding",
        "position:fixed;left:10px;top:10px;transition:transform 200ms linear",
    );
    wrapper.set_text_content(None);
    child_button(&wrapper, "sliding-anchor");
    let (tracker, last_x) = tracking("#sliding-anchor", |r| r.left());
    assert_eq!(last_x.get(), 10.0, "measured at the start");
    tick(50).await;
    wrapper
        .style()
        .set_property("transform", "translateX(300px)")
        .expect("slide");
    tick(600).await;
    assert_eq!(
        last_x.get(),
        310.0,
        "followed to where the transition ended, not left where it began"
    );
    drop(tracker);
    wrapper.remove();
}

/// Content above the anchor that grows without a DOM change (an image that
/// loads late, a web font that swaps in; here a stylesheet rule) moves it:
/// the tracker measures it again.
#[wasm_bindgen_test]
async fn a_tracker_follows_its_element_when_the_page_above_it_grows() {
    let doc = document().expect("document");
    let above = body_element("div", "grows-above", "");
    above.set_text_content(None);
    let anchor = body_element("button", "below-growth", "display:block");
    let (tracker, last_y) = tracking("#below-growth", |r| r.top());
    tick(100).await;
    let start = anchor.get_bounding_client_rect().top();
    assert_eq!(last_y.get(), start);
    // A rule of a constructed stylesheet: no DOM change for an observer.
    let sheet = web_sys::CssStyleSheet::new().expect("sheet");
    sheet
        .replace_sync("#grows-above { height: 120px }")
        .expect("rule");
    let sheets = js_sys::Array::of1(&sheet);
    js_sys::Reflect::set(&doc, &"adoptedStyleSheets".into(), &sheets).expect("adopt");
    tick(300).await;
    assert_eq!(
        anchor.get_bounding_client_rect().top(),
        start + 120.0,
        "pushed down"
    );
    assert_eq!(last_y.get(), start + 120.0, "measured where it is now");
    js_sys::Reflect::set(&doc, &"adoptedStyleSheets".into(), &js_sys::Array::new())
        .expect("unadopt");
    drop(tracker);
    above.remove();
    anchor.remove();
}

/// While the anchor is missing on a page that changes all the time, the
/// page's shadow roots (a walk over every element) are searched a few
/// times a second, not at every frame; an anchor that comes inside one is
/// still found.
#[wasm_bindgen_test]
async fn a_missing_anchor_is_searched_for_in_shadow_roots_a_few_times_a_second() {
    // Counts the page-wide walks: `querySelectorAll('*')` on the document.
    let count = js_sys::Function::new_no_args(
        "const own = Document.prototype.querySelectorAll;
         window.__walks = 0;
         Document.prototype.querySelectorAll = function (s) {
           if (s === '*') window.__walks += 1;
           return own.call(this, s);
         };
         return () => { Document.prototype.querySelectorAll = own; };",
    );
    let restore: js_sys::Function = count.call0(&JsValue::NULL).expect("patch").unchecked_into();
    let walks = || {
        js_sys::Reflect::get(&web_sys::window().expect("window"), &"__walks".into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    };
    let (tracker, last_x) = tracking("#in-a-component", |r| r.left());
    let ticker = body_element("span", "walk-ticker", "");
    let (start, began) = (walks(), js_sys::Date::now());
    for i in 0..40 {
        ticker.set_text_content(Some(&i.to_string()));
        tick(16).await;
    }
    let (during, took) = (walks() - start, js_sys::Date::now() - began);
    // Bounded by the time the changes took, so a slow machine passes too.
    assert!(
        during <= (took / 250.0).floor() + 2.0,
        "at most every 250 ms, not at every change: {during} walks in {took} ms"
    );
    // A web component brings the anchor inside its shadow root.
    let host = body_element("div", "component", "position:fixed;left:40px;top:40px");
    host.set_text_content(None);
    let root = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .expect("shadow");
    child_button(&root, "in-a-component");
    tick(400).await;
    assert_eq!(last_x.get(), 40.0, "found in the shadow root");
    restore.call0(&JsValue::NULL).expect("restore");
    drop(tracker);
    ticker.remove();
    host.remove();
}
