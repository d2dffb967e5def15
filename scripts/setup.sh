#!/usr/bin/env bash
# One-command setup: Debian packages the tests need, then .venv with the pinned Python
# dependencies (requirements-dev.txt), then an offline stand-in for ansible-test's pip bootstrap.
# Idempotent and quiet: each step is skipped when its stamp says it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
log() { printf 'setup: %s\n' "$*"; }

# Debian packages: the control plane's build and runtime (golang-go and reflect2 1.0.2,
# see testbed/scripts/build-kube.sh; rsync, etcd-server, openssl, iproute2), the servers our integration tests run for real (redis, mariadb,
# nfs-ganesha), the NFS protocol client used to verify exports (libnfs-utils), kubectl,
# shellcheck (ansible-test sanity skips shell scripts without it).
DEBIAN_PACKAGES=(
  make git rsync golang-go golang-github-modern-go-reflect2-dev openssl iproute2 procps psmisc util-linux
  etcd-server
  redis-server redis-tools
  mariadb-server mariadb-client mariadb-backup
  nfs-ganesha nfs-ganesha-vfs libnfs-utils
  shellcheck
)

# kubectl for the tests and for users of the test bed: Debian's kubernetes-client, unless
# some other package already provides a kubectl (the two conflict on /usr/bin/kubectl).
command -v kubectl >/dev/null || DEBIAN_PACKAGES+=(kubernetes-client)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Package scripts must not start redis, mariadb or ganesha as system services: the
  # tests start their own, on their own addresses. policy-rc.d is apt's switch for that.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1
  fi
  trap '[[ $created_policy == 1 ]] && rm -f "$policy"' EXIT
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/stateful-kube-apt.log 2>&1 || {
    tail -n 30 /tmp/stateful-kube-apt.log; exit 1; }
fi

# The stamp names both files: the runtime ranges (requirements.txt) and the development
# pins (requirements-dev.txt); a change to either reinstalls.
stamp="$VENV/.requirements-$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)"
if [[ ! -f $stamp ]]; then
  log "creating $VENV with the pinned Python dependencies (a few minutes the first time)"
  [[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip >/tmp/stateful-kube-pip.log 2>&1
  "$VENV/bin/pip" install -q -r requirements-dev.txt -r requirements.txt >>/tmp/stateful-kube-pip.log 2>&1 || {
    grep -v '^WARNING: Location' /tmp/stateful-kube-pip.log | tail -n 30; exit 1; }
  rm -f "$VENV"/.requirements-*
  touch "$stamp"
fi

# ansible-test bootstraps pip in its virtual environments with a script it downloads;
# nothing but the package registries is reachable, so give it a local stand-in that does
# the same job with ensurepip and the configured package index.
pip_version="$(grep -oP "pip='\K[0-9.]+" "$VENV"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | head -n1)"
bootstrap="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if [[ ! -f $bootstrap ]]; then
  mkdir -p "$(dirname "$bootstrap")"
  cp scripts/get_pip_offline.py "$bootstrap"
  log "installed the offline pip bootstrap for ansible-test: $bootstrap"
fi
