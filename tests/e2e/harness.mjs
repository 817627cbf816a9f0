// Shared set-up of the end-to-end tests: the real server on a free loopback
// port with a fresh database, and Debian's Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const ADMIN_KEY = 'e2e-admin-key';
const SERVER_BIN = process.env.BECKON_SERVER_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug', 'beckon-server');

/** Starts beckon-server on port 0 with an empty data folder; resolves once it listens. */
export async function startServer(env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'beckon-e2e-'));
  const child = spawn(SERVER_BIN, [], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', BECKON_DATA: dataDir, BECKON_ADMIN_KEY: ADMIN_KEY, RUST_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    // The server's warnings and errors, for a failure the browser only
    // sees as an HTTP 500.
    if (process.env.BECKON_E2E_SERVER_LOG) process.stderr.write(d);
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+?)\/?\s/);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    dataDir,
    child,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
    /** An admin API call: a GET, or a POST of `body` as JSON. */
    async admin(path, body) {
      const res = await fetch(url + path, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      return res.json();
    },
  };
}

/**
 * Launches headless Chromium with the flags this closed network needs.
 * `backForwardCache`: keep Chromium's back-forward cache, which Playwright
 * turns off by default, for tests of a page restored from it.
 */
export function launchBrowser({ backForwardCache = false } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    ignoreDefaultArgs: backForwardCache ? ['--disable-back-forward-cache'] : [],
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Collects console warnings and uncaught page errors of a page. */
export function watchConsole(page) {
  const seen = { warnings: [], errors: [], pageErrors: [] };
  page.on('console', (m) => {
    if (m.type() === 'warning') seen.warnings.push(m.text());
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.pageErrors.push(e.message));
  return seen;
}

/**
 * Waits until every finite animation in Beckon's shadow roots has finished:
 * a surface halfway through its fade-in has less contrast than it will.
 */
export function settled(page) {
  return page.evaluate(() =>
    Promise.all(
      [...document.querySelectorAll('[data-beckon]')]
        .flatMap((host) => host.shadowRoot?.getAnimations() ?? [])
        .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime))
        .map((a) => a.finished.catch(() => null)),
    ).then(() => true),
  );
}

/**
 * Polls `fn` until it returns a truthy value, and resolves with it; fails
 * the test if the time is up first (a wait that gave up silently let a
 * test pass on a build where the awaited thing never happened).
 */
export async function eventually(fn, { timeout = 5000, interval = 50 } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`still ${JSON.stringify(last)} after ${timeout} ms: ${String(fn).slice(0, 200)}`);
}

/**
 * Opens the messenger through the app API and asks for a person in a new
 * conversation, as a user would; resolves with the conversation's id once
 * the handoff is shown.
 */
export async function askForAPerson(page) {
  await page.evaluate(() => {
    window.Beckon('on', 'conversation:started', (e) => { window.__conversation = e.conversation_id; });
    window.Beckon('show');
  });
  await page.getByRole('button', { name: 'Ask a question' }).click();
  await page.getByRole('textbox', { name: 'Write a message…' }).fill('I need a human please');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('log').getByText(/will answer here/).waitFor();
  return eventually(() => page.evaluate(() => window.__conversation));
}

/**
 * A copy of the example pages in a temporary folder, for a server started
 * with `BECKON_EXAMPLES_DIR`: `files` adds or replaces files (name to text),
 * `copies` copies files in (name to source path). The caller removes it.
 */
export function examplesWith({ files = {}, copies = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-pages-'));
  cpSync(join(ROOT, 'examples'), dir, { recursive: true });
  for (const [name, source] of Object.entries(copies)) cpSync(source, join(dir, name));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/**
 * The server on a copy of the example pages with `files` and `copies` (as
 * for `examplesWith`), and a browser: `{ server, browser, stop }`, where
 * `stop` closes both and removes the copy.
 */
export async function serveExamplesWith(spec) {
  const pages = examplesWith(spec);
  const server = await startServer({ BECKON_EXAMPLES_DIR: pages });
  const browser = await launchBrowser();
  const stop = async () => {
    await browser.close();
    await server.stop();
    rmSync(pages, { recursive: true, force: true });
  };
  return { server, browser, stop };
}

/** The text of an example page. */
export const examplePage = (name) => readFileSync(join(ROOT, 'examples', name), 'utf8');
