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

# This member's view of the cluster and, when it is a replica, the address it replicates
# from: CLUSTER NODES, then ROLE (a word per line), in one redis-cli call.
view() {
    cli 2>/dev/null <<EOF
CLUSTER NODES
ROLE
EOF
}

heal_round() {
    authenticate || return 0
    out="$(view)"
    now=
    role=
    replicating=
    master_id=
    while read -r id address flags master ping _pong _epoch link _slots; do
        if [ -z "$address" ]; then  # a line of ROLE's reply
            if [ -z "$role" ]; then
                role="$id"
            elif [ "$role" = slave ] && [ -z "$replicating" ]; then
                replicating="$id"
            fi
            continue
        fi
        case "$flags" in
            *myself*slave* | *slave*myself*) master_id="$master"; continue ;;
            *myself* | *handshake*) continue ;;
        esac
        meet_if_moved "$address" "$flags" "$link" "$ping"
    done <<EOF
$out
EOF
    follow_master
}

# meet_if_moved ADDRESS FLAGS LINK PING_SENT (a node's line of CLUSTER NODES)
meet_if_moved() {
    name="${1#*,}"
    if [ "$name" = "$1" ] || [ -z "$name" ]; then
        return 0  # it announced no name (yet)
    fi
    if answering "$2" "$3" "$4"; then
        return 0
    fi
    hostport="${1%%,*}"
    was="${hostport%:*}"
    ports="${hostport##*:}"
    at="$(resolve "$name")"
    if [ -z "$at" ] || [ "$at" = "$was" ]; then
        return 0  # its pod is not there yet, or Redis is still reconnecting to the same address
    fi
    peer_port="${ports%@*}"
    bus_port="${ports#*@}"
    if [ "$peer_port" = 0 ] || [ -z "$peer_port" ]; then  # noaddr: Redis forgot the address, not the ports
        peer_port="$port"
        bus_port=$((port + 10000))
    fi
    echo "heal: $name is at $at (known at ${was:-no address}): CLUSTER MEET"
    cli cluster meet "$at" "$peer_port" "$bus_port" >/dev/null
}

# A replica whose master moved keeps replicating from the old address when it learned of
# the move through gossip (Redis re-points replication only when the move comes with a
# handshake): CLUSTER REPLICATE of the same master re-points it to the current address.
follow_master() {
    if [ "$role" != slave ] || [ -z "$master_id" ] || [ "$master_id" = "-" ] || [ -z "$replicating" ]; then
        return 0
    fi
    master_ip=
    while read -r id address _rest; do
        if [ "$id" = "$master_id" ]; then
            hostport="${address%%,*}"
            master_ip="${hostport%:*}"
        fi
    done <<EOF
$out
EOF
    if [ -n "$master_ip" ] && [ "$master_ip" != "$replicating" ]; then
        echo "heal: replicating from $replicating, but master $master_id is at $master_ip: CLUSTER REPLICATE"
        cli cluster replicate "$master_id" >/dev/null
    fi
}

while :; do
    heal_round
    sleep "$period"
done
