// The SDK runtime end to end (issue 5): the durable event queue through an
// outage and reloads, two tabs, a single-page app's navigation, a strict
// Content-Security-Policy, a host page with hostile CSS, shutdown, debug
// output, the boot cache and bad arguments — all against the real server in
// Chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN_KEY, askForAPerson, eventually, launchBrowser, ROOT, startServer, watchConsole } from './harness.mjs';

let server;
let browser;

/** Creates a live message through the admin API. */
async function createMessage(message) {
  const res = await fetch(`${server.url}/admin/v1/apps/demo/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'live', ...message }),
  });
  assert.equal(res.status, 201, await res.text());
}

const banner = (id, pages, extra = {}) => ({
  id,
  kind: 'banner',
  priority: 50,
  content: { title: id, body: `Banner ${id}`, position: 'bottom' },
  targeting: { pages: { include: pages }, ...extra },
});

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await createMessage(banner('spa-reports', [{ match: 'contains', value: 'view=reports' }]));
  await createMessage(banner('csp-banner', [{ match: 'equals', value: '/csp.html' }]));
  await createMessage(banner('hostile-banner', [{ match: 'equals', value: '/hostile.html' }]));
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// The surfaces of messages on the page (the messenger's launcher, present in
// every tab, is not one).
const hosts = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('[data-beckon]')].map((h) => h.getAttribute('data-beckon')).filter((h) => h !== 'messenger'),
  );
const bannerIds = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('[data-beckon]')]
      .map((h) => h.shadowRoot?.querySelector('[data-message-id]')?.getAttribute('data-message-id'))
      .filter(Boolean),
  );

/**
 * Keeps the loader's stub in `window.__stub` the moment the loader puts it
 * in place, as a page that uses `window.Beckon` before the SDK has loaded
 * would, and calls `boot` through it at once (into `window.__boot`) when
 * `boot` options are given.
 */
function trapLoaderStub(page, boot = null) {
  return page.addInitScript((boot) => {
    let current;
    Object.defineProperty(window, 'Beckon', {
      configurable: true,
      get: () => current,
      set: (v) => {
        current = v;
        if (v && v.loader && !window.__stub) {
          window.__stub = v;
          if (boot) window.__boot = v('boot', boot);
        }
      },
    });
  }, boot);
}

/** The example pages' loader tag, as they have it. */
const LOADER_TAG = '<script async src="/sdk/loader.js" data-app-id="demo"></script>';

/** Serves the pricing page with its loader tag replaced by `tags`. */
function pricingWithTags(page, tags) {
  return page.route('**/pricing.html*', async (route) => {
    const response = await route.fetch();
    const text = await response.text();
    assert.ok(text.includes(LOADER_TAG), 'pricing.html no longer has the loader tag this test moves');
    await route.fulfill({ response, body: text.replace(LOADER_TAG, tags) });
  });
}

/** The paths of the wasm modules the page asks for from now on. */
function moduleRequests(page) {
  const modules = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) modules.push(path);
  });
  return modules;
}

/** The bodies of the page's `/v1/boot` requests from now on, as they go. */
function bootRequests(page) {
  const boots = [];
  page.on('request', (r) => { if (r.url().endsWith('/v1/boot')) boots.push(r.postDataJSON()); });
  return boots;
}

/**
 * Serves the page a loader as a browser may have cached it from an older
 * build: it names a module the server no longer keeps. With `reloadToo`,
 * the loader it then fetches (`?reload=…`) is such a stale one as well.
 */
function serveStaleLoader(page, { reloadToo }) {
  const stale = (url) => url.pathname === '/sdk/loader.js' && (reloadToo || url.search === '');
  return page.route(stale, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(/beckon_bg\.[0-9a-f]{16}\.wasm/, 'beckon_bg.0000000000000000.wasm');
    await route.fulfill({ response, body });
  });
}

/** Records the page's Content-Security-Policy violations in `window.__violations`. */
function recordViolations(page) {
  return page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

/**
 * Serves `csp.html` with its strict policy plus Trusted Types, whose
 * `trusted-types` directive lists `policies`.
 */
function requireTrustedTypes(page, policies) {
  return page.route('**/csp.html*', async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace("img-src 'self' data:", `img-src 'self' data:; require-trusted-types-for 'script'; trusted-types ${policies}`);
    await route.fulfill({ response, body: html });
  });
}

async function booted(page) {
  await page.waitForFunction(() => window.Beckon && window.Beckon.loaded);
  await page.waitForFunction(() => window.Beckon('status').user_key);
}

test('events tracked while the server is unreachable survive two reloads and arrive exactly once', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const user = 'e2e-offline';
  await page.goto(`${server.url}/pricing.html?user=${user}`);
  await booted(page);
  // The API goes away (the page itself stays loadable, as from a cache).
  let blocked = 0;
  await context.route('**/v1/events', (route) => {
    blocked += 1;
    return route.abort('internetdisconnected');
  });
  await page.evaluate(() => {
    Beckon('track', 'report.exported', { n: 1 });
    Beckon('track', 'report.exported', { n: 2 });
    Beckon('track', 'report.shared');
  });
  await eventually(() => blocked > 0);
  for (let i = 0; i < 2; i += 1) {
    await page.reload();
    await booted(page);
  }
  const queued = await page.evaluate(() => Beckon('status').queued);
  assert.ok(queued >= 3, `events still queued after reloads (${queued})`);
  await context.unroute('**/v1/events');
  // Back online: the browser's online event (or the next retry) flushes.
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  const exported = await eventually(async () => {
    const list = await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=report.exported`);
    return list.length >= 2 && list;
  }, { timeout: 15000 });
  assert.equal(exported.length, 2, 'each exported event stored once');
  assert.deepEqual(exported.map((e) => e.data.n).sort(), [1, 2]);
  const shared = await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=report.shared`);
  assert.equal(shared.length, 1);
  await eventually(async () => (await page.evaluate(() => Beckon('status').queued)) === 0);
  // One more reload sends nothing twice.
  await page.reload();
  await booted(page);
  await page.waitForTimeout(300);
  const again = await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=report.exported`);
  assert.equal(again.length, 2);
  await context.close();
});

/**
 * Two tabs of one user on the pricing page: the first shows its banner,
 * and the second, opened after, leaves it to the first.
 */
async function twoTabs(user, { secondHidden = false } = {}) {
  const context = await browser.newContext();
  const a = await context.newPage();
  await a.goto(`${server.url}/pricing.html?user=${user}`);
  await a.locator('[data-beckon="banner"]').waitFor();
  const b = await context.newPage();
  if (secondHidden) {
    // A tab behind the one the user looks at (headless pages are all
    // visible): `document.hidden` until `showTab` says otherwise.
    await b.addInitScript(() => {
      window.__hidden = true;
      Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => window.__hidden });
    });
  }
  await b.goto(`${server.url}/pricing.html?user=${user}`);
  await booted(b);
  await b.waitForTimeout(500);
  assert.deepEqual(await hosts(b), [], 'the second tab leaves it to the first');
  return { context, a, b };
}

