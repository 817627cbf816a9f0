// Every proactive surface end to end (issue 6) on the example product's
// pages against the real server: the inline banner in its slot, the
// hotspot and the hover tooltip, the checklist, the tour across pages, the
// post, rich text with hostile content, Arabic and German, reduced motion.
// axe-core runs on every surface (open shadow roots are part of its
// flattened tree, so the hosts are the context), and each state is saved
// as /tmp/ui-*.png for a person to look at.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ADMIN_KEY, eventually, launchBrowser, settled, startServer, watchConsole } from './harness.mjs';

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

async function createMessage(message) {
  const res = await fetch(`${server.url}/admin/v1/apps/demo/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'live', ...message }),
  });
  assert.equal(res.status, 201, await res.text());
}

async function open(path, { viewport = { width: 1100, height: 760 }, reducedMotion = 'no-preference', colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport, reducedMotion, colorScheme });
  const page = await context.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}${path}`);
  await page.waitForFunction(() => window.Beckon && window.Beckon.loaded);
  return { page, seen, context };
}

/** axe-core on Beckon's hosts (and their shadow trees): no violations. */
async function axe(page, what) {
  // Contrast is judged on the settled surface, not halfway through its fade-in.
  await settled(page);
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run({ include: [['[data-beckon]']] }, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' > ')).join('; ')})`);
  });
  assert.deepEqual(violations, [], `axe on ${what}`);
}

const shot = (page, name) => page.screenshot({ path: `/tmp/ui-${name}.png` });

/** Evaluates `fn(root, arg)` in the shadow root of the host `kind`. */
const inShadow = (page, kind, fn, arg) =>
  page.evaluate(
    ([kind, src, arg]) => {
      const root = document.querySelector(`[data-beckon="${kind}"]`)?.shadowRoot;
      return root ? new Function('root', 'arg', `return (${src})(root, arg)`)(root, arg) : undefined;
    },
    [kind, fn.toString(), arg],
  );

/** Where focus is: the Beckon host's kind and the focused element's text or label. */
const focused = (page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    const host = el?.getAttribute('data-beckon');
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return { host, label: el?.getAttribute('aria-label') || el?.textContent?.trim().slice(0, 40) || el?.tagName };
  });

const events = (user, name) => server.admin(`/admin/v1/apps/demo/events?user=${user}&name=${name}`);

test('inline banner fills the app slot without layout shift, speaks politely, and gives the space back when closed', async () => {
  const { page, seen, context } = await open('/reports.html?user=ui-banner&name=Ada');
  await page.evaluate(() => {
    window.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const banner = page.locator('#beckon-slot [data-beckon="banner"] .banner');
  await banner.waitFor();
  assert.match(await banner.innerText(), /CSV export is here/);
  assert.match(await banner.innerText(), /Every report now exports to CSV, Ada, filters included/);
  assert.equal(await page.locator('#beckon-slot').getAttribute('data-beckon-state'), 'open');
  assert.equal(await banner.locator('strong').innerText(), 'CSV', 'Markdown built as elements');
  // The slot reserved the banner's height: the heading below did not move.
  const slot = await page.locator('#beckon-slot').boundingBox();
  const inner = await banner.boundingBox();
  assert.ok(inner.height <= slot.height + 0.5, `banner ${inner.height}px fits the ${slot.height}px slot`);
  await page.waitForTimeout(300);
  assert.ok((await page.evaluate(() => window.__cls)) < 0.01, 'no layout shift');
  const said = await inShadow(page, 'banner', (root) => root.querySelector('[role=status]')?.textContent);
  assert.match(said, /CSV export is here\. Every report now exports to CSV, Ada/);
  await axe(page, 'inline banner, checklist and hotspot');
  await shot(page, 'reports');

  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await banner.waitFor({ state: 'detached' });
  assert.equal(await page.locator('#beckon-slot').getAttribute('data-beckon-state'), 'closed');
  assert.equal((await page.locator('#beckon-slot').boundingBox()).height, 0, 'space given back');
  await eventually(async () => (await events('ui-banner', 'message.dismissed')).length === 1);
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('hotspot: a pulsing button on its element opens an anchored tip; Escape closes it', async () => {
  const { page, seen, context } = await open('/reports.html?user=ui-hotspot');
  const dot = page.locator('[data-beckon="hotspot"] .dot');
  await dot.waitFor();
  const anchor = await page.locator('#schedule-report').boundingBox();
  const d = await dot.boundingBox();
  assert.ok(Math.abs(d.x + d.width / 2 - (anchor.x + anchor.width)) < 2, 'dot on the top corner of its element');
  assert.equal(await dot.getAttribute('aria-expanded'), 'false');
  await dot.focus();
  await page.keyboard.press('Enter');
  const tip = page.locator('[data-beckon="hotspot"] .tip');
  await tip.waitFor();
  await page.waitForTimeout(300); // the slide-in
  assert.equal(await dot.getAttribute('aria-expanded'), 'true');
  const t = await tip.boundingBox();
  assert.ok(t.y >= d.y + d.height + 8, 'tip below the dot (placement bottom)');
  assert.equal(await tip.getAttribute('data-side'), 'bottom');
  // The arrow points at the dot.
  const arrow = await tip.locator('.arrow').boundingBox();
  assert.ok(Math.abs(arrow.x + arrow.width / 2 - (d.x + d.width / 2)) < 3, 'arrow under the dot');
  // Screen readers hear it: the live region gets its words a moment later.
  await eventually(async () => /Schedule it\./.test(await inShadow(page, 'hotspot', (root) => root.querySelector('[role=status]').textContent)));
  await axe(page, 'open hotspot');
  await shot(page, 'hotspot');
  await page.keyboard.press('Escape');
  await tip.waitFor({ state: 'hidden' });
  assert.equal(await dot.getAttribute('aria-expanded'), 'false');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('hover tooltip: opens above its element with an arrow, describes it, closes when the pointer leaves', async () => {
  const { page, seen, context } = await open('/reports.html?user=ui-hover');
  await page.locator('[data-beckon="tooltip"]').waitFor({ state: 'attached' });
  // The checklist opens at first sight over the page's corner; close it.
  await page.locator('[data-beckon="checklist"] .panel').getByRole('button', { name: 'Close' }).click();
  const tip = page.locator('[data-beckon="tooltip"] .tip');
  assert.equal(await tip.isVisible(), false, 'closed until hovered');
  await eventually(() => page.locator('#export-csv').getAttribute('aria-description'));
  assert.match(await page.locator('#export-csv').getAttribute('aria-description'), /Exports keep your filters/);
  await page.hover('#export-csv');
  await tip.waitFor();
  const a = await page.locator('#export-csv').boundingBox();
  const t = await tip.boundingBox();
  assert.equal(await tip.getAttribute('data-side'), 'top');
  assert.ok(t.y + t.height <= a.y - 8, 'above the element');
  await axe(page, 'hover tooltip');
  await shot(page, 'tooltip-hover');
  await page.mouse.move(5, 700);
  await tip.waitFor({ state: 'hidden' });
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('a page scaled with CSS zoom (on <html> or <body>): the hotspot sits on its element and the tooltip points at its own', async () => {
  for (const [css, zoom] of [['html { zoom: 1.25 }', 1.25], ['body { zoom: 0.8 }', 0.8]]) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    await context.addInitScript((css) => {
      document.addEventListener('DOMContentLoaded', () => {
        const style = document.createElement('style');
        style.textContent = css;
        document.head.append(style);
      });
    }, css);
    const page = await context.newPage();
    const seen = watchConsole(page);
    await page.goto(`${server.url}/reports.html?user=ui-zoom-${zoom}`);
    const dot = page.locator('[data-beckon="hotspot"] .dot');
    await dot.waitFor();
    await page.locator('[data-beckon="checklist"] .panel').getByRole('button', { name: 'Close' }).click();
    const anchor = await page.locator('#schedule-report').boundingBox();
    const d = await dot.boundingBox();
    assert.ok(Math.abs(d.x + d.width / 2 - (anchor.x + anchor.width)) < 2, `${css}: dot on its element's top corner (x ${d.x + d.width / 2} against ${anchor.x + anchor.width})`);
    assert.ok(Math.abs(d.y + d.height / 2 - anchor.y) < 2, `${css}: dot on its element's top edge (y ${d.y + d.height / 2} against ${anchor.y})`);
    await page.hover('#export-csv');
    const tip = page.locator('[data-beckon="tooltip"] .tip');
    await tip.waitFor();
    await page.waitForTimeout(300); // the slide-in
    const a = await page.locator('#export-csv').boundingBox();
    const t = await tip.boundingBox();
    assert.ok(Math.abs(t.x + t.width / 2 - (a.x + a.width / 2)) < 2, `${css}: tooltip centred over its element (${t.x + t.width / 2} against ${a.x + a.width / 2})`);
    const gap = a.y - (t.y + t.height);
    assert.ok(gap >= 8 * zoom && gap <= 24 * zoom, `${css}: tooltip just above its element (gap ${gap})`);
    await shot(page, `zoom-${zoom}`);
    assert.deepEqual(seen.pageErrors, []);
    await context.close();
  }
});

