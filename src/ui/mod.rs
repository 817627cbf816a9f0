//! One module per surface; each renders a `core` message into its own
//! shadow root and reports what the user did through [`UiEvent`]s.
//!
//! The runtime owns state, storage and the network; a surface owns only its
//! nodes and listeners, all removed when it is dropped. That split keeps
//! every surface testable on its own in the browser, and lets the runtime
//! close any surface (route change, dismissal in another tab, shutdown) by
//! dropping it.

pub mod a11y;
pub mod banner;
pub mod card;
pub mod checklist;
pub mod i18n;
pub mod lift;
pub mod markdown;
pub mod position;
pub mod post;
pub mod theme;
pub mod tooltip;
pub mod tour;
pub mod track;

use beckon_core::vecmap::VecSet;
use std::rc::Rc;

use beckon_core::content::{PostLayout, TourStep};
use beckon_core::protocol::{Action, Message, MessageKind};
use serde_json::{Map, Value};

use crate::dom::ShadowHost;
use crate::error::SdkResult;

/// What a surface tells the runtime.
#[derive(Debug, Clone, PartialEq)]
pub enum UiEvent {
    /// The user closed it.
    Dismissed,
    /// The user clicked an action; the runtime carries it out.
    Clicked(Action),
    /// The user finished it (last tour step, every checklist task).
    Completed,
    /// A tour moved to this step (0-based); the runtime persists it so the
    /// tour continues on the next page.
    Step(usize),
    /// The user ticked off a checklist task by clicking it.
    TaskClicked(String),
}

/// Progress the runtime keeps for multi-step surfaces.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// The tour's current step.
    pub step: usize,
    /// Checklist tasks done.
    pub done_tasks: VecSet,
    /// The user has seen this message before (a checklist opens its panel
    /// only at first sight; after that its launcher waits to be asked).
    pub seen_before: bool,
    /// A tour is on screen: a checklist keeps its panel folded meanwhile.
    pub tour_running: bool,
}

/// What a surface needs to know besides its message.
#[derive(Debug, Clone)]
pub struct Env {
    /// The user's locale (`de-AT`), for the SDK's own strings and content
    /// variants.
    pub locale: String,
    /// The user's attributes, for `{{first_name|there}}` placeholders.
    pub attributes: Map<String, Value>,
    /// Progress of tours and checklists.
    pub progress: Progress,
    /// The stacking level of Beckon's surfaces.
    pub z_index: i32,
    /// `--beckon-*` custom properties the app set through `boot`.
    pub theme_vars: Vec<(&'static str, String)>,
    /// `light` or `dark` when the app fixed it; else the page's
    /// `prefers-color-scheme` decides.
    pub theme_mode: Option<&'static str>,
    /// The bottom corner the messenger's launcher takes, when the app shows
    /// one: the checklist docks in the other corner, and a corner post sits
    /// above the launcher, as the messenger's own previews would.
    pub launcher: Option<crate::runtime::options::Alignment>,
}

/// The stacking level of Beckon's surfaces unless the app sets `z_index`:
/// near the top of the 32-bit range, with room for [`layer`]'s lifts.
pub const DEFAULT_Z_INDEX: i32 = 2_147_483_000;

impl Default for Env {
    fn default() -> Self {
        Self {
            locale: "en".to_owned(),
            attributes: Map::new(),
            progress: Progress::default(),
            z_index: DEFAULT_Z_INDEX,
            theme_vars: Vec::new(),
            theme_mode: None,
            launcher: None,
        }
    }
}

/// Called by a surface for every [`UiEvent`]. Surfaces must not call it
/// re-entrantly from inside `show`.
pub type Emit = Rc<dyn Fn(UiEvent)>;

/// A surface on screen. Dropping it removes every node, listener, observer
/// and timer it added.
pub trait Surface {
    /// The runtime's progress changed (a task done elsewhere, another tab
    /// moved the tour); redraw what depends on it.
    fn update(&mut self, env: &Env) -> SdkResult<()>;

    /// The host of this surface when it is a bar fixed along the bottom of
    /// the page (a bottom banner), which what sits in the bottom corners
    /// keeps above (see [`lift`]); `None` for every other surface.
    fn bottom_bar(&self) -> Option<&web_sys::HtmlElement> {
        None
    }

