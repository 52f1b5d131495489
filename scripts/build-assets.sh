#!/usr/bin/env bash
# Front-end packages come from npm, exactly as package-lock.json pins them; only the files pages
# load are copied, each with its licence, into static/vendor/ (gitignored). Only the map page
# loads them (Leaflet and its marker clusters); every other page works without a library. The
# dev dependencies are tools for tests and benchmarks (axe-core in the browser tests, lighthouse
# in bench/lighthouse.py), used from node_modules/ where they are.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f package-lock.json ]; then
  exit 0
fi
# Debian's npm only when no npm is there: a Node.js from elsewhere (nodesource) ships its own, and
# Debian's npm package would conflict with it.
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing Debian packages: nodejs npm (front-end build)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
# A second run with the same lock file skips npm entirely (make test calls this every time).
stamp=node_modules/.heritage-lock-sha256
if ! sha256sum --status -c "$stamp" 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json > "$stamp"
fi

vendor=static/vendor
rm -rf "$vendor"
mkdir -p "$vendor/leaflet/images" "$vendor/leaflet.markercluster"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/LICENSE \
  "$vendor/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$vendor/leaflet/images/"
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
  node_modules/leaflet.markercluster/dist/MarkerCluster.css \
  node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css \
  node_modules/leaflet.markercluster/MIT-LICENCE.txt "$vendor/leaflet.markercluster/"
# Pannellum (360° scenes): loaded by static/js/panorama.js only when a visitor taps "View in 360°".
mkdir -p "$vendor/pannellum"
cp node_modules/pannellum/build/pannellum.js node_modules/pannellum/build/pannellum.css \
  node_modules/pannellum/COPYING "$vendor/pannellum/"
