#!/usr/bin/env bash
# Builds the browser SDK into dist/: the wasm module (size-optimised), its
# wasm-bindgen glue, the loader, each minified and precompressed (.gz, .br)
# so the server sends them without compressing per request.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown -p beckon
rm -rf dist && mkdir -p dist
wasm-bindgen --target web --no-typescript --out-dir dist --out-name beckon \
  target/wasm32-unknown-unknown/wasm-release/beckon.wasm
# The features rustc enables by default for wasm32 must be allowed here, or
# wasm-opt refuses the module.
node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  dist/beckon_bg.wasm -o dist/beckon_bg.wasm
node_modules/.bin/esbuild dist/beckon.js --minify --format=esm --log-level=warning --outfile=dist/beckon.min.js
mv dist/beckon.min.js dist/beckon.js
node_modules/.bin/esbuild js/loader.js --minify --log-level=warning --outfile=dist/loader.js
node scripts/precompress.mjs dist
