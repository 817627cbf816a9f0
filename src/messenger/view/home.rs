//! The home view: the greeting, "Ask a question", the expected reply
//! time, the user's recent conversations and a search of the help
//! articles.

use beckon_core::conversation::{
    AuthorKind, ConversationMessage, ConversationSummary, MessengerConfig,
};
use web_sys::Element;

use super::{attrs, button, clear, el, field, submit, when};
use crate::error::SdkResult;
use crate::messenger::api::ArticleSummary;
use crate::messenger::model::Load;
use crate::messenger::strings::{fill, t, S};
use crate::ui::markdown::plain;

/// How many recent conversations the home view lists.
const RECENT: usize = 5;

/// The parts of the home view that change.
pub struct Home {
    recent: Element,
    results: Element,
}

/// "Name: words" for a list line: who wrote the last message and what.
pub fn preview(m: &ConversationMessage, locale: &str, bot_name: &str) -> String {
    let who = match m.author {
        AuthorKind::User => t(locale, S::You),
        AuthorKind::Bot => bot_name,
        AuthorKind::Agent => m.author_name.as_deref().unwrap_or(""),
        AuthorKind::System => "",
    };
    let words = plain(&m.body, &serde_json::Map::new());
    if who.is_empty() {
        words
    } else {
        [who, ": ", &words].concat()
    }
}

impl Home {
    /// Draws the home view into `body`, the search field holding `query`.
    pub fn new(
        body: &Element,
        locale: &str,
        config: &MessengerConfig,
        query: &str,
    ) -> SdkResult<Self> {
        attrs(
            &el(body, "p", "", Some(&config.greeting))?,
            &[("dir", "auto")],
        )?;
        button(body, "primary wide", t(locale, S::AskQuestion), "new", "")?;
        el(
            body,
            "p",
            "muted",
            Some(&fill(locale, S::ReplyIn, &config.expected_reply)),
        )?;
        let recent = el(body, "section", "", None)?;
        let form = el(body, "form", "search", None)?;
        attrs(&form, &[("role", "search"), ("data-form", "search")])?;
        field(
            &form,
            "input",
            "q",
            t(locale, S::SearchHelp),
            &[("type", "search"), ("value", query)],
        )?;
        submit(&form, "secondary", t(locale, S::Search))?;
        let results = el(body, "section", "", None)?;
        attrs(&results, &[("aria-live", "polite")])?;
        Ok(Self { recent, results })
    }

    /// Lists the newest conversations (nothing, not even a heading, when
    /// there are none).
    pub fn set_list(
        &self,
        list: &[ConversationSummary],
        locale: &str,
        bot_name: &str,
    ) -> SdkResult<()> {
        clear(&self.recent);
        if list.is_empty() {
            return Ok(());
        }
        el(&self.recent, "h3", "", Some(t(locale, S::Recent)))?;
        let ul = el(&self.recent, "ul", "", None)?;
        for c in list.iter().take(RECENT) {
            let row = button(&el(&ul, "li", "", None)?, "row", "", "conv", &c.id)?;
            let line = el(
                &row,
                "span",
                "line",
                Some(&preview(&c.last, locale, bot_name)),
            )?;
            attrs(&line, &[("dir", "auto")])?;
            if let Some((shown, _)) = when(c.updated_at, locale) {
                el(&row, "span", "meta", Some(&shown))?;
            }
            if c.unread > 0 {
                let n = c.unread.to_string();
                attrs(
                    &el(&row, "span", "badge", Some(&n))?,
                    &[("aria-hidden", "true")],
                )?;
                el(&row, "span", "sr", Some(&fill(locale, S::Unread, &n)))?;
            }
        }
        Ok(())
    }

    /// Shows the help articles found (or that the search is running or
    /// failed).
    pub fn set_results(&self, results: &Load<Vec<ArticleSummary>>, locale: &str) -> SdkResult<()> {
        clear(&self.results);
        let list = match results {
            Load::Loading => {
                el(&self.results, "p", "muted", Some(t(locale, S::Loading)))?;
                return Ok(());
            }
            Load::Failed => {
                el(&self.results, "p", "muted", Some(t(locale, S::LoadFailed)))?;
                return Ok(());
            }
            Load::Ready(list) => list,
        };
        el(&self.results, "h3", "", Some(t(locale, S::HelpArticles)))?;
        if list.is_empty() {
            el(&self.results, "p", "muted", Some(t(locale, S::NoResults)))?;
            return Ok(());
        }
        let ul = el(&self.results, "ul", "", None)?;
        for a in list.iter().take(8) {
            let b = button(
                &el(&ul, "li", "", None)?,
                "link",
                &a.title,
                "article",
                &a.id,
            )?;
            attrs(&b, &[("dir", "auto")])?;
        }
        Ok(())
    }
}
