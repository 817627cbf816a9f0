/*! Beckon loader — queues Beckon(...) calls until the SDK is ready. */
// Include with <script async src=".../sdk/loader.js" data-app-id="…"></script>.
// It defines window.Beckon at once as a stub that queues calls (as Intercom's
// snippet does), fetches the glue and the .wasm in parallel, and replays the
// queue when the module is ready. Nothing here can throw into the page.
(function (w, d) {
  'use strict';
  if (w.Beckon && w.Beckon.loaded) return;
  var script = d.currentScript;
  var src = (script && script.src) || '';
  var base = src ? src.slice(0, src.lastIndexOf('/') + 1) : '/sdk/';
  var data = (script && script.dataset) || {};
  var queue = (w.Beckon && w.Beckon.q) || [];
  var warn = function (m) { try { console.warn('[Beckon] ' + m); } catch (_) {} };
  var stub = function () { queue.push(arguments); };
  stub.q = queue;
  w.Beckon = stub;

  // Start the module download now, in parallel with the glue, so the
  // streaming compile overlaps the glue's own fetch.
  var wasm = fetch(base + 'beckon_bg.wasm', { credentials: 'same-origin' });
  wasm.catch(function () {});

  import(base + 'beckon.js')
    .then(function (glue) {
      return glue.default({ module_or_path: wasm }).then(function () {
        glue.configure({
          api_base: data.apiBase || (src ? new URL(src).origin : undefined),
          app_id: data.appId || undefined,
        });
        var Beckon = function (name, arg) {
          try {
            return glue.command(String(name), arg);
          } catch (e) {
            warn(name + ' failed: ' + (e && e.message ? e.message : e));
          }
        };
        Beckon.loaded = true;
        w.Beckon = Beckon;
        if (data.autoBoot !== undefined && !queue.some(function (c) { return c[0] === 'boot'; })) {
          queue.unshift(['boot']);
        }
        for (var i = 0; i < queue.length; i++) Beckon(queue[i][0], queue[i][1]);
        queue.length = 0;
      });
    })
    .catch(function (e) {
      warn('could not load the SDK from ' + base + ': ' + (e && e.message ? e.message : e));
    });
})(window, document);
