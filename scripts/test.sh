#!/usr/bin/env bash
# `npm test`: every test of the project, from a fresh machine.
#   1. installs what is missing (scripts/setup.sh --browser)
#   2. format and lint gates (cargo fmt, clippy -D warnings, native and wasm)
#   3. native tests of core/ and server/ (cargo test), the server's again on
#      Postgres (scripts/postgres.sh installs and starts a private one)
#   4. SDK tests in headless Chromium (wasm-bindgen-test)
#   5. end-to-end tests: the real server + Chromium via playwright-core
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
start=$(date +%s)
step() { printf '\n\033[1m== %s\033[0m (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

step "setup"
bash scripts/setup.sh --browser

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (native workspace, and the SDK for wasm32)"
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo clippy --quiet -p beckon --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests: core and server (server on SQLite)"
cargo test --quiet -p beckon-core -p beckon-server

step "server tests on Postgres (a private cluster on 127.0.0.1, scripts/postgres.sh)"
eval "$(bash scripts/postgres.sh start)"
BECKON_TEST_POSTGRES="$BECKON_TEST_POSTGRES" cargo test --quiet -p beckon-server

step "SDK tests in headless Chromium (wasm-bindgen-test)"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p beckon

step "build the SDK and the server for the end-to-end tests"
bash scripts/build-sdk.sh
cargo build --quiet -p beckon-server

step "TypeScript types of the npm package (tsc --noEmit)"
node_modules/.bin/tsc -p tests/types

step "end-to-end tests (playwright-core + /usr/bin/chromium + real server)"
node --test --test-concurrency=1 tests/e2e/

step "all tests passed"
