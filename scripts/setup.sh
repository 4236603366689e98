#!/usr/bin/env bash
# Sets up subsetd on a fresh Debian/Ubuntu machine: system packages, then npm dependencies
# (native addons compiled here against Debian's libgdal), then the bundle.
#   scripts/setup.sh        what running the service needs
#   scripts/setup.sh test   plus the reference tools and servers the tests use (cdo, nco, redis, nginx, chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

need_major=20
if ! command -v node >/dev/null 2>&1; then
  echo "subsetd needs Node.js ${need_major} (node not found on PATH)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt "$need_major" ]; then
  echo "subsetd needs Node.js >= ${need_major}; found $(node --version)" >&2
  exit 1
fi

bash scripts/system-deps.sh "$mode"

# Install only when the lockfile changed since the last install: it rebuilds gdal-async (~5 min).
# `npm install`, not `npm ci`: the registry we build from lacks some other platforms' optional
# packages (e.g. @rollup/rollup-darwin-x64), which npm ci insists on finding in the lockfile.
stamp=node_modules/.subsetd-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  # Flags also in .npmrc; repeated here for npm versions that ignore unknown project keys.
  npm_config_build_from_source=true npm_config_shared_gdal=true npm install --no-audit --no-fund
  touch "$stamp"
fi
npm run -s build:js

# A first run has data to cut: the generated sample dataset (a few MB, no download) in the default
# data root when it is missing or empty. Elsewhere: `node dist/subsetd.cjs sample-data DIR`.
if [ ! -d data ] || [ -z "$(ls -A data)" ]; then
  node dist/subsetd.cjs sample-data data
fi
