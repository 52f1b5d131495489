#!/usr/bin/env bash
# Install the Debian packages listed in the given lists (default: system-packages.txt, what
# serving needs; add system-packages-test.txt for tests and benchmarks). Root on these machines.
# Idempotent: does nothing when every package is already installed.
set -euo pipefail
cd "$(dirname "$0")"
lists=("$@")
[ ${#lists[@]} -gt 0 ] || lists=(system-packages.txt)
mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "${lists[@]}" | tr -d ' ')
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
