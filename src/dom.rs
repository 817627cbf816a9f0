//! The Shadow DOM host every surface lives in, and small DOM helpers.
//!
//! Each surface gets its own host element with an open shadow root: host
//! page styles cannot reach inside, and the SDK's styles cannot leak out.
//! The host's own few properties are set through the CSSOM with
//! `!important`, so even `* { all: unset }` on the page cannot move it, and
//! no `style` attribute or `<style>` element is needed (a strict CSP allows
//! both CSSOM writes and constructable stylesheets).

use std::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    CssStyleSheet, Document, Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode,
};

use crate::error::{js_text, SdkError, SdkResult};

/// The attribute that marks Beckon's host elements.
pub const HOST_ATTRIBUTE: &str = "data-beckon";

/// The page's document.
pub fn document() -> SdkResult<Document> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| SdkError::Browser("no document".into()))
}

fn browser(e: JsValue) -> SdkError {
    SdkError::Browser(js_text(&e))
}

/// Whether `body` is the containing block of its `position: fixed`
/// descendants instead of the viewport: a transform, a filter, containment
/// and the like on it (page-transition and smooth-scrolling libraries put
/// `transform` or `will-change: transform` there). A surface placed in such
/// a body is placed against the whole page, not the screen: the launcher
/// ends up at the bottom of a long page, out of sight. The root element is
/// exempt from most of these rules (a filter on it does not count), so the
/// surfaces go beside the body then.
fn holds_fixed(body: &HtmlElement) -> bool {
    let Some(style) = web_sys::window().and_then(|w| w.get_computed_style(body).ok().flatten())
    else {
        return false;
    };
    let value = |name: &str| style.get_property_value(name).unwrap_or_default();
    let set = |name: &str| !matches!(value(name).as_str(), "" | "none" | "normal" | "auto");
    [
        "transform",
        "translate",
        "rotate",
        "scale",
        "perspective",
        "filter",
        "backdrop-filter",
    ]
    .into_iter()
    .any(set)
        || set("container-type")
        || value("content-visibility") == "auto"
        || value("contain")
            .split(' ')
            .any(|c| matches!(c, "paint" | "layout" | "strict" | "content"))
        || value("will-change").split(", ").any(|p| {
            matches!(
                p,
                "transform"
                    | "translate"
                    | "rotate"
                    | "scale"
                    | "perspective"
                    | "filter"
                    | "backdrop-filter"
                    | "contain"
            )
        })
}

/// Where a floating surface's host goes: the body, or `<html>` beside a
/// body that would hold fixed boxes ([`holds_fixed`]); and whether it is
/// the body (which the keeper watches).
fn surfaces_place(doc: &Document) -> SdkResult<(Element, bool)> {
    match doc.body() {
        Some(body) if !holds_fixed(&body) => Ok((body.into(), true)),
        _ => doc
            .document_element()
            .map(|root| (root, false))
            .ok_or_else(|| SdkError::Browser("empty document".into())),
    }
}

/// Puts `host` back where floating surfaces go (after a tooltip followed
/// its element into a modal dialog).
pub fn put_back(host: &HtmlElement) {
    if let Ok((place, _)) = document().and_then(|doc| surfaces_place(&doc)) {
        let _ = place.append_child(host);
    }
}

/// A host element in the page with a shadow root; removed from the page
/// when dropped, so a surface cannot outlive its owner.
pub struct ShadowHost {
    host: HtmlElement,
    root: ShadowRoot,
}

