// Browser benchmark of the SDK (issue 5's figures), against the real server
// in Debian's Chromium:
//   1. time from navigation start to the first message visible on the example
//      pricing page, median of several runs, cold (first visit) and warm
//      (a reload, when the boot answer is cached), side by side in the same
//      run with driver.js showing one step on a copy of the same page;
//   2. the JS heap the SDK adds (after garbage collection, SDK booted with its
//      message and messenger on screen, minus the same page just before the
//      SDK loaded);
//   3. the main-thread time of the tasks that ran each side's code before
//      its first message (Chromium's tracing): their CPU time, steadier
//      than the times of 1 on a machine this busy, and their wall time;
//   4. the main-thread time of a burst of `track` calls in one task (an app
//      that forwards its analytics), median of 5 per burst size.
// Build first: `bash scripts/build-sdk.sh && cargo build --release -p beckon-server`.
// Run: `node benches/first-message.mjs [runs]` (npm run bench:browser).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, ROOT, startServer } from '../tests/e2e/harness.mjs';

const RUNS = Number(process.argv[2] ?? 9);

// The pages the server serves: the examples plus a driver.js copy of the
// pricing page, so both load from the same server the same way.
const pages = mkdtempSync(join(tmpdir(), 'beckon-bench-'));
cpSync(join(ROOT, 'examples'), pages, { recursive: true });
cpSync(join(ROOT, 'node_modules/driver.js/dist/driver.js.iife.js'), join(pages, 'driver.js.iife.js'));
cpSync(join(ROOT, 'node_modules/driver.js/dist/driver.css'), join(pages, 'driver.css'));
const pricing = readFileSync(join(ROOT, 'examples/pricing.html'), 'utf8');
writeFileSync(
  join(pages, 'driver.html'),
  pricing
    .replace(/<script async src="\/sdk\/loader.js"[^>]*><\/script>\s*<script src="\/app.js"><\/script>/, `
  <link rel="stylesheet" href="/driver.css">
  <script src="/driver.js.iife.js" defer></script>
  <script src="/driver-step.js" defer></script>`),
);
writeFileSync(
  join(pages, 'driver-step.js'),
  `window.driver.js.driver().highlight({ element: '.card', popover: { title: 'New: scheduled reports', description: 'Get your dashboards by email every Monday.' } });`,
);

