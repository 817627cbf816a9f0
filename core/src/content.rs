//! What a message says and offers: the content of every surface (banner,
//! tooltip, hotspot, checklist, tour, post). Text fields are Markdown in a
//! safe subset that the SDK builds as DOM nodes, never as HTML.

use serde::{Deserialize, Serialize};

pub mod markdown;

/// Where a banner sits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BannerPosition {
    /// Across the top of the viewport.
    #[default]
    Top,
    /// Across the bottom of the viewport.
    Bottom,
}

/// The content of a message. Text fields are Markdown in a safe subset that
/// the SDK builds as DOM nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// A short heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The main text.
    #[serde(default)]
    pub body: String,
    /// Banner placement.
    #[serde(default)]
    pub position: BannerPosition,
    /// Whether the user may close it (most messages: yes).
    #[serde(default = "yes")]
    pub dismissible: bool,
    /// The button, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

fn yes() -> bool {
    true
}

/// The same defaults as an empty JSON object gets: dismissible.
impl Default for Content {
    fn default() -> Self {
        Self {
            title: None,
            body: String::new(),
            position: BannerPosition::default(),
            dismissible: true,
            action: None,
        }
    }
}

/// A button on a message and what it does. (Not `deny_unknown_fields`:
/// serde cannot combine it with the flattened target.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// The button's text.
    pub label: String,
    /// Where it leads.
    #[serde(flatten)]
    pub target: ActionTarget,
}

/// What an action does when clicked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActionTarget {
    /// Open a URL (http(s), mailto or relative only).
    Url {
        /// The address.
        url: String,
    },
    /// Open a knowledge-base article in the messenger.
    Article {
        /// The article's id.
        article_id: String,
    },
    /// Start a tour.
    Tour {
        /// The tour message's id.
        message_id: String,
    },
    /// Open the messenger, optionally with a prefilled message.
    Messenger {
        /// Text to prefill.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
}
