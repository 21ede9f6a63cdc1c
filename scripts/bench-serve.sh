#!/usr/bin/env bash
# Preview latency: on the synthetic 10,000-page site, the time from saving one
# page (and one template) to the reload signal of `grove serve`. The page edit
# is measured twice: keeping its word count (only the page changes), and
# adding words (its listing data changes, so the 10,000-entry section page
# and its tag pages are rendered again too).
#
#   scripts/bench-serve.sh [RUNS]      (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
cargo build --release --quiet
cargo build --release --quiet --example gen_network
./target/release/examples/gen_network --sites 1 --pages 10000 --out bench-out/serve >/dev/null
OUT=${BENCH_OUTPUT:-/dev/shm}/grove-serve-bench
rm -rf "$OUT"
./target/release/grove --root bench-out/serve/grove serve --port 0 --output "$OUT" > bench-out/serve.log 2>&1 &
SERVER=$!
trap 'kill $SERVER; rm -rf "$OUT"' EXIT
for _ in $(seq 1 100); do grep -q "http://" bench-out/serve.log && break; sleep 0.2; done
sleep 1
PORT=$(grep -o 'http://127.0.0.1:[0-9]*' bench-out/serve.log | head -1 | cut -d: -f3)
PAGE=bench-out/serve/grove/sites/site-000/content/posts/p5.md
echo "one page, same word count: $(python3 scripts/serve_latency.py "$PORT" "$PAGE" "$RUNS")"
echo "one page, more words:      $(python3 scripts/serve_latency.py "$PORT" "$PAGE" "$RUNS" grow)"
echo "one template:              $(python3 scripts/serve_latency.py "$PORT" bench-out/serve/grove/themes/bench/templates/page.html "$RUNS")"
