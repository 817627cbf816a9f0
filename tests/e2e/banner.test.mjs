// The walking skeleton end to end: the example page boots against the real
// server, shows the banner inside a shadow root, and a dismissal sticks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, launchBrowser, startServer, watchConsole } from './harness.mjs';

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

test('banner shows in a shadow root, dismissal is stored once and sticks after reload', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/?user=e2e-dismiss`);

  const banner = page.locator('[data-beckon="banner"] .banner');
  await banner.waitFor({ state: 'visible' });
  assert.match(await banner.innerText(), /New: scheduled reports/);
  // It really is inside a shadow root: the light DOM has only the host.
  const inLightDom = await page.evaluate(() => document.querySelector('.banner'));
  assert.equal(inLightDom, null);
  const hostHasShadow = await page.evaluate(
    () => !!document.querySelector('[data-beckon="banner"]')?.shadowRoot,
  );
  assert.ok(hostHasShadow);

  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await banner.waitFor({ state: 'detached' });
  assert.equal(await page.locator('[data-beckon="banner"]').count(), 0, 'host element removed');
  assert.deepEqual(
    await page.evaluate(() => [...document.querySelectorAll('[data-beckon]')].map((h) => h.dataset.beckon)),
    ['messenger'],
    'only the messenger launcher is left',
  );

  const query = '/admin/v1/apps/demo/events?user=e2e-dismiss&name=message.dismissed';
  const stored = await eventually(async () => {
    const list = await server.admin(query);
    return list.length > 0 && list;
  });
  assert.equal(stored.length, 1);
  assert.equal(stored[0].message_id, 'welcome-banner');

  const boot = page.waitForResponse((r) => r.url().endsWith('/v1/boot'));
  await page.reload();
  await boot;
  // Give the SDK the time it would need to render after boot.
  await page.waitForTimeout(500);
  assert.equal(await page.locator('[data-beckon="banner"]').count(), 0, 'banner stays dismissed');

  assert.equal((await server.admin(query)).length, 1, 'dismissal stored exactly once');
  const shown = await server.admin('/admin/v1/apps/demo/events?user=e2e-dismiss&name=message.shown');
  assert.equal(shown.length, 1, 'shown once, not again after the reload');
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.warnings, []);
});

test('dismissal sticks for the server even when the browser forgets (new context)', async () => {
  const first = await browser.newContext();
  const page = await first.newPage();
  await page.goto(`${server.url}/?user=e2e-server-state`);
  const banner = page.locator('[data-beckon="banner"] .banner');
  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await eventually(async () =>
    (await server.admin('/admin/v1/apps/demo/events?user=e2e-server-state&name=message.dismissed')).length === 1,
  );
  await first.close();

  const fresh = await browser.newContext(); // empty localStorage
  const page2 = await fresh.newPage();
  const boot = page2.waitForResponse((r) => r.url().endsWith('/v1/boot'));
  await page2.goto(`${server.url}/?user=e2e-server-state`);
  await boot;
  await page2.waitForTimeout(500);
  assert.equal(await page2.locator('[data-beckon="banner"]').count(), 0);
  await fresh.close();
});

test('page rules: the pricing page shows its own banner, not the dashboard one', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/pricing.html?user=e2e-pricing`);
  const banner = page.locator('[data-beckon="banner"] .banner');
  await banner.waitFor();
  assert.match(await banner.innerText(), /Annual plans save 20%/);
  await page.close();
});

test('a bottom banner keeps the messenger launcher and the checklist above it, as it wraps, until it closes', async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
  const seen = watchConsole(page);
  await page.goto(`${server.url}/pricing.html?user=e2e-lift`);
  const bar = page.locator('[data-beckon="banner"]');
  const launcher = page.locator('[data-beckon="messenger"]').getByRole('button', { name: 'Messages' });
  await bar.locator('.banner').waitFor();
  await launcher.waitFor();
  const launcherAbove = async () => {
    const [b, l] = [await bar.boundingBox(), await launcher.boundingBox()];
    return l.y + l.height <= b.y;
  };
  assert.ok(await eventually(launcherAbove), 'launcher above the banner');
  // The checklist's corner is lifted too (its pill covered the banner's title).
  await page.evaluate(() => window.Beckon('startChecklist', 'getting-started'));
  const pill = page.locator('[data-beckon="checklist"] .launcher');
  await pill.waitFor();
  assert.ok(
    await eventually(async () => {
      const [b, p] = [await bar.boundingBox(), await pill.boundingBox()];
      return p.y + p.height <= b.y;
    }),
    'checklist above the banner',
  );

  // A narrow window wraps the banner's text: the launcher follows its height.
  const before = (await bar.boundingBox()).height;
  await page.setViewportSize({ width: 360, height: 600 });
  assert.ok(await eventually(async () => (await bar.boundingBox()).height > before), 'the banner grew');
  assert.ok(await eventually(launcherAbove), 'launcher above the taller banner');

  // Its dismiss button is not under the launcher: a real click reaches it
  // (Playwright refuses to click an element that another one covers).
  await bar.getByRole('button', { name: 'Dismiss' }).click();
  await bar.waitFor({ state: 'detached' });
  assert.ok(
    await eventually(async () => {
      const l = await launcher.boundingBox();
      return Math.abs(600 - (l.y + l.height) - 20) < 1;
    }),
    'launcher back in its corner, 20px from the bottom',
  );
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('a server that is down gives one clear warning and no exception', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/pricing.html`);
  await page.waitForFunction(() => window.Beckon && window.Beckon.loaded);
  const result = await page.evaluate(() =>
    window.Beckon('boot', { app_id: 'demo', user_id: 'x', api_base: 'http://127.0.0.1:9' }),
  );
  assert.equal(result.ok, false);
  assert.match(result.error, /cannot reach the Beckon server/);
  const warnings = seen.warnings.filter((w) => w.includes('cannot reach'));
  assert.equal(warnings.length, 1, JSON.stringify(seen.warnings));
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('garbage from the server and bad arguments are warnings, not exceptions', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.route('**/v1/boot', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: '{"v":1,"nonsense":true}' }),
  );
  await page.goto(`${server.url}/?user=e2e-garbage`);
  await eventually(() => seen.warnings.some((w) => w.includes('answered badly')));
  assert.equal(await page.locator('[data-beckon]').count(), 0);

  const bad = await page.evaluate(() => window.Beckon('boot', { app_id: 'demo', userId: 'typo' }));
  assert.equal(bad.ok, false);
  assert.match(bad.error, /unknown field `userId`/);
  const unknown = await page.evaluate(() => window.Beckon('fly', {}));
  assert.equal(unknown, undefined);
  assert.ok(seen.warnings.some((w) => w.includes('unknown command `fly`')));
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('unknown app: the 404 explanation reaches the console', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/pricing.html`);
  await page.waitForFunction(() => window.Beckon && window.Beckon.loaded);
  const result = await page.evaluate(() => window.Beckon('boot', { app_id: 'nope', user_id: 'x' }));
  assert.equal(result.ok, false);
  assert.match(result.error, /HTTP 404\): no app with id "nope"/);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});
