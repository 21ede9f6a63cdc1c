#!/usr/bin/env bash
# Audit benchmark: `grove audit` on synthetic networks of 1k, 10k and 50k
# pages, and the recall of its near-duplicate pairs against an exact
# all-pairs computation on 1,000 pages.
#
#   scripts/bench-audit.sh [RUNS]        (default 5)
#
# Networks come from examples/gen_network.rs with --replicated 20: a fifth
# of each site's pages are one shared article per page number, with 1, 2, 5
# or 10% of its words replaced per site (near-copies and boilerplate to
# find); the rest are unique. Every network has 100 sites, so a replicated
# article has 100 copies at every size and the work per page is comparable.
# Prints median wall time and median peak RSS (from /usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}

if [ ! -x /usr/bin/time ]; then
  echo "installing time from Debian packages" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >/dev/null
fi

cargo build --release --quiet
cargo build --release --quiet --example gen_network --example audit_recall
GROVE=$PWD/target/release/grove
EXAMPLES=$PWD/target/release/examples
OUT=$PWD/bench-out/audit
mkdir -p "$OUT"
rm -f "$OUT"/*.times

measure() { # label, command...: appends "seconds kilobytes" to $OUT/<label>.times
  local label=$1; shift
  # grove audit exits 1 when it finds errors, which these networks have.
  /usr/bin/time -f "%e %M" -o "$OUT/$label.last" "$@" >/dev/null 2>"$OUT/$label.err" || true
  grep -q "error findings" "$OUT/$label.err" || { cat "$OUT/$label.err" >&2; exit 1; }
  tail -n 1 "$OUT/$label.last" >> "$OUT/$label.times"
}
row() { # label, pages, description
  python3 - "$OUT/$1.times" "$2" "$3" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
t = statistics.median(float(r[0]) for r in rows)
m = statistics.median(int(r[1]) for r in rows) / 1024
pages = int(sys.argv[2])
print(f"| {sys.argv[3]} | {t:.2f} s | {m:.0f} MB | {pages / t:,.0f} |")
PY
}

for size in "1k 10" "10k 100" "50k 500"; do
  set -- $size
  [ -d "$OUT/$1" ] || "$EXAMPLES/gen_network" --sites 100 --pages "$2" --replicated 20 --no-hugo --out "$OUT/$1" >/dev/null
done
for run in $(seq "$RUNS"); do
  for size in 1k 10k 50k; do
    measure "$size" "$GROVE" --root "$OUT/$size/grove" audit --json
  done
done

echo "| network | median wall time | median peak RSS | pages per second |"
echo "|---|---|---|---|"
row 1k 1000 "100 sites x 10 pages (1,000)"
row 10k 10000 "100 sites x 100 pages (10,000)"
row 50k 50000 "100 sites x 500 pages (50,000)"

[ -d "$OUT/recall" ] || "$EXAMPLES/gen_network" --sites 10 --pages 100 --replicated 50 --no-hugo --out "$OUT/recall" >/dev/null
"$GROVE" --root "$OUT/recall/grove" audit --json > "$OUT/recall/audit.json" 2>/dev/null || true
echo
echo "Recall, 10 sites x 100 pages, half of them replicated:"
"$EXAMPLES/audit_recall" "$OUT/recall/grove" "$OUT/recall/audit.json"
