//! The messenger's screens: the launcher, the panel's frame (a dialog with
//! a header), and the home, conversation and article views inside it.
//!
//! Views only draw. Every button carries `data-act` (and `data-arg`), every
//! form `data-form`; one listener per event type on the shadow root
//! (in [`super`]) turns them into actions. So a redraw never has listeners
//! to re-attach or leak, and the wasm carries one closure per event type
//! instead of one per button.

pub mod article;
pub mod conversation;
pub mod fit;
pub mod home;
pub mod launcher;

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

use super::strings::{t, S};
use crate::dom::{append, element, set_attr};
use crate::error::{SdkError, SdkResult};
use crate::ui::a11y::trap_focus;
use crate::ui::i18n::{text, Text};

/// The messenger's stylesheet, after [`crate::ui::theme::BASE_CSS`].
/// Colours are the theme's variables, light or dark as the theme is. The
/// bubbles keep the theme's text, muted text and links above 4.5:1: light
/// #f3f4f6 under #111827 (16:1), #4b5563 (6.8:1) and #1d4ed8 (6.1:1); dark
/// #374151 under #f9fafb (10:1), #d1d5db (7:1) and #93c5fd (6.6:1). Under
/// 480px the panel fills the screen: the part the user sees, above the
/// on-screen keyboard (see [`fit`]). `--bk-lift` (see [`crate::ui::lift`])
/// raises the launcher and the panel above a bottom banner.
pub const CSS: &str = ".wrap{--bk-x:20px;--bk-y:20px;--bk-bubble:#f3f4f6;--bk-line:#9ca3af;--bk-input:#fff}\
@media (prefers-color-scheme:dark){:host(:not([data-theme=light])) .wrap{--bk-bubble:#374151;--bk-line:#6b7280;--bk-input:#111827}}\
:host([data-theme=dark]) .wrap{--bk-bubble:#374151;--bk-line:#6b7280;--bk-input:#111827}\
.head :focus-visible{outline-color:var(--bk-accent-text)}\
.launcher{position:fixed;bottom:calc(var(--bk-y) + var(--bk-lift,0px));right:var(--bk-x);width:56px;height:56px;border-radius:50%;\
padding:0;display:grid;place-items:center;background:var(--bk-accent);color:var(--bk-accent-text);\
box-shadow:0 4px 14px rgba(0,0,0,.3)}\
.left .launcher,.left .panel{right:auto;left:var(--bk-x)}\
.icon{width:26px;height:21px;border-radius:8px 8px 8px 2px;background:currentColor}\
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;\
background:#b91c1c;color:#fff;font-size:12px;font-weight:700;line-height:20px;text-align:center}\
[hidden]{display:none!important}\
.panel{position:fixed;bottom:calc(var(--bk-y) + var(--bk-lift,0px) + 72px);right:var(--bk-x);width:min(380px,calc(100vw - 32px));\
height:min(640px,calc(100vh - 112px - var(--bk-lift,0px)));display:flex;flex-direction:column;background:var(--bk-bg);\
border-radius:16px;box-shadow:0 10px 40px rgba(0,0,0,.35);overflow:hidden}\
.panel:focus{outline:none}\
.head{display:flex;align-items:center;gap:4px;padding:10px 8px 10px 16px;background:var(--bk-accent);color:var(--bk-accent-text)}\
.head h2{flex:1;margin:0;font-size:16px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}\
.head button{font-size:20px;line-height:1;padding:4px 10px}[dir=rtl] .back{transform:scaleX(-1)}\
.body{flex:1;min-height:0;overflow:auto;padding:16px;display:flex;flex-direction:column;gap:12px}\
.body.chat{padding:0;gap:0;overflow:hidden}\
h3{font-size:14px;margin:4px 0 0}p{margin:0}ul{list-style:none;margin:0;padding:0;display:grid;gap:6px}\
.muted,.meta,.notice,.typing{color:var(--bk-muted);font-size:13px}\
.wide{width:100%;padding:10px}\
.row{display:flex;gap:8px;width:100%;text-align:start;align-items:center;background:var(--bk-bubble);padding:10px 12px}\
.row .line{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}\
.row .badge{position:static}\
.search{display:flex;gap:8px}\
input,textarea{flex:1;min-width:0;font:inherit;color:var(--bk-text);background:var(--bk-input);border:1px solid var(--bk-line);\
border-radius:var(--bk-radius);padding:8px}\
textarea{resize:none;height:44px;max-height:120px}\
.log{flex:1;min-height:0;overflow:auto;padding:16px;display:flex;flex-direction:column;gap:10px}\
.msg{max-width:85%;padding:8px 12px;border-radius:14px;background:var(--bk-bubble);align-self:flex-start}\
.msg .md{color:var(--bk-text)}\
.msg.user{align-self:flex-end;background:var(--bk-accent);color:var(--bk-accent-text)}\
.msg.user .md,.msg.user .meta,.msg.user .link{color:inherit}\
.msg.bot{box-shadow:inset 0 0 0 1px var(--bk-line)}\
.msg.system{align-self:center;background:none;color:var(--bk-muted);font-size:13px;text-align:center;padding:0 8px}\
.msg.system .md{color:inherit}.msg.system .meta{justify-content:center}\
.who{font-size:12px;font-weight:600;margin-bottom:2px}\
.tag{font-weight:400;border:1px solid currentColor;border-radius:4px;padding:0 4px;margin-inline-start:6px}\
.meta{font-size:12px;margin-top:4px;display:flex;gap:6px;align-items:center}\
.src{font-size:13px;margin-top:6px}\
.link{padding:0;color:var(--bk-link);text-decoration:underline;border-radius:2px}\
.foot{padding:8px 16px;display:flex;flex-direction:column;gap:8px}.foot:empty{display:none}\
.ask{display:flex;flex-wrap:wrap;gap:8px;align-items:center}\
.stars button{min-width:40px;box-shadow:inset 0 0 0 1px var(--bk-muted)}\
.composer{display:flex;gap:8px;padding:12px;border-top:1px solid var(--bk-bubble);align-items:flex-end}\
@media (max-width:480px){.panel,.left .panel{inset:0;width:auto;height:auto;border-radius:0}\
.panel.fit{inset:auto;top:var(--bk-vv-top);left:var(--bk-vv-left);width:var(--bk-vv-w);height:var(--bk-vv-h)}}";

