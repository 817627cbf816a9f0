//! Rich text of messages: the safe Markdown subset of
//! [`beckon_core::content::markdown`] built as DOM nodes.
//!
//! Every node is made with `createElement` / `createTextNode` and a fixed
//! list of attributes (`href` and `src` only after the URL check), so no
//! server string is ever parsed as HTML: `<script>`, `onerror=`, `<svg>`,
//! `<style>` arrive as visible text. Parsing lives in core so it is unit
//! tested natively and usable by the server; this half is a few hundred
//! bytes of wasm.
//!
//! Headings start at `<h3>` (`#` → h3 … `####` and deeper → h6), because a
//! surface's own title is the `<h2>` of its card. Every block gets
//! `dir="auto"`, so an Arabic paragraph in an English message (or the
//! reverse) lays out in its own direction.

use beckon_core::content::markdown::{parse, plain_text, Block, Inline};
use serde_json::{Map, Value};
use web_sys::{Document, DocumentFragment, Element, Node};

pub use beckon_core::content::markdown::{fill_placeholders, is_safe_image_url, is_safe_url};

use super::{add, attr};
use crate::dom::element;
use crate::error::SdkResult;

/// Builds `text` as DOM nodes, filling `{{name|fallback}}` placeholders
/// from `attributes` as text.
pub fn render(
    doc: &Document,
    text: &str,
    attributes: &Map<String, Value>,
) -> SdkResult<DocumentFragment> {
    let fragment = doc.create_document_fragment();
    for block in parse(text, attributes) {
        add(&fragment, &block_node(doc, &block)?);
    }
    Ok(fragment)
}

/// Renders `text` into a new `<div class="…">`, the usual way surfaces
/// place a body.
pub fn render_div(
    doc: &Document,
    class: &str,
    text: &str,
    attributes: &Map<String, Value>,
) -> SdkResult<Element> {
    let div = element(doc, "div", class, None)?;
    add(&div, &render(doc, text, attributes)?);
    Ok(div)
}

const HEADINGS: [&str; 4] = ["h3", "h4", "h5", "h6"];

fn block_node(doc: &Document, block: &Block) -> SdkResult<Element> {
    let el = match block {
        Block::Heading(level, content) => {
            let tag = HEADINGS[usize::from(level.saturating_sub(1)).min(3)];
            let el = element(doc, tag, "", None)?;
            inline_nodes(doc, &el, content)?;
            el
        }
        Block::Paragraph(content) => {
            let el = element(doc, "p", "", None)?;
            inline_nodes(doc, &el, content)?;
            el
        }
        Block::List {
            ordered,
            start,
            items,
        } => {
            let el = element(doc, if *ordered { "ol" } else { "ul" }, "", None)?;
            if *ordered && *start != 1 {
                attr(&el, "start", &start.to_string());
            }
            for item in items {
                let li = element(doc, "li", "", None)?;
                inline_nodes(doc, &li, item)?;
                add(&el, &li);
            }
            el
        }
        Block::Code(code) => {
            let pre = element(doc, "pre", "", None)?;
            add(&pre, &element(doc, "code", "", Some(code))?);
            // Code reads left to right whatever the language around it.
            attr(&pre, "dir", "ltr");
            return Ok(pre);
        }
    };
    attr(&el, "dir", "auto");
    Ok(el)
}

fn inline_nodes(doc: &Document, parent: &Element, nodes: &[Inline]) -> SdkResult<()> {
    for node in nodes {
        let child: Node = match node {
            Inline::Text(t) => doc.create_text_node(t).into(),
            Inline::Break => element(doc, "br", "", None)?.into(),
            Inline::Code(c) => element(doc, "code", "", Some(c))?.into(),
            Inline::Strong(c) | Inline::Emphasis(c) => {
                let tag = if matches!(node, Inline::Strong(_)) {
                    "strong"
                } else {
                    "em"
                };
                let el = element(doc, tag, "", None)?;
                inline_nodes(doc, &el, c)?;
                el.into()
            }
            Inline::Link { href, content } => {
                let a = element(doc, "a", "", None)?;
                attr(&a, "href", href);
                let lower = href.trim_start().to_ascii_lowercase();
                if lower.starts_with("http:") || lower.starts_with("https:") {
                    // Another site: a new tab that cannot reach back to the app.
                    attr(&a, "target", "_blank");
                    attr(&a, "rel", "noopener noreferrer");
                }
                inline_nodes(doc, &a, content)?;
                a.into()
            }
            Inline::Image { src, alt } => {
                let img = element(doc, "img", "", None)?;
                attr(&img, "src", src);
                attr(&img, "alt", alt);
                attr(&img, "loading", "lazy");
                attr(&img, "referrerpolicy", "no-referrer");
                hide_if_broken(&img);
                img.into()
            }
        };
        add(parent, &child);
    }
    Ok(())
}

/// The words of Markdown `text` without formatting, placeholders filled:
/// what a live region announces.
pub fn plain(text: &str, attributes: &Map<String, Value>) -> String {
    let mut out = String::new();
    for block in parse(text, attributes) {
        if !out.is_empty() {
            out.push(' ');
        }
        match &block {
            Block::Heading(_, c) | Block::Paragraph(c) => plain_text(c, &mut out),
            Block::List { items, .. } => {
                for item in items {
                    plain_text(item, &mut out);
                    out.push(' ');
                }
            }
            Block::Code(code) => out.push_str(code),
        }
    }
    out
}

/// Takes `img` out of the layout if it cannot be loaded (a file moved on
/// the app's server, a host the page's `img-src` refuses, offline): the
/// browser's broken-image icon and alt text in the middle of a post looked
/// like a broken product. One handler for every image, as a property, so
/// nothing is added per image and it goes with the node.
pub fn hide_if_broken(img: &Element) {
    use wasm_bindgen::JsCast;
    if let Some(img) = img.dyn_ref::<web_sys::HtmlElement>() {
        HIDE_ON_ERROR.with(|hide| img.set_onerror(Some(hide.as_ref().unchecked_ref())));
    }
}

thread_local! {
    static HIDE_ON_ERROR: wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)> =
        wasm_bindgen::closure::Closure::new(|e: web_sys::Event| {
            use wasm_bindgen::JsCast;
            if let Some(img) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                crate::dom::set_style(&img, &[("display", "none")]);
            }
        });
}
