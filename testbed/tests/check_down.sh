#!/usr/bin/env bash
# `make testbed-down` leaves no process, network namespace, veth or bridge behind.
#
# Run it LAST, in a session that owns the test bed (it takes the bed down):
#     bash testbed/tests/check_down.sh
# It brings the bed up if needed, starts a pod whose process ignores SIGTERM and forks a
# child (the hardest case), records every PID the bed owns, runs `make testbed-down`, and
# fails naming whatever survived.
set -euo pipefail
cd "$(dirname "$0")/../.."
export KUBECONFIG="$PWD/.testbed/kubeconfig"
fail() { echo "check_down: FAIL: $*" >&2; exit 1; }

make -s testbed-up >/dev/null
ns="check-down-$$"
kubectl create namespace "$ns" >/dev/null
for _ in $(seq 100); do
  kubectl -n "$ns" get serviceaccount default >/dev/null 2>&1 && break
  sleep 0.1
done
kubectl -n "$ns" run stubborn --image=busybox --restart=Never \
  --command -- sh -c "trap '' TERM; sleep 3600 & wait; sleep 3600" >/dev/null
for _ in $(seq 300); do
  [[ "$(kubectl -n "$ns" get pod stubborn -o jsonpath='{.status.phase}' 2>/dev/null)" == Running ]] && break
  sleep 0.1
done
[[ "$(kubectl -n "$ns" get pod stubborn -o jsonpath='{.status.phase}')" == Running ]] || fail "pod stubborn never ran"

netns_list() { ip netns list | awk '/^skube-/ {print $1}'; }
pids=""
for netns in $(netns_list); do pids="$pids $(ip netns pids "$netns" | tr '\n' ' ')"; done
for file in .testbed/run/*.pid; do pids="$pids $(head -n1 "$file")"; done
[[ -n "$(netns_list)" ]] || fail "no pod namespace existed before testbed-down: nothing would be checked"
echo "check_down: before: $(netns_list | wc -l) pod namespaces, PIDs:$pids"

make -s testbed-down

survivors=""
for pid in $pids; do
  if [[ -e /proc/$pid ]] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
    survivors="$survivors $pid($(tr '\0' ' ' < "/proc/$pid/cmdline" | cut -c1-60))"
  fi
done
[[ -z "$survivors" ]] || fail "processes still running:$survivors"
[[ -z "$(netns_list)" ]] || fail "network namespaces left: $(netns_list | tr '\n' ' ')"
veths="$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^skv' || true)"
[[ -z "$veths" ]] || fail "veths left: $veths"
! ip link show skube0 >/dev/null 2>&1 || fail "bridge skube0 left"
leftover_etc="$(find /etc/netns -maxdepth 1 -name 'skube-*' 2>/dev/null || true)"
[[ -z "$leftover_etc" ]] || fail "/etc/netns entries left: $leftover_etc"
echo "check_down: OK: no process, namespace, veth, bridge or /etc/netns entry left"
