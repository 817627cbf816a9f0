//! Where a floating card goes next to its anchor: the `flip`, `shift` and
//! `arrow` steps of floating-ui's `computePosition`, for one card at a time
//! in viewport coordinates (surfaces are `position: fixed`).
//!
//! Pages that scale themselves with CSS `zoom` on `<html>` or `<body>`
//! (a "compact mode", an app embedded at 90%) put the surfaces in a zoomed
//! box too: `getBoundingClientRect` answers in the viewport's pixels, but a
//! `left` of 100px inside the zoomed box lands at 100 × zoom. Every
//! measurement is therefore divided by the surface's own zoom
//! ([`css_zoom`]) before it is written, or tooltips and hotspots landed
//! away from their element (50 px off at 80%, 250 px at 125%).
//!
//! Why not the `floating-ui-dom` crate: it brings the whole middleware
//! pipeline, platform abstraction and its own web-sys feature set (tens of
//! KB of wasm); this is pure arithmetic of about 1 KB. What it leaves out:
//! `-start`/`-end` alignments, `autoPlacement`, `size` and `inline`.

use beckon_core::content::Placement;

/// A rectangle in viewport pixels.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// From a `getBoundingClientRect()`.
    pub fn of(el: &web_sys::Element) -> Rect {
        let r = el.get_bounding_client_rect();
        Rect {
            x: r.left(),
            y: r.top(),
            w: r.width(),
            h: r.height(),
        }
    }

    /// The same rectangle in the pixels of a box zoomed by `zoom`.
    pub fn unzoomed(self, zoom: f64) -> Rect {
        Rect {
            x: self.x / zoom,
            y: self.y / zoom,
            w: self.w / zoom,
            h: self.h / zoom,
        }
    }

    /// Whether it has a box and any of it is inside `clip` (an element
    /// scrolled away, or with no box at all, is not).
    pub fn is_visible_within(&self, clip: &Rect) -> bool {
        (self.w > 0.0 || self.h > 0.0)
            && self.x + self.w > clip.x
            && self.y + self.h > clip.y
            && self.x < clip.x + clip.w
            && self.y < clip.y + clip.h
    }

    /// Whether all of `other` is inside it.
    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.x + other.w <= self.x + self.w
            && other.y + other.h <= self.y + self.h
    }

    /// The part of it inside `other` (empty, `w` or `h` ≤ 0, when none).
    pub fn intersect(&self, other: &Rect) -> Rect {
        let x = self.x.max(other.x);
        let y = self.y.max(other.y);
        Rect {
            x,
            y,
            w: (self.x + self.w).min(other.x + other.w) - x,
            h: (self.y + self.h).min(other.y + other.h) - y,
        }
    }
}

/// The result: where the card's top-left corner goes, on which side it
/// ended up, and where along that side the arrow points (from the card's
/// left edge for top/bottom, from its top edge for left/right).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// Left of the card.
    pub x: f64,
    /// Top of the card.
    pub y: f64,
    /// The side of the anchor it is on, after flipping.
    pub side: Placement,
    /// The arrow's offset along the facing edge.
    pub arrow: f64,
}

/// Places a card of `size` (w, h) next to `anchor` in a viewport of
/// `viewport` (w, h): on `side` `gap` pixels away, flipped to the opposite
/// side if it overflows there and fits better on the other, shifted along
/// the edge to stay `padding` pixels inside the viewport, with the arrow
/// kept `arrow_pad` pixels from the card's corners.
pub fn place(
    anchor: Rect,
    size: (f64, f64),
    viewport: (f64, f64),
    side: Placement,
    gap: f64,
    padding: f64,
) -> Placed {
    let (w, h) = size;
    let (vw, vh) = viewport;
    // Room on each side of the anchor.
    let room = |s: Placement| match s {
        Placement::Top => anchor.y - padding,
        Placement::Bottom => vh - (anchor.y + anchor.h) - padding,
        Placement::Left => anchor.x - padding,
        Placement::Right => vw - (anchor.x + anchor.w) - padding,
    };
    let need = |s: Placement| match s {
        Placement::Top | Placement::Bottom => h + gap,
        Placement::Left | Placement::Right => w + gap,
    };
    let opposite = match side {
        Placement::Top => Placement::Bottom,
        Placement::Bottom => Placement::Top,
        Placement::Left => Placement::Right,
        Placement::Right => Placement::Left,
    };
    // flip: only when the preferred side overflows and the other is roomier.
    let side = if room(side) < need(side) && room(opposite) > room(side) {
        opposite
    } else {
        side
    };
    let vertical = matches!(side, Placement::Top | Placement::Bottom);
    let (mut x, mut y) = match side {
        Placement::Top => (anchor.x + (anchor.w - w) / 2.0, anchor.y - gap - h),
        Placement::Bottom => (anchor.x + (anchor.w - w) / 2.0, anchor.y + anchor.h + gap),
        Placement::Left => (anchor.x - gap - w, anchor.y + (anchor.h - h) / 2.0),
        Placement::Right => (anchor.x + anchor.w + gap, anchor.y + (anchor.h - h) / 2.0),
    };
    // shift: keep the cross axis inside the viewport.
    let clamp = |v: f64, size: f64, limit: f64| {
        let max = (limit - size - padding).max(padding);
        crate::dom::clamp(v, padding, max)
    };
    if vertical {
        x = clamp(x, w, vw);
    } else {
        y = clamp(y, h, vh);
    }
    // arrow: point at the anchor's centre, away from the rounded corners.
    let arrow_pad = 14.0;
    let arrow = if vertical {
        let centre = anchor.x + anchor.w / 2.0 - x;
        crate::dom::clamp(centre, arrow_pad, (w - arrow_pad).max(arrow_pad))
    } else {
        let centre = anchor.y + anchor.h / 2.0 - y;
        crate::dom::clamp(centre, arrow_pad, (h - arrow_pad).max(arrow_pad))
    };
    Placed { x, y, side, arrow }
}

