// Condition engine benchmark: GrowthBook's evalCondition (JavaScript) against
// beckon-core compiled to wasm, in the same Node process, over the shared
// workload (tests/vectors/bench-workload.json: 200 audiences, one user of
// ~50 attributes), plus the native engine (`beckon-rules bench`, run between
// the JavaScript batches so all three see the machine in the same states).
//
// A pass is what the SDK does when it re-checks every audience: hand the
// current attributes to the engine once (for wasm that is the JS→wasm
// crossing: JSON.stringify, TextEncoder.encodeInto into wasm memory, a lean
// read of the JSON in Rust — all counted here) and evaluate all 200
// audiences, getting one result per audience back. Audiences are compiled
// once, outside the timing, as the SDK does on boot. Both engines' answers
// are compared before timing.
//
// Builds nothing: first run
//   bash benches/build-rules-wasm.sh          (BECKON_CORE_OPT=3 also builds
//                                              target/rules-wasm-core-o3)
//   cargo build --release -p beckon-core --bin beckon-rules
// then
//   node benches/rules-bench.mjs [--passes N] [--wasm-dir target/rules-wasm-core-o3]
import { readFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PASSES = arg("--passes", 3000);
const wasmDirArg = process.argv.indexOf("--wasm-dir");
// Built output lives under CARGO_TARGET_DIR when it is set, as the build
// script puts it there.
const TARGET = resolve(root, process.env.CARGO_TARGET_DIR || "target");
const WASM_DIR = resolve(root, wasmDirArg > 0 ? process.argv[wasmDirArg + 1] : join(TARGET, "rules-wasm"));
const NATIVE_BIN = join(TARGET, "release/beckon-rules");

function need(path, how) {
  if (!existsSync(path.startsWith("/") ? path : join(root, path))) {
    console.error(`missing ${path}: ${how}`);
    process.exit(2);
  }
}
need("node_modules/@growthbook/growthbook/package.json", "run `npm ci`");
need(join(WASM_DIR, "beckon_rules_wasm.js"), "run `bash benches/build-rules-wasm.sh`");
need(NATIVE_BIN, "run `cargo build --release -p beckon-core --bin beckon-rules`");

const { evalCondition } = require("@growthbook/growthbook");
const gbVersion = require("@growthbook/growthbook/package.json").version;
const { Audiences, wasmMemory: memory } = require(join(WASM_DIR, "beckon_rules_wasm.js"));

const workloadPath = join(root, "tests/vectors/bench-workload.json");
const workload = JSON.parse(readFileSync(workloadPath, "utf8"));
const { audiences, attributes } = workload;
const savedGroups = {};

// --- the two engines, one pass each -------------------------------------
const gbResults = new Uint8Array(audiences.length);
function gbPass() {
  for (let i = 0; i < audiences.length; i++) gbResults[i] = evalCondition(attributes, audiences[i], savedGroups) ? 1 : 0;
  return gbResults;
}
const compiled = new Audiences(JSON.stringify(audiences), JSON.stringify(savedGroups));
// The crossing: JSON.stringify, then TextEncoder.encodeInto straight into a
// buffer in wasm memory (what the SDK's glue would do; wasm-bindgen's own
// string passing copies character by character in JavaScript first).
const encoder = new TextEncoder();
const wasmMemory = memory();
// The results come back as a view of wasm memory (one byte per audience),
// remade only when the memory or the results' place changes.
let resultsView = null;
function wasmPass() {
  const json = JSON.stringify(attributes);
  const capacity = json.length * 3;
  const ptr = compiled.inputBuffer(capacity);
  const { written } = encoder.encodeInto(json, new Uint8Array(wasmMemory.buffer, ptr, capacity));
  const at = compiled.evalInput(written);
  if (resultsView === null || resultsView.byteOffset !== at || resultsView.buffer !== wasmMemory.buffer) {
    resultsView = new Uint8Array(wasmMemory.buffer, at, audiences.length);
  }
  return resultsView;
}

// Same answers, or the timing means nothing.
const a = Array.from(gbPass());
const b = Array.from(wasmPass());
const differ = a.flatMap((x, i) => (x !== b[i] ? [i] : []));
if (differ.length) {
  console.error(`wasm and GrowthBook disagree on audiences ${differ.join(", ")}`);
  process.exit(1);
}
const matches = a.reduce((s, x) => s + x, 0);

// --- timing: alternate batches so both engines see the same machine ------
function timeBatch(fn, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / n;
}
// The machine is shared, so batches are disturbed unevenly, and GrowthBook's
// batches also differ by whether a garbage collection fell in them. Both the
// fastest batch (least disturbed) and the median are reported, with a ratio
// for each.
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const best = (xs) => Math.min(...xs);
const BATCH = 25;
for (let i = 0; i < 5; i++) {
  timeBatch(gbPass, BATCH);
  timeBatch(wasmPass, BATCH * 10);
}
const gbTimes = [];
const wasmTimes = [];
const nativeTimes = [];
const nativeJsonTimes = [];
// The native figure comes from `beckon-rules bench` runs spread between the
// JavaScript batches, so all three see the machine in the same states.
const ROUNDS = 20;
const perRound = Math.max(1, Math.round(PASSES / BATCH / ROUNDS));
let nativeMatches = null;
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < perRound; i++) {
    gbTimes.push(timeBatch(gbPass, BATCH));
    wasmTimes.push(timeBatch(wasmPass, BATCH));
  }
  const native = JSON.parse(
    execFileSync(NATIVE_BIN, ["bench", workloadPath, "250"], { encoding: "utf8" }),
  );
  nativeMatches = native.matches;
  nativeTimes.push(native.nsPerPass, native.nsPerPassMedian);
  nativeJsonTimes.push(native.nsPerPassWithParse, native.nsPerPassWithParseMedian);
}
const gbNs = best(gbTimes);
const wasmNs = best(wasmTimes);
if (nativeMatches !== matches) {
  console.error(`native matched ${nativeMatches} audiences, GrowthBook ${matches}`);
  process.exit(1);
}
const native = {
  nsPerPass: best(nativeTimes),
  nsPerPassMedian: median(nativeTimes),
  nsPerPassWithParse: best(nativeJsonTimes),
  nsPerPassWithParseMedian: median(nativeJsonTimes),
};

