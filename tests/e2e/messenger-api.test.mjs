// The messenger through the SDK's public API on the example product pages,
// with the release SDK and the real server: boot starts it from the
// server's answer, `show` / `hide` / `showNewMessage` / `showArticle`
// drive it, its events reach `on()` subscribers, a message's "ask us"
// action opens it with the prefilled text, a proactive message waits while
// it is open, and bad arguments are warnings. (tests/e2e/messenger.test.mjs
// covers the messenger's own behaviour in depth.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_KEY, askForAPerson, eventually, launchBrowser, startServer, watchConsole } from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens `path` with every app-facing event recorded in `window.__seen`. */
async function open(path) {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.addInitScript(() => {
    window.__seen = [];
    window.Beckon = window.Beckon || function () { (window.Beckon.q = window.Beckon.q || []).push(arguments); };
    for (const name of ['ready', 'messenger:opened', 'messenger:closed', 'unread_count', 'conversation:opened', 'conversation:started']) {
      window.Beckon('on', name, (payload) => window.__seen.push([name, payload ?? null]));
    }
  });
  await page.goto(server.url + path);
  await eventually(async () => (await seenEvents(page)).some(([n]) => n === 'ready'));
  await page.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
  return { page, seen };
}

const seenEvents = (page) => page.evaluate(() => window.__seen);
const named = async (page, name) => (await seenEvents(page)).filter(([n]) => n === name).map(([, p]) => p);
const beckon = (page, ...args) => page.evaluate((a) => window.Beckon(...a), args);

async function reply(id, body) {
  const res = await fetch(`${server.url}/admin/v1/inbox/demo/conversations/${id}/reply`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agent: 'Ana', body }),
  });
  assert.equal(res.status, 200, await res.text());
}

test('show, hide, showNewMessage and showArticle drive the messenger; its events reach on()', async () => {
  const { page, seen } = await open('/index.html?user=e2e-api-messenger');
  const dialog = page.getByRole('dialog', { name: 'Acme Support' });

  await beckon(page, 'show');
  await dialog.waitFor();
  assert.ok(await eventually(async () => (await named(page, 'messenger:opened')).length === 1), 'messenger:opened');
  await beckon(page, 'hide');
  await dialog.waitFor({ state: 'hidden' });
  assert.ok(await eventually(async () => (await named(page, 'messenger:closed')).length === 1), 'messenger:closed');

  await beckon(page, 'showNewMessage', 'I need a human please');
  const field = page.getByRole('textbox', { name: 'Write a message…' });
  await field.waitFor();
  assert.equal(await field.inputValue(), 'I need a human please', 'prefilled');
  await page.getByRole('button', { name: 'Send' }).click();
  const started = await eventually(async () => (await named(page, 'conversation:started'))[0]);
  assert.match(started?.conversation_id ?? '', /\S/, 'conversation:started carries the id');
  await page.getByRole('log').getByText(/will answer here/).waitFor();

  // A person answers while the panel is closed: the app hears the count.
  await beckon(page, 'hide');
  await reply(started.conversation_id, 'Hello from Ana');
  assert.ok(await eventually(async () => (await named(page, 'unread_count')).includes(1), { timeout: 10000 }), 'unread_count 1');

  await beckon(page, 'showArticle', 'reset-password');
  await page.getByRole('heading', { name: 'Reset your password', level: 2 }).waitFor();
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.warnings, []);
  await page.close();
});