/// The viewport's size in its own pixels, the ones `getBoundingClientRect`
/// answers in (without scrollbars). The root's `clientWidth` is in the
/// root's pixels, which a `zoom` on `<html>` scales.
pub fn viewport() -> (f64, f64) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    match el {
        Some(el) => {
            let zoom = css_zoom(&el);
            (
                f64::from(el.client_width()) * zoom,
                f64::from(el.client_height()) * zoom,
            )
        }
        None => (0.0, 0.0),
    }
}

/// The ancestors of `el` that clip what overflows them (an app's scrolling
/// pane, a card with `overflow: hidden`), nearest first, as floating-ui's
/// `hide` middleware finds them. In app-shell layouts an element scrolled
/// out of the main pane is still inside the viewport, under the page's
/// header: a hotspot or a tooltip stayed there, floating over the header
/// and pointing at nothing.
pub fn clipping_ancestors(el: &web_sys::Element) -> Vec<web_sys::Element> {
    let mut found = Vec::new();
    let Some(window) = web_sys::window() else {
        return found;
    };
    let mut next = parent_across_shadow(el);
    while let Some(parent) = next {
        // The document's own scrolling is the viewport's.
        if matches!(parent.tag_name().as_str(), "BODY" | "HTML") {
            break;
        }
        if let Ok(Some(style)) = window.get_computed_style(&parent) {
            let value = |name: &str| style.get_property_value(name).unwrap_or_default();
            let clips = |name: &str| !matches!(value(name).as_str(), "" | "visible");
            if clips("overflow-x") || clips("overflow-y") {
                found.push(parent.clone());
            }
            // Nothing above a fixed box scrolls it away.
            if value("position") == "fixed" {
                break;
            }
        }
        next = parent_across_shadow(&parent);
    }
    found
}

/// The viewport cut by the boxes of `clippers`, in viewport pixels.
pub fn clip_within(clippers: &[web_sys::Element]) -> Rect {
    let (vw, vh) = viewport();
    let view = Rect {
        x: 0.0,
        y: 0.0,
        w: vw,
        h: vh,
    };
    clippers
        .iter()
        .fold(view, |clip, el| clip.intersect(&Rect::of(el)))
}

/// The parent element of `el`, or the host of the shadow root it is in.
fn parent_across_shadow(el: &web_sys::Element) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    el.parent_element().or_else(|| {
        el.get_root_node()
            .dyn_into::<web_sys::ShadowRoot>()
            .ok()
            .map(|root| root.host())
    })
}

/// How much CSS `zoom` scales `el` (its own and its ancestors'), from
/// `currentCSSZoom`; 1 where the browser does not say (before Chrome 128,
/// Firefox 126, Safari 18.2), which is what those browsers' own
/// measurements assume.
pub fn css_zoom(el: &web_sys::Element) -> f64 {
    js_sys::Reflect::get(el, &"currentCSSZoom".into())
        .ok()
        .and_then(|z| z.as_f64())
        .filter(|z| z.is_finite() && *z > 0.0)
        .unwrap_or(1.0)
}

/// `v` viewport pixels as a CSS length inside a box zoomed by `zoom`.
pub fn px(v: f64, zoom: f64) -> String {
    [&((v / zoom).round() as i64).to_string(), "px"].concat()
}

/// Positions `card` (and its `arrow`) next to `anchor` (in viewport
/// pixels, as [`Rect::of`] measures) by writing `left`,
/// `top` and the arrow's offset through the CSSOM; sets `data-side` for the
/// arrow's CSS. Returns the side used.
pub fn apply(
    card: &web_sys::Element,
    arrow: Option<&web_sys::Element>,
    anchor: Rect,
    side: Placement,
) -> Placement {
    // Placed in the card's own pixels, so the gap and the padding are the
    // same share of the card at any zoom.
    let zoom = css_zoom(card);
    let own = Rect::of(card).unzoomed(zoom);
    let (vw, vh) = viewport();
    let p = place(
        anchor.unzoomed(zoom),
        (own.w, own.h),
        (vw / zoom, vh / zoom),
        side,
        12.0,
        8.0,
    );
    let own_px = |v: f64| px(v, 1.0);
    crate::dom::set_style(card, &[("left", &own_px(p.x)), ("top", &own_px(p.y))]);
    let name = match p.side {
        Placement::Top => "top",
        Placement::Bottom => "bottom",
        Placement::Left => "left",
        Placement::Right => "right",
    };
    let _ = card.set_attribute("data-side", name);
    if let Some(arrow) = arrow {
        let at = own_px(p.arrow - 6.0);
        // The other axis is cleared, so a flip leaves no stale offset.
        let (left, top) = if matches!(p.side, Placement::Top | Placement::Bottom) {
            (at.as_str(), "")
        } else {
            ("", at.as_str())
        };
        crate::dom::set_style(arrow, &[("left", left), ("top", top)]);
    }
    p.side
}

/// CSS of the arrow: a rotated square on the card's edge facing the anchor.
pub const ARROW_CSS: &str = ".arrow{position:absolute;width:12px;height:12px;background:var(--bk-bg);transform:rotate(45deg)}\
[data-side=bottom]>.arrow{top:-6px}[data-side=top]>.arrow{bottom:-6px}\
[data-side=right]>.arrow{left:-6px}[data-side=left]>.arrow{right:-6px}";