impl ShadowHost {
    /// Appends a host for `surface` (e.g. `banner`) to the page, styled by
    /// the stylesheets `css` inside its shadow root and placed by
    /// `host_style` outside it.
    pub fn new(
        surface: &str,
        css: &[&'static str],
        host_style: &[(&str, &str)],
    ) -> SdkResult<Self> {
        Self::new_in(None, surface, css, host_style)
    }

    /// Like [`ShadowHost::new`], but appended to `parent` (an app's slot
    /// element, so the surface takes part in the page's layout) when given.
    pub fn new_in(
        parent: Option<&Element>,
        surface: &str,
        css: &[&'static str],
        host_style: &[(&str, &str)],
    ) -> SdkResult<Self> {
        let doc = document()?;
        let host: HtmlElement = doc
            .create_element("div")
            .map_err(browser)?
            .dyn_into()
            .map_err(|_| SdkError::Browser("div is not an HTMLElement".into()))?;
        host.set_attribute(HOST_ATTRIBUTE, surface)
            .map_err(browser)?;
        let style = host.style();
        for (name, value) in host_style {
            style
                .set_property_with_priority(name, value, "important")
                .map_err(browser)?;
        }
        let init = ShadowRootInit::new(ShadowRootMode::Open);
        let root = host.attach_shadow(&init).map_err(browser)?;
        adopt_stylesheets(&root, css)?;
        let (parent, in_body): (Element, bool) = match parent {
            Some(p) => (p.clone(), false),
            None => surfaces_place(&doc)?,
        };
        parent.append_child(&host).map_err(browser)?;
        if in_body {
            // A page that swaps its body (Turbo) gets it back.
            crate::keeper::keep(&host);
        }
        Ok(Self { host, root })
    }

    /// The shadow root to render into.
    pub fn root(&self) -> &ShadowRoot {
        &self.root
    }

    /// The host element in the page.
    pub fn host(&self) -> &HtmlElement {
        &self.host
    }
}

impl Drop for ShadowHost {
    fn drop(&mut self) {
        crate::keeper::release(&self.host);
        self.host.remove();
    }
}

thread_local! {
    /// Each stylesheet of the SDK parsed once, shared by every shadow root
    /// that uses it (the base sheet is in all of them).
    static SHEETS: RefCell<Vec<(&'static str, CssStyleSheet)>> = const { RefCell::new(Vec::new()) };
}

/// The constructed sheet of `css`, parsed on first use.
fn stylesheet(css: &'static str) -> SdkResult<CssStyleSheet> {
    let same = |known: &&'static str| std::ptr::eq(*known, css);
    if let Some(sheet) = SHEETS.with(|s| {
        s.borrow()
            .iter()
            .find(|(known, _)| same(known))
            .map(|(_, sheet)| sheet.clone())
    }) {
        return Ok(sheet);
    }
    let sheet = CssStyleSheet::new().map_err(browser)?;
    sheet.replace_sync(css).map_err(browser)?;
    SHEETS.with(|s| s.borrow_mut().push((css, sheet.clone())));
    Ok(sheet)
}

/// Lets the parsed sheets go (at `shutdown()`): the next surface parses
/// them again.
pub fn forget_stylesheets() {
    SHEETS.with(|s| s.borrow_mut().clear());
}

/// Styles a shadow root with constructable stylesheets: allowed under a
/// strict `style-src`, and each parsed once for all roots.
fn adopt_stylesheets(root: &ShadowRoot, css: &[&'static str]) -> SdkResult<()> {
    let sheets = js_sys::Array::new();
    for &text in css {
        sheets.push(stylesheet(text)?.as_ref());
    }
    js_sys::Reflect::set(root, &JsValue::from_str("adoptedStyleSheets"), &sheets)
        .map_err(browser)?;
    Ok(())
}

/// Creates `<tag class="…">` with text content; text is always set as text,
/// never parsed as HTML.
pub fn element(doc: &Document, tag: &str, class: &str, text: Option<&str>) -> SdkResult<Element> {
    let el = doc.create_element(tag).map_err(browser)?;
    if !class.is_empty() {
        el.set_class_name(class);
    }
    if let Some(text) = text {
        el.set_text_content(Some(text));
    }
    Ok(el)
}

/// Sets an attribute, mapping the browser's refusal to an [`SdkError`].
pub fn set_attr(el: &Element, name: &str, value: &str) -> SdkResult<()> {
    el.set_attribute(name, value).map_err(browser)
}

/// Appends `child` to `parent`.
pub fn append(
    parent: &impl AsRef<web_sys::Node>,
    child: &impl AsRef<web_sys::Node>,
) -> SdkResult<()> {
    parent
        .as_ref()
        .append_child(child.as_ref())
        .map(|_| ())
        .map_err(browser)
}

/// Sets inline style properties through the CSSOM (allowed under a strict
/// CSP, unlike a `style` attribute); elements that are not HTML (none of
/// ours) are left alone.
pub fn set_style(el: &Element, props: &[(&str, &str)]) {
    if let Some(el) = el.dyn_ref::<HtmlElement>() {
        let style = el.style();
        for (name, value) in props {
            let _ = style.set_property(name, value);
        }
    }
}

/// `v` limited to `[lo, hi]` (`hi` wins if `lo > hi`; NaN gives `lo`).
/// Not `f64::clamp`: its check that `lo <= hi` formats both with `Debug`
/// when it fails, and that alone brought Rust's float formatting (about
/// 20 KB) into the wasm.
pub fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    v.max(lo).min(hi)
}
