#!/usr/bin/env bash
# Lighthouse SEO and accessibility scores of the default theme, on pages of
# the example network, with Debian's Chromium. Installs what it needs:
# chromium (apt) and lighthouse (npm, into .test-tools/).
#
#   scripts/lighthouse.sh [SITE]     (default: home-espresso)
#   scripts/lighthouse.sh dashboard  (the dashboard, with the sample data of
#                                     examples/data/ imported into .grove/)
#   scripts/lighthouse.sh photos     (an article of the example network's
#                                     home-espresso with ten 3000x2000
#                                     photos, in a copy of the network;
#                                     mobile, with Performance and CLS too)
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

CATEGORIES=seo,accessibility
if [ "$SITE" = photos ]; then
  # A copy of the example network with one image-heavy article: ten
  # photos cut from a real photograph (examples/gen_photos.rs).
  NET=$(mktemp -d)
  trap 'rm -rf "$NET"' EXIT
  cp -r content sites themes prompts grove.toml affiliates.toml "$NET"/
  LAKE=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -path '*/webp-0.3.*/assets/lake.jpg' | head -1)
  cargo run --release --quiet --example gen_photos -- --source "$LAKE" --count 10 --out "$NET/photos" >/dev/null
  ARTICLE=$NET/sites/home-espresso/content/guides/ten-photos
  mkdir -p "$ARTICLE"
  {
    printf '+++\ntitle = "Ten photos of the lake, from dawn to dusk"\ndescription = "A photo essay: the same lake photographed ten times over one day, to show how light changes a scene."\ndate = 2026-11-20\n+++\n'
    for i in $(seq 0 9); do
      ext=jpg; [ $((i % 2)) = 1 ] && ext=png
      cp "$NET/photos/grove/sites/photos/content/posts/p$i/photo.$ext" "$ARTICLE/photo-$i.$ext"
      printf '\n## Hour %s\n\nThe light at hour %s of the day, seen from the same bank of the lake as every other photo of this essay.\n\n![The lake at hour %s, from the east bank](photo-%s.%s)\n' "$i" "$i" "$i" "$i" "$ext"
    done
  } > "$ARTICLE/index.md"
  cargo run --release --quiet -- --root "$NET" build --quiet
  ROOT=$NET/public/home-espresso
  PATHS=(/guides/ten-photos/)
  CATEGORIES=performance,seo,accessibility
elif [ "$SITE" = dashboard ]; then
  cargo run --release --quiet -- build --quiet
  cargo run --release --quiet -- stats import examples/data/access.log.gz >/dev/null
  cargo run --release --quiet -- revenue import --format amazon examples/data/amazon-earnings.csv >/dev/null
  cargo run --release --quiet -- check --offline >/dev/null
  cargo run --release --quiet -- dashboard >/dev/null
  ROOT=.grove/dashboard
  PATHS=(/)
else
  cargo run --release --quiet -- build --quiet
  ROOT=public/$SITE
  # One page of each kind: home, section, article, taxonomy term.
  PATHS=(/ /guides/ "$(cd "$ROOT" && find guides -mindepth 2 -name index.html | sort | head -1 | sed 's|index.html$||; s|^|/|')" /tags/beginners/)
fi
python3 -m http.server "$PORT" --bind 127.0.0.1 -d "$ROOT" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER; rm -rf "${NET:-/nonexistent-grove-lighthouse}"' EXIT
sleep 1

for path in "${PATHS[@]}"; do
  out=$(mktemp)
  CHROME_PATH=/usr/bin/chromium .test-tools/node_modules/.bin/lighthouse "http://127.0.0.1:$PORT$path" \
    --quiet --only-categories="$CATEGORIES" --output=json --output-path="$out" \
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
perf = ""
if "performance" in cats:
    audits = report["audits"]
    perf = (f" performance {round(cats['performance']['score']*100)},"
            f" CLS {audits['cumulative-layout-shift']['numericValue']:.3f},"
            f" LCP {audits['largest-contentful-paint']['numericValue']/1000:.2f} s,"
            f" bytes {audits['total-byte-weight']['numericValue']/1024:.0f} KB |")
print(f"| {path} | {round(cats['seo']['score']*100)} | {round(cats['accessibility']['score']*100)} | {', '.join(failed) or '-'} |{perf}")
PY
  rm -f "$out"
done
