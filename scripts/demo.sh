#!/usr/bin/env bash
# `npm run demo`: installs what is missing, builds the SDK and the server,
# and runs the server with the example product page at /.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-sdk.sh
cargo build --quiet --release -p beckon-server
export PORT="${PORT:-8080}" BECKON_DATA="${BECKON_DATA:-./data}"
echo
echo "  Beckon demo: open http://127.0.0.1:${PORT}/  (Ctrl-C stops it)"
echo
exec target/release/beckon-server
