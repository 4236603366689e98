#!/usr/bin/env bash
# Installs or upgrades subsetd from an unpacked release tarball (run as root, Debian/Ubuntu).
# Idempotent: run it again to upgrade; /etc/subsetd/subsetd.env and /var/lib/subsetd are kept.
#   scripts/install.sh              install/upgrade and start
#   scripts/install.sh --nginx      also install the nginx site (proxy under /api/)
#   scripts/install.sh --uninstall  remove program and unit, keep data and settings
#   scripts/install.sh --uninstall --purge   also remove data, cache, settings and the user
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mode=install nginx=0 purge=0
for a in "$@"; do
  case "$a" in
    --uninstall) mode=uninstall ;;
    --purge) purge=1 ;;
    --nginx) nginx=1 ;;
    *) echo "unknown option: $a" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

if [ "$mode" = uninstall ]; then
  systemctl disable --now subsetd.service 2>/dev/null || true
  rm -f /etc/systemd/system/subsetd.service /usr/lib/tmpfiles.d/subsetd.conf /usr/local/bin/subsetd
  rm -f /etc/nginx/sites-enabled/subsetd.conf /etc/nginx/sites-available/subsetd.conf
  systemctl daemon-reload
  if [ "$purge" = 1 ]; then
    rm -rf /var/lib/subsetd /var/cache/subsetd /etc/subsetd
    id subsetd >/dev/null 2>&1 && userdel subsetd
  fi
  echo "subsetd removed$([ "$purge" = 1 ] && echo ' (with data)' || echo '; data kept in /var/lib/subsetd')"
  exit 0
fi

# Host libraries the executable links against (gdal-async is built on Debian's GDAL).
missing=()
for p in libgdal32 ca-certificates; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; fi

id subsetd >/dev/null 2>&1 || useradd --system --home-dir /var/lib/subsetd --shell /usr/sbin/nologin subsetd
install -d -m 0750 -o root -g subsetd /etc/subsetd
[ -f /etc/subsetd/subsetd.env ] || install -m 0640 -o root -g subsetd "$here/subsetd.env.example" /etc/subsetd/subsetd.env
install -d -m 0755 /srv/subsetd/data
# Atomic replace: a running service keeps its old inode until restarted.
install -m 0755 "$here/subsetd" /usr/local/bin/subsetd.new && mv -f /usr/local/bin/subsetd.new /usr/local/bin/subsetd
install -m 0644 "$here/systemd/subsetd.service" /etc/systemd/system/subsetd.service
install -D -m 0644 "$here/systemd/tmpfiles.d/subsetd.conf" /usr/lib/tmpfiles.d/subsetd.conf
install -D -m 0644 "$here/DEPLOY.md" /usr/local/share/doc/subsetd/DEPLOY.md 2>/dev/null || true
systemd-tmpfiles --create /usr/lib/tmpfiles.d/subsetd.conf || true

if [ "$nginx" = 1 ]; then
  sed -e 's/__LISTEN__/80/' -e 's/__UPSTREAM__/127.0.0.1:8080/' -e 's/__BODY_LIMIT__/100m/' -e 's#__RESULTS_DIR__#/var/lib/subsetd/results/#' \
    "$here/systemd/nginx/subsetd.conf" > /etc/nginx/sites-available/subsetd.conf
  ln -sf /etc/nginx/sites-available/subsetd.conf /etc/nginx/sites-enabled/subsetd.conf
  grep -q '^SUBSETD_TRUST_PROXY=' /etc/subsetd/subsetd.env || echo 'SUBSETD_TRUST_PROXY=1' >> /etc/subsetd/subsetd.env
  grep -q '^SUBSETD_ACCEL_REDIRECT=' /etc/subsetd/subsetd.env || echo 'SUBSETD_ACCEL_REDIRECT=/_subsetd_results/' >> /etc/subsetd/subsetd.env
  # nginx (www-data) reads result files directly for X-Accel-Redirect.
  usermod -aG subsetd www-data 2>/dev/null || true
  nginx -t && systemctl reload nginx
fi

systemctl daemon-reload
systemctl enable subsetd.service >/dev/null
systemctl restart subsetd.service
for i in $(seq 60); do
  if /usr/local/bin/subsetd healthcheck --env-file /etc/subsetd/subsetd.env >/dev/null 2>&1; then
    echo "subsetd $(/usr/local/bin/subsetd --version | head -n1) is running"; exit 0
  fi
  sleep 1
done
echo "subsetd did not become ready; see: journalctl -u subsetd -n 50" >&2
exit 1
