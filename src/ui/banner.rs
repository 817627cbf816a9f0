//! The banner: a strip across the top or bottom of the viewport with a
//! title, text, an optional action and a close button.

use beckon_core::protocol::{BannerPosition, Message};
use gloo_events::EventListener;

use super::theme::BASE_CSS;
use super::{Emit, Env, Surface, UiEvent};
use crate::dom::{append, document, element, set_attr, ShadowHost};
use crate::error::SdkResult;

const CSS: &str = ".banner{display:flex;align-items:center;gap:12px;padding:10px 16px;\
background:var(--bk-bg);box-shadow:0 2px 12px rgba(0,0,0,.2)}\
.text{flex:1;min-width:0;overflow-wrap:anywhere}.title{font-weight:600;margin-right:6px}\
.action{background:var(--bk-accent);color:var(--bk-accent-text)}\
.close{background:transparent;color:inherit;font-size:18px;line-height:1;padding:4px 8px}";

/// A banner on screen; dropping it removes it and its listeners.
pub struct BannerView {
    _listeners: Vec<EventListener>,
    _host: ShadowHost,
}

impl BannerView {
    /// Draws `message` as a banner.
    pub fn show(message: &Message, env: &Env, emit: Emit) -> SdkResult<Self> {
        let content = &message.content;
        let edge = match content.position {
            BannerPosition::Top => "top",
            BannerPosition::Bottom => "bottom",
        };
        let host = ShadowHost::new(
            "banner",
            &[BASE_CSS, CSS].concat(),
            &[
                ("position", "fixed"),
                (edge, "0"),
                ("left", "0"),
                ("right", "0"),
                ("z-index", &env.z_index.to_string()),
                ("display", "block"),
            ],
        )?;
        let doc = document()?;
        let root = element(&doc, "div", "bk bk-anim banner", None)?;
        set_attr(&root, "role", "region")?;
        set_attr(&root, "aria-live", "polite")?;
        set_attr(
            &root,
            "aria-label",
            content.title.as_deref().unwrap_or("Announcement"),
        )?;
        set_attr(&root, "data-message-id", &message.id)?;
        let text = element(&doc, "div", "text", None)?;
        if let Some(title) = &content.title {
            append(&text, &element(&doc, "span", "title", Some(title))?)?;
        }
        append(&text, &element(&doc, "span", "body", Some(&content.body))?)?;
        append(&root, &text)?;

        let mut listeners = Vec::new();
        if let Some(action) = &content.action {
            let button = element(&doc, "button", "action", Some(&action.label))?;
            set_attr(&button, "type", "button")?;
            let (emit, action) = (emit.clone(), action.clone());
            listeners.push(EventListener::new(&button, "click", move |_| {
                emit(UiEvent::Clicked(action.clone()))
            }));
            append(&root, &button)?;
        }
        if content.dismissible {
            let close = element(&doc, "button", "close", Some("\u{00d7}"))?;
            set_attr(&close, "type", "button")?;
            set_attr(&close, "aria-label", "Dismiss")?;
            listeners.push(EventListener::new(&close, "click", move |_| {
                emit(UiEvent::Dismissed)
            }));
            append(&root, &close)?;
        }
        append(host.root(), &root)?;
        Ok(Self {
            _listeners: listeners,
            _host: host,
        })
    }
}

impl Surface for BannerView {
    fn update(&mut self, _env: &Env) -> SdkResult<()> {
        Ok(())
    }
}
