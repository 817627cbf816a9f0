// The packed crossing end to end: benches/rules-pack.mjs writing
// attributes into the wasm build of beckon-core (benches/rules-wasm), which
// must then answer as GrowthBook does on the same attributes as JSON.
//
//   bash benches/build-rules-wasm.sh && node --test benches/rules-pack.test.mjs
//
// Fails (rather than passing silently) when the module is not built.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { packer } from "./rules-pack.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const dir = join(resolve(root, process.env.CARGO_TARGET_DIR || "target"), "rules-wasm");
assert.ok(existsSync(join(dir, "beckon_rules_wasm.js")), `${dir} is missing: run bash benches/build-rules-wasm.sh`);
const { Audiences, wasmMemory } = require(join(dir, "beckon_rules_wasm.js"));
const { evalCondition } = require("@growthbook/growthbook");
const memory = wasmMemory();

/** Compiles `conditions`; returns a pass over JavaScript attributes. */
function engine(conditions, savedGroups = {}) {
  const set = new Audiences(JSON.stringify(conditions), JSON.stringify(savedGroups));
  const pack = packer(set, memory, JSON.parse(set.attributeNames()));
  return {
    eval(attributes) {
      const [words, bytes] = pack(attributes);
      const at = set.evalPacked(words, bytes);
      return Array.from(new Uint8Array(memory.buffer, at, conditions.length), (r) => r === 1);
    },
    free: () => set.free(),
  };
}

const json = (v) => {
  const text = JSON.stringify(v);
  return text === undefined ? null : JSON.parse(text);
};

test("every condition vector, through the packer and the wasm build", () => {
  const doc = JSON.parse(readFileSync(join(root, "tests/vectors/conditions.json"), "utf8"));
  let checked = 0;
  for (const c of doc.cases) {
    let e;
    try {
      e = engine([c.condition], c.savedGroups ?? {});
    } catch {
      // Conditions or saved groups the engine refuses to compile.
      assert.equal(c.expected, "error", c.name);
      continue;
    }
    // Where GrowthBook throws, a set answers "does not match".
    assert.deepEqual(e.eval(c.attributes), [c.expected === true], c.name);
    e.free();
    checked++;
  }
  assert.ok(checked > 600, `only ${checked} cases ran`);
});

test("JavaScript values are handed over as JSON would carry them", () => {
  class Point {
    constructor() {
      this.x = 1;
    }
  }
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const attributes = {
    date: new Date(Date.UTC(2024, 0, 2)),
    undef: undefined,
    fn() {},
    nan: NaN,
    inf: -Infinity,
    negZero: -0,
    sparse,
    holes: [undefined, () => 1, Symbol("s")],
    boxed: new String("boxed"),
    map: new Map([["a", 1]]),
    point: new Point(),
    bare: Object.assign(Object.create(null), { k: "v" }),
    nested: { when: new Date(0), list: [new Number(5), { toJSON: () => "custom" }] },
    get getter() {
      return "got";
    },
    [Symbol("hidden")]: 1,
    "": "empty key",
    "a.b": "dotted key",
  };
  const probes = [];
  for (const key of Object.keys(attributes).concat(["nested.when", "nested.list.0", "nested.list.1", "sparse.1", "sparse.length", "holes.0", "holes.2", "point.x", "bare.k", "map.a", "boxed.0", "a", "missing"])) {
    for (const test of [{ $exists: true }, { $type: "string" }, { $type: "number" }, { $type: "object" }, { $type: "null" }, { $eq: 0 }, { $size: 3 }, { $regex: "^20" }, { $regex: "^$" }, { $in: ["boxed", "custom", "got", 5, "v"] }]) {
      probes.push({ [key]: test });
    }
  }
  const e = engine(probes);
  const ours = e.eval(attributes);
  const plain = json(attributes);
  const theirs = probes.map((p) => evalCondition(plain, p, {}));
  const differ = probes.filter((_, i) => ours[i] !== theirs[i]).map((p) => JSON.stringify(p));
  assert.deepEqual(differ, []);
  e.free();
});

test("attributes JSON cannot hold fail as JSON.stringify does", () => {
  const e = engine([{ a: 1 }]);
  const cyclic = { a: {} };
  cyclic.a.self = cyclic.a;
  assert.throws(() => e.eval(cyclic), TypeError);
  assert.throws(() => e.eval({ a: 1n }), TypeError);
  e.free();
});

test("attributes that are not an object are read as the value itself", () => {
  const conditions = [{ 0: "a" }, { length: 2 }, { "0": { $exists: true } }, { a: null }];
  const e = engine(conditions);
  for (const attributes of [["a", "b"], "ab", null, 5, new Date(0), { toJSON: () => ["a", "x"] }]) {
    const expected = conditions.map((c) => evalCondition(json(attributes), c, {}));
    assert.deepEqual(e.eval(attributes), expected, JSON.stringify(attributes));
  }
  e.free();
});

test("buffers grow to fit large attributes", () => {
  const e = engine([{ big: { $regex: "end$" } }, { "many.k4999": 4999 }, { uni: "é😀" }]);
  const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
  assert.deepEqual(e.eval({ big: "x".repeat(100000) + "end", many, uni: "é😀" }), [true, true, true]);
  assert.deepEqual(e.eval({ big: "short", many: {}, uni: "e" }), [false, false, false]);
  e.free();
});

test("conditions that read the whole object get it whole", () => {
  const savedGroups = { g: { type: "condition", condition: { plan: "pro" } } };
  const e = engine([{ $savedGroup: { id: "g" } }, { plan: "pro", seats: { $gt: 1 } }], savedGroups);
  assert.deepEqual(e.eval({ plan: "pro", seats: 3 }), [true, true]);
  assert.deepEqual(e.eval({ plan: "free", seats: 3 }), [false, false]);
  e.free();
});