test('two tabs: a banner open in one is not opened in the other; a dismissal anywhere holds everywhere', async () => {
  const user = 'e2e-tabs';
  const { context, a, b } = await twoTabs(user);

  await a.locator('[data-beckon="banner"]').getByRole('button', { name: 'Dismiss' }).click();
  await a.locator('[data-beckon="banner"]').waitFor({ state: 'detached' });
  await b.waitForTimeout(500);
  assert.deepEqual(await hosts(b), [], 'dismissed in the first tab, so not shown in the second');
  await b.reload();
  await booted(b);
  await b.waitForTimeout(300);
  assert.deepEqual(await hosts(b), []);
  const shown = await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=message.shown`);
  assert.equal(shown.length, 1, 'shown once across both tabs: ' + JSON.stringify(shown));
  await context.close();
});

/** The user comes back to a tab made by `twoTabs(…, { secondHidden })`. */
const showTab = (page) =>
  page.evaluate(() => {
    window.__hidden = false;
    document.dispatchEvent(new Event('visibilitychange'));
  });

test('an app tracking in one tab makes few storage events in its other tabs', async () => {
  // Every localStorage write is a `storage` event in each other tab of the
  // origin, where the app's own listeners run (cross-tab logout and the
  // like). The heartbeat and the session's last activity were written on
  // every evaluation: four events per `track` in each other tab.
  const { context, a, b } = await twoTabs('e2e-storage-events');
  await b.evaluate(() => {
    window.__storage = {};
    addEventListener('storage', (e) => {
      const name = (e.key || '').split(':').pop();
      window.__storage[name] = (window.__storage[name] || 0) + 1;
    });
  });
  await a.evaluate(async () => {
    for (let i = 0; i < 20; i += 1) {
      window.Beckon('track', 'storage_tick');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  await b.waitForTimeout(300);
  const seen = await b.evaluate(() => window.__storage);
  assert.ok((seen['tab-beat'] ?? 0) <= 1, JSON.stringify(seen));
  assert.ok((seen.session ?? 0) <= 1, JSON.stringify(seen));
  await context.close();
});

test('a burst of track calls in one tab reaches the other tabs as one message with every event', async () => {
  // An app forwarding its analytics tracks many events in one task: each
  // was a channel message of its own (half the time of a `track`), and
  // each other tab ran its rules once per event.
  const { context, a, b } = await twoTabs('e2e-tab-burst');
  await b.evaluate(() => {
    window.__heard = { messages: 0, events: 0 };
    const channel = new BroadcastChannel(`beckon:demo:${window.Beckon('status').user_key}`);
    channel.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      const events = msg.t === 'event' ? [msg.event] : msg.t === 'events' ? msg.events : [];
      const ours = events.filter((ev) => ev.name === 'burst_tick');
      if (ours.length) {
        window.__heard.messages += 1;
        window.__heard.events += ours.length;
      }
    };
  });
  await a.evaluate(() => {
    for (let i = 0; i < 100; i += 1) window.Beckon('track', 'burst_tick', { i });
  });
  await eventually(async () => (await b.evaluate(() => window.__heard.events)) === 100);
  const heard = await b.evaluate(() => window.__heard);
  assert.deepEqual(heard, { messages: 1, events: 100 }, 'one message carrying all 100 events');
  // One event alone still goes as a single event, which tabs running an
  // SDK from before a deploy read.
  await a.evaluate(() => window.Beckon('track', 'burst_tick', { i: 100 }));
  await eventually(async () => (await b.evaluate(() => window.__heard.events)) === 101);
  assert.equal(await b.evaluate(() => window.__heard.messages), 2);
  await context.close();
});

test('a visitor who dismisses a banner and logs in before it was sent: the dismissal is the user\'s, here and on the server', async () => {
  const user = 'e2e-visitor-login';
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = watchConsole(page);
  // The visitor's events cannot leave yet (a slow network), so the
  // dismissal is still queued when the app boots the user after login.
  await page.route('**/v1/events', (route) => route.abort());
  await page.goto(`${server.url}/pricing.html`);
  await booted(page);
  const visitor = await page.evaluate(() => window.Beckon('status').user_key);
  assert.match(visitor, /^anon:/);
  await page.locator('[data-beckon="banner"]').getByRole('button', { name: 'Dismiss' }).click();
  await eventually(async () => (await page.evaluate(() => window.Beckon('status').queued)) >= 1);
  await page.unroute('**/v1/events');
  await page.evaluate((user) => window.Beckon('boot', { user_id: user, attributes: { plan: 'pro' } }), user);
  await eventually(async () => (await page.evaluate(() => window.Beckon('status').user_key)) === user);
  const dismissed = () => server.admin(`/admin/v1/apps/demo/events?user=${user}&name=message.dismissed`);
  await eventually(async () => (await dismissed()).some((e) => e.message_id === 'pricing-banner'));
  await page.waitForTimeout(300);
  assert.deepEqual(await bannerIds(page), [], 'not shown again to the user the visitor became');
  // The visitor's queue and state went with the visitor.
  const left = await page.evaluate((visitor) => Object.keys(localStorage).filter((k) => k.includes(visitor)), visitor);
  assert.deepEqual(left, []);
  await page.goto(`${server.url}/pricing.html?user=${user}`);
  await booted(page);
  await page.waitForTimeout(300);
  assert.deepEqual(await bannerIds(page), [], 'nor after a reload');
  assert.equal((await dismissed()).length, 1, 'recorded once');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('another user booted in the page: what the first one did and had not sent reaches the server as theirs at once', async () => {
  // A shared computer, or an app that switches accounts without a reload
  // and without `shutdown`: the first user may never boot on this browser
  // again, so their queue must not wait for that.
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = watchConsole(page);
  // The server asks to wait a minute: the queue would try again long
  // after the switch.
  await page.route('**/v1/events', (route) => route.fulfill({
    status: 429,
    headers: { 'retry-after': '60', 'content-type': 'application/json' },
    body: JSON.stringify({ error: 'rate_limited', message: 'slow down' }),
  }));
  await page.goto(`${server.url}/pricing.html?user=e2e-switch-a`);
  await booted(page);
  await page.evaluate(() => {
    for (let i = 0; i < 3; i += 1) window.Beckon('track', 'switch_work', { i });
  });
  await eventually(async () => (await page.evaluate(() => window.Beckon('status').queued)) >= 3);
  await page.unroute('**/v1/events');
  await page.evaluate(() => window.Beckon('boot', { user_id: 'e2e-switch-b' }));
  const a = () => server.admin('/admin/v1/apps/demo/events?user=e2e-switch-a&name=switch_work');
  await eventually(async () => (await a()).length === 3, { timeout: 4000 });
  const b = await server.admin('/admin/v1/apps/demo/events?user=e2e-switch-b&name=switch_work');
  assert.deepEqual(b, [], "none of them counted as the second user's");
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('a message of a closed tab goes to the tab the user looks at, not to one behind a reload', async () => {
  const { context, a, b } = await twoTabs('e2e-tab-closed', { secondHidden: true });
  // Reloading the tab in front: its banner stays there, the hidden tab
  // does not take it meanwhile.
  await a.reload();
  await a.locator('[data-beckon="banner"]').waitFor();
  await b.waitForTimeout(500);
  assert.deepEqual(await hosts(b), [], 'the hidden tab left it to the reloaded one');
  // Closing runs `pagehide` but no destructor: the tab says goodbye there,
  // and the other tab shows the banner once the user looks at it.
  await a.close({ runBeforeUnload: true });
  await b.waitForTimeout(500);
  assert.deepEqual(await hosts(b), [], 'not while hidden');
  await showTab(b);
  await b.locator('[data-beckon="banner"]').waitFor();
  assert.deepEqual(await bannerIds(b), ['pricing-banner']);
  await context.close();
});

test('a tab killed without pagehide loses its claims once the user looks at another tab', async () => {
  const { context, a, b } = await twoTabs('e2e-tab-killed', { secondHidden: true });
  // As a mobile browser may do to a tab behind: no pagehide, no goodbye.
  const cdp = await context.newCDPSession(a);
  cdp.send('Page.crash').catch(() => {});
  await eventually(() => a.evaluate(() => 1).then(() => false, () => true));
  await b.waitForTimeout(300);
  assert.deepEqual(await hosts(b), [], 'still held by the dead tab while hidden');
  await showTab(b);
  await b.locator('[data-beckon="banner"]').waitFor();
  assert.deepEqual(await bannerIds(b), ['pricing-banner']);
  await context.close();
});

test('a page restored from the back-forward cache goes on: its banner, its events, and a reply written while it was away', async () => {
  // Chromium evicts a cached page that a BroadcastChannel message reaches,
  // so a change made in another tab meanwhile means a fresh load; here the
  // page is alone, and comes back whole.
  const cached = await launchBrowser({ backForwardCache: true });
  try {
    const page = await cached.newPage();
    const seen = watchConsole(page);
    const user = 'e2e-bfcache';
    await page.goto(`${server.url}/pricing.html?user=${user}`);
    await booted(page);
    await page.locator('[data-beckon="banner"]').waitFor();
    await page.evaluate(() => { window.__kept = true; });
    const id = await askForAPerson(page);
    // Away on another page; the agent answers meanwhile.
    await page.goto(`${server.url}/team.html?user=${user}`);
    await booted(page);
    await server.admin(`/admin/v1/inbox/demo/conversations/${id}/reply`, { agent: 'Ana', body: 'Answered while you were away' });
    await page.goBack({ waitUntil: 'commit' });
    await eventually(() => page.evaluate(() => location.pathname === '/pricing.html').catch(() => false));
    const restored = await page.evaluate(() => window.__kept === true);
    const why = await page.evaluate(() => JSON.stringify(performance.getEntriesByType('navigation')[0].notRestoredReasons));
    assert.ok(restored, `restored from the back-forward cache, not reloaded: ${why}`);
    await page.getByRole('log').getByText('Answered while you were away').waitFor({ timeout: 10000 });
    assert.deepEqual(await bannerIds(page), ['pricing-banner']);
    await page.evaluate(() => window.Beckon('track', 'after_restore'));
    const tracked = await eventually(async () => {
      const events = await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=after_restore`);
      return events.length > 0 && events;
    });
    assert.equal(tracked.length, 1);
    assert.deepEqual(seen.pageErrors, []);
  } finally {
    await cached.close();
  }
});

test('a page restored from the back-forward cache beside another tab: its older claim wins, and a dismissal made meanwhile holds', async () => {
  const cached = await launchBrowser({ backForwardCache: true });
  try {
    const context = await cached.newContext();
    const user = 'e2e-bfcache-tabs';
    const a = await context.newPage();
    const seen = watchConsole(a);
    await a.goto(`${server.url}/pricing.html?user=${user}`);
    await a.locator('[data-beckon="banner"]').waitFor();
    const b = await context.newPage();
    await b.goto(`${server.url}/team.html?user=${user}`);
    await booted(b);
    /** `a` goes to another page and back, restored from the cache. */
    const awayAndBack = async (meanwhile) => {
      await a.evaluate(() => { window.__kept = true; });
      await a.goto(`${server.url}/team.html?user=${user}`);
      await booted(a);
      await meanwhile();
      await a.goBack({ waitUntil: 'commit' });
      await eventually(() => a.evaluate(() => location.pathname === '/pricing.html').catch(() => false));
      const why = await a.evaluate(() => JSON.stringify(performance.getEntriesByType('navigation')[0].notRestoredReasons));
      assert.equal(await a.evaluate(() => window.__kept), true, `restored, not reloaded: ${why}`);
    };
    // The other tab takes the banner once `a` has left, and gives it back
    // when `a` returns with its older claim.
    await awayAndBack(async () => {
      await b.goto(`${server.url}/pricing.html?user=${user}`);
      await b.locator('[data-beckon="banner"]').waitFor();
    });
    await b.locator('[data-beckon="banner"]').waitFor({ state: 'detached' });
    assert.deepEqual(await bannerIds(a), ['pricing-banner']);
    // Dismissed in the other tab while `a` is away: `a` heard nothing (its
    // channel was closed) and finds the dismissal in storage.
    await awayAndBack(async () => {
      const banner = b.locator('[data-beckon="banner"]');
      await banner.waitFor();
      await banner.getByRole('button', { name: 'Dismiss' }).click();
      await banner.waitFor({ state: 'detached' });
    });
    await a.locator('[data-beckon="banner"]').waitFor({ state: 'detached' });
    await a.waitForTimeout(300);
    assert.deepEqual(await hosts(a), []);
    assert.deepEqual(await hosts(b), []);
    assert.deepEqual(seen.pageErrors, []);
  } finally {
    await cached.close();
  }
});

