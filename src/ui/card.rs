//! The parts most surfaces share: a heading, an image, a rich-text body,
//! buttons that report actions, and the listeners that go with them.

use beckon_core::protocol::{Action, Content};
use gloo_events::EventListener;
use web_sys::{Document, Element};

use super::markdown::{fill_placeholders, hide_if_broken, is_safe_image_url, render_div};
use super::{add, attr};
use super::{Emit, Env, UiEvent};
use crate::dom::element;
use crate::error::SdkResult;

/// Listeners a surface keeps alive; all removed when it is dropped.
pub type Listeners = Vec<EventListener>;

/// Appends a `<button type=button>` with `label` to `parent`, calling
/// `on_click`; returns the button. (The callback is boxed at once, so the
/// listener and its JS glue exist once in the wasm, not once per caller.)
pub fn button(
    doc: &Document,
    parent: &Element,
    class: &str,
    label: &str,
    listeners: &mut Listeners,
    on_click: impl Fn() + 'static,
) -> SdkResult<Element> {
    button_dyn(doc, parent, class, label, listeners, Box::new(on_click))
}

fn button_dyn(
    doc: &Document,
    parent: &Element,
    class: &str,
    label: &str,
    listeners: &mut Listeners,
    on_click: Box<dyn Fn()>,
) -> SdkResult<Element> {
    let b = element(doc, "button", class, Some(label))?;
    attr(&b, "type", "button");
    listeners.push(EventListener::new(&b, "click", move |_| on_click()));
    add(parent, &b);
    Ok(b)
}

/// A close button (×) with an accessible name.
pub fn close_button(
    doc: &Document,
    parent: &Element,
    label: &str,
    listeners: &mut Listeners,
    on_click: impl Fn() + 'static,
) -> SdkResult<Element> {
    let b = button(doc, parent, "close", "\u{00d7}", listeners, on_click)?;
    attr(&b, "aria-label", label);
    Ok(b)
}

/// Fills `parent` with a title (`<h2 id=title_id>`), the image and the
/// Markdown body of `content`, in that order.
pub fn fill(
    doc: &Document,
    parent: &Element,
    title: Option<&str>,
    body: &str,
    content: Option<&Content>,
    env: &Env,
    title_id: &str,
) -> SdkResult<()> {
    if let Some(title) = title {
        let h = element(
            doc,
            "h2",
            "",
            Some(&fill_placeholders(title, &env.attributes)),
        )?;
        attr(&h, "id", title_id);
        attr(&h, "dir", "auto");
        add(parent, &h);
    }
    if let Some(src) = content
        .and_then(|c| c.image.as_deref())
        .filter(|s| is_safe_image_url(s))
    {
        let img = element(doc, "img", "hero", None)?;
        attr(&img, "src", src);
        let alt = content.and_then(|c| c.image_alt.as_deref()).unwrap_or("");
        attr(&img, "alt", alt);
        hide_if_broken(&img);
        add(parent, &img);
    }
    if !body.is_empty() {
        add(parent, &render_div(doc, "md", body, &env.attributes)?);
    }
    Ok(())
}

/// Buttons for `content.action` (primary) and `content.actions`
/// (secondary); a click emits [`UiEvent::Clicked`], then `then` if given
/// (a post closes after its action).
pub fn actions(
    doc: &Document,
    parent: &Element,
    content: &Content,
    emit: &Emit,
    listeners: &mut Listeners,
    then: Option<UiEvent>,
) -> SdkResult<()> {
    let all = content
        .action
        .iter()
        .map(|a| (a, "primary"))
        .chain(content.actions.iter().map(|a| (a, "secondary")));
    for (action, class) in all {
        let (emit, action, then): (Emit, Action, _) = (emit.clone(), action.clone(), then.clone());
        button(
            doc,
            parent,
            class,
            &action.label.clone(),
            listeners,
            move || {
                emit(UiEvent::Clicked(action.clone()));
                if let Some(t) = &then {
                    emit(t.clone());
                }
            },
        )?;
    }
    Ok(())
}
