#!/usr/bin/env bash
# `npm run demo`: installs what is missing, builds the SDK and the server,
# and runs the server with the example product page at /.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-sdk.sh
cargo build --quiet --release -p beckon-server
export PORT="${PORT:-8080}" BECKON_DATA="${BECKON_DATA:-./data}"
# The admin key: the environment's, else the one the server keeps (or is
# about to create) in the data folder, so the inbox link below can carry it.
mkdir -p "$BECKON_DATA"
if [ -z "${BECKON_ADMIN_KEY:-}" ]; then
  if [ ! -s "$BECKON_DATA/admin-key" ]; then
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$BECKON_DATA/admin-key"
  fi
  export BECKON_ADMIN_KEY="$(cat "$BECKON_DATA/admin-key")"
fi
echo
echo "  Beckon demo: open http://127.0.0.1:${PORT}/  (Ctrl-C stops it)"
echo "  Agents' inbox: http://127.0.0.1:${PORT}/inbox/#key=${BECKON_ADMIN_KEY}"
echo "    (admin key: ${BECKON_ADMIN_KEY}; ask the messenger something the help articles do not"
echo "     cover, e.g. \"Can I change the currency on my invoices?\", and answer it here)"
echo
exec target/release/beckon-server