test('a centred post that comes due while the user types into a field waits for a pause, and takes no keys', async () => {
  await createMessage({
    id: 'typing-post',
    kind: 'post',
    priority: 60,
    content: { title: 'While you type', body: 'A modal post.', layout: 'center' },
    targeting: { pages: { include: [{ match: 'contains', value: 'typing-test' }] }, trigger: { type: 'time_on_page', seconds: 3 } },
  });
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/pricing.html?user=e2e-typing&typing-test=1`);
  await booted(page);
  await page.evaluate(() => {
    const field = document.createElement('textarea');
    field.id = 'note';
    field.setAttribute('aria-label', 'Note');
    document.querySelector('main').prepend(field);
  });
  await page.locator('#note').focus();
  // Typing through the moment the post comes due (3 s on the page; the
  // typing starts well before on a slow machine too, and lasts 5 s).
  const text = 'The quarterly numbers look good so far, and better than last year';
  await page.keyboard.type(text, { delay: 75 });
  assert.deepEqual(await hosts(page).then((h) => h.filter((x) => x === 'post')), [], 'no post while typing');
  assert.equal(await page.locator('#note').inputValue(), text, 'every key reached the field');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'note');
  // A pause: the post opens, and takes focus as a modal does.
  const dialog = page.getByRole('dialog', { name: 'While you type' });
  await dialog.waitFor({ timeout: 4000 });
  const post = page.locator('[data-beckon="post"]');
  assert.equal(await post.evaluate((h) => h.shadowRoot.activeElement?.getAttribute('role')), 'dialog');
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('printing the page prints no surface of Beckon', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/pricing.html?user=e2e-print`);
  await booted(page);
  await page.locator('[data-beckon="banner"]').waitFor();
  const shown = () => page.evaluate(() => [...document.querySelectorAll('[data-beckon]')].map((h) => [h.dataset.beckon, getComputedStyle(h).display]));
  await page.emulateMedia({ media: 'print' });
  assert.deepEqual(await shown(), [['banner', 'none'], ['messenger', 'none']]);
  await page.emulateMedia({ media: 'screen' });
  assert.deepEqual(await shown(), [['banner', 'block'], ['messenger', 'block']]);
  await page.close();
});

test('in forced colours (Windows contrast themes) the banner, the launcher and buttons keep their outlines', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/pricing.html?user=e2e-forced-colors`);
  await booted(page);
  await page.locator('[data-beckon="banner"]').waitFor();
  await page.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
  // Backgrounds and shadows are dropped there: without borders these had
  // no edge at all, and the launcher was invisible.
  const edges = () => page.evaluate(() => {
    const inside = (host, selector) => document.querySelector(`[data-beckon="${host}"]`).shadowRoot.querySelector(selector);
    const border = (el) => getComputedStyle(el).borderTopWidth;
    return {
      banner: border(inside('banner', '.banner')),
      launcher: border(inside('messenger', '.launcher')),
      icon: getComputedStyle(inside('messenger', '.icon')).backgroundColor !== 'rgba(0, 0, 0, 0)',
    };
  });
  await page.emulateMedia({ forcedColors: 'active' });
  assert.deepEqual(await edges(), { banner: '1px', launcher: '1px', icon: true });
  await page.emulateMedia({ forcedColors: 'none' });
  assert.deepEqual(await edges(), { banner: '0px', launcher: '0px', icon: true });
  await page.close();
});

test('while the page shows its own modal dialog, messages wait for it to close', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  const lines = [];
  page.on('console', (m) => lines.push(m.text()));
  // The app opens its own modal dialog before the SDK draws anything.
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const dialog = document.createElement('dialog');
      dialog.id = 'app-dialog';
      dialog.innerHTML = '<p>Confirm your plan</p><button id="app-close">Close</button>';
      document.body.append(dialog);
      dialog.showModal();
      document.getElementById('app-close').addEventListener('click', () => dialog.close());
      // A library's closed dialog, kept in the page hidden: it holds nothing.
      const kept = document.createElement('div');
      kept.setAttribute('aria-modal', 'true');
      kept.hidden = true;
      document.body.append(kept);
    });
  });
  await page.goto(`${server.url}/pricing.html?user=e2e-page-dialog`);
  await booted(page);
  await page.waitForTimeout(800);
  // Under the dialog's backdrop it would be unseen, and counted as shown.
  assert.deepEqual(await hosts(page), [], 'nothing opens under the app\'s dialog');
  await page.evaluate(() => window.Beckon('debug', true));
  const why = 'pricing-banner: waits, the page shows its own dialog';
  assert.ok(await eventually(() => lines.includes(why)), lines.join('\n'));
  await page.getByRole('button', { name: 'Close' }).click();
  await page.locator('[data-beckon="banner"]').waitFor({ timeout: 3000 });
  assert.deepEqual(await bannerIds(page), ['pricing-banner']);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('single-page app: route changes open and close messages by their page rules', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/spa.html?user=e2e-spa`);
  await booted(page);
  assert.deepEqual(await bannerIds(page), []);
  await page.getByRole('link', { name: 'Reports' }).click();
  await eventually(async () => (await bannerIds(page)).includes('spa-reports'));
  assert.deepEqual(await bannerIds(page), ['spa-reports']);
  await page.getByRole('link', { name: 'Settings' }).click();
  await eventually(async () => (await bannerIds(page)).length === 0);
  assert.deepEqual(await bannerIds(page), [], 'closed when its page no longer matches');
  await page.goBack();
  await eventually(async () => (await bannerIds(page)).includes('spa-reports'));
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a scroll trigger in an app-shell layout: the main pane scrolling counts, a small scroller (a menu) does not', async () => {
  await createMessage(banner('scroll-half', [{ match: 'contains', value: 'shell=1' }], { trigger: { type: 'scroll', percent: 50 } }));
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const seen = watchConsole(page);
  // The document never scrolls: the content scrolls in <main>, as in most
  // dashboards; a menu with its own short scroller sits above it.
  await page.addInitScript(() => document.addEventListener('DOMContentLoaded', () => {
    const style = document.createElement('style');
    style.textContent = 'html, body { height: 100%; overflow: hidden; margin: 0 } main.page { height: calc(100vh - 60px); overflow: auto }';
    document.head.append(style);
    const menu = document.createElement('div');
    menu.id = 'menu';
    menu.style.cssText = 'height: 80px; overflow: auto';
    menu.innerHTML = '<div style="height: 600px">Menu</div>';
    const tall = document.createElement('div');
    tall.style.height = '3000px';
    document.querySelector('main').prepend(menu);
    document.querySelector('main').append(tall);
  }));
  await page.goto(`${server.url}/spa.html?user=e2e-scroll-shell&shell=1`);
  await booted(page);
  const scroll = (selector, share) => page.evaluate(([selector, share]) => {
    const el = document.querySelector(selector);
    el.scrollTop = share * (el.scrollHeight - el.clientHeight);
  }, [selector, share]);
  await scroll('#menu', 1);
  await page.waitForTimeout(400);
  const shown = async () => (await bannerIds(page)).includes('scroll-half');
  assert.equal(await shown(), false, 'the menu scrolled to its end is not the page read to its end');
  await scroll('main', 0.3);
  await page.waitForTimeout(400);
  assert.equal(await shown(), false, 'a third of the way down');
  await scroll('main', 0.6);
  await eventually(shown);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();

  // A page that scrolls as a whole, as before: the document counts.
  const long = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await long.addInitScript(() => document.addEventListener('DOMContentLoaded', () => {
    const tall = document.createElement('div');
    tall.style.height = '3000px';
    document.querySelector('main').append(tall);
  }));
  await long.goto(`${server.url}/spa.html?user=e2e-scroll-long&shell=1`);
  await booted(long);
  await long.evaluate(() => window.scrollTo(0, 0.3 * (document.documentElement.scrollHeight - innerHeight)));
  await long.waitForTimeout(400);
  assert.equal((await bannerIds(long)).includes('scroll-half'), false, 'a third of the way down the document');
  await long.evaluate(() => window.scrollTo(0, 0.6 * (document.documentElement.scrollHeight - innerHeight)));
  await eventually(async () => (await bannerIds(long)).includes('scroll-half'));
  await long.close();
});

