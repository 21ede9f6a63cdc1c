#!/usr/bin/env bash
# Lighthouse SEO and accessibility scores of the default theme, on pages of
# the example network, with Debian's Chromium. Installs what it needs:
# chromium (apt) and lighthouse (npm, into .test-tools/).
#
#   scripts/lighthouse.sh [SITE]     (default: home-espresso)
#   scripts/lighthouse.sh dashboard  (the dashboard, with the sample data of
#                                     examples/data/ imported into .grove/)
set -euo pipefail
cd "$(dirname "$0")/.."
SITE=${1:-home-espresso}
PORT=8765

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -x .test-tools/node_modules/.bin/lighthouse ]; then
  mkdir -p .test-tools
  (cd .test-tools && npm install --silent --no-audit --no-fund lighthouse@12)
fi

cargo run --release --quiet -- build --quiet
if [ "$SITE" = dashboard ]; then
  cargo run --release --quiet -- stats import examples/data/access.log.gz >/dev/null
  cargo run --release --quiet -- revenue import --format amazon examples/data/amazon-earnings.csv >/dev/null
  cargo run --release --quiet -- check --offline >/dev/null
  cargo run --release --quiet -- dashboard >/dev/null
  ROOT=.grove/dashboard
  PATHS=(/)
else
  ROOT=public/$SITE
  # One page of each kind: home, section, article, taxonomy term.
  PATHS=(/ /guides/ "$(cd "$ROOT" && find guides -mindepth 2 -name index.html | sort | head -1 | sed 's|index.html$||; s|^|/|')" /tags/beginners/)
fi
python3 -m http.server "$PORT" --bind 127.0.0.1 -d "$ROOT" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
sleep 1

for path in "${PATHS[@]}"; do
  out=$(mktemp)
  CHROME_PATH=/usr/bin/chromium .test-tools/node_modules/.bin/lighthouse "http://127.0.0.1:$PORT$path" \
    --quiet --only-categories=seo,accessibility --output=json --output-path="$out" \
    --chrome-flags="--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync" >/dev/null 2>&1 || true
  python3 - "$path" "$out" <<'PY'
import json, sys
path, out = sys.argv[1], sys.argv[2]
try:
    report = json.load(open(out))
except Exception as e:
    print(f"{path}: lighthouse failed ({e})"); sys.exit(0)
cats = report["categories"]
failed = [a["id"] for a in report["audits"].values() if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"]
print(f"| {path} | {round(cats['seo']['score']*100)} | {round(cats['accessibility']['score']*100)} | {', '.join(failed) or '-'} |")
PY
  rm -f "$out"
done
