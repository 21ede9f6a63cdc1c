#!/usr/bin/env bash
# Screenshots of the example network's dashboard (with the synthetic sample
# data of examples/data/) in Debian's headless Chromium, for docs/:
#   docs/dashboard.png        1440 px wide, light
#   docs/dashboard-phone.png  360 px wide, dark
# The sample data goes into this checkout's .grove/ (as README's three
# commands put it there).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
cargo build --release --quiet
GROVE=target/release/grove
$GROVE stats import examples/data/access.log.gz >/dev/null
$GROVE revenue import --format amazon examples/data/amazon-earnings.csv >/dev/null
$GROVE build --quiet
$GROVE check --offline >/dev/null
$GROVE audit >/dev/null
$GROVE dashboard >/dev/null
PAGE="file://$PWD/.grove/dashboard/index.html"
FLAGS=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --hide-scrollbars)
chromium "${FLAGS[@]}" --window-size=1440,2200 --screenshot="$PWD/docs/dashboard.png" "$PAGE" 2>/dev/null
chromium "${FLAGS[@]}" --force-dark-mode --blink-settings=preferredColorScheme=0 \
  --window-size=360,1800 --screenshot="$PWD/docs/dashboard-phone.png" "$PAGE" 2>/dev/null
echo "wrote docs/dashboard.png and docs/dashboard-phone.png"
