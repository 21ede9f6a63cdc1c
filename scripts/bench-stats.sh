#!/usr/bin/env bash
# Stats benchmark: `grove stats import` against GoAccess on the same
# synthetic combined log, and `grove report` on a year of rollups.
#
#   scripts/bench-stats.sh [RUNS]        (default 5)
#
# - 1,000,000-line combined log (~220 MB, examples/gen_log.rs): Grove
#   (`stats import`, from an empty database each run) and GoAccess
#   (`--ignore-crawlers`, JSON output), alternating; then Grove on a
#   10,000,000-line log, to show that memory does not grow with the file.
# - The same traffic as 1,000 gzipped CloudFront files of 1,000 lines (a
#   distribution's folder): Grove imports the folder, GoAccess reads the
#   files through zcat (`--log-format=CLOUDFRONT`), alternating.
# - `grove report --json` on 100 sites x 1,000 pages x 365 days of
#   rollups (examples/gen_stats.rs), and `grove dashboard` on the last 90
#   days of them (with the page's size).
# Prints median wall time and median peak RSS (from /usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}

need() { command -v "$1" >/dev/null 2>&1; }
if ! need goaccess || [ ! -x /usr/bin/time ]; then
  echo "installing goaccess and time from Debian packages" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq goaccess time >/dev/null
fi

cargo build --release --quiet
cargo build --release --quiet --example gen_network --example gen_log --example gen_stats
GROVE=$PWD/target/release/grove
EXAMPLES=$PWD/target/release/examples
OUT=$PWD/bench-out/stats
mkdir -p "$OUT"

measure() { # label, command...: appends "seconds kilobytes" to $OUT/<label>.times
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/$label.last" "$@" >/dev/null 2>"$OUT/$label.err" || {
    cat "$OUT/$label.err" >&2; exit 1; }
  cat "$OUT/$label.last" >> "$OUT/$label.times"
}
row() { # label, description
  python3 - "$OUT/$1.times" "$2" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
t = statistics.median(float(r[0]) for r in rows)
m = statistics.median(int(r[1]) for r in rows) / 1024
print(f"| {sys.argv[2]} | {t:.2f} s | {m:.0f} MB |")
PY
}

rm -rf "$OUT/net" "$OUT/report" "$OUT"/*.times
"$EXAMPLES/gen_network" --sites 1 --pages 10 --out "$OUT/net" >/dev/null
"$EXAMPLES/gen_log" --lines 1000000 --out "$OUT/access-1m.log"
"$EXAMPLES/gen_log" --lines 10000000 --out "$OUT/access-10m.log"
rm -rf "$OUT/cloudfront"
"$EXAMPLES/gen_log" --lines 1000000 --cloudfront-files 1000 --out "$OUT/cloudfront"
NET=$OUT/net/grove

for _ in $(seq "$RUNS"); do
  rm -rf "$NET/.grove"
  measure grove-1m "$GROVE" --root "$NET" stats import --site site-000 "$OUT/access-1m.log"
  measure goaccess-1m goaccess "$OUT/access-1m.log" --log-format=COMBINED --ignore-crawlers -o "$OUT/goaccess.json"
done
for _ in $(seq "$RUNS"); do
  rm -rf "$NET/.grove"
  measure grove-cloudfront "$GROVE" --root "$NET" stats import "$OUT/cloudfront"
  measure goaccess-cloudfront sh -c "zcat '$OUT'/cloudfront/*.gz | goaccess - --log-format=CLOUDFRONT --ignore-crawlers -o '$OUT/goaccess-cf.json'"
done
for _ in $(seq "$RUNS"); do
  rm -rf "$NET/.grove"
  measure grove-10m "$GROVE" --root "$NET" stats import --site site-000 "$OUT/access-10m.log"
done

"$EXAMPLES/gen_network" --sites 100 --pages 1 --out "$OUT/report" >/dev/null
"$EXAMPLES/gen_stats" --root "$OUT/report/grove" --pages 1000 --days 365 >/dev/null
for _ in $(seq "$RUNS"); do
  measure report "$GROVE" --root "$OUT/report/grove" report --since 2025-11-01 --until 2026-10-31 --json
  measure dashboard "$GROVE" --root "$OUT/report/grove" dashboard --since 2026-08-03 --until 2026-10-31 --output "$OUT/dashboard.html"
done

echo "runs: $RUNS; $(nproc) cores; $(goaccess --version | head -1)"
echo "| what | median wall time | median peak RSS |"
echo "|---|---|---|"
row grove-1m "grove stats import, 1,000,000 lines"
row goaccess-1m "GoAccess --ignore-crawlers, 1,000,000 lines"
row grove-10m "grove stats import, 10,000,000 lines"
row grove-cloudfront "grove stats import, folder of 1,000 CloudFront files (1,000,000 lines)"
row goaccess-cloudfront "GoAccess --ignore-crawlers, the same files through zcat"
row report "grove report --json, 100 sites x 1,000 pages x 365 days"
row dashboard "grove dashboard, 100 sites x 1,000 pages x 90 days ($(( $(stat -c %s "$OUT/dashboard.html") / 1024 )) KB page)"
rm -f "$OUT/access-10m.log"
