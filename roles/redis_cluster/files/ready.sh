#!/bin/sh
# Readiness of a cluster member: it has never been part of a cluster (no slot assigned in
# its view, or no other node known: a new pod that the bootstrap has yet to form or join,
# or a half-made cluster that it has yet to complete), or it sees cluster_state:ok in a
# view that is current: every master serving slots, itself included, is at the address its
# DNS name resolves to (peers.sh says why cluster_state alone is not enough after a
# restart). A member of a formed cluster that is down (peers lost, slots uncovered) still
# knows its peers from nodes.conf, so it is not Ready, and `kubectl get pods` and rollouts
# tell the truth; nor is a member whose CLUSTER SLOTS would send clients to old addresses.
# shellcheck source=peers.sh source-path=SCRIPTDIR
. "$(dirname "$0")/peers.sh"

authenticate
info="$(cli cluster info 2>&1 | tr -d '\r')"
if printf '%s\n' "$info" | grep -qx -e 'cluster_slots_assigned:0' -e 'cluster_known_nodes:1'; then
    exit 0
fi
if ! printf '%s\n' "$info" | grep -qx 'cluster_state:ok'; then
    printf '%s\n' "$info" | grep -e '^cluster_state' -e '^cluster_slots_ok' -e '^cluster_known_nodes' -e 'ERR' \
        -e 'LOADING' -e 'NOAUTH' -e 'refused' | tr '\n' ' '
    exit 1
fi
stale="$(cli cluster nodes 2>/dev/null | tr -d '\r' |
    while read -r _id address flags _master _ping _pong _epoch _link slots; do
        case "$flags" in *master*) ;; *) continue ;; esac
        name="${address#*,}"
        if [ -z "$slots" ] || [ "$name" = "$address" ] || [ -z "$name" ]; then
            continue  # serves no slot, or announced no name to check its address against
        fi
        hostport="${address%%,*}"
        at="$(resolve "$name")"
        if [ -n "$at" ] && [ "$at" != "${hostport%:*}" ]; then
            printf '%s known at %s, now at %s; ' "$name" "${hostport%:*}" "$at"
        fi
    done)"
if [ -n "$stale" ]; then
    echo "cluster_state:ok on an old view: $stale"
    exit 1
fi
exit 0
