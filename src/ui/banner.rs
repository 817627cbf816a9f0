//! The banner: a strip across the top or bottom of the viewport (floating),
//! or inside a slot element the app placed in its layout (inline), with a
//! title, rich text, actions and a close button.
//!
//! Inline banners take the space the app reserved for the slot, so the
//! page does not shift when one appears; the slot gets
//! `data-beckon-state="open"` while a banner is in it and `"closed"` after,
//! so the app's CSS can give the space back once the user closed it (a
//! shift right after the user's own click does not count as layout shift).

use beckon_core::protocol::{BannerPosition, Message};
use web_sys::Element;

use super::a11y::Announcer;
use super::card::{actions, button, Listeners};
use super::i18n::{dir, text, Text};
use super::markdown::{fill_placeholders, plain, render_div};
use super::theme::BASE_CSS;
use super::{add, attr};
use super::{floating_host, Emit, Env, Surface, UiEvent};
use crate::dom::{document, element, ShadowHost};
use crate::error::SdkResult;
use crate::runtime::page::query_deep;

const CSS: &str = ".banner{display:flex;align-items:center;gap:12px;padding:10px 16px;\
background:var(--bk-bg);box-shadow:0 2px 12px rgba(0,0,0,.2)}\
.inline{border-radius:var(--bk-radius);box-shadow:none}\
.text{flex:1;min-width:0;overflow-wrap:anywhere}.title{font-weight:600;margin-inline-end:6px}\
.body,.body>p{display:inline;margin:0}.body{color:var(--bk-text)}\
.banner .actions{margin:0;flex-wrap:nowrap}\
.close{font-size:18px;padding:4px 8px}";

/// The attribute set on an app's banner slot while a banner is in it.
pub const SLOT_STATE: &str = "data-beckon-state";

/// A banner on screen; dropping it removes it and its listeners.
pub struct BannerView {
    _announcer: Announcer,
    _listeners: Listeners,
    host: ShadowHost,
    slot: Option<Element>,
    /// Fixed along the bottom of the page (not in a slot, not at the top).
    at_bottom: bool,
}

impl BannerView {
    /// Draws `message` as a banner.
    pub fn show(message: &Message, env: &Env, emit: Emit) -> SdkResult<Self> {
        let content = message.content.localized(&env.locale);
        let slot = content.slot.as_deref().and_then(|s| query_deep(s, |_| {}));
        let host = match &slot {
            Some(slot) => ShadowHost::new_in(
                Some(slot),
                "banner",
                &[BASE_CSS, CSS],
                &[("display", "block"), ("position", "relative")],
            )
            .inspect(|h| super::apply_theme(h, env))?,
            None => {
                let edge = match content.position {
                    BannerPosition::Top => "top",
                    BannerPosition::Bottom => "bottom",
                };
                floating_host(
                    "banner",
                    &[CSS],
                    env,
                    &[(edge, "0"), ("left", "0"), ("right", "0")],
                    super::layer::BAR,
                )?
            }
        };
        let doc = document()?;
        let class = if slot.is_some() {
            "bk bk-anim banner inline"
        } else {
            "bk bk-anim banner"
        };
        let root = element(&doc, "div", class, None)?;
        attr(&root, "role", "region");
        attr(&root, "dir", dir(&env.locale));
        let title = content
            .title
            .as_deref()
            .map(|t| fill_placeholders(t, &env.attributes));
        let label = title
            .as_deref()
            .unwrap_or(text(&env.locale, Text::Announcement));
        attr(&root, "aria-label", label);
        attr(&root, "data-message-id", &message.id);
        let text_box = element(&doc, "div", "text", None)?;
        if let Some(title) = &title {
            add(&text_box, &element(&doc, "span", "title", Some(title))?);
        }
        add(
            &text_box,
            &render_div(&doc, "body md", &content.body, &env.attributes)?,
        );
        add(&root, &text_box);

        let mut listeners = Vec::new();
        let buttons = element(&doc, "div", "actions", None)?;
        actions(&doc, &buttons, &content, &emit, &mut listeners, None)?;
        if content.dismissible {
            let close = button(
                &doc,
                &buttons,
                "close",
                "\u{00d7}",
                &mut listeners,
                move || emit(UiEvent::Dismissed),
            )?;
            attr(&close, "aria-label", text(&env.locale, Text::Dismiss));
        }
        add(&root, &buttons);
        add(host.root(), &root);
        // Banners are announced politely, in their own words.
        let mut announcer = Announcer::new(&doc, &root)?;
        announcer.say([label, ". ", &plain(&content.body, &env.attributes)].concat());
        if let Some(slot) = &slot {
            attr(slot, SLOT_STATE, "open");
        }
        Ok(Self {
            _announcer: announcer,
            _listeners: listeners,
            host,
            at_bottom: slot.is_none() && content.position == BannerPosition::Bottom,
            slot,
        })
    }
}

impl Surface for BannerView {
    fn bottom_bar(&self) -> Option<&web_sys::HtmlElement> {
        self.at_bottom.then(|| self.host.host())
    }

    fn update(&mut self, _env: &Env) -> SdkResult<()> {
        Ok(())
    }
}

impl Drop for BannerView {
    fn drop(&mut self) {
        if let Some(slot) = &self.slot {
            let _ = slot.set_attribute(SLOT_STATE, "closed");
        }
    }
}
