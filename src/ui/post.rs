//! The post: a card with a title, an image, rich text and actions, either
//! in the middle of the page as a modal dialog (focus trapped, Escape or a
//! click on the backdrop closes, focus returns on close) or in the bottom
//! corner as a non-modal dialog that leaves the page usable.

use beckon_core::content::PostLayout;
use beckon_core::protocol::Message;

use super::a11y::{focus, on_escape, trap_focus, ReturnFocus};
use super::card::{actions, close_button, fill, Listeners};
use super::i18n::{dir, is_rtl, text, Text};
use super::{add, attr};
use super::{floating_host, Emit, Env, Surface, UiEvent};
use crate::dom::{document, element, ShadowHost};
use crate::error::SdkResult;
use crate::runtime::options::Alignment;

const CSS: &str = ".backdrop{position:fixed;inset:0;display:grid;place-items:center;\
background:rgba(17,24,39,.6);padding:16px}\
.post{width:min(420px,calc(100vw - 32px));max-width:none;max-height:calc(100vh - 32px);overflow:auto}\
.corner{position:fixed;bottom:calc(16px + var(--bk-lift,0px));inset-inline-end:16px;width:min(340px,calc(100vw - 32px))}\
.corner.l{left:20px;right:auto}.corner.r{right:20px;left:auto}\
.corner.l,.corner.r{bottom:calc(88px + var(--bk-lift,0px))}";

/// A post on screen.
pub struct PostView {
    _listeners: Listeners,
    host: ShadowHost,
    /// In a bottom corner (not a centred modal).
    corner: bool,
    _return: Option<ReturnFocus>,
}

impl PostView {
    /// Draws `message` as a post.
    pub fn show(message: &Message, env: &Env, emit: Emit) -> SdkResult<Self> {
        let content = message.content.localized(&env.locale);
        let modal = content.layout == PostLayout::Center;
        let side = if is_rtl(&env.locale) { "left" } else { "right" };
        let host = floating_host(
            "post",
            &[CSS],
            env,
            &[("top", "0"), (side, "0")],
            if modal {
                super::layer::MODAL
            } else {
                super::layer::PANEL
            },
        )?;
        let doc = document()?;
        let return_focus = modal.then(ReturnFocus::remember);
        let mut listeners = Vec::new();
        let card = element(&doc, "div", "bk bk-anim card post", None)?;
        attr(&card, "role", "dialog");
        attr(&card, "dir", dir(&env.locale));
        attr(&card, "data-message-id", &message.id);
        attr(&card, "tabindex", "-1");
        if content.title.is_some() {
            attr(&card, "aria-labelledby", "t");
        } else {
            attr(&card, "aria-label", text(&env.locale, Text::Announcement));
        }
        fill(
            &doc,
            &card,
            content.title.as_deref(),
            &content.body,
            Some(&content),
            env,
            "t",
        )?;
        let buttons = element(&doc, "div", "actions", None)?;
        // Acting on a post is finishing it: it closes.
        actions(
            &doc,
            &buttons,
            &content,
            &emit,
            &mut listeners,
            Some(UiEvent::Completed),
        )?;
        if buttons.child_element_count() > 0 {
            add(&card, &buttons);
        }
        if content.dismissible {
            let e = emit.clone();
            close_button(
                &doc,
                &card,
                text(&env.locale, Text::Close),
                &mut listeners,
                move || e(UiEvent::Dismissed),
            )?;
            let e = emit.clone();
            listeners.push(on_escape(&card, move || e(UiEvent::Dismissed)));
        }
        if modal {
            attr(&card, "aria-modal", "true");
            let backdrop = element(&doc, "div", "bk backdrop", None)?;
            add(&backdrop, &card);
            add(host.root(), &backdrop);
            if content.dismissible {
                let e = emit.clone();
                let bd = backdrop.clone();
                listeners.push(gloo_events::EventListener::new(
                    &backdrop,
                    "click",
                    move |ev| {
                        // Only a click on the dimmed page itself, not on the card.
                        let on_backdrop = ev
                            .target()
                            .and_then(|t| {
                                wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok()
                            })
                            .is_some_and(|t| t == bd);
                        if on_backdrop {
                            e(UiEvent::Dismissed)
                        }
                    },
                ));
            }
            listeners.push(trap_focus(&card));
            focus(&card);
        } else {
            // Above the messenger's launcher when there is one, where its
            // own message previews would be.
            let side = match env.launcher {
                Some(Alignment::Left) => "l",
                Some(Alignment::Right) => "r",
                None => "",
            };
            card.class_list().add_1("corner").ok();
            if !side.is_empty() {
                card.class_list().add_1(side).ok();
            }
            add(host.root(), &card);
        }
        Ok(Self {
            _listeners: listeners,
            host,
            corner: !modal,
            _return: return_focus,
        })
    }
}

impl Surface for PostView {
    fn bottom_corner(&self) -> Option<&web_sys::HtmlElement> {
        self.corner.then(|| self.host.host())
    }

    fn update(&mut self, _env: &Env) -> SdkResult<()> {
        Ok(())
    }
}
