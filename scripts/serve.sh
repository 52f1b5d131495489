#!/usr/bin/env bash
# `make run`: serve the app and, once it answers, print three URLs to try (HOST, PORT from make).
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
.venv/bin/flask run --host "$HOST" --port "$PORT" &
server=$!
# Background jobs (photo derivatives, audio, panorama tiles) on the embedded queue beside it.
.venv/bin/flask heritage worker --workers 1 &
worker=$!
trap 'kill "$server" 2>/dev/null || true; kill -INT "$worker" 2>/dev/null || true' INT TERM EXIT
# Listening on every interface: show this machine's address, the one a phone on the Wi-Fi uses.
shown="$HOST"
probe="$HOST"
if [ "$HOST" = "0.0.0.0" ]; then
  shown="$(hostname -I 2>/dev/null | awk '{print $1}')"
  shown="${shown:-127.0.0.1}"
  probe="127.0.0.1"
fi
for _ in $(seq 1 150); do
  if .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
    "http://$probe:$PORT/healthz" 2>/dev/null; then
    echo
    echo "Serving on http://$shown:$PORT (Ctrl-C stops). Try:"
    .venv/bin/flask heritage demo-urls --base-url "http://$shown:$PORT" || true
    echo
    break
  fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.2
done
wait "$server"