// --- size --------------------------------------------------------------------
function size(path) {
  const bytes = readFileSync(path.startsWith("/") ? path : join(root, path));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}
const full = size(join(WASM_DIR, "beckon_rules_wasm_bg.wasm"));
const base = existsSync(join(TARGET, "rules-wasm-baseline/beckon_rules_wasm_bg.wasm"))
  ? size(join(TARGET, "rules-wasm-baseline/beckon_rules_wasm_bg.wasm"))
  : null;

// --- report ------------------------------------------------------------------
const us = (ns) => (ns / 1000).toFixed(1).padStart(7) + " µs";
const x = (r) => r.toFixed(1).padStart(5) + "×";
const gbMed = median(gbTimes);
const wasmMed = median(wasmTimes);
const rows = [
  ["GrowthBook " + gbVersion + " evalCondition (JS)", gbNs, gbMed, null],
  ["beckon-core wasm (JSON in, bytes out)", wasmNs, wasmMed, 10],
  ["beckon-core native (attributes held)", native.nsPerPass, native.nsPerPassMedian, 30],
  ["beckon-core native (attributes as JSON text)", native.nsPerPassWithParse, native.nsPerPassWithParseMedian, null],
];
console.log(`workload: ${audiences.length} audiences, ${Object.keys(attributes).length} top-level attributes, ${matches} match; ${gbTimes.length} interleaved batches of ${BATCH} passes`);
console.log(`${"".padEnd(46)} ${"best batch".padStart(10)} ${"median".padStart(10)}   ${"ratio best".padStart(10)} ${"ratio median".padStart(12)}  goal`);
for (const [name, best, med, goal] of rows) {
  const rb = gbNs / best;
  const rm = gbMed / med;
  const verdict = goal == null ? "" : `≥${goal}×: ${rb >= goal ? "met" : "missed"} (best), ${rm >= goal ? "met" : "missed"} (median)`;
  console.log(`${name.padEnd(46)} ${us(best)} ${us(med)}   ${name.startsWith("GrowthBook") ? "".padStart(10) : x(rb).padStart(10)} ${name.startsWith("GrowthBook") ? "".padStart(12) : x(rm).padStart(12)}  ${verdict}`);
}
console.log(`wasm module: ${full.raw} B raw, ${full.gzip} B gzip` + (base ? `; the condition engine adds ${full.raw - base.raw} B raw, ${full.gzip - base.gzip} B gzip over the same module without it` : ""));
console.log(
  JSON.stringify({
    gb: { best: Math.round(gbNs), median: Math.round(gbMed) },
    wasm: { best: Math.round(wasmNs), median: Math.round(wasmMed) },
    native: { best: Math.round(native.nsPerPass), median: Math.round(native.nsPerPassMedian) },
    nativeJson: { best: Math.round(native.nsPerPassWithParse), median: Math.round(native.nsPerPassWithParseMedian) },
    wasmBytes: full,
    engineBytes: base ? { raw: full.raw - base.raw, gzip: full.gzip - base.gzip } : null,
  }),
);
