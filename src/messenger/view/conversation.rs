//! The conversation view: the transcript as a live log, then what the
//! conversation asks of the user (feedback on the bot's answer, an email,
//! a rating), who will answer and when, who is typing, and the composer.
//!
//! The transcript only ever grows: a bubble is added once per message and
//! afterwards only its delivery line changes, so the `role=log` live
//! region announces each new message once. A pending message's bubble is
//! keyed by its client id and becomes the stored message in place.

use beckon_core::vecmap::VecMap;

use beckon_core::conversation::{
    AuthorKind, Conversation, ConversationMessage, ConversationStatus, Delivery, Source,
};
use web_sys::Element;

use super::{attrs, button, clear, el, field, submit, when};
use crate::dom::append;
use crate::error::{SdkError, SdkResult};
use crate::messenger::model::{key, Ask, Pending, SendState};
use crate::messenger::strings::{fill, t, S};
use crate::ui::markdown::render_div;

/// What the view needs besides the conversation.
pub struct Ctx<'a> {
    /// The user's locale.
    pub locale: &'a str,
    /// The bot's name on its answers.
    pub bot_name: &'a str,
    /// The team's name, when no one is assigned yet.
    pub team: &'a str,
    /// The app's usual reply time.
    pub expected: &'a str,
}

struct Bubble {
    el: Element,
    state: Element,
    shown: &'static str,
    pending: bool,
}

/// The conversation on screen.
pub struct ConvView {
    log: Element,
    typing: Element,
    foot: Element,
    foot_key: String,
    /// The composer's field.
    pub field: Element,
    bubbles: Vec<Bubble>,
    /// Where each key's bubble is in `bubbles` (long transcripts stay
    /// linear to sync).
    index: VecMap<usize>,
}

