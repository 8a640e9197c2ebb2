#!/usr/bin/env bash
# `make bench-web`: first load and the cost of a page, against the release build. Seeds a
# company (50 Connected numbers through the simulator; an agent with 100 000 conversations)
# in a throwaway database, serves it, and prints one line per budget of the first-load issue:
# bytes and time in Chromium (first-load.mjs), the bundle's compressed size, and wrk's
# requests per second for the Channels page, the inbox and /login in the same run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
target="$(cd "$root" && realpath -m "${CARGO_TARGET_DIR:-target}")"
bin="$target/release/aurora"
site="$root/target/site"
accounts="${BENCH_ACCOUNTS:-50}"
conversations="${BENCH_CONVERSATIONS:-100000}"
duration="${BENCH_DURATION:-10s}"

data="$(mktemp -d /tmp/aurora-bench-web.XXXXXX)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$data"
}
trap cleanup EXIT

port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$data/aurora.db" RUST_LOG=warn
"$bin" bench-web-seed --accounts "$accounts" --conversations "$conversations" >"$data/seed.txt"
admin="$(sed -n 's/^admin_token=//p' "$data/seed.txt")"
agent="$(sed -n 's/^agent_token=//p' "$data/seed.txt")"

LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$site" AURORA_WHATSAPP=simulator \
  AURORA_MEDIA_DIR="$data/media" "$bin" >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -fs -o /dev/null "$base/login" && break
  sleep 0.2
done
# Every seeded number reconnects from its stored credentials on start-up.
for _ in $(seq 100); do
  live="$(curl -fs "$base/simulator/api/connections" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["open"]))' || echo 0)"
  [ "$live" -ge "$accounts" ] && break
  sleep 0.2
done

channels="$base/settings/company/channels/whatsapp-web"
inbox="$base/inbox"
# Each page must really be the signed-in page, not a redirect to /login.
check() {
  local url="$1" cookie="$2" expect="$3" body
  body="$(curl -fs -H "Cookie: aurora_session=$cookie" "$url")"
  grep -q "$expect" <<<"$body" || { echo "bench-web: $url did not show \"$expect\"" >&2; exit 1; }
}
check "$channels" "$admin" "Channel $accounts"
check "$inbox" "$agent" "Cliente"
check "$base/login" "" "password"

# wrk's figures for one URL: requests/s, then median and p99 latency.
load() {
  local url="$1" cookie="$2" out
  out="$(wrk -t2 -c16 -d"$duration" --latency -H "Cookie: aurora_session=$cookie" -H 'Accept-Encoding: br, gzip' "$url")"
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "bench-web: $url answered errors under load:" >&2
    echo "$out" >&2
    exit 1
  fi
  local rate p50 p99
  rate="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  echo "$rate $p50 $p99"
}

echo "== bench-web: $accounts connected numbers, $conversations conversations, release build ($(date -u +%FT%TZ))"

# The main part is what every page loads first; the lazy parts come when a page or dialog is
# first needed (the first-load lines below count what the Channels page really fetched).
wasm="$(ls "$site"/pkg/aurora.*.wasm | head -n 1)"
raw="$(stat -c %s "$wasm")"
gz="$(gzip -9 -c "$wasm" | wc -c)"
br="$(stat -c %s "$wasm.br" 2>/dev/null || echo '?')"
echo "release WASM, main part: $raw raw, $gz gzip -9 (budget 400 KB, goal 300 KB), $br brotli as served"
parts=("$site"/pkg/*.wasm)
parts_raw=0 parts_gz=0 parts_br=0
for part in "${parts[@]}"; do
  [ "$part" = "$wasm" ] && continue
  parts_raw=$((parts_raw + $(stat -c %s "$part")))
  parts_gz=$((parts_gz + $(gzip -9 -c "$part" | wc -c)))
  parts_br=$((parts_br + $(stat -c %s "$part.br")))
done
echo "release WASM, $((${#parts[@]} - 1)) lazy parts together: $parts_raw raw, $parts_gz gzip -9, $parts_br brotli as served"

read -r login_rate login_p50 login_p99 <<<"$(load "$base/login" "")"
read -r channels_rate channels_p50 channels_p99 <<<"$(load "$channels" "$admin")"
read -r inbox_rate inbox_p50 inbox_p99 <<<"$(load "$inbox" "$agent")"
share="$(awk -v a="$channels_rate" -v b="$login_rate" 'BEGIN {printf "%.0f", 100 * a / b}')"
echo "/login, wrk -t2 -c16 -d$duration: $login_rate req/s (p50 $login_p50, p99 $login_p99)"
echo "Channels page, $accounts accounts, signed in: $channels_rate req/s (p50 $channels_p50, p99 $channels_p99), $share % of /login (budget 5000 req/s and 40 %)"
echo "inbox first page, $conversations conversations: $inbox_rate req/s (p50 $inbox_p50, p99 $inbox_p99) (budget 3000 req/s)"

# Last: each measurement clicks Add, and the page must have exactly the seeded numbers for wrk.
(cd "$root/end2end" && node bench/first-load.mjs "$base" "$admin" "${BENCH_RUNS:-5}")
