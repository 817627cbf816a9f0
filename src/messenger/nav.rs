//! Where the user is in the panel and what their clicks, keys and forms
//! do: opening and closing (focus in, focus back), moving between the
//! home, conversation and article views, and drawing each from the model.

use beckon_core::conversation::ContactEmail;
use web_sys::Element;

use super::model::{ask, Ask, Load, Pending, Target};
use super::sync::Job;
use super::view::article;
use super::view::conversation::{set_value, value, ConvView, Ctx};
use super::view::home::Home;
use super::view::Frame;
use super::{Inner, MessengerEvent, Panel, Screen, View};
use crate::client::to_json_string;
use crate::dom::document;
use crate::error::SdkResult;
use crate::ui::a11y::{focus, ReturnFocus};

impl Inner {
    pub(super) fn toggle(&mut self) -> SdkResult<()> {
        if self.panel.is_some() {
            self.close();
            Ok(())
        } else {
            self.open()
        }
    }

    pub(super) fn open(&mut self) -> SdkResult<()> {
        if self.panel.is_some() {
            return Ok(());
        }
        let back = ReturnFocus::remember();
        let frame = Frame::new(&self.wrap, &self.opts.locale)?;
        self.panel = Some(Panel {
            frame,
            screen: Screen::Empty,
            _return: back,
        });
        if let Some(l) = &self.launcher {
            l.set_expanded(true)?;
        }
        self.emit(MessengerEvent::Opened);
        self.render()?;
        self.load_list();
        Ok(())
    }

    pub(super) fn close(&mut self) {
        if self.panel.is_none() {
            return;
        }
        self.save_draft();
        self.panel = None;
        self.opened = None;
        if let Some(l) = &self.launcher {
            let _ = l.set_expanded(false);
        }
        self.emit(MessengerEvent::Closed);
    }

    pub(super) fn save_draft(&mut self) {
        if let Some(Screen::Conv(cv)) = self.panel.as_ref().map(|p| &p.screen) {
            self.draft = value(&cv.field);
        }
    }

    /// Moves to `view`, opening the panel if needed.
    pub(super) fn go(&mut self, view: View) -> SdkResult<()> {
        self.save_draft();
        let was = std::mem::replace(&mut self.view, view);
        if self.view == View::Home {
            self.history.clear();
        } else if self.panel.is_some() && was != self.view {
            self.history.push(was);
        }
        if self.panel.is_some() {
            self.render()
        } else {
            self.open()
        }
    }

    fn back(&mut self) -> SdkResult<()> {
        self.save_draft();
        self.view = self.history.pop().unwrap_or(View::Home);
        self.render()
    }

    pub(super) fn act(&mut self, act: &str, arg: &str) -> SdkResult<()> {
        match act {
            "launcher" => self.toggle(),
            "close" => {
                self.close();
                Ok(())
            }
            "back" => self.back(),
            "new" => {
                let target = self.model.new_target();
                self.go(View::Conv(target))
            }
            "conv" => self.go(View::Conv(Target::Conv(arg.to_owned()))),
            "article" => self.go(View::Article(arg.to_owned())),
            "helped" | "person" => self.feedback(arg, act == "helped"),
            "handoff" => {
                self.call("handoff", None, None);
                Ok(())
            }
            "rate" => self.rate(arg),
            "retry" => {
                self.model.requeue(Some(arg));
                self.pump();
                self.sync_conv()
            }
            _ => Ok(()),
        }
    }

