#!/usr/bin/env bash
# Builds the browser SDK into dist/: the wasm module (size-optimised), its
# wasm-bindgen glue, the loader, each minified and precompressed (.gz, .br)
# so the server sends them without compressing per request.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# Both can be moved, so several builds (or engineers) on one machine do not
# overwrite each other: CARGO_TARGET_DIR for cargo's output, BECKON_SDK_DIR
# for the built SDK (the server reads the same variable).
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
OUT="${BECKON_SDK_DIR:-dist}"

# The standard library is compiled with the SDK, for size (about 13 KB gzip
# of the module): a panic aborts at once, without formatting a message
# nobody reads (`immediate-abort`), panics carry no source locations, and
# std picks its smaller implementations (`optimize_for_size`). These are
# unstable options, accepted by this stable toolchain through
# RUSTC_BOOTSTRAP for this one build only; a toolchain that changes them
# fails here loudly. Without the std sources (`rustup component add
# rust-src`, done by scripts/setup.sh) the prebuilt std is used instead.
if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  RUSTC_BOOTSTRAP=1 \
  CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
  CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
    cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown -p beckon
else
  echo "build-sdk: no rust-src component, so std is prebuilt (about 13 KB gzip larger); scripts/setup.sh adds it" >&2
  cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown -p beckon
fi
# The module is served under its content hash (beckon_bg.<hash>.wasm), and
# the modules of the last few builds stay: a browser may still run a loader
# cached from before this build (five minutes, then stale-while-revalidate),
# and that loader asks for its own module by name. Everything else is new.
KEEP="$(mktemp -d)"
if [ -d "$OUT" ]; then
  for old in $(ls -t "$OUT"/beckon_bg.*.wasm 2>/dev/null | head -n 5); do
    mv "$old" "$old".gz "$old".br "$KEEP"/ 2>/dev/null || true
  done
fi
rm -rf "$OUT" && mkdir -p "$OUT"
wasm-bindgen --target web --no-typescript --out-dir "$OUT" --out-name beckon \
  "$TARGET_DIR/wasm32-unknown-unknown/wasm-release/beckon.wasm"
# The features rustc enables by default for wasm32 must be allowed here, or
# wasm-opt refuses the module. `--converge` repeats -Oz until it stops
# shrinking (about 1.3 KB gzip; a few seconds). WASM_OPT_EXTRA adds options
# for experiments (more inlining, `-aimfs 16`, ran 30% fewer functions on a
# first visit but cost 10 KB gzip and barely moved their compile time).
node_modules/.bin/wasm-opt -Oz ${WASM_OPT_EXTRA:-} --converge --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$OUT"/beckon_bg.wasm -o "$OUT"/beckon_bg.wasm
node_modules/.bin/esbuild "$OUT"/beckon.js --minify --format=esm --log-level=warning --outfile="$OUT"/beckon.min.js
mv "$OUT"/beckon.min.js "$OUT"/beckon.js
# wasm-bindgen's import names carry 16-digit hashes, written in the wasm and
# in the glue: short names instead (about 6 KB gzip).
node scripts/short-imports.mjs "$OUT"
# Consecutive indices for the exported functions, so V8's small-integer
# string cache does not grow by 64 KB when it names them (the script says why).
node scripts/export-trampolines.mjs "$OUT"
# The loader carries the glue (one request less on a first visit) and the
# module's content hash, so it always asks for the module its glue was made
# for (js/loader.js says why); the server caches that name for a year. The glue's own default path for the module
# (import.meta.url) is never used: the loader passes the module.
WASM_VERSION="$(sha256sum "$OUT/beckon_bg.wasm" | cut -c1-16)"
GLUE="$OUT/beckon.js"
case "$GLUE" in /*) ;; *) GLUE="./$GLUE" ;; esac
node_modules/.bin/esbuild js/loader.js --bundle --format=iife --minify --log-level=warning \
  --alias:beckon-glue="$GLUE" --define:WASM_VERSION="\"$WASM_VERSION\"" \
  --define:import.meta.url=undefined --outfile="$OUT"/loader.js
node scripts/precompress.mjs "$OUT"
for ext in "" .gz .br; do
  cp "$OUT/beckon_bg.wasm$ext" "$OUT/beckon_bg.$WASM_VERSION.wasm$ext"
done
cp -n "$KEEP"/* "$OUT"/ 2>/dev/null || true
rm -rf "$KEEP"
# The npm package: the same glue and module beside an ESM entry and types.
mkdir -p "$OUT/npm"
cp js/npm/index.mjs js/npm/index.d.ts js/npm/package.json js/zones.mjs "$OUT/npm/"
cp "$OUT/beckon.js" "$OUT/beckon_bg.wasm" "$OUT/npm/"
