// The SDK as it is deployed: the product's page on one origin, the Beckon
// server (its loader, module and API) on another, allowed by the app's
// `allowed_origins`. Every call is then a CORS request: the boot and the
// events (JSON POSTs, preflighted), the messenger's calls (an Authorization
// header), its EventSource stream, the last events sent with `keepalive` as
// the page goes away, and the Retry-After of a 429. The other end-to-end
// tests run on one origin, where none of this is exercised.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ADMIN_KEY, askForAPerson, eventually, examplePage, examplesWith, launchBrowser, startServer, watchConsole } from './harness.mjs';

let server;
let browser;
let pages;
/** The product's origin: the same server reached by another name. */
let appOrigin;
before(async () => {
  // A copy of the pricing page whose tag loads the SDK from the origin in
  // its `?sdk=` (the page must come from the server itself, not from a
  // Playwright route: Chromium's local network access rules treat a routed
  // page as public, and refuse it the loopback server).
  const TAG = '<script async src="/sdk/loader.js" data-app-id="demo"></script>';
  const pricing = examplePage('pricing.html');
  assert.ok(pricing.includes(TAG));
  pages = examplesWith({ files: { 'pricing-xo.html': pricing.replace(TAG, `<script>
    (function () {
      var s = document.createElement('script');
      s.async = true;
      s.src = new URLSearchParams(location.search).get('sdk') + '/sdk/loader.js';
      s.dataset.appId = 'demo';
      document.head.appendChild(s);
    })();
  </script>`) } });
  server = await startServer({ BECKON_EXAMPLES_DIR: pages });
  browser = await launchBrowser();
  const port = new URL(server.url).port;
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:/, 'the server is addressed by IP, the page by name');
  appOrigin = `http://localhost:${port}`;
  const app = await server.admin('/admin/v1/apps/demo');
  const res = await fetch(`${server.url}/admin/v1/apps/demo`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ settings: { ...app.settings, allowed_origins: [appOrigin] } }),
  });
  assert.equal(res.status, 200, await res.text());
});
after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(pages, { recursive: true, force: true });
});

/** The pricing page on the product's origin, loading the SDK from the server's. */
async function open(user, { init } = {}) {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  if (init) await page.addInitScript(init);
  const api = [];
  page.on('request', (r) => {
    if (r.url().startsWith(`${server.url}/v1/`)) api.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(`${appOrigin}/pricing-xo.html?user=${user}&sdk=${encodeURIComponent(server.url)}`);
  await page.waitForFunction(() => window.Beckon && window.Beckon.loaded && window.Beckon('status').user_key);
  return { page, seen, api };
}

const events = (user, name) => server.admin(`/admin/v1/apps/demo/events?user=${user}&name=${name}`);

test('from another origin: boot, events, and the messenger with its live stream', async () => {
  const user = 'e2e-cross-origin';
  const { page, seen, api } = await open(user);
  await page.locator('[data-beckon="banner"]').waitFor();
  assert.ok(api.includes('POST /v1/boot'), api.join(', '));
  // Events: a JSON POST, preflighted.
  await page.evaluate(() => window.Beckon('track', 'cross_origin_tick'));
  assert.equal((await eventually(async () => (await events(user, 'cross_origin_tick')).length > 0 && 1, { timeout: 4000 })), 1);
  // The messenger: its calls carry the session in an Authorization header.
  const id = await askForAPerson(page);
  // The stream (EventSource, cross-origin) brings the agent's reply.
  await eventually(() => api.includes('GET /v1/conversations/stream'), { timeout: 4000 });
  await server.admin(`/admin/v1/inbox/demo/conversations/${id}/reply`, { agent: 'Ana', body: 'Hello from the other origin' });
  await page.getByRole('log').getByText('Hello from the other origin').waitFor({ timeout: 8000 });
  assert.deepEqual(seen.errors.filter((e) => /CORS|Access-Control/i.test(e)), []);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test("from another origin, on a page whose tracing adds its headers to every fetch (Sentry, Datadog): boot, events and the messenger still reach the server", async () => {
  const user = 'e2e-cross-origin-traced';
  // What Sentry's fetch instrumentation does with a broad
  // `tracePropagationTargets`: two more headers on every request.
  const { page, seen } = await open(user, {
    init: () => {
      const original = window.fetch;
      window.__traced = 0;
      window.fetch = function (input, init = {}) {
        const headers = new Headers(init.headers || {});
        headers.set('sentry-trace', '0123456789abcdef0123456789abcdef-0123456789abcdef-1');
        headers.set('baggage', 'sentry-environment=production');
        window.__traced += 1;
        return original.call(this, input, { ...init, headers });
      };
    },
  });
  await page.locator('[data-beckon="banner"]').waitFor();
  await page.evaluate(() => window.Beckon('track', 'traced_tick'));
  assert.ok(await eventually(async () => (await events(user, 'traced_tick')).length > 0, { timeout: 4000 }));
  await askForAPerson(page);
  assert.ok((await page.evaluate(() => window.__traced)) >= 3, 'the SDK\'s requests went through the page\'s fetch');
  assert.deepEqual(seen.errors.filter((e) => /CORS|Access-Control/i.test(e)), []);
  assert.deepEqual(seen.warnings.filter((w) => w.includes('[Beckon]')), []);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('from another origin: the last events go with keepalive as the page leaves', async () => {
  const user = 'e2e-cross-origin-leave';
  const { page, seen } = await open(user);
  await page.waitForTimeout(1200);
  // The first goes at once; the second waits for the next second, and the
  // page leaves before that: it goes with keepalive, preflighted.
  await page.evaluate(() => {
    window.Beckon('track', 'leaving_first');
    window.Beckon('track', 'leaving_second');
  });
  await page.goto(`${appOrigin}/team.html?user=${user}`);
  const stored = await eventually(async () => (await events(user, 'leaving_second')).length > 0, { timeout: 4000 });
  assert.ok(stored, 'the event tracked just before leaving reached the server');
  assert.deepEqual(seen.errors.filter((e) => /CORS|Access-Control/i.test(e)), []);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('from another origin: a 429 says how long to wait, and the SDK reads it', async () => {
  const user = 'e2e-cross-origin-busy';
  const { page } = await open(user);
  await page.waitForTimeout(1200);
  // The server's own 429 cannot be had on demand here, so its answer is
  // replayed with the CORS headers the server sends; what is tested is that
  // the browser lets the SDK read Retry-After across origins.
  const sends = [];
  await page.route(`${server.url}/v1/events`, async (route) => {
    sends.push(Date.now());
    if (sends.length > 1) return route.continue();
    const real = await route.fetch();
    return route.fulfill({
      status: 429,
      headers: {
        'content-type': 'application/json',
        'retry-after': '2',
        'access-control-allow-origin': real.headers()['access-control-allow-origin'] ?? '',
        'access-control-expose-headers': real.headers()['access-control-expose-headers'] ?? '',
      },
      body: JSON.stringify({ error: 'rate_limited', message: 'too many requests for this user; retry after 2 s' }),
    });
  });
  await page.evaluate(() => window.Beckon('track', 'busy_cross_origin'));
  // The batch is sent again (the server drops the duplicate of the copy
  // `route.fetch` stored), not before the 2 s asked.
  await eventually(() => sends.length >= 2, { timeout: 6000 });
  assert.ok(sends.length >= 2 && sends[1] - sends[0] >= 1900, `waited for Retry-After: ${sends.map((t) => t - sends[0])}`);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.close();
});
