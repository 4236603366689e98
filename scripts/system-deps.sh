#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages subsetd builds, runs and tests against.
# Idempotent: apt-get skips what is already installed.
set -euo pipefail
mode=${1:-run}   # run | test
pkgs=(ca-certificates python3 make g++ pkg-config libgdal-dev gdal-bin)
if [ "$mode" = test ]; then
  # Reference tools the tests compare against, real servers the tests start, and OWSLib (the
  # Python OGC client the protocol tests drive).
  pkgs+=(redis-server nginx cdo nco netcdf-bin chromium systemd systemd-container wrk unzip prometheus python3-owslib)
fi
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Services from these packages must not run on their own: tests start their own instances on free ports.
for s in redis-server nginx prometheus; do systemctl disable --now "$s" >/dev/null 2>&1 || true; done
