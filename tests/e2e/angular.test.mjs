// The example page as an Angular app sees it: zone.js (from npm) patches
// timers, listeners, observers and promises, and Angular runs the app in a
// zone forked from the root one, checking its whole component tree after
// every task that runs in it. An SDK booted from the app's code would run
// its own pointer, scroll and DOM listeners, timers and fetches in that
// zone, and make the app check itself on every mouse move.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eventually, examplePage, ROOT, serveExamplesWith, watchConsole } from './harness.mjs';

// What NgZone does, reduced to what the test needs: the app's zone counts
// the tasks that run in it (each would be a change detection), and the
// app boots Beckon and subscribes to it from inside that zone, through the
// loader's stub, the npm package (`?via=npm`), or the README's snippet
// with the loader added only after the calls (`?via=snippet`).
const NG_APP = `
window.__checks = 0;
window.__shownIn = [];
var angular = Zone.root.fork({
  name: 'angular',
  onInvokeTask: function (delegate, current, target, task, applyThis, applyArgs) {
    window.__checks += 1;
    return delegate.invokeTask(target, task, applyThis, applyArgs);
  },
});
(async function () {
  var params = new URLSearchParams(location.search);
  var Beckon;
  var via = params.get('via');
  if (via === 'npm') {
    Beckon = (await import('/sdk/npm/index.mjs')).Beckon;
  } else if (via === 'snippet') {
    // The README's snippet, before any SDK is on the page.
    window.Beckon = window.Beckon || function () { var c = arguments; (Beckon.q = Beckon.q || []).push(c);
      c.zone = window.Zone && Zone.current;
      if (c[0] === 'on') return function () { c.off ? c.off() : (c.cancelled = 1); }; };
    Beckon = window.Beckon;
  } else {
    // The loader's own stub, which knows the caller's zone (calls queued
    // by the README's snippet before the loader ran do not say it).
    var tag = document.querySelector('script[src*="loader.js"]');
    if (!window.Beckon) await new Promise(function (resolve) { tag.addEventListener('load', resolve); });
    Beckon = window.Beckon;
  }
  angular.run(function () {
    Beckon('on', 'message:shown', function () { window.__shownIn.push(Zone.current.name); });
    var booting = Beckon('boot', { app_id: 'demo', user_id: params.get('user'), attributes: { plan: 'pro' } });
    // The snippet's function answers nothing; the SDK's answers a promise.
    if (booting) booting.then(function (r) { window.__booted = { ok: r.ok, zone: Zone.current.name }; });
    else window.__booted = { ok: true, zone: 'angular' };
  });
  if (via === 'snippet') {
    var s = document.createElement('script');
    s.async = true;
    s.src = '/sdk/loader.js';
    s.dataset.appId = 'demo';
    document.head.appendChild(s);
  }
})();
`;

let server;
let browser;
let stop;
before(async () => {
  const APP = '<script src="/app.js"></script>';
  const LOADER = '<script async src="/sdk/loader.js" data-app-id="demo"></script>';
  const pricing = examplePage('pricing.html');
  assert.ok(pricing.includes(APP) && pricing.includes(LOADER));
  const angular = pricing.replace(APP, '<script src="/zone.js"></script>\n  <script src="/ng-app.js"></script>');
  ({ server, browser, stop } = await serveExamplesWith({
    files: {
      'pricing-angular.html': angular,
      'pricing-angular-npm.html': angular.replace(LOADER, ''),
      'ng-app.js': NG_APP,
    },
    copies: { 'zone.js': join(ROOT, 'node_modules/zone.js/bundles/zone.umd.js') },
  }));
});
after(() => stop?.());

const VARIANTS = [
  ['the script tag', 'pricing-angular.html'],
  ['the npm package', 'pricing-angular-npm.html?via=npm'],
  ["the README's snippet before the loader", 'pricing-angular-npm.html?via=snippet'],
];
for (const [via, path] of VARIANTS) {
  test(`an Angular app (zone.js) booting Beckon through ${via}: the SDK's own work runs outside the app's zone, the app's callbacks inside it`, async () => {
    const page = await browser.newPage();
    const seen = watchConsole(page);
    await page.goto(`${server.url}/${path}${path.includes('?') ? '&' : '?'}user=e2e-angular-${path.length}`);
    await eventually(() => page.evaluate(() => window.__booted && window.__shownIn.length > 0));
    assert.equal(await page.evaluate(() => typeof Zone.root.run), 'function', 'zone.js is on the page');
    assert.deepEqual(await page.evaluate(() => window.__booted), { ok: true, zone: 'angular' });
    assert.deepEqual(await page.evaluate(() => window.__shownIn), ['angular'], 'message:shown reached the app in its zone');
    await page.getByRole('button', { name: 'Messages' }).waitFor();
    // The user moves the pointer over the page, scrolls and waits: the
    // SDK listens to all of it, and its timers run.
    await page.waitForTimeout(500);
    const before = await page.evaluate(() => window.__checks);
    for (let i = 0; i < 40; i += 1) await page.mouse.move(100 + i * 15, 150 + (i % 7) * 40);
    await page.mouse.wheel(0, 300);
    await page.waitForTimeout(1500);
    const checks = (await page.evaluate(() => window.__checks)) - before;
    assert.ok(checks <= 2, `the app's zone ran ${checks} tasks while only the SDK was at work`);
    // Clicking the launcher is the SDK's own business too.
    await page.getByRole('button', { name: 'Messages' }).click();
    await page.getByRole('button', { name: 'Ask a question' }).waitFor();
    assert.deepEqual(seen.pageErrors, []);
    await page.close();
  });
}
