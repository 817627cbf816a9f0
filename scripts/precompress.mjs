// Writes .gz and .br twins of every .js and .wasm file in a folder, at the
// highest levels: done once at build time, served as they are.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const dir = process.argv[2] ?? 'dist';
for (const name of readdirSync(dir)) {
  if (!/\.(js|wasm)$/.test(name)) continue;
  const raw = readFileSync(join(dir, name));
  writeFileSync(join(dir, `${name}.gz`), gzipSync(raw, { level: 9 }));
  writeFileSync(
    join(dir, `${name}.br`),
    brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
}
