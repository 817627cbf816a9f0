#!/usr/bin/env bash
# Installs what building and testing Beckon needs, skipping what is already
# there at the right version. `--browser` adds Chromium and ChromeDriver.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen = "=…"` pin in Cargo.toml
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The standard library's source: the SDK's release build compiles std for
# wasm with its size options (scripts/build-sdk.sh says why).
if [ ! -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  log "adding the rust-src component"
  rustup component add rust-src
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  # Not --locked: its lock file names a crate version this registry lacks.
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (compiles for about 10 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# npm packages: reinstall only when package-lock.json changed since the last install.
if [ ! -f node_modules/.beckon-lock ] || ! cmp -s package-lock.json node_modules/.beckon-lock; then
  log "installing npm packages"
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.beckon-lock
fi

# A real SMTP server on loopback for the server's email round-trip test.
if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
  log "installing aiosmtpd (Debian's python3-aiosmtpd) for the email tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-aiosmtpd >/dev/null
fi

if [ "${1:-}" = "--browser" ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    log "installing Chromium and ChromeDriver from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
