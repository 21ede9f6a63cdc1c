#!/usr/bin/env bash
# Installs what the tool-dependent tests need, from the package registries:
#   - xmllint (Debian's libxml2-utils), to validate sitemaps against a schema;
#   - Chromium and ChromeDriver (Debian's chromium, chromium-driver), for the
#     live-reload test in a real browser;
#   - GoAccess (Debian's goaccess), to compare stats imports with an
#     independent implementation;
#   - Hugo (Debian's hugo), to compare an imported site's URLs and heading
#     ids with the ones Hugo itself publishes;
#   - strace, to kill builds at chosen system calls (atomic output tests),
#     and chattr (e2fsprogs), to make a folder immovable;
#   - rsync and OpenSSH's server and client, for `grove deploy` to a folder
#     over SSH (the tests start their own sshd on 127.0.0.1);
#   - the sitemaps.org schema (sitemap.xsd), as shipped in the npm package
#     `sitemap` (MIT), into .test-tools/.
# Idempotent: does nothing that is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .test-tools

missing=()
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v goaccess >/dev/null 2>&1 || missing+=(goaccess)
command -v hugo >/dev/null 2>&1 || missing+=(hugo)
command -v strace >/dev/null 2>&1 || missing+=(strace)
command -v chattr >/dev/null 2>&1 || missing+=(e2fsprogs)
command -v rsync >/dev/null 2>&1 || missing+=(rsync)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -f .test-tools/sitemap.xsd ]; then
  echo "fetching sitemap.xsd from the npm package sitemap@9.0.1" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent sitemap@9.0.1 >/dev/null 2>&1 && tar xzf sitemap-9.0.1.tgz)
  cp "$tmp/package/schema/sitemap.xsd" .test-tools/sitemap.xsd
  rm -rf "$tmp"
fi
# An S3-compatible server for `grove deploy`'s tests: moto's server, from
# PyPI (the S3 emulation boto's own tests use; no Debian package of an S3
# server exists), in a virtual environment of its own. botocore comes with
# it: tests/data/s3/sigv4_s3.py checks Grove's signatures with it.
if [ ! -x .test-tools/moto/bin/moto_server ]; then
  echo "installing moto[s3,server] from PyPI into .test-tools/moto" >&2
  python3 -m venv .test-tools/moto
  .test-tools/moto/bin/pip install -q 'moto[s3,server]==5.*'
fi
echo "test tools ready: xmllint, chromium, chromedriver, goaccess, hugo, strace, chattr, rsync, sshd, .test-tools/sitemap.xsd, .test-tools/moto (S3)"
