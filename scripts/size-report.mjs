// Prints raw, gzip and brotli sizes of everything a page downloads for the
// SDK (the loader, which carries the glue, and the wasm) and the total
// against the 60 KB gzip budget. The npm package's separate glue is the
// same code as the loader's, so it is not counted twice.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const BUDGET_GZIP = 60 * 1024;
const files = ['loader.js', 'beckon_bg.wasm'];
// The same directory the build wrote to (scripts/build-sdk.sh honours it too).
const dir = process.env.BECKON_SDK_DIR || 'dist';
const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KB';
let total = { raw: 0, gzip: 0, br: 0 };
console.log('file'.padEnd(18) + 'raw'.padStart(10) + 'gzip'.padStart(10) + 'brotli'.padStart(10));
for (const name of files) {
  const raw = readFileSync(`${dir}/${name}`);
  const sizes = {
    raw: raw.length,
    gzip: gzipSync(raw, { level: 9 }).length,
    br: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  for (const k of Object.keys(total)) total[k] += sizes[k];
  console.log(name.padEnd(18) + kb(sizes.raw) + kb(sizes.gzip) + kb(sizes.br));
}
console.log('total'.padEnd(18) + kb(total.raw) + kb(total.gzip) + kb(total.br));
const pct = ((100 * total.gzip) / BUDGET_GZIP).toFixed(0);
console.log(`budget: ${kb(total.gzip).trim()} of 60 KB gzip (${pct}%)`);
