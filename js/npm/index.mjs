// Beckon for bundlers: `import { Beckon } from 'beckon-sdk'`.
// The same commands as the script tag's `Beckon(...)`; calls made before the
// WebAssembly module is ready are queued and replayed in order. The module
// is fetched next to this file (bundlers copy it through `new URL(…,
// import.meta.url)`), or from `Beckon.load({ wasmUrl })` if you host it.
import init, { configure, command } from './beckon.js';
import { boundToZone, outsideTheAppsZone } from './zones.mjs';

let state = 'idle';
const queue = [];
const warn = (m) => { try { console.warn('[Beckon] ' + m); } catch (_) {} };
const page = typeof window === 'object' && window ? window : null;

// One SDK per page. A page can get Beckon twice, the script tag (from a tag
// manager or the site's template) and this package in the app's bundle, and
// two instances would draw every message and launcher twice. The first to
// start owns `window.Beckon`: this package forwards to a script tag's SDK
// that is there before it, and takes `window.Beckon` itself otherwise, so a
// tag that comes later, and the page's own `Beckon(...)` calls, reach it.
function takeThePage() {
  const other = page && page.Beckon;
  if (typeof other === 'function' && other !== Beckon && (other.loaded || other.loader)) {
    state = 'forwarding';
    warn('the script tag has loaded Beckon on this page too; this package uses it instead of loading a second SDK');
    return false;
  }
  if (!page) return true;
  // Calls the page queued through the README's snippet before any SDK was
  // there go first, as the script tag would have replayed them.
  const early = typeof other === 'function' && Array.isArray(other.q) ? other.q : [];
  for (const c of early) queue.push({ name: c[0], arg: c[1], arg2: boundToZone(c[0], c[2], c.zone), from: c });
  Beckon.loaded = true;
  // The snippet's function, kept by a page, pushes onto `Beckon.q`: each
  // call reaches this package (see js/loader.js).
  Beckon.q = {
    push: (c) => {
      const out = Beckon(c[0], c[1], boundToZone(c[0], c[2], c.zone));
      if (c[0] === 'on') c.off = out;
      return out;
    },
  };
  page.Beckon = Beckon;
  return true;
}

function start(wasmUrl) {
  if (state !== 'idle') return;
  // Server-side rendering (Next.js, Nuxt, Remix…) imports this package in
  // Node, and may call it while rendering: no fetch of the module, one
  // warning, and every call answers as after a failed load.
  if (!page || typeof document !== 'object') {
    failed(new Error('not in a browser (server-side rendering?): Beckon runs in the browser only, call it from an effect or event handler'));
    return;
  }
  if (!takeThePage()) return;
  state = 'loading';
  // iOS's Lockdown Mode and some browser policies turn WebAssembly off.
  if (typeof WebAssembly !== 'object') {
    failed(new Error('this browser has WebAssembly turned off (Lockdown Mode or a policy), so the SDK does not load'));
    return;
  }
  const url = wasmUrl || moduleUrl();
  init({ module_or_path: url })
    .then(() => {
      configure({});
      state = 'ready';
      for (const c of queue.splice(0)) {
        if (c.cancelled || (c.from && c.from.cancelled)) continue;
        const out = run(c.name, c.arg, c.arg2);
        if (c.resolve) c.resolve(out);
        if (c.name === 'on') (c.from || c).off = out;
      }
    })
    .catch((e) => failed(new Error('could not load the SDK from ' + url + ': ' + (e && e.message ? e.message : e)
      + (/\/\.vite\/deps/.test(String(url))
        ? " (Vite's dev server moved this package without its .wasm: add optimizeDeps: { exclude: ['beckon-sdk'] } to vite.config)"
        : ''))));
}

// The module beside this file, where bundlers copy it. Vite's dev server
// before Vite 8 pre-bundles dependencies into node_modules/.vite/deps/
// without the files they load through `new URL(…, import.meta.url)`
// (vitejs/vite#8427): the SDK did not load in `vite dev` (the server
// answered the missing .wasm with the app's index.html). There the module
// is taken from this package's own folder, which that server serves too.
function moduleUrl() {
  const here = new URL('./beckon_bg.wasm', import.meta.url);
  const moved = here.pathname.match(/^(.*\/node_modules\/)\.vite\/deps[^/]*\/beckon_bg\.wasm$/);
  return moved ? new URL(moved[1] + 'beckon-sdk/beckon_bg.wasm', here) : here;
}

/** Says why the SDK did not load; queued and later boots resolve with it. */
let why = null;
function failed(e) {
  state = 'failed';
  why = e.message;
  warn(why);
  for (const c of queue.splice(0)) if (c.resolve) c.resolve({ ok: false, error: why });
}

function run(name, arg, arg2) {
  try {
    // Angular's zone.js: zones.mjs says why.
    return outsideTheAppsZone(command, String(name), arg, boundToZone(name, arg2));
  } catch (e) {
    warn(name + ' failed: ' + (e && e.message ? e.message : e));
    return undefined;
  }
}

export function Beckon(name, arg, arg2) {
  if (state === 'ready') return run(name, arg, arg2);
  // The module's download and start, outside an Angular app's zone too.
  outsideTheAppsZone(start);
  // The script tag's SDK, or its stub while it loads (which queues).
  if (state === 'forwarding') return page.Beckon(name, arg, arg2);
  if (state === 'failed') {
    if (name === 'boot') return Promise.resolve({ ok: false, error: why });
    return name === 'on' ? () => {} : undefined;
  }
  const call = { name, arg, arg2: boundToZone(name, arg2) };
  queue.push(call);
  if (name === 'boot') return new Promise((resolve) => { call.resolve = (p) => Promise.resolve(p).then(resolve); });
  if (name === 'on') {
    return () => { if (typeof call.off === 'function') call.off(); else call.cancelled = true; };
  }
  return undefined;
}

/** Starts loading now (optionally from your own URL of the .wasm). */
Beckon.load = (options) => outsideTheAppsZone(start, options && options.wasmUrl);

export default Beckon;
