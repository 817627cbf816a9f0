// The built SDK module (dist/, from scripts/build-sdk.sh) has what the
// post-build scripts give it: short import names that the glue answers, and
// exported functions at consecutive indices (scripts/export-trampolines.mjs
// says why). Every other end-to-end test runs this same module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';
import { readExports, sections } from '../../scripts/wasm-sections.mjs';

const dir = process.env.BECKON_SDK_DIR || join(ROOT, 'dist');
const wasm = readFileSync(join(dir, 'beckon_bg.wasm'));

test('the built module: short import and export names, exported functions at consecutive indices', () => {
  const module = new WebAssembly.Module(wasm);
  const imports = WebAssembly.Module.imports(module);
  assert.ok(imports.length > 100);
  for (const { module: from, name } of imports) {
    assert.equal(from, 'b');
    assert.ok(name.length <= 3, name);
  }
  const glue = readFileSync(join(dir, 'beckon.js'), 'utf8');
  assert.doesNotMatch(glue, /__wbg_\w+_[0-9a-f]{16}/);
  // The closure shims' exports too: no export name carries a crate hash.
  for (const { name } of WebAssembly.Module.exports(module)) assert.doesNotMatch(name, /[0-9a-f]{16}/, name);
  assert.doesNotMatch(glue, /wasm_bindgen_[0-9a-f]{16}/);

  const indices = readExports(sections(wasm).find((s) => s.id === 7).body)
    .filter((e) => e.kind === 0)
    .map((e) => e.index);
  assert.ok(indices.length > 3);
  assert.deepEqual(indices, indices.map((_, i) => indices[0] + i));
});

test('the loader carries the glue and asks for the module its glue was built for', () => {
  const loader = readFileSync(join(dir, 'loader.js'), 'utf8');
  const version = createHash('sha256').update(wasm).digest('hex').slice(0, 16);
  assert.ok(loader.includes(`"beckon_bg.${version}.wasm"`), `the loader names this build's module (${version})`);
  // Served under that name, with its compressed twins.
  assert.deepEqual(readFileSync(join(dir, `beckon_bg.${version}.wasm`)), wasm);
  for (const ext of ['gz', 'br']) readFileSync(join(dir, `beckon_bg.${version}.wasm.${ext}`));
  // The glue is inside: no second request for it.
  assert.doesNotMatch(loader, /beckon\.js/);
  assert.match(loader, /__wbindgen_malloc/);
  assert.doesNotMatch(loader, /import\.meta|\bimport\(/);
});

test('the npm package imported and called during server-side rendering (Node): no throw, no fetch, one warning, boot says why', async () => {
  const warnings = [];
  const fetched = [];
  const { warn } = console;
  const realFetch = globalThis.fetch;
  console.warn = (...a) => warnings.push(a.join(' '));
  globalThis.fetch = (...a) => { fetched.push(String(a[0])); return realFetch(...a); };
  try {
    const { Beckon } = await import(join(dir, 'npm', 'index.mjs'));
    const boot = Beckon('boot', { app_id: 'demo', user_id: 'ssr-user' });
    assert.equal(Beckon('track', 'rendered'), undefined);
    assert.equal(typeof Beckon('on', 'ready', () => {}), 'function', 'on() still gives an unsubscribe');
    const answer = await boot;
    assert.equal(answer.ok, false);
    assert.match(answer.error, /not in a browser/);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(fetched, [], 'the module is not fetched on the server');
    assert.equal(warnings.length, 1, warnings.join('\n'));
  } finally {
    console.warn = warn;
    globalThis.fetch = realFetch;
  }
});