test("a message's \"ask us\" action opens the messenger with its text; proactive messages wait while it is open", async () => {
  const { page, seen } = await open('/team.html?user=e2e-api-action');
  const post = page.locator('[data-beckon="post"] .post');
  await post.waitFor();
  await post.getByRole('button', { name: 'Ask a question' }).click();
  const field = page.getByRole('textbox', { name: 'Write a message…' });
  await field.waitFor();
  assert.equal(await field.inputValue(), 'Hi! Tell me about the Team plan.');
  await post.waitFor({ state: 'detached' });

  // With the messenger open, a message started by its trigger does not
  // cover it; it shows once the messenger is closed.
  await page.evaluate(() => history.pushState({}, '', '/pricing.html?user=e2e-api-action'));
  await page.waitForTimeout(400);
  assert.equal(await page.locator('[data-beckon="banner"]').count(), 0, 'no banner over the open messenger');
  await beckon(page, 'hide');
  await page.locator('[data-beckon="banner"]').waitFor();
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('bad messenger arguments are one clear warning each, never an exception', async () => {
  const { page, seen } = await open('/index.html?user=e2e-api-bad');
  await beckon(page, 'showArticle', 42);
  await beckon(page, 'showNewMessage', { text: 'x' });
  await eventually(() => seen.warnings.length >= 2);
  assert.ok(seen.warnings.some((w) => w.includes('showArticle: the article id must be a non-empty string')), seen.warnings.join('\n'));
  assert.ok(seen.warnings.some((w) => w.includes('showNewMessage: the prefilled text must be a string')), seen.warnings.join('\n'));
  assert.equal(await page.getByRole('dialog', { name: 'Acme Support' }).count(), 0, 'nothing opened');
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a refused session token is renewed by a boot and nothing the user wrote is lost', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  let corrupted = 0;
  const refused = [];
  page.on('response', (r) => {
    if (r.url().includes('/v1/conversations') && r.status() === 401) refused.push(r.url());
  });
  await page.route('**/v1/boot', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    if (corrupted === 0 && body.session) {
      corrupted += 1;
      body.session = 'expired.token.value';
    }
    await route.fulfill({ response, json: body });
  });
  await page.goto(`${server.url}/index.html?user=e2e-api-session`);
  await page.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
  assert.equal(corrupted, 1, 'the first boot answer carried a bad token');
  await page.evaluate(() => window.Beckon('showNewMessage', 'Can I export to Excel?'));
  await page.getByRole('button', { name: 'Send' }).click();
  const log = page.getByRole('log');
  await log.locator('.msg.user').getByText('Delivered').waitFor({ timeout: 10000 });
  assert.equal(await log.locator('.msg.user').count(), 1, 'sent once');
  assert.ok(refused.length >= 1, 'the server did refuse the bad token');
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a message written while the server is unreachable survives a reload and arrives once', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = watchConsole(page);
  const user = 'e2e-api-unsent';
  await page.goto(`${server.url}/index.html?user=${user}`);
  await page.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
  await page.route('**/v1/conversations**', (route) => route.abort('internetdisconnected'));
  await page.evaluate(() => window.Beckon('showNewMessage', 'Written on a train'));
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('log').getByText('Written on a train').waitFor();
  const stored = await eventually(() =>
    page.evaluate(() => Object.keys(localStorage).find((k) => k.endsWith(':messenger-unsent'))),
  );
  assert.ok(stored, 'kept in storage while unsent');

  // The network is back, and the page reloads before the SDK retried.
  await page.unroute('**/v1/conversations**');
  await page.reload();
  const conversations = async () => {
    const res = await fetch(`${server.url}/admin/v1/inbox/demo/conversations?filter=all`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    return res.ok ? (await res.json()).filter((c) => JSON.stringify(c).includes(user)) : [];
  };
  const arrived = await eventually(async () => (await conversations()).length === 1, { timeout: 10000 });
  assert.ok(arrived, 'the conversation exists on the server');
  await eventually(() => page.evaluate(() => !Object.keys(localStorage).some((k) => k.endsWith(':messenger-unsent'))));
  assert.equal(
    await page.evaluate(() => Object.keys(localStorage).some((k) => k.endsWith(':messenger-unsent'))),
    false,
    'forgotten once the server has it',
  );
  await page.waitForTimeout(500);
  assert.equal((await conversations()).length, 1, 'exactly once');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('a question a visitor wrote while the server was unreachable arrives once as the user they log in as', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = watchConsole(page);
  const user = 'e2e-api-unsent-login';
  await page.goto(`${server.url}/index.html`);
  await page.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
  await page.route('**/v1/conversations**', (route) => route.abort('internetdisconnected'));
  await page.evaluate(() => window.Beckon('showNewMessage', 'Asked before logging in'));
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('log').getByText('Asked before logging in').waitFor();
  await eventually(() => page.evaluate(() => Object.keys(localStorage).find((k) => k.includes(':anon:') && k.endsWith(':messenger-unsent'))));
  // The network is back as the visitor logs in, without a reload.
  await page.unroute('**/v1/conversations**');
  await page.evaluate((user) => window.Beckon('boot', { user_id: user }), user);
  const theirs = async () => {
    const res = await fetch(`${server.url}/admin/v1/inbox/demo/conversations?filter=all`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    return res.ok ? (await res.json()).filter((c) => JSON.stringify(c).includes(user)) : [];
  };
  await eventually(async () => (await theirs()).length === 1, { timeout: 10000 });
  await eventually(() => page.evaluate(() => !Object.keys(localStorage).some((k) => k.endsWith(':messenger-unsent'))));
  await page.waitForTimeout(500);
  assert.equal((await theirs()).length, 1, 'exactly once, as the user');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('the messenger is made after the first message is drawn, and at once when the app asks for it on ready', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.addInitScript(() => {
    // The order in which Beckon's hosts join the page.
    window.__hosts = [];
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1 && n.hasAttribute('data-beckon')) window.__hosts.push(n.getAttribute('data-beckon'));
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${server.url}/pricing.html?user=e2e-api-order`);
  await page.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
  const hosts = await page.evaluate(() => window.__hosts);
  assert.ok(hosts.indexOf('banner') >= 0 && hosts.indexOf('banner') < hosts.indexOf('messenger'), `banner first: ${hosts}`);
  await page.locator('[data-beckon="messenger"]').getByRole('button', { name: 'Messages' }).waitFor();
  await page.close();

  // An app that opens the messenger as soon as Beckon is ready.
  const eager = await browser.newPage();
  const eagerSeen = watchConsole(eager);
  await eager.addInitScript(() => {
    window.Beckon = window.Beckon || function () { (window.Beckon.q = window.Beckon.q || []).push(arguments); };
    window.Beckon('on', 'ready', () => window.Beckon('show'));
  });
  await eager.goto(`${server.url}/index.html?user=e2e-api-eager`);
  await eager.getByRole('dialog', { name: 'Acme Support' }).waitFor();
  assert.deepEqual(eagerSeen.warnings.filter((w) => w.includes('[Beckon]')), []);
  assert.deepEqual([...seen.pageErrors, ...eagerSeen.pageErrors], []);
  await eager.close();
});

test('tabs in the background hold no update stream, so a user with many tabs open still reaches the server', async () => {
  // A browser opens at most six HTTP/1.1 connections to a server. Every
  // tab of a user with a conversation held one for its update stream, so
  // with six tabs open the seventh could not load its page (served here by
  // the same server) nor its SDK. Tabs opened in the background are
  // hidden; headless pages are all visible, so those say so through
  // `window.__hidden`.
  const context = await browser.newContext();
  const user = 'e2e-api-many-tabs';
  const first = await context.newPage();
  const seen = watchConsole(first);
  await first.goto(`${server.url}/index.html?user=${user}`);
  await first.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
  const id = await askForAPerson(first);
  await first.evaluate(() => window.Beckon('hide'));
  const background = [];
  for (let i = 0; i < 6; i++) {
    const tab = await context.newPage();
    await tab.addInitScript(() => {
      window.__hidden = true;
      Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => window.__hidden });
    });
    await tab.goto(`${server.url}/index.html?user=${user}`, { timeout: 10000 });
    await tab.locator('[data-beckon="messenger"]').getByRole('button', { name: 'Messages' }).waitFor({ timeout: 10000 });
    background.push(tab);
  }
  // The user opens one more tab and looks at it.
  const last = await context.newPage();
  await last.goto(`${server.url}/index.html?user=${user}`, { timeout: 10000 });
  await last.locator('[data-beckon="messenger"]').getByRole('button', { name: 'Messages' }).waitFor({ timeout: 10000 });
  // An answer reaches the tabs in view at once…
  await reply(id, 'Here to help');
  await first.getByRole('button', { name: 'Messages, 1 unread' }).waitFor();
  await last.getByRole('button', { name: 'Messages, 1 unread' }).waitFor();
  // …and a background tab when the user comes back to it (or with its
  // next poll, within 30 s).
  const tab = background[0];
  await tab.evaluate(() => {
    window.__hidden = false;
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await tab.getByRole('button', { name: 'Messages, 1 unread' }).waitFor();
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('show and showNewMessage called as the page loads, before the server answers a first visit, open the messenger when it does', async () => {
  for (const [call, expect] of [
    [['show'], (page) => page.getByRole('dialog', { name: 'Acme Support' })],
    [['hide'], null],
    [['showNewMessage', 'Where is my invoice?'], (page) => page.getByRole('textbox', { name: 'Write a message…' })],
  ]) {
    const page = await browser.newPage();
    const seen = watchConsole(page);
    // The boot answer takes a moment, as on a slow network.
    await page.route('**/v1/boot', async (route) => {
      await new Promise((r) => setTimeout(r, 400));
      await route.continue().catch(() => {});
    });
    await page.goto(`${server.url}/index.html?user=e2e-api-early-${call[0]}`, { waitUntil: 'domcontentloaded' });
    await page.evaluate((args) => window.Beckon(...args), call);
    await page.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
    if (expect) {
      await expect(page).waitFor();
      if (call[1]) assert.equal(await expect(page).inputValue(), call[1]);
    } else {
      await page.waitForTimeout(300);
      assert.equal(await page.getByRole('dialog').count(), 0, 'hide opens nothing');
    }
    assert.deepEqual(seen.warnings.filter((w) => w.includes('[Beckon]')), [], `${call[0]}: no warning`);
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.close();
  }
});
