// Gives the module's exported functions consecutive function indices, by
// exporting for each a new one-call function appended at the end.
//
// Why: the JS API names each exported function after its index
// (`String(index)`), and V8 keeps those strings in its small-integer string
// cache. That cache starts at 128 entries and, at the first collision,
// grows to its full size: 64 KB of JS heap. wasm-opt leaves the exported
// functions at scattered indices, which collided or not depending on the
// build; consecutive indices never collide in the first 128.
//
// Usage: node scripts/export-trampolines.mjs <dir>  (rewrites beckon_bg.wasm)
import { readFileSync, writeFileSync } from 'node:fs';
import { assemble, encodeName, leb, readExports, readImports, readLeb, sections } from './wasm-sections.mjs';

const path = `${process.argv[2] || 'dist'}/beckon_bg.wasm`;
const fail = (msg) => {
  console.error(`export-trampolines: ${msg}`);
  process.exit(1);
};

const wasm = readFileSync(path);
const list = sections(wasm);
const section = (id) => list.find((s) => s.id === id);
const vec = (body) => readLeb(body, 0);

// Parameter counts of the function types (numeric and plain reference
// value types are one byte each; anything longer is refused).
const paramCounts = [];
{
  const body = section(1).body;
  let [count, p] = vec(body);
  for (let i = 0; i < count; i++) {
    if (body[p++] !== 0x60) fail(`type ${i} is not a function type`);
    for (let side = 0; side < 2; side++) {
      let n;
      [n, p] = readLeb(body, p);
      for (let k = 0; k < n; k++) {
        if (body[p] === 0x63 || body[p] === 0x64) fail(`type ${i} has a typed reference`);
        p++;
      }
      if (side === 0) paramCounts.push(n);
    }
  }
}

// Imported functions come first in the index space (one may be exported
// as it is: a trampoline calls it all the same).
let importTypes;
try {
  importTypes = section(2) ? readImports(section(2).body).map((i) => i.type) : [];
} catch (e) {
  fail(e.message);
}
const imported = importTypes.length;

// The defined functions' types.
const functionTypes = [];
{
  const body = section(3).body;
  let [count, p] = vec(body);
  for (let i = 0; i < count; i++) {
    let t;
    [t, p] = readLeb(body, p);
    functionTypes.push(t);
  }
}
const typeOf = (index) => (index >= imported ? functionTypes[index - imported] : importTypes[index]);

// Each exported function's export now names a trampoline that calls it.
const trampolines = [];
{
  const entries = readExports(section(7).body);
  const exports = entries.flatMap(({ name, kind, index }) => {
    if (kind !== 0x00) return [...encodeName(name), kind, ...leb(index)];
    const trampoline = imported + functionTypes.length + trampolines.length;
    trampolines.push({ target: index, type: typeOf(index) });
    return [...encodeName(name), 0x00, ...leb(trampoline)];
  });
  if (trampolines.length > 128) fail('more than 128 exported functions');
  section(7).body = Buffer.from([...leb(entries.length), ...exports]);
}

// New function declarations and their bodies: local.get each parameter,
// call the target, end.
{
  const functions = section(3);
  const [count, p] = vec(functions.body);
  functions.body = Buffer.concat([
    Buffer.from(leb(count + trampolines.length)),
    functions.body.subarray(p),
    Buffer.from(trampolines.flatMap((t) => leb(t.type))),
  ]);
  const code = section(10);
  const [bodies, q] = vec(code.body);
  const added = trampolines.flatMap(({ target, type }) => {
    const params = paramCounts[type];
    const instructions = [0x00]; // no locals
    for (let i = 0; i < params; i++) instructions.push(0x20, ...leb(i));
    instructions.push(0x10, ...leb(target), 0x0b);
    return [...leb(instructions.length), ...instructions];
  });
  code.body = Buffer.concat([Buffer.from(leb(bodies + trampolines.length)), code.body.subarray(q), Buffer.from(added)]);
}

writeFileSync(path, assemble(wasm, list));
console.log(`export-trampolines: ${trampolines.length} exported functions at indices ${imported + functionTypes.length}…`);
