/*! Beckon loader — queues Beckon(...) calls until the SDK is ready. */
// Include with <script async src=".../sdk/loader.js" data-app-id="…"></script>.
// It defines window.Beckon at once as a stub that queues calls (as Intercom's
// snippet does), fetches the .wasm (the module compiles while it streams in),
// and replays the queue when it is ready.
//
// The build bundles wasm-bindgen's glue into this file (scripts/build-sdk.sh):
// a separate glue module was a second request that only started once this
// script ran, and on a first visit it often arrived after the module. The
// build also writes the module's content hash into WASM_VERSION, so this
// file always asks for the module its glue was made for: browsers cache the
// two separately, and a glue of one build with the module of another fails
// to instantiate. The server keeps the modules of the last few builds under
// those names; a loader older still finds its module gone and fetches the
// current loader once, which takes over the queue (`reloadLoader`).
// Attributes of the script tag:
//   data-app-id     the app to boot
//   data-api-base   the Beckon server (default: where this file came from)
//   data-auto-boot  boot at once, anonymously unless the page calls boot
//   data-defer      "idle": load when the browser is idle;
//                   "interaction": load on the first click, key or scroll
// Nothing here can throw into the page, and it never blocks rendering.
import * as glue from 'beckon-glue';
import { boundToZone, outsideTheAppsZone } from './zones.mjs';

