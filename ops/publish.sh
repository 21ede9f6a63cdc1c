#!/usr/bin/env bash
# Publish a Grove network on one server, for cron: audit, build every site,
# check internal links, deploy what changed, then watch the live sites.
#
#   NETWORK=/srv/network WEB_ROOT=/var/www/sites ops/publish.sh
#
# Environment:
#   NETWORK      the network folder (grove.toml at its root); default: this
#                script's parent folder
#   WEB_ROOT     deploy every site to WEB_ROOT/<site>/ (each site folder is
#                replaced at once); without it, each site goes where the
#                [deploy] tables of grove.toml and site.toml say (a folder,
#                ssh://, s3://, netlify://, cloudflare-pages://)
#   GROVE        the grove binary (default: grove on PATH)
#   PULL         set to 1 to `git pull --ff-only` the network first
#   DEPLOY_ARGS  more arguments for `grove deploy` (e.g. --no-verify)
#   WATCH_ARGS   more arguments for `grove watch` (e.g. --skip-amazon);
#                WATCH=0 skips watching
#
# Crontab line (every day at 05:17, output kept in a log; cron mails what
# a failing run printed, such as a new `grove watch` alert):
#   17 5 * * * NETWORK=/srv/network WEB_ROOT=/var/www/sites /srv/network/ops/publish.sh >> /var/log/grove-publish.log 2>&1
#
# Drafting stays a step a person starts: nothing here calls a model.
set -euo pipefail
NETWORK=${NETWORK:-$(cd "$(dirname "$0")/.." && pwd)}
GROVE=${GROVE:-grove}
cd "$NETWORK"

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) publishing $NETWORK${WEB_ROOT:+ to $WEB_ROOT}"
if [ "${PULL:-0}" = 1 ]; then
  git pull --ff-only
fi
# Findings are reported, not fatal: set [quality] gate = "block" in
# grove.toml to make the build itself refuse pages with audit errors.
"$GROVE" audit || echo "grove audit found errors (see above)"
"$GROVE" build
"$GROVE" check --offline
if [ -n "${WEB_ROOT:-}" ]; then
  mkdir -p "$WEB_ROOT"
  # shellcheck disable=SC2086
  "$GROVE" deploy --to "$WEB_ROOT/{{ site.name }}" ${DEPLOY_ARGS:-}
else
  # shellcheck disable=SC2086
  "$GROVE" deploy ${DEPLOY_ARGS:-}
fi
if [ "${WATCH:-1}" != 0 ]; then
  # Exits non-zero on a new alert, after printing it.
  # shellcheck disable=SC2086
  "$GROVE" watch ${WATCH_ARGS:-}
fi
echo "== done"
