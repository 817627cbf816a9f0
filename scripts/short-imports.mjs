// Renames the imports of the built module to short names, in the .wasm and
// in its glue together: `./beckon_bg.js` / `__wbg_setTimeout_a60d83bec06b4345`
// becomes `b` / `a7`. wasm-bindgen names each of its ~200 imports after the
// JS function plus a 16-digit hash, and writes each name twice (the wasm's
// import section and the glue's import object); hashes do not compress.
//
// The exports of wasm-bindgen's closure shims get the same treatment: each
// is named after the Rust types of its closure, hashes included (up to 334
// characters), and V8 keeps each name as a string for as long as the page.
//
// Usage: node scripts/short-imports.mjs <dir>  (beckon_bg.wasm + beckon.js)
// Refuses, changing nothing, if any name is not exactly once in the glue.
import { readFileSync, writeFileSync } from 'node:fs';
import { assemble, encodeName, leb, readExports, readImports, sections } from './wasm-sections.mjs';

const dir = process.argv[2] || 'dist';
const wasmPath = `${dir}/beckon_bg.wasm`;
const gluePath = `${dir}/beckon.js`;
const GLUE_MODULE = './beckon_bg.js';
const SHORT_MODULE = 'b';

const fail = (msg) => {
  console.error(`short-imports: ${msg}`);
  process.exit(1);
};

/** a, b, …, Z, then a0, b0, …: short, distinct, valid property names. */
function shortName(i) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const head = letters[i % letters.length];
  const rest = Math.floor(i / letters.length);
  return rest ? head + (rest - 1).toString(36) : head;
}

const wasm = readFileSync(wasmPath);
let glue = readFileSync(gluePath, 'utf8');
let renamed = 0;

/** The import section with the glue's imports renamed (and the glue too). */
function renameImports(section) {
  let imports;
  try {
    imports = readImports(section);
  } catch (e) {
    fail(e.message);
  }
  const body = [...leb(imports.length)];
  for (let { module, field, type } of imports) {
    if (module === GLUE_MODULE) {
      const short = shortName(renamed++);
      // The whole identifier only, never a part of a longer one.
      renameInGlue(field, short);
      module = SHORT_MODULE;
      field = short;
    }
    body.push(...encodeName(module), ...encodeName(field), 0x00, ...leb(type));
  }
  return Buffer.from(body);
}

/** Replaces the one whole-identifier use of `from` in the glue by `to`. */
function renameInGlue(from, to) {
  const token = new RegExp(`(?<![\\w$])${from.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
  const uses = (glue.match(token) || []).length;
  if (uses !== 1) fail(`${from} is ${uses} times in the glue, expected once`);
  glue = glue.replace(token, () => to);
}

/** The export section with the closure shims' long names made short. */
let renamedExports = 0;
function renameExports(section) {
  const entries = readExports(section);
  const body = [...leb(entries.length)];
  for (let { name, kind, index } of entries) {
    if (/^wasm_bindgen_[0-9a-f]{16}_/.test(name)) {
      const short = `k${renamedExports++}`;
      if (entries.some((e) => e.name === short)) fail(`an export is already named ${short}`);
      renameInGlue(name, short);
      name = short;
    }
    body.push(...encodeName(name), kind, ...leb(index));
  }
  return Buffer.from(body);
}

const list = sections(wasm).map((s) => {
  if (s.id === 2) return { id: 2, body: renameImports(s.body) };
  if (s.id === 7) return { id: 7, body: renameExports(s.body) };
  return s;
});
const moduleKey = JSON.stringify(GLUE_MODULE);
if (glue.split(moduleKey).length !== 2) fail(`${moduleKey} is not exactly once in the glue`);
glue = glue.replace(moduleKey, () => JSON.stringify(SHORT_MODULE));
const shrunk = assemble(wasm, list);
writeFileSync(wasmPath, shrunk);
writeFileSync(gluePath, glue);
console.log(`short-imports: ${renamed} imports and ${renamedExports} exports renamed; wasm ${wasm.length} -> ${shrunk.length} bytes`);