test('an element trigger whose element comes inside a web component, on a page that changes at every frame, fires', async () => {
  await createMessage(banner('shadow-present', [{ match: 'contains', value: 'shadowtrigger=1' }], {
    trigger: { type: 'element', selector: '#deep-target', on: 'present' },
  }));
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/spa.html?user=e2e-shadow-trigger&shadowtrigger=1`);
  await booted(page);
  // A live page: a counter that changes at every frame.
  await page.evaluate(() => {
    const ticker = document.createElement('span');
    document.body.append(ticker);
    let k = 0;
    const tick = () => { ticker.textContent = String((k += 1)); requestAnimationFrame(tick); };
    tick();
  });
  await page.waitForTimeout(400);
  assert.equal((await bannerIds(page)).includes('shadow-present'), false, 'not before its element');
  await page.evaluate(() => {
    const host = document.createElement('div');
    host.attachShadow({ mode: 'open' }).innerHTML = '<button id="deep-target">Deep</button>';
    document.querySelector('main').append(host);
  });
  await eventually(async () => (await bannerIds(page)).includes('shadow-present'));
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('without the Navigation API, routes are seen through history; a library that wrapped pushState after the SDK keeps working after shutdown', async () => {
  // Safari before 26.2 and Firefox before 147 have no Navigation API: the
  // SDK wraps history.pushState there. Analytics and session-replay
  // scripts wrap it too, often after the SDK has loaded.
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.addInitScript(() => Object.defineProperty(window, 'navigation', { value: undefined, configurable: true }));
  await page.goto(`${server.url}/spa.html?user=e2e-spa-history`);
  await booted(page);
  assert.equal(await page.evaluate(() => window.navigation), undefined);
  const native = () => page.evaluate(() => history.pushState.toString().includes('[native code]'));
  assert.equal(await native(), false, 'the SDK wrapped pushState');
  // Nobody else wrapped it: shutdown gives the page its own method back.
  await page.evaluate(() => Beckon('shutdown'));
  assert.equal(await native(), true);
  await page.evaluate(() => Beckon('boot', { user_id: 'e2e-spa-history' }));
  await booted(page);
  await page.getByRole('link', { name: 'Reports' }).click();
  await eventually(async () => (await bannerIds(page)).includes('spa-reports'));
  // Another script wraps the SDK's wrapper, then the user logs out.
  await page.evaluate(() => {
    window.__routes = [];
    const inner = history.pushState;
    history.pushState = function (state, title, url) {
      window.__routes.push(String(url));
      return inner.call(this, state, title, url);
    };
    Beckon('shutdown');
  });
  const push = (url) =>
    page.evaluate((u) => {
      try {
        history.pushState({}, '', u);
        return 'ok';
      } catch (e) {
        return String(e);
      }
    }, url);
  assert.equal(await push('/spa.html?view=settings'), 'ok', 'the app navigates after shutdown');
  assert.deepEqual(await page.evaluate(() => window.__routes), ['/spa.html?view=settings'], "the other script's wrapper still runs");
  // The next user logs in: routes are seen again, once.
  await page.evaluate(() => Beckon('boot', { user_id: 'e2e-spa-history-2' }));
  await booted(page);
  await page.getByRole('link', { name: 'Reports' }).click();
  await eventually(async () => (await bannerIds(page)).includes('spa-reports'));
  await page.getByRole('link', { name: 'Settings' }).click();
  await eventually(async () => (await bannerIds(page)).length === 0);
  await page.evaluate(() => Beckon('shutdown'));
  assert.equal(await push('/spa.html?view=overview'), 'ok');
  assert.equal((await page.evaluate(() => window.__routes)).length, 4);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test("a page with Prototype.js's Array#toJSON: lists in boot, update and track reach the server as lists, and the page keeps its toJSON", async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.addInitScript(() => {
    // Prototype.js 1.6: `JSON.stringify([1, 2])` gives the string "[1, 2]".
    Array.prototype.toJSON = function () { return '[' + this.map((x) => JSON.stringify(x)).join(', ') + ']'; };
  });
  const user = 'e2e-prototype-js';
  // The page boots with a list attribute, through the loader's early boot.
  await page.route('**/app.js', (route) => route.fulfill({
    contentType: 'text/javascript',
    body: `window.Beckon = window.Beckon || function () { (Beckon.q = Beckon.q || []).push(arguments); };
      Beckon('boot', { user_id: '${user}', attributes: { roles: ['admin', 'billing'] } });`,
  }));
  await page.goto(`${server.url}/pricing.html`);
  await booted(page);
  await page.evaluate(() => {
    Beckon('update', { teams: [1, 2] });
    Beckon('track', 'report.exported', { columns: ['a', 'b'] });
  });
  const stored = await eventually(async () => {
    const body = await server.admin(`/admin/v1/apps/demo/users/${user}`);
    return body.user?.attributes?.teams && body.user.attributes;
  });
  assert.deepEqual(stored.roles, ['admin', 'billing']);
  assert.deepEqual(stored.teams, [1, 2]);
  const events = await eventually(async () => {
    const list = await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=report.exported`);
    return list.length && list;
  });
  assert.deepEqual(events[0].data.columns, ['a', 'b']);
  assert.equal(await page.evaluate(() => JSON.stringify([1])), '"[1]"', "the page's own toJSON is still there");
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test("an app whose boot answer is very large is not cached in the page's localStorage, which the app's own writes share", async () => {
  // 25 messages of 6 KB each, for another page: a boot answer over 128 KB.
  const ids = [];
  for (let i = 0; i < 25; i += 1) {
    const id = `big-${i}`;
    ids.push(id);
    const message = banner(id, [{ match: 'equals', value: '/nowhere.html' }]);
    message.content.body = `Long text ${i}. `.repeat(400);
    await createMessage(message);
  }
  try {
    const page = await browser.newPage();
    const seen = watchConsole(page);
    await page.goto(`${server.url}/pricing.html?user=e2e-big-boot`);
    await booted(page);
    await eventually(async () => (await bannerIds(page)).includes('pricing-banner'));
    const stored = () =>
      page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('beckon:demo:e2e-big-boot:')).map((k) => k.split(':').pop()).sort());
    const keys = await stored();
    assert.ok(keys.includes('state'), keys.join(', '));
    assert.ok(!keys.includes('boot'), `no cached boot answer (${keys.join(', ')})`);
    const total = await page.evaluate(() => Object.entries(localStorage).reduce((n, [k, v]) => n + k.length + v.length, 0));
    assert.ok(total < 64 * 1024, `the SDK keeps ${total} characters in localStorage`);
    // A reload asks the server, and shows the same.
    await page.reload();
    await booted(page);
    await eventually(async () => (await bannerIds(page)).includes('pricing-banner'));
    assert.deepEqual(seen.pageErrors, []);
    await page.close();
  } finally {
    for (const id of ids) await server.admin(`/admin/v1/apps/demo/messages/${id}/status`, { status: 'archived' });
  }
});

test('a boot answer with messages this SDK cannot read (a newer server) shows the others, and names the ones left out once', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  // As after a deploy, for a tab still running the SDK it loaded before:
  // a message with a content field this SDK does not know, and one of a
  // kind it does not know.
  await page.route('**/v1/boot', async (route) => {
    const response = await route.fetch();
    const answer = await response.json();
    const pricing = answer.messages.find((m) => m.id === 'pricing-banner');
    answer.messages.push({ ...pricing, id: 'future-banner', content: { ...pricing.content, video: { url: '/intro.mp4' } } });
    answer.messages.push({ ...pricing, id: 'future-survey', kind: 'survey' });
    await route.fulfill({ response, body: JSON.stringify(answer) });
  });
  await page.goto(`${server.url}/pricing.html?user=e2e-newer-server`);
  await booted(page);
  await eventually(async () => (await bannerIds(page)).includes('pricing-banner'));
  const warnings = seen.warnings.filter((w) => w.includes('cannot read these messages'));
  assert.equal(warnings.length, 1, seen.warnings.join('\n'));
  assert.match(warnings[0], /future-banner \(.*video/);
  assert.match(warnings[0], /future-survey \(.*survey/);
  assert.deepEqual(await bannerIds(page), ['pricing-banner']);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('works under a strict Content-Security-Policy without violations', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await recordViolations(page);
  await page.goto(`${server.url}/csp.html?user=e2e-csp`);
  await booted(page);
  await eventually(async () => (await bannerIds(page)).includes('csp-banner'));
  const styled = await page.evaluate(() => {
    const root = document.querySelector('[data-beckon="banner"]').shadowRoot;
    return getComputedStyle(root.querySelector('.banner')).display;
  });
  assert.equal(styled, 'flex', 'the shadow root is styled (constructable stylesheet allowed by the CSP)');
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('hostile global CSS neither breaks the SDK nor is changed by it', async () => {
  const page = await browser.newPage();
  // The page's own computed styles before the SDK arrives…
  await page.route('**/sdk/loader.js', (route) => route.fulfill({ body: '', contentType: 'text/javascript' }));
  await page.goto(`${server.url}/hostile.html?user=e2e-hostile`);
  const snapshot = () =>
    page.evaluate(() =>
      ['html', 'body', 'header', 'h1', 'p', '.overlay'].map((sel) => {
        const s = getComputedStyle(document.querySelector(sel));
        return [sel, s.display, s.position, s.color, s.fontFamily, s.zIndex, s.margin, s.lineHeight].join('|');
      }),
    );
  const before = await snapshot();
  await page.unroute('**/sdk/loader.js');
  await page.reload();
  await booted(page);
  await eventually(async () => (await bannerIds(page)).includes('hostile-banner'));
  assert.deepEqual(await snapshot(), before, 'host page styles unchanged by the SDK');
  const onTop = await page.evaluate(() => {
    const host = document.querySelector('[data-beckon="banner"]');
    const box = host.shadowRoot.querySelector('.banner').getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + 20, box.top + box.height / 2);
    return { hit: hit === host, height: box.height, width: box.width, font: getComputedStyle(host.shadowRoot.querySelector('.banner')).fontFamily };
  });
  assert.ok(onTop.hit, 'the banner is on top where it is drawn');
  assert.ok(onTop.height > 20 && onTop.width > 200, `banner laid out (${onTop.width}x${onTop.height})`);
  assert.doesNotMatch(onTop.font, /Comic Sans/, 'page fonts do not reach inside');
  await page.close();
});

test('a body with a transform (or will-change, a filter) does not carry the surfaces down a long page: they stay on screen', async () => {
  // Such a body, not the viewport, is what `position: fixed` is relative to
  // for what is inside it.
  for (const rule of ['transform: translateZ(0)', 'will-change: transform', 'filter: saturate(1.1)']) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await page.route('**/pricing.html*', async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace('</head>', `<style>body { ${rule}; min-height: 4000px }</style></head>`);
      await route.fulfill({ response, body: html });
    });
    await page.goto(`${server.url}/pricing.html?user=e2e-held-fixed`);
    await booted(page);
    await eventually(async () => (await bannerIds(page)).includes('pricing-banner'));
    await page.getByRole('button', { name: 'Messages' }).waitFor();
    const onScreen = () =>
      page.evaluate(() => {
        const box = (el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
        };
        const banner = document.querySelector('[data-beckon="banner"]').shadowRoot.querySelector('[data-message-id]');
        const launcher = document.querySelector('[data-beckon="messenger"]').shadowRoot.querySelector('button');
        return { banner: box(banner), launcher: box(launcher) };
      });
    assert.deepEqual(await onScreen(), { banner: true, launcher: true }, `${rule}: at the top of the page`);
    await page.mouse.wheel(0, 2000);
    await eventually(() => page.evaluate(() => scrollY > 1000));
    assert.deepEqual(await onScreen(), { banner: true, launcher: true }, `${rule}: scrolled down`);
    await page.getByRole('button', { name: 'Messages' }).click();
    const panel = await page.evaluate(() => {
      const r = document.querySelector('[data-beckon="messenger"]').shadowRoot.querySelector('[role="dialog"]').getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight && r.height > 200;
    });
    assert.ok(panel, `${rule}: the messenger opens on screen`);
    await page.close();
  }
});

test('shutdown removes every node, listener and stored key it added', async () => {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  const listenerCount = async () => {
    let total = 0;
    for (const expr of ['window', 'document', 'history']) {
      const { result } = await cdp.send('Runtime.evaluate', { expression: expr });
      const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
      total += listeners.length;
    }
    return total;
  };
  await page.route('**/sdk/loader.js', (route) => route.fulfill({ body: '', contentType: 'text/javascript' }));
  await page.goto(`${server.url}/pricing.html?user=e2e-shutdown`);
  const baseline = await listenerCount();
  await page.unroute('**/sdk/loader.js');
  await page.reload();
  await page.locator('[data-beckon="banner"]').waitFor();
  assert.ok((await listenerCount()) > baseline, 'the SDK listens while booted');
  const keys = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('beckon:')));
  assert.ok((await keys()).some((k) => k.includes('e2e-shutdown')));
  await page.evaluate(() => Beckon('shutdown'));
  assert.deepEqual(await hosts(page), [], 'no Beckon node left');
  assert.equal(await listenerCount(), baseline, 'no listener left on window, document or history');
  assert.deepEqual(await keys(), [], "the user's stored state is gone");
  // The history API is the page's own again.
  assert.equal(await page.evaluate(() => history.pushState.toString().includes('[native code]')), true);
  await page.close();
});

