#!/usr/bin/env bash
# Boots a real systemd (PID 1 of a systemd-nspawn container whose root is a throwaway overlay of
# this host's own /, with a private network) and runs the release's installer in it: the
# hardened unit really starts, answers through nginx, restarts, drains on stop, upgrades and
# uninstalls. Prints "== section" blocks for test/deploy/systemd-boot.test.ts to check.
#   test/deploy/systemd-boot.sh RELEASE_DIR WORK_DIR
# Runs inside `unshare --mount` (the caller's job), so every mount here vanishes with it.
set -euo pipefail
rel=$1 work=$2
root=$work/root
mkdir -p "$work/u" "$work/w" "$root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/u,workdir=$work/w" "$root"
# A fresh machine: its own machine id, no traces of earlier subsetd installs, the release inside.
rm -f "$root/etc/machine-id"
rm -rf "$root/var/cache/subsetd" "$root/var/lib/subsetd" "$root/etc/subsetd" "$root/etc/systemd/system/subsetd"*
mkdir -p "$root/opt" && cp -a "$rel" "$root/opt/release"
# Host services that would only slow the boot down; with a private network and nothing to
# configure, "wait-online" would hold network-online.target (and so subsetd) for two minutes.
for s in postgresql redis-server systemd-networkd-wait-online NetworkManager-wait-online ifupdown-wait-online; do ln -sf /dev/null "$root/etc/systemd/system/$s.service"; done

systemd-nspawn -q -D "$root" --boot --register=no --keep-unit --private-network --machine=subsetd-ci >"$work/boot.log" 2>&1 &
nspawn=$!
trap 'kill $nspawn 2>/dev/null; wait $nspawn 2>/dev/null || true' EXIT
init=
for _ in $(seq 100); do
  init=$(pgrep -P "$nspawn" -x systemd || true)
  [ -n "$init" ] && break
  sleep 0.2
done
[ -n "$init" ] || { cat "$work/boot.log"; exit 1; }
section() { echo "== $1"; echo "[${SECONDS} s] $1" >&2; }
in_ct() { nsenter -t "$init" -m -u -i -n -p -- /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
# Until systemd answers on its bus and has finished booting.
for _ in $(seq 150); do
  case "$(in_ct systemctl is-system-running 2>/dev/null || true)" in running|degraded) break ;; esac
  sleep 0.2
done

section install
in_ct /opt/release/scripts/install.sh --nginx
in_ct systemctl is-active subsetd.service
in_ct systemctl is-enabled subsetd.service
section sandbox
pid=$(in_ct systemctl show -p MainPID --value subsetd.service)
in_ct ps -o user= -p "$pid"
in_ct grep -E '^(NoNewPrivs|Seccomp|CapEff):' "/proc/$pid/status"
in_ct systemctl show -p ProtectSystem,ProtectHome,PrivateTmp --value subsetd.service
section api
in_ct curl -sS http://127.0.0.1/api/ | grep -o '"href":"[^"]*conformance"'
in_ct curl -sS -X POST -H 'content-type: application/json' -d '{"inputs":{"name":"systemd"},"response":"document"}' http://127.0.0.1/api/processes/hello-world/execution
echo
section restart
in_ct systemctl restart subsetd.service
in_ct systemctl is-active subsetd.service
section stop
in_ct systemctl stop subsetd.service
in_ct systemctl show -p ExecMainStatus,Result --value subsetd.service
section upgrade
in_ct /opt/release/scripts/install.sh --nginx
in_ct systemctl is-active subsetd.service
section logs
in_ct journalctl -u subsetd.service -o cat --no-pager | grep -c '"msg":"request"' || true
section uninstall
in_ct /opt/release/scripts/install.sh --uninstall --purge
in_ct systemctl is-active subsetd.service || true
section end
in_ct systemctl poweroff >/dev/null 2>&1 || true
wait $nspawn 2>/dev/null || true
trap - EXIT
