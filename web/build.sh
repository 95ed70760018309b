#!/usr/bin/env bash
# Installs the web dependencies from the npm registry and copies the files the pages
# load into web/vendor/ (served at /vendor/). Nothing is loaded from a CDN at run time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# Node.js and npm, from Debian's packages when the machine has none
if ! command -v npm >/dev/null 2>&1; then
  echo "[web] installing nodejs and npm with apt-get"
  as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -q nodejs npm </dev/null \
    || { as_root apt-get update -q </dev/null && as_root apt-get install -y -q nodejs npm </dev/null; }
fi

if [[ -f package-lock.json ]]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi

mkdir -p vendor
cp node_modules/bootstrap/dist/css/bootstrap.min.css vendor/bootstrap.min.css
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js vendor/bootstrap.bundle.min.js
cp node_modules/chart.js/dist/chart.umd.min.js vendor/chart.umd.min.js
echo "[web] vendor/: $(ls vendor | tr '\n' ' ')"
