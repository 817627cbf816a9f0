//! The pure parts of the surfaces in the browser build: floating-ui style
//! placement (flip, shift, arrow) and the SDK's own words.
#![cfg(target_arch = "wasm32")]

use beckon::ui::i18n::{count, dir, is_rtl, text, Text};
use beckon::ui::position::{clip_within, clipping_ancestors, css_zoom, place, Rect};
use beckon_core::content::Placement;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const VIEW: (f64, f64) = (800.0, 600.0);

fn anchor(x: f64, y: f64) -> Rect {
    Rect {
        x,
        y,
        w: 100.0,
        h: 40.0,
    }
}

#[wasm_bindgen_test]
fn places_on_the_preferred_side_centred_with_the_gap() {
    let p = place(
        anchor(350.0, 200.0),
        (200.0, 100.0),
        VIEW,
        Placement::Bottom,
        12.0,
        8.0,
    );
    assert_eq!(p.side, Placement::Bottom);
    assert_eq!((p.x, p.y), (300.0, 252.0));
    assert_eq!(
        p.arrow, 100.0,
        "arrow at the card's middle, under the anchor's centre"
    );
    let r = place(
        anchor(350.0, 200.0),
        (200.0, 100.0),
        VIEW,
        Placement::Right,
        12.0,
        8.0,
    );
    assert_eq!((r.x, r.y, r.side), (462.0, 170.0, Placement::Right));
}

#[wasm_bindgen_test]
fn flips_only_when_the_other_side_has_more_room() {
    // No room above an anchor at the top: below.
    let p = place(
        anchor(350.0, 10.0),
        (200.0, 100.0),
        VIEW,
        Placement::Top,
        12.0,
        8.0,
    );
    assert_eq!(p.side, Placement::Bottom);
    // No room on the right near the right edge: left.
    let p = place(
        anchor(690.0, 200.0),
        (200.0, 100.0),
        VIEW,
        Placement::Right,
        12.0,
        8.0,
    );
    assert_eq!(p.side, Placement::Left);
    assert_eq!(p.x, 690.0 - 12.0 - 200.0);
    // Too big for either side: stays where the author wanted it.
    let p = place(
        anchor(350.0, 250.0),
        (200.0, 500.0),
        VIEW,
        Placement::Top,
        12.0,
        8.0,
    );
    assert_eq!(p.side, Placement::Bottom, "below has more room than above");
    let p = place(
        anchor(350.0, 300.0),
        (200.0, 500.0),
        VIEW,
        Placement::Top,
        12.0,
        8.0,
    );
    assert_eq!(p.side, Placement::Top, "above has more room: kept");
}

#[wasm_bindgen_test]
fn shifts_into_the_viewport_and_keeps_the_arrow_on_the_anchor() {
    // Anchor at the left edge: the card would start at -50.
    let p = place(
        anchor(0.0, 200.0),
        (200.0, 100.0),
        VIEW,
        Placement::Bottom,
        12.0,
        8.0,
    );
    assert_eq!(p.x, 8.0, "shifted to the padding");
    assert_eq!(
        p.arrow, 42.0,
        "arrow still under the anchor's centre (50 - 8)"
    );
    // Anchor at the right edge.
    let p = place(
        anchor(760.0, 200.0),
        (200.0, 100.0),
        VIEW,
        Placement::Bottom,
        12.0,
        8.0,
    );
    assert_eq!(p.x, 800.0 - 200.0 - 8.0);
    assert_eq!(
        p.arrow,
        200.0 - 14.0,
        "arrow clamped away from the rounded corner"
    );
}

#[wasm_bindgen_test]
fn rectangles_intersect_and_contain() {
    let pane = Rect {
        x: 0.0,
        y: 60.0,
        w: 800.0,
        h: 540.0,
    };
    assert!(pane.contains(&anchor(10.0, 100.0)));
    assert!(!pane.contains(&anchor(10.0, 40.0)), "half under the header");
    assert!(anchor(10.0, 40.0).is_visible_within(&pane), "half is seen");
    assert!(!anchor(10.0, 10.0).is_visible_within(&pane), "all under it");
    let cut = pane.intersect(&anchor(10.0, 40.0));
    assert_eq!((cut.y, cut.h), (60.0, 20.0));
    assert!(pane.intersect(&anchor(10.0, 10.0)).h <= 0.0, "empty");
}

