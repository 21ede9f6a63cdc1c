#!/usr/bin/env bash
# Publish a Grove network on one server, for cron: audit, build every site
# straight into the web root (each site folder is replaced atomically, so the
# web server never serves half a build), then check internal links.
#
#   NETWORK=/srv/network WEB_ROOT=/var/www/sites ops/publish.sh
#
# Environment:
#   NETWORK   the network folder (grove.toml at its root); default: this
#             script's parent folder
#   WEB_ROOT  where the web server serves sites from: WEB_ROOT/<site>/
#   GROVE     the grove binary (default: grove on PATH)
#   PULL      set to 1 to `git pull --ff-only` the network first
#
# Crontab line (every day at 05:17, output kept in a log):
#   17 5 * * * NETWORK=/srv/network WEB_ROOT=/var/www/sites /srv/network/ops/publish.sh >> /var/log/grove-publish.log 2>&1
#
# Drafting stays a step a person starts: nothing here calls a model.
set -euo pipefail
NETWORK=${NETWORK:-$(cd "$(dirname "$0")/.." && pwd)}
GROVE=${GROVE:-grove}
: "${WEB_ROOT:?set WEB_ROOT to the folder the web server serves sites from}"
cd "$NETWORK"

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) publishing $NETWORK to $WEB_ROOT"
if [ "${PULL:-0}" = 1 ]; then
  git pull --ff-only
fi
# Findings are reported, not fatal: set [quality] gate = "block" in
# grove.toml to make the build itself refuse pages with audit errors.
"$GROVE" audit || echo "grove audit found errors (see above)"
mkdir -p "$WEB_ROOT"
"$GROVE" build --output "$WEB_ROOT"
"$GROVE" check --offline
echo "== done"
