//! The article view: one knowledge-base article, the same record a
//! tooltip's "learn more", a banner and the bot's citations link to. Its
//! title is the panel's heading; the body is rendered by
//! [`crate::ui::markdown`] (DOM nodes, never HTML).

use web_sys::Element;

use super::{attrs, el};
use crate::dom::append;
use crate::error::{SdkError, SdkResult};
use crate::messenger::api::Article;
use crate::messenger::model::Load;
use crate::messenger::strings::{t, S};
use crate::ui::markdown::render_div;

/// The panel title for `article`.
pub fn title<'a>(article: &'a Load<Article>, locale: &str) -> &'a str {
    match article {
        Load::Ready(a) => &a.title,
        _ => t(locale, S::HelpArticles),
    }
}

/// Draws `article` (or its loading or failure) into `body`.
pub fn show(body: &Element, article: &Load<Article>, locale: &str) -> SdkResult<()> {
    match article {
        Load::Loading => el(body, "p", "muted", Some(t(locale, S::Loading))).map(drop),
        Load::Failed => el(body, "p", "muted", Some(t(locale, S::LoadFailed))).map(drop),
        Load::Ready(a) => {
            let doc = body
                .owner_document()
                .ok_or_else(|| SdkError::Browser("detached node".into()))?;
            let div = render_div(&doc, "md", &a.body, &serde_json::Map::new())?;
            attrs(&div, &[("data-article", &a.id)])?;
            append(body, &div)
        }
    }
}
