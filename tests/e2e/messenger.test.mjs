// The SDK's messenger end to end, through the real server: the bot's
// answer with its source article, feedback, handoff with who and when, the
// email ask, an agent's typing and reply arriving live, "Seen", the
// rating at close, the unread badge, polling when EventSource is missing,
// the stream resuming after the server restarts, the app's own launcher,
// keyboard use, axe-core on the open messenger, and screenshots at desktop
// and phone widths (full screen under 480px).
//
// The fixture page (tests/e2e/fixtures/messenger.html) drives the
// messenger on its own, without the runtime, through the `test-hooks`
// entry points (options and sessions a test picks), so this file builds
// that SDK variant first (an incremental debug build;
// BECKON_MESSENGER_SDK_DIR skips it). The public API's wiring is tested in
// messenger-api.test.mjs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_KEY, ROOT, eventually, launchBrowser, settled, startServer, watchConsole } from './harness.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SHOTS = process.env.BECKON_SCREENSHOTS ?? tmpdir();

function buildSdkWithHooks() {
  if (process.env.BECKON_MESSENGER_SDK_DIR) return process.env.BECKON_MESSENGER_SDK_DIR;
  const target = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target');
  const out = join(target, 'messenger-e2e-sdk');
  execFileSync('cargo', ['build', '--quiet', '--target', 'wasm32-unknown-unknown', '-p', 'beckon', '--features', 'test-hooks'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync('wasm-bindgen', ['--target', 'web', '--no-typescript', '--out-dir', out, '--out-name', 'beckon',
    join(target, 'wasm32-unknown-unknown', 'debug', 'beckon.wasm')], { cwd: ROOT, stdio: 'inherit' });
  return out;
}

let sdkDir;
let dataDir;
let server;
let browser;
const serverEnv = () => ({ BECKON_SDK_DIR: sdkDir, BECKON_EXAMPLES_DIR: join(ROOT, 'tests/e2e/fixtures'), BECKON_DATA: dataDir });

before(async () => {
  sdkDir = buildSdkWithHooks();
  dataDir = mkdtempSync(join(tmpdir(), 'beckon-e2e-messenger-'));
  server = await startServer(serverEnv());
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** An admin call with the admin key. */
async function admin(path, body) {
  const res = await fetch(server.url + path, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
const inbox = (id, what, body) => admin(`/admin/v1/inbox/demo/conversations/${id}${what ? '/' + what : ''}`, body);

/** Opens the fixture page as `user`; resolves once the messenger runs. */
async function open(user, { options, session, context, viewport } = {}) {
  const page = await (context ?? browser).newPage(viewport ? { viewport } : undefined);
  const seen = watchConsole(page);
  const q = new URLSearchParams({ user });
  if (options) q.set('options', JSON.stringify(options));
  if (session) q.set('session', session);
  await page.goto(`${server.url}/messenger.html?${q}`);
  await page.evaluate(() => window.messengerReady);
  return { page, seen };
}

const events = (page) => page.evaluate(() => window.__beckonMessengerEvents ?? []);
const call = (page, command, arg) => page.evaluate(([c, a]) => window.messenger(c, a), [command, arg ?? null]);

async function axe(page, what) {
  await settled(page);
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `axe on ${what}`);
}

/** Starts a conversation in the open messenger; returns its id. */
async function ask(page, text) {
  await page.getByRole('button', { name: 'Ask a question' }).click();
  await page.getByRole('textbox', { name: 'Write a message…' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  assert.ok(await eventually(async () => (await events(page)).some(([n]) => n === 'conversation:started')), 'started');
  return (await events(page)).find(([n]) => n === 'conversation:started')[1];
}

test('the bot answers with its source article; the article opens; "it helped" is thanked', async () => {
  const { page, seen } = await open('e2e-msg-bot');
  const launcher = page.getByRole('button', { name: 'Messages' });
  await launcher.click();
  await page.getByRole('dialog', { name: 'Acme Support' }).waitFor();
  await axe(page, 'the home view');
  const id = await ask(page, 'How do I reset my password?');
  const log = page.getByRole('log');
  await log.locator('.msg.user').getByText('Delivered').waitFor();
  const answer = log.locator('.msg.bot');
  await answer.waitFor();
  assert.match(await answer.locator('.tag').innerText(), /Bot/);
  const source = answer.getByRole('button', { name: 'Reset your password' });
  await source.waitFor();
  await page.getByText('Was this helpful?').waitFor();
  await axe(page, 'a conversation with a bot answer');
  await page.screenshot({ path: join(SHOTS, 'messenger-desktop.png') });

  await source.click();
  await page.getByRole('heading', { name: 'Reset your password', level: 2 }).waitFor();
  assert.ok((await page.locator('[data-article=reset-password]').innerText()).length > 20, 'the article body');
  await page.screenshot({ path: join(SHOTS, 'messenger-article.png') });
  await page.getByRole('button', { name: 'Back' }).click();
  const feedback = page.waitForResponse((r) => r.url().endsWith(`/v1/conversations/${id}/feedback`));
  await page.getByRole('button', { name: 'Yes, that helped' }).click();
  assert.equal((await feedback).status(), 200);
  await page.getByText('Thanks for your feedback!').waitFor();
  const names = (await events(page)).map(([n]) => n);
  assert.deepEqual(names.filter((n) => n.startsWith('conversation:')), ['conversation:started', 'conversation:opened']);
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.warnings, []);
  await page.close();
});

test('a person takes over: who and when, email ask, live typing and reply, seen, rating at close', async () => {
  const { page, seen } = await open('e2e-msg-person');
  await call(page, 'open');
  const id = await ask(page, 'Can I change the currency on my invoices?');
  const log = page.getByRole('log');
  // The bot has no answer: handed off at once.
  await log.getByText(/A person from .* will answer here/).waitFor();
  await page.getByText(/will answer · We'll reply in a few minutes/).waitFor();
  const email = page.getByRole('textbox', { name: 'Email address' });
  await page.screenshot({ path: join(SHOTS, 'messenger-handoff.png') });
  await email.fill('ada@example.com');
  await page.getByRole('button', { name: 'Save' }).click();
  await log.getByText(/the reply goes to ada@example.com/).waitFor();
  await email.waitFor({ state: 'detached' });
  assert.equal((await inbox(id)).user.email, 'ada@example.com');

  await inbox(id, 'typing', { agent: 'Ana' });
  await page.getByText('Ana is typing…').waitFor();
  await inbox(id, 'reply', { agent: 'Ana', body: 'Hi, **Ana** here. Yes you can.' });
  const reply = log.locator('.msg.agent');
  await reply.waitFor();
  assert.match(await reply.innerText(), /Ana[\s\S]*Hi, Ana here/);
  await page.getByText('Ana is typing…').waitFor({ state: 'detached' });
  assert.equal(await page.locator('#mt').innerText(), 'Ana', 'the header names who answers');
  await page.getByRole('textbox', { name: 'Write a message…' }).fill('Great, thanks!');
  await page.keyboard.press('Enter');
  const mine = log.locator('.msg.user', { hasText: 'Great, thanks!' });
  await mine.getByText('Delivered').waitFor();
  await inbox(id, 'seen', {});
  await mine.getByText('Seen').waitFor();
  // Everything the user wrote reached the agent.
  const bodies = (await inbox(id)).conversation.messages.filter((m) => m.author === 'user').map((m) => m.body);
  assert.deepEqual(bodies, ['Can I change the currency on my invoices?', 'Great, thanks!']);

  await inbox(id, 'close', { agent: 'Ana' });
  await page.getByText('Rate your conversation').waitFor();
  await axe(page, 'the rating');
  await page.screenshot({ path: join(SHOTS, 'messenger-rating.png') });
  const rated = page.waitForResponse((r) => r.url().endsWith(`/v1/conversations/${id}/rating`));
  await page.getByRole('button', { name: '5 of 5' }).click();
  // Thanked at once, before the server answers.
  await page.getByText('Thanks for your feedback!').waitFor();
  assert.equal((await rated).status(), 200);
  assert.equal((await inbox(id)).conversation.rating, 5);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('the badge counts unread replies while closed; reading clears it', async () => {
  const { page } = await open('e2e-msg-unread');
  await call(page, 'open');
  const id = await ask(page, 'I need a human please');
  await page.getByRole('log').getByText(/will answer here/).waitFor();
  // Closed on the conversation: it reopens there, and reading it clears
  // the badge.
  await call(page, 'close');
  await inbox(id, 'reply', { agent: 'Bo', body: 'First answer' });
  const launcher = page.getByRole('button', { name: 'Messages, 1 unread' });
  await launcher.waitFor();
  assert.equal(await page.locator('.launcher .badge').innerText(), '1');
  await launcher.click();
  await page.getByRole('log').getByText('First answer').waitFor();
  assert.ok(await eventually(async () => (await call(page, 'unread')) === 0), 'read');
  // Closed on the home view: the conversation's line counts its unread.
  await page.getByRole('button', { name: 'Back' }).click();
  await call(page, 'close');
  await inbox(id, 'reply', { agent: 'Bo', body: 'Second answer' });
  await inbox(id, 'reply', { agent: 'Bo', body: 'Third answer' });
  await page.getByRole('button', { name: 'Messages, 2 unread' }).click();
  const row = page.getByRole('button', { name: /Bo: Third answer.*2 unread/ });
  await row.waitFor();
  await row.click();
  await page.getByRole('log').getByText('Third answer').waitFor();
  assert.ok(await eventually(async () => (await call(page, 'unread')) === 0), 'read');
  assert.ok(await page.locator('.launcher .badge').isHidden());
  const all = await events(page);
  const counts = all.filter(([n]) => n === 'unread_count').map(([, v]) => v);
  assert.deepEqual(counts, [0, 1, 0, 1, 2, 0], JSON.stringify(all));
  await page.close();
});

test('replies arrive by polling when EventSource is missing', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => { delete window.EventSource; });
  const { page } = await open('e2e-msg-poll', { context });
  await call(page, 'open');
  const id = await ask(page, 'Talk to a person please');
  assert.ok(await eventually(async () => (await call(page, 'mode')) === 'polling'), 'polling');
  await inbox(id, 'reply', { agent: 'Cy', body: 'Polled reply' });
  await page.getByRole('log').getByText('Polled reply').waitFor({ timeout: 10000 });
  await context.close();
});

test('a proxy that holds the stream back: the messenger polls instead, and replies arrive', async () => {
  // Some corporate proxies and antivirus software buffer a response until
  // it ends: a stream then delivers nothing and reports no error. Here the
  // stream's request never gets an answer at all.
  const context = await browser.newContext();
  await context.route('**/v1/conversations/stream**', () => {});
  const { page, seen } = await open('e2e-msg-buffered', { context });
  await call(page, 'open');
  const id = await ask(page, 'A person please, my proxy is strict');
  await page.getByRole('log').getByText(/will answer here/).waitFor();
  assert.equal(await call(page, 'mode'), 'live', 'the stream looks open at first');
  assert.ok(await eventually(async () => (await call(page, 'mode')) === 'polling', { timeout: 15000 }), 'polling once the hello did not come');
  await inbox(id, 'reply', { agent: 'Eve', body: 'Through the strict proxy' });
  await page.getByRole('log').getByText('Through the strict proxy').waitFor({ timeout: 10000 });
  assert.deepEqual(seen.pageErrors, []);
  await context.unrouteAll({ behavior: 'ignoreErrors' });
  await context.close();
});

test('the stream resumes after the server restarts, missing nothing written meanwhile', async () => {
  const { page } = await open('e2e-msg-resume');
  await call(page, 'open');
  const id = await ask(page, 'Could a person help me please?');
  await page.getByRole('log').getByText(/will answer here/).waitFor();
  assert.ok(await eventually(async () => (await call(page, 'mode')) === 'live'), 'live');
  // A second process on the same database: the agent answers through it
  // while the page's server is down.
  const port = new URL(server.url).port;
  const other = await startServer(serverEnv());
  await server.stop();
  await fetch(`${other.url}/admin/v1/inbox/demo/conversations/${id}/reply`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agent: 'Di', body: 'Written while you were away' }),
  });
  server = await startServer({ ...serverEnv(), PORT: port });
  await other.stop();
  const reply = page.getByRole('log').getByText('Written while you were away');
  await reply.waitFor({ timeout: 15000 });
  assert.equal(await reply.count(), 1, 'once');
  await page.close();
});

test('a tab left hidden lets its stream go and polls now and then; shown again, it goes live where it stopped', async () => {
  // A browser opens at most six HTTP/1.1 connections to a server: streams
  // held by background tabs took them all (messenger-api.test.mjs shows
  // the seventh tab failing). Headless pages are all visible, so this one
  // says it is hidden through `window.__hidden`.
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.__hidden = false;
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => window.__hidden });
  });
  const { page, seen } = await open('e2e-msg-asleep', { context });
  const setHidden = (hidden) => page.evaluate((h) => {
    window.__hidden = h;
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await call(page, 'open');
  const id = await ask(page, 'A person please, about my invoices');
  await page.getByRole('log').getByText(/will answer here/).waitFor();
  assert.ok(await eventually(async () => (await call(page, 'mode')) === 'live'), 'live');
  await call(page, 'close');

  await setHidden(true);
  await page.waitForTimeout(3000);
  assert.equal(await call(page, 'mode'), 'live', 'a glance at another tab keeps the stream');
  assert.ok(await eventually(async () => (await call(page, 'mode')) === 'background', { timeout: 12000 }), 'let go while hidden');
  // Still hidden, the unread count (which apps put in the tab's title)
  // comes with the next poll, within 30 s.
  await inbox(id, 'reply', { agent: 'Ana', body: 'Written while the tab was hidden' });
  await page.getByRole('button', { name: 'Messages, 1 unread' }).waitFor({ timeout: 40000 });
  assert.equal(await call(page, 'mode'), 'background');

  await inbox(id, 'reply', { agent: 'Ana', body: 'And one more' });
  await setHidden(false);
  assert.ok(await eventually(async () => (await call(page, 'mode')) === 'live'), 'live again');
  await page.getByRole('button', { name: 'Messages, 2 unread' }).waitFor({ timeout: 10000 });
  // Closed on the conversation, it reopens there.
  await page.getByRole('button', { name: 'Messages, 2 unread' }).click();
  await page.getByRole('log').getByText('And one more').waitFor();
  assert.equal(await page.getByRole('log').getByText('Written while the tab was hidden').count(), 1, 'once');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('keyboard: the launcher opens the dialog, Tab stays inside, Escape returns to the launcher', async () => {
  const { page } = await open('e2e-msg-keys');
  const launcher = page.getByRole('button', { name: 'Messages' });
  await launcher.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const inside = await page.evaluate(() => {
      const root = document.querySelector('[data-beckon=messenger]').shadowRoot;
      return root.querySelector('[role=dialog]').contains(root.activeElement);
    });
    assert.ok(inside, `focus inside the dialog after ${i + 1} Tab(s)`);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.ok(await launcher.evaluate((el) => el.getRootNode().activeElement === el), 'focus back on the launcher');
  await page.close();
});

test('the app\'s own element opens it; phone width is full screen; reduced motion; Arabic reads right to left', async () => {
  const { page, seen } = await open('e2e-msg-own', {
    options: { launcher_selector: '#my-help', hide_launcher: true, locale: 'ar' },
    viewport: { width: 375, height: 740 },
  });
  assert.equal(await page.locator('.launcher').count(), 0);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.locator('#my-help').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.equal(await dialog.evaluate((el) => el.getAnimations().length), 0, 'no motion when reduced');
  const box = await dialog.boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 375, 740], 'full screen');
  assert.equal(await page.locator('.wrap').getAttribute('dir'), 'rtl');
  await page.getByRole('button', { name: 'اطرح سؤالاً' }).waitFor();
  await axe(page, 'Arabic on a phone');
  await page.screenshot({ path: join(SHOTS, 'messenger-phone-ar.png') });
  assert.deepEqual(seen.pageErrors, []);
  await page.close();

  const phone = await open('e2e-msg-phone', { viewport: { width: 375, height: 740 } });
  await call(phone.page, 'open');
  await ask(phone.page, 'How do I reset my password?');
  await phone.page.getByRole('log').locator('.msg.bot').waitFor();
  await axe(phone.page, 'a conversation on a phone');
  await phone.page.screenshot({ path: join(SHOTS, 'messenger-phone.png') });

  // The on-screen keyboard opens: the visual viewport shrinks to the part
  // above it (and the browser pans it down a little), the layout viewport
  // stays. Headless Chromium has no keyboard, so the visual viewport says
  // so itself.
  await phone.page.evaluate(() => {
    for (const [name, value] of [['height', 420], ['offsetTop', 60]]) {
      Object.defineProperty(window.visualViewport, name, { configurable: true, get: () => value });
    }
    window.visualViewport.dispatchEvent(new Event('resize'));
  });
  const panel = await phone.page.getByRole('dialog').boundingBox();
  assert.deepEqual([panel.x, panel.y, panel.width, panel.height], [0, 60, 375, 420], 'the part above the keyboard');
  const composer = await phone.page.getByRole('textbox', { name: 'Write a message…' }).boundingBox();
  assert.ok(composer.y + composer.height <= 480, `the composer above the keyboard: ${JSON.stringify(composer)}`);
  const head = await phone.page.getByRole('button', { name: 'Close' }).boundingBox();
  assert.ok(head.y >= 60, 'the header in view');
  await phone.page.screenshot({ path: join(SHOTS, 'messenger-phone-keyboard.png') });
  await phone.page.close();
});

test('a refused session is reported once as an event, never thrown', async () => {
  const { page, seen } = await open('e2e-msg-expired', { session: 'not-a-token' });
  assert.ok(await eventually(async () => (await events(page)).some(([n]) => n === 'session_expired')), 'expired');
  await call(page, 'open');
  await page.getByRole('dialog').waitFor();
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});