/// An app-shell page: the content scrolls in a pane under a header.
#[wasm_bindgen_test]
fn an_element_scrolled_out_of_its_pane_is_not_visible_though_in_the_viewport() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let pane = doc.create_element("div").unwrap();
    pane.set_attribute(
        "style",
        "position:fixed;top:60px;left:0;width:400px;height:200px;overflow:auto",
    )
    .unwrap();
    let filler = doc.create_element("div").unwrap();
    filler.set_attribute("style", "height:1000px").unwrap();
    let target = doc.create_element("button").unwrap();
    target
        .set_attribute("style", "display:block;height:30px")
        .unwrap();
    pane.append_child(&target).unwrap();
    pane.append_child(&filler).unwrap();
    doc.body().unwrap().append_child(&pane).unwrap();

    let clippers = clipping_ancestors(&target);
    assert_eq!(clippers, vec![pane.clone()], "the pane, and not the body");
    let seen = || Rect::of(&target).is_visible_within(&clip_within(&clippers));
    assert!(seen(), "at the top of its pane");
    let clip = clip_within(&clippers);
    assert_eq!((clip.y, clip.h), (60.0, 200.0), "the pane's box");
    pane.set_scroll_top(40);
    let r = Rect::of(&target);
    assert!(
        r.y >= 0.0 && r.y < 60.0,
        "in the viewport, under the header"
    );
    assert!(!seen(), "scrolled out of its pane");
    pane.set_scroll_top(20);
    assert!(seen(), "partly back");

    assert_eq!(css_zoom(&target), 1.0);
    pane.set_attribute(
        "style",
        "position:fixed;top:60px;left:0;width:400px;height:200px;overflow:auto;zoom:2",
    )
    .unwrap();
    assert_eq!(css_zoom(&target), 2.0, "currentCSSZoom, in Chromium");
    pane.remove();
}

#[wasm_bindgen_test]
fn visibility_needs_a_box_inside_the_viewport() {
    let view = Rect {
        x: 0.0,
        y: 0.0,
        w: 800.0,
        h: 600.0,
    };
    assert!(anchor(10.0, 10.0).is_visible_within(&view));
    assert!(
        !anchor(10.0, -50.0).is_visible_within(&view),
        "scrolled above"
    );
    assert!(
        !anchor(10.0, 600.0).is_visible_within(&view),
        "below the fold"
    );
    assert!(!Rect::default().is_visible_within(&view), "display: none");
}

#[wasm_bindgen_test]
fn sdk_words_in_six_languages_with_rtl_for_arabic() {
    assert_eq!(text("en", Text::Next), "Next");
    assert_eq!(text("de-AT", Text::Next), "Weiter");
    assert_eq!(text("fr_CA", Text::Back), "Retour");
    assert_eq!(text("es", Text::Skip), "Omitir");
    assert_eq!(text("ja", Text::Close), "閉じる");
    assert_eq!(text("ar", Text::Done), "تم");
    assert_eq!(text("xx", Text::Next), "Next", "unknown: English");
    assert_eq!(text("es", Text::Resume), "Continuar el recorrido");
    assert_eq!(
        text("ar", Text::Resume),
        "متابعة الجولة",
        "the last word of every row is there"
    );
    assert_eq!(count("en", Text::StepOf, 2, 5), "2 of 5");
    assert_eq!(count("de", Text::StepOf, 2, 5), "2 von 5");
    assert_eq!(count("ja", Text::TasksDone, 2, 5), "5 件中 2 件完了");
    assert_eq!(count("ar", Text::StepOf, 2, 5), "2 من 5");
    assert!(is_rtl("ar-EG") && is_rtl("he") && !is_rtl("en") && !is_rtl("ja"));
    assert_eq!(dir("ar"), "rtl");
    assert_eq!(dir("fr"), "ltr");
}