/// Creates `<tag class>` with text and appends it to `parent`.
pub fn el(parent: &Element, tag: &str, class: &str, text: Option<&str>) -> SdkResult<Element> {
    let doc = parent
        .owner_document()
        .ok_or_else(|| SdkError::Browser("detached node".into()))?;
    let e = element(&doc, tag, class, text)?;
    append(parent, &e)?;
    Ok(e)
}

/// Sets several attributes.
pub fn attrs(e: &Element, list: &[(&str, &str)]) -> SdkResult<()> {
    for (name, value) in list {
        set_attr(e, name, value)?;
    }
    Ok(())
}

/// A `<button type=button>` that performs `act` (with `arg`) when clicked.
pub fn button(
    parent: &Element,
    class: &str,
    label: &str,
    act: &str,
    arg: &str,
) -> SdkResult<Element> {
    let b = el(parent, "button", class, Some(label))?;
    attrs(&b, &[("type", "button"), ("data-act", act)])?;
    if !arg.is_empty() {
        set_attr(&b, "data-arg", arg)?;
    }
    Ok(b)
}

/// A form field named `name` whose label (for screen readers) is also
/// its placeholder, with `more` attributes.
pub fn field(
    parent: &Element,
    tag: &str,
    name: &str,
    label: &str,
    more: &[(&str, &str)],
) -> SdkResult<Element> {
    let f = el(parent, tag, "", None)?;
    attrs(
        &f,
        &[
            ("name", name),
            ("aria-label", label),
            ("placeholder", label),
        ],
    )?;
    attrs(&f, more)?;
    Ok(f)
}

