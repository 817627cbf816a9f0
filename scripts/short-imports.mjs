// Renames the imports of the built module to short names, in the .wasm and
// in its glue together: `./beckon_bg.js` / `__wbg_setTimeout_a60d83bec06b4345`
// becomes `b` / `a7`. wasm-bindgen names each of its ~200 imports after the
// JS function plus a 16-digit hash, and writes each name twice (the wasm's
// import section and the glue's import object); hashes do not compress.
//
// Usage: node scripts/short-imports.mjs <dir>  (beckon_bg.wasm + beckon.js)
// Refuses, changing nothing, if any name is not exactly once in the glue.
import { readFileSync, writeFileSync } from 'node:fs';

const dir = process.argv[2] || 'dist';
const wasmPath = `${dir}/beckon_bg.wasm`;
const gluePath = `${dir}/beckon.js`;
const GLUE_MODULE = './beckon_bg.js';
const SHORT_MODULE = 'b';

const fail = (msg) => {
  console.error(`short-imports: ${msg}`);
  process.exit(1);
};

/** Reads an unsigned LEB128 at `pos`; [value, next position]. */
function leb(bytes, pos) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [value, pos];
  }
}

function encodeLeb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const encodeName = (s) => {
  const utf8 = Buffer.from(s, 'utf8');
  return [...encodeLeb(utf8.length), ...utf8];
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
if (wasm.readUInt32LE(0) !== 0x6d736100) fail(`${wasmPath} is not a wasm module`);

const out = [wasm.subarray(0, 8)];
let pos = 8;
let renamed = 0;
while (pos < wasm.length) {
  const id = wasm[pos];
  const [size, bodyStart] = leb(wasm, pos + 1);
  const end = bodyStart + size;
  if (id !== 2) {
    out.push(wasm.subarray(pos, end));
    pos = end;
    continue;
  }
  // The import section: vec(module name, field name, kind, description).
  let p = bodyStart;
  let count;
  [count, p] = leb(wasm, p);
  const body = [...encodeLeb(count)];
  for (let i = 0; i < count; i++) {
    const names = [];
    for (let k = 0; k < 2; k++) {
      let len;
      [len, p] = leb(wasm, p);
      names.push(wasm.subarray(p, p + len).toString('utf8'));
      p += len;
    }
    const kind = wasm[p];
    if (kind !== 0x00) fail(`import ${names.join('/')} is not a function (kind ${kind})`);
    let type;
    [type, p] = leb(wasm, p + 1);
    let [module, field] = names;
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
    body.push(...encodeName(module), ...encodeName(field), 0x00, ...encodeLeb(type));
  }
  out.push(Buffer.from([2, ...encodeLeb(body.length), ...body]));
  pos = end;
}

const moduleKey = JSON.stringify(GLUE_MODULE);
if (glue.split(moduleKey).length !== 2) fail(`${moduleKey} is not exactly once in the glue`);
glue = glue.replace(moduleKey, () => JSON.stringify(SHORT_MODULE));
const shrunk = Buffer.concat(out);
writeFileSync(wasmPath, shrunk);
writeFileSync(gluePath, glue);
console.log(`short-imports: ${renamed} imports renamed; wasm ${wasm.length} -> ${shrunk.length} bytes`);
