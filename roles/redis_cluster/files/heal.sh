#!/bin/sh
# Keep this member in touch with the members it knows, at their current addresses.
#
# Every member announces its stable DNS name (cluster-announce-hostname
# <pod>.<service>.<namespace>.svc), so each line of CLUSTER NODES, and nodes.conf on the
# claim, carries the name of the pod behind a node ID. When a known node does not answer
# at the address this member has for it (peers.sh: flagged, link down, or a PING
# unanswered for a second) and its name now resolves to another address (the pod was
# recreated), this member MEETs it there: the handshake finds the same node ID and Redis
# moves the node to the new address, keeping its slots and role. Run by every member, so
# each side of every pair learns the other's address; gossip spreads it too. A node that
# still answers at its known address is left alone whatever DNS says (a stale record must
# not send a MEET to an address another server may hold now).
#
# Only nodes already known are met: a pod that was never part of the cluster, or one that
# the bootstrap made everyone forget, is never added here (that is the bootstrap's job).
# Needs getent (libc) and redis-cli, both in the official redis images.
# shellcheck source=peers.sh source-path=SCRIPTDIR
. "$(dirname "$0")/peers.sh"

port="${REDIS_PORT:-6379}"
period="${REDIS_HEAL_PERIOD:-1}"

heal_once() {
    authenticate || return 0
    now="$(now_ms)"
    cli cluster nodes 2>/dev/null | tr -d '\r' |
    while read -r _id address flags _master ping _pong _epoch link _slots; do
        case "$flags" in *myself*|*handshake*) continue ;; esac
        name="${address#*,}"
        if [ "$name" = "$address" ] || [ -z "$name" ]; then
            continue  # it announced no name (yet)
        fi
        if answering "$flags" "$link" "$ping" "$now"; then
            continue
        fi
        hostport="${address%%,*}"
        was="${hostport%:*}"
        ports="${hostport##*:}"
        at="$(resolve "$name")"
        if [ -z "$at" ] || [ "$at" = "$was" ]; then
            continue  # its pod is not there yet, or Redis is still reconnecting to the same address
        fi
        peer_port="${ports%@*}"
        bus_port="${ports#*@}"
        if [ "$peer_port" = 0 ] || [ -z "$peer_port" ]; then  # noaddr: Redis forgot the address, not the ports
            peer_port="$port"
            bus_port=$((port + 10000))
        fi
        echo "heal: $name is at $at (known at ${was:-no address}): CLUSTER MEET"
        cli cluster meet "$at" "$peer_port" "$bus_port" >/dev/null
    done
}

# A replica whose master moved keeps replicating from the old address when it learned of
# the move through gossip (Redis re-points replication only when the move comes with a
# handshake): CLUSTER REPLICATE of the same master re-points it to the current address.
follow_master() {
    nodes="$(cli cluster nodes 2>/dev/null | tr -d '\r')"
    master_id="$(printf '%s\n' "$nodes" | while read -r _id _address flags master _rest; do
        case "$flags" in *myself*slave*|*slave*myself*) echo "$master" ;; esac
    done)"
    if [ -z "$master_id" ] || [ "$master_id" = "-" ]; then
        return 0
    fi
    master_ip="$(printf '%s\n' "$nodes" | while read -r id address _rest; do
        if [ "$id" = "$master_id" ]; then
            hostport="${address%%,*}"
            echo "${hostport%:*}"
        fi
    done)"
    replicating="$(cli info replication 2>/dev/null | tr -d '\r' | while IFS=: read -r key value; do
        if [ "$key" = master_host ]; then echo "$value"; fi
    done)"
    if [ -n "$master_ip" ] && [ -n "$replicating" ] && [ "$master_ip" != "$replicating" ]; then
        echo "heal: replicating from $replicating, but master $master_id is at $master_ip: CLUSTER REPLICATE"
        cli cluster replicate "$master_id" >/dev/null
    fi
}

while :; do
    heal_once
    follow_master
    sleep "$period"
done
