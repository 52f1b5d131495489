#!/usr/bin/env bash
# Install front-end packages exactly as locked and copy what pages need (with licences)
# into static/vendor/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f package-lock.json ] || exit 0
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
.venv/bin/python scripts/copy_vendor.py
