// Condition engine benchmark: GrowthBook's evalCondition (JavaScript) against
// beckon-core compiled to wasm, in the same Node process, over the shared
// workload (tests/vectors/bench-workload.json: 200 audiences of 3–8 leaves,
// one user of ~50 attributes), plus the native engine (`beckon-rules bench`).
//
// A pass is what the SDK does when it re-checks every audience. GrowthBook:
// evalCondition(attributes, audience) for each of the 200 audiences, into a
// Uint8Array. beckon-core in wasm: hand the current attributes over (the
// crossing, counted: benches/rules-pack.mjs writes the members the
// audiences read straight into wasm memory; the comparison row does
// JSON.stringify + TextEncoder.encodeInto instead), one call evaluates all
// 200, and the results are read in place as a Uint8Array over wasm memory.
// Audiences are compiled once, outside the timing, as the SDK does on boot.
// All engines' answers are compared before timing.
//
// The machine may be shared, so timing is interleaved: after a warm-up,
// each run alternates short batches of every engine (about 5 ms each, so
// all see the same disturbances), takes each engine's median batch, and
// divides; the native CLI runs five times per run, spread between the
// batches, and its median is taken. The figures reported are the median
// over runs (with the range); "best" is the fastest batch of all, for
// reference only.
//
//   npm run bench        (builds everything first), or, once built:
//   node benches/rules-bench.mjs [--runs 7] [--batches 40]
// Built output is read from $CARGO_TARGET_DIR (default target/):
//   bash benches/build-rules-wasm.sh
//   cargo build --release -p beckon-core --bin beckon-rules
import { readFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { packer } from "./rules-pack.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg("--runs", 7);
const BATCHES = arg("--batches", 40);
const TARGET = resolve(root, process.env.CARGO_TARGET_DIR || "target");
const WASM_DIR = join(TARGET, "rules-wasm");
const JSON_DIR = join(TARGET, "rules-wasm-json");
const BASE_DIR = join(TARGET, "rules-wasm-baseline");
const NATIVE_BIN = join(TARGET, "release/beckon-rules");

function need(path, how) {
  if (!existsSync(path)) {
    console.error(`missing ${path}: ${how}`);
    process.exit(2);
  }
}
need(join(root, "node_modules/@growthbook/growthbook/package.json"), "run `npm ci`");
need(join(WASM_DIR, "beckon_rules_wasm.js"), "run `bash benches/build-rules-wasm.sh`");
need(NATIVE_BIN, "run `cargo build --release -p beckon-core --bin beckon-rules`");

const { evalCondition } = require("@growthbook/growthbook");
const gbVersion = require("@growthbook/growthbook/package.json").version;
const workloadPath = join(root, "tests/vectors/bench-workload.json");
const { audiences, attributes } = JSON.parse(readFileSync(workloadPath, "utf8"));
const savedGroups = {};
const N = audiences.length;

// --- the engines, one pass each ------------------------------------------
const gbResults = new Uint8Array(N);
function gbPass() {
  for (let i = 0; i < N; i++) gbResults[i] = evalCondition(attributes, audiences[i], savedGroups) ? 1 : 0;
  return gbResults;
}

/** Loads a build of benches/rules-wasm and compiles the audiences. */
function load(dir) {
  const { Audiences, wasmMemory } = require(join(dir, "beckon_rules_wasm.js"));
  const memory = wasmMemory();
  const set = new Audiences(JSON.stringify(audiences), JSON.stringify(savedGroups));
  let view = null;
  // The results as a Uint8Array over wasm memory, remade only when the
  // memory or their place changes.
  const results = (at) => {
    if (view === null || view.byteOffset !== at || view.buffer !== memory.buffer) view = new Uint8Array(memory.buffer, at, N);
    return view;
  };
  return { set, memory, results };
}

const packed = load(WASM_DIR);
const pack = packer(packed.set, packed.memory, JSON.parse(packed.set.attributeNames()));
function packedPass() {
  const [words, bytes] = pack(attributes);
  return packed.results(packed.set.evalPacked(words, bytes));
}

const json = existsSync(join(JSON_DIR, "beckon_rules_wasm.js")) ? load(JSON_DIR) : null;
const encoder = new TextEncoder();
function jsonPass() {
  const text = JSON.stringify(attributes);
  const room = text.length * 3;
  const at = json.set.inputBuffer(room);
  const { written } = encoder.encodeInto(text, new Uint8Array(json.memory.buffer, at, room));
  return json.results(json.set.evalInput(written));
}

function native() {
  return JSON.parse(execFileSync(NATIVE_BIN, ["bench", workloadPath, "1000"], { encoding: "utf8" }));
}

// --- same answers, or the timing means nothing ---------------------------
const expected = Array.from(gbPass());
const matches = expected.reduce((s, x) => s + x, 0);
for (const [name, pass] of [["packed wasm", packedPass], ["JSON wasm", json && jsonPass]]) {
  if (!pass) continue;
  const got = Array.from(pass());
  const differ = got.flatMap((x, i) => (x !== expected[i] ? [i] : []));
  if (differ.length) {
    console.error(`${name} and GrowthBook disagree on audiences ${differ.join(", ")}`);
    process.exit(1);
  }
}
if (native().matches !== matches) {
  console.error("the native engine and GrowthBook disagree on how many audiences match");
  process.exit(1);
}

// --- timing ---------------------------------------------------------------
function timeBatch(fn, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / n;
}
const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
// Passes per batch so each batch takes about 5 ms.
const perBatch = (fn) => Math.max(1, Math.round(5e6 / timeBatch(fn, 20)));
const engines = [
  { name: `GrowthBook ${gbVersion} evalCondition (JS)`, key: "gb", fn: gbPass },
  { name: "beckon-core wasm, packed crossing", key: "wasm", fn: packedPass, goal: 10 },
  ...(json ? [{ name: "beckon-core wasm, JSON-text crossing", key: "wasmJson", fn: jsonPass }] : []),
];
// Warm up (the JIT compiles and re-optimises both sides for a while),
// then size the batches.
for (const t0 = Date.now(); Date.now() - t0 < 1500; ) for (const e of engines) timeBatch(e.fn, e.key === "gb" ? 5 : 50);
for (const e of engines) e.batch = perBatch(e.fn);
const runs = [];
const best = {};
// Each run is cut into segments, with one native measurement after each,
// so the native figure sees the same stretch of time as the batches.
const SEGMENTS = 5;
for (let r = 0; r < RUNS; r++) {
  const samples = Object.fromEntries(engines.map((e) => [e.key, []]));
  const natives = [];
  for (let seg = 0; seg < SEGMENTS; seg++) {
    for (let b = 0; b < Math.ceil(BATCHES / SEGMENTS); b++) {
      for (const e of engines) samples[e.key].push(timeBatch(e.fn, e.batch));
    }
    natives.push(native());
  }
  const run = Object.fromEntries(engines.map((e) => [e.key, median(samples[e.key])]));
  run.native = median(natives.map((n) => n.nsPerPassMedian));
  run.nativeJson = median(natives.map((n) => n.nsPerPassWithParseMedian));
  runs.push(run);
  for (const e of engines) best[e.key] = Math.min(best[e.key] ?? Infinity, ...samples[e.key]);
  best.native = Math.min(best.native ?? Infinity, ...natives.map((n) => n.nsPerPass));
  best.nativeJson = Math.min(best.nativeJson ?? Infinity, ...natives.map((n) => n.nsPerPassWithParse));
}

// --- size -----------------------------------------------------------------
function size(path) {
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}
const wasmFile = (dir) => join(dir, "beckon_rules_wasm_bg.wasm");
const full = size(wasmFile(WASM_DIR));
const base = size(wasmFile(BASE_DIR));
const withJson = size(wasmFile(JSON_DIR));
let packerJs = null;
try {
  const { transformSync } = require("esbuild");
  const min = transformSync(readFileSync(join(root, "benches/rules-pack.mjs"), "utf8"), { minify: true, format: "esm" }).code;
  packerJs = { raw: min.length, gzip: gzipSync(min, { level: 9 }).length };
} catch {
  // esbuild missing: the packer's size is left out.
}

// --- report ---------------------------------------------------------------
const rows = [
  ...engines.map((e) => ({ name: e.name, key: e.key, goal: e.goal })),
  { name: "beckon-core native, attributes held", key: "native", goal: 30 },
  { name: "beckon-core native, attributes as JSON text", key: "nativeJson" },
];
const us = (ns) => (ns / 1000).toFixed(1).padStart(7) + " µs";
const x = (r) => (r.toFixed(1) + "×").padStart(7);
console.log(`workload: ${N} audiences, ${Object.keys(attributes).length} top-level attributes, ${matches} match`);
console.log(`${RUNS} runs × ${BATCHES} interleaved batches per engine; per run: each engine's median batch, and GrowthBook's divided by it`);
console.log(`${"".padEnd(46)} ${"median".padStart(10)} ${"best".padStart(10)}   ${"ratio".padStart(7)} ${"range".padStart(15)}  goal`);
const summary = {};
for (const row of rows) {
  const perRun = runs.map((r) => r[row.key]);
  const ratios = runs.map((r) => r.gb / r[row.key]);
  const m = median(perRun);
  const ratio = median(ratios);
  summary[row.key] = { medianNs: Math.round(m), bestNs: Math.round(best[row.key]), ratio: +ratio.toFixed(2), ratios: ratios.map((v) => +v.toFixed(2)) };
  const isGb = row.key === "gb";
  const range = isGb ? "" : `${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)}×`;
  const verdict = row.goal == null ? "" : `≥${row.goal}×: ${ratio >= row.goal ? "met" : "MISSED"}${Math.min(...ratios) >= row.goal ? " in every run" : ""}`;
  console.log(`${row.name.padEnd(46)} ${us(m)} ${us(best[row.key])}   ${isGb ? "".padStart(7) : x(ratio)} ${range.padStart(15)}  ${verdict}`);
}
console.log(`per-run ratios, wasm packed: ${summary.wasm.ratios.map((v) => v.toFixed(1)).join(" ")}; native held: ${summary.native.ratios.map((v) => v.toFixed(1)).join(" ")}`);
const kb = (s) => `${s.raw} B raw, ${s.gzip} B gzip`;
const adds = (s) => ({ raw: s.raw - base.raw, gzip: s.gzip - base.gzip });
if (base) {
  console.log(`wasm module ${kb(full)}; beckon-core adds ${kb(adds(full))} over the same module without it` + (withJson ? ` (${kb(adds(withJson))} with the JSON-text crossing too)` : ""));
} else console.log(`wasm module ${kb(full)} (build the baseline to see what beckon-core adds)`);
if (packerJs) console.log(`the packer (benches/rules-pack.mjs) is ${kb(packerJs)} of JavaScript, minified`);
console.log(
  JSON.stringify({
    runs: RUNS,
    ...summary,
    wasmBytes: full,
    coreAdds: base ? adds(full) : null,
    coreAddsWithJson: base && withJson ? adds(withJson) : null,
    packerJs,
  }),
);
