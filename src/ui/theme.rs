//! The shared theme: CSS custom properties every surface reads, so an app
//! restyles all of them by setting a few variables.

/// Variables and base rules included in every surface's stylesheet.
pub const BASE_CSS: &str = ":host{all:initial}\
*{box-sizing:border-box}\
.bk{--bk-accent:#3b5bdb;--bk-accent-text:#fff;--bk-bg:#1f2937;--bk-text:#f9fafb;--bk-radius:8px;\
--bk-font:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font:14px/1.45 var(--bk-font);color:var(--bk-text)}\
button{font:inherit;cursor:pointer;border:0;border-radius:var(--bk-radius);padding:6px 12px}\
button:focus-visible{outline:2px solid #fff;outline-offset:2px}\
@media (prefers-reduced-motion:no-preference){.bk-anim{animation:bk-in .2s ease-out}}\
@keyframes bk-in{from{opacity:0;transform:translateY(-6px)}to{opacity:1;transform:none}}";
