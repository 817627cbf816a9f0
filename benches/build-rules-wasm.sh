#!/usr/bin/env bash
# Builds benches/rules-wasm (beckon-core's condition engine alone) for
# benches/rules-bench.mjs: cargo with the SDK's size profile, wasm-bindgen
# for Node, then wasm-opt from node_modules/binaryen with the SDK's flags.
# Output, under $CARGO_TARGET_DIR (or target):
#   rules-wasm/           the module measured: the packed crossing only, what
#                         an SDK would ship
#   rules-wasm-baseline/  the same module without the engine, so the size
#                         report can say what the engine adds
#   rules-wasm-json/      with the JSON-text crossing too, for the
#                         benchmark's comparison row
# and with BECKON_CORE_OPT=N, rules-wasm-core-oN/: beckon-core at opt-level
# N while everything else stays at the SDK's "z".
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
T="${CARGO_TARGET_DIR:-target}"

wasm_opt=node_modules/binaryen/bin/wasm-opt
[ -x "$wasm_opt" ] || echo "note: $wasm_opt not found (npm ci); the modules are not size-optimised" >&2

# build <out dir> [cargo args…]
build() {
  local out=$1
  shift
  cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown -p beckon-rules-wasm "$@"
  rm -rf "$out"
  wasm-bindgen --target nodejs --out-dir "$out" "$T"/wasm32-unknown-unknown/wasm-release/beckon_rules_wasm.wasm
  # The repo's package.json says "type": "module"; this glue is CommonJS.
  echo '{"type": "commonjs"}' >"$out/package.json"
  if [ -x "$wasm_opt" ]; then
    # The same flags as the SDK build (scripts/build-sdk.sh).
    "$wasm_opt" -Oz --strip-debug --strip-producers \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$out/beckon_rules_wasm_bg.wasm" -o "$out/beckon_rules_wasm_bg.wasm"
  fi
}

build "$T"/rules-wasm-baseline --features baseline
build "$T"/rules-wasm-json --features json-crossing
if [ -n "${BECKON_CORE_OPT:-}" ]; then
  build "$T/rules-wasm-core-o$BECKON_CORE_OPT" --config "profile.wasm-release.package.beckon-core.opt-level=$BECKON_CORE_OPT"
fi
# Last, so $T/wasm32-unknown-unknown holds the module as measured.
build "$T"/rules-wasm
ls -l "$T"/rules-wasm*/*.wasm
