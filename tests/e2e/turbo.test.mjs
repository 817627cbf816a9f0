// The example pages under Turbo (@hotwired/turbo from npm, the default of
// Rails apps): a link click fetches the next page and swaps the document's
// `<body>` for its body, with `pushState`, without a page load. The SDK
// keeps running across such visits, so its hosts must move to each new
// body, and the page's messages follow the route.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { examplePage, ROOT, serveExamplesWith, watchConsole } from './harness.mjs';

let server;
let browser;
let stop;
before(async () => {
  const APP = '<script src="/app.js"></script>';
  const files = {};
  for (const name of ['index.html', 'pricing.html', 'reports.html', 'team.html']) {
    const text = examplePage(name);
    assert.ok(text.includes(APP), name);
    files[name] = text.replace(APP, `${APP}\n  <script src="/turbo.js"></script>`);
  }
  ({ server, browser, stop } = await serveExamplesWith({
    files,
    copies: { 'turbo.js': join(ROOT, 'node_modules/@hotwired/turbo/dist/turbo.es2017-umd.js') },
  }));
});
after(() => stop?.());

/** Beckon's hosts in the document, by surface, in order. */
const hosts = (page) =>
  page.evaluate(() => [...document.body.querySelectorAll(':scope > [data-beckon]')].map((h) => h.dataset.beckon).sort());

test('Turbo visits swap the body: the launcher and the messages move to the new one, once each', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/pricing.html?user=e2e-turbo`);
  await page.waitForFunction(() => window.Beckon && window.Beckon.loaded && window.Beckon('status').user_key);
  await page.locator('[data-beckon="banner"]').waitFor();
  assert.equal(await page.evaluate(() => typeof window.Turbo), 'object');
  const firstBody = await page.evaluateHandle(() => document.body);

  // A Turbo visit to the team page: a new body, no page load.
  await page.getByRole('link', { name: 'Team' }).click();
  await page.waitForURL('**/team.html');
  assert.equal(await firstBody.evaluate((b) => b.isConnected), false, 'Turbo replaced the body');
  assert.equal(await page.evaluate(() => window.Beckon.loaded), true, 'the same SDK, no reload');
  // The team page's post (a modal) and its other messages are drawn in the
  // new body; the pricing banner closed with its page.
  const post = page.getByRole('dialog', { name: 'Reports are better together' });
  await post.waitFor();
  const onTeam = await hosts(page);
  assert.ok(onTeam.includes('messenger') && onTeam.includes('post') && !onTeam.includes('banner'), onTeam.join(', '));
  await page.keyboard.press('Escape');
  await post.waitFor({ state: 'detached' });

  // Back to pricing, by Turbo again: the banner again, one launcher.
  await page.getByRole('link', { name: 'Pricing' }).click();
  await page.waitForURL('**/pricing.html');
  await page.locator('[data-beckon="banner"]').waitFor();
  assert.equal((await hosts(page)).filter((h) => h === 'messenger').length, 1);
  // The launcher works in its new body.
  await page.getByRole('button', { name: 'Messages' }).click();
  await page.getByRole('dialog', { name: 'Acme Support' }).waitFor();
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.warnings.filter((w) => w.includes('[Beckon]')), []);
  await page.close();
});

test('a page that empties its body gets the launcher back; one that keeps removing it is not fought', async () => {
  const page = await browser.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/pricing.html?user=e2e-turbo-empty`);
  await page.waitForFunction(() => window.Beckon && window.Beckon.loaded && window.Beckon('status').user_key);
  await page.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
  // pjax-style: the body's content rewritten in place.
  await page.evaluate(() => { document.body.innerHTML = '<main><h1>Rewritten</h1></main>'; });
  await page.locator('[data-beckon="messenger"]').waitFor({ state: 'attached' });
  assert.equal((await hosts(page)).filter((h) => h === 'messenger').length, 1);
  // A page that removes Beckon's elements whenever they come back.
  await page.evaluate(() => {
    new MutationObserver(() => document.querySelectorAll('[data-beckon]').forEach((h) => h.remove()))
      .observe(document.body, { childList: true });
    document.querySelectorAll('[data-beckon]').forEach((h) => h.remove());
  });
  await page.waitForTimeout(500);
  const gaveUp = seen.warnings.filter((w) => w.includes('no longer put back'));
  assert.equal(gaveUp.length, 1, seen.warnings.join('\n'));
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});
