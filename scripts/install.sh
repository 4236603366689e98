#!/usr/bin/env bash
# Installs or upgrades subsetd from an unpacked release tarball (run as root, Debian/Ubuntu).
# Idempotent: run it again to upgrade; /etc/subsetd/subsetd.env and /var/lib/subsetd are kept.
#   scripts/install.sh                       install/upgrade, start, wait until ready
#   scripts/install.sh --nginx               also install the nginx site (API under /api/)
#   scripts/install.sh --uninstall           remove program and units, keep data and settings
#   scripts/install.sh --uninstall --purge   also remove data, cache, settings and the user
# Without a running systemd (an image build, a chroot) it installs the files and skips starting.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mode=install nginx=0 purge=0
for a in "$@"; do
  case "$a" in
    --uninstall) mode=uninstall ;;
    --purge) purge=1 ;;
    --nginx) nginx=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option: $a" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

BIN=/usr/local/bin/subsetd
ENVFILE=/etc/subsetd/subsetd.env
UNITDIR=/etc/systemd/system
UNITS=(subsetd.service subsetd-worker@.service subsetd.target)
SITE=/etc/nginx/sites-available/subsetd.conf
has_systemd() { [ -d /run/systemd/system ]; }
# subsetd commands as the service user, sharing the service's unpacked runtime (root must not
# run code from a directory the service user can write, nor litter /root with a second copy).
as_subsetd() { runuser -u subsetd -- env SUBSETD_CACHE_DIR=/var/cache/subsetd "$BIN" "$@"; }

if [ "$mode" = uninstall ]; then
  if has_systemd; then
    systemctl disable --now subsetd.target subsetd.service 'subsetd-worker@*.service' >/dev/null 2>&1 || true
    systemctl stop 'subsetd-worker@*.service' >/dev/null 2>&1 || true
  fi
  for u in "${UNITS[@]}"; do rm -f "$UNITDIR/$u"; done
  rm -rf "$UNITDIR"/subsetd-worker@*.service "$UNITDIR"/subsetd.target.wants
  rm -f /usr/lib/tmpfiles.d/subsetd.conf "$BIN" "$BIN.new"
  rm -rf /usr/local/share/doc/subsetd
  if [ -e "$SITE" ] || [ -L /etc/nginx/sites-enabled/subsetd.conf ]; then
    rm -f /etc/nginx/sites-enabled/subsetd.conf "$SITE"
    if has_systemd && systemctl is-active --quiet nginx; then systemctl reload nginx; fi
  fi
  has_systemd && systemctl daemon-reload
  if [ "$purge" = 1 ]; then
    rm -rf /var/lib/subsetd /var/cache/subsetd /etc/subsetd
    # The input data is yours: only the empty directory the installer made goes.
    rmdir /srv/subsetd/data /srv/subsetd 2>/dev/null || true
    # nginx's user joined the group for downloads: leave it first, or the group would stay.
    if id -nG www-data 2>/dev/null | grep -qw subsetd; then gpasswd -d www-data subsetd >/dev/null; fi
    if id subsetd >/dev/null 2>&1; then userdel subsetd; fi
    echo "subsetd removed with its data, cache, settings and user"
  else
    echo "subsetd removed; data kept in /var/lib/subsetd, settings in $ENVFILE"
  fi
  exit 0
fi

# Host libraries the executable and its addons link against (DEPENDS is written by the build
# from their ELF NEEDED entries: gdal-async is built on Debian's libgdal).
missing=()
while read -r p; do
  [ -n "$p" ] || continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done < "$here/DEPENDS"
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

id subsetd >/dev/null 2>&1 || useradd --system --home-dir /var/lib/subsetd --no-create-home --shell /usr/sbin/nologin subsetd
install -d -m 0750 -o root -g subsetd /etc/subsetd
if [ ! -f "$ENVFILE" ]; then
  # Every setting, commented, plus the packaged paths (the unit's Environment= defaults) set for
  # real, so `subsetd <command> --env-file /etc/subsetd/subsetd.env` run by hand finds the same
  # database and results as the service.
  { cat "$here/subsetd.env.example"
    echo; echo '# Paths of the packaged install (scripts/install.sh).'
    sed -n 's/^Environment=//p' "$here/systemd/subsetd.service" | tr ' ' '\n'
  } > "$ENVFILE.new"
  chown root:subsetd "$ENVFILE.new" && chmod 0640 "$ENVFILE.new" && mv "$ENVFILE.new" "$ENVFILE"
