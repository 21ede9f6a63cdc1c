#!/usr/bin/env bash
# Deploy benchmark: `grove deploy` of 100 sites x 1,000 pages
# (examples/gen_network.rs, built: about 120,000 files, 1.4 GB) to moto's
# S3 server on 127.0.0.1 (.test-tools/moto, installed by
# scripts/test-tools.sh), [deploy] url = "s3://bench/{{ site.name }}".
#
#   scripts/bench-deploy.sh [RUNS]        (default 3)
#
# - the first deploy into an empty bucket (once: it takes minutes);
# - a deploy with nothing changed (RUNS times);
# - a deploy after one page changed and its site was rebuilt (RUNS times,
#   a different edit each time);
# - a deploy with the manifests lost (another machine, an expired CI
#   cache): every bucket prefix listed and each object's ETag compared
#   with the MD5 of its file (RUNS times).
# The live verification is off (the generated sites' addresses are not
# live); IndexNow and CDN steps are not configured.
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
scripts/test-tools.sh >/dev/null

cargo build --release --quiet
cargo build --release --quiet --example gen_network
GROVE=$PWD/target/release/grove
OUT=$PWD/bench-out/deploy
rm -rf "$OUT"
mkdir -p "$OUT"

measure() { # label, command...: appends "seconds kilobytes" to $OUT/<label>.times
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/$label.last" "$@" >"$OUT/$label.json" 2>"$OUT/$label.err" || {
    cat "$OUT/$label.err" >&2; exit 1; }
  cat "$OUT/$label.last" >> "$OUT/$label.times"
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["sites"]; print(sys.argv[2], "uploaded", sum(x["uploaded"] for x in s), "unchanged", sum(x["unchanged"] for x in s))' "$OUT/$label.json" "$label" >&2
}
row() { # label, description
  python3 - "$OUT/$1.times" "$2" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
t = statistics.median(float(r[0]) for r in rows)
m = statistics.median(int(r[1]) for r in rows) / 1024
print(f"| {sys.argv[2]} | {t:.2f} s | {m:.0f} MB | {len(rows)} |")
PY
}

target/release/examples/gen_network --sites 100 --pages 1000 --no-hugo --out "$OUT/gen" >/dev/null
NET=$OUT/gen/grove
"$GROVE" --root "$NET" build >/dev/null

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.test-tools/moto/bin/moto_server -H 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
MOTO=$!
trap 'kill $MOTO 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
  sleep 0.2
done
# moto checks that a request is signed, not the signature.
curl -s -o /dev/null -X PUT -H "Authorization: AWS4-HMAC-SHA256 Credential=bench/20261204/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00" "http://127.0.0.1:$PORT/bench"
cat >> "$NET/grove.toml" <<TOML

[deploy]
url = "s3://bench/{{ site.name }}"
endpoint = "http://127.0.0.1:$PORT"
verify = false
TOML
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench

measure first "$GROVE" --root "$NET" deploy --json
for _ in $(seq "$RUNS"); do
  measure unchanged "$GROVE" --root "$NET" deploy --json
done
PAGE=$(find "$NET/sites" -name '*.md' -path '*/posts/*' | sort | sed -n 1p)
SITE=$(echo "${PAGE#"$NET"/sites/}" | cut -d/ -f1)
for run in $(seq "$RUNS"); do
  echo "One more sentence, edit $run." >> "$PAGE"
  "$GROVE" --root "$NET" build --site "$SITE" >/dev/null
  measure one-page "$GROVE" --root "$NET" deploy --json
done

for _ in $(seq "$RUNS"); do
  rm -rf "$NET/.grove/deploy"
  measure no-manifest "$GROVE" --root "$NET" deploy --json
done

FILES=$(find "$NET/public" -type f | wc -l)
echo "$FILES files in the build"
echo "| deploy | median time | median peak memory | runs |"
echo "|---|---|---|---|"
row first "first, into an empty bucket"
row unchanged "again, nothing changed"
row one-page "after one page changed and its site rebuilt"
row no-manifest "with the manifests lost: listed, nothing sent"
