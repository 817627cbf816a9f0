// Regenerates tests/vectors/conditions.json and tests/vectors/hash.json.
//
//   node tests/differential/port-cases.mjs <growthbook cases.json>
//
// Sources: the evalCondition, savedGroupReferencesV2.evalCondition and hash
// suites of GrowthBook's own SDK conformance file (packages/sdk-js/test/
// cases.json, MIT), plus Beckon's own corner cases below. Every expectation
// is what the pinned @growthbook/growthbook in node_modules answers — that
// package, not the newer spec the file may come from, is what we match.
// Where the file expects something else, the case keeps that as
// "upstreamExpected" so a later move to the newer semantics is one diff.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(root, "package.json"));
const gb = require("@growthbook/growthbook");
const gbVersion = require("@growthbook/growthbook/package.json").version;

const src = process.argv[2];
if (!src) {
  console.error("usage: node tests/differential/port-cases.mjs <cases.json>");
  process.exit(2);
}
const upstream = JSON.parse(readFileSync(src, "utf8"));

// Corners of the JavaScript semantics the upstream file does not pin down.
const own = [
  ["string condition compares value + ''", { n: "8" }, { n: 8 }],
  ["number condition compares value * 1", { n: 8 }, { n: " 8 " }],
  ["number condition on hex string", { n: 26 }, { n: "0x1A" }],
  ["string condition on array joins it", { tags: "a,b" }, { tags: ["a", "b"] }],
  ["string condition on nested array with null", { t: "1,,2" }, { t: [1, null, [2]] }],
  ["string condition on object", { o: "[object Object]" }, { o: { a: 1 } }],
  ["boolean false condition on 0", { x: false }, { x: 0 }],
  ["boolean false condition on missing", { x: false }, {}],
  ["boolean true on empty array", { x: true }, { x: [] }],
  ["null condition on missing", { x: null }, {}],
  ["array condition uses JSON text", { x: [1, "a"] }, { x: [1.0, "a"] }],
  ["object condition key order matters", { x: { b: 1, a: 2 } }, { x: { a: 2, b: 1 } }],
  ["object condition index keys sort first", { x: { b: 1, 1: 2 } }, { x: { 1: 2, b: 1 } }],
  ["empty object condition needs empty object", { x: {} }, { x: {} }],
  ["mixed-key object is not an operator object", { x: { $eq: 1, a: 1 } }, { x: { $eq: 1, a: 1 } }],
  ["$eq on arrays is identity", { x: { $eq: [1] } }, { x: [1] }],
  ["$ne on arrays is identity", { x: { $ne: [1] } }, { x: [1] }],
  ["$in null matches missing", { x: { $in: [null] } }, {}],
  ["$in does not coerce", { x: { $in: ["1"] } }, { x: 1 }],
  ["$nin non-array is false", { x: { $nin: "a" } }, { x: "b" }],
  ["$lte null is 0", { x: { $lte: 0 } }, { x: null }],
  ["$lt array vs string compares strings", { x: { $lt: "2" } }, { x: [1, 2] }],
  ["$gt string vs number", { x: { $gt: 10 } }, { x: "9" }],
  ["$gt string vs string", { x: { $gt: "10" } }, { x: "9" }],
  ["$gte object is NaN", { x: { $gte: 0 } }, { x: {} }],
  ["$lt UTF-16 order", { x: { $lt: "\uffff" } }, { x: "\u{10000}" }],
  ["$exists with truthy string", { x: { $exists: "no" } }, { x: 1 }],
  ["$exists with 0", { x: { $exists: 0 } }, {}],
  ["$type of missing is null", { x: { $type: "null" } }, {}],
  ["$type of builtin is unknown", { constructor: { $type: "unknown" } }, {}],
  ["$type non-string", { x: { $type: 1 } }, { x: 1 }],
  ["$size with operator", { x: { $size: { $gte: 2 } } }, { x: [1, 2] }],
  ["$size on string", { x: { $size: 3 } }, { x: "abc" }],
  ["$all empty on array", { x: { $all: [] } }, { x: [] }],
  ["$all empty on non-array", { x: { $all: [] } }, { x: "a" }],
  ["$alli folds strings", { x: { $alli: ["A", "b"] } }, { x: ["a", "B", "c"] }],
  ["$alli does not fold inside operators", { x: { $alli: [{ $eq: "A" }] } }, { x: ["a"] }],
  ["$ini mixed types", { x: { $ini: ["A", 1] } }, { x: 1 }],
  ["$nini array attribute", { x: { $nini: ["A"] } }, { x: ["b", "a"] }],
  ["$elemMatch number argument", { x: { $elemMatch: 5 } }, { x: [null, 0] }],
  ["$elemMatch skips nulls only", { x: { $elemMatch: { $eq: 0 } } }, { x: [null, 0] }],
  ["$elemMatch with string argument", { x: { $elemMatch: "a" } }, { x: ["a", ["a"]] }],
  ["$elemMatch object elements", { x: { $elemMatch: { a: 1 } } }, { x: [{ a: 1 }] }],
  ["$regex on number", { x: { $regex: "^1\\.5$" } }, { x: 1.5 }],
  ["$regex on missing tests 'null'", { x: { $regex: "nul" } }, {}],
  ["$regex with slash", { x: { $regex: "a/b" } }, { x: "a/b" }],
  ["$regex non-string never matches", { x: { $regex: 5 } }, { x: "5" }, undefined, {
    expected: false,
    note: "GrowthBook caches regexes by String(pattern): a non-string pattern throws (false) in a fresh process but answers like its string form once that string was used as a pattern before; Beckon always answers false",
  }],
  ["$regex invalid under $not", { x: { $not: { $regex: "(" } } }, { x: "(" }],
  ["$regex annex B literal bracket", { x: { $regex: "]" } }, { x: "]" }],
  ["$regex astral is two units", { x: { $regex: "^.$" } }, { x: "😀" }],
  ["$regexi case", { x: { $regexi: "^ABC" } }, { x: "abcd" }],
  ["$regexi non-ascii", { x: { $regexi: "ÉTÉ" } }, { x: "été" }],
  ["$veq number attribute", { v: { $veq: "1.5" } }, { v: 1.5 }],
  ["$vgt pre-release", { v: { $vgt: "1.0.0-beta" } }, { v: "1.0.0" }],
  ["$vlt missing", { v: { $vlt: "1.0.0" } }, {}],
  ["$vgte build metadata", { v: { $vgte: "1.2.3+b.1" } }, { v: "v1.2.3" }],
  ["$vgt ten vs nine", { v: { $vgt: "1.9.0" } }, { v: "1.10.0" }],
  ["$vgt long numeric part", { v: { $vgt: "99999.0.0" } }, { v: "100000.0.0" }],
  ["unknown operator", { x: { $foo: 1 } }, { x: 1 }],
  ["unknown operator under $not", { x: { $not: { $foo: 1 } } }, { x: 1 }],
  ["top-level $-key is a path", { $in: ["a"] }, { $in: "a" }],
  ["$or number", { $or: 5 }, {}],
  ["$nor number", { $nor: 5 }, {}],
  ["$and object without length", { $and: { a: 1 } }, {}],
  ["$or string", { $or: "ab" }, { 0: "b" }],
  ["$not string", { $not: "ab" }, { 0: "a", 1: "b" }],
  ["$not number", { $not: 5 }, {}],
  ["condition array", [{ $eq: 1 }, 2], [1, 2]],
  ["array index path", { "tags.1": "b" }, { tags: ["a", "b"] }],
  ["array length path", { "tags.length": 2 }, { tags: ["a", "b"] }],
  ["non-canonical index", { "tags.01": { $exists: false } }, { tags: ["a", "b"] }],
  ["string length is not a path", { "s.length": { $exists: false } }, { s: "abc" }],
  ["inherited constructor exists", { constructor: { $exists: true } }, {}],
  ["inherited toString as string", { toString: "function toString() { [native code] }" }, {}],
  ["array constructor", { "a.constructor": "function Array() { [native code] }" }, { a: [] }],
  ["array method", { "a.map": { $type: "unknown" } }, { a: [] }],
  ["__proto__ is an object", { __proto__x: 1, "o.__proto__": { $type: "object" } }, { o: {} }],
  ["empty path", { "": 1 }, { "": 1 }],
  ["dotted empty segment", { "a..b": 1 }, { a: { "": { b: 1 } } }],
  ["$inGroup missing id is empty", { x: { $inGroup: "nope" } }, { x: 1 }],
  ["$notInGroup missing id passes", { x: { $notInGroup: "nope" } }, { x: 1 }],
  ["$notInGroup inherited id fails", { x: { $notInGroup: "toString" } }, { x: 1 }],
  ["$inGroup array key is coerced", { x: { $inGroup: ["g"] } }, { x: 1 }, { g: [1] }],
  ["$inGroup bare", { x: { $inGroup: "g" } }, { x: ["z", 2] }, { g: [1, 2] }],
  ["$savedGroup bare array fails", { $savedGroup: { id: "g" } }, { x: 1 }, { g: [1] }],
  ["$savedGroup null attributeKey", { $savedGroup: { id: "g", attributeKey: null } }, { x: 1 }, { g: { type: "list", attributeKey: "x", values: [1] } }],
  ["$savedGroup override key", { $savedGroup: { id: "g", attributeKey: "y" } }, { x: 1, y: 2 }, { g: { type: "list", attributeKey: "x", values: [2] } }],
  ["$savedGroup dotted key", { $savedGroup: { id: "g" } }, { a: { b: 2 } }, { g: { type: "list", attributeKey: "a.b", values: [2] } }],
  ["$savedGroup cycle under $not", { $savedGroup: { id: "g" } }, {}, { g: { type: "condition", condition: { $not: { $savedGroup: { id: "g" } } } } }],
  ["$savedGroup in $elemMatch", { xs: { $elemMatch: { $savedGroup: { id: "g" } } } }, { xs: [{ p: 1 }] }, { g: { type: "condition", condition: { p: 1 } } }],
  ["$savedGroup condition array", { $savedGroup: { id: "g" } }, { 0: 1 }, { g: { type: "condition", condition: [1] } }],
  ["$savedGroup condition string", { $savedGroup: { id: "g" } }, {}, { g: { type: "condition", condition: "x" } }],
  ["$savedGroup unknown type", { $savedGroup: { id: "g" } }, {}, { g: { type: "future" } }],
  ["error: null condition", null, {}],
  ["error: $or with null", { $or: [{ a: 1 }, null] }, { a: 1 }, undefined, {
    expected: "error",
    note: "GrowthBook answers true only because $or stops at the first branch; it throws once that branch fails, so Beckon rejects the shape when compiling",
  }],
  ["error: $not null", { $not: null }, {}],
  ["error: $elemMatch null", { x: { $elemMatch: null } }, { x: [1] }],
];