(function (w, d) {
  'use strict';
  var script = d.currentScript;
  var data = (script && script.dataset) || {};
  var warn = function (m) { try { console.warn('[Beckon] ' + m); } catch (_) {} };
  // A page with the tag twice (a tag manager and the template both adding
  // it, say), or with the npm package too: the first one owns the SDK, a
  // second would load another instance beside it. Only the current loader
  // fetched by an outdated one (`reloadLoader`) takes over.
  if (w.Beckon && (w.Beckon.loaded || (w.Beckon.loader && data.beckonReloaded === undefined))) {
    warn('the SDK is on this page more than once (loader.js twice, or loader.js and the npm package); only the first one loads');
    return;
  }
  var src = (script && script.src) || '';
  // The origin this file came from (`src` is absolute).
  var origin = (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(src) || [])[0];
  // The default server: where this file came from, less its `/sdk/` folder,
  // so a server behind a proxy under a path (`https://example.com/beckon/
  // sdk/loader.js`) is asked at that path, not at the origin's root.
  var home = (/^(.*)\/sdk\/[^/]*$/.exec(src.split(/[?#]/)[0]) || [])[1] || origin;
  var base = src ? src.slice(0, src.lastIndexOf('/') + 1) : '/sdk/';
  var queue = (w.Beckon && w.Beckon.q) || [];
  // Beckon('on', …) must answer its unsubscribe function at once, before the
  // SDK exists: the stub answers a forwarder that reaches the real one later.
  var early = null;
  var loading = false;
  var STALE = {};
  var stub = function (name) {
    // A page that kept a reference to this stub (`var B = window.Beckon`
    // before the load) reaches the loaded SDK, also one that a newer
    // loader loaded (`reloadLoader`).
    var sdk = w.Beckon;
    if (sdk !== stub && sdk && sdk.loaded) return sdk.apply(null, arguments);
    var call = [].slice.call(arguments);
    if (name === 'on') call[2] = boundToZone(name, call[2]);
    if (name === 'boot' && failed) return Promise.resolve({ ok: false, error: failed });
    queue.push(call);
    if (name === 'boot' && loading && !early) early = prefetchBoot();
    if (name === 'on') {
      return function () {
        if (typeof call.off === 'function') call.off();
        else call.cancelled = true;
      };
    }
    // As once loaded: `boot` answers a promise of `{ ok, error? }`.
    if (name === 'boot') return new Promise(function (resolve) { call.resolve = resolve; });
  };
  // Why the SDK could not load, once that is known: queued and later boots
  // resolve with it.
  var failed = null;
  var fail = function (why) {
    failed = why;
    warn(why);
    for (var i = 0; i < queue.length; i++) if (queue[i].resolve) queue[i].resolve({ ok: false, error: why });
  };
  stub.q = queue;
  stub.loader = true;
  w.Beckon = stub;

  // The boot request, sent now rather than after the module has compiled,
  // when the page has already asked for a boot (or data-auto-boot): the
  // network round trip then overlaps the module's download. The SDK uses the
  // answer only if it is for exactly the user it boots (`key`), else asks
  // again itself.
  // JSON.stringify as if the page had not given arrays a `toJSON`
  // (Prototype.js 1.6 does, and lists became strings): set aside for this
  // one call, as the SDK does (`client::stringify` says why).
  function stringify(value) {
    var p = Array.prototype;
    var own = Object.getOwnPropertyDescriptor(p, 'toJSON');
    if (!own || !own.configurable) return JSON.stringify(value);
    delete p.toJSON;
    try {
      return JSON.stringify(value);
    } finally {
      Object.defineProperty(p, 'toJSON', own);
    }
  }

  function prefetchBoot() {
    try {
      var call = null;
      for (var i = 0; i < queue.length; i++) if (queue[i][0] === 'boot') { call = queue[i]; break; }
      if (!call && data.autoBoot === undefined) return null;
      var o = (call && call[1]) || {};
      var app = o.app_id || data.appId;
      if (!app || typeof o !== 'object') return null;
      var idKey = 'beckon:' + app + ':anonymous_id';
      var anon = localStorage.getItem(idKey);
      if (!anon) {
        var b = crypto.getRandomValues(new Uint8Array(16));
        anon = Array.prototype.map.call(b, function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join('');
        localStorage.setItem(idKey, anon);
      }
      var attrs = o.attributes || {};
      var user = { anonymous_id: anon };
      ['user_id', 'email', 'user_hash', 'user_jwt'].forEach(function (k) { if (o[k]) user[k] = o[k]; });
      if (Object.keys(attrs).length) user.attributes = attrs;
      var apiBase = o.api_base || data.apiBase || home || location.origin;
      var body = stringify({
        v: 1, app_id: app, user: user,
        page: { url: location.href, title: d.title, locale: navigator.language },
        // This browser's clock: the server answers the state in it.
        sent_at: Date.now(),
      });
      // Read here, as `{status, text}`: the SDK then finds a settled promise
      // and draws the first messages in the task it starts in, before the
      // page's next frame, instead of reading the body a task later.
      var response = fetch(apiBase.replace(/\/$/, '') + '/v1/boot', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: body,
      }).then(function (r) {
        return r.text().then(
          function (text) { return { status: r.status, text: text }; },
          function () { return { status: r.status }; });
      });
      response.catch(function () {});
      var key = stringify([app, o.user_id || null, anon, o.email || null, o.user_hash || null, o.user_jwt || null, attrs]);
      return { key: key, response: response };
    } catch (_) {
      return null; // storage blocked, odd options: the SDK boots on its own
    }
  }

  function load() {
    // iOS's Lockdown Mode and some browser policies turn WebAssembly off.
    if (typeof WebAssembly !== 'object') {
      fail('this browser has WebAssembly turned off (Lockdown Mode or a policy), so the SDK does not load');
      return;
    }
    loading = true;
    // Start the module download now and compile it as it streams in. It
    // goes before the boot request: the module is the longer download, and
    // a page's first `fetch` call alone can take several milliseconds.
    // The module is compiled here and instantiated by the glue's `initSync`:
    // the glue's async init would test its argument against `Request` and
    // `URL`, and the page would build both interfaces for nothing.
    var url = base + 'beckon_bg.' + WASM_VERSION + '.wasm';
    var get = function () {
      return fetch(url, { credentials: 'same-origin' }).then(function (r) {
        if (r.status === 404) throw STALE;
        if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
        return r;
      });
    };
    var bytes = function (r) { return r.arrayBuffer().then(function (b) { return WebAssembly.compile(b); }); };
    var compile = function () {
      return get().then(function (r) {
        if (!WebAssembly.compileStreaming) return bytes(r);
        return WebAssembly.compileStreaming(r).catch(function (e) {
          // Mostly: not sent as application/wasm, so it cannot compile
          // while it downloads. Fetched again (from the cache) and
          // compiled whole; the warning carries the browser's reason.
          if (!(e instanceof TypeError)) throw e;
          warn('could not compile ' + url + ' while it downloaded (' + e.message + '); it is compiled once downloaded');
          return get().then(bytes);
        });
      });
    };
    // The server unreachable (a network failure, which `fetch` reports as
    // a TypeError; an HTTP answer is final): asked again after 1, 3 and
    // 9 s, or as soon as the browser is back online. Calls stay queued.
    // A Content-Security-Policy whose connect-src leaves this server out
    // also makes `fetch` fail with a TypeError, which asking again cannot
    // help: the browser's violation event says so, and which directive.
    var refusedBy = null;
    var onPolicy = function (e) {
      if ((e.blockedURI || '').indexOf(origin || base) === 0) refusedBy = e.effectiveDirective || 'connect-src';
    };
    d.addEventListener('securitypolicyviolation', onPolicy);
    var tries = 0;
    var retrying = function () {
      return compile().catch(function (e) {
        if (!(e instanceof TypeError) || tries >= 3) throw e;
        // The violation event may come a moment after the failure.
        return new Promise(function (resolve) { setTimeout(resolve, 0); }).then(function () {
          if (refusedBy) {
            throw new Error("the page's Content-Security-Policy (" + refusedBy + ') refuses ' + (origin || base)
              + '; add it to ' + refusedBy + ' (see the README)');
          }
          return retryLater(e);
        });
      });
    };
    var retryLater = function (e) {
      if (!tries) warn('could not reach ' + url + ' (' + e.message + '); trying again');
      var delay = 1000 * Math.pow(3, tries++);
      return new Promise(function (resolve) {
        var done = function () {
          w.removeEventListener('online', done);
          clearTimeout(timer);
          resolve();
        };
        var timer = setTimeout(done, delay);
        w.addEventListener('online', done);
      }).then(retrying);
    };
    var wasm = retrying();
    wasm.then(function () {}, function () {}).then(function () {
      d.removeEventListener('securitypolicyviolation', onPolicy);
    });
    early = early || prefetchBoot();
    wasm
      .then(function (module) { glue.initSync({ module: module }); })
      .then(function () {
        if (early) glue.prefetched(early.key, early.response);
        early = null; // the SDK has the answer now; this closure need not keep it
        glue.configure({
          api_base: data.apiBase || home,
          app_id: data.appId || undefined,
        });
        var Beckon = function (name, arg, arg2) {
          try {
            // Angular's zone.js: js/zones.mjs says why.
            return outsideTheAppsZone(glue.command, String(name), arg, boundToZone(name, arg2));
          } catch (e) {
            warn(name + ' failed: ' + (e && e.message ? e.message : e));
          }
        };
        Beckon.loaded = true;
        // One queued or pushed call, given to the SDK; an `on` call keeps
        // the unsubscribe the snippet's function answered.
        var deliver = function (c) {
          // The zone the README's snippet noted, for Angular (zones.mjs).
          var out = Beckon(c[0], c[1], boundToZone(c[0], c[2], c.zone));
          if (c[0] === 'on') c.off = out;
          return out;
        };
        // A page that kept the snippet's own function (`var B = Beckon`
        // before the load) still calls it; it pushes onto `Beckon.q`, which
        // now hands each call to the SDK instead of an array nobody reads.
        Beckon.q = { push: deliver };
        w.Beckon = Beckon;
        if (data.autoBoot !== undefined && !queue.some(function (c) { return c[0] === 'boot'; })) {
          queue.unshift(['boot']);
        }
        for (var i = 0; i < queue.length; i++) {
          var c = queue[i];
          if (c.cancelled) continue;
          var out = deliver(c);
          if (c.resolve) c.resolve(out);
        }
        queue.length = 0;
      })
      .catch(function (e) {
        if (e === STALE && reloadLoader()) return;
        fail('could not load the SDK from ' + base + ': '
          + (e === STALE ? 'its module is gone (a loader of an older build?)' : e && e.message ? e.message : e));
      });
  }

  // This loader was cached from a build whose module the server no longer
  // keeps: load the current loader, once, with this tag's attributes. The
  // stub and its queue stay in window.Beckon, so the new loader replays
  // every call made so far.
  function reloadLoader() {
    if (!src || data.beckonReloaded !== undefined) return false;
    try {
      var s = d.createElement('script');
      // Not `defer`: what it waited for has happened.
      for (var k in data) if (k !== 'defer') s.dataset[k] = data[k];
      s.dataset.beckonReloaded = '';
      if (script.nonce) s.nonce = script.nonce;
      s.async = true;
      s.src = scriptUrl(src + (src.indexOf('?') < 0 ? '?' : '&') + 'reload=' + Date.now());
      (d.head || d.documentElement).appendChild(s);
      return true;
    } catch (e) {
      // The page's Trusted Types refused the URL: its `trusted-types`
      // directive lists policies, without `beckon`.
      if (w.trustedTypes && e instanceof TypeError) {
        warn("the page's Trusted Types policies refuse the current loader's URL; add `beckon` to its trusted-types directive (see the README)");
      }
      return false;
    }
  }

  // A page that requires Trusted Types (`require-trusted-types-for
  // 'script'`) refuses a plain string as a script's URL. The policy
  // `beckon` passes only this URL, made from this tag's own `src`; a page
  // whose `trusted-types` directive lists policies must list it (the
  // README says so). Without it the page's default policy, if any, decides.
  function scriptUrl(url) {
    try {
      var tt = w.trustedTypes;
      if (tt && tt.createPolicy) {
        return tt.createPolicy('beckon', { createScriptURL: function () { return url; } }).createScriptURL(url);
      }
    } catch (_) {
      // Not allowed by the page's `trusted-types` list: try the string.
    }
    return url;
  }

  var defer = data.defer;
  if (defer === 'idle') {
    (w.requestIdleCallback || function (f) { return setTimeout(f, 1); })(load, { timeout: 3000 });
  } else if (defer === 'interaction') {
    var events = ['pointerdown', 'keydown', 'scroll', 'touchstart'];
    var once = function () {
      events.forEach(function (e) { w.removeEventListener(e, once, true); });
      load();
    };
    events.forEach(function (e) { w.addEventListener(e, once, { capture: true, passive: true }); });
  } else {
    load();
  }
})(window, document);
