#!/usr/bin/env bash
# Preview latency: on the synthetic 10,000-page site, the time from saving one
# page (and one template) to the reload signal of `grove serve`. The page edit
# is measured three ways: keeping its word count, adding words (the word count
# changes, but no bench template shows it in listings: only the page is
# rendered again), changing its summary, which the section page and the
# page's tag pages show: they are rendered again too, and changing its title
# (also shown by its neighbours). The whole run is done
# twice: with the 10,000 posts on one section page (as in scripts/bench.sh),
# and with the section paginated by 20, as a real site would be. Last, on a
# network of 100 sites, an edit of a blueprint section that every site shows.
#
#   scripts/bench-serve.sh [RUNS]      (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
cargo build --release --quiet
cargo build --release --quiet --example gen_network
OUT=${BENCH_OUTPUT:-/dev/shm}/grove-serve-bench
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER; rm -rf "$OUT"' EXIT

measure() {
  local label=$1; shift
  ./target/release/examples/gen_network --sites 1 --pages 10000 --out bench-out/serve "$@" >/dev/null
  rm -rf "$OUT"
  ./target/release/grove --root bench-out/serve/grove serve --port 0 --output "$OUT" > bench-out/serve.log 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do grep -q "http://" bench-out/serve.log && break; sleep 0.2; done
  sleep 1
  local port page
  port=$(grep -o 'http://127.0.0.1:[0-9]*' bench-out/serve.log | head -1 | cut -d: -f3)
  page=bench-out/serve/grove/sites/site-000/content/posts/p5.md
  echo "$label"
  echo "  one page, same word count: $(python3 scripts/serve_latency.py "$port" "$page" "$RUNS")"
  echo "  one page, more words:      $(python3 scripts/serve_latency.py "$port" "$page" "$RUNS" grow)"
  echo "  one page, new summary:     $(python3 scripts/serve_latency.py "$port" "$page" "$RUNS" summary)"
  echo "  one page, new title:       $(python3 scripts/serve_latency.py "$port" "$page" "$RUNS" title)"
  echo "  one template (page.html):  $(python3 scripts/serve_latency.py "$port" bench-out/serve/grove/themes/bench/templates/page.html "$RUNS")"
  echo "  one template (tag pages):  $(python3 scripts/serve_latency.py "$port" bench-out/serve/grove/themes/bench/templates/taxonomy_single.html "$RUNS")"
  echo "  full build at start: $(grep -o 'in [0-9]* ms' bench-out/serve.log | head -1); memory after the edits: $(ps -o rss= -p $SERVER | awk '{printf "%d MB", $1/1024}')"
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=
}

measure "10,000 posts on one section page:"
measure "10,000 posts, 20 per section page:" --paginate 20

# A network: 100 sites x 100 pages; a blueprint section's introduction is
# edited, which every site renders again (timed on the first site's stream).
./target/release/examples/gen_network --sites 100 --pages 100 --out bench-out/serve >/dev/null
rm -rf "$OUT"
./target/release/grove --root bench-out/serve/grove serve --port 0 --output "$OUT" > bench-out/serve.log 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do grep -q "Building into" bench-out/serve.log && break; sleep 0.2; done
sleep 1
port=$(grep 'site-000 ' bench-out/serve.log | grep -o 'http://127.0.0.1:[0-9]*' | cut -d: -f3)
echo "100 sites x 100 posts:"
echo "  blueprint section intro:   $(python3 scripts/serve_latency.py "$port" bench-out/serve/grove/content/posts/_index.md "$RUNS")"
echo "  full build at start: $(grep -o 'in [0-9]* ms' bench-out/serve.log | head -1)"
