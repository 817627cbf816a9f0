#!/usr/bin/env bash
# `npm run bench:server`: load benchmark of beckon-server on loopback, on
# SQLite and on Postgres, with Debian's wrk (Lua scripts make every event id
# unique, so no batch is a cheap duplicate).
#
#   boot:   200 concurrent clients, 10,000 distinct users (each first boot
#           writes the user, later ones only read), POST /v1/boot, twice:
#           paced   — each client boots every BENCH_BOOT_GAP_MS (default 50 ms,
#                     ~4,000 boots/s offered): p50 / p99 latency as users see it
#           flat out — closed loop, no pause: the most boots/s the box serves
#                     (latency there is 200 / throughput by Little's law)
#   events: 64 concurrent connections, batches of 50 new events
#           POST /v1/events → events stored per second (only 200s counted)
#
# Boot runs follow a 6 s flat-out warm-up that boots every user once; the
# events run a 3 s one. Then BENCH_SECONDS (default 10) measured each. Goals on
# the 2-core machine: >= 50,000 events/s and boot p99 <= 10 ms on SQLite.
# BENCH_BACKENDS="sqlite postgres" (default) picks the databases.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds="${BENCH_SECONDS:-10}"
backends="${BENCH_BACKENDS:-sqlite postgres}"
key="bench-admin-key"

if ! command -v wrk >/dev/null; then
  echo "installing Debian's wrk (apt-get)…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }
fi
cargo build --quiet --release -p beckon-server
bin="target/release/beckon-server"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/report.lua" <<'LUA'
-- Shared by both scripts: one machine-readable line at the end.
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
            + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_us=%d p99_us=%d max_us=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    latency.max, bad))
end
LUA

cat >"$work/boot.lua" <<'LUA'
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
math.randomseed(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local user = math.random(1, 10000)
  local body = '{"app_id":"demo","user":{"user_id":"user-' .. user ..
    '","attributes":{"plan":"pro","seats":' .. (user % 50) .. '}},"page":{"url":"http://bench.local/"}}'
  return wrk.format(nil, "/v1/boot", nil, body)
end
LUA

cat >"$work/boot_paced.lua" <<'LUA'
dofile(os.getenv("BENCH_DIR") .. "/boot.lua")
local gap = tonumber(os.getenv("BENCH_BOOT_GAP_MS") or "50")
delay = function()
  return gap
end
LUA

cat >"$work/events.lua" <<'LUA'
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local counter = 0
local prefix = ""
setup = function(thread)
  thread:set("prefix", tostring(math.random(1, 1e9)) .. "-" .. tostring(thread))
end
init = function(args)
  prefix = prefix .. "-" .. tostring(math.random(1, 1e9))
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local parts = {}
  for i = 1, 50 do
    parts[i] = '{"id":"' .. prefix .. '-' .. counter .. '-' .. i ..
      '","name":"page.viewed","ts":1700000000000,"data":{"path":"/dashboard"}}'
  end
  local body = '{"app_id":"demo","user":{"user_id":"bench-' .. (counter % 500) ..
    '"},"events":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format(nil, "/v1/events", nil, body)
end
LUA

start_server() { # $1 = DATABASE_URL or ""
  rm -rf "$work/data" && mkdir -p "$work/data"
  DATABASE_URL="$1" PORT=0 BECKON_DATA="$work/data" BECKON_ADMIN_KEY="$key" RUST_LOG=error \
    "$bin" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 1 100); do
    url="$(grep -o 'http://[^ ]*' "$work/server.out" 2>/dev/null | head -1 || true)"
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$work/server.err" >&2; exit 1; }
  url="${url%/}"
  # The benchmark measures the server, not its rate limits.
  curl -sf -X PATCH "$url/admin/v1/apps/demo" -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' \
    -d '{"settings":{"rate_limits":{"app_per_second":0,"user_per_second":0,"burst":0}}}' >/dev/null
  sleep 2.2 # the app cache's TTL, so no process holds the old limits
}

stop_server() {
  kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

run() { # $1 script, $2 connections, $3 seconds → RESULT line
  BENCH_DIR="$work" wrk -t2 -c"$2" -d"$3"s --timeout 10s -s "$work/$1.lua" "$url" | grep '^RESULT'
}

field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"$1"; }

summary=()
for backend in $backends; do
  db_url=""
  if [ "$backend" = postgres ]; then
    # A cluster of its own with Postgres's durable defaults (fsync and
    # synchronous commit on), unlike the tests' fast one.
    export BECKON_PG_DIR=/tmp/beckon-pg-bench BECKON_PG_PORT=55433 BECKON_PG_DURABLE=1
    bash scripts/postgres.sh stop >/dev/null 2>&1 || true
    eval "$(bash scripts/postgres.sh start)"
    base="${BECKON_TEST_POSTGRES%/*}"
    psql "$BECKON_TEST_POSTGRES" -qc "DROP DATABASE IF EXISTS beckon_bench" >/dev/null 2>&1 || true
    psql "$BECKON_TEST_POSTGRES" -qc "CREATE DATABASE beckon_bench" >/dev/null
    db_url="$base/beckon_bench"
  fi
  echo "== $backend"
  start_server "$db_url"
  # Warm-up: boots every user once (their first boot writes the record), so
  # the measured runs see returning users, as most boots are.
  run boot 200 6 >/dev/null
  paced="$(run boot_paced 200 "$seconds")"
  boot="$(run boot 200 "$seconds")"
  run events 64 3 >/dev/null
  events="$(run events 64 "$seconds")"
  stop_server
  [ "$backend" = postgres ] && bash scripts/postgres.sh stop >/dev/null 2>&1
  boots_s=$(awk -v r="$(field "$boot" requests)" -v s="$(field "$boot" seconds)" 'BEGIN{printf "%.0f", r/s}')
  p50=$(awk -v u="$(field "$boot" p50_us)" 'BEGIN{printf "%.2f", u/1000}')
  p99=$(awk -v u="$(field "$boot" p99_us)" 'BEGIN{printf "%.2f", u/1000}')
  ev_s=$(awk -v r="$(field "$events" requests)" -v e="$(field "$events" errors)" -v s="$(field "$events" seconds)" \
    'BEGIN{printf "%.0f", (r-e)*50/s}')
  ev_p99=$(awk -v u="$(field "$events" p99_us)" 'BEGIN{printf "%.2f", u/1000}')
  paced_s=$(awk -v r="$(field "$paced" requests)" -v s="$(field "$paced" seconds)" 'BEGIN{printf "%.0f", r/s}')
  paced_p50=$(awk -v u="$(field "$paced" p50_us)" 'BEGIN{printf "%.2f", u/1000}')
  paced_p99=$(awk -v u="$(field "$paced" p99_us)" 'BEGIN{printf "%.2f", u/1000}')
  line="$(printf '%-9s boot paced p50 %5s ms p99 %5s ms (%s/s) | flat out p50 %5s ms p99 %6s ms (%s/s) | events %6s/s (batch p99 %s ms) | errors %s/%s/%s' \
    "$backend" "$paced_p50" "$paced_p99" "$paced_s" "$p50" "$p99" "$boots_s" "$ev_s" "$ev_p99" \
    "$(field "$paced" errors)" "$(field "$boot" errors)" "$(field "$events" errors)")"
  echo "$line"
  summary+=("$line")
done

echo
echo "beckon-server load benchmark ($(nproc) cores shared with wrk -t2; boot: 200 clients, paced every ${BENCH_BOOT_GAP_MS:-50} ms and flat out; events: 64 connections x batches of 50; ${seconds} s each)"
printf '%s\n' "${summary[@]}"