test('in an app-shell layout a hotspot whose element scrolls out of the main pane goes with it, not over the header', async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 600 } });
  // The document never scrolls; the content scrolls in <main> under the
  // page's header, as in most dashboards.
  await context.addInitScript(() => document.addEventListener('DOMContentLoaded', () => {
    const style = document.createElement('style');
    style.textContent = 'html, body { height: 100%; overflow: hidden; margin: 0 } main.page { height: calc(100vh - 64px); overflow: auto; box-sizing: border-box }';
    document.head.append(style);
    const tall = document.createElement('div');
    tall.style.height = '2000px';
    document.querySelector('main').append(tall);
  }));
  const page = await context.newPage();
  const seen = watchConsole(page);
  await page.goto(`${server.url}/reports.html?user=ui-shell`);
  const dot = page.locator('[data-beckon="hotspot"] .dot');
  await dot.waitFor();
  await page.locator('[data-beckon="checklist"] .panel').getByRole('button', { name: 'Close' }).click();
  const pane = await page.locator('main').boundingBox();
  const start = await page.locator('#schedule-report').boundingBox();
  // Scrolled until the element sits under the header: in the viewport,
  // out of the pane.
  await page.evaluate((by) => { document.querySelector('main').scrollTop = by; }, start.y - pane.y + 50);
  const under = await page.locator('#schedule-report').boundingBox();
  assert.ok(under.y >= 0 && under.y + under.height < pane.y, `under the header (${under.y})`);
  await dot.waitFor({ state: 'hidden' });
  await page.evaluate(() => { document.querySelector('main').scrollTop = 0; });
  await dot.waitFor();
  const d = await dot.boundingBox();
  assert.ok(Math.abs(d.y + d.height / 2 - start.y) < 2, 'back on its element');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('a hotspot on a button inside a modal <dialog> is drawn in the dialog, above it and clickable; it goes back when the dialog closes', async () => {
  await createMessage({
    id: 'ui-in-dialog', kind: 'hotspot', priority: 90,
    content: { title: 'Inside', body: 'Saved for everyone.', anchor: { selector: '#dialog-save', placement: 'bottom' } },
    targeting: { pages: { include: [{ match: 'contains', value: 'case=dialog' }] } },
  });
  // A page with no other hotspot.
  const { page, seen, context } = await open('/spa.html?user=ui-dialog&case=dialog');
  await page.waitForFunction(() => window.Beckon('status').user_key);
  await page.evaluate(() => {
    const dialog = document.createElement('dialog');
    dialog.innerHTML = '<p>Settings</p><button id="dialog-save">Save settings</button>';
    document.body.append(dialog);
    dialog.showModal();
  });
  const dot = page.locator('[data-beckon="hotspot"] .dot');
  await dot.waitFor();
  // What the user sees and clicks there is the dot, not the dialog over it
  // (the dialog is in the browser's top layer, above every z-index).
  const hitAt = (box) => page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.dataset?.beckon ?? document.elementFromPoint(x, y)?.tagName, [box.x + box.width / 2, box.y + box.height / 2]);
  assert.equal(await hitAt(await dot.boundingBox()), 'hotspot', 'the dot is on top');
  await dot.click();
  const tip = page.locator('[data-beckon="hotspot"] .tip');
  await tip.waitFor();
  await page.waitForTimeout(300); // the slide-in
  assert.equal(await hitAt(await tip.boundingBox()), 'hotspot', 'its card too');
  assert.equal(await page.evaluate(() => document.querySelector('[data-beckon="hotspot"]').parentElement.tagName), 'DIALOG');
  await page.evaluate(() => document.querySelector('dialog').close());
  await eventually(() => page.evaluate(() => document.querySelector('[data-beckon="hotspot"]').parentElement.tagName === 'BODY'));
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('tooltip positioning: flips when there is no room, follows scrolling, hides when its element leaves the viewport or the page', async () => {
  await createMessage({
    id: 'ui-flip', kind: 'tooltip', priority: 60,
    content: { title: 'New here', body: 'Start with **New report**.', anchor: { selector: '#new-report', placement: 'top' } },
    targeting: { pages: { include: [{ match: 'contains', value: 'case=flip' }] } },
  });
  const { page, seen, context } = await open('/reports.html?user=ui-flip&case=flip', { viewport: { width: 900, height: 400 } });
  const tip = page.locator('[data-beckon="tooltip"] .tip');
  await tip.waitFor();
  assert.equal(await tip.getAttribute('data-side'), 'bottom', 'no room above the top bar: flipped below');
  const box = await tip.boundingBox();
  assert.ok(box.x + box.width <= 900 - 8 + 0.5, 'shifted inside the viewport');
  await shot(page, 'tooltip-flip');
  // Scrolled a little (the top bar scrolls with the page, so its button
  // stays partly in view): the tip moves with it.
  const before = await page.locator('#new-report').boundingBox();
  await page.evaluate(() => window.scrollTo(0, 20));
  const after = await eventually(async () => {
    const a = await page.locator('#new-report').boundingBox();
    const t = await tip.boundingBox();
    return t && a && a.y < before.y && Math.abs(t.y - (a.y + a.height + 12)) < 2 && a;
  });
  assert.ok(Math.abs(after.y - (before.y - 20)) < 1, 'the page scrolled by 20 px');
  await page.mouse.wheel(0, 2000);
  await tip.waitFor({ state: 'hidden' });
  await page.mouse.wheel(0, -5000);
  await tip.waitFor();
  await page.evaluate(() => document.querySelector('#new-report').remove());
  await tip.waitFor({ state: 'hidden' });
  await page.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'new-report';
    b.textContent = 'New report';
    document.querySelector('.topbar').append(b);
  });
  await tip.waitFor();
  await tip.getByRole('button', { name: 'Close' }).click();
  // Dismissed: gone (the page's own hover tooltip may take its place).
  await eventually(async () => (await events('ui-flip', 'message.dismissed')).length === 1);
  assert.equal(await page.locator('[data-beckon="tooltip"] [data-message-id="ui-flip"]').count(), 0);
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('a tooltip whose element is not on the page is not shown nor counted; it opens when the element comes', async () => {
  // Shown "once", it was counted as shown while the user saw nothing, and
  // spent; it also kept a lower tooltip that had its element off the page.
  await createMessage({
    id: 'ui-ghost', kind: 'tooltip', priority: 70,
    content: { title: 'Filters', body: 'Narrow the list here.', anchor: { selector: '#filters-later', placement: 'bottom' } },
    targeting: { pages: { include: [{ match: 'contains', value: 'case=ghost' }] }, frequency: { show: 'once' } },
  });
  await createMessage({
    id: 'ui-ghost-other', kind: 'tooltip', priority: 65,
    content: { title: 'Views', body: 'Switch views here.', anchor: { selector: '#spa-nav', placement: 'bottom' } },
    targeting: { pages: { include: [{ match: 'contains', value: 'case=ghost' }] } },
  });
  // A page where no other tooltip of the demo app takes the slot.
  const { page, seen, context } = await open('/spa.html?view=settings&user=ui-ghost&case=ghost');
  const lines = [];
  page.on('console', (m) => lines.push(m.text()));
  await page.evaluate(() => window.Beckon('debug', true));
  const tip = (id) => page.locator(`[data-beckon="tooltip"] [data-message-id="${id}"]`);
  await tip('ui-ghost-other').waitFor();
  await page.waitForTimeout(500);
  assert.equal(await tip('ui-ghost').count(), 0, 'nothing to point at');
  const shownIds = async () => (await events('ui-ghost', 'message.shown')).map((x) => x.message_id).filter((id) => id.startsWith('ui-ghost'));
  await eventually(async () => (await shownIds()).length > 0);
  assert.deepEqual(await shownIds(), ['ui-ghost-other']);
  const why = 'ui-ghost: trigger: waiting for its element #filters-later to be on the page';
  assert.ok(await eventually(() => lines.includes(why)), lines.join('\n'));
  // A minute later by the page's clock, past the 30 s an element trigger
  // waits: a tooltip's element is waited for as long as the page lasts (a
  // button in a dialog the user opens later).
  await page.evaluate(() => {
    const now = Date.now;
    Date.now = () => now() + 60_000;
    window.Beckon('track', 'a-minute-later');
  });
  await page.waitForTimeout(300);
  // The user closes the other; the app draws the element: the tooltip
  // opens on it, and is counted.
  await tip('ui-ghost-other').getByRole('button', { name: 'Close' }).click();
  await tip('ui-ghost-other').waitFor({ state: 'detached' });
  await page.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'filters-later';
    b.textContent = 'Filters';
    document.querySelector('#spa-nav').append(b);
  });
  await tip('ui-ghost').waitFor();
  assert.ok(await eventually(async () => (await shownIds()).includes('ui-ghost')), 'counted once it is seen');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test("a tour whose first step's element is not on the page waits for it, uncounted", async () => {
  await createMessage({
    id: 'ui-tour-later', kind: 'tour', priority: 40,
    content: { tour: { steps: [
      { kind: 'tooltip', title: 'Filters', body: 'Narrow the list.', selector: '#tour-later' },
      { kind: 'modal', title: 'Done', body: 'That is all.' },
    ] } },
    targeting: { pages: { include: [{ match: 'contains', value: 'case=tourlater' }] }, frequency: { show: 'once' } },
  });
  const { page, seen, context } = await open('/spa.html?view=settings&user=ui-tour-later&case=tourlater');
  await page.waitForTimeout(800);
  assert.equal(await page.locator('[data-beckon="tour"]').count(), 0, 'nothing to point at yet');
  assert.deepEqual(await events('ui-tour-later', 'message.shown'), [], 'not counted');
  await page.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'tour-later';
    b.textContent = 'Filters';
    document.querySelector('#spa-nav').append(b);
  });
  await page.locator('[data-beckon="tour"]').getByText('Narrow the list.').waitFor();
  assert.ok(await eventually(async () => (await events('ui-tour-later', 'message.shown')).length === 1), 'counted once seen');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('checklist: launcher with progress, panel with tasks, manual tick-off, keyboard and Escape', async () => {
  const { page, seen, context } = await open('/reports.html?user=ui-checklist');
  const panel = page.locator('[data-beckon="checklist"] .panel');
  await panel.waitFor();
  assert.match(await panel.locator('h2').innerText(), /Get started, there/);
  assert.equal(await panel.locator('.task').count(), 5);
  const launcher = page.locator('[data-beckon="checklist"] .launcher');
  const before = Number(await panel.locator('[role=progressbar]').getAttribute('aria-valuenow'));
  await panel.getByRole('button', { name: 'Mark as done' }).click();
  await eventually(async () => Number(await panel.locator('[role=progressbar]').getAttribute('aria-valuenow')) === before + 1);
  assert.match(await panel.locator('.task.done').last().innerText(), /Say hello to support/);
  assert.match(await launcher.textContent(), new RegExp(`Get started, there, ${before + 1} of 5 done$`));
  assert.equal(await panel.getByRole('button', { name: 'Mark as done' }).count(), 0);
  await axe(page, 'checklist');
  await shot(page, 'checklist');
  // Escape closes the panel and puts focus on the launcher, which reopens it.
  await panel.focus();
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'hidden' });
  assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
  assert.equal((await focused(page)).host, 'checklist');
  await page.keyboard.press('Enter');
  await panel.waitFor();
  assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
  await shot(page, 'checklist-reopened');
  // Not shown again once dismissed.
  await panel.getByRole('button', { name: "Don't show again" }).click();
  await page.locator('[data-beckon="checklist"]').waitFor({ state: 'detached' });
  await eventually(async () => (await events('ui-checklist', 'message.dismissed')).length === 1);
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('checklist progress: tasks done by an event, a click and an attribute are kept, synced with the server, and completing the list is its goal', async () => {
  const user = 'ui-progress';
  const { page, seen, context } = await open(`/reports.html?user=${user}&plan=free`);
  const panel = page.locator('[data-beckon="checklist"] .panel');
  await panel.waitFor();
  const done = () => panel.locator('[role=progressbar]').getAttribute('aria-valuenow').then(Number);
  assert.equal(await done(), 0);
  await page.click('#new-report'); // the app tracks report_created
  await eventually(async () => (await done()) === 1);
  await page.click('#schedule-report'); // a click on the task's element
  await eventually(async () => (await done()) === 2);
  await page.evaluate(() => window.Beckon('update', { plan: 'team' })); // an attribute
  await eventually(async () => (await done()) === 3);
  assert.equal(await panel.locator('.task.done').count(), 3);
  const tasks = await eventually(async () => {
    const list = await events(user, 'message.task');
    return list.length === 3 && list;
  });
  assert.deepEqual(tasks.map((e) => e.data.task).sort(), ['choose-plan', 'create-report', 'schedule-report']);

  // Another browser (nothing stored locally): the server's state has it.
  const other = await open(`/reports.html?user=${user}&plan=free`);
  const launcher = other.page.locator('[data-beckon="checklist"] .launcher');
  await eventually(async () => /3 of 5 done$/.test((await launcher.textContent()) ?? ''));
  assert.match(await launcher.textContent(), /3 of 5 done$/);
  assert.equal(await other.page.locator('[data-beckon="checklist"] .panel').isVisible(), false, 'seen before: launcher only');
  await other.context.close();

  // The last two: an event the app tracks, and a tick-off.
  await page.evaluate(() => window.Beckon('track', 'member_invited'));
  await eventually(async () => (await done()) === 4);
  await panel.getByRole('button', { name: 'Mark as done' }).click();
  await eventually(async () => (await events(user, 'message.goal')).length === 1);
  assert.equal((await events(user, 'message.completed')).length, 1);
  assert.equal(await done(), 5);
  assert.ok(await panel.isVisible(), 'the finished list stays until closed');
  await shot(page, 'checklist-complete');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('tour: modal and tooltip steps with Back / Next / Skip and "2 of 5", focus kept in modal steps, advances on a click, then goes to the next page', async () => {
  const { page, seen, context } = await open('/reports.html?user=ui-tour');
  // The checklist's task starts the tour, and folds away to make room.
  const panel = page.locator('[data-beckon="checklist"] .panel');
  await panel.getByRole('button', { name: 'Show me' }).click();
  await panel.waitFor({ state: 'hidden' });
  const card = page.locator('[data-beckon="tour"] .step');
  await card.waitFor();
  assert.equal(await card.getAttribute('aria-modal'), 'true');
  assert.match(await card.innerText(), /Welcome to Reports/);
  assert.match(await card.locator('.count').innerText(), /^1 of 5$/);
  assert.equal((await focused(page)).host, 'tour', 'focus moved into the dialog');
  for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
  assert.equal((await focused(page)).host, 'tour', 'Tab stays inside the modal step');
  await axe(page, 'tour modal step');
  await shot(page, 'tour-1');

  await card.getByRole('button', { name: 'Next' }).click();
  await eventually(async () => /Pick a range/.test(await card.innerText()));
  assert.match(await card.locator('.count').innerText(), /^2 of 5$/);
  const range = await page.locator('#report-range').boundingBox();
  const c = await card.boundingBox();
  assert.ok(c.y >= range.y + range.height, 'tooltip step below its element');
  assert.equal(await card.getAttribute('data-side'), 'bottom');
  await axe(page, 'tour tooltip step');
  await shot(page, 'tour-2');
  await card.getByRole('button', { name: 'Back' }).click();
  await eventually(async () => /Welcome to Reports/.test(await card.innerText()));
  await card.getByRole('button', { name: 'Next' }).click();
  await card.getByRole('button', { name: 'Next' }).click();
  await eventually(async () => /Schedule it/.test(await card.innerText()));
  assert.equal(await card.getByRole('button', { name: 'Next' }).count(), 0, 'this step advances by doing the thing');
  await shot(page, 'tour-3');
  const nav = page.waitForURL(/\/team\.html\?user=ui-tour$/);
  await page.click('#schedule-report');
  await nav;
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test("a tour step whose element is below the fold scrolls it into view, once: Next never leaves the user with nothing on screen", async () => {
  const { page, seen, context } = await open('/reports.html?user=ui-tour-scroll', { viewport: { width: 1000, height: 600 } });
  // A long page: the report's controls far below the fold.
  await page.evaluate(() => {
    const spacer = document.createElement('div');
    spacer.style.height = '1800px';
    document.querySelector('main').prepend(spacer);
  });
  await page.evaluate(() => window.Beckon('startTour', 'reports-tour'));
  const card = page.locator('[data-beckon="tour"] .step');
  await card.waitFor();
  assert.equal(await page.evaluate(() => scrollY), 0, 'a modal step scrolls nothing');
  await card.getByRole('button', { name: 'Next' }).click();
  await eventually(async () => /Pick a range/.test(await card.innerText()));
  await card.waitFor({ state: 'visible' });
  const inView = (selector) =>
    page.evaluate((sel) => {
      const el = document.querySelector(sel) || document.querySelector('[data-beckon="tour"]').shadowRoot.querySelector(sel);
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight && r.height > 0;
    }, selector);
  assert.ok(await page.evaluate(() => scrollY > 1000), 'the page scrolled to the step');
  assert.ok(await inView('#report-range'), "the step's element is on screen");
  assert.ok(await inView('.step'), 'and so is the step');
  // The user scrolls back up: the tour lets them (the step waits off screen).
  await page.evaluate(() => scrollTo(0, 0));
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => scrollY), 0);
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test("a tour step whose element is not on the page shows in the middle of the screen after a few seconds, and goes to the element if it comes", async () => {
  const { page, seen, context } = await open('/reports.html?user=ui-tour-missing', { viewport: { width: 1000, height: 700 } });
  // The page no longer has the step's element (a redesign, a feature flag).
  const range = await page.evaluate(() => {
    const el = document.querySelector('#report-range');
    window.__range = { el, parent: el.parentElement, next: el.nextSibling };
    el.remove();
    return true;
  });
  assert.ok(range);
  await page.evaluate(() => window.Beckon('startTour', 'reports-tour'));
  const card = page.locator('[data-beckon="tour"] .step');
  await card.waitFor();
  await card.getByRole('button', { name: 'Next' }).click();
  const started = Date.now();
  await card.waitFor({ state: 'visible', timeout: 8000 });
  assert.ok(Date.now() - started >= 1500, 'it waited for the element first');
  assert.match(await card.innerText(), /Pick a range/);
  const box = await card.boundingBox();
  assert.ok(Math.abs(box.x + box.width / 2 - 500) < 2 && Math.abs(box.y + box.height / 2 - 350) < 2, `centred (${JSON.stringify(box)})`);
  assert.equal((await focused(page)).host, 'tour', 'focus moved to the step');
  // The element comes back: the step goes to it.
  await page.evaluate(() => window.__range.parent.insertBefore(window.__range.el, window.__range.next));
  await eventually(async () => (await card.getAttribute('class')).includes('centre') === false);
  const el = await page.locator('#report-range').boundingBox();
  const c = await card.boundingBox();
  assert.ok(c.y >= el.y + el.height, 'below its element again');
  // And the user can go on. The next step advances by a click on its
  // element, which is missing too: centred, it offers Next instead.
  await page.evaluate(() => document.querySelector('#schedule-report').remove());
  await card.getByRole('button', { name: 'Next' }).click();
  await eventually(async () => /Schedule it/.test(await card.innerText()));
  // No Next while it still waits for its element (on a slow machine the
  // 3 s may be over by now: then it is centred and offers it).
  const waiting = await card.evaluate((el) => ({
    centred: el.classList.contains('centre'),
    next: [...el.querySelectorAll('button')].some((b) => b.textContent === 'Next' && b.offsetParent !== null),
  }));
  assert.equal(waiting.next, waiting.centred, JSON.stringify(waiting));
  await card.getByRole('button', { name: 'Next' }).waitFor({ timeout: 8000 });
  await card.getByRole('button', { name: 'Next' }).click();
  await page.waitForURL(/\/team\.html/);
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('a running tour folds the checklist panel (on a phone it hid the tour\'s elements), which opens again after', async () => {
  const { page, seen, context } = await open('/reports.html?user=ui-fold', { viewport: { width: 375, height: 700 } });
  const panel = page.locator('[data-beckon="checklist"] .panel');
  await panel.waitFor();
  await page.evaluate(() => window.Beckon('startTour', 'reports-tour'));
  const step = page.locator('[data-beckon="tour"] .step');
  await step.waitFor();
  await panel.waitFor({ state: 'hidden' });
  await step.getByRole('button', { name: 'Next' }).click();
  // The step's element is not under anything of Beckon's but the tour.
  const range = page.locator('#report-range');
  const onTop = await range.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return hit === el || el.contains(hit) || hit?.closest('[data-beckon]')?.dataset.beckon;
  });
  assert.ok(onTop === true || onTop === 'tour', `the range select is reachable (${onTop})`);
  await step.getByRole('button', { name: 'Skip' }).click();
  await step.waitFor({ state: 'detached' });
  await panel.waitFor({ state: 'visible' });
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('tour continues on the next page at the stored step', async () => {
  const { page, context } = await open('/reports.html?user=ui-tour2');
  await page.evaluate(() => window.Beckon('startTour', 'reports-tour'));
  const card = page.locator('[data-beckon="tour"] .step');
  await card.waitFor();
  for (let i = 0; i < 2; i++) await card.getByRole('button', { name: 'Next' }).click();
  const nav = page.waitForURL(/team\.html/);
  await page.click('#schedule-report');
  await nav;
  await card.waitFor({ timeout: 3000 });
  assert.match(await card.locator('.count').innerText(), /^4 of 5$/);
  // This step waits for the app's event: the button tracks member_invited.
  assert.equal(await card.getByRole('button', { name: 'Next' }).count(), 0);
  await shot(page, 'tour-step4');
  await page.click('#invite-member');
  await eventually(async () => /^5 of 5$/.test(await card.locator('.count').innerText()));
  await card.getByRole('button', { name: 'Done' }).click();
  await page.locator('[data-beckon="tour"]').waitFor({ state: 'detached' });
  await eventually(async () => (await events('ui-tour2', 'message.completed')).length === 1);
  // Finished: not shown again on the next page.
  await page.goto(`${server.url}/reports.html?user=ui-tour2`);
  await page.waitForFunction(() => window.Beckon && window.Beckon.loaded);
  await page.waitForTimeout(500);
  assert.equal(await page.locator('[data-beckon="tour"]').count(), 0);
  await context.close();
});

test('post: centred modal with image, rich text and actions; focus trapped, Escape closes and focus returns', async () => {
  const { page, seen, context } = await open('/team.html?user=ui-post');
  const card = page.locator('[data-beckon="post"] .post');
  await card.waitFor();
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-beckon="post"]').shadowRoot.querySelector('img.hero');
    return img && img.complete && img.naturalWidth > 0;
  });
  assert.equal(await card.getAttribute('aria-modal'), 'true');
  assert.equal(await card.locator('li').count(), 3);
  assert.equal(await card.locator('a[href="/pricing.html"]').count(), 1);
  assert.equal((await focused(page)).host, 'post');
  for (let i = 0; i < 7; i++) await page.keyboard.press('Tab');
  assert.equal((await focused(page)).host, 'post', 'Tab stays in the dialog');
  await page.keyboard.press('Shift+Tab');
  assert.equal((await focused(page)).host, 'post');
  await axe(page, 'post');
  await shot(page, 'post');
  await page.keyboard.press('Escape');
  await card.waitFor({ state: 'detached' });
  assert.notEqual((await focused(page)).host, 'post');
  await eventually(async () => (await events('ui-post', 'message.dismissed')).length === 1);
  // The immediate tooltip on the same page is there, with its arrow.
  const tip = page.locator('[data-beckon="tooltip"] .tip');
  await tip.waitFor();
  await axe(page, 'immediate tooltip');
  await shot(page, 'team-tooltip');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('rich text: hostile content is shown as text or refused, nothing runs', async () => {
  await createMessage({
    id: 'ui-hostile', kind: 'post', priority: 70,
    content: {
      title: '<img src=x onerror="window.__pwned=1">',
      layout: 'corner',
      body: [
        '<script>window.__pwned = 1</script>',
        '<svg onload="window.__pwned=1"></svg> <style>*{display:none}</style>',
        '[js](javascript:window.__pwned=1) [data](data:text/html,<script>x</script>) [ok](https://example.com)',
        '![x](javascript:window.__pwned=1) ![y](data:image/svg+xml;base64,PHN2Zz4=)',
        'averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongwordthatmustwrap',
        'مرحبا بالعالم 👋🏽 {{first_name|friend}}',
      ].join('\n\n'),
    },
    targeting: { pages: { include: [{ match: 'contains', value: 'case=hostile' }] } },
  });
  const { page, seen, context } = await open('/team.html?user=ui-hostile&case=hostile&name=<b>Eve</b>');
  const card = page.locator('[data-beckon="post"] .post');
  await card.waitFor();
  assert.match(await card.innerText(), /<script>window.__pwned = 1<\/script>/);
  assert.match(await card.innerText(), /مرحبا بالعالم 👋🏽 <b>Eve<\/b>/);
  const hrefs = await card.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs, ['https://example.com']);
  assert.equal(await card.locator('img, svg, script, style').count(), 0);
  const box = await card.boundingBox();
  assert.ok(box.width <= 360, `long words wrap inside the card (${box.width}px)`);
  const messenger = page.locator('[data-beckon="messenger"] .launcher');
  await messenger.waitFor();
  assert.ok(box.y + box.height <= (await messenger.boundingBox()).y, 'the corner post sits above the messenger launcher');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await shot(page, 'hostile');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});

test('Arabic: the SDK speaks Arabic, lays out right to left, and shows the Arabic content; German too', async () => {
  const { page, context } = await open('/reports.html?user=ui-ar&locale=ar');
  const banner = page.locator('[data-beckon="banner"] .banner');
  await banner.waitFor();
  assert.equal(await banner.getAttribute('dir'), 'rtl');
  assert.match(await banner.innerText(), /تصدير CSV متاح الآن/);
  assert.equal(await banner.getByRole('button', { name: 'تجاهل' }).count(), 1);
  const wrap = page.locator('[data-beckon="checklist"] .wrap');
  assert.equal(await wrap.getAttribute('dir'), 'rtl');
  assert.match(await wrap.locator('.progress').innerText(), /تم إنجاز \d من 5/);
  // The messenger's launcher keeps the bottom right; the checklist takes
  // the other corner rather than its reading start, so neither covers the
  // other.
  const messenger = page.locator('[data-beckon="messenger"] .launcher');
  await messenger.waitFor();
  assert.ok((await messenger.boundingBox()).x > 1100 / 2, 'messenger launcher in the right-hand corner');
  const launcher = await wrap.locator('.launcher').boundingBox();
  assert.ok(launcher.x + launcher.width < 1100 / 2, 'checklist launcher in the left-hand corner');
  // The hotspot's dot mirrors to its element's top-left corner.
  const dot = await page.locator('[data-beckon="hotspot"] .dot').boundingBox();
  const anchor = await page.locator('#schedule-report').boundingBox();
  assert.ok(Math.abs(dot.x + dot.width / 2 - anchor.x) < 2, 'dot on the top-left corner in Arabic');
  await axe(page, 'Arabic surfaces');
  await shot(page, 'arabic');
  await context.close();

  const de = await open('/reports.html?user=ui-de&locale=de-AT');
  await de.page.locator('[data-beckon="banner"] .banner').waitFor();
  assert.match(await de.page.locator('[data-beckon="banner"] .banner').innerText(), /CSV-Export ist da/);
  await de.page.evaluate(() => window.Beckon('startTour', 'reports-tour'));
  const card = de.page.locator('[data-beckon="tour"] .step');
  await card.waitFor();
  assert.match(await card.innerText(), /Willkommen bei Berichte/);
  assert.equal(await card.getByRole('button', { name: 'Weiter' }).count(), 1);
  assert.match(await card.locator('.count').innerText(), /^1 von 5$/);
  await shot(de.page, 'german-tour');
  await de.context.close();
});

test('prefers-reduced-motion: no pulse, no slide-in', async () => {
  const pulse = async (reducedMotion) => {
    const { page, context } = await open(`/reports.html?user=ui-motion-${reducedMotion}`, { reducedMotion });
    await page.locator('[data-beckon="hotspot"] .dot').waitFor();
    const result = await inShadow(page, 'hotspot', (root) => getComputedStyle(root.querySelector('.dot'), '::after').animationName);
    const banner = await inShadow(page, 'banner', (root) => getComputedStyle(root.querySelector('.banner')).animationName);
    await context.close();
    return [result, banner];
  };
  assert.deepEqual(await pulse('no-preference'), ['bk-pulse', 'bk-in']);
  assert.deepEqual(await pulse('reduce'), ['none', 'none']);
});

test('theme: light by default, dark when the page prefers dark, the app\'s --beckon-* variables and boot theme apply to every surface', async () => {
  const colours = (page) =>
    inShadow(page, 'post', (root) => {
      const card = root.querySelector('.post');
      const button = root.querySelector('.primary');
      return [getComputedStyle(card).backgroundColor, getComputedStyle(button).backgroundColor, getComputedStyle(card).borderRadius];
    });
  const light = await open('/team.html?user=ui-theme-light');
  await light.page.locator('[data-beckon="post"] .post').waitFor();
  assert.equal((await colours(light.page))[0], 'rgb(255, 255, 255)', 'light card');
  // The app's own CSS sets the accent for every surface.
  await light.page.addStyleTag({ content: ':root { --beckon-accent: #b91c1c; }' });
  assert.equal((await colours(light.page))[1], 'rgb(185, 28, 28)', 'accent from the page');
  await axe(light.page, 'post with the app accent');
  await light.context.close();

  const dark = await open('/team.html?user=ui-theme-dark', { colorScheme: 'dark' });
  await dark.page.locator('[data-beckon="post"] .post').waitFor();
  assert.equal((await colours(dark.page))[0], 'rgb(31, 41, 55)', 'dark card');
  await axe(dark.page, 'post in dark mode');
  await shot(dark.page, 'post-dark');
  // boot's theme: a fixed light mode and a background, over a dark page.
  await dark.page.evaluate(() =>
    window.Beckon('boot', { user_id: 'ui-theme-fixed', theme: { mode: 'light', background: '#fefce8' } }),
  );
  await dark.page.locator('[data-beckon="post"] .post').waitFor();
  assert.equal(await dark.page.locator('[data-beckon="post"]').getAttribute('data-theme'), 'light');
  await eventually(async () => (await colours(dark.page))?.[0] === 'rgb(254, 252, 232)');
  assert.equal((await colours(dark.page))[0], 'rgb(254, 252, 232)');
  assert.equal(await dark.page.locator('[data-beckon="messenger"]').getAttribute('data-theme'), 'light', 'the messenger follows');
  assert.deepEqual(dark.seen.pageErrors, []);
  await dark.context.close();
});

test('on a phone (mobile emulation) every example page fits the screen, and so do the banner and the messenger', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 720 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const seen = watchConsole(page);
  // A page wider than the screen widens the layout viewport on a phone, and
  // every fixed element with it: the demo's pages must not.
  for (const path of ['/', '/reports.html', '/team.html', '/pricing.html']) {
    await page.goto(`${server.url}${path}?user=ui-phone`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${path} is ${width} px wide`);
  }
  await page.goto(`${server.url}/pricing.html?user=ui-phone`);
  const bar = page.locator('[data-beckon="banner"]');
  await bar.waitFor();
  const box = await bar.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 375.5, `banner ${JSON.stringify(box)}`);
  await page.evaluate(() => window.Beckon('show'));
  const dialog = page.getByRole('dialog', { name: 'Acme Support' });
  await dialog.waitFor();
  const d = await dialog.boundingBox();
  assert.ok(Math.abs(d.width - 375) < 1 && d.x === 0, `dialog ${JSON.stringify(d)}`);
  await shot(page, 'phone-messenger');
  assert.deepEqual(seen.pageErrors, []);
  await context.close();
});