/// The `value` of a form field.
pub fn value(field: &Element) -> String {
    js_sys::Reflect::get(field, &"value".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Sets the `value` of a form field.
pub fn set_value(field: &Element, v: &str) {
    let _ = js_sys::Reflect::set(field, &"value".into(), &v.into());
}

impl ConvView {
    /// Draws an empty conversation into `body`, the composer holding
    /// `draft`.
    pub fn new(body: &Element, locale: &str, draft: &str) -> SdkResult<Self> {
        let log = el(body, "div", "log", None)?;
        attrs(
            &log,
            &[
                ("role", "log"),
                ("aria-live", "polite"),
                ("aria-label", t(locale, S::Conversation)),
                ("tabindex", "0"),
            ],
        )?;
        let typing = el(body, "p", "typing foot", None)?;
        attrs(&typing, &[("role", "status")])?;
        let foot = el(body, "div", "foot", None)?;
        let form = el(body, "form", "composer", None)?;
        attrs(&form, &[("data-form", "send")])?;
        let field = field(
            &form,
            "textarea",
            "body",
            t(locale, S::Write),
            &[("rows", "1"), ("dir", "auto"), ("maxlength", "10000")],
        )?;
        set_value(&field, draft);
        submit(&form, "primary", t(locale, S::Send))?;
        Ok(Self {
            log,
            typing,
            foot,
            foot_key: String::new(),
            field,
            bubbles: Vec::new(),
            index: VecMap::new(),
        })
    }

    /// Brings the screen up to date with `conv` (absent: not started yet)
    /// and the user's `pending` messages.
    pub fn sync(
        &mut self,
        ctx: &Ctx,
        conv: Option<&Conversation>,
        pending: &[&Pending],
        ask: &Ask,
    ) -> SdkResult<()> {
        // Follow the conversation only if the user has not scrolled up to
        // read something older.
        let log = &self.log;
        let at_bottom = log.scroll_height() - log.scroll_top() - log.client_height() < 48;
        let mut added = false;
        for m in conv.map(|c| c.messages.as_slice()).unwrap_or_default() {
            let shown = match m.delivery {
                Some(Delivery::Seen) => "v",
                Some(Delivery::Sent) => "d",
                None => "",
            };
            added |= self.put(ctx, key(m), shown, false, |ctx, parent| {
                message(ctx, parent, m)
            })?;
        }
        for p in pending {
            let shown = if p.state == SendState::Failed {
                "f"
            } else {
                "s"
            };
            added |= self.put(ctx, &p.client_id, shown, true, |ctx, parent| {
                let user = ConversationMessage {
                    id: String::new(),
                    client_id: None,
                    author: AuthorKind::User,
                    author_name: None,
                    body: p.body.clone(),
                    ts: p.ts,
                    sources: Vec::new(),
                    delivery: None,
                    asks_feedback: false,
                    asks_email: false,
                };
                message(ctx, parent, &user)
            })?;
        }
        let foot = self.set_foot(ctx, conv, ask)?;
        if (added || foot) && at_bottom {
            self.log.set_scroll_top(self.log.scroll_height());
        }
        Ok(())
    }

    /// Adds the bubble `key` (drawn by `draw`) if it is new, and sets its
    /// delivery line to `shown`. Returns whether a bubble was added.
    fn put(
        &mut self,
        ctx: &Ctx,
        key: &str,
        shown: &'static str,
        pending: bool,
        draw: impl FnOnce(&Ctx, &Element) -> SdkResult<(Element, Element)>,
    ) -> SdkResult<bool> {
        if let Some(b) = self.index.get(key).and_then(|&i| self.bubbles.get_mut(i)) {
            b.pending &= pending;
            if b.shown != shown {
                b.shown = shown;
                delivery(ctx.locale, &b.state, shown, key)?;
            }
            return Ok(false);
        }
        let (bubble, state) = draw(ctx, &self.log)?;
        // Stored messages go before the ones still sending, which stay
        // last until the server has them.
        if !pending {
            if let Some(first) = self.bubbles.iter().find(|b| b.pending) {
                let _ = self.log.insert_before(&bubble, Some(&first.el));
            }
        }
        delivery(ctx.locale, &state, shown, key)?;
        self.index.insert(key.to_owned(), self.bubbles.len());
        self.bubbles.push(Bubble {
            el: bubble,
            state,
            shown,
            pending,
        });
        Ok(true)
    }

    /// Shows who is typing (nobody when `None`).
    pub fn set_typing(&self, locale: &str, name: Option<&str>) {
        let text = name.map(|n| fill(locale, S::Typing, n));
        self.typing.set_text_content(text.as_deref());
    }

    /// Redraws what is below the transcript if it changed; returns
    /// whether it did.
    fn set_foot(&mut self, ctx: &Ctx, conv: Option<&Conversation>, ask: &Ask) -> SdkResult<bool> {
        let notice = conv.map(|c| notice(ctx, c)).unwrap_or_default();
        let status = conv.map_or("", |c| match c.status {
            ConversationStatus::Bot => "b",
            ConversationStatus::Open => "o",
            ConversationStatus::Closed => "c",
        });
        let ask_key = match ask {
            Ask::Nothing => "n",
            Ask::Feedback(id) => id.as_str(),
            Ask::Thanks => "t",
            Ask::Email => "e",
            Ask::Rating => "r",
        };
        let key = [notice.as_str(), "|", status, "|", ask_key].concat();
        if key == self.foot_key {
            return Ok(false);
        }
        self.foot_key = key;
        let foot = &self.foot;
        clear(foot);
        if !notice.is_empty() {
            el(foot, "p", "notice", Some(&notice))?;
        }
        let l = ctx.locale;
        match ask {
            Ask::Feedback(id) => {
                let row = el(foot, "div", "ask", None)?;
                el(&row, "span", "", Some(t(l, S::WasHelpful)))?;
                button(&row, "secondary", t(l, S::Helped), "helped", id)?;
                button(&row, "secondary", t(l, S::TalkToPerson), "person", id)?;
            }
            Ask::Thanks => {
                attrs(
                    &el(foot, "p", "", Some(t(l, S::Thanks)))?,
                    &[("role", "status")],
                )?;
            }
            Ask::Email => {
                let form = el(foot, "form", "search", None)?;
                attrs(&form, &[("data-form", "email")])?;
                let more = [
                    ("type", "email"),
                    ("required", ""),
                    ("autocomplete", "email"),
                    ("dir", "ltr"),
                ];
                field(&form, "input", "email", t(l, S::Email), &more)?;
                submit(&form, "primary", t(l, S::Save))?;
            }
            Ask::Rating => {
                attrs(&el(foot, "p", "", Some(t(l, S::Rate)))?, &[("id", "rl")])?;
                let row = el(foot, "div", "ask stars", None)?;
                attrs(&row, &[("role", "group"), ("aria-labelledby", "rl")])?;
                for n in ["1", "2", "3", "4", "5"] {
                    let b = button(&row, "", n, "rate", n)?;
                    attrs(&b, &[("aria-label", &fill(l, S::RateN, n))])?;
                }
            }
            Ask::Nothing => {
                if conv.is_some_and(|c| c.status == ConversationStatus::Bot) {
                    button(foot, "secondary", t(l, S::TalkToPerson), "handoff", "")?;
                }
            }
        }
        Ok(true)
    }
}

/// Who will answer and roughly when, while a person has the conversation
/// and has not answered the user's last words yet; that it is closed once
/// it is.
fn notice(ctx: &Ctx, c: &Conversation) -> String {
    match c.status {
        ConversationStatus::Closed => t(ctx.locale, S::Closed).to_owned(),
        ConversationStatus::Bot => String::new(),
        ConversationStatus::Open => {
            let waiting = c
                .messages
                .iter()
                .rev()
                .find(|m| m.author != AuthorKind::System)
                .is_none_or(|m| m.author != AuthorKind::Agent);
            if !waiting {
                return String::new();
            }
            let who = c.assignee.as_deref().unwrap_or(ctx.team);
            let soon = c.expected_reply.as_deref().unwrap_or(ctx.expected);
            [
                &fill(ctx.locale, S::WillAnswer, who),
                " \u{b7} ",
                &fill(ctx.locale, S::ReplyIn, soon),
            ]
            .concat()
        }
    }
}

/// Draws one message as a bubble in `log`; returns the bubble and its
/// delivery line.
fn message(ctx: &Ctx, log: &Element, m: &ConversationMessage) -> SdkResult<(Element, Element)> {
    let class = match m.author {
        AuthorKind::User => "msg user",
        AuthorKind::Bot => "msg bot",
        AuthorKind::Agent => "msg agent",
        AuthorKind::System => "msg system",
    };
    let b = el(log, "div", class, None)?;
    let l = ctx.locale;
    match m.author {
        // The side and colour say it visually; the words say it to
        // screen readers.
        AuthorKind::User => {
            el(&b, "span", "sr", Some(t(l, S::You)))?;
        }
        AuthorKind::Bot => {
            let who = el(
                &b,
                "div",
                "who",
                Some(m.author_name.as_deref().unwrap_or(ctx.bot_name)),
            )?;
            el(&who, "span", "tag", Some(t(l, S::Bot)))?;
        }
        AuthorKind::Agent => {
            el(
                &b,
                "div",
                "who",
                Some(m.author_name.as_deref().unwrap_or(ctx.team)),
            )?;
        }
        AuthorKind::System => {}
    }
    let doc = log
        .owner_document()
        .ok_or_else(|| SdkError::Browser("detached node".into()))?;
    append(
        &b,
        &render_div(&doc, "md", &m.body, &serde_json::Map::new())?,
    )?;
    sources(l, &b, &m.sources)?;
    let meta = el(&b, "div", "meta", None)?;
    if let Some((shown, iso)) = when(m.ts, l) {
        attrs(&el(&meta, "time", "", Some(&shown))?, &[("datetime", &iso)])?;
    }
    let state = el(&meta, "span", "", None)?;
    Ok((b, state))
}

/// "Source: <title>" under a bot answer; an article title opens the
/// article view.
fn sources(locale: &str, bubble: &Element, list: &[Source]) -> SdkResult<()> {
    for s in list {
        let line = el(
            bubble,
            "div",
            "src",
            Some(&[t(locale, S::Source), ": "].concat()),
        )?;
        if s.kind == "article" {
            attrs(
                &button(&line, "link", &s.title, "article", &s.id)?,
                &[("dir", "auto")],
            )?;
        } else {
            el(&line, "span", "", Some(&s.title))?;
        }
    }
    Ok(())
}

/// Fills a delivery line: sending, not sent (with Retry), delivered, seen.
fn delivery(locale: &str, state: &Element, shown: &str, client_id: &str) -> SdkResult<()> {
    clear(state);
    let word = match shown {
        "s" => S::Sending,
        "f" => S::NotSent,
        "d" => S::Delivered,
        "v" => S::Seen,
        _ => return Ok(()),
    };
    state.set_text_content(Some(t(locale, word)));
    if shown == "f" {
        button(state, "link", t(locale, S::Retry), "retry", client_id)?;
    }
    Ok(())
}