/// The submit button of a form.
pub fn submit(form: &Element, class: &str, label: &str) -> SdkResult<()> {
    attrs(
        &el(form, "button", class, Some(label))?,
        &[("type", "submit")],
    )
}

/// Removes every child of `e`.
pub fn clear(e: &Element) {
    e.set_text_content(None);
}

/// `ts` (ms since the epoch) as the user's locale writes a time, with the
/// date when it is not today, and as an ISO string for `<time datetime>`.
/// `None` for a time the browser cannot represent.
pub fn when(ts: f64, locale: &str) -> Option<(String, String)> {
    if !ts.is_finite() || ts.abs() > 8.64e15 {
        return None;
    }
    let date = js_sys::Date::new(&JsValue::from_f64(ts));
    let opts = js_sys::Object::new();
    let set = |k: &str, v: &str| js_sys::Reflect::set(&opts, &k.into(), &v.into());
    set("hour", "2-digit").ok()?;
    set("minute", "2-digit").ok()?;
    if date.to_date_string() != js_sys::Date::new_0().to_date_string() {
        set("month", "short").ok()?;
        set("day", "numeric").ok()?;
    }
    // Called through `Function.call` so a locale the browser rejects
    // (RangeError) is an error here, not a trap; then the default locale.
    let f: js_sys::Function = js_sys::Reflect::get(&date, &"toLocaleString".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let shown = f
        .call2(&date, &locale.into(), &opts)
        .or_else(|_| f.call2(&date, &JsValue::UNDEFINED, &opts))
        .ok()?
        .as_string()?;
    Some((shown, date.to_iso_string().into()))
}

/// The panel: a dialog with a header (back, title, close) and a body the
/// views fill. Tab stays inside it while it is open.
pub struct Frame {
    /// The dialog element.
    pub dialog: Element,
    /// The `<h2>` naming the dialog.
    pub title: Element,
    /// The back button (hidden on the home view).
    pub back: Element,
    /// Where the views draw.
    pub body: Element,
    _trap: EventListener,
    _fit: Option<fit::Fit>,
}

impl Frame {
    /// Appends the panel to `parent`.
    pub fn new(parent: &Element, locale: &str) -> SdkResult<Self> {
        let dialog = el(parent, "div", "panel bk-anim", None)?;
        attrs(
            &dialog,
            &[
                ("id", "panel"),
                ("role", "dialog"),
                ("aria-modal", "true"),
                ("aria-labelledby", "mt"),
                ("tabindex", "-1"),
            ],
        )?;
        let head = el(&dialog, "div", "head", None)?;
        let back = button(&head, "back", "\u{2190}", "back", "")?;
        set_attr(&back, "aria-label", text(locale, Text::Back))?;
        let title = el(&head, "h2", "", Some(t(locale, S::Messages)))?;
        attrs(&title, &[("id", "mt"), ("dir", "auto")])?;
        let close = button(&head, "", "\u{00d7}", "close", "")?;
        set_attr(&close, "aria-label", text(locale, Text::Close))?;
        let body = el(&dialog, "div", "body", None)?;
        let trap = trap_focus(&dialog);
        let fit = fit::Fit::follow(&dialog);
        Ok(Self {
            dialog,
            title,
            back,
            body,
            _trap: trap,
            _fit: fit,
        })
    }

    /// Sets the title and whether there is somewhere to go back to, and
    /// empties the body for the next view.
    pub fn show(&self, title: &str, can_go_back: bool, chat: bool) {
        self.title.set_text_content(Some(title));
        // Disabled as well as hidden, so the focus trap skips it.
        let _ = self
            .back
            .toggle_attribute_with_force("hidden", !can_go_back);
        let _ = self
            .back
            .toggle_attribute_with_force("disabled", !can_go_back);
        self.body
            .set_class_name(if chat { "body chat" } else { "body" });
        clear(&self.body);
    }

    /// The first button, field or link of the body, for focus.
    pub fn first_control(&self) -> Option<Element> {
        self.body
            .query_selector("textarea,input,button,a[href],[tabindex='-1']")
            .ok()
            .flatten()
    }
}
