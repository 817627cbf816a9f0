// Renames the imports of the built module to short names, in the .wasm and
// in its glue together: `./beckon_bg.js` / `__wbg_setTimeout_a60d83bec06b4345`
// becomes `b` / `a7`. wasm-bindgen names each of its ~200 imports after the
// JS function plus a 16-digit hash, and writes each name twice (the wasm's
// import section and the glue's import object); hashes do not compress.
//
// Usage: node scripts/short-imports.mjs <dir>  (beckon_bg.wasm + beckon.js)
// Refuses, changing nothing, if any name is not exactly once in the glue.
import { readFileSync, writeFileSync } from 'node:fs';
import { assemble, encodeName, leb, readImports, sections } from './wasm-sections.mjs';

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
      const token = new RegExp(`(?<![\\w$])${field.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
      const uses = (glue.match(token) || []).length;
      if (uses !== 1) fail(`${field} is ${uses} times in the glue, expected once`);
      glue = glue.replace(token, () => short);
      module = SHORT_MODULE;
      field = short;
    }
    body.push(...encodeName(module), ...encodeName(field), 0x00, ...leb(type));
  }
  return Buffer.from(body);
}

const list = sections(wasm).map((s) => (s.id === 2 ? { id: 2, body: renameImports(s.body) } : s));
const moduleKey = JSON.stringify(GLUE_MODULE);
if (glue.split(moduleKey).length !== 2) fail(`${moduleKey} is not exactly once in the glue`);
glue = glue.replace(moduleKey, () => JSON.stringify(SHORT_MODULE));
const shrunk = assemble(wasm, list);
writeFileSync(wasmPath, shrunk);
writeFileSync(gluePath, glue);
console.log(`short-imports: ${renamed} imports renamed; wasm ${wasm.length} -> ${shrunk.length} bytes`);