fi
# The same directories systemd's StateDirectory=/CacheDirectory= make, so commands run before
# the first start (and without systemd) find them.
install -d -m 0750 -o subsetd -g subsetd /var/lib/subsetd
install -d -m 0755 -o subsetd -g subsetd /var/cache/subsetd
install -d -m 0755 /srv/subsetd/data
# Atomic replace: a running service keeps its old inode until it restarts.
install -m 0755 "$here/subsetd" "$BIN.new" && mv -f "$BIN.new" "$BIN"
for u in "${UNITS[@]}"; do install -m 0644 "$here/systemd/$u" "$UNITDIR/$u"; done
install -D -m 0644 "$here/systemd/tmpfiles.d/subsetd.conf" /usr/lib/tmpfiles.d/subsetd.conf
install -D -m 0644 "$here/DEPLOY.md" /usr/local/share/doc/subsetd/DEPLOY.md
install -m 0644 "$here/subsetd.env.example" /usr/local/share/doc/subsetd/subsetd.env.example
install -m 0644 "$here/systemd/nginx/subsetd.conf" /usr/local/share/doc/subsetd/nginx-site.conf.in

if [ "$nginx" = 1 ]; then
  # The site forwards X-Forwarded-* and answers downloads itself: subsetd must trust and use that.
  grep -q '^SUBSETD_TRUST_PROXY=' "$ENVFILE" || echo 'SUBSETD_TRUST_PROXY=1' >> "$ENVFILE"
  grep -q '^SUBSETD_ACCEL_REDIRECT=' "$ENVFILE" || echo 'SUBSETD_ACCEL_REDIRECT=/_subsetd_results/' >> "$ENVFILE"
fi

# A bad setting stops here, naming the key, before the running version is touched.
config=$(as_subsetd config --env-file "$ENVFILE")
setting() { printf '%s\n' "$config" | sed -n "s/^$1=//p"; }

if [ "$nginx" = 1 ]; then
  command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }
  host=$(setting SUBSETD_HOST); [ "$host" = 0.0.0.0 ] && host=127.0.0.1
  # The site's placeholders come from the effective settings, so nginx and subsetd agree on the
  # upstream, the results directory and the upload limit.
  sed -e "s#__LISTEN__#80#" -e "s#__UPSTREAM__#$host:$(setting SUBSETD_PORT)#" \
      -e "s#__BODY_LIMIT__#$(setting SUBSETD_BODY_LIMIT)#" -e "s#__RESULTS_DIR__#$(setting SUBSETD_RESULTS_DIR)/#" \
      "$here/systemd/nginx/subsetd.conf" > "$SITE.new" && mv -f "$SITE.new" "$SITE"
  ln -sf "$SITE" /etc/nginx/sites-enabled/subsetd.conf
  # Debian's stock site is the default server for port 80 and would answer every request; an
  # appliance takes the port over (the file stays in sites-available).
  if [ "$(readlink -f /etc/nginx/sites-enabled/default 2>/dev/null)" = /etc/nginx/sites-available/default ]; then
    rm /etc/nginx/sites-enabled/default
    echo "disabled nginx's stock default site (/etc/nginx/sites-enabled/default)"
  fi
  # nginx (www-data) reads result files itself for X-Accel-Redirect: group subsetd may read them.
  usermod -aG subsetd www-data
fi

# Access control is off until the admin turns it on; say how (docs/deploy.md, "Access control").
auth_hint() {
  as_subsetd config --env-file "$ENVFILE" 2>/dev/null | grep -q '^SUBSETD_AUTH=tokens$' && return 0
  echo "access control is off: anyone reaching the port may submit and see every job. To turn it on:"
  echo "  sudo -u subsetd subsetd tokens create --name admin --scope admin --env-file $ENVFILE"
  echo "  then set SUBSETD_AUTH=tokens in $ENVFILE and: systemctl restart subsetd"
}

if ! has_systemd; then
  echo "installed $(as_subsetd --version | head -n1); systemd is not running, so nothing was started"
  auth_hint
  exit 0
fi
systemd-tmpfiles --create /usr/lib/tmpfiles.d/subsetd.conf
systemctl daemon-reload
systemctl enable subsetd.service subsetd.target >/dev/null 2>&1
# Restart (not start) so a re-run upgrades; ExecStartPost makes this wait for /ready.
systemctl restart subsetd.service
systemctl try-restart 'subsetd-worker@*.service' || true
if [ "$nginx" = 1 ]; then
  nginx -t
  if systemctl is-active --quiet nginx; then systemctl reload nginx; else systemctl enable --now nginx; fi
fi
for _ in $(seq 60); do
  if as_subsetd healthcheck --env-file "$ENVFILE" >/dev/null 2>&1; then
    echo "$(as_subsetd --version | head -n1) is running"
    auth_hint
    exit 0
  fi
  sleep 1
done
echo "subsetd did not become ready; see: journalctl -u subsetd -n 50" >&2
exit 1
