#!/usr/bin/env bash
# Front-end packages come from npm, exactly as package-lock.json pins them. Anything a page needs
# is copied with its licence into static/vendor/ (gitignored). Today no visitor page loads a
# library: our own static/js/visitor.js and static/sw.js are all the script there is, and the
# npm packages are tools for tests and benchmarks only (axe-core in the browser tests, lighthouse
# in bench/lighthouse.py), used from node_modules/ where they are.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f package-lock.json ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
mkdir -p static/vendor
# Nothing to copy yet; a library a page needs goes here, e.g.:
#   cp node_modules/NAME/dist/NAME.min.js node_modules/NAME/LICENSE static/vendor/NAME/
