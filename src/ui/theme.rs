//! The shared theme: CSS custom properties every surface reads, so an app
//! restyles all of them by setting a few variables, and the rules every
//! surface shares (cards, buttons, rich text, screen-reader-only text).
//!
//! An app sets `--beckon-accent`, `--beckon-accent-text`,
//! `--beckon-background`, `--beckon-text`, `--beckon-radius` and
//! `--beckon-font` in its own CSS (custom properties inherit into shadow
//! roots) or through `boot`'s `theme`. Surfaces are light, or dark when the
//! page prefers dark (`prefers-color-scheme`), unless `theme.mode` fixes one
//! (the host's `data-theme`).
//!
//! Default colours are chosen for WCAG AA. Light: text #111827 and muted
//! #4b5563 on white (17:1 and 7.6:1), links #1d4ed8 (6.7:1). Dark: text
//! #f9fafb and muted #d1d5db on #1f2937 (16:1 and 11:1), links #93c5fd
//! (8.9:1). White on the accent #3b5bdb is 5.6:1. Motion only runs under
//! `prefers-reduced-motion: no-preference`.

/// Variables and base rules included in every surface's stylesheet. In
/// print, no surface: a printed invoice or report shows the page, not a
/// banner or the launcher (an `!important` rule of the shadow root wins
/// over the host's own inline `!important` styles). In forced colours
/// (Windows' contrast themes) backgrounds and shadows are dropped, so the
/// cards, bars, the launcher and buttons get outlines of the system colours,
/// and the hotspot keeps a visible dot.
pub const BASE_CSS: &str = ":host{all:initial}\
@media print{:host{display:none!important}}\
*{box-sizing:border-box}\
.bk{--bk-accent:var(--beckon-accent,#3b5bdb);--bk-accent-text:var(--beckon-accent-text,#fff);\
--bk-bg:var(--beckon-background,#fff);--bk-text:var(--beckon-text,#111827);--bk-muted:#4b5563;\
--bk-link:#1d4ed8;--bk-focus:#1d4ed8;--bk-line:rgba(17,24,39,.15);--bk-code:rgba(17,24,39,.06);\
--bk-radius:var(--beckon-radius,8px);\
--bk-font:var(--beckon-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif);\
font:14px/1.45 var(--bk-font);color:var(--bk-text)}\
@media (prefers-color-scheme:dark){:host(:not([data-theme=light])) .bk{--bk-bg:var(--beckon-background,#1f2937);--bk-text:var(--beckon-text,#f9fafb);--bk-muted:#d1d5db;--bk-link:#93c5fd;--bk-focus:#fff;--bk-line:rgba(255,255,255,.2);--bk-code:rgba(255,255,255,.1)}}\
:host([data-theme=dark]) .bk{--bk-bg:var(--beckon-background,#1f2937);--bk-text:var(--beckon-text,#f9fafb);--bk-muted:#d1d5db;--bk-link:#93c5fd;--bk-focus:#fff;--bk-line:rgba(255,255,255,.2);--bk-code:rgba(255,255,255,.1)}\
button{font:inherit;cursor:pointer;border:0;border-radius:var(--bk-radius);padding:6px 12px;color:inherit;background:transparent}\
:focus-visible{outline:2px solid var(--bk-focus);outline-offset:2px}\
.primary{background:var(--bk-accent);color:var(--bk-accent-text)}\
.secondary{box-shadow:inset 0 0 0 1px var(--bk-muted)}\
.close{font-size:20px;line-height:1;padding:2px 8px}\
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}\
.card{position:relative;background:var(--bk-bg);border-radius:12px;padding:16px;\
box-shadow:0 10px 30px rgba(0,0,0,.3);max-width:min(360px,calc(100vw - 16px))}\
.card:focus{outline:none}.card h2{font-size:16px;margin:0 0 6px;padding-inline-end:28px}\
.card>.close{position:absolute;top:8px;inset-inline-end:8px}\
.md{overflow-wrap:anywhere;color:var(--bk-muted)}.md>*{margin:0 0 8px}.md>:last-child{margin-bottom:0}\
.md h3,.md h4,.md h5,.md h6{color:var(--bk-text);font-size:15px}.md ul,.md ol{padding-inline-start:20px}\
.md a{color:var(--bk-link)}.md strong{color:var(--bk-text)}\
.md code{font:12px ui-monospace,monospace;background:var(--bk-code);padding:1px 4px;border-radius:4px}\
.md pre{overflow:auto;background:var(--bk-code);padding:8px;border-radius:6px}\
.md img,.hero{max-width:100%;height:auto;border-radius:6px;display:block}.hero{margin:0 0 10px}\
.actions{display:flex;flex-wrap:wrap;gap:8px;justify-content:flex-end;margin-top:12px;align-items:center}\
.count{margin-inline-end:auto;color:var(--bk-muted);font-size:13px}\
@media (forced-colors:active){.card,.banner,.panel,.launcher,.dot,.resume{border:1px solid CanvasText}\
button:not(.close){border:1px solid ButtonText}.dot,.icon{forced-color-adjust:none;background:CanvasText}}\
@media (prefers-reduced-motion:no-preference){.bk-anim{animation:bk-in .2s ease-out}}\
@keyframes bk-in{from{opacity:0;transform:translateY(-6px)}to{opacity:1;transform:none}}";