// Records when the first message is on screen: the first animation frame
// after the node appears (the frame that paints it). The time is reported
// on the console, which the DevTools protocol forwards without running
// anything in the page: waiting with Playwright's `waitForFunction`
// instead injected its page script (about 10 ms of main thread) while the
// SDK was still booting, after the page's load event, so it delayed
// Beckon's first message and rarely driver.js's, which often came before.
const OBSERVE = `(() => {
  const found = () => document.querySelector('.driver-popover')
    || [...document.querySelectorAll('[data-beckon]')].find((h) => h.shadowRoot && h.shadowRoot.querySelector('[data-message-id]'));
  const mark = () => requestAnimationFrame(() => { window.__visibleAt = performance.now(); console.debug('first-message-visible ' + window.__visibleAt); });
  const check = () => { if (!window.__seen && found()) { window.__seen = true; performance.mark('first-message'); mark(); } };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', check);
})();`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const server = await startServer({ BECKON_EXAMPLES_DIR: pages });
const browser = await launchBrowser();
try {
  const time = async (page, url) => {
    const visible = page.waitForEvent('console', {
      predicate: (m) => m.text().startsWith('first-message-visible '),
      timeout: 10000,
    });
    await page.goto(url, { waitUntil: 'commit' });
    return Number((await visible).text().split(' ')[1]);
  };
  const results = { beckonCold: [], beckonWarm: [], driver: [] };
  for (let i = 0; i < RUNS; i += 1) {
    // Alternate the order so neither side always runs on a warmer machine.
    const order = i % 2 ? ['driver', 'beckon'] : ['beckon', 'driver'];
    for (const who of order) {
      const context = await browser.newContext();
      await context.addInitScript(OBSERVE);
      const page = await context.newPage();
      if (who === 'driver') {
        results.driver.push(await time(page, `${server.url}/driver.html`));
      } else {
        results.beckonCold.push(await time(page, `${server.url}/pricing.html?user=bench-${i}`));
        results.beckonWarm.push(await time(page, `${server.url}/pricing.html?user=bench-${i}`));
      }
      await context.close();
    }
  }
  const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
  console.log(`first message visible, ms from navigation start (median of ${RUNS}):`);
  console.log(`  Beckon, first visit (boot over the network): ${m.beckonCold.toFixed(1)}`);
  console.log(`  Beckon, reload (cached boot answer):         ${m.beckonWarm.toFixed(1)}`);
  console.log(`  driver.js, one step on a copy of the page:   ${m.driver.toFixed(1)}`);
  console.log(`  ratio Beckon/driver.js: first visit ${(m.beckonCold / m.driver).toFixed(2)}, reload ${(m.beckonWarm / m.driver).toFixed(2)} (≤ 1.00 meets the goal)`);

  // Main-thread time of each side before its first message, from Chromium's
  // tracing: the tasks that ran its code (its scripts, the wasm module's
  // compilation and calls), with the microtask checkpoints between tasks
  // where its promise callbacks run: their CPU time and their wall time.
  // The page's own work is left out. On two cores shared with the server
  // and the browser's other processes the wall time is about twice the CPU
  // time, which is why the times above vary so much; the CPU time moves by
  // a millisecond or two, so builds are best compared by it.
  const mainThread = async (who, i) => {
    const context = await browser.newContext();
    await context.addInitScript(OBSERVE);
    const page = await context.newPage();
    await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'v8.wasm', 'v8', 'blink.user_timing'] });
    await time(page, who === 'driver' ? `${server.url}/driver.html` : `${server.url}/pricing.html?user=bench-trace-${i}`);
    const events = JSON.parse((await browser.stopTracing()).toString('utf8')).traceEvents;
    await context.close();
    const seen = events.find((e) => e.name === 'first-message');
    if (!seen) return NaN;
    const ours = who === 'driver' ? /\/driver[^/]*\.js$/ : /\/sdk\/loader\.js(\?|$)/;
    const mine = (e) => ours.test(e.args?.data?.url ?? '') || e.name.startsWith('wasm.') || e.name.startsWith('v8.wasm.');
    const thread = events.filter((e) => e.tid === seen.tid && e.ph === 'X' && e.ts < seen.ts).sort((a, b) => a.ts - b.ts);
    const total = { thread: 0, wall: 0 };
    let end = -Infinity;
    // Top-level events: tasks, and the microtask checkpoints run between
    // them (where most of the SDK's promise callbacks run).
    for (const task of thread) {
      if (task.ts < end) continue;
      end = task.ts + task.dur;
      if (thread.some((e) => e.ts >= task.ts && e.ts < end && mine(e))) {
        total.thread += (task.tdur ?? task.dur) / 1000;
        total.wall += task.dur / 1000;
      }
    }
    return total;
  };
  const busy = { beckon: [], driver: [] };
  for (let i = 0; i < 5; i += 1) {
    busy.beckon.push(await mainThread('beckon', i));
    busy.driver.push(await mainThread('driver', i));
  }
  const side = (runs) => `${median(runs.map((r) => r.thread)).toFixed(1)} ms on the CPU in ${median(runs.map((r) => r.wall)).toFixed(1)} ms`;
  console.log(`main thread, the tasks that ran each side's code before its first message (median of 5): Beckon ${side(busy.beckon)}, driver.js ${side(busy.driver)}`);

  // JS heap added by the SDK: the same page measured before and after the
  // SDK loads, each after garbage collection. Comparing two separate page
  // loads instead differs by ±70 KB from one load to the next, more than
  // what is measured. The page comes without its loader tag, and the same
  // tag is added after the first measurement: everything of the SDK (the
  // loader's code too, however V8 compiles it) is in the second one only.
  const heap = async (i) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const TAG = '<script async src="/sdk/loader.js" data-app-id="demo"></script>';
    await page.route('**/pricing.html*', async (route) => {
      const response = await route.fetch();
      const text = await response.text();
      if (!text.includes(TAG)) throw new Error('pricing.html no longer has the loader tag this benchmark moves');
      await route.fulfill({ response, body: text.replace(TAG, '') });
    });
    await page.goto(`${server.url}/pricing.html?user=bench-heap-${i}`);
    // Playwright's own page script is injected by its first locator; it
    // must be in the heap before the first measurement, not between.
    await page.locator('body').waitFor();
    // And its helper for `evaluate` in the page's own world, used below.
    await page.evaluate(() => document.head.childElementCount);
    // The SDK's surfaces are awaited through a console line from an
    // observer that is in the baseline too: waiting with Playwright's
    // locators polled its page script while the SDK loaded, and V8 compiled
    // that script's hot functions (`querySelectorAll`, `innerSerialize`…),
    // about 30 KB of machine code counted as the SDK's.
    await page.evaluate(() => {
      const drawn = () => document.querySelector('[data-beckon="banner"]') && document.querySelector('[data-beckon="messenger"]');
      const observer = new MutationObserver(() => {
        if (drawn()) {
          observer.disconnect();
          console.debug('sdk-drawn');
        }
      });
      observer.observe(document.documentElement, { childList: true, subtree: true });
    });
    await page.waitForTimeout(300);
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    const used = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    const before = await used();
    const drawn = page.waitForEvent('console', { predicate: (m) => m.text() === 'sdk-drawn', timeout: 10000 });
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.async = true;
      script.src = '/sdk/loader.js';
      script.dataset.appId = 'demo';
      document.head.append(script);
    });
    await drawn;
    await page.waitForTimeout(300);
    const added = (await used()) - before;
    await context.close();
    return added;
  };
  const deltas = [];
  for (let i = 0; i < 5; i += 1) deltas.push(await heap(i));
  // Each run, too: the figure is bimodal, by whether V8 has optimised one
  // more glue function when it is measured (about 18 KB).
  const each = deltas.map((d) => (d / 1024).toFixed(0)).join(', ');
  console.log(`JS heap added by the SDK (median of 5, same page before and after it loads, after GC): ${(median(deltas) / 1024).toFixed(1)} KB (runs: ${each}; goal ≤ 200 KB)`);

  // track() bursts: storage is written once per task, so the cost per call
  // should stay flat as the burst grows.
  const burst = async (n, i) => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/pricing.html?user=bench-burst-${n}-${i}`);
    await page.waitForFunction(() => window.Beckon && window.Beckon.loaded && window.Beckon('status').user_key);
    await page.waitForTimeout(300);
    const ms = await page.evaluate((n) => {
      const t = performance.now();
      for (let k = 0; k < n; k += 1) window.Beckon('track', 'bench_burst', { k });
      return performance.now() - t;
    }, n);
    await page.close();
    return ms;
  };
  for (const n of [100, 1000]) {
    const times = [];
    for (let i = 0; i < 5; i += 1) times.push(await burst(n, i));
    const m = median(times);
    console.log(`${n} track() calls in one task: ${m.toFixed(0)} ms (${((1000 * m) / n).toFixed(0)} µs per call, median of 5)`);
  }
} finally {
  await browser.close();
  await server.stop();
  rmSync(pages, { recursive: true, force: true });
}