    /// The host of this surface when it sits in a bottom corner (the
    /// checklist, a corner post), to be lifted above a bottom bar.
    fn bottom_corner(&self) -> Option<&web_sys::HtmlElement> {
        None
    }
}

/// Draws `message` with the surface of its kind.
pub fn show(message: &Message, env: &Env, emit: Emit) -> SdkResult<Box<dyn Surface>> {
    match message.kind {
        MessageKind::Banner => Ok(Box::new(banner::BannerView::show(message, env, emit)?)),
        MessageKind::Post => Ok(Box::new(post::PostView::show(message, env, emit)?)),
        MessageKind::Tooltip | MessageKind::Hotspot => {
            Ok(Box::new(tooltip::TooltipView::show(message, env, emit)?))
        }
        MessageKind::Checklist => Ok(Box::new(checklist::ChecklistView::show(
            message, env, emit,
        )?)),
        MessageKind::Tour => Ok(Box::new(tour::TourView::show(message, env, emit)?)),
    }
}

/// Whether `message`'s surface takes focus as it opens, at tour step
/// `step`: a centred post, a tour at a modal step. The runtime holds such
/// a message back while the user is typing into the page, whose next keys
/// would otherwise land in the dialog.
pub fn takes_focus(message: &Message, step: usize) -> bool {
    match message.kind {
        MessageKind::Post => message.content.layout == PostLayout::Center,
        MessageKind::Tour => message
            .content
            .tour
            .as_ref()
            .and_then(|t| t.steps.get(step))
            .is_some_and(TourStep::is_modal),
        _ => false,
    }
}

/// How far above `Env::z_index` each kind of surface sits, so they overlap
/// in an order that makes sense whatever order they opened in: a bubble
/// anchored in the page under a bar, a bar under a panel, a panel under a
/// modal, and the messenger (which the user opened) above everything.
pub mod layer {
    /// Tooltips and hotspots, anchored to the page's elements.
    pub const ANCHORED: i32 = 0;
    /// Banners.
    pub const BAR: i32 = 1;
    /// The checklist and corner posts.
    pub const PANEL: i32 = 2;
    /// Tours and centred posts.
    pub const MODAL: i32 = 3;
    /// The messenger.
    pub const MESSENGER: i32 = 4;
}

/// A host fixed over the page at `env.z_index` (plus `lift`: modal surfaces
/// sit above the others), pinned at `edges` (such as `[("top", "0"),
/// ("left", "0")]`), styled by the theme and `css`.
pub(crate) fn floating_host(
    surface: &str,
    css: &[&'static str],
    env: &Env,
    edges: &[(&str, &str)],
    lift: i32,
) -> SdkResult<ShadowHost> {
    let z = env.z_index.saturating_add(lift).to_string();
    let mut style = vec![
        ("position", "fixed"),
        ("z-index", z.as_str()),
        ("display", "block"),
    ];
    style.extend_from_slice(edges);
    let mut sheets = vec![theme::BASE_CSS];
    sheets.extend_from_slice(css);
    let host = ShadowHost::new(surface, &sheets, &style)?;
    apply_theme(&host, env);
    Ok(host)
}

/// Puts the app's theme on a surface's host: custom properties inherit
/// into the shadow root, and `data-theme` picks the palette.
pub(crate) fn apply_theme(host: &ShadowHost, env: &Env) {
    let el = host.host();
    for (name, value) in &env.theme_vars {
        let _ = el.style().set_property(name, value);
    }
    if let Some(mode) = env.theme_mode {
        attr(el, "data-theme", mode);
    }
}

/// Sets an attribute. Surfaces only use constant, valid names, which the
/// browser never refuses, so there is no error path to carry (each `?`
/// costs code in the wasm).
#[inline(never)]
pub(crate) fn attr(el: &web_sys::Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

/// Appends `child` to `parent`; both are nodes Beckon made, so the DOM's
/// hierarchy errors cannot happen.
pub(crate) fn add(parent: &impl AsRef<web_sys::Node>, child: &impl AsRef<web_sys::Node>) {
    add_node(parent.as_ref(), child.as_ref());
}

#[inline(never)]
fn add_node(parent: &web_sys::Node, child: &web_sys::Node) {
    let _ = parent.append_child(child);
}
