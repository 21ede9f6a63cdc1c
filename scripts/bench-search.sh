#!/usr/bin/env bash
# Search benchmark: `grove seo import` of a year of daily page x query
# rows, `grove report` on them, and `grove links` on a large network.
#
#   scripts/bench-search.sh [RUNS]        (default 3)
#
# - 50 sites x 100 pages x 11 queries x 365 days = 20,075,000 rows of
#   Search Analytics API responses (examples/gen_search.rs, 803 files of
#   25,000 rows, 3 GB of JSON), imported as a folder into an empty
#   database each run.
# - `grove report --json` on them: the default 30 days, and a whole year.
# - `grove links --json` on 100 sites x 1,000 pages of ~600 words
#   (examples/gen_network.rs), with `grove build` on the same network for
#   scale.
# Prints median wall time and median peak RSS (from /usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}

if [ ! -x /usr/bin/time ]; then
  echo "installing time from Debian packages" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >/dev/null
fi

cargo build --release --quiet
cargo build --release --quiet --example gen_network --example gen_search
GROVE=$PWD/target/release/grove
EXAMPLES=$PWD/target/release/examples
OUT=$PWD/bench-out/search
mkdir -p "$OUT"

measure() { # label, command...: appends "seconds kilobytes" to $OUT/<label>.times
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/$label.last" "$@" >/dev/null 2>"$OUT/$label.err" || {
    cat "$OUT/$label.err" >&2; exit 1; }
  cat "$OUT/$label.last" >> "$OUT/$label.times"
}
row() { # label, description, rows (optional: prints rows per second)
  python3 - "$OUT/$1.times" "$2" "${3:-0}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
t = statistics.median(float(r[0]) for r in rows)
m = statistics.median(int(r[1]) for r in rows) / 1024
n = int(sys.argv[3])
rate = f" | {n / t / 1e6:.2f} M rows/s" if n else ""
print(f"| {sys.argv[2]} | {t:.2f} s | {m:.0f} MB{rate} |")
PY
}

rm -f "$OUT"/*.times
"$EXAMPLES/gen_network" --sites 50 --pages 100 --no-hugo --out "$OUT/net" >/dev/null
"$EXAMPLES/gen_search" --sites 50 --days 365 --pages 100 --queries 11 --out "$OUT/responses"
NET=$OUT/net/grove
for _ in $(seq "$RUNS"); do
  rm -rf "$NET/.grove"
  measure import "$GROVE" --root "$NET" seo import "$OUT/responses"
done
for _ in $(seq "$RUNS"); do
  measure report-30 "$GROVE" --root "$NET" report --json
  measure report-365 "$GROVE" --root "$NET" report --json --since 2025-11-01 --until 2026-10-31
done

"$EXAMPLES/gen_network" --sites 100 --pages 1000 --no-hugo --out "$OUT/links" >/dev/null
for _ in $(seq "$RUNS"); do
  measure links "$GROVE" --root "$OUT/links/grove" links --json
  measure build "$GROVE" --root "$OUT/links/grove" build
done

echo "| what | median time | median peak memory | rate |"
echo "|---|---|---|---|"
row import "seo import: 20,075,000 rows (50 sites, 365 days)" 20075000
row report-30 "report --json, 30 days"
row report-365 "report --json, 365 days"
row links "links --json, 100 sites x 1,000 pages"
row build "build, the same 100,000 pages"
