#!/usr/bin/env bash
# Front-end packages come from npm, exactly as package-lock.json pins them; what pages need is
# copied with its licence into static/vendor/ (gitignored). Today's pages need no library
# (they work without JavaScript), so there is nothing to install until package.json exists.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f package-lock.json ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