function evaluate(cond, attrs, groups) {
  const origError = console.error;
  console.error = () => {}; // GrowthBook logs unknown operators
  try {
    return gb.evalCondition(attrs, cond, groups);
  } catch (e) {
    return "error";
  } finally {
    console.error = origError;
  }
}

const cases = [];
const add = (name, condition, attributes, savedGroups, upstreamExpected, override) => {
  const expected = evaluate(condition, attributes, savedGroups);
  const c = { name, condition, attributes };
  if (savedGroups !== undefined) c.savedGroups = savedGroups;
  c.expected = expected;
  if (override) {
    c.expected = override.expected;
    c.growthbook = expected;
    c.note = override.note;
  }
  if (upstreamExpected !== undefined && upstreamExpected !== expected) c.upstreamExpected = upstreamExpected;
  cases.push(c);
};
for (const [name, cond, attrs, expected, groups] of upstream.evalCondition) add(`gb: ${name}`, cond, attrs, groups, expected);
for (const [name, cond, attrs, expected, groups] of upstream.savedGroupReferencesV2?.evalCondition ?? [])
  add(`gb savedGroupReferencesV2: ${name}`, cond, attrs, groups, expected);
for (const [name, cond, attrs, groups, override] of own) add(`beckon: ${name}`, cond, attrs, groups, undefined, override);