    pub(super) fn submit(&mut self, form: &Element) -> SdkResult<()> {
        let field = |name: &str| {
            form.query_selector(&["[name=", name, "]"].concat())
                .ok()
                .flatten()
        };
        match form.get_attribute("data-form").as_deref() {
            Some("send") => {
                let Some(f) = field("body") else {
                    return Ok(());
                };
                let text = value(&f);
                if text.trim().is_empty() {
                    return Ok(());
                }
                set_value(&f, "");
                self.draft.clear();
                self.send(text)
            }
            Some("search") => {
                let q = field("q").map(|f| value(&f)).unwrap_or_default();
                self.search(q);
                Ok(())
            }
            Some("email") => {
                let email = field("email").map(|f| value(&f)).unwrap_or_default();
                let body = to_json_string(&ContactEmail { email })?;
                self.call("email", Some(body), None);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Draws the current view into the panel and moves focus into it.
    fn render(&mut self) -> SdkResult<()> {
        let Some(panel) = self.panel.as_mut() else {
            return Ok(());
        };
        let locale = self.opts.locale.as_str();
        let frame = &panel.frame;
        match &self.view {
            View::Home => {
                self.opened = None;
                frame.show(&self.config.team_name, false, false);
                let home = Home::new(&frame.body, locale, &self.config, &self.query)?;
                home.set_list(&self.model.list, locale, &self.config.bot_name)?;
                if let Some(r) = &self.results {
                    home.set_results(r, locale)?;
                }
                panel.screen = Screen::Home(home);
                focus_first(frame);
                if self.results.is_none() {
                    // The home view starts with the help center's articles.
                    self.search(String::new());
                }
            }
            View::Conv(target) => {
                frame.show(&self.config.team_name, true, true);
                let cv = ConvView::new(&frame.body, locale, &self.draft)?;
                focus(&cv.field);
                panel.screen = Screen::Conv(cv);
                if let Target::Conv(id) = target {
                    let id = id.clone();
                    if self.model.current.as_ref().is_none_or(|c| c.id != id) {
                        self.model.current = None;
                    }
                    // Read afresh even when known: what is kept may miss
                    // a status, a "seen" or the unread count of meanwhile.
                    self.fetch_current();
                    self.opened_conversation(id);
                }
                self.sync_conv()?;
            }
            View::Article(id) => {
                let loaded = matches!(&self.article, Load::Ready(a) if &a.id == id);
                if !loaded {
                    self.article = Load::Loading;
                    self.spawn(self.api.article(id), Job::Article);
                }
                self.redraw_article()?;
                if let Some(p) = &self.panel {
                    focus(&p.frame.back);
                }
            }
        }
        Ok(())
    }

    pub(super) fn redraw_article(&mut self) -> SdkResult<()> {
        let (Some(panel), View::Article(_)) = (self.panel.as_mut(), &self.view) else {
            return Ok(());
        };
        let locale = self.opts.locale.as_str();
        panel
            .frame
            .show(article::title(&self.article, locale), true, false);
        panel.screen = Screen::Empty;
        article::show(&panel.frame.body, &self.article, locale)
    }

    pub(super) fn redraw_list(&self) -> SdkResult<()> {
        if let Some(Screen::Home(home)) = self.panel.as_ref().map(|p| &p.screen) {
            home.set_list(&self.model.list, self.locale(), &self.config.bot_name)?;
        }
        Ok(())
    }

    pub(super) fn redraw_results(&self) -> SdkResult<()> {
        if let (Some(Screen::Home(home)), Some(r)) =
            (self.panel.as_ref().map(|p| &p.screen), &self.results)
        {
            home.set_results(r, self.locale())?;
        }
        Ok(())
    }

    /// The conversation the user is looking at right now (panel open, tab
    /// visible): its new messages are read as they arrive.
    pub(super) fn viewing(&self) -> Option<&str> {
        let visible = document().is_ok_and(|d| !d.hidden());
        match (&self.view, &self.panel) {
            (View::Conv(Target::Conv(id)), Some(_)) if visible => Some(id),
            _ => None,
        }
    }

    /// Redraws the conversation on screen from the model, and marks it
    /// read if the user is looking at unread messages.
    pub(super) fn sync_conv(&mut self) -> SdkResult<()> {
        let (Some(panel), View::Conv(target)) = (self.panel.as_mut(), &self.view) else {
            return Ok(());
        };
        let Screen::Conv(cv) = &mut panel.screen else {
            return Ok(());
        };
        let conv = match target {
            Target::Conv(id) => self.model.current.as_ref().filter(|c| &c.id == id),
            Target::New(_) => None,
        };
        let pending: Vec<&Pending> = self.model.pending_for(target).collect();
        let what = conv.map_or(Ask::Nothing, |c| ask(&self.model, c));
        let ctx = Ctx {
            locale: &self.opts.locale,
            bot_name: &self.config.bot_name,
            team: &self.config.team_name,
            expected: &self.config.expected_reply,
        };
        cv.sync(&ctx, conv, &pending, &what)?;
        cv.set_typing(&self.opts.locale, self.model.typing.as_deref());
        let title = conv
            .and_then(|c| c.assignee.as_deref())
            .unwrap_or(&self.config.team_name);
        panel.frame.title.set_text_content(Some(title));
        Ok(())
    }

    pub(super) fn opened_conversation(&mut self, id: String) {
        if self.opened.as_ref() != Some(&id) {
            self.opened = Some(id.clone());
            self.emit(MessengerEvent::ConversationOpened(id));
        }
    }
}

/// Focuses the first control of the panel's body (or the dialog).
fn focus_first(frame: &Frame) {
    match frame.first_control() {
        Some(el) => focus(&el),
        None => focus(&frame.dialog),
    }
}
