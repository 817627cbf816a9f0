// The agents' inbox end to end: a conversation started through the API
// (as the SDK would) is handed to a person; an agent opens /inbox in
// Chromium, signs in with the admin key, sees the transcript and the
// user's record, replies — and the reply reaches the user's event stream
// live (EventSource in another page) — then marks the conversation
// unhappy, which the user's next boot carries. axe-core finds no
// accessibility violation on the page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ADMIN_KEY, eventually, launchBrowser, startServer, watchConsole } from './harness.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

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

async function json(path, { method = 'GET', token, body } = {}) {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
  return data;
}

async function boot(anonymousId) {
  return json('/v1/boot', {
    method: 'POST',
    body: { app_id: 'demo', user: { anonymous_id: anonymousId, attributes: { plan: 'pro' } }, page: { url: `${server.url}/` } },
  });
}

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], 'axe on the inbox');
}

test('an agent opens /inbox, sees the conversation, replies live to the user, marks it unhappy', async () => {
  const { session } = await boot('e2e-inbox-user');
  const started = await json('/v1/conversations', {
    method: 'POST',
    token: session,
    body: { body: 'Can I change the currency on my invoices?', client_id: 'e2e-1' },
  });
  assert.equal(started.status, 'open', 'the bot could not answer: handed off');
  const id = started.id;

  // The user's messenger listens to its stream in its own page.
  const userPage = await browser.newPage();
  await userPage.goto(`${server.url}/healthz`);
  await userPage.evaluate((token) => {
    window.received = [];
    const source = new EventSource(`/v1/conversations/stream?session=${encodeURIComponent(token)}`);
    source.onmessage = (e) => window.received.push(JSON.parse(e.data));
    window.source = source;
  }, session);

  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/inbox/`);
  await page.getByLabel('Admin key').fill(ADMIN_KEY);
  await page.getByRole('button', { name: 'Open the inbox' }).click();
  await page.getByLabel('Your name').fill('Grace');
  await page.getByLabel('Your name').dispatchEvent('change');

  const line = page.locator(`#list button[data-id="${id}"]`);
  await line.waitFor();
  await line.click();
  const transcript = page.getByRole('list', { name: 'Transcript' });
  await transcript.getByText('Can I change the currency on my invoices?').waitFor();
  assert.match(await page.locator('#profile').innerText(), /plan\s+pro/, 'the user record beside it');
  await axe(page);

  const sentAt = Date.now();
  await page.getByLabel('Reply', { exact: true }).fill('Yes: Settings → Billing, then pick a currency.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await transcript.getByText('Yes: Settings → Billing').waitFor();

  const live = await eventually(
    () => userPage.evaluate(() => window.received.find((e) => e.type === 'message' && e.message.author === 'agent')),
    { timeout: 5000 },
  );
  assert.ok(live, 'the reply reached the user\'s stream');
  assert.equal(live.message.author_name, 'Grace');
  assert.equal(live.conversation_id, id);
  console.log(`agent reply → user's EventSource: ${Date.now() - sentAt} ms`);

  // Answering a question the bot could not: the inbox offers a snippet.
  await page.getByRole('button', { name: 'Save as snippet', exact: true }).click();
  await page.getByRole('button', { name: 'Approve', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  const approved = await eventually(async () => {
    const list = await server.admin('/admin/v1/inbox/demo/snippets?status=approved');
    return list.length === 1 && list;
  });
  assert.equal(approved[0].question, 'Can I change the currency on my invoices?');

  await page.getByRole('button', { name: 'Mark unhappy', exact: true }).click();
  await page.getByText('Marked unhappy').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Mark unhappy', exact: true }).isDisabled());
  const again = await boot('e2e-inbox-user');
  assert.equal(typeof again.state.unhappy_at, 'number', 'the next boot carries unhappy_at');

  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await transcript.getByText('closed this conversation').waitFor();
  const closed = await json(`/v1/conversations/${id}`, { token: session });
  assert.equal(closed.status, 'closed');

  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.errors, []);
  await userPage.evaluate(() => window.source.close());
});

test('a wrong admin key is refused and asked again', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/inbox/`);
  await page.getByLabel('Admin key').fill('wrong');
  await page.getByRole('button', { name: 'Open the inbox' }).click();
  await page.getByRole('alert').getByText('refused').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('beckon-admin-key')), null);
});