// The upstream file repeats a few names; number the repeats.
const seen = new Map();
for (const c of cases) {
  const n = (seen.get(c.name) ?? 0) + 1;
  seen.set(c.name, n);
  if (n > 1) c.name = `${c.name} (${n})`;
}

const source = {
  growthbook: `@growthbook/growthbook ${gbVersion} (expected values)`,
  upstream: `GrowthBook packages/sdk-js/test/cases.json specVersion ${upstream.specVersion} (MIT)`,
};
const out = join(root, "tests", "vectors");
writeFileSync(join(out, "conditions.json"), JSON.stringify({ version: 1, source, cases }, null, 1) + "\n");
// `hash` is not exported; load the module file directly (bypassing "exports").
const { hash } = require(join(root, "node_modules", "@growthbook", "growthbook", "dist", "cjs", "util.js"));
const hashes = upstream.hash.map(([seed, value, version, expected]) => {
  const got = hash(seed, value, version);
  if (got !== expected) throw new Error(`hash(${seed}, ${value}, ${version}): file says ${expected}, package says ${got}`);
  return { seed, value, version, expected: got };
});
writeFileSync(join(out, "hash.json"), JSON.stringify({ version: 1, source, cases: hashes }, null, 1) + "\n");
const differ = cases.filter((c) => "upstreamExpected" in c).length;
console.log(`${cases.length} condition cases (${differ} where ${gbVersion} differs from spec ${upstream.specVersion}), ${hashes.length} hash cases`);