test('debug mode prints why each message is or is not shown', async () => {
  const page = await browser.newPage();
  const lines = [];
  page.on('console', (m) => lines.push(m.text()));
  await page.goto(`${server.url}/pricing.html?user=e2e-debug`);
  await booted(page);
  await page.evaluate(() => Beckon('debug', true));
  await eventually(() => lines.some((l) => l.startsWith('welcome-banner: page:')));
  assert.ok(lines.some((l) => l === 'pricing-banner: shown'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('spa-reports: page:')));
  await page.close();
});

test('a reload shows cached messages even when the server does not answer', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/pricing.html?user=e2e-cache`);
  await page.locator('[data-beckon="banner"]').waitFor();
  await context.route('**/v1/boot', () => {}); // hangs: never answers
  await page.reload();
  await page.locator('[data-beckon="banner"]').waitFor({ timeout: 3000 });
  assert.deepEqual(await bannerIds(page), ['pricing-banner']);
  await context.close();
});

test('startTour called at once on a first visit waits for the server answer that brings the tour', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = watchConsole(page);
  // A slow boot answer: the module is ready well before the tour is known.
  await context.route('**/v1/boot', async (route) => {
    await new Promise((r) => setTimeout(r, 800));
    await route.continue();
  });
  await page.addInitScript(() => {
    window.Beckon = window.Beckon || function () { (Beckon.q = Beckon.q || []).push(arguments); };
    window.Beckon('startTour', 'reports-tour');
    window.Beckon('startTour', 'no-such-tour');
  });
  await page.goto(`${server.url}/reports.html?user=e2e-early-tour`);
  const step = page.locator('[data-beckon="tour"] .step');
  await step.waitFor({ timeout: 5000 });
  assert.match(await step.locator('.count').innerText(), /^1 of 5$/);
  // The unknown id gets its one warning once the answer is in, the tour none.
  await eventually(() => seen.warnings.some((w) => w.includes('no live message with id `no-such-tour`')));
  assert.deepEqual(seen.warnings.filter((w) => w.includes('no live message')).length, 1, seen.warnings.join('\n'));
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('update calls close together reach the server as one request; values it has send nothing', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/pricing.html?user=e2e-updates`);
  await booted(page);
  await page.waitForTimeout(300);
  const boots = bootRequests(page);
  // An app that updates on every render: twenty calls, the last value wins.
  await page.evaluate(() => {
    for (let i = 0; i < 20; i += 1) window.Beckon('update', { renders: i, plan: 'team' });
  });
  // Local rules see the new value at once; the server hears of it once.
  await eventually(() => boots.length === 1, { timeout: 4000 });
  assert.deepEqual(boots[0].user.attributes, { renders: 19, plan: 'team' });
  const key = await page.evaluate(() => window.Beckon('status').user_key);
  const user = await eventually(async () => {
    const body = await server.admin(`/admin/v1/apps/demo/users/${encodeURIComponent(key)}`);
    return body.user?.attributes?.renders === 19 && body.user;
  });
  assert.equal(user.attributes.plan, 'team');
  // The same values again: nothing to tell the server.
  await page.evaluate(() => window.Beckon('update', { renders: 19 }));
  await page.waitForTimeout(1500);
  assert.equal(boots.length, 1);
  // Pending when the page is hidden: sent at once, with keepalive.
  await page.evaluate(() => window.Beckon('update', { renders: 20 }));
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  await eventually(() => boots.length === 2, { timeout: 800 });
  assert.deepEqual(boots[1].user.attributes, { renders: 20 });
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('booting the same user again is an update: nothing is redrawn, the open messenger stays open', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/pricing.html?user=e2e-reboot`);
  await booted(page);
  const banner = page.locator('[data-beckon="banner"]');
  await banner.waitFor();
  await page.evaluate(() => { document.querySelector('[data-beckon="banner"]').__before = true; });
  await page.evaluate(() => window.Beckon('show'));
  const dialog = page.getByRole('dialog', { name: 'Acme Support' });
  await dialog.waitFor();
  // The app boots again on its next render, same user, one more attribute.
  const boots = bootRequests(page);
  const result = await page.evaluate(() => window.Beckon('boot', { user_id: 'e2e-reboot', attributes: { plan: 'pro', seats: 3 } }));
  assert.deepEqual(result, { ok: true });
  assert.ok(await dialog.isVisible(), 'the messenger stayed open');
  assert.equal(await page.evaluate(() => document.querySelector('[data-beckon="banner"]').__before), true, 'the banner was not redrawn');
  // Only the new attribute travels, as an update does.
  await eventually(() => boots.length === 1, { timeout: 4000 });
  assert.deepEqual(boots[0].user.attributes, { seats: 3 });
  // Another user is a new boot: this user's messenger goes.
  await page.evaluate(() => window.Beckon('boot', { user_id: 'e2e-reboot-2' }));
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('server down on a first visit: warnings say so, nothing throws, and an update reaches the server once it is back', async () => {
  const context = await browser.newContext();
  const refuse = (route) => route.abort('connectionrefused');
  await context.route('**/v1/**', refuse);
  const page = await context.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/reports.html?user=e2e-down`);
  await page.waitForFunction(() => window.Beckon && window.Beckon.loaded);
  await eventually(() => seen.warnings.some((w) => w.includes('cannot reach the Beckon server')));
  await page.evaluate(() => {
    window.Beckon('startTour', 'reports-tour');
    window.Beckon('show');
    window.Beckon('update', { plan: 'enterprise' });
  });
  await eventually(() => seen.warnings.some((w) => w.startsWith('[Beckon] update:')), { timeout: 4000 });
  const expect = [
    'no live message with id `reports-tour` (the server has not answered, so its messages are not known)',
    'show: the messenger is not known yet (the server has not answered)',
  ];
  for (const text of expect) {
    assert.equal(seen.warnings.filter((w) => w.includes(text)).length, 1, `${text}: ${seen.warnings.join('\n')}`);
  }
  // Back online: the boot is asked again with the update that failed; the
  // app's messages show without a reload, and the SDK says it is ready.
  await context.unroute('**/v1/**', refuse);
  await page.evaluate(() => { window.__ready = false; window.Beckon('on', 'ready', () => { window.__ready = true; }); });
  const boots = bootRequests(page);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await eventually(() => boots.some((b) => b.user.attributes?.plan === 'enterprise'));
  await page.locator('[data-beckon="banner"]').waitFor();
  await eventually(() => page.evaluate(() => window.__ready));
  const user = await eventually(async () => {
    const body = await server.admin('/admin/v1/apps/demo/users/e2e-down');
    return body.user?.attributes?.plan === 'enterprise' && body.user;
  });
  assert.equal(user.attributes.plan, 'enterprise');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('the app API: on() and its unsubscribe, bad arguments are one warning each', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.addInitScript(() => {
    window.__events = [];
    // The snippet of the README: on() answers its unsubscribe even before load.
    window.Beckon = window.Beckon || function () { var c = arguments; (Beckon.q = Beckon.q || []).push(c); if (c[0] === 'on') return function () { c.off ? c.off() : (c.cancelled = 1); }; };
    // Subscribed through the stub, before the SDK has loaded.
    window.__off = window.Beckon('on', 'message:shown', (e) => window.__events.push(e.message_id));
  });
  await page.goto(`${server.url}/pricing.html?user=e2e-api`);
  await eventually(() => page.evaluate(() => window.__events.length > 0));
  assert.deepEqual(await page.evaluate(() => window.__events), ['pricing-banner']);
  assert.equal(await page.evaluate(() => typeof window.__off), 'function');

  const results = await page.evaluate(() => [
    Beckon('track', 42),
    Beckon('update', 'not an object'),
    Beckon('on', 'nope', () => {}),
    Beckon('startTour', ''),
  ]);
  assert.deepEqual(results, [null, null, null, null].map(() => undefined));
  for (const needle of ['track: the event name', 'update: attributes must be an object', 'unknown event `nope`', 'startTour: the message id']) {
    assert.equal(seen.warnings.filter((w) => w.includes(needle)).length, 1, `one warning for ${needle}: ${seen.warnings.join('\n')}`);
  }
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('the npm package: import { Beckon } boots and shows messages like the script tag', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  // No loader: the page gets Beckon only from the ES module.
  await page.route('**/sdk/loader.js', (route) => route.fulfill({ body: '', contentType: 'text/javascript' }));
  await page.goto(`${server.url}/pricing.html`);
  await bootsThroughNpm(page, '/sdk/npm/index.mjs', 'e2e-npm');
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

/** Imports the npm package from `path` in the page and boots `user`: it boots and shows the page's banner. */
async function bootsThroughNpm(page, path, user) {
  const result = await page.evaluate(async ([path, user]) => {
    const { Beckon } = await import(path);
    const shown = [];
    Beckon('on', 'message:shown', (e) => shown.push(e.message_id));
    const boot = await Beckon('boot', { app_id: 'demo', user_id: user });
    await new Promise((r) => setTimeout(r, 200));
    return { boot, shown };
  }, [path, user]);
  assert.deepEqual(result.boot, { ok: true });
  assert.deepEqual(result.shown, ['pricing-banner']);
}

test("the npm package pre-bundled by Vite's dev server (before Vite 8), which leaves its .wasm behind: the module comes from the package's folder", async () => {
  // `vite dev` copies a dependency, bundled by esbuild, into
  // node_modules/.vite/deps/ and not the files it loads through
  // `new URL(…, import.meta.url)` (vitejs/vite#8427); a request for one
  // there gets the app's index.html. The same layout, made the same way.
  const { buildSync } = await import('esbuild');
  const npm = join(process.env.BECKON_SDK_DIR || join(ROOT, 'dist'), 'npm');
  const bundled = buildSync({ entryPoints: [join(npm, 'index.mjs')], bundle: true, format: 'esm', write: false });
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.route('**/sdk/loader.js', (route) => route.fulfill({ body: '', contentType: 'text/javascript' }));
  await page.route('**/node_modules/.vite/deps/beckon-sdk.js', (route) =>
    route.fulfill({ body: bundled.outputFiles[0].text, contentType: 'text/javascript' }));
  await page.route('**/node_modules/.vite/deps/beckon_bg.wasm', (route) =>
    route.fulfill({ body: '<!doctype html><title>The app</title>', contentType: 'text/html' }));
  await page.route('**/node_modules/beckon-sdk/beckon_bg.wasm', (route) =>
    route.fulfill({ path: join(npm, 'beckon_bg.wasm'), contentType: 'application/wasm' }));
  await page.goto(`${server.url}/pricing.html`);
  await bootsThroughNpm(page, '/node_modules/.vite/deps/beckon-sdk.js', 'e2e-npm-vite');
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('the npm package in a browser with WebAssembly turned off: boot says why, every time', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.addInitScript(() => { delete window.WebAssembly; });
  await page.route('**/sdk/loader.js', (route) => route.fulfill({ body: '', contentType: 'text/javascript' }));
  await page.goto(`${server.url}/pricing.html`);
  const result = await page.evaluate(async () => {
    const { Beckon } = await import('/sdk/npm/index.mjs');
    const off = Beckon('on', 'ready', () => {});
    return { first: await Beckon('boot', { app_id: 'demo' }), again: await Beckon('boot', { app_id: 'demo' }), off: typeof off };
  });
  assert.equal(result.first.ok, false);
  assert.match(result.first.error, /WebAssembly turned off/);
  assert.deepEqual(result.again, result.first);
  assert.equal(result.off, 'function');
  assert.equal(seen.warnings.filter((w) => w.includes('[Beckon]')).length, 1);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('each example page downloads the SDK as two files, once each: the loader (with the glue) and its pinned module', async () => {
  for (const path of ['/', '/reports.html', '/pricing.html', '/team.html', '/spa.html']) {
    const page = await browser.newPage();
    const sdk = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/sdk/')) sdk.push(url.pathname + url.search);
    });
    await page.goto(`${server.url}${path}${path.includes('?') ? '&' : '?'}user=e2e-downloads`);
    await page.waitForFunction(() => window.Beckon && window.Beckon.loaded);
    await page.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
    assert.equal(sdk.length, 2, `${path}: ${sdk.join(', ')}`);
    assert.equal(sdk[0], '/sdk/loader.js', path);
    assert.match(sdk[1], /^\/sdk\/beckon_bg\.[0-9a-f]{16}\.wasm$/, path);
    await page.close();
  }
});

test('a server behind a proxy under a path is asked at that path', async () => {
  // As with `location /beckon/ { proxy_pass http://beckon/; }`: the app's
  // origin has no API at its root, only under /beckon/.
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await pricingWithTags(page, '<script async src="/beckon/sdk/loader.js" data-app-id="demo"></script>');
  const asked = [];
  await page.route('**/beckon/**', async (route) => {
    const url = new URL(route.request().url());
    asked.push(url.pathname);
    const response = await route.fetch({ url: url.href.replace('/beckon/', '/') });
    await route.fulfill({ response });
  });
  await page.route(/\/v1\//, (route) => (new URL(route.request().url()).pathname.startsWith('/beckon/') ? route.fallback() : route.abort()));
  await page.goto(`${server.url}/pricing.html?user=e2e-path-prefix`);
  await booted(page);
  await page.locator('[data-beckon="banner"]').waitFor();
  assert.ok(asked.includes('/beckon/v1/boot'), asked.join(', '));
  assert.deepEqual(seen.warnings.filter((w) => w.includes('[Beckon]')), []);
  // A request still being proxied must not outlive the page as an error.
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.close();
});

test('a loader cached from a build whose module is gone fetches the current loader once and boots', async () => {
  // As after a deploy: the browser still has an older loader (cached for
  // five minutes, then stale-while-revalidate) naming a module the server
  // no longer keeps. Under the strict CSP, whose script-src allows the
  // current loader the old one adds.
  const page = await browser.newPage();
  const seen = watchConsole(page);
  const sdk = [];
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/sdk/')) sdk.push(`${r.status()} ${url.pathname}${url.search.replace(/=\d+$/, '=…')}`);
  });
  await serveStaleLoader(page, { reloadToo: false });
  await page.goto(`${server.url}/csp.html?user=e2e-stale-loader`);
  await booted(page);
  await eventually(async () => (await bannerIds(page)).includes('csp-banner'));
  assert.deepEqual(await bannerIds(page), ['csp-banner']);
  assert.equal(sdk.length, 4, sdk.join(', '));
  assert.deepEqual(sdk.slice(0, 3), ['200 /sdk/loader.js', '404 /sdk/beckon_bg.0000000000000000.wasm', '200 /sdk/loader.js?reload=…']);
  assert.match(sdk[3], /^200 \/sdk\/beckon_bg\.[0-9a-f]{16}\.wasm$/);
  const tags = await page.evaluate(() => [...document.querySelectorAll('script[src*="loader.js"]')].map((s) => s.dataset.appId));
  assert.deepEqual(tags, ['demo', 'demo'], 'the new tag keeps the first one\'s attributes');
  assert.deepEqual(seen.warnings.filter((w) => w.includes('[Beckon]')), []);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a page that requires Trusted Types: messages, the messenger and the bot, and a stale loader reloading, without a violation', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await recordViolations(page);
  // The strict policy, plus Trusted Types with an allowlist of policies.
  await requireTrustedTypes(page, 'beckon');
  // A loader cached from an older build, as after a deploy.
  await serveStaleLoader(page, { reloadToo: false });
  await page.goto(`${server.url}/csp.html?user=e2e-trusted-types`);
  await booted(page);
  assert.equal(await page.evaluate(() => document.querySelectorAll('script[src*="loader.js?reload="]').length), 1);
  await eventually(async () => (await bannerIds(page)).includes('csp-banner'));
  await page.getByRole('button', { name: 'Messages' }).click();
  await page.getByRole('button', { name: 'Ask a question' }).click();
  const composer = page.getByRole('textbox', { name: 'Write a message…' });
  await composer.fill('How do I export a report?');
  await composer.press('Enter');
  await page.getByText('Source:').waitFor();
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(seen.warnings.filter((w) => w.includes('[Beckon]')), []);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test("a page whose Trusted Types list leaves out `beckon`: a stale loader says what to add, and nothing throws", async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await requireTrustedTypes(page, 'app-policy');
  await serveStaleLoader(page, { reloadToo: false });
  await page.goto(`${server.url}/csp.html?user=e2e-trusted-types-list`);
  const warning = await eventually(() => seen.warnings.find((w) => w.includes('Trusted Types')));
  assert.match(warning ?? '', /add `beckon` to its trusted-types directive/);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a loader whose module is gone and whose reload is gone too warns once and stops', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await serveStaleLoader(page, { reloadToo: true });
  let loaders = 0;
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/sdk/loader.js') loaders += 1; });
  await page.goto(`${server.url}/csp.html?user=e2e-stale-loader-2`);
  const warning = await eventually(() => seen.warnings.find((w) => w.includes('could not load the SDK')));
  assert.match(warning ?? '', /module is gone/);
  await page.waitForTimeout(300);
  assert.equal(loaders, 2, 'one reload, not a loop');
  assert.equal(await page.evaluate(() => typeof window.Beckon === 'function' && !window.Beckon.loaded), true);
  assert.equal(await page.evaluate(() => document.querySelectorAll('[data-beckon]').length), 0);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('the loader tag twice on a page loads one SDK, boots once and says so', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await pricingWithTags(page, `${LOADER_TAG}\n${LOADER_TAG}`);
  const requests = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm') || path === '/v1/boot') requests.push(path.replace(/\.[0-9a-f]{16}\./, '.<hash>.'));
  });
  await page.goto(`${server.url}/pricing.html?user=e2e-twice`);
  await booted(page);
  await eventually(async () => (await bannerIds(page)).includes('pricing-banner'));
  await page.waitForTimeout(300);
  assert.deepEqual(requests.sort(), ['/sdk/beckon_bg.<hash>.wasm', '/v1/boot']);
  assert.deepEqual(await bannerIds(page), ['pricing-banner']);
  assert.equal(await page.evaluate(() => document.querySelectorAll('[data-beckon="messenger"]').length), 1);
  const twice = seen.warnings.filter((w) => w.includes('more than once'));
  assert.equal(twice.length, 1, seen.warnings.join('\n'));
  // The page's calls reach the one SDK that booted.
  assert.ok(await page.evaluate(() => window.Beckon('status').user_key));
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('the script tag and the npm package on one page: the package uses the tag\'s SDK, nothing is drawn twice', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  const modules = moduleRequests(page);
  await page.goto(`${server.url}/pricing.html?user=e2e-tag-then-npm`);
  await booted(page);
  const result = await page.evaluate(async () => {
    const { Beckon } = await import('/sdk/npm/index.mjs');
    const shown = [];
    const off = Beckon('on', 'message:shown', (e) => shown.push(e.message_id));
    const boot = await Beckon('boot', { app_id: 'demo', user_id: 'e2e-tag-then-npm', attributes: { plan: 'pro' } });
    return { boot, off: typeof off, same: Beckon('status').user_key === window.Beckon('status').user_key, global: window.Beckon !== Beckon };
  });
  assert.deepEqual(result, { boot: { ok: true }, off: 'function', same: true, global: true });
  await page.waitForTimeout(300);
  assert.equal(modules.length, 1, modules.join(', '));
  assert.deepEqual(await bannerIds(page), ['pricing-banner']);
  assert.equal(await page.evaluate(() => document.querySelectorAll('[data-beckon="messenger"]').length), 1);
  assert.equal(seen.warnings.filter((w) => w.includes('this package uses it')).length, 1, seen.warnings.join('\n'));
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('the npm package first, the script tag after: the tag loads nothing and the page\'s calls reach the package\'s SDK', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  // The tag comes later (a tag manager); the app's own script boots through
  // the README's snippet, whose queue the package replays.
  await pricingWithTags(page, '');
  // With npm the app names its app id itself.
  await page.route('**/app.js', (route) => route.fulfill({
    contentType: 'text/javascript',
    body: `window.Beckon = window.Beckon || function () { (window.Beckon.q = window.Beckon.q || []).push(arguments); };
      window.__shown = [];
      Beckon('on', 'message:shown', (e) => window.__shown.push(e.message_id));
      Beckon('boot', { app_id: 'demo', user_id: 'e2e-npm-then-tag', attributes: { plan: 'pro' } });`,
  }));
  const modules = moduleRequests(page);
  await page.goto(`${server.url}/pricing.html`);
  await page.evaluate(async () => {
    const { Beckon } = await import('/sdk/npm/index.mjs');
    Beckon.load();
  });
  await page.locator('[data-beckon="banner"]').waitFor();
  await page.evaluate(() => new Promise((resolve) => {
    const s = document.createElement('script');
    s.src = '/sdk/loader.js';
    s.dataset.appId = 'demo';
    s.onload = resolve;
    document.head.append(s);
  }));
  await page.waitForTimeout(300);
  assert.deepEqual(modules, ['/sdk/npm/beckon_bg.wasm']);
  assert.deepEqual(await bannerIds(page), ['pricing-banner']);
  assert.deepEqual(await page.evaluate(() => window.__shown), ['pricing-banner']);
  assert.equal(await page.evaluate(() => document.querySelectorAll('[data-beckon="messenger"]').length), 1);
  assert.equal(seen.warnings.filter((w) => w.includes('more than once')).length, 1, seen.warnings.join('\n'));
  // The app's later calls, through window.Beckon, reach the one SDK.
  assert.equal(await page.evaluate(() => window.Beckon('status').user_key), 'e2e-npm-then-tag');
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

/** Answers a route with a 429 asking to wait `seconds`, as the server's rate limit does. */
const busy = (route, seconds) => route.fulfill({
  status: 429,
  headers: { 'retry-after': String(seconds), 'content-type': 'application/json' },
  body: JSON.stringify({ error: 'rate_limited', message: `too many requests for this user; retry after ${seconds} s` }),
});

test('events tracked every 100 ms go out about once a second, each exactly once', async () => {
  const page = await browser.newPage();
  const user = 'e2e-paced-events';
  await page.goto(`${server.url}/pricing.html?user=${user}`);
  await booted(page);
  await page.waitForTimeout(1200);
  const sends = [];
  page.on('request', (r) => { if (r.url().endsWith('/v1/events')) sends.push(Date.now()); });
  const took = await page.evaluate(async () => {
    const start = performance.now();
    for (let i = 0; i < 20; i += 1) {
      window.Beckon('track', 'paced_tick', { i });
      await new Promise((r) => setTimeout(r, 100));
    }
    return performance.now() - start;
  });
  const events = await eventually(async () => {
    const stored = await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=paced_tick`);
    return stored.length === 20 && stored;
  }, { timeout: 6000 });
  assert.equal(events.length, 20);
  // About 2 s of events (more on a slow machine): the first at once, then
  // one batch a second; the old code sent one per event.
  const most = Math.ceil(took / 1000) + 2;
  assert.ok(sends.length >= 2 && sends.length <= most, `${sends.length} requests in ${took} ms: ${sends.map((t) => t - sends[0]).join(', ')}`);
  for (let i = 1; i < sends.length; i += 1) assert.ok(sends[i] - sends[i - 1] >= 900, `${sends.map((t) => t - sends[0]).join(', ')}`);
  await page.close();
});

test('an event too big or too long a name is refused at track with the reason; the events around it all arrive', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  const user = 'e2e-oversized-event';
  await page.goto(`${server.url}/pricing.html?user=${user}`);
  await booted(page);
  await page.waitForTimeout(1200);
  // In one task, so all of them would have gone in one batch, which the
  // server refused whole (413 for the body, 400 for the name): the good
  // events were dropped with it.
  await page.evaluate(() => {
    window.Beckon('track', 'around_first', { n: 1 });
    window.Beckon('track', 'around_second', { n: 2 });
    window.Beckon('track', 'oversized', { blob: 'x'.repeat(300000) });
    window.Beckon('track', 'n'.repeat(201));
    window.Beckon('track', 'around_third', { n: 3 });
  });
  for (const name of ['around_first', 'around_second', 'around_third']) {
    const stored = await eventually(async () => (await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=${name}`)).length === 1, { timeout: 5000 });
    assert.ok(stored, `${name} arrived once`);
  }
  assert.deepEqual(await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=oversized`), []);
  const refused = seen.warnings.filter((w) => w.includes('[Beckon] bad argument: track:'));
  assert.equal(refused.length, 2, seen.warnings.join('\n'));
  assert.match(refused[0], /metadata: its JSON is 293 KB, more than the 8 KB allowed/);
  assert.match(refused[1], /event name is 201 bytes, more than the 200 allowed/);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('attributes too big for one request are refused at boot and update with the reason, before the server', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  const refusedByServer = [];
  page.on('response', (r) => { if (r.status() === 413) refusedByServer.push(r.url()); });
  await page.goto(`${server.url}/pricing.html?user=e2e-big-attributes`);
  await booted(page);
  const blob = 'x'.repeat(100000);
  const result = await page.evaluate(async (blob) => {
    window.Beckon('update', { notes: blob });
    return window.Beckon('boot', { user_id: 'e2e-big-attributes-2', attributes: { notes: blob } });
  }, blob);
  assert.equal(result.ok, false);
  assert.match(result.error, /boot: attributes: its JSON is 98 KB, more than the 64 KB allowed/);
  assert.ok(seen.warnings.some((w) => w.includes('update: attributes: its JSON is 98 KB, more than the 64 KB allowed')), seen.warnings.join('\n'));
  await page.waitForTimeout(1500);
  assert.deepEqual(refusedByServer, []);
  // The SDK goes on for the user it had.
  assert.equal(await page.evaluate(() => window.Beckon('status').user_key), 'e2e-big-attributes');
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a server that asks to wait (429 with Retry-After) is not sent events sooner; every event arrives once', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  const user = 'e2e-busy-events';
  await page.goto(`${server.url}/pricing.html?user=${user}`);
  await booted(page);
  await page.waitForTimeout(300);
  const sends = [];
  await page.route('**/v1/events', (route) => {
    sends.push(Date.now());
    return sends.length === 1 ? busy(route, 2) : route.continue();
  });
  // An app forwarding its analytics: an event every 100 ms for 1.5 s, each
  // in a task of its own (each of which used to send at once).
  await page.evaluate(async () => {
    for (let i = 0; i < 15; i += 1) {
      window.Beckon('track', 'busy_tick', { i });
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  const events = await eventually(async () => {
    const stored = await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=busy_tick`);
    return stored.length === 15 && stored;
  }, { timeout: 8000 });
  assert.equal(events.length, 15);
  const gaps = sends.map((t) => t - sends[0]);
  assert.ok(gaps.length >= 2 && gaps[1] >= 1900, `nothing sent within the 2 s asked: ${gaps.join(', ')}`);
  assert.deepEqual(seen.pageErrors, []);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.close();
});

test('opening the messenger again and again asks for its list once at a time, and not while the server asks to wait', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/pricing.html?user=e2e-busy-list`);
  await booted(page);
  await page.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
  await page.waitForTimeout(300);
  const lists = [];
  await page.route('**/v1/conversations', (route) => {
    lists.push(route.request().method());
    return busy(route, 5);
  });
  await page.evaluate(async () => {
    for (let i = 0; i < 10; i += 1) {
      window.Beckon('show');
      await new Promise((r) => setTimeout(r, 50));
      window.Beckon('hide');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  await page.waitForTimeout(300);
  assert.deepEqual(lists, ['GET'], 'one list request; the other openings waited for the server');
  assert.equal(seen.warnings.filter((w) => w.includes('HTTP 429')).length, 1, seen.warnings.join('\n'));
  // The panel still opens, on the list it had.
  await page.evaluate(() => window.Beckon('show'));
  await page.getByRole('dialog').waitFor();
  assert.deepEqual(seen.pageErrors, []);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.close();
});

test('a browser that boots many users keeps the cached data of the last five; unsent events stay and go later', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  const users = Array.from({ length: 8 }, (_, i) => `e2e-many-users-${i}`);
  await page.goto(`${server.url}/pricing.html?user=${users[0]}`);
  await booted(page);
  // The first user's event cannot be sent for now.
  await page.route('**/v1/events', (route) => route.abort('connectionrefused'));
  await page.evaluate(() => window.Beckon('track', 'unsent_when_switching'));
  await page.waitForTimeout(300);
  // An agent impersonating users one after another.
  for (const user of users.slice(1)) {
    await page.evaluate((u) => window.Beckon('boot', { user_id: u }), user);
    await page.waitForFunction((u) => window.Beckon('status').user_key === u, user);
  }
  const stored = await page.evaluate(() => Object.keys(localStorage));
  const cachedFor = users.filter((u) => stored.includes(`beckon:demo:${u}:boot`));
  assert.deepEqual(cachedFor, users.slice(3), 'the five users booted last');
  assert.ok(stored.includes(`beckon:demo:${users[0]}:outbox`), 'the unsent event stays');
  // That user comes back: the event goes.
  await page.unroute('**/v1/events');
  await page.evaluate((u) => window.Beckon('boot', { user_id: u }), users[0]);
  const sent = await eventually(async () => (await server.admin(`/admin/v1/apps/demo/events?user=${users[0]}&name=unsent_when_switching`)).length === 1, { timeout: 5000 });
  assert.ok(sent);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('event names with ids in them do not grow the stored state without end; counted names stay', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/pricing.html?user=e2e-many-names`);
  await booted(page);
  const names = await page.evaluate(async () => {
    window.Beckon('track', 'report_created'); // counted by the seeded checklist
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 300; i += 1) window.Beckon('track', `viewed_item_${i}`);
    await new Promise((r) => setTimeout(r, 50));
    const key = Object.keys(localStorage).find((k) => k.endsWith(':e2e-many-names:state'));
    return Object.keys(JSON.parse(localStorage.getItem(key)).events);
  });
  assert.equal(names.length, 200);
  assert.ok(names.includes('report_created'));
  assert.ok(names.includes('viewed_item_299'));
  assert.ok(!names.includes('viewed_item_0'));
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a server that sends the module as another type: one warning, and the SDK still boots', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  let modules = 0;
  await page.route(/\/sdk\/beckon_bg\.[0-9a-f]{16}\.wasm$/, async (route) => {
    modules += 1;
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-type': 'application/octet-stream' } });
  });
  await page.goto(`${server.url}/pricing.html?user=e2e-octet`);
  await booted(page);
  await eventually(async () => (await bannerIds(page)).includes('pricing-banner'));
  const warnings = seen.warnings.filter((w) => w.includes('[Beckon]'));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /application\/wasm/);
  assert.equal(modules, 2, 'fetched again to compile from its bytes');
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a browser with WebAssembly turned off: one warning, the page untouched', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.addInitScript(() => { delete window.WebAssembly; });
  await page.goto(`${server.url}/pricing.html?user=e2e-no-wasm`);
  const warning = await eventually(() => seen.warnings.find((w) => w.includes('[Beckon]')));
  assert.match(warning ?? '', /WebAssembly turned off/);
  // The page's calls still go to the stub and throw nothing; boot says why.
  assert.equal(await page.evaluate(() => typeof window.Beckon('on', 'ready', () => {})), 'function');
  const boot = await page.evaluate(() => window.Beckon('boot', { user_id: 'e2e-no-wasm' }));
  assert.equal(boot.ok, false);
  assert.match(boot.error, /WebAssembly turned off/);
  await page.waitForTimeout(200);
  assert.equal(seen.warnings.filter((w) => w.includes('[Beckon]')).length, 1);
  assert.equal(await page.evaluate(() => document.querySelectorAll('[data-beckon]').length), 0);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a stale loader deferred until the first interaction loads the current one at once, not at a second', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await serveStaleLoader(page, { reloadToo: false });
  await page.route('**/pricing.html*', async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('data-app-id="demo"', 'data-app-id="demo" data-defer="interaction"');
    await route.fulfill({ response, body });
  });
  await page.goto(`${server.url}/pricing.html?user=e2e-stale-deferred`);
  await page.mouse.click(5, 300);
  await booted(page);
  await eventually(async () => (await bannerIds(page)).includes('pricing-banner'));
  assert.deepEqual(seen.warnings.filter((w) => w.includes('[Beckon]')), []);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a reference to the stub kept before the load reaches the loaded SDK', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await trapLoaderStub(page);
  await page.goto(`${server.url}/pricing.html?user=e2e-kept-stub`);
  await booted(page);
  assert.equal(await page.evaluate(() => window.__stub !== window.Beckon), true, 'the kept function is the stub');
  const status = await page.evaluate(() => window.__stub('status'));
  assert.ok(status && status.user_key, JSON.stringify(status));
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('the README snippet\'s own function, kept by the page, reaches the loaded SDK', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  const user = 'e2e-kept-snippet';
  await page.addInitScript(() => {
    // The README's snippet, with the page keeping its function.
    window.Beckon = window.Beckon || function () { var c = arguments; (Beckon.q = Beckon.q || []).push(c); if (c[0] === 'on') return function () { c.off ? c.off() : (c.cancelled = 1); }; };
    window.__snippet = window.Beckon;
  });
  await page.goto(`${server.url}/pricing.html?user=${user}`);
  await booted(page);
  assert.equal(await page.evaluate(() => window.__snippet !== window.Beckon), true, 'the kept function is the snippet');
  await page.evaluate(() => {
    window.__shown = [];
    window.__off = window.__snippet('on', 'message:shown', (e) => window.__shown.push(e.message_id));
    window.__snippet('track', 'via_kept_snippet');
  });
  const stored = await eventually(async () => (await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=via_kept_snippet`)).length > 0, { timeout: 4000 });
  assert.ok(stored, 'the call through the kept snippet reached the server');
  assert.equal(await page.evaluate(() => typeof window.__off), 'function');
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('boot called before the SDK has loaded answers a promise that resolves once it has booted', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await trapLoaderStub(page, { user_id: 'e2e-boot-promise' });
  await page.goto(`${server.url}/pricing.html?user=e2e-boot-promise`);
  assert.equal(await page.evaluate(() => window.__boot instanceof Promise), true);
  assert.deepEqual(await page.evaluate(() => window.__boot), { ok: true });
  assert.equal(await page.evaluate(() => window.Beckon('status').user_key), 'e2e-boot-promise');
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a Content-Security-Policy that leaves the server out of connect-src is named in one warning, not retried', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  const modules = moduleRequests(page);
  // The loader may run (script-src 'self'), but connect-src forgot the server.
  await page.route('**/pricing.html*', async (route) => {
    const response = await route.fetch();
    const text = await response.text();
    await route.fulfill({
      response,
      body: text.replace('<meta charset="utf-8">', `<meta charset="utf-8">\n  <meta http-equiv="Content-Security-Policy" content="script-src 'self' 'wasm-unsafe-eval'; connect-src 'none'">`),
    });
  });
  await page.goto(`${server.url}/pricing.html?user=e2e-csp-connect`);
  const boot = await page.evaluate(() => window.Beckon('boot', { user_id: 'e2e-csp-connect' }));
  assert.equal(boot.ok, false);
  assert.match(boot.error, /Content-Security-Policy \(connect-src\) refuses http:\/\/127\.0\.0\.1:\d+; add it to connect-src/);
  // The browser refuses the request before it leaves, and every retry
  // would be refused the same way: none is made, and nothing says
  // "trying again".
  await page.waitForTimeout(1500);
  assert.deepEqual(modules, []);
  const warnings = seen.warnings.filter((w) => w.includes('[Beckon]'));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /Content-Security-Policy/);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('the module unreachable at first is asked again, and the SDK boots once it answers', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  let refused = 0;
  await page.route(/\/sdk\/beckon_bg\.[0-9a-f]{16}\.wasm$/, async (route) => {
    if (refused < 2) {
      refused += 1;
      await route.abort('connectionrefused');
    } else {
      await route.continue();
    }
  });
  await page.goto(`${server.url}/pricing.html?user=e2e-module-retry`);
  const boot = page.evaluate(() => window.Beckon('boot', { user_id: 'e2e-module-retry' }));
  await booted(page);
  await eventually(async () => (await bannerIds(page)).includes('pricing-banner'));
  assert.equal(refused, 2);
  assert.deepEqual(await boot, { ok: true });
  const warnings = seen.warnings.filter((w) => w.includes('[Beckon]'));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /trying again/);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test("a browser whose clock is days off: its events are stored in the server's clock, other devices keep the frequency rule, schedules keep the real time", async () => {
  // Clocks are wrong on some users' machines, by hours or years. A banner
  // at most once a day, shown on a device two days behind, was stored as
  // shown two days ago: the user's other devices showed it again at once.
  await createMessage(banner('clock-banner', [{ match: 'contains', value: 'clock=1' }], { frequency: { show: 'always', every_days: 1 } }));
  const user = 'e2e-clock';
  const url = `${server.url}/spa.html?view=settings&clock=1&user=${user}`;
  const day = 86_400_000;
  /** A device (a new context: its own storage) whose clock is `offset` ms off. */
  async function device(offset, at = url) {
    const context = await browser.newContext();
    await context.addInitScript((off) => {
      const now = Date.now;
      Date.now = () => now() + off;
    }, offset);
    const page = await context.newPage();
    const seen = watchConsole(page);
    await page.goto(at);
    await booted(page);
    return { context, page, seen };
  }
  const behind = await device(-2 * day);
  await behind.page.locator('[data-beckon="banner"]').waitFor();
  const shown = await eventually(async () => {
    const list = await server.admin(`/admin/v1/apps/demo/events?user=${user}&name=message.shown`);
    return list.length > 0 && list;
  });
  assert.ok(shown, 'the showing reached the server');
  assert.ok(Math.abs(shown[0].ts - Date.now()) < 60_000, `stored in the server's clock: ${shown[0].ts} vs ${Date.now()}`);
  await behind.context.close();

  for (const [name, offset] of [['a right clock', 0], ['a clock two days ahead', 2 * day]]) {
    const other = await device(offset);
    await other.page.waitForTimeout(800);
    assert.deepEqual(await bannerIds(other.page), [], `${name}: shown a minute ago, not again`);
    assert.deepEqual(other.seen.pageErrors, []);
    await other.context.close();
  }

  // A launch that began an hour ago, by the real clock, until tomorrow.
  const hour = 3_600_000;
  await createMessage(banner('clock-launch', [{ match: 'contains', value: 'launch=1' }], {
    schedule: { start: new Date(Date.now() - hour).toISOString(), end: new Date(Date.now() + day).toISOString() },
  }));
  for (const [name, offset, expect] of [['two days behind', -2 * day, ['clock-launch']], ['two days ahead', 2 * day, ['clock-launch']]]) {
    const { context, page } = await device(offset, `${server.url}/spa.html?view=settings&launch=1&user=e2e-clock-launch-${offset}`);
    await eventually(async () => (await bannerIds(page)).length > 0, { timeout: 10000 });
    assert.deepEqual(await bannerIds(page), expect, `a clock ${name} sees the launch that is on`);
    await context.close();
  }
});

test("a page where no message waits for an element keeps no DOM observer; one where a tooltip's element is missing keeps one until it comes", async () => {
  // Every tooltip and element trigger of the app kept a subtree observer
  // running on every page for 30 s, each of the page's own DOM changes
  // waking the SDK (16 KB of JS heap in `npm run bench:browser`).
  const page = await browser.newPage();
  await page.addInitScript(() => {
    window.__observing = 0;
    const observe = MutationObserver.prototype.observe;
    MutationObserver.prototype.observe = function (target, options) {
      if (options && options.subtree) window.__observing += 1;
      return observe.call(this, target, options);
    };
  });
  await page.goto(`${server.url}/index.html?user=e2e-observers`);
  await booted(page);
  await page.locator('[data-beckon="banner"]').waitFor();
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.__observing), 0, 'nothing on this page waits for an element');
  // The reports page's export tooltip waits for its button, which is not there yet.
  await page.route('**/reports.html*', async (route) => {
    const res = await route.fetch();
    const html = (await res.text()).replace(/<button[^>]*id="export-csv"[^>]*>[^<]*<\/button>/, '');
    await route.fulfill({ response: res, body: html });
  });
  await page.goto(`${server.url}/reports.html?user=e2e-observers`);
  await booted(page);
  assert.ok(await eventually(() => page.evaluate(() => window.__observing > 0)), 'waits for the export button');
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.close();
});
