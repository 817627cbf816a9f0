//! The shared theme: CSS custom properties every surface reads, so an app
//! restyles all of them by setting a few variables, and the rules every
//! surface shares (cards, buttons, rich text, screen-reader-only text).
//!
//! Default colours are chosen for WCAG AA: body text #f9fafb and muted text
//! #d1d5db on #1f2937 (16:1 and 11:1), links #93c5fd (8.9:1), white on the
//! accent #3b5bdb (5.6:1). Motion only runs under
//! `prefers-reduced-motion: no-preference`.

/// Variables and base rules included in every surface's stylesheet.
pub const BASE_CSS: &str = ":host{all:initial}\
*{box-sizing:border-box}\
.bk{--bk-accent:#3b5bdb;--bk-accent-text:#fff;--bk-bg:#1f2937;--bk-text:#f9fafb;--bk-muted:#d1d5db;\
--bk-link:#93c5fd;--bk-radius:8px;\
--bk-font:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font:14px/1.45 var(--bk-font);color:var(--bk-text)}\
button{font:inherit;cursor:pointer;border:0;border-radius:var(--bk-radius);padding:6px 12px;color:inherit;background:transparent}\
:focus-visible{outline:2px solid #fff;outline-offset:2px}\
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
.md code{font:12px ui-monospace,monospace;background:rgba(255,255,255,.1);padding:1px 4px;border-radius:4px}\
.md pre{overflow:auto;background:rgba(0,0,0,.3);padding:8px;border-radius:6px}\
.md img,.hero{max-width:100%;height:auto;border-radius:6px;display:block}.hero{margin:0 0 10px}\
.actions{display:flex;flex-wrap:wrap;gap:8px;justify-content:flex-end;margin-top:12px;align-items:center}\
.count{margin-inline-end:auto;color:var(--bk-muted);font-size:13px}\
@media (prefers-reduced-motion:no-preference){.bk-anim{animation:bk-in .2s ease-out}}\
@keyframes bk-in{from{opacity:0;transform:translateY(-6px)}to{opacity:1;transform:none}}";
